"""At most GIT_MAX_PER_CLIENT running git processes per client address, across every web process.

A count in process memory would hold per process: with several gunicorn workers (and nodes) an
address could hold limit × processes. Two shared counts instead, both off the database, whose
write lock and commits every git request used to take twice (a row per running git: 5 ms
median per request on PostgreSQL, under the working day's writers the request queued behind
them; these take well under 1 ms):

- with `CATALOG_REDIS_URL` (every set-up of more than one node has it): a sorted set per address
  in Redis, members `node|pid|token` scored by their expiry, checked and added in one script;
- one node without Redis: a small JSON file in the data dir under an exclusive `flock`, which
  every web process of the machine shares.

A slot expires when git would have been killed (GIT_HTTP_TIMEOUT, plus a margin); one left by a
process that died without releasing it is freed early by its own node, which can tell that the
process is gone, or at its expiry by any other.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app

from ...jobs.queue import node_name

EXPIRY_MARGIN = 60.0  # seconds past GIT_HTTP_TIMEOUT
log = logging.getLogger(__name__)


def _client_key(address: str) -> str:
    """The address as sha256: no address is stored."""
    return hashlib.sha256(f"git-client:{address or '-'}".encode()).hexdigest()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process holds the number: alive
        return True
    return True


def _once(release: Callable[[], None]) -> Callable[[], None]:
    """A release function that may run twice, from another thread, after the request ended."""
    done = threading.Event()

    def run() -> None:
        if done.is_set():
            return
        done.set()
        try:
            release()
        except Exception:  # the slot then holds until it expires; the response is not affected
            log.exception("git slot could not be released")
    return run


class MachineClientSlots:
    """`vcs.http.ClientSlots` for one node: {client: [[pid, token, expires], ...]} in one file."""

    def __init__(self, path: Path, limit: int, lifetime: float) -> None:
        self.path, self.limit, self.lifetime = path, int(limit), float(lifetime) + EXPIRY_MARGIN

    @contextmanager
    def _state(self) -> Iterator[dict]:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            raw = os.pread(fd, 1 << 20, 0)
            try:
                state = json.loads(raw) if raw else {}
            except ValueError:  # a torn file from a crash mid-write: the slots in it are lost
                state = {}
            now = time.time()
            state = {c: live for c, slots in state.items()
                     if (live := [s for s in slots if s[2] > now and _pid_alive(s[0])])}
            yield state
            data = json.dumps(state, separators=(",", ":")).encode()
            # written over, then cut: ext4 flushes a file truncated to zero when it is closed
            # (auto_da_alloc), which made each slot cost 3 ms instead of 0.04 ms
            os.pwrite(fd, data, 0)
            os.ftruncate(fd, len(data))
        finally:
            os.close(fd)  # closing drops the lock

    def held(self, address: str) -> int:
        with self._state() as state:
            return len(state.get(_client_key(address), []))

    def acquire(self, address: str) -> Callable[[], None] | None:
        if self.limit <= 0:
            return lambda: None
        client, token = _client_key(address), uuid.uuid4().hex
        with self._state() as state:
            slots = state.setdefault(client, [])
            if len(slots) >= self.limit:
                return None
            slots.append([os.getpid(), token, time.time() + self.lifetime])

        def release() -> None:
            with self._state() as state:
                if client in state:
                    state[client] = [s for s in state[client] if s[1] != token]
        return _once(release)


# KEYS[1] the address's set; ARGV now, expires, limit, member. Drops expired members, then adds
# this one unless the address is at its limit; the set itself expires with its last member.
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('EXPIREAT', KEYS[1], math.ceil(tonumber(ARGV[2])))
return 1
"""


class RedisClientSlots:
    """`vcs.http.ClientSlots` shared by every node through Redis."""

    def __init__(self, client, limit: int, lifetime: float, node: str) -> None:
        self.redis, self.limit, self.node = client, int(limit), node
        self.lifetime = float(lifetime) + EXPIRY_MARGIN
        self._acquire = client.register_script(_ACQUIRE)

    @staticmethod
    def _key(address: str) -> str:
        return f"catalog:git-slots:{_client_key(address)}"

    def held(self, address: str) -> int:
        return int(self.redis.zcount(self._key(address), time.time(), "+inf"))

    def _free_dead_of_this_node(self, key: str) -> bool:
        """Members of this node whose process is gone: only this node can tell."""
        dead = []
        for raw in self.redis.zrange(key, 0, -1):
            node, pid, _ = raw.decode().rsplit("|", 2)
            if node == self.node and int(pid) != os.getpid() and not _pid_alive(int(pid)):
                dead.append(raw)
        return bool(dead) and bool(self.redis.zrem(key, *dead))

    def acquire(self, address: str) -> Callable[[], None] | None:
        if self.limit <= 0:
            return lambda: None
        key, member = self._key(address), f"{self.node}|{os.getpid()}|{uuid.uuid4().hex}"
        for attempt in range(2):
            now = time.time()
            if self._acquire(keys=[key], args=[now, now + self.lifetime, self.limit, member]):
                return _once(lambda: self.redis.zrem(key, member))
            if attempt or not self._free_dead_of_this_node(key):
                return None
        return None


def client_slots() -> MachineClientSlots | RedisClientSlots:
    """This app's slots (one object per app; the file or the Redis set is what is shared)."""
    app = current_app._get_current_object()
    slots = app.extensions.get("git_client_slots")
    if slots is None:
        cfg = app.config
        if cfg.get("REDIS_URL"):
            import redis

            slots = RedisClientSlots(redis.Redis.from_url(cfg["REDIS_URL"]), cfg["GIT_MAX_PER_CLIENT"],
                                     cfg["GIT_HTTP_TIMEOUT"], node_name(app))
        else:
            slots = MachineClientSlots(Path(cfg["DATA_DIR"]) / "git-slots.json", cfg["GIT_MAX_PER_CLIENT"],
                                       cfg["GIT_HTTP_TIMEOUT"])
        slots = app.extensions.setdefault("git_client_slots", slots)
    return slots
