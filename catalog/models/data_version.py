"""The data version: one tiny query that changes whenever what visitors see may have changed.

It is the audit chain head's seq plus the search outbox's state (its count and newest entry):

- every change of state appends an audit event in its own transaction, so the seq moves with
  every committed change of the rows;
- list and search pages change again when the worker applies the change to the search index
  and empties the outbox, which the seq alone does not show.

Why this one and not the audit head's (seq, hash) that the deep name order used before: that
pair misses the second point, so anything drawn from the search index would be kept stale
until the next audit event. Its hash only tells a restored database whose seq came back to
the same number, which `is_newer` covers by adopting a lower seq once it has been seen for
`STALE_READER_GRACE`. Values that come from the rows alone (the name order) are merely
recomputed once more after the outbox drains.
"""
from __future__ import annotations

from time import monotonic
from typing import Any

from sqlalchemy import text

VERSION_SQL = text("SELECT (SELECT seq FROM audit_head WHERE id = 1), (SELECT count(*) FROM index_outbox), "
                   "(SELECT max(queued_at) FROM index_outbox)")
STALE_READER_GRACE = 5.0  # seconds: a lower audit seq seen this long after a newer one means a restored DB


def data_version(executor: Any) -> tuple:
    """The version as `executor` (a session, or a connection of its own) sees it."""
    return tuple(executor.execute(VERSION_SQL).one())


def is_newer(version: tuple, current: Any, since: float) -> bool:
    """Whether a version other than the current one replaces it: a higher audit seq, the same
    seq with the outbox changed, or a lower seq still seen `STALE_READER_GRACE` seconds after
    the current one (a restored database rather than a reader from before a commit)."""
    if current is None or version[0] is None or current[0] is None:
        return True
    if version[0] != current[0]:
        return version[0] > current[0] or monotonic() - since > STALE_READER_GRACE
    return True  # same audit head, outbox drained (or refilled by a repair): adopt
