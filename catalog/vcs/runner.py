"""run_git: the one place git subprocesses are started, with isolation, timeouts and caps."""
from __future__ import annotations

import os
import resource
import select
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .env import DEFAULT_OPTIONS, GitOptions, Identity, build_argv, empty_home, git_env
from .errors import N_, GitCommandError, GitTimeout, SizeLimitExceeded

MiB = 1024 * 1024
TOO_BIG_TO_WALK = N_("Isi repositori terlalu besar untuk diproses (terlalu banyak berkas "
                     "atau perubahan). Operasi dihentikan.")
STDERR_KEEP = 256 * 1024
WATCHDOG_EVERY = 0.5


@dataclass(frozen=True)
class GitResult:
    """Exit status and captured output of a finished git command."""

    returncode: int
    stdout: bytes
    stderr: bytes

    @property
    def text(self) -> str:
        return self.stdout.decode("utf-8", "replace")


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the whole process group: remote helpers and index-pack die with git."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:  # pragma: no cover - a kernel that won't reap
        pass


def wait_until(proc: subprocess.Popen, deadline: float) -> bool:
    """Reap `proc` if it exits before `deadline` (monotonic); False when the time ran out.

    `Popen.wait(timeout=...)` polls with sleeps of 0.5, 1, 2, 4 ms, which added ≈2 ms to every
    short git command. A pidfd becomes readable the moment the process exits, so we block on
    it instead; without pidfds (old kernels, other platforms) a timer thread kills the group at
    the deadline while we block in a plain wait(). The caller kills the group on False.
    """
    remaining = max(deadline - time.monotonic(), 0.0)
    try:
        pidfd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):
        return _wait_with_timer(proc, remaining)
    try:
        poller = select.poll()  # not select(): no FD_SETSIZE limit in a busy server
        poller.register(pidfd, select.POLLIN)
        ready = poller.poll(remaining * 1000)
    finally:
        os.close(pidfd)
    if not ready:
        return False
    proc.wait()  # already exited: returns at once
    return True


def _wait_with_timer(proc: subprocess.Popen, remaining: float) -> bool:
    fired = threading.Event()

    def expire() -> None:
        fired.set()
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the blocking wait() below then returns
        except (ProcessLookupError, PermissionError):
            pass
    timer = threading.Timer(remaining, expire)
    timer.daemon = True
    timer.start()
    try:
        proc.wait()
    finally:
        timer.cancel()
    return not fired.is_set()


def trim(data: bytes, limit: int = 2000) -> str:
    text = data.decode("utf-8", "replace").strip()
    return text if len(text) <= limit else "…" + text[-limit:]


def limit_memory(pid: int, max_bytes: int) -> None:
    """Cap the heap (RLIMIT_DATA) of a started git, inherited by the helpers it forks.

    Set from outside with prlimit(2) rather than in a preexec_fn, which is unsafe in threaded
    servers. Packs are mapped read-only, so they do not count; what counts is what grows with
    the number of paths a command walks (a diff queue, archive's index): a "git bomb" then
    ends with git's own "out of memory" instead of taking the machine down.
    """
    try:
        resource.prlimit(pid, resource.RLIMIT_DATA, (max_bytes, max_bytes))
    except (ProcessLookupError, PermissionError, OSError, AttributeError):
        pass  # already gone, or no prlimit on this platform: the wall clock still applies


def out_of_memory(stderr: bytes | str) -> bool:
    """git's words when an allocation failed under the memory cap."""
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    return "out of memory" in text.lower() or "malloc failed" in text.lower()


def spawn(args: Sequence[str], *, git_dir: Path | str | None, cwd: Path | str | None,
          opts: GitOptions, identity: Identity | None, env_extra: Mapping[str, str] | None,
          stdin: int | IO | None, max_memory: int | None = None) -> subprocess.Popen:
    """Start git in its own session (so the group can be killed) with the isolated env."""
    proc = subprocess.Popen(
        build_argv(args, git_dir=git_dir, opts=opts),
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=str(cwd) if cwd is not None else empty_home(),
        env=git_env(opts, identity=identity, extra=env_extra),
        start_new_session=True,
        close_fds=True,
    )
    if max_memory:
        limit_memory(proc.pid, max_memory)
    return proc


