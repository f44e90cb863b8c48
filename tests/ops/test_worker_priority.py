"""The job worker yields the CPU to the web server: the real `catalog worker` command lowers its
own priority (and so that of the git processes it starts) by CATALOG_WORKER_NICE."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _niceness_of_worker(tmp_path: Path, setting: str | None) -> int:
    env = {**os.environ, "CATALOG_DATA_DIR": str(tmp_path), "CATALOG_SECRET_KEY": "priority-test",
           "CATALOG_ENV": "development"}
    for key in ("CATALOG_DATABASE_URL", "CATALOG_REDIS_URL", "CATALOG_JOBS_IMMEDIATE", "CATALOG_WORKER_NICE"):
        env.pop(key, None)
    if setting is not None:
        env["CATALOG_WORKER_NICE"] = setting
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=120)
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "catalog", "worker"], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and worker.poll() is None:
            raised = os.getpriority(os.PRIO_PROCESS, worker.pid) - ours
            if raised:  # set once the app is loaded, before the consumer starts
                return raised
            time.sleep(0.1)
        return os.getpriority(os.PRIO_PROCESS, worker.pid) - ours if worker.poll() is None else -999
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_the_worker_runs_at_a_lower_priority_by_default(tmp_path):
    assert _niceness_of_worker(tmp_path, None) == min(10, 19 - os.getpriority(os.PRIO_PROCESS, 0))


def test_the_priority_is_configurable(tmp_path):
    assert _niceness_of_worker(tmp_path, "3") == 3
