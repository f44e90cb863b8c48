"""Upgrading without fear (issue 17, item 5): the first release's data dir, upgraded in place.

The first release on main (OLD_RELEASE) is unpacked with `git archive` into a temp dir (the
working tree is never touched) and run with this venv's Python, its own tree first on
PYTHONPATH (it needs no library this venv lacks). It makes the database (`db upgrade`), seeds
the demo catalog with real git repositories, whose forks get that release's hooks (a shell
script naming its install and its Python), and over its own gunicorn a fork is made and pushed
to with a token, the old way. The old tree is then deleted, as a replaced release directory is.

This checkout's code then runs the README's "Upgrading" steps on the same data dir and database
through the command line: `db upgrade` (every later migration on a database with rows), `catalog
fsck --repair` (stale hooks, quotas, protected commits), and `fsck` must then find nothing.
Under gunicorn it must serve the pages, take a clone and a push with the token the old release
issued, and find every app in search; `audit-verify` passes last. On PostgreSQL
(CATALOG_TEST_DATABASE_URL) both releases use `<the worker's database>_upgrade`, made empty here
and dropped afterwards.
"""
from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import TEST_DB_URL
from tests.repos.gitclient import git, with_token

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
OLD_RELEASE = "e454f5e"  # the first release on main: three migrations, hooks that name its install
OLD_HEAD = "20261122_03"  # its last migration
ADOPTER = "adopsi@tanjungpinangkota.go.id"  # a demo adopter of Kota Tanjung Pinang (21.72)
CLEAN_PATH = "/usr/local/bin:/usr/bin:/bin"  # no venv's bin: each release finds its own Python


def _unpack_old_release(dest: Path) -> None:
    found = subprocess.run(["git", "cat-file", "-e", f"{OLD_RELEASE}^{{commit}}"], cwd=ROOT,
                           capture_output=True, timeout=60)
    if found.returncode != 0:
        pytest.fail(f"the upgrade test needs the old release {OLD_RELEASE} in this clone's history; "
                    "a shallow clone lacks it: `git fetch --unshallow` (or clone with full history)")
    dest.mkdir()
    archive = subprocess.run(["git", "archive", "--format=tar", OLD_RELEASE], cwd=ROOT, capture_output=True,
                             check=True, timeout=120).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True, timeout=120)


@contextmanager
def _database(data_dir: Path):
    """The catalog's database URL: SQLite in the data dir, or a fresh `<db>_upgrade` on PostgreSQL."""
    if not TEST_DB_URL:
        yield f"sqlite:///{data_dir / 'catalog.sqlite3'}"
        return
    url = make_url(TEST_DB_URL)
    target = f"{url.database}_upgrade"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{target}"'))
        yield url.set(database=target).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
        admin.dispose()


def _flask(release: Path, env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=release, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    if check:
        assert done.returncode == 0, f"flask {' '.join(args)}:\n{done.stdout}\n{done.stderr[-4000:]}"
    return done


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _running(command: list[str], release: Path, env: dict[str, str], log: Path):
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, *command], cwd=release, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


@contextmanager
def _gunicorn(release: Path, env: dict[str, str], log: Path):
    """One release under gunicorn on loopback (gthread, as deploy/catalog-web.service runs it)."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    config = ["-c", "gunicorn.conf.py"] if (release / "gunicorn.conf.py").exists() else []
    command = ["-m", "gunicorn", *config, "--workers", "1", "--worker-class", "gthread", "--threads", "4",
               "--bind", f"127.0.0.1:{port}", "wsgi:app"]
    with _running(command, release, env, log) as proc:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/v1/apps", timeout=5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"gunicorn did not start:\n{log.read_text()[-3000:]}") from None
                time.sleep(0.2)
        yield base


def _wait_for_head(base: str, fork_id: int, head: str, worker_log: Path) -> None:
    """The worker refreshes a fork's divergence after a push (a queued job)."""
    deadline = time.monotonic() + 120
    while True:
        stored = json.loads(_get(f"{base}/api/v1/forks/{fork_id}")[1])["divergence"]
        if stored.get("fork_head") == head:
            return
        assert time.monotonic() < deadline, f"never reached {head}: {stored}\n{worker_log.read_text()[-3000:]}"
        time.sleep(0.3)


def _wait_for_empty_queue(base: str, worker_log: Path) -> None:
    deadline = time.monotonic() + 120
    while True:
        queued = re.search(r"^catalog_jobs_queued (\S+)$", _get(f"{base}/metrics")[1], re.M)
        if queued and float(queued.group(1)) == 0:
            return
        assert time.monotonic() < deadline, f"jobs still queued: {queued}\n{worker_log.read_text()[-3000:]}"
        time.sleep(0.3)


