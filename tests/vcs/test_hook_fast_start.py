"""pre-receive started the way the server starts it: the Python and hookmain.py the web process
names (git config in GIT_CONFIG_PARAMETERS), with `-I -S`; the same checks as through the console
script, and a fork's disk quota measured from its own objects only."""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.vcs import hooks
from catalog.vcs.env import GitOptions, config_args
from catalog.vcs.refs import ZERO_SHA
from tests.vcs.gitlib import clean_env, git

HOOKMAIN = Path(hooks.__file__).with_name("hookmain.py")
# what the hook must not load on the common path (each costs milliseconds in a fresh Python)
SLOW = ("site", "pathlib", "subprocess", "dataclasses", "inspect", "tempfile", "typing", "gettext", "threading",
        "importlib.util", "catalog.config", "catalog.vcs.runner", "catalog.vcs.results", "flask", "sqlalchemy")


def _push(work: Path, repo: Path, *refspecs: str, locale: str = "id", launch: bool = True):
    """`git push` over file:// into `repo`, its receive-pack given what the web process gives it.
    CATALOG_HOOK names a program that fails: only the fast start can accept a push."""
    pairs = hooks.launch_config() if launch else ()
    receive = "git " + " ".join(f"-c {shlex.quote(p)}" for p in pairs) + " receive-pack"
    env = {**clean_env(), hooks.HOOK_ENV: "/bin/false", "CATALOG_LOCALE": locale}
    return subprocess.run(["git", "push", f"--receive-pack={receive}", str(repo), *refspecs], cwd=work, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture
def work(fork: Path, tmp_path: Path) -> Path:
    path = tmp_path / "kerja"
    git("clone", "--quiet", str(fork), str(path))
    return path


def _commit(work: Path, name: str, data: bytes) -> str:
    (work / name).write_bytes(data)
    git("add", name, cwd=work)
    git("commit", "--quiet", "-m", f"tambah {name}", cwd=work)
    return git("rev-parse", "HEAD", cwd=work).strip()


def test_the_server_names_its_python_and_hookmain_for_pushes_only():
    pushing = config_args(GitOptions(hooks_path="/srv/repo/hooks"))
    assert f"{hooks.INTERPRETER_KEY}={sys.executable}" in pushing and f"{hooks.MAIN_KEY}={HOOKMAIN}" in pushing
    assert not any(a.startswith("catalog.") for a in config_args(GitOptions()))


def test_fast_start_accepts_and_refuses_like_the_entry_point(fork: Path, work: Path):
    head = _commit(work, "daerah.php", b"<?php // kota x\n")
    accepted = _push(work, fork, "main")
    assert accepted.returncode == 0, accepted.stderr
    assert git("rev-parse", "refs/heads/main", git_dir=fork).strip() == head
    refused = _push(work, fork, ":main", locale="en")
    assert refused.returncode != 0
    assert "Refused: the default branch 'main' must not be deleted." in refused.stderr
    fallback = _push(work, fork, "main:refs/heads/lain", launch=False)  # no pairs: CATALOG_HOOK (/bin/false) runs
    assert fallback.returncode != 0 and "pre-receive hook declined" in fallback.stderr


def test_fast_start_imports_only_what_the_check_needs(fork: Path):
    head = git("rev-parse", "refs/heads/main", git_dir=fork).strip()
    result = subprocess.run([sys.executable, "-I", "-S", "-X", "importtime", str(HOOKMAIN), "pre-receive"],
                            input=f"{head} {ZERO_SHA} refs/heads/main\n", capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "GIT_DIR": str(fork)}, check=False)
    assert result.returncode == 1 and "tidak boleh dihapus" in result.stderr
    loaded = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "catalog.vcs.prereceive" in loaded
    assert not loaded & set(SLOW), sorted(loaded & set(SLOW))


def test_quota_counts_the_forks_own_objects_and_the_push_only(fork: Path, work: Path, mirror: Path):
    assert hooks.own_object_bytes(fork / "objects") == 0  # everything is borrowed from the mirror
    assert hooks.own_object_bytes(mirror / "objects") > 0
    hooks.write_quota(fork, 48 * 1024)
    _commit(work, "kecil.bin", os.urandom(16 * 1024))
    assert _push(work, fork, "main").returncode == 0  # 16 KiB of 48
    stored = hooks.own_object_bytes(fork / "objects")
    assert 16 * 1024 <= stored < 20 * 1024
    _commit(work, "besar.bin", os.urandom(40 * 1024))
    refused = _push(work, fork, "main")  # 16 + 40 KiB > 48 KiB
    assert refused.returncode != 0 and "melebihi kuota disk" in refused.stderr and "batas 48,0 KiB" in refused.stderr
    assert hooks.own_object_bytes(fork / "objects") == stored
    assert not list((fork / "objects").glob("tmp_objdir-*"))
    hooks.write_quota(fork, 0)  # 0: no quota
    assert _push(work, fork, "main").returncode == 0


def test_loose_objects_beyond_the_sample_are_extrapolated(tmp_path: Path, monkeypatch):
    repo = tmp_path / "r.git"
    git("init", "--quiet", "--bare", str(repo))
    data = b"objek\n" * 40
    for i in range(600):
        git("hash-object", "-w", "--stdin", git_dir=repo, input=data + str(i).encode())
    exact = hooks.own_object_bytes(repo / "objects")
    monkeypatch.setattr(hooks, "LOOSE_SAMPLE", 150)
    estimate = hooks.own_object_bytes(repo / "objects")
    assert estimate != exact and 0.6 * exact < estimate < 1.5 * exact


def test_quota_config_is_read_as_git_reads_it(fork: Path):
    assert hooks.read_quota(fork) is None  # made by vcs.create_fork alone: no quota
    git("config", "catalog.quotaBytes", "3m", git_dir=fork)
    assert hooks.read_quota(fork) == 3 * 1024**2
    hooks.write_quota(fork, 1234)
    hooks.write_quota(fork, 5678)
    assert git("config", "--get-all", "catalog.quotaBytes", git_dir=fork).split() == ["5678"]
    assert hooks.read_quota(fork) == 5678
    assert (fork / "config").read_text().lower().count("[catalog]") == 1
    git("config", "core.bare", git_dir=fork)  # the rest of the file still parses for git
    git("config", "catalog.quotaBytes", "banyak", git_dir=fork)
    with pytest.raises(ValueError):
        hooks.read_quota(fork)


def test_an_unreadable_quota_refuses_the_push(fork: Path, work: Path):
    git("config", "catalog.quotaBytes", "banyak", git_dir=fork)
    _commit(work, "x.txt", b"x\n")
    refused = _push(work, fork, "main")
    assert refused.returncode != 0 and "pemeriksaan push gagal (ValueError)" in refused.stderr
