"""A catalog process SIGKILLed at one exact point of a real service call, for the crash-window tests.

`python -m tests.repos.killed '<json>'` builds its own Flask app on the test's database and
repositories folder (its own data dir), makes `kill_at` (a dotted "module:attribute" path)
SIGKILL the process when it is called, and either runs `create_fork` as the given user or
serves the app on loopback (git pushes included) until it dies. The test sees what a node
dying at that point leaves behind.
"""
from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEYS = ("ENV_NAME", "TESTING", "SECRET_KEY", "JOBS_IMMEDIATE", "ALLOW_LOCAL_REPOS", "SQLALCHEMY_DATABASE_URI",
        "REPOS_DIR", "ARGON2_PARAMS")


def _payload(app, tmp_path: Path, **args) -> str:
    data_dir = tmp_path / "killed-node"
    data_dir.mkdir(exist_ok=True)
    config = {**{key: app.config[key] for key in KEYS}, "DATA_DIR": str(data_dir)}
    return json.dumps({"config": config, **args})


def _command(payload: str) -> dict:
    return {"args": [sys.executable, "-m", "tests.repos.killed", payload], "cwd": ROOT,
            "env": {**os.environ, "PYTHONPATH": str(ROOT)}}


def create_fork_killed_at(app, tmp_path: Path, kill_at: str, *, user_id: int, slug: str) -> subprocess.CompletedProcess:
    """Run create_fork in a process of its own that SIGKILLs itself when `kill_at` is called."""
    from catalog.extensions import db

    db.session.commit()  # the test's own transaction holds nothing the process waits for
    done = subprocess.run(**_command(_payload(app, tmp_path, action="create_fork", kill_at=kill_at,
                                              user_id=user_id, slug=slug)),
                          capture_output=True, text=True, timeout=120)
    db.session.rollback()  # see what the process committed
    return done


@contextmanager
def server_killed_at(app, tmp_path: Path, kill_at: str):
    """A web server in a process of its own, dying by SIGKILL when `kill_at` is called: yields
    (its address, the process)."""
    from catalog.extensions import db

    db.session.commit()
    port_file = tmp_path / "killed-node.port"
    proc = subprocess.Popen(**_command(_payload(app, tmp_path, action="serve", kill_at=kill_at,
                                                port_file=str(port_file))),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not port_file.exists():
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port_file.read_text()}", proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(30)
        db.session.rollback()


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
    if args["action"] == "serve":
        from werkzeug.serving import make_server

        server = make_server("127.0.0.1", 0, app, threaded=True)
        Path(f"{args['port_file']}.part").write_text(str(server.server_port))
        os.replace(f"{args['port_file']}.part", args["port_file"])
        server.serve_forever(poll_interval=0.05)
        return
    with app.app_context():
        actor = db.session.get(User, args["user_id"])
        forks.create_fork(args["slug"], actor=actor)
    print("not killed")


if __name__ == "__main__":
    main(sys.argv[1])
