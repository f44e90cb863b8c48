"""Beyond one server: how long after a publish on node A does a search on node B find the app?

Two processes on one database: this one publishes through the services (node A, its own index
left alone) and reads node B's index directory as B's web process would; node B's
`flask catalog follow-index` runs as a process of its own with the default interval. Each
delay runs from the publish's commit to the first search on B that returns the app (the
follower's poll, its index commit, then the reader's reload, 0.25 s at most). Also the time
the follower took to build B's index at the start (a new node, small catalog here; the national
size figure is `--data` on an existing benchmark data dir).

    python -m bench.bench_follower [--publishes 50] [--database-url postgresql+psycopg://...]
    python -m bench.bench_follower --data bench/out/full/data   # new-node build at that size only
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, summary

PASSWORD = "kata-sandi-bench-123"
ENTRY = {"category": "document-management", "license": "MIT", "development_status": "stable", "platforms": ["web"],
         "maintenance_type": "internal",
         "maintenance_contacts": [{"name": "Tim Uji", "email": "uji@bench.go.id", "phone": ""}]}


def _node_env(data_dir: Path, url: str, index_dir: Path, node: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(data_dir),
            "CATALOG_DATA_DIR": str(data_dir), "CATALOG_DATABASE_URL": url,
            "CATALOG_INDEX_DIR": str(index_dir), "CATALOG_NODE_ID": node}


def _flask(*args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "catalog", *args]


def new_node_build(data_dir: Path, url: str) -> dict:
    """A new node's first `follow-index --once` on an existing catalog: the index built from the
    database, in a directory of its own."""
    with tempfile.TemporaryDirectory(prefix="bench-node-") as tmp:
        started = time.perf_counter()
        done = subprocess.run(_flask("follow-index", "--once"), cwd=ROOT, capture_output=True, text=True,
                              env=_node_env(data_dir, url, Path(tmp) / "index", "bench-new-node"), check=True)
        return {"seconds": time.perf_counter() - started, "output": done.stdout.strip()}


def _setup(data_dir: Path, url: str):
    from catalog import create_app
    from catalog.extensions import db

    app = create_app({"DATA_DIR": str(data_dir), "SQLALCHEMY_DATABASE_URI": url, "ENV_NAME": "testing",
                      "SECRET_KEY": "bench", "JOBS_IMMEDIATE": False, "NODE_ID": "bench-node-a",
                      "SEARCH_INDEX_DIR": str(data_dir / "index-a")})  # jobs queued, never run: no fetch
    with app.app_context():
        from catalog.services.accounts import users
        from seed.regions import seed_regions

        db.drop_all()
        db.create_all()
        seed_regions()
        db.session.commit()
        publisher = users.create_user(email="penerbit@bench.go.id", name="Penerbit", org_code="21",
                                      role="publisher", password=PASSWORD)
        admin = users.create_user(email="admin@bench.go.id", name="Admin", org_code="komdigi", role="admin",
                                  password=PASSWORD)
        return app, publisher.id, admin.id


def publish_delays(data_dir: Path, url: str, publishes: int) -> dict:
    from catalog.extensions import db
    from catalog.models import User
    from catalog.models.index_position import read_position
    from catalog.search import open_backend
    from catalog.services.catalog import apps, indexing

    app, publisher_id, admin_id = _setup(data_dir, url)
    index_b = data_dir / "index-b"
    log = (data_dir / "follower-b.log").open("w")
    follower = subprocess.Popen(_flask("follow-index"), cwd=ROOT, env=_node_env(data_dir, url, index_b, "bench-node-b"),
                                stdout=subprocess.DEVNULL, stderr=log, text=True)
    delays: list[float] = []
    try:
        started = time.perf_counter()
        while read_position(index_b) is None:
            if follower.poll() is not None or time.perf_counter() - started > 300:
                raise SystemExit(f"follower of node B did not start: {(data_dir / 'follower-b.log').read_text()}")
            time.sleep(0.05)
        reader = open_backend(index_b, app.config.get("SEARCH_BACKEND"))  # B's web process
        indexing.apply_soon = lambda: None  # node A's own index is not what is measured
        with app.app_context():
            publisher, admin = db.session.get(User, publisher_id), db.session.get(User, admin_id)
            for i in range(publishes):
                slug, word = f"bench-ikuti-{i}", f"tandaikuti{i:03d}"
                apps.create_app({**ENTRY, "name": f"Aplikasi {word}", "slug": slug,
                                 "short_description_id": f"Aplikasi uji {word} untuk pengukuran.",
                                 "repo_url": f"https://git.bench.go.id/{slug}.git"}, actor=publisher)
                apps.submit_app(slug, actor=publisher)
                app_id = apps.publish_app(slug, actor=admin).id
                committed = time.perf_counter()
                while app_id not in reader.matching_ids(word):
                    if time.perf_counter() - committed > 30:
                        raise SystemExit(f"publish {i} not searchable on node B after 30 s")
                    time.sleep(0.01)
                delays.append(time.perf_counter() - committed)
                time.sleep(0.1 + (i % 7) * 0.05)  # publishes land at different points of the poll
            db.session.remove()
        reader.close()
    finally:
        follower.send_signal(signal.SIGTERM)
        try:
            follower.wait(timeout=60)
        except subprocess.TimeoutExpired:
            follower.kill()
            follower.wait()
        log.close()
        sys.stderr.write((data_dir / "follower-b.log").read_text()[-2000:])
    return {"publish_to_searchable_s": summary(delays), "follower_exit": follower.returncode}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--publishes", type=int, default=50)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL") or "")
    parser.add_argument("--data", type=Path, help="an existing benchmark data dir: time a new node's build only")
    args = parser.parse_args()
    if args.data:
        data = args.data.resolve()
        url = args.database_url or f"sqlite:///{data / 'catalog.sqlite3'}"
        print(json.dumps({"new_node_build": new_node_build(data, url)}, indent=2))
        return
    with tempfile.TemporaryDirectory(prefix="bench-follower-") as tmp:
        data = Path(tmp)
        url = args.database_url or f"sqlite:///{data / 'catalog.sqlite3'}"
        result = publish_delays(data, url, args.publishes)
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
