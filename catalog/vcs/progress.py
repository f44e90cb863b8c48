"""Turn git's `--progress` stderr into one rising percentage with an Indonesian phase label."""
from __future__ import annotations

import re
from collections.abc import Callable

ProgressCallback = Callable[[int, str], None]

# (start %, end %, label) of each phase in the overall bar; receiving dominates on slow links.
PHASES: dict[str, tuple[int, int, str]] = {
    "Enumerating objects": (0, 2, "Menghitung objek"),
    "Counting objects": (0, 2, "Menghitung objek"),
    "Compressing objects": (2, 5, "Memadatkan objek"),
    "Receiving objects": (5, 85, "Menerima objek"),
    "Resolving deltas": (85, 97, "Memproses delta"),
    "Checking connectivity": (97, 98, "Memeriksa keterhubungan"),
}
_LINE_RE = re.compile(r"(?:remote:\s*)?([A-Z][a-z]+ [a-z]+):\s+(\d{1,3})%")
MAX_PENDING = 4096


class ProgressParser:
    """Feed stderr chunks; calls back only when the overall percentage rises."""

    def __init__(self, callback: ProgressCallback | None) -> None:
        self.callback = callback
        self.pending = b""
        self.last = -1

    def feed(self, chunk: bytes) -> None:
        if self.callback is None:
            return
        parts = re.split(rb"[\r\n]", self.pending + chunk)
        self.pending = parts.pop()[-MAX_PENDING:]
        for raw in parts:
            self._line(raw.decode("utf-8", "replace"))

    def _line(self, line: str) -> None:
        match = _LINE_RE.search(line)
        if not match or match.group(1) not in PHASES:
            return
        start, end, label = PHASES[match.group(1)]
        self.report(start + (end - start) * min(int(match.group(2)), 100) // 100, label)

    def report(self, percent: int, label: str) -> None:
        if self.callback is not None and percent > self.last:
            self.last = percent
            self.callback(percent, label)
