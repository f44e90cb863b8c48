"""Shared pieces of the benchmarks: sizes, timing statistics, figures and the app factory."""
from __future__ import annotations

import json
import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(os.environ.get("BENCH_OUT") or ROOT / "bench" / "out")  # git-ignored; tests point it elsewhere
CACHE = OUT / "cache"


@dataclass(frozen=True)
class Size:
    name: str
    apps: int  # published apps (plus ~2% drafts/submitted/archived on top)
    deployments: int
    forks_per_upstream: int
    upstreams: int
    large_commits: int
    large_blob: int
    divergence_forks: int
    upstream_advance: int
    search_rounds: int
    fork_samples: int
    clone_rounds: int
    page_seconds: float
    clients: int = 20
    max_queries: int = 0  # 0: the whole query set


SIZES = {
    "tiny": Size("tiny", apps=300, deployments=300, forks_per_upstream=8, upstreams=3, large_commits=200,
                 large_blob=2048, divergence_forks=8, upstream_advance=5, search_rounds=1, fork_samples=3,
                 clone_rounds=1, page_seconds=0.2, clients=4, max_queries=30),
    "full": Size("full", apps=27_000, deployments=27_000, forks_per_upstream=500, upstreams=10,
                 large_commits=10_000, large_blob=16_384, divergence_forks=500, upstream_advance=25,
                 search_rounds=3, fork_samples=40, clone_rounds=5, page_seconds=20.0),
    # Ten times national size, for how search grows (bench/bench_growth.py); git data stays small.
    "x10": Size("x10", apps=270_000, deployments=27_000, forks_per_upstream=8, upstreams=3, large_commits=200,
                large_blob=2048, divergence_forks=8, upstream_advance=5, search_rounds=2, fork_samples=3,
                clone_rounds=1, page_seconds=10.0),
}


def database_url() -> str | None:
    """BENCH_DATABASE_URL runs the catalog of the benchmarks on that database (e.g. PostgreSQL)
    instead of SQLite in the data dir; its data set then lives in a separate data dir."""
    return os.environ.get("BENCH_DATABASE_URL") or None


def data_dir(size: Size) -> Path:
    return OUT / (size.name + ("-db" if database_url() else "")) / "data"


def percentile(values: list[float], pct: float) -> float:
    """Linear-interpolated percentile (pct in 0–100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(samples: list[float]) -> dict[str, float]:
    return {"n": len(samples), "median": statistics.median(samples) if samples else float("nan"),
            "p95": percentile(samples, 95), "mean": statistics.fmean(samples) if samples else float("nan"),
            "max": max(samples) if samples else float("nan")}


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


@dataclass
class Figure:
    """One line of the results table: a measured value, its target, and its reference."""

    bench: str
    name: str
    measured: float
    unit: str
    target: str = ""
    reference: str = ""
    reference_value: float | None = None
    ratio: float | None = None
    met: bool | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        ref = f"{self.reference}={fmt(self.reference_value, self.unit)}" if self.reference else ""
        ratio = f"ratio {self.ratio:.2f}" if self.ratio is not None else ""
        met = {True: "MET", False: "MISSED", None: ""}[self.met]
        parts = [f"{self.bench}: {self.name} = {fmt(self.measured, self.unit)}", ref, ratio,
                 f"target {self.target}" if self.target else "", met, self.note]
        return "  ".join(p for p in parts if p)


def fmt(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if unit == "ms":
        return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "MB":
        return f"{value:.2f} MB"
    if unit == "MB/s":
        return f"{value:.1f} MB/s"
    if unit == "req/s":
        return f"{value:.0f} req/s"
    return f"{value:g} {unit}".strip()


def machine() -> dict[str, Any]:
    info = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
        info["mem_gb"] = round(int(mem) / 1024 / 1024, 1)
        info["loadavg"] = Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        pass
    return info


def bench_config(data: Path) -> dict[str, Any]:
    """The catalog configuration the benchmarks run with (the same the server gets from env)."""
    return {"DATA_DIR": str(data), "ENV_NAME": "bench", "SECRET_KEY": "bench-only-secret",
            "SQLALCHEMY_DATABASE_URI": database_url() or f"sqlite:///{data / 'catalog.sqlite3'}",
            "ALLOW_LOCAL_REPOS": True,
            "JOBS_IMMEDIATE": False}


def make_app(data: Path):
    from catalog import create_app

    return create_app(bench_config(data))


def server_env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")}
    env.update({"CATALOG_DATA_DIR": str(data), "CATALOG_SECRET_KEY": "bench-only-secret",
                "CATALOG_ENV": "bench", "CATALOG_ALLOW_LOCAL_REPOS": "1", "PYTHONPATH": str(ROOT)})
    if database_url():
        env["CATALOG_DATABASE_URL"] = database_url()  # type: ignore[assignment]
    return env


def save_json(path: Path, payload: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")


def figures_json(figures: list[Figure]) -> list[dict[str, Any]]:
    return [asdict(f) for f in figures]
