"""Receive hooks work whichever node serves the push: the scripts in a repository name no path
of the node that made it (the serving web process names its own entry point at every push,
catalog/vcs/hooks.py), so a fork made on node A takes a push through node B."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from catalog.extensions import db
from catalog.models import AuditEvent, Fork
from catalog.services.accounts import tokens
from tests.repos.gitclient import git, with_token

pytestmark = pytest.mark.slow  # nodes are separate processes (a few seconds each to start)


def test_fork_made_on_node_a_takes_a_push_through_node_b(app, nodes, published, make_user, tmp_path):
    adopter = make_user("adopter", "21.72")
    _row, token = tokens.create_token(adopter, label="node-b", actor=adopter, scopes=["git"])
    made = nodes.run("create_fork", "a", email=adopter.email, slug="simanja")
    repo = Path(app.config["REPOS_DIR"]) / made["relpath"]
    for name in ("pre-receive", "post-receive"):
        script = (repo / "hooks" / name).read_text()
        for node_path in (str(tmp_path), sys.prefix, str(Path(sys.executable).parent)):
            assert node_path not in script

    ready, release = nodes.path("b-port"), nodes.path("b-stop")
    server = nodes.start("serve", "b", ready=ready, release=release)
    nodes.wait_for(ready, server)
    url = with_token(f"http://127.0.0.1:{Path(ready).read_text()}/git/{made['relpath']}", token)
    work = tmp_path / "kerja"
    git("clone", url, str(work))
    (work / "perubahan-daerah.txt").write_text("Penyesuaian Kota Tanjung Pinang\n")
    git("add", ".", cwd=work)
    git("commit", "-m", "Penyesuaian daerah", cwd=work)
    pushed = git("push", "origin", "HEAD:main", cwd=work, check=False)
    assert pushed.returncode == 0, pushed.stderr
    # node B's pre-receive refuses what it must: deleting the default branch
    deleted = git("push", "origin", "--delete", "main", cwd=work, check=False)
    assert deleted.returncode != 0 and "pre-receive" in deleted.stderr
    Path(release).write_text("")
    nodes.result(server)

    head = git("rev-parse", "main", cwd=repo).stdout.strip()
    assert head == git("rev-parse", "HEAD", cwd=work).stdout.strip()
    pushes = db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "fork.push",
                                                            AuditEvent.object_id == str(made["id"]))).scalars().all()
    assert len(pushes) == 1  # recorded once, by node B's web process
    assert db.session.get(Fork, made["id"]).fork_head == head  # node B's refresh job ran
    for node in ("a", "b"):
        problems = nodes.run("fsck", node)["problems"]
        assert not [p for p in problems if "hook" in p], problems
