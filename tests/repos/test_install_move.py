"""Moving the install: pushes keep working from a new copy with a new venv, the old one deleted.

Each install is a copy of this checkout's files (what `git clone` plus the uncommitted work
gives) with its own venv (`python -m venv`). Tests stay offline, so neither PyPI nor a build
backend is at hand: the venv reaches the running venv's third-party libraries through a .pth
line, and the editable install `make install` does with pip is reproduced by what it leaves
behind, a .pth naming the copy and the `catalog-hook` script written from pyproject.toml's
[project.scripts] with the venv's own Python. What this proves: nothing in the data dir or the
repositories names the old install, and the server finds the new install's entry point by
itself. It does not prove that requirements.txt resolves or that pip builds the project
(tests/vcs/test_hook_entry_point.py checks the running venv's real installation).
"""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from catalog.extensions import db
from catalog.models import AuditEvent
from catalog.services import repo_paths
from catalog.services.repos import forks
from tests.repos.gitclient import git, with_token

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
CLEAN_PATH = "/usr/local/bin:/usr/bin:/bin"  # no venv's bin: the server must find its own hook


def _make_install(dest: Path) -> Path:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True, timeout=60).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is not shipped
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    venv = dest / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    libraries = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]  # .pth lines included
    Path(site, "third-party-from-test.pth").write_text("".join(f"{p}\n" for p in libraries))
    Path(site, "katalog-bagi-pakai-editable.pth").write_text(f"{dest}\n")
    module, func = tomllib.loads((dest / "pyproject.toml").read_text())["project"]["scripts"]["catalog-hook"].split(":")
    script = venv / "bin" / "catalog-hook"
    script.write_text(f"#!{python}\nimport sys\nfrom {module} import {func}\n"
                      f"if __name__ == '__main__':\n    sys.exit({func}())\n")
    script.chmod(0o755)
    found = subprocess.run([str(python), "-c", "import catalog; print(catalog.__file__)"], cwd="/",
                           capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    assert Path(found).is_relative_to(dest)  # this install's code, not the running checkout's
    return python


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn of one install on the test's data dir and database."""

    def __init__(self, install: Path, env: dict[str, str], log: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                [str(install / ".venv" / "bin" / "python"), "-m", "gunicorn", "--workers", "1",
                 "--worker-class", "gthread", "--threads", "4", "--bind", f"127.0.0.1:{self.port}", "wsgi:app"],
                cwd=install, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{self.base}/api/v1/apps", timeout=5).close()
                return
            except (OSError, urllib.error.URLError):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError(f"server did not start:\n{log.read_text()[-3000:]}") from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)


def _push_events(fork_id: int) -> list[AuditEvent]:
    db.session.rollback()  # the server process committed them
    return list(db.session.execute(db.select(AuditEvent).where(
        AuditEvent.action == "fork.push", AuditEvent.object_id == str(fork_id))).scalars())


def _commit(work: Path, name: str) -> None:
    (work / name).write_text(f"<?php // {name}\n")
    git("add", ".", cwd=work)
    git("commit", "-m", f"Tambah {name}", cwd=work)


def test_push_works_after_the_install_moves(app, published_app, make_user, token_for, tmp_path):
    adopter = make_user("adopter", "21.72")
    headers = token_for(adopter)
    token = headers["Authorization"].split()[1]
    env = {"PATH": CLEAN_PATH, "HOME": str(tmp_path), "LC_ALL": "C.UTF-8",
           "CATALOG_DATA_DIR": app.config["DATA_DIR"],
           "CATALOG_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "CATALOG_SECRET_KEY": "uji-pindah-instalasi", "CATALOG_SEARCH_BACKEND": app.config["SEARCH_BACKEND"],
           "CATALOG_JOBS_IMMEDIATE": "1", "CATALOG_ALLOW_LOCAL_REPOS": "1"}
    first, second = tmp_path / "rilis-a", tmp_path / "rilis-b"

    _make_install(first)
    server = Server(first, env, tmp_path / "a.log")
    try:
        request = urllib.request.Request(f"{server.base}/api/v1/apps/simanja/forks", data=b"{}", method="POST",
                                         headers={**headers, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            fork_id = json.load(response)["id"]
        fork = forks.get_fork(fork_id)
        work = tmp_path / "kerja"
        git("clone", f"{server.base}/git/{fork.relpath}", str(work))
        _commit(work, "dari-rilis-a.php")
        git("push", with_token(f"{server.base}/git/{fork.relpath}", token), "main", cwd=work)
        assert len(_push_events(fork_id)) == 1
    finally:
        server.stop()
    hooks = repo_paths.absolute(fork.relpath) / "hooks"
    written = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in hooks.iterdir()}
    assert all(str(first).encode() not in text for text, _ in written.values())

    _make_install(second)
    shutil.rmtree(first)
    server = Server(second, env, tmp_path / "b.log")
    try:
        url = with_token(f"{server.base}/git/{fork.relpath}", token)
        _commit(work, "dari-rilis-b.php")
        pushed = git("push", url, "main", cwd=work, check=False)
        assert pushed.returncode == 0, pushed.stderr + (tmp_path / "b.log").read_text()[-3000:]
        refused = git("push", url, ":main", cwd=work, check=False)  # B's pre-receive is the one that runs
        assert refused.returncode != 0 and "tidak boleh dihapus" in refused.stderr, refused.stderr
    finally:
        server.stop()
    assert [e.actor_id for e in _push_events(fork_id)] == [adopter.id, adopter.id]
    assert forks.get_fork(fork_id).ahead == 2
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in hooks.iterdir()} == written  # untouched

    fsck = subprocess.run([str(second / ".venv" / "bin" / "python"), "-m", "flask", "--app", "wsgi", "catalog",
                           "fsck"], cwd=second, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert "hook" not in fsck.stdout + fsck.stderr, fsck.stdout + fsck.stderr
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
