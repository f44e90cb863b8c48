"""Where the CPU of a load run goes (`--profile`): per process kind from /proc, and per request kind
from py-spy on the web workers.

Per process kind: the CPU time each process used between two snapshots, its own and that of the
children it reaped (git http-backend and the receive hooks are the web workers' children; the
clients' git the load test's own), grouped as web, job worker, PostgreSQL, load clients and
other (anything else on the machine, own CPU only: near zero on an idle one). Linux only.

Per request kind: py-spy samples the web workers while they hold the GIL (Python's own CPU, not
waits on the database or git), and each sample is counted under the view it ran in.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
KINDS = ("web", "job worker", "postgres", "load clients", "other")


def snapshot() -> dict[int, tuple[str, float, float]]:
    """pid -> (command line, own CPU seconds, CPU seconds of reaped children)."""
    procs: dict[int, tuple[str, float, float]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            cmd = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # ended meanwhile
        fields = stat[stat.rfind(")") + 2:].split()
        utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
        procs[int(entry.name)] = (cmd, (utime + stime) / TICK, (cutime + cstime) / TICK)
    return procs


def kind_of(pid: int, cmd: str) -> str:
    if pid == os.getpid():
        return "load clients"
    if "gunicorn" in cmd:
        return "web"
    if "catalog worker" in cmd:
        return "job worker"
    if cmd.startswith("postgres"):
        return "postgres"
    return "other"


def usage(before: dict, after: dict, seconds: float) -> dict:
    """CPU seconds per kind between two snapshots (own, reaped children) and the share of the
    machine's cores."""
    own, children = Counter(), Counter()
    for pid, (cmd, cpu, reaped) in after.items():
        _cmd, cpu0, reaped0 = before.get(pid, (cmd, 0.0, 0.0))
        kind = kind_of(pid, cmd)
        own[kind] += max(0.0, cpu - cpu0)
        if kind != "other":  # a shell that reaps a long job of its own would count all of it
            children[kind] += max(0.0, reaped - reaped0)
    capacity = seconds * (os.cpu_count() or 1)
    return {kind: {"own_s": round(own[kind], 1), "children_s": round(children[kind], 1),
                   "share": round((own[kind] + children[kind]) / capacity, 3) if capacity else 0.0}
            for kind in KINDS}


class Profile:
    """Started when the load starts: the /proc snapshot now, py-spy for the middle third."""

    def __init__(self, master_pid: int, seconds: float, out: Path) -> None:
        self.master_pid, self.seconds, self.out = master_pid, seconds, out
        self.spy: subprocess.Popen | None = None
        self.before, self.began = snapshot(), time.monotonic()
        self.timer = threading.Timer(seconds / 3, self._start_spy)
        self.timer.start()

    def _start_spy(self) -> None:
        """py-spy on gunicorn's master and its workers, GIL-holding samples only (skipped without py-spy)."""
        spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        if Path(spy).exists():
            self.spy = subprocess.Popen(
                [spy, "record", "--pid", str(self.master_pid), "--subprocesses", "--gil", "--rate", "100",
                 "--duration", str(max(1, int(self.seconds / 3))), "--format", "raw", "--nonblocking",
                 "-o", str(self.out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def finish(self) -> tuple[dict, list[tuple[str, float]]]:
        """(CPU per process kind over the load, shares of the web workers' Python CPU per view)."""
        cpu = usage(self.before, snapshot(), time.monotonic() - self.began)
        self.timer.cancel()
        if self.spy is not None:
            self.spy.wait(timeout=self.seconds)
        return cpu, by_view(self.out) if self.out.exists() else []


VIEW = re.compile(r"^(\w+) \((catalog/web/[^:]+)")


def by_view(raw: Path, top: int = 25) -> list[tuple[str, float]]:
    """Shares of the web workers' Python CPU per view function ('outside a view': the WSGI
    layers, sign-in, the push receipt once git has finished)."""
    counts: Counter = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        frames, total = stack.split(";"), total + int(n)
        view = "(outside a view)"
        for i, frame in enumerate(frames):
            if frame.startswith(("dispatch_request (flask/app.py", "Flask.dispatch_request")):
                # the first frame of ours below Flask's dispatch (decorators such as login_required between)
                ours = (VIEW.match(f) for f in frames[i + 1:])
                match = next((m for m in ours if m), None)
                view = f"{match.group(1)} ({match.group(2)})" if match else "(a view)"
                break
        counts[view] += int(n)
    return [(view, round(n / total, 3)) for view, n in counts.most_common(top)] if total else []
