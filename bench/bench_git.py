"""The git layer at national scale: fork creation, divergence refresh, clone over HTTP.

References, measured side by side in the same run: a fork of a 1 MB upstream (for a fork of the
≥150 MB / ≥10,000-commit one), a loop of plain `git rev-list --left-right --count` + `git diff
--shortstat` over the same forks (for the divergence refresh), and `git clone file://` of the
same repository (for the catalog's smart HTTP).
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import time
from pathlib import Path

from bench import gitdata
from bench.common import OUT, ROOT, SIZES, Figure, Size, data_dir, make_app, server_env, summary
from bench.server import git_client_env, gunicorn

MB = 1024 * 1024


def _meta(size: Size) -> dict:
    return json.loads((data_dir(size) / "bench-meta.json").read_text())


# ---- fork creation ---------------------------------------------------------------------------

def fork_creation(size: Size, log=print) -> list[Figure]:
    from catalog.services.forks import post_receive_command
    from catalog.vcs import create_fork

    meta = _meta(size)
    repos = data_dir(size) / "repos"
    mirrors = {"large": repos / meta["large_upstream"]["relpath"], "onemb": repos / meta["onemb_upstream"]["relpath"]}
    scratch = repos / "bench-forks"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    times: dict[str, list[float]] = {"large": [], "onemb": []}
    disk: dict[str, list[int]] = {"large": [], "onemb": []}
    app = make_app(data_dir(size))
    with app.app_context():
        for i in range(size.fork_samples + 2):
            order = ("large", "onemb") if i % 2 else ("onemb", "large")
            for kind in order:
                dest = scratch / f"{kind}-{i}.git"
                relpath = f"bench-forks/{kind}-{i}.git"
                start = time.perf_counter()
                create_fork(mirrors[kind], dest, default_branch="main", post_receive=post_receive_command(relpath),
                            post_receive_cwd=ROOT)
                elapsed = time.perf_counter() - start
                if i >= 2:  # two warm-up rounds
                    times[kind].append(elapsed * 1000)
                    disk[kind].append(gitdata.dir_bytes(dest))
                shutil.rmtree(dest)
    shutil.rmtree(scratch, ignore_errors=True)
    large, small = summary(times["large"]), summary(times["onemb"])
    ratio = large["median"] / small["median"]
    big_mb = meta["large_upstream"]["bytes"] / MB
    return [
        Figure("git", f"fork of a {big_mb:.0f} MB / {meta['large_upstream']['commits']}-commit upstream (median)",
               large["median"], "ms", target="≤ 2× the 1 MB upstream", reference="1 MB upstream",
               reference_value=small["median"], ratio=ratio, met=ratio <= 2.0,
               note=f"p95 {large['p95']:.1f} ms vs {small['p95']:.1f} ms, n={large['n']}; "
                    f"upstream {meta['onemb_upstream']['bytes'] / MB:.2f} MB"),
        Figure("git", "disk added by one fork (max)", max(disk["large"]) / MB, "MB", target="≤ 1 MB",
               met=max(disk["large"]) <= MB, note=f"1 MB upstream: {max(disk['onemb']) / 1024:.0f} KiB"),
    ]


# ---- divergence refresh ----------------------------------------------------------------------

def _plain_git(repo: Path, upstream: str) -> None:
    env = git_client_env()
    rng = f"{upstream}...refs/heads/main"
    subprocess.run(["git", "--git-dir", str(repo), "rev-list", "--left-right", "--count", rng], env=env,
                   check=True, capture_output=True)
    subprocess.run(["git", "--git-dir", str(repo), "diff", "--shortstat", rng], env=env, check=True,
                   capture_output=True)


def divergence(size: Size, log=print) -> list[Figure]:
    from bench.divergence_lean import refresh_forks
    from catalog import vcs
    from catalog.extensions import db
    from catalog.models import Fork, Mirror
    from catalog.services import forks as fork_service
    from catalog.services import repo_paths

    meta = _meta(size)
    ids = meta["divergence_fork_ids"]
    app = make_app(data_dir(size))
    per: dict[str, list[float]] = {k: [] for k in ("reference", "service", "vcs", "lean", "lean_fast")}
    totals = dict.fromkeys(per, 0.0)
    with app.app_context():
        upstream = db.session.execute(db.select(Mirror.head).where(Mirror.app_id == meta["large_upstream"]["app_id"])
                                      ).scalar_one()
        paths = {f.id: repo_paths.absolute(f.relpath) for f in
                 db.session.execute(db.select(Fork).where(Fork.id.in_(ids))).scalars()}
        db.session.rollback()
        chunk = 25

        def run_reference(batch):
            for fid in batch:
                start = time.perf_counter()
                _plain_git(paths[fid], upstream)
                per["reference"].append((time.perf_counter() - start) * 1000)

        def run_service(batch):
            for fid in batch:
                start = time.perf_counter()
                fork_service.refresh_divergence(fid)
                per["service"].append((time.perf_counter() - start) * 1000)
            db.session.remove()

        def run_vcs(batch):
            for fid in batch:
                start = time.perf_counter()
                vcs.compute_divergence(paths[fid], fork_ref="main", upstream_commit=upstream)
                per["vcs"].append((time.perf_counter() - start) * 1000)

        def run_lean(batch):
            start = time.perf_counter()
            refresh_forks(batch, force=True)
            per["lean"].append((time.perf_counter() - start) * 1000 / len(batch))
            db.session.remove()

        def run_lean_fast(batch):
            from bench.divergence_lean import blocking_run

            start = time.perf_counter()
            refresh_forks(batch, force=True, runner=blocking_run)
            per["lean_fast"].append((time.perf_counter() - start) * 1000 / len(batch))
            db.session.remove()

        modes = [("reference", run_reference), ("service", run_service), ("vcs", run_vcs), ("lean", run_lean),
                 ("lean_fast", run_lean_fast)]
        for n, start in enumerate(range(0, len(ids), chunk)):
            batch = ids[start:start + chunk]
            rotated = modes[n % len(modes):] + modes[:n % len(modes)]  # no mode always goes first
            for name, fn in rotated:
                began = time.perf_counter()
                fn(batch)
                totals[name] += time.perf_counter() - began
        # The lean refresh agrees with the full one on the numbers lists show.
        fork = db.session.get(Fork, ids[0])
        check = (fork.ahead, fork.behind, fork.files_changed, fork.insertions, fork.deletions)
        from bench.divergence_lean import list_divergence, read_ref

        lean = list_divergence(paths[ids[0]], read_ref(paths[ids[0]], "refs/heads/main"), upstream)
        agree = check == (lean.ahead, lean.behind, lean.files_changed, lean.insertions, lean.deletions)
        started = time.perf_counter()
        _recomputed, skipped = refresh_forks(ids)  # nothing changed since: every fork is skipped
        skip_ms = (time.perf_counter() - started) * 1000
        db.session.remove()
    n = len(ids)
    ref = totals["reference"]
    figures = [
        Figure("git", f"divergence refresh of {n} forks, refresh_divergence()", totals["service"], "s",
               target="≤ 1.3× plain git", reference="rev-list + diff --shortstat loop", reference_value=ref,
               ratio=totals["service"] / ref, met=totals["service"] / ref <= 1.3,
               note=f"per fork p50 {summary(per['service'])['median']:.1f} ms, p95 {summary(per['service'])['p95']:.1f} ms; "
                    f"reference p50 {summary(per['reference'])['median']:.1f} ms"),
        Figure("git", f"divergence of {n} forks, vcs.compute_divergence() only", totals["vcs"], "s",
               reference="plain git loop", reference_value=ref, ratio=totals["vcs"] / ref,
               note="git layer without own commits, releases and the database"),
        Figure("git", f"divergence of {n} forks, lean batch prototype (bench/divergence_lean.py)", totals["lean"],
               "s", target="≤ 1.3× plain git", reference="plain git loop", reference_value=ref,
               ratio=totals["lean"] / ref, met=totals["lean"] / ref <= 1.3,
               note=f"numbers agree with refresh_divergence: {agree}; unchanged forks skipped: "
                    f"{skipped} in {skip_ms:.0f} ms"),
        Figure("git", f"divergence of {n} forks, lean prototype with a blocking-wait runner", totals["lean_fast"],
               "s", target="≤ 1.3× plain git", reference="plain git loop", reference_value=ref,
               ratio=totals["lean_fast"] / ref, met=totals["lean_fast"] / ref <= 1.3,
               note="same argv and isolated environment as run_git; see divergence_lean.blocking_run"),
    ]
    return figures


# ---- clone over smart HTTP -------------------------------------------------------------------

def _clone(url: str, dest: Path) -> float:
    start = time.perf_counter()
    subprocess.run(["git", "clone", "--bare", "--quiet", url, str(dest)], env=git_client_env(), check=True,
                   capture_output=True, timeout=600)
    return time.perf_counter() - start


def clone_http(size: Size, log=print) -> list[Figure]:
    meta = _meta(size)
    data = data_dir(size)
    figures = []
    scratch = OUT / "clones"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    with gunicorn("wsgi:app", server_env(data), log=OUT / "gunicorn-git.log") as (port, _proc):
        for key in ("large_upstream", "onemb_upstream"):
            relpath = meta[key]["relpath"]
            http_url = f"http://127.0.0.1:{port}/git/{relpath}"
            file_url = f"file://{data / 'repos' / relpath}"
            samples: dict[str, list[float]] = {"http": [], "file": []}
            rounds = size.clone_rounds if key == "large_upstream" or size.clone_rounds < 3 else 2 * size.clone_rounds
            received = 0
            for i in range(rounds + 1):
                order = (("http", http_url), ("file", file_url))
                for name, url in (order if i % 2 else order[::-1]):
                    dest = scratch / f"{name}-{i}.git"
                    elapsed = _clone(url, dest)
                    received = gitdata.pack_bytes(dest)
                    if i:  # round 0 warms the page cache and the server
                        samples[name].append(elapsed)
                    shutil.rmtree(dest)
            http_s, file_s = summary(samples["http"]), summary(samples["file"])
            http_tp, file_tp = received / MB / http_s["median"], received / MB / file_s["median"]
            label = f"{meta[key]['bytes'] / MB:.0f} MB" if key == "large_upstream" else "1 MB"
            figures.append(Figure(
                "git", f"clone of the {label} upstream over the catalog's HTTP (throughput)", http_tp, "MB/s",
                target="≥ 0.9× file://" if key == "large_upstream" else "", reference="git clone file://",
                reference_value=file_tp, ratio=http_tp / file_tp,
                met=(http_tp / file_tp >= 0.9) if key == "large_upstream" else None,
                note=f"median {http_s['median']:.2f} s vs {file_s['median']:.2f} s, n={http_s['n']}"))
    shutil.rmtree(scratch, ignore_errors=True)
    return figures


def run(size: Size, log=print) -> list[Figure]:
    figures = fork_creation(size, log)
    figures += divergence(size, log)
    figures += clone_http(size, log)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    parser.add_argument("--only", choices=("forks", "divergence", "clone"))
    args = parser.parse_args()
    from bench.data import build

    size = SIZES[args.size]
    build(size)
    fn = {"forks": fork_creation, "divergence": divergence, "clone": clone_http}.get(args.only, run)
    for figure in fn(size):
        print(figure.line())


if __name__ == "__main__":
    main()
