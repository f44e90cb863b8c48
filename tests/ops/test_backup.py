"""Backup and restore (issue 17, item 4) through the CLI, with real repositories and real pushes.

A writer pushes commits over the live server and records a deployment for each through the
API while the backup runs; everything acknowledged before the backup began must come back
in a fresh data dir and a fresh database. On PostgreSQL (CATALOG_TEST_DATABASE_URL set) the
restore goes into `<the worker's database>_restore`, created here and dropped afterwards.
"""
from __future__ import annotations

import json
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from catalog import create_app
from catalog.extensions import db
from catalog.models import AuditVerified, Deployment, Fork
from catalog.services import repo_paths
from catalog.services.repos import forks
from catalog.vcs.hooks import read_protected_commits
from tests.conftest import TEST_DB_URL, _config, close_app
from tests.repos.conftest import adopter, fork, published_app, source_repo, work  # noqa: F401 (fixtures)
from tests.repos.gitclient import git, with_token


def _commit(work: Path, name: str) -> str:
    (work / name).write_text(f"<?php // {name}\n")
    git("add", ".", cwd=work)
    git("commit", "-q", "-m", f"Tambah {name}", cwd=work)
    return git("rev-parse", "HEAD", cwd=work).stdout.strip()


class Writer(threading.Thread):
    """Pushes a commit, then records it as the version of a deployment through the API (the
    first push creates the deployment, later ones change its version), until stopped."""

    def __init__(self, server: str, fork: Fork, token: str, work: Path, limit: int = 40):
        super().__init__(daemon=True)
        self.url = with_token(f"{server}/git/{fork.relpath}", token)
        self.api, self.token, self.fork_id, self.work, self.limit = server + "/api/v1", token, fork.id, work, limit
        self.pushed: list[str] = []     # acknowledged pushes, in order
        self.versions: list[str] = []   # acknowledged deployment versions, in order
        self.deployment: int | None = None
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for n in range(self.limit):
                if self.stop.is_set():
                    return
                sha = _commit(self.work, f"tulis-{n}.php")
                git("push", "-q", self.url, "main", cwd=self.work)
                self.pushed.append(sha)
                self._deploy(sha)
                self.versions.append(sha)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc

    def _deploy(self, sha: str) -> None:
        if self.deployment is None:
            body = {"org": "21.72", "app": "simanja", "environment": "production", "status": "pilot",
                    "version": sha, "hosting": "pusat_data_daerah", "fork_id": self.fork_id}
            self.deployment = self._call("POST", "/deployments", body)["id"]
        else:
            self._call("PATCH", f"/deployments/{self.deployment}", {"version": sha})

    def _call(self, method: str, path: str, body: dict) -> dict:
        request = urllib.request.Request(f"{self.api}{path}", data=json.dumps(body).encode(), method=method,
                                         headers={"Authorization": f"Bearer {self.token}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)


@contextmanager
def _empty_catalog(data_dir: Path, *, schema: bool = False):
    """A second app on a fresh data dir and a fresh database (SQLite file, or `<db>_restore`);
    with `schema`, its tables made and the audit marker row written, as `flask db upgrade` does."""
    config = _config(data_dir)
    admin = None
    if TEST_DB_URL:
        url = make_url(TEST_DB_URL)
        target = f"{url.database}_restore"
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{target}"'))
        config["SQLALCHEMY_DATABASE_URI"] = url.set(database=target).render_as_string(hide_password=False)
    second = create_app(config)
    try:
        with second.app_context():
            if schema:
                db.create_all()
                db.session.add(AuditVerified(id=1, seq=0))
                db.session.commit()
            yield second
            close_app(second)
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
            admin.dispose()


@contextmanager
def _serve(application):
    server = make_server("127.0.0.1", 0, application, threaded=True)
    # A short poll: shutdown() waits for it (0.5 s by default, paid by every test that serves).
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def _backup(runner, target: Path) -> dict:
    result = runner.invoke(args=["catalog", "backup", str(target)])
    assert result.exit_code == 0, result.output
    return json.loads((target / "manifest.json").read_text())


def test_backup_while_pushing_restores_every_acknowledged_push(app, fork, adopter, make_user, token_for,
                                                                 live_server, work, runner, tmp_path):
    quiet = forks.create_fork("simanja", actor=make_user("adopter", "21.01"))  # no push: refs only
    token = token_for(adopter)["Authorization"].split()[1]
    writer = Writer(live_server, fork, token, work)
    writer.start()
    deadline = time.monotonic() + 60
    while len(writer.versions) < 2 and writer.error is None and time.monotonic() < deadline:
        time.sleep(0.05)
    pushed_before, versions_before = list(writer.pushed), list(writer.versions)  # acknowledged by now
    assert len(pushed_before) >= 2, writer.error

    target = tmp_path / "cadangan"
    body = _backup(runner, target)
    during = len(writer.versions)
    while len(writer.versions) <= during and writer.is_alive():  # one more write after the backup
        time.sleep(0.05)
    writer.stop.set()
    writer.join(timeout=120)
    assert writer.error is None, writer.error

    kinds = {e["relpath"]: (e["kind"], e["bundle"]) for e in body["repositories"]}
    assert kinds["upstream/simanja.git"][0] == "mirror" and kinds["upstream/simanja.git"][1]
    assert kinds[fork.relpath][1] and kinds[quiet.relpath] == ("fork", None)
    assert body["database"]["kind"] == ("postgresql" if TEST_DB_URL else "sqlite")
    assert body["audit_checkpoint"]["seq"] >= 1 and body["database"]["file"] in body["files"]
    verified = runner.invoke(args=["catalog", "backup", "--verify", str(target)])
    assert verified.exit_code == 0, verified.output
    relpaths = {fork.relpath, quiet.relpath}

    with _empty_catalog(tmp_path / "pulih", schema=True) as restored:
        cli = restored.test_cli_runner()
        result = cli.invoke(args=["catalog", "restore", str(target)])
        assert result.exit_code == 0, result.output
        fsck = cli.invoke(args=["catalog", "fsck"])
        assert fsck.exit_code == 0, fsck.output
        audit = cli.invoke(args=["catalog", "audit-verify", "--checkpoint", str(target / "audit-checkpoint.json")])
        assert audit.exit_code == 0, audit.output
        assert f"checkpoint {body['audit_checkpoint']['seq']} found" in audit.output

        assert {f.relpath for f in db.session.execute(db.select(Fork)).scalars()} == relpaths
        deployment = db.session.get(Deployment, writer.deployment)
        # the version acknowledged last before the backup began, or one acknowledged during it
        assert deployment.version_commit in writer.versions[len(versions_before) - 1:]
        fork_path = repo_paths.absolute(fork.relpath)
        assert read_protected_commits(fork_path) == [deployment.version_commit]
        alternate = (fork_path / "objects" / "info" / "alternates").read_text().strip()
        assert not alternate.startswith("/")  # relative, as create_fork writes it: the data dir can move
        assert (fork_path / "objects" / alternate).resolve() == repo_paths.absolute("upstream/simanja.git") / "objects"

        with _serve(restored) as server:
            for relpath in sorted(relpaths):
                clone = tmp_path / "klon" / relpath
                git("clone", "-q", f"{server}/git/{relpath}", str(clone))
                if relpath == fork.relpath:
                    for sha in pushed_before:
                        assert git("merge-base", "--is-ancestor", sha, "origin/main", cwd=clone,
                                   check=False).returncode == 0, f"acknowledged push {sha} lost"
            with urllib.request.urlopen(f"{server}/api/v1/apps?q=simanja", timeout=30) as response:
                found = json.load(response)
            assert [item["slug"] for item in found["items"]] == ["simanja"]


def test_verify_names_a_flipped_byte(app, fork, runner, tmp_path):
    target = tmp_path / "cadangan"
    body = _backup(runner, target)
    assert runner.invoke(args=["catalog", "backup", "--verify", str(target)]).exit_code == 0
    name = next(e["bundle"] for e in body["repositories"] if e["kind"] == "mirror")
    data = bytearray((target / name).read_bytes())
    data[len(data) // 2] ^= 0x01
    (target / name).write_bytes(bytes(data))
    result = runner.invoke(args=["catalog", "backup", "--verify", str(target)])
    assert result.exit_code == 1
    assert f"problem: {name}: sha256 differs" in result.output
    assert "FAILED verification" in result.output
    with _empty_catalog(tmp_path / "baru") as fresh:  # nor is a damaged backup restored
        refused = fresh.test_cli_runner().invoke(args=["catalog", "restore", str(target)])
        assert refused.exit_code == 1 and f"backup damaged, nothing restored: {name}" in refused.output
        assert not Path(fresh.config["REPOS_DIR"]).exists() and inspect(db.engine).get_table_names() == []


def test_verify_names_a_damaged_database_dump(app, fork, runner, tmp_path):
    target = tmp_path / "cadangan"
    body = _backup(runner, target)
    name = body["database"]["file"]
    with open(target / name, "r+b") as fh:
        fh.seek(200)
        byte = fh.read(1)
        fh.seek(200)
        fh.write(bytes([byte[0] ^ 0xFF]))
    result = runner.invoke(args=["catalog", "backup", "--verify", str(target)])
    assert result.exit_code == 1 and f"problem: {name}: sha256 differs" in result.output


def _state(path: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(path)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(path.rglob("*")) if p.is_file()}


def test_backup_refuses_a_non_empty_directory(app, runner, tmp_path):
    target = tmp_path / "cadangan"
    target.mkdir()
    (target / "lain.txt").write_text("milik orang lain\n")
    result = runner.invoke(args=["catalog", "backup", str(target)])
    assert result.exit_code == 1 and "is not empty" in result.output
    assert [p.name for p in target.iterdir()] == ["lain.txt"]


def test_restore_refuses_a_catalog_that_is_not_empty(app, fork, runner, tmp_path):
    target = tmp_path / "cadangan"
    _backup(runner, target)
    repos = Path(app.config["REPOS_DIR"])
    before, rows = _state(repos), db.session.execute(db.select(db.func.count(Fork.id))).scalar_one()
    result = runner.invoke(args=["catalog", "restore", str(target)])
    assert result.exit_code == 1
    assert "refusing to restore" in result.output and "nothing changed" in result.output
    assert f"{repos} is not empty" in result.output and "database is not empty" in result.output
    assert _state(repos) == before
    db.session.rollback()
    assert db.session.execute(db.select(db.func.count(Fork.id))).scalar_one() == rows

    with _empty_catalog(tmp_path / "baru") as fresh:  # empty database, something in the data dir
        stray = Path(fresh.config["REPOS_DIR"]) / "lama" / "sisa.git"
        stray.mkdir(parents=True)
        (stray / "HEAD").write_text("ref: refs/heads/main\n")
        refused = fresh.test_cli_runner().invoke(args=["catalog", "restore", str(target)])
        assert refused.exit_code == 1 and "is not empty" in refused.output
        assert "database is not empty" not in refused.output
        assert inspect(db.engine).get_table_names() == []  # the database was not touched
        assert (stray / "HEAD").read_text() == "ref: refs/heads/main\n"
