"""Rate limits that two nodes share: sign-in failure counters (rows, upserted) and the cap on
running git processes per client address (a row per running git, catalog/services/repos/git_slots.py)."""
from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from catalog.extensions import db
from catalog.models import GitClientSlot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.slow  # nodes are separate processes (a few seconds each to start)

WRONG = "salah-salah-1"


def test_failures_on_node_a_lock_the_pair_out_on_node_b(app, nodes, make_user):
    user = make_user("adopter", "21.72")
    assert nodes.run("logins", "a", email=user.email, passwords=[WRONG] * 5) == [401] * 5
    assert nodes.run("logins", "b", email=user.email, passwords=[PASSWORD]) == [429]


def test_git_slots_of_one_address_are_counted_across_nodes(app, nodes):
    ready, release = nodes.path("a-ready"), nodes.path("a-release")
    holder = nodes.start("git_slots", "a", address="203.0.113.9", count=3, ready=ready, release=release)
    nodes.wait_for(ready, holder)
    # the cap is 4 (the default): node B may start one more git for that address, not four;
    # another address is not affected
    assert nodes.run("git_slots", "b", address="203.0.113.9", count=2) == [True, False]
    assert nodes.run("git_slots", "b", address="198.51.100.7", count=2) == [True, True]
    Path(release).write_text("")
    assert nodes.result(holder) == [True, True, True]
    assert nodes.run("git_slots", "b", address="203.0.113.9", count=4) == [True] * 4
    assert db.session.execute(db.select(db.func.count()).select_from(GitClientSlot)).scalar_one() == 0


def test_slots_of_a_killed_process_are_freed_by_its_node_not_by_others(app, nodes):
    ready = nodes.path("a-ready")
    holder = nodes.start("git_slots", "a", address="203.0.113.9", count=4, ready=ready, release=nodes.path("never"))
    nodes.wait_for(ready, holder)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    # Another node cannot tell whether node A's process still runs: the slots hold until they expire.
    assert nodes.run("git_slots", "b", address="203.0.113.9", count=1) == [False]
    # Node A's next process sees that the process holding them is gone, and frees them.
    assert nodes.run("git_slots", "a", address="203.0.113.9", count=4) == [True] * 4
    assert db.session.execute(db.select(db.func.count()).select_from(GitClientSlot)).scalar_one() == 0