def _get(url: str, token: str | None = None) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def _post_json(url: str, token: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.load(response)


def _commit(work: Path, name: str) -> str:
    (work / name).write_text(f"<?php // {name}\n")
    git("add", ".", cwd=work)
    git("commit", "-q", "-m", f"Tambah {name}", cwd=work)
    return git("rev-parse", "HEAD", cwd=work).stdout.strip()


def _published(base: str) -> dict[str, str]:
    """slug -> name of every published app, through the API's list."""
    status, body = _get(f"{base}/api/v1/apps?per_page=100")
    assert status == 200, body
    listing = json.loads(body)
    assert listing["total"] == len(listing["items"])
    return {item["slug"]: item["name"] for item in listing["items"]}


def _audit_events(verified: subprocess.CompletedProcess) -> int:
    found = re.search(r"audit chain intact: (\d+) events", verified.stdout)
    assert found, verified.stdout + verified.stderr
    return int(found.group(1))


def test_upgrade_from_the_first_release_keeps_pages_pushes_and_search(tmp_path):
    old, data = tmp_path / "rilis-lama", tmp_path / "data"
    _unpack_old_release(old)
    data.mkdir()
    with _database(data) as database_url:
        env = {"PATH": CLEAN_PATH, "HOME": str(tmp_path), "LC_ALL": "C.UTF-8", "CATALOG_DATA_DIR": str(data),
               "CATALOG_DATABASE_URL": database_url, "CATALOG_SECRET_KEY": "uji-pemutakhiran",
               "CATALOG_ALLOW_LOCAL_REPOS": "1"}
        old_env = {**env, "PYTHONPATH": str(old)}

        # --- the old release: its database, demo data, a fork and a push made its way --------
        _flask(old, old_env, "db", "upgrade")
        _flask(old, old_env, "catalog", "seed", "--demo")
        token = _flask(old, old_env, "catalog", "create-token", "--email", ADOPTER,
                       "--label", "rilis lama").stdout.strip().splitlines()[-1]
        with _gunicorn(old, old_env, tmp_path / "lama.log") as base:
            fork = _post_json(f"{base}/api/v1/apps/e-parkir/forks", token, {})
            work = tmp_path / "kerja"
            git("clone", "-q", fork["clone_url"], str(work))
            old_push = _commit(work, "dari-rilis-lama.php")
            pushed = git("push", with_token(fork["clone_url"], token), "main", cwd=work, check=False)
            assert pushed.returncode == 0, pushed.stderr + (tmp_path / "lama.log").read_text()[-3000:]
            apps_before = _published(base)
            forks_before = json.loads(_get(f"{base}/api/v1/apps/simanja/forks")[1])["items"]
        events_before = _audit_events(_flask(old, old_env, "catalog", "audit-verify"))
        fork_dir = data / "repos" / fork["clone_url"].split("/git/", 1)[1]
        assert f"PYTHONPATH={old}" in (fork_dir / "hooks" / "pre-receive").read_text()  # the old hooks
        assert len(apps_before) >= 10 and forks_before
        shutil.rmtree(old)  # the old release directory is gone, as after an upgrade

        # --- this release: the README's upgrade steps, through the command line --------------
        migrated = _flask(ROOT, env, "db", "upgrade")
        assert f"Running upgrade {OLD_HEAD} -> " in migrated.stderr + migrated.stdout
        stale = _flask(ROOT, env, "catalog", "fsck", check=False)
        assert f"fork {fork_dir.parent.name}/{fork_dir.name}: receive hooks out of date" in stale.stdout, stale.stdout
        assert "queued jobs this release cannot run (catalog.jobs.fork.refresh" in stale.stdout, stale.stdout
        _flask(ROOT, env, "catalog", "fsck", "--repair")
        clean = _flask(ROOT, env, "catalog", "fsck")
        assert "fsck: rows, repositories and search index agree" in clean.stdout, clean.stdout
        assert str(old) not in (fork_dir / "hooks" / "pre-receive").read_text()

        worker_log = tmp_path / "worker.log"
        with _gunicorn(ROOT, env, tmp_path / "baru.log") as base, \
                _running(["-m", "flask", "--app", "wsgi", "catalog", "worker"], ROOT, env, worker_log):
            assert _get(f"{base}/healthz")[0] == 200
            ready = _get(f"{base}/readyz")
            assert ready[0] == 200, ready[1]
            pages = ["/", "/apps/simanja", "/apps/e-parkir", f"/forks/{fork['id']}",
                     *(f"/forks/{f['id']}" for f in forks_before), "/deployments", "/organizations/21.72"]
            for page in pages:
                status, body = _get(base + page)
                assert status == 200, f"{page}: {status}\n{body[:2000]}"

            # the token the old release issued still clones and pushes; the new hooks run
            url = with_token(fork["clone_url"].replace(fork["clone_url"].split("/git/")[0], base), token)
            fresh = tmp_path / "klon-baru"
            git("clone", "-q", url, str(fresh))
            assert git("rev-parse", "HEAD", cwd=fresh).stdout.strip() == old_push
            new_push = _commit(fresh, "dari-rilis-baru.php")
            pushed = git("push", url, "main", cwd=fresh, check=False)
            assert pushed.returncode == 0, pushed.stderr + (tmp_path / "baru.log").read_text()[-3000:]
            refused = git("push", url, ":main", cwd=fresh, check=False)  # this release's pre-receive
            assert refused.returncode != 0 and "tidak boleh dihapus" in refused.stderr, refused.stderr
            assert git("ls-remote", url, "refs/heads/main", cwd=fresh).stdout.split()[0] == new_push
            _wait_for_head(base, fork["id"], new_push, worker_log)
            _wait_for_empty_queue(base, worker_log)  # the old release's jobs, renamed by fsck, ran too

            # search finds every app the old release published, by its name
            assert _published(base) == apps_before
            for slug, name in apps_before.items():
                status, body = _get(f"{base}/api/v1/apps?q={urllib.parse.quote(name)}")
                assert status == 200 and slug in [i["slug"] for i in json.loads(body)["items"]], (name, body[:500])
            status, body = _get(f"{base}/apps?q=kepegawaian")
            assert status == 200 and "/apps/simpeg" in body

        assert "Traceback" not in worker_log.read_text(), worker_log.read_text()[-3000:]
        with ThreadPoolExecutor(2) as pool:  # both only read, with the server and the worker stopped
            checked = pool.submit(_flask, ROOT, env, "catalog", "fsck")
            verified = _flask(ROOT, env, "catalog", "audit-verify")
            checked = checked.result()
        assert _audit_events(verified) > events_before  # the new push was recorded, on the same chain
        assert "fsck: rows, repositories and search index agree" in checked.stdout
