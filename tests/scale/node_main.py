"""One catalog node in a process of its own, for the multi-node tests (tests/scale).

`python -m tests.scale.node_main ACTION '<json>'` builds its own Flask app from the JSON's
`config` (its own data dir and search index; the test's database and repositories folder),
runs ACTION inside an app context and prints the result as one JSON line. Actions that must
start together wait for a `go` file; those that hold something touch `ready` and wait for
`release`.
"""
from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

PROBE = "scale.probe"


def _wait_for(path: str | None, limit: float = 120.0) -> None:
    if not path:
        return
    end = time.monotonic() + limit
    while not os.path.exists(path):
        if time.monotonic() > end:
            raise TimeoutError(path)
        time.sleep(0.02)


def _touch(path: str | None, text: str | None = None) -> None:
    """Signal the test through a file that appears whole (written aside, then renamed): a reader
    that saw the file created but not yet written read "" (a clone URL without its port)."""
    if path:
        Path(f"{path}.part").write_text(str(os.getpid()) if text is None else text)
        os.replace(f"{path}.part", path)


def _build(config: dict):
    from catalog import create_app
    from tests.conftest import offline_resolver

    return create_app({**config, "DNS_RESOLVER": offline_resolver})


def hold_repo_lock(app, args):
    from catalog.services.repos import repo_locks

    with repo_locks.held(args["relpath"], *args["names"]):
        _touch(args["ready"])
        _wait_for(args["release"])
    return "released"


def hold_fetch_flock(app, args):
    from catalog.vcs import mirror

    with mirror._exclusive(Path(args["path"])):
        _touch(args["ready"])
        _wait_for(args["release"])
    return "released"


def try_repo_lock(app, args):
    from catalog.services.repos import repo_locks
    from catalog.vcs.errors import VcsError

    try:
        with repo_locks.held(args["relpath"], *args["names"]):
            return "held"
    except VcsError as exc:
        return f"busy: {exc.message}"


def fetch(app, args):
    from catalog.extensions import db
    from catalog.models import Mirror
    from catalog.services.repos import mirrors

    state = mirrors.run_fetch(args["app_id"])
    db.session.remove()
    row = db.session.execute(db.select(Mirror).where(Mirror.app_id == args["app_id"])).scalar_one()
    return {"state": state, "error": row.error}


def create_fork(app, args):
    from catalog.extensions import db
    from catalog.models import User
    from catalog.services.repos import forks

    actor = db.session.execute(db.select(User).where(User.email == args["email"])).scalar_one()
    fork = forks.create_fork(args["slug"], actor=actor)
    return {"id": fork.id, "relpath": fork.relpath}


def serve(app, args):
    """The node's web server on loopback until `release` appears (threads, like gthread)."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    _touch(args["ready"], str(server.server_port))
    _wait_for(args["release"], limit=300)
    server.shutdown()
    return "stopped"


def fsck(app, args):
    from catalog.services import fsck as fsck_service

    report = fsck_service.check(repair=False, min_age=0)
    return {"problems": report.problems}


def audit_writer(app, args):
    """`threads` threads, each appending `count` events in transactions of their own."""
    from catalog.extensions import db
    from catalog.services import audit
    from catalog.services.tx import write

    seqs: list[int] = []
    errors: list[str] = []
    _wait_for(args["go"])

    def writer(n: int) -> None:
        with app.app_context():
            try:
                for i in range(args["count"]):
                    with write():
                        event = audit.record(None, "scale.write", "node", f"{os.getpid()}-{n}-{i}", {"i": i})
                    seqs.append(event.seq)
            except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(args["threads"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"seqs": seqs, "errors": errors}


def claim_slots(app, args):
    from catalog.jobs.queue import claim_slot

    _wait_for(args["go"])
    return [slot for slot in args["slots"] if claim_slot(app, PROBE, slot * 60 + 7.5)]


def periodic_worker(app, args):
    """What `flask catalog worker` does once a minute, then its workers: enqueue the periodic
    job (as Huey's scheduler of this worker), drain the shared queue and run what it took."""
    from catalog.jobs.queue import queue

    huey = queue(app)
    _wait_for(args["go"])
    for task in huey.read_periodic(huey._get_timestamp()):
        if task.name == PROBE:
            huey.enqueue(task)
    _touch(args["ready"])
    _wait_for(args["both_enqueued"])
    return {"executed": _run_until_idle(huey).count(PROBE)}


def drain_jobs(app, args):
    """A job worker: run whatever is queued until the queue stays empty."""
    from catalog.jobs.queue import queue

    return {"ran": _run_until_idle(queue(app))}


def _run_until_idle(huey) -> list[str]:
    """Execute queued jobs until none arrives for 1.5 s; the names of those run, in order."""
    names, idle_since = [], time.monotonic()
    while time.monotonic() - idle_since < 1.5:
        task = huey.dequeue()
        if task is None:
            time.sleep(0.05)
            continue
        huey.execute(task)
        names.append(task.name)
        idle_since = time.monotonic()
    return names


def upload_bundle(app, args):
    """A publisher uploads a bundle through this node's real route (CSRF off, as in tests)."""
    from tests.conftest import PASSWORD

    client = app.test_client()
    assert client.post("/login", data={"email": args["email"], "password": PASSWORD}).status_code == 302
    with open(args["bundle"], "rb") as fh:
        r = client.post(f"/apps/{args['slug']}/bundle", data={"bundle": (fh, "upload.bundle")},
                        content_type="multipart/form-data")
    return {"status": r.status_code}


def logins(app, args):
    client = app.test_client()
    return [client.post("/login", data={"email": args["email"], "password": pw}).status_code
            for pw in args["passwords"]]


def heartbeat(app, args):
    """A running deployment beats through this node (at the same moment as another node)."""
    client = app.test_client()
    _wait_for(args["go"])
    r = client.post(f"/api/v1/deployments/{args['deployment']}/heartbeat", json={"version": args["version"]},
                    headers={"Authorization": f"Bearer {args['token']}"})
    return r.status_code


def git_slots(app, args):
    """Take `count` git slots for `address` on this node; hold them until `release`."""
    from catalog.services.repos import git_slots as slots_service

    slots = slots_service.client_slots()
    got = [slots.acquire(args["address"]) for _ in range(args["count"])]
    _touch(args.get("ready"))
    _wait_for(args.get("release"))
    for release in got:
        if release is not None:
            release()
    return [release is not None for release in got]


ACTIONS = {f.__name__: f for f in (hold_repo_lock, hold_fetch_flock, try_repo_lock, fetch, create_fork, serve,
                                    fsck, audit_writer, claim_slots, periodic_worker, drain_jobs, upload_bundle,
                                    logins, heartbeat, git_slots)}


def main() -> int:
    action, args = sys.argv[1], json.loads(sys.argv[2])
    if action == "periodic_worker":  # registered before the app builds its queue, like the real ones
        from catalog.jobs.queue import periodic

        @periodic(PROBE, minute="*")
        def probe() -> None:
            with open(args["marker"], "a") as fh:
                fh.write(f"{os.getpid()}\n")

    app = _build(args["config"])
    with app.app_context():
        result = ACTIONS[action](app, args)
        from catalog.extensions import db

        db.session.remove()
        db.engine.dispose()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
