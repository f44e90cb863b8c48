"""Rate limits that two nodes share: sign-in failure counters (rows, upserted) and the cap on
running git processes per client address (in Redis, which every set-up of several nodes has; one
node without Redis counts in a file of its data dir: catalog/services/repos/git_slots.py)."""
from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.scale.conftest import REDIS_URL, redis_up

pytestmark = pytest.mark.slow  # nodes are separate processes (a few seconds each to start)

WRONG = "salah-salah-1"


@pytest.fixture
def redis_nodes(nodes):
    """Nodes A and B queueing and counting git slots in Redis (db 12, emptied first)."""
    if not redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    nodes.redis = client
    nodes.configs = {name: nodes.config(name, REDIS_URL=REDIS_URL) for name in ("a", "b")}
    yield nodes
    client.flushdb()


def _slots_left(client) -> int:
    return sum(client.zcard(key) for key in client.scan_iter("catalog:git-slots:*"))


def test_failures_on_node_a_lock_the_pair_out_on_node_b(app, nodes, make_user):
    user = make_user("adopter", "21.72")
    assert nodes.run("logins", "a", email=user.email, passwords=[WRONG] * 5) == [401] * 5
    assert nodes.run("logins", "b", email=user.email, passwords=[PASSWORD]) == [429]


@pytest.mark.xdist_group("redis")  # Redis db 12, emptied by each test using it
def test_git_slots_of_one_address_are_counted_across_nodes(app, redis_nodes):
    nodes, conf = redis_nodes, redis_nodes.configs
    ready, release = nodes.path("a-ready"), nodes.path("a-release")
    holder = nodes.start("git_slots", "a", conf["a"], address="203.0.113.9", count=3, ready=ready, release=release)
    nodes.wait_for(ready, holder)
    # the cap is 4 (the default): node B may start one more git for that address, not four;
    # another address is not affected
    assert nodes.run("git_slots", "b", conf["b"], address="203.0.113.9", count=2) == [True, False]
    assert nodes.run("git_slots", "b", conf["b"], address="198.51.100.7", count=2) == [True, True]
    Path(release).write_text("")
    assert nodes.result(holder) == [True, True, True]
    assert nodes.run("git_slots", "b", conf["b"], address="203.0.113.9", count=4) == [True] * 4
    assert _slots_left(nodes.redis) == 0


@pytest.mark.xdist_group("redis")  # Redis db 12, emptied by each test using it
def test_slots_of_a_killed_process_are_freed_by_its_node_not_by_others(app, redis_nodes):
    nodes, conf = redis_nodes, redis_nodes.configs
    ready = nodes.path("a-ready")
    holder = nodes.start("git_slots", "a", conf["a"], address="203.0.113.9", count=4, ready=ready,
                         release=nodes.path("never"))
    nodes.wait_for(ready, holder)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    # Another node cannot tell whether node A's process still runs: the slots hold until they expire.
    assert nodes.run("git_slots", "b", conf["b"], address="203.0.113.9", count=1) == [False]
    # Node A's next process sees that the process holding them is gone, and frees them.
    assert nodes.run("git_slots", "a", conf["a"], address="203.0.113.9", count=4) == [True] * 4
    assert _slots_left(nodes.redis) == 0


def test_one_node_without_redis_counts_every_process_of_the_machine(app, nodes):
    """Two web processes of one node share its data dir's count; a killed one's slots are freed."""
    ready, release = nodes.path("a-ready"), nodes.path("a-release")
    holder = nodes.start("git_slots", "a", address="203.0.113.9", count=3, ready=ready, release=release)
    nodes.wait_for(ready, holder)
    assert nodes.run("git_slots", "a", address="203.0.113.9", count=2) == [True, False]
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert nodes.run("git_slots", "a", address="203.0.113.9", count=4) == [True] * 4
