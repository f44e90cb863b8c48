"""Start and stop gunicorn for the benchmarks (loopback only), and read its workers' memory."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.common import ROOT

GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start in time")


def _wait_healthy(port: int, path: str, log: Path | None, timeout: float = 60) -> None:
    """The master binds the port before its workers import the app: ask for a page."""
    import http.client

    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path)
            status = conn.getresponse().status
            conn.close()
            if status < 400:
                return
            last = f"HTTP {status}"
        except (OSError, http.client.HTTPException) as exc:
            last = str(exc)
        time.sleep(0.3)
    tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise RuntimeError(f"server on port {port} not serving {path} ({last}); log tail:\n{tail}")


@contextmanager
def gunicorn(app: str, env: dict[str, str], *, workers: int = 2, threads: int = 4,
             timeout: int = 300, log: Path | None = None,
             check_path: str = "/") -> Iterator[tuple[int, subprocess.Popen]]:
    """`gunicorn --workers 2 --worker-class gthread --threads 4` on a free loopback port."""
    port = free_port()
    out = open(log, "ab") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        [GUNICORN, "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
         "--timeout", str(timeout), "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app],
        cwd=str(ROOT), env=env, stdout=out, stderr=out, start_new_session=True)
    try:
        _wait_ready(port, proc)
        _wait_healthy(port, check_path, log)
        time.sleep(0.3)  # let every worker finish booting
        yield port, proc
    finally:
        proc.send_signal(signal.SIGTERM)  # the master stops its own workers
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log:
            out.close()


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.append(int(entry.name))
    return pids


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def git_client_env() -> dict[str, str]:
    home = ROOT / "bench" / "out" / "git-home"
    home.mkdir(parents=True, exist_ok=True)
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
