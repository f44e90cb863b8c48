"""The data version: what changes whenever what visitors see on this node may have changed.

It is the audit chain head's seq plus this node's position in the search index's change log:

- every change of state appends an audit event in its own transaction, so the seq moves with
  every committed change of the rows (on every node: the database is shared);
- list and search pages change again when THIS node's index applies the change, which the seq
  alone does not show. That is the position file in the node's index directory
  (`models/index_position.py`), which the node's follower rewrites after each index commit; a
  stat per call, read again only when it changed. Another node's index does not count.

Why this one and not the audit head's (seq, hash) that the deep name order used before: that
pair misses the second point, so anything drawn from the search index would be kept stale
until the next audit event. Its hash only tells a restored database whose seq came back to
the same number, which `is_newer` covers by adopting a lower seq once it has been seen for
`STALE_READER_GRACE`. Values that come from the rows alone (the name order) are merely
recomputed once more after the index applies a change.
"""
from __future__ import annotations

import os
from time import monotonic
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import text

from .index_position import position_stamp

VERSION_SQL = text("SELECT seq FROM audit_head WHERE id = 1")
STALE_READER_GRACE = 5.0  # seconds: a lower audit seq seen this long after a newer one means a restored DB


def data_version(executor: Any, index_dir: str | os.PathLike[str] | None = None) -> tuple:
    """The version as `executor` (a session, or a connection of its own) sees it, with the
    position of the index in `index_dir` (default: the current app's SEARCH_INDEX_DIR)."""
    seq = executor.execute(VERSION_SQL).scalar()
    if index_dir is None and has_app_context():
        index_dir = current_app.config.get("SEARCH_INDEX_DIR")
    return (seq, *(position_stamp(index_dir) if index_dir else (None, None)))


def is_newer(version: tuple, current: Any, since: float) -> bool:
    """Whether a version other than the current one replaces it: a higher audit seq, the same
    seq with the node's index moved on, or a lower seq (or an older index position) still seen
    `STALE_READER_GRACE` seconds after the current one (a restored database or a rebuilt index
    rather than a reader from before a commit)."""
    if current is None or version[0] is None or current[0] is None:
        return True
    if version[0] != current[0]:
        return version[0] > current[0] or monotonic() - since > STALE_READER_GRACE
    older_index = len(version) > 2 and len(current) > 2 and None not in (version[2], current[2]) \
        and version[2] < current[2]  # a position written before the current one: an earlier reader
    return not older_index or monotonic() - since > STALE_READER_GRACE