def _feed(pipe: IO[bytes], data: bytes) -> None:
    try:
        pipe.write(data)
    except (BrokenPipeError, OSError):
        pass  # git exited early; its exit status tells the story
    finally:
        try:
            pipe.close()
        except OSError:
            pass


def run_git(args: Sequence[str], *, git_dir: Path | str | None = None,
            cwd: Path | str | None = None, timeout: float = 60, input: bytes | None = None,
            stdin: IO | int | None = None, env_extra: Mapping[str, str] | None = None,
            max_output: int = 64 * MiB, check: bool = True,
            opts: GitOptions = DEFAULT_OPTIONS,
            identity: Identity | None = None,
            on_stderr: Callable[[bytes], None] | None = None,
            watchdog: Callable[[], None] | None = None,
            max_memory: int | None = None) -> GitResult:
    """Run git to completion. Raises GitTimeout, SizeLimitExceeded (stdout over max_output,
    or heap over `max_memory`), GitCommandError (non-zero exit, unless check=False), or
    whatever `watchdog`/`on_stderr` raise — in every case the process group is killed first."""
    proc = spawn(args, git_dir=git_dir, cwd=cwd, opts=opts, identity=identity,
                 env_extra=env_extra, stdin=subprocess.PIPE if input is not None else stdin,
                 max_memory=max_memory)
    feeder = None
    if input is not None:
        feeder = threading.Thread(target=_feed, args=(proc.stdin, input), daemon=True)
        feeder.start()
    deadline = time.monotonic() + timeout
    out, err = bytearray(), bytearray()
    try:
        _pump(proc, out, err, deadline, max_output, on_stderr, watchdog)
        if not wait_until(proc, deadline):
            raise GitTimeout(detail=" ".join(args[:2]))
    except BaseException:
        kill_group(proc)
        raise
    finally:
        for pipe in (proc.stdout, proc.stderr):
            if pipe:
                pipe.close()
        if feeder:
            feeder.join(timeout=1)
    result = GitResult(proc.returncode, bytes(out), bytes(err))
    if max_memory and proc.returncode != 0 and out_of_memory(result.stderr):
        raise SizeLimitExceeded(TOO_BIG_TO_WALK, detail=trim(result.stderr))
    if check and proc.returncode != 0:
        raise GitCommandError(args=tuple(str(a) for a in args), returncode=proc.returncode,
                              stderr=trim(result.stderr))
    return result


def _pump(proc: subprocess.Popen, out: bytearray, err: bytearray, deadline: float,
          max_output: int, on_stderr: Callable[[bytes], None] | None,
          watchdog: Callable[[], None] | None) -> None:
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ, out)
    sel.register(proc.stderr, selectors.EVENT_READ, err)
    next_watch = time.monotonic() + WATCHDOG_EVERY
    try:
        while sel.get_map():
            now = time.monotonic()
            if now >= deadline:
                raise GitTimeout(detail="wall-clock limit")
            if watchdog and now >= next_watch:
                watchdog()
                next_watch = now + WATCHDOG_EVERY
            for key, _ in sel.select(timeout=min(WATCHDOG_EVERY, deadline - now)):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    sel.unregister(key.fileobj)
                    continue
                buf: bytearray = key.data
                buf += chunk
                if buf is out and len(out) > max_output:
                    raise SizeLimitExceeded("Keluaran git melebihi batas ukuran.")
                if buf is err:
                    if on_stderr:
                        on_stderr(chunk)
                    if len(err) > STDERR_KEEP:
                        del err[: len(err) - STDERR_KEEP]
    finally:
        sel.close()
