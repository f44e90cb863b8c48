"""The git layer at national scale: fork creation, divergence refresh, clone over HTTP, hook CPU,
and the job that follows each push.

References, measured side by side in the same run: a fork of a 1 MB upstream (for a fork of the
≥150 MB / ≥10,000-commit one), a loop of plain `git rev-list --left-right --count` + `git diff
--shortstat` over the same forks (for the divergence refresh), and `git clone file://` of the
same repository (for the catalog's smart HTTP).
"""
from __future__ import annotations

import argparse
import json
import resource
import shlex
import shutil
import subprocess
import time
from pathlib import Path

from bench import gitdata
from bench.common import OUT, SIZES, Figure, Size, data_dir, make_app, server_env, summary
from bench.server import git_client_env, gunicorn

MB = 1024 * 1024


def _meta(size: Size) -> dict:
    return json.loads((data_dir(size) / "bench-meta.json").read_text())


# ---- fork creation ---------------------------------------------------------------------------

def fork_creation(size: Size, log=print) -> list[Figure]:
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
                start = time.perf_counter()
                create_fork(mirrors[kind], dest, default_branch="main")
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


def _full_computation(path: Path, mirror_path: Path, upstream: str) -> dict:
    """What the old per-fork refresh_divergence() stored, computed from scratch."""
    from catalog import vcs
    from catalog.services.repos import refresh as fork_refresh

    div = vcs.compute_divergence(path, fork_ref="main", upstream_commit=upstream)
    own = vcs.fork_commits(path, "main", upstream, limit=fork_refresh.MAX_OWN_COMMITS)
    since = vcs.releases_since(mirror_path, div.merge_base) if div.merge_base else []
    return {"ahead": div.ahead, "behind": div.behind, "merge_base": div.merge_base,
            "files_changed": div.files_changed, "insertions": div.insertions, "deletions": div.deletions,
            "files_differing_from_upstream": div.files_differing_from_upstream, "fork_head": div.fork_head,
            "upstream_head": div.upstream_head, "own_commits": [fork_refresh.commit_json(c) for c in own],
            "releases_since_base": [fork_refresh.release_json(r) for r in since]}


