"""run_git: isolated environment, timeouts that kill the group, output caps, clear errors."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from catalog.vcs import GitCommandError, GitTimeout, SizeLimitExceeded, run_git
from catalog.vcs.env import GitOptions
from catalog.vcs.stream import GitStream
from tests.vcs.gitlib import Builder, init_bare


def test_user_and_system_config_are_ignored(tmp_path: Path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[alias]\n\tjahat = !touch /tmp/should-not-run\n"
                                     "[core]\n\thooksPath = /tmp/evil-hooks\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_DIR", "/nonexistent")
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", "'core.pager'='touch /tmp/x'")
    out = run_git(["config", "--show-origin", "--list"], check=False).text
    assert "jahat" not in out and "evil-hooks" not in out
    assert "hooksPath=/dev/null" in out or "hookspath=/dev/null" in out.lower()
    assert "protocol.allow=never" in out


def test_environment_is_built_from_scratch(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("CATALOG_SECRET_KEY", "rahasia")
    monkeypatch.setenv("http_proxy", "http://10.0.0.1:3128")
    repo = init_bare(tmp_path / "r.git")
    # `git var` prints what git sees; the secret and proxy must not reach git at all.
    env_dump = run_git(["-c", "alias.env=!env", "env"], git_dir=repo, check=False).text
    assert "rahasia" not in env_dump and "3128" not in env_dump
    assert "GIT_CONFIG_NOSYSTEM=1" in env_dump and "GIT_TERMINAL_PROMPT=0" in env_dump


def test_nonzero_exit_raises_with_trimmed_stderr(tmp_path: Path):
    repo = init_bare(tmp_path / "r.git")
    with pytest.raises(GitCommandError) as err:
        run_git(["rev-parse", "--verify", "tidak-ada"], git_dir=repo)
    assert err.value.returncode != 0 and "single revision" in err.value.stderr
    assert err.value.message  # Indonesian text for users
    assert run_git(["rev-parse", "--verify", "tidak-ada"], git_dir=repo, check=False).returncode


def test_timeout_kills_process_group(tmp_path: Path):
    repo = init_bare(tmp_path / "r.git")
    read_end, write_end = os.pipe()  # stdin that never delivers: git blocks forever
    try:
        start = time.monotonic()
        with pytest.raises(GitTimeout):
            run_git(["hash-object", "--stdin"], git_dir=repo, stdin=read_end, timeout=0.5)
        assert time.monotonic() - start < 5
    finally:
        os.close(read_end)
        os.close(write_end)


def test_output_cap(tmp_path: Path):
    b = Builder(init_bare(tmp_path / "r.git"))
    b.commit("main", {"big.txt": "x" * 200_000})
    with pytest.raises(SizeLimitExceeded):
        run_git(["cat-file", "-p", "main:big.txt"], git_dir=b.path, max_output=10_000)


def test_watchdog_can_abort(tmp_path: Path):
    repo = init_bare(tmp_path / "r.git")
    read_end, write_end = os.pipe()

    def guard():
        raise SizeLimitExceeded()
    try:
        with pytest.raises(SizeLimitExceeded):
            run_git(["hash-object", "--stdin"], git_dir=repo, stdin=read_end, timeout=10,
                    watchdog=guard)
    finally:
        os.close(read_end)
        os.close(write_end)


def test_protocols_other_than_https_blocked_by_default(tmp_path: Path):
    src = init_bare(tmp_path / "src.git")
    with pytest.raises(GitCommandError) as err:
        run_git(["ls-remote", "--", str(src)], timeout=10)
    assert "not allowed" in err.value.stderr or "transport" in err.value.stderr
    run_git(["ls-remote", "--", str(src)], opts=GitOptions(allow_file=True), timeout=10)


def test_stream_close_kills_running_git(tmp_path: Path):
    b = Builder(init_bare(tmp_path / "r.git"))
    b.commit("main", {"big.txt": os.urandom(3_000_000)})
    stream = GitStream(["cat-file", "-p", "main:big.txt"], git_dir=b.path, timeout=30)
    assert stream.read(1024)
    stream.close()
    assert stream.proc.poll() is not None


def _gone(pid: int, within: float = 5.0) -> bool:
    """True once `pid` no longer runs (a zombie waiting for its reaper counts as gone)."""
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().split(")")[-1].split()[0] == "Z":
                    return True
        except (FileNotFoundError, ProcessLookupError):  # reaped before or while /proc was read
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("script", [
    # keeps stdout open: the timeout hits while output is being read
    "sleep 30 & echo $! > {pids}; sleep 30",
    # closes its output first: the timeout hits while waiting for the exit
    "exec >/dev/null 2>&1; sleep 30 & echo $! > {pids}; sleep 30",
])
def test_timeout_kills_the_whole_group_in_both_waits(tmp_path: Path, script: str):
    repo = init_bare(tmp_path / "r.git")
    pids = tmp_path / "pids"
    alias = "alias.tidur=!" + script.format(pids=pids)
    start = time.monotonic()
    with pytest.raises(GitTimeout):
        run_git(["-c", alias, "tidur"], git_dir=repo, timeout=1)
    assert time.monotonic() - start < 10
    child = int(pids.read_text().strip())
    assert _gone(child)  # the background child of git's shell died with the group


def test_wait_without_pidfd_still_times_out(tmp_path: Path, monkeypatch):
    """Platforms without pidfd_open fall back to a timer that kills the group."""
    monkeypatch.delattr(os, "pidfd_open", raising=False)
    repo = init_bare(tmp_path / "r.git")
    pids = tmp_path / "pids"
    with pytest.raises(GitTimeout):
        run_git(["-c", f"alias.tidur=!exec >/dev/null 2>&1; sleep 30 & echo $! > {pids}; sleep 30", "tidur"],
                git_dir=repo, timeout=1)
    assert _gone(int(pids.read_text().strip()))
    assert run_git(["rev-parse", "--git-dir"], git_dir=repo).returncode == 0  # and normal runs work
