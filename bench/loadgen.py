"""Closed-loop HTTP load on loopback: `wrk` when installed, else Python keep-alive clients.

Both cycle through a list of paths with N concurrent keep-alive connections for a fixed time and
report throughput and latency percentiles. wrk is preferred: on a 2-core machine a Python client
takes CPU away from the server it measures (the bare-Flask reference suffers the same, so the
ratio stays fair, but absolute figures are lower).
"""
from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import percentile

WRK_SCRIPT = r"""
local paths = {}
local counter = 0
local f = io.open(os.getenv("BENCH_PATHS"), "r")
for line in f:lines() do paths[#paths + 1] = line end
f:close()
local errors = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
response = function(status, headers, body)
  if status >= 400 then errors = errors + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format('BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "socket_errors": %d, "non2xx": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout, summary.errors.status))
end
"""


@dataclass
class LoadResult:
    tool: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(port: int, paths: list[str], *, clients: int, seconds: float, threads: int = 2,
            headers: dict[str, str] | None = None) -> LoadResult:
    with tempfile.TemporaryDirectory() as tmp:
        script, plist = Path(tmp) / "paths.lua", Path(tmp) / "paths.txt"
        script.write_text(WRK_SCRIPT)
        plist.write_text("\n".join(paths) + "\n")
        out = subprocess.run(
            ["wrk", "-t", str(min(threads, clients)), "-c", str(clients), "-d", f"{max(1, round(seconds))}s",
             "--timeout", "30s", "-s", str(script),
             *[arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")],
             f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, env={"BENCH_PATHS": str(plist), "PATH": "/usr/bin:/bin"},
            timeout=seconds + 60)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result: {out.stdout[-500:]} {out.stderr[-500:]}")
    data = json.loads(line[len("BENCH_JSON "):])
    return LoadResult("wrk", data["requests"], data["duration_us"] / 1e6, data["p50_us"] / 1000,
                      data["p95_us"] / 1000, data["p99_us"] / 1000, data["socket_errors"] + data["non2xx"])


def run_python(port: int, paths: list[str], *, clients: int, seconds: float,
               headers: dict[str, str] | None = None) -> LoadResult:
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    stop_at = time.perf_counter() + seconds

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = n
        while time.perf_counter() < stop_at:
            path = paths[i % len(paths)]
            i += clients
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers or {})
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    errors[n] += 1
            except (OSError, http.client.HTTPException):
                errors[n] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            latencies[n].append((time.perf_counter() - start) * 1000)
        conn.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(seconds + 60)
    elapsed = time.perf_counter() - started
    flat = [x for per in latencies for x in per]
    return LoadResult("python", len(flat), elapsed, percentile(flat, 50), percentile(flat, 95),
                      percentile(flat, 99), sum(errors))


def run_load(port: int, paths: list[str], *, clients: int, seconds: float, tool: str = "auto",
             headers: dict[str, str] | None = None) -> LoadResult:
    """`headers` (e.g. a session Cookie) go with every request."""
    if tool == "wrk" or (tool == "auto" and have_wrk()):
        return run_wrk(port, paths, clients=clients, seconds=seconds, headers=headers)
    return run_python(port, paths, clients=clients, seconds=seconds, headers=headers)
