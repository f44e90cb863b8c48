"""The processes under load: a database of their own, gunicorn, the worker, and flask commands."""
from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PG_DRIVERS = ("psycopg2", "psycopg")  # the catalog's default first (README, "PostgreSQL")


def create_pg_database(name: str, admin_url: str = PG_ADMIN_URL, driver: str = PG_DRIVERS[0]) -> str:
    """A fresh, empty PostgreSQL database (dropped first if a previous run left it); its URL
    for the catalog with `driver`."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    host_part = admin_url.split("://", 1)[1].rsplit("/", 1)[0]
    return f"postgresql+{driver}://{host_part}/{name}"


def drop_pg_database(name: str, admin_url: str = PG_ADMIN_URL) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


class Stack:
    """Web (gunicorn, gthread) and worker on one data dir; start, stop, run flask commands."""

    def __init__(self, data_dir: Path, *, database_url: str | None, web_workers: int, threads: int,
                 redis_url: str | None = None):
        self.data_dir = data_dir
        self.web_workers, self.threads = web_workers, threads
        self.env = {**os.environ, "CATALOG_DATA_DIR": str(data_dir), "CATALOG_ALLOW_LOCAL_REPOS": "1",
                    "CATALOG_SECRET_KEY": "load-test-secret", "CATALOG_ENV": "development",
                    # Every virtual user connects from 127.0.0.1 (git has no option to bind a source
                    # address), so the per-address cap on git processes would count fifty regions
                    # as one client and answer 429; in production each region has its own address.
                    "CATALOG_GIT_MAX_PER_CLIENT": "64"}
        for key in ("CATALOG_DATABASE_URL", "CATALOG_REDIS_URL", "CATALOG_JOBS_IMMEDIATE"):
            self.env.pop(key, None)
        if database_url:
            self.env["CATALOG_DATABASE_URL"] = database_url
        if redis_url:
            self.env["CATALOG_REDIS_URL"] = redis_url
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.repos = data_dir / "repos"
        self.log_path = data_dir / "processes.log"
        self.access_log = data_dir / "access.log"
        self.procs: dict[str, subprocess.Popen] = {}

    def flask(self, *args: str, input: str | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, input=input, timeout=timeout)

    def start(self) -> None:
        log = open(self.log_path, "ab")
        web = [sys.executable, "-m", "gunicorn", "--workers", str(self.web_workers), "--worker-class", "gthread",
               # keep-alive as a proxy in front keeps it (nginx: 75 s): past gunicorn's 2 s default a
               # client's next request after a slow push raced the close and was reset unanswered
               "--threads", str(self.threads), "--timeout", "300", "--keep-alive", "75",
               "--bind", f"127.0.0.1:{self.port}",
               "--access-logfile", str(self.access_log),
               # gunicorn's default line and the time the app took (µs, from the request read to the
               # body sent): against the clients' time it shows how long a request waited for a thread
               "--access-logformat", '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s',
               "wsgi:app"]
        worker = [sys.executable, "-m", "flask", "--app", "wsgi", "catalog", "worker"]
        for name, cmd in (("worker", worker), ("web", web)):
            self.procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=log,
                                                start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/api/v1/organizations?per_page=1", timeout=2).read()
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                if self.procs["web"].poll() is not None:
                    break
                time.sleep(0.2)
        raise RuntimeError(f"web server did not start; see {self.log_path}")

    def stop(self, name: str | None = None) -> None:
        for key in [name] if name else list(self.procs):
            proc = self.procs.pop(key, None)
            if proc is None:
                continue
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            except ProcessLookupError:
                pass

    def pending_jobs(self) -> int | None:
        """Jobs waiting in the SQLite queue (None when the queue is elsewhere, e.g. Redis)."""
        path = self.data_dir / "jobs.sqlite3"
        if "CATALOG_REDIS_URL" in self.env or not path.exists():
            return None
        try:
            with sqlite3.connect(path, timeout=10) as conn:
                return conn.execute("SELECT COUNT(*) FROM task").fetchone()[0]
        except sqlite3.Error:
            return None

    def wait_for_jobs(self, timeout: float = 180) -> bool:
        """Until the worker has taken every queued job (divergence refreshes after pushes)."""
        deadline = time.monotonic() + timeout
        quiet = 0
        while time.monotonic() < deadline:
            pending = self.pending_jobs()
            quiet = quiet + 1 if not pending else 0
            if quiet >= 3:
                return True
            time.sleep(1)
        return False

    def access_counts(self) -> tuple[int, int]:
        """(requests, 5xx) as gunicorn logged them."""
        total = errors = 0
        if not self.access_log.exists():
            return 0, 0
        for line in self.access_log.read_text(errors="replace").splitlines():
            parts = line.split('" ')
            if len(parts) < 2:
                continue
            status = parts[1].split(" ", 1)[0]
            total += 1
            errors += status.startswith("5")
        return total, errors
