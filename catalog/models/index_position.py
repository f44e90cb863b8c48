"""A node's position in the index change log, kept in the index directory beside the index.

The file travels with the index it describes: an index directory that is deleted or replaced
loses its position too, and the node rebuilds rather than trusting a number that no longer
matches what it holds. Written atomically (a temporary file renamed over the old one), after
the index commit, so a crash in between only applies the same changes again.
"""
from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

POSITION_FILE = "log-position.json"


@dataclass(frozen=True)
class Position:
    high: int  # the newest change applied
    # ids below `high` not seen yet (a transaction that took its id earlier may still commit),
    # each with the wall-clock time it was first missed; forgotten after a grace time
    gaps: dict[int, float] = field(default_factory=dict)
    written: int = 0  # time.time_ns() of the write: tells one state of the index from the next
    docs: int = 0  # documents the index held then: an index found empty after holding some was replaced

    @property
    def applied(self) -> int:
        """Every change at or below this id is applied (or never committed)."""
        return min(self.gaps) - 1 if self.gaps else self.high


def position_path(index_dir: str | os.PathLike[str]) -> Path:
    return Path(index_dir) / POSITION_FILE


def read_position(index_dir: str | os.PathLike[str]) -> Position | None:
    """The position, or None when the file is missing or unreadable (the node rebuilds)."""
    try:
        raw = json.loads(position_path(index_dir).read_text(encoding="utf-8"))
        return Position(high=int(raw["high"]), gaps={int(k): float(v) for k, v in raw.get("gaps", {}).items()},
                        written=int(raw.get("written", 0)), docs=int(raw.get("docs", 0)))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def write_position(index_dir: str | os.PathLike[str], high: int, gaps: dict[int, float], docs: int) -> Position:
    position = Position(high=high, gaps=dict(gaps), written=time.time_ns(), docs=docs)
    directory = Path(index_dir)
    directory.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"high": position.high, "gaps": {str(k): v for k, v in sorted(gaps.items())},
                       "written": position.written, "docs": docs})
    fd, tmp = tempfile.mkstemp(prefix=".position-", dir=directory)
    try:
        os.fchmod(fd, 0o640)  # the node's web processes read it (mkstemp would leave 0600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(body)  # no fsync: a file lost or torn by a power cut reads as None, and the node rebuilds
        os.replace(tmp, position_path(directory))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return position


_stamps: dict[str, tuple[tuple, tuple]] = {}  # path -> (stat key, stamp): re-read only on change


def position_stamp(index_dir: str | os.PathLike[str]) -> tuple:
    """(high, written) of the node's index, read again only when the file changed (a stat per
    call: the data version asks on every request)."""
    path = str(position_path(index_dir))
    try:
        st = os.stat(path)
    except OSError:
        return (None, None)
    key = (st.st_ino, st.st_mtime_ns, st.st_size)
    known = _stamps.get(path)
    if known is not None and known[0] == key:
        return known[1]
    position = read_position(index_dir)
    stamp = (None, None) if position is None else (position.high, position.written)
    _stamps[path] = (key, stamp)
    return stamp
