"""Pushes through the real /git/ route: recorded once by the web process, hooks see no secret."""
from __future__ import annotations

import os
from pathlib import Path

from catalog.extensions import db
from catalog.models import AuditEvent
from catalog.services import repo_paths
from catalog.services.repos import forks
from tests.repos.gitclient import git, with_token


def _push_events(fork_id: int) -> list[AuditEvent]:
    db.session.rollback()  # the live server's thread committed in its own session
    return list(db.session.execute(db.select(AuditEvent).where(
        AuditEvent.action == "fork.push", AuditEvent.object_id == str(fork_id))).scalars())


def _commit(work: Path, name: str) -> None:
    (work / name).write_text(f"<?php // {name}\n")
    git("add", ".", cwd=work)
    git("commit", "-m", f"Tambah {name}", cwd=work)


def test_push_is_recorded_once_and_refreshes_divergence(fork, adopter, token_for, live_server, work):
    url = with_token(f"{live_server}/git/{fork.relpath}", token_for(adopter)["Authorization"].split()[1])
    _commit(work, "satu.php")
    _commit(work, "dua.php")
    git("push", url, "main", cwd=work)
    events = _push_events(fork.id)
    assert [(e.action, e.actor_id) for e in events] == [("fork.push", adopter.id)]
    refreshed = forks.get_fork(fork.id)
    assert refreshed.ahead == 2 and refreshed.fork_head == git("rev-parse", "HEAD", cwd=work).stdout.strip()


def test_refused_push_records_nothing(fork, adopter, token_for, live_server, work):
    url = with_token(f"{live_server}/git/{fork.relpath}", token_for(adopter)["Authorization"].split()[1])
    refused = git("push", url, ":main", cwd=work, check=False)  # pre-receive keeps the default branch
    assert refused.returncode != 0 and "tidak boleh dihapus" in refused.stderr
    _commit(work, "tiga.php")
    _commit(work, "tiga-lagi.php")
    git("tag", "v1.0.0", "-f", cwd=work)
    rewrite = git("push", "--force", url, "refs/tags/v1.0.0", cwd=work, check=False)
    assert rewrite.returncode != 0 and "tidak boleh diubah" in rewrite.stderr
    assert _push_events(fork.id) == []
    assert forks.get_fork(fork.id).ahead == 0


def test_push_with_the_account_password_says_to_use_a_token(fork, adopter, live_server, work):
    """Issue 15: git prints why, in words, instead of only "Authentication failed"; the password
    itself is never checked over git (no password guessing through this door)."""
    from tests.conftest import PASSWORD

    _commit(work, "sandi.php")
    user = adopter.email.replace("@", "%40")
    url = f"{live_server}/git/{fork.relpath}".replace("http://", f"http://{user}:{PASSWORD}@")
    result = git("push", url, "HEAD:main", cwd=work, check=False)
    assert result.returncode != 0
    assert "Pakai token akses, bukan kata sandi akun" in result.stderr and "/account/tokens" in result.stderr
    assert PASSWORD not in result.stderr
    assert _push_events(fork.id) == []


def test_hooks_see_no_secret_and_no_database_url(app, fork, adopter, token_for, live_server, work, tmp_path,
                                                 monkeypatch):
    secret = "rahasia-uji-9f3c2a7d41"
    app.config["SECRET_KEY"] = secret
    monkeypatch.setenv("CATALOG_SECRET_KEY", secret)  # the server's own environment must not leak either
    monkeypatch.setenv("CATALOG_DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    hooks = repo_paths.absolute(fork.relpath) / "hooks"
    dumps = tmp_path / "env"
    dumps.mkdir()
    for name in ("pre-receive", "post-receive"):  # dump the environment, then do the real work
        original = (hooks / name).read_text().split("\n", 1)[1]
        (hooks / name).write_text(f"#!/bin/sh\nenv > {dumps / name}\n{original}")
    url = with_token(f"{live_server}/git/{fork.relpath}", token_for(adopter)["Authorization"].split()[1])
    _commit(work, "empat.php")
    git("push", url, "main", cwd=work)
    assert len(_push_events(fork.id)) == 1  # both hooks ran and did their work
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    for name in ("pre-receive", "post-receive"):
        text = (dumps / name).read_text()
        env = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
        assert secret not in text and database not in text
        assert {k for k in env if k.startswith("CATALOG_")} <= {"CATALOG_LOCALE", "CATALOG_HOOK",
                                                                 "CATALOG_PUSH_RECEIPT"}
        assert env["REMOTE_USER"] == str(adopter.id)
        assert "PYTHONPATH" not in env
    pre = dict(line.split("=", 1) for line in (dumps / "pre-receive").read_text().splitlines() if "=" in line)
    assert Path(pre["CATALOG_HOOK"]).name == "catalog-hook" and os.access(pre["CATALOG_HOOK"], os.X_OK)


def test_fsck_reports_and_rewrites_stale_hooks(app, fork, runner):
    path = repo_paths.absolute(fork.relpath)
    (path / "hooks" / "pre-receive").write_text(  # what earlier releases wrote: a frozen interpreter
        "#!/bin/sh\nPYTHONPATH=/srv/katalog-lama\nexport PYTHONPATH\nexec /srv/katalog-lama/.venv/bin/python "
        "-m catalog.vcs.prereceive\n")
    (path / "catalog-hooks.json").write_text('{"post_receive": []}\n')
    report = runner.invoke(args=["catalog", "fsck"])
    assert report.exit_code == 1
    assert f"fork {fork.relpath}: receive hooks out of date (hooks/pre-receive, catalog-hooks.json)" in report.output
    repaired = runner.invoke(args=["catalog", "fsck", "--repair"])
    assert f"repaired: fork {fork.relpath}: receive hooks rewritten" in repaired.output
    assert "katalog-lama" not in (path / "hooks" / "pre-receive").read_text()
    assert not (path / "catalog-hooks.json").exists()
    again = runner.invoke(args=["catalog", "fsck"])
    assert again.exit_code == 0 and "receive hooks" not in again.output, again.output
