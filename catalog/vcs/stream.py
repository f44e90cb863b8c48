"""GitStream: a running git whose output is consumed in chunks (http-backend, archives, diffs)."""
from __future__ import annotations

import os
import select
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from .env import DEFAULT_OPTIONS, GitOptions, Identity
from .errors import GitCommandError, GitTimeout, SizeLimitExceeded
from .runner import STDERR_KEEP, TOO_BIG_TO_WALK, kill_group, out_of_memory, spawn, trim, wait_until

CHUNK = 64 * 1024


class GitStream:
    """Owns one git process group; `close()` (or the deadline) kills it, whatever state it is in.

    stderr is drained by a thread so a chatty git can never block on a full pipe while the
    consumer is slow.
    """

    def __init__(self, args: Sequence[str], *, git_dir: Path | str | None = None,
                 cwd: Path | str | None = None, timeout: float = 3600,
                 opts: GitOptions = DEFAULT_OPTIONS, identity: Identity | None = None,
                 env_extra: Mapping[str, str] | None = None, stdin_pipe: bool = False,
                 max_memory: int | None = None) -> None:
        self._closed = True  # until the process exists, there is nothing to close
        self.args = tuple(str(a) for a in args)
        self.deadline = time.monotonic() + timeout
        self.max_memory = max_memory
        self.proc = spawn(args, git_dir=git_dir, cwd=cwd, opts=opts, identity=identity,
                          env_extra=env_extra,
                          stdin=subprocess.PIPE if stdin_pipe else None, max_memory=max_memory)
        self._err = bytearray()
        self._err_thread = threading.Thread(target=self._drain_stderr, daemon=True)
        self._err_thread.start()
        self._closed = False

    @property
    def stdin(self):
        return self.proc.stdin

    @property
    def stderr_text(self) -> str:
        return trim(bytes(self._err))

    def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        fd = self.proc.stderr.fileno()
        try:
            for data in iter(lambda: os.read(fd, CHUNK), b""):
                self._err += data
                if len(self._err) > STDERR_KEEP:
                    del self._err[: len(self._err) - STDERR_KEEP]
        except OSError:
            pass  # pipe closed under us by close()

    def read(self, size: int = CHUNK) -> bytes:
        """Up to `size` bytes as soon as any are available; b"" at end of output."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while True:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                self.close()
                raise GitTimeout(detail=" ".join(self.args[:1]))
            ready, _, _ = select.select([fd], [], [], min(remaining, 1.0))
            if ready:
                return os.read(fd, size)

    def chunks(self, size: int = CHUNK, *, max_bytes: int | None = None) -> ChunkIterator:
        """Iterate output to EOF, then check the exit status; `close()` on it kills git.
        Past `max_bytes` git is killed and SizeLimitExceeded raised (the body ends short)."""
        return ChunkIterator(self, size, max_bytes=max_bytes)

    def finish(self) -> int:
        """Wait for exit within the deadline; raise GitCommandError on a non-zero status."""
        if not wait_until(self.proc, self.deadline):
            self.close()
            raise GitTimeout(detail=" ".join(self.args[:1]))
        code = self.proc.returncode
        self._err_thread.join(timeout=2)
        if code != 0 and self.max_memory and out_of_memory(bytes(self._err)):
            raise SizeLimitExceeded(TOO_BIG_TO_WALK, detail=self.stderr_text)
        if code != 0:
            raise GitCommandError(args=self.args, returncode=code, stderr=self.stderr_text)
        return code

    def close(self) -> None:
        """Kill the group if still running and release pipes; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self.proc.poll() is None:
            kill_group(self.proc)
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                if pipe:
                    pipe.close()
            except OSError:
                pass
        self._err_thread.join(timeout=2)
        if self.proc.stderr:
            self.proc.stderr.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass

    def __enter__(self) -> GitStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ChunkIterator:
    """A WSGI-friendly body: servers call `close()` when the client goes away, which kills git
    even if iteration never started (a plain generator would not run its `finally` then)."""

    def __init__(self, stream: GitStream, size: int = CHUNK, *,
                 max_bytes: int | None = None) -> None:
        self.stream = stream
        self.size = size
        self.max_bytes = max_bytes
        self.sent = 0
        self._done = False

    def __iter__(self) -> ChunkIterator:
        return self

    def __next__(self) -> bytes:
        if self._done:
            raise StopIteration
        try:
            chunk = self.stream.read(self.size)
            if chunk:
                self.sent += len(chunk)
                if self.max_bytes is not None and self.sent > self.max_bytes:
                    raise SizeLimitExceeded(detail=f"{' '.join(self.stream.args[:1])}: "
                                                   f"output over {self.max_bytes} bytes")
                return chunk
            self._done = True
            self.stream.finish()
        except BaseException:
            self.close()
            raise
        self.stream.close()
        raise StopIteration

    def close(self) -> None:
        self._done = True
        self.stream.close()