def divergence(size: Size, log=print) -> list[Figure]:
    """The worker's batch refresh (fork_refresh.refresh_batch over all forks in one call, as after
    an upstream fetch, forced so that every fork is recomputed) against the plain-git loop over
    the same forks, in alternating order over three rounds; the details job and the on-request
    single-fork refresh are measured once, for the record."""
    from catalog.extensions import db
    from catalog.models import Fork, Mirror
    from catalog.services import repo_paths
    from catalog.services.repos import forks as fork_service
    from catalog.services.repos import refresh as fork_refresh

    meta = _meta(size)
    ids = meta["divergence_fork_ids"]
    n = len(ids)
    app = make_app(data_dir(size))
    rounds: dict[str, list[float]] = {"reference": [], "batch": []}
    per_ref: list[float] = []
    with app.app_context():
        upstream, mirror_rel = db.session.execute(db.select(Mirror.head, Mirror.relpath).where(
            Mirror.app_id == meta["large_upstream"]["app_id"])).one()
        mirror_path = repo_paths.absolute(mirror_rel)
        paths = {f.id: repo_paths.absolute(f.relpath) for f in
                 db.session.execute(db.select(Fork).where(Fork.id.in_(ids))).scalars()}
        db.session.rollback()

        def run_reference():
            for fid in ids:
                start = time.perf_counter()
                _plain_git(paths[fid], upstream)
                per_ref.append((time.perf_counter() - start) * 1000)

        def run_batch():
            result = fork_refresh.refresh_batch(ids, force=True, details="skip")
            assert not result.failed, result.failed
            db.session.remove()

        for r in range(3):
            order = [("reference", run_reference), ("batch", run_batch)]
            for name, fn in (order if r % 2 else order[::-1]):
                began = time.perf_counter()
                fn()
                rounds[name].append(time.perf_counter() - began)
        began = time.perf_counter()
        fork_refresh.refresh_details(ids)
        details_s = time.perf_counter() - began
        db.session.remove()
        sample = ids[:: max(1, n // 50)]
        began = time.perf_counter()
        for fid in sample:  # the on-request path; a sample is enough
            fork_service.refresh_divergence(fid)
        single_s = (time.perf_counter() - began) * n / len(sample)
        db.session.remove()
        # What the two passes stored equals the old full computation, field by field.
        keys = ("ahead", "behind", "merge_base", "files_changed", "insertions", "deletions",
                "files_differing_from_upstream", "fork_head", "upstream_head", "own_commits", "releases_since_base")
        checked = ids[:: max(1, n // 20)]
        agree = all({k: getattr(db.session.get(Fork, fid), k) for k in keys}
                    == _full_computation(paths[fid], mirror_path, upstream) for fid in checked)
        db.session.remove()
        started = time.perf_counter()
        skipped = fork_refresh.refresh_batch(ids).skipped  # nothing changed since: every fork is skipped
        skip_ms = (time.perf_counter() - started) * 1000
        db.session.remove()
    ref, batch = sum(rounds["reference"]) / 3, sum(rounds["batch"]) / 3
    spread = ", ".join(f"{b / r:.2f}" for b, r in zip(rounds["batch"], rounds["reference"], strict=True))
    return [
        Figure("git", f"divergence refresh of {n} forks, batch (fork_refresh.refresh_batch)", batch, "s",
               target="≤ 1.3× plain git", reference="rev-list + diff --shortstat loop", reference_value=ref,
               ratio=batch / ref, met=batch / ref <= 1.3,
               note=f"mean of 3 alternating rounds, per-round ratios {spread}; reference p50 "
                    f"{summary(per_ref)['median']:.1f} ms per fork; stored numbers equal the full computation "
                    f"({len(checked)} forks checked): {agree}; unchanged forks skipped: {skipped} in {skip_ms:.0f} ms"),
        Figure("git", f"divergence details of {n} forks, second job (fork_refresh.refresh_details)", details_s, "s",
               reference="plain git loop", reference_value=ref, ratio=details_s / ref,
               note="merge base, files differing from upstream, own commits, releases once per merge base; "
                    "queued after the batch, not part of the target"),
        Figure("git", f"divergence of {n} forks one by one, refresh_divergence() (on request)", single_s, "s",
               reference="plain git loop", reference_value=ref, ratio=single_s / ref,
               note=f"counts and details at once, one commit per fork; extrapolated from {len(sample)} forks"),
    ]


def _own_and_children_cpu() -> float:
    return time.process_time() + _children_cpu()


def _land_commit(repo: Path, branch: str, n: int) -> None:
    """A commit on the fork's branch, as a push would leave it (plain git, no hooks)."""
    env = {**git_client_env(), "GIT_AUTHOR_NAME": "Staf TI", "GIT_AUTHOR_EMAIL": "ti@daerah.go.id",
           "GIT_COMMITTER_NAME": "Staf TI", "GIT_COMMITTER_EMAIL": "ti@daerah.go.id"}
    git = lambda *args: subprocess.run(["git", "--git-dir", str(repo), *args], env=env, check=True,  # noqa: E731
                                       capture_output=True, text=True).stdout.strip()
    old = git("rev-parse", f"refs/heads/{branch}")
    blob = subprocess.run(["git", "--git-dir", str(repo), "hash-object", "-w", "--stdin"], input=f"ubah {n}\n",
                          env=env, check=True, capture_output=True, text=True).stdout.strip()
    listing = git("ls-tree", old)  # the fork's tree with one file added: a region's own change
    tree = subprocess.run(["git", "--git-dir", str(repo), "mktree"], env=env, check=True, capture_output=True,
                          text=True, input=f"{listing}\n100644 blob {blob}\tdaerah-{n}.txt\n").stdout.strip()
    git("update-ref", f"refs/heads/{branch}", git("commit-tree", tree, "-p", old, "-m", f"ubah {n}"))


def push_job_cost(size: Size, log=print) -> list[Figure]:
    """CPU of the job that follows each push (`fork.refresh`: counts and details in one write,
    then the prune check), per push: a commit lands on a fork's branch, then the job runs as the
    worker runs it. Reference, alternated with it: `git rev-list --left-right --count` + `git diff
    --shortstat` for the same fork, the least a refresh of its counts runs. Round 0 (each fork's
    first prune, which repacks) is not counted. The commits stay: putting the branches back would
    drop them, and every later push job would repack the fork again until the prune grace passed."""
    from catalog.extensions import db
    from catalog.models import Fork, Mirror
    from catalog.services import repo_paths
    from catalog.vcs import runner
    from catalog.worker.tasks import refresh_fork

    meta = _meta(size)
    ids = meta["divergence_fork_ids"][:20]
    app = make_app(data_dir(size))
    with app.app_context():
        upstream = db.session.execute(db.select(Mirror.head).where(
            Mirror.app_id == meta["large_upstream"]["app_id"])).scalar_one()
        forks = {f.id: (f.relpath, repo_paths.absolute(f.relpath), f.default_branch) for f in
                 db.session.execute(db.select(Fork).where(Fork.id.in_(ids))).scalars()}
        db.session.remove()
    job, ref, started = [], [], []
    real_spawn = runner.spawn

    def counted_spawn(*args, **kwargs):
        started.append(1)
        return real_spawn(*args, **kwargs)

    runner.spawn = counted_spawn  # counts the job's git processes; nothing else changes
    try:
        for r in range(4):
            for fid, (relpath, path, branch) in forks.items():
                _land_commit(path, branch, r)
                before, spawned = _own_and_children_cpu(), len(started)
                with app.app_context():
                    refresh_fork(fid, relpath)
                    db.session.remove()
                if r:
                    job.append((_own_and_children_cpu() - before) * 1000)
                    before = _own_and_children_cpu()
                    _plain_git(path, upstream)
                    ref.append((_own_and_children_cpu() - before) * 1000)
        processes = (len(started) - spawned) if forks else 0
    finally:
        runner.spawn = real_spawn
    job_s, ref_s = summary(job), summary(ref)
    return [Figure("git", "the push job's CPU per push (fork.refresh: counts, details, prune check; median)",
                   job_s["median"], "ms", reference="rev-list --left-right --count + diff --shortstat, same fork",
                   reference_value=ref_s["median"], ratio=job_s["median"] / ref_s["median"],
                   note=f"p95 {job_s['p95']:.1f} ms, n={job_s['n']}; {processes} git processes per job; "
                        "the worker's own Python and its git, one commit per push")]


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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def hook_cost(size: Size, log=print) -> list[Figure]:
    """CPU of our receive hooks per push: pushes of one new commit each to a bare repository with
    the catalog's pre-receive and post-receive, alternated with pushes to one without hooks (the
    reference: git's own work). Pushed over file:// so only git and the hooks run; the CPU is
    the children's (client and receiving git alike, so the difference is the hooks').

    The hooked receive-pack gets what the web process gives it (`env.config_args` for a push):
    CATALOG_HOOK and the `-c` pairs naming our Python and hookmain.py, so pre-receive starts
    with `-I -S`. A third target, pushed in the same rounds, gets CATALOG_HOOK only: the console
    script's start (site, the editable install's finder), as hooks run when the pairs are
    missing."""
    from catalog.vcs import hooks

    entry = hooks.entry_point()
    if entry is None:
        log("  hook cost: the catalog-hook entry point is not installed (make install)")
        return []
    scratch = OUT / "hook-cost"
    shutil.rmtree(scratch, ignore_errors=True)
    env = git_client_env()
    git = lambda *args, cwd=None: subprocess.run(["git", *args], cwd=cwd, env=env, check=True,  # noqa: E731
                                                 capture_output=True, timeout=120)
    work = scratch / "work"
    git("init", "--quiet", "-b", "main", str(work))
    targets = {"plain": scratch / "plain.git", "hooks": scratch / "hooks.git", "console": scratch / "console.git"}
    for path in targets.values():
        git("init", "--quiet", "--bare", str(path))
    for name in ("hooks", "console"):  # as a fork is made: our hooks, the default quota (measured at each push)
        hooks.install_hooks(targets[name])
        hooks.write_quota(targets[name], 2 * 1024**3)
    receipt = scratch / "receipt.txt"
    hook_env = {**env, hooks.HOOK_ENV: str(entry), hooks.RECEIPT_ENV: str(receipt)}
    # file:// clears GIT_CONFIG_PARAMETERS for the receiving side: give the pairs to its git
    launch = " ".join(f"-c {shlex.quote(pair)}" for pair in hooks.launch_config())
    receive_pack = {"plain": [], "hooks": [f"--receive-pack=git {launch} receive-pack"] if launch else [],
                    "console": []}
    cpu: dict[str, list[float]] = {name: [] for name in targets}
    rounds = 40 if size.name == "full" else 6
    for i in range(rounds + 1):
        (work / "daerah.php").write_text(f"<?php // perubahan {i}\n")
        git("add", ".", cwd=work)
        git("-c", "user.name=Staf TI", "-c", "user.email=ti@daerah.go.id", "commit", "--quiet", "-m", f"ubah {i}",
            cwd=work)
        order = list(targets)[i % 3:] + list(targets)[:i % 3]
        for name in order:
            before = _children_cpu()
            subprocess.run(["git", "push", "--quiet", *receive_pack[name], str(targets[name]), "HEAD:main"],
                           cwd=work, check=True, capture_output=True, timeout=120,
                           env=env if name == "plain" else hook_env)
            if i:  # round 0 warms the disk cache and Python's bytecode
                cpu[name].append(_children_cpu() - before)
    shutil.rmtree(scratch, ignore_errors=True)
    plain, hooked, console = summary(cpu["plain"]), summary(cpu["hooks"]), summary(cpu["console"])
    extra_ms = (hooked["median"] - plain["median"]) * 1000
    console_ms = (console["median"] - plain["median"]) * 1000
    plain_ms = plain["median"] * 1000
    return [Figure("git", "receive hooks' CPU per push (pre-receive + post-receive, median)", extra_ms, "ms",
                   target="≤ 50 ms", reference="CPU of a plain push to a bare repository without hooks",
                   reference_value=plain_ms, ratio=extra_ms / plain_ms, met=extra_ms <= 50,
                   note=f"push with hooks {hooked['median'] * 1000:.0f} ms CPU, n={hooked['n']}; "
                        f"pre-receive started with -I -S" if launch else "launch pairs unavailable"),
            Figure("git", "receive hooks' CPU per push, started through the console script (fallback)", console_ms,
                   "ms", reference="CPU of a plain push to a bare repository without hooks", reference_value=plain_ms,
                   ratio=console_ms / plain_ms,
                   note=f"push with hooks {console['median'] * 1000:.0f} ms CPU, n={console['n']}; CATALOG_HOOK only")]


def run(size: Size, log=print) -> list[Figure]:
    figures = fork_creation(size, log)
    figures += divergence(size, log)
    figures += clone_http(size, log)
    figures += hook_cost(size, log)
    figures += push_job_cost(size, log)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    parser.add_argument("--only", choices=("forks", "divergence", "clone", "hooks", "push-job"))
    args = parser.parse_args()
    from bench.data import build

    size = SIZES[args.size]
    build(size)
    fn = {"forks": fork_creation, "divergence": divergence, "clone": clone_http, "hooks": hook_cost,
          "push-job": push_job_cost}.get(args.only, run)
    for figure in fn(size):
        print(figure.line())


if __name__ == "__main__":
    main()
