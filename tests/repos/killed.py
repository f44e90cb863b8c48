"""A catalog process SIGKILLed at one exact point of a real service call, for the crash-window tests.

`python -m tests.repos.killed '<json>'` builds its own Flask app on the test's database and
repositories folder (its own data dir), makes `kill_at` (a dotted "module:attribute" path)
SIGKILL the process when it is called, and runs `create_fork` as the given user. The test sees
what a node dying at that point leaves behind.
"""
from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEYS = ("ENV_NAME", "TESTING", "SECRET_KEY", "JOBS_IMMEDIATE", "ALLOW_LOCAL_REPOS", "SQLALCHEMY_DATABASE_URI",
        "REPOS_DIR", "ARGON2_PARAMS")


def create_fork_killed_at(app, tmp_path: Path, kill_at: str, *, user_id: int, slug: str) -> subprocess.CompletedProcess:
    """Run create_fork in a process of its own that SIGKILLs itself when `kill_at` is called."""
    from catalog.extensions import db

    db.session.commit()  # the test's own transaction holds nothing the process waits for
    data_dir = tmp_path / "killed-node"
    data_dir.mkdir(exist_ok=True)
    config = {**{key: app.config[key] for key in KEYS}, "DATA_DIR": str(data_dir)}
    payload = json.dumps({"config": config, "kill_at": kill_at, "user_id": user_id, "slug": slug})
    done = subprocess.run([sys.executable, "-m", "tests.repos.killed", payload], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    db.session.rollback()  # see what the process committed
    return done


def main(payload: str) -> None:
    from catalog import create_app
    from catalog.extensions import db
    from catalog.models import User
    from catalog.services.repos import forks
    from tests.conftest import offline_resolver

    args = json.loads(payload)
    module, _, attribute = args["kill_at"].partition(":")
    owner = importlib.import_module(module)
    *parents, name = attribute.split(".")
    for part in parents:
        owner = getattr(owner, part)

    def die(*_args, **_kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    setattr(owner, name, die)
    app = create_app({**args["config"], "DNS_RESOLVER": offline_resolver})
    with app.app_context():
        actor = db.session.get(User, args["user_id"])
        forks.create_fork(args["slug"], actor=actor)
    print("not killed")


if __name__ == "__main__":
    main(sys.argv[1])
