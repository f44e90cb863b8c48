"""National-scale benchmark data: regions, 27,000 apps, mirrors, 5,000 forks, 27,000 deployments.

Rows go in with bulk SQLAlchemy core inserts (the per-item services audit and commit per call);
forks are real repositories made with catalog.vcs.create_fork. The result is cached in
bench/out/<size>/data and reused while BUILD_VERSION and the size match.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bench import corpus, gitdata
from bench.common import CACHE, SIZES, Size, data_dir, make_app

BUILD_VERSION = "3"
T0 = datetime(2024, 1, 1, tzinfo=UTC)
BATCH = 2000


def _meta_path(data: Path) -> Path:
    return data / "bench-meta.json"


def load_meta(size: Size) -> dict | None:
    path = _meta_path(data_dir(size))
    if not path.exists():
        return None
    meta = json.loads(path.read_text())
    return meta if meta.get("version") == BUILD_VERSION and meta.get("size") == size.name else None


def upstream_specs(size: Size) -> list[gitdata.RepoSpec]:
    """The large upstream first, then a 1 MB one, then medium ones."""
    specs = [gitdata.RepoSpec("large", size.large_commits, size.large_blob),
             gitdata.RepoSpec("onemb", 300, 2048, assets=40, modules=60)]
    specs += [gitdata.RepoSpec(f"mid{n}", 300, 1024, assets=60, modules=80, seed=10 + n)
              for n in range(size.upstreams - 2)]
    return specs


def _chunks(rows: list[dict], n: int = BATCH):
    for i in range(0, len(rows), n):
        yield rows[i:i + n]


def _bulk(db, table, rows: list[dict]) -> None:
    for chunk in _chunks(rows):
        db.session.execute(insert(table), chunk)


def _organizations(db):
    from catalog.models import Organization

    orgs = list(db.session.execute(db.select(Organization)).scalars())
    regions = [o for o in orgs if o.kind in ("regency", "city")]
    provinces = [o for o in orgs if o.kind == "province"]
    agencies = [o for o in orgs if o.kind == "agency"]
    return regions, provinces, agencies


def _insert_users(db, orgs) -> dict[str, int]:
    from catalog.models import User

    rows = [{"email": "admin@bench.go.id", "name": "Admin Bench", "organization_id": orgs[0].id, "role": "admin",
             "password_hash": "!", "active": True, "session_version": 1, "created_at": T0}]
    rows += [{"email": f"adopter-{o.code}@bench.go.id", "name": f"Adopter {o.name}", "organization_id": o.id,
              "role": "adopter", "password_hash": "!", "active": True, "session_version": 1, "created_at": T0}
             for o in orgs[:5]]
    db.session.execute(insert(User.__table__), rows)
    return {r["email"]: i + 1 for i, r in enumerate(rows)}


def _insert_apps(db, size: Size, regions, provinces, agencies, rng: random.Random) -> list[dict]:
    from catalog.models import App, AppPlatform

    publishers = [(o, 75) for o in regions] + [(o, 20 * len(regions) // len(provinces) // 4) for o in provinces]
    publishers += [(o, 25) for o in agencies]
    pool = [o for o, _ in publishers]
    weights = [w for _, w in publishers]
    extra = max(5, size.apps // 50)
    states = ["published"] * size.apps + [rng.choice(("draft", "submitted", "archived")) for _ in range(extra)]
    slugs: set[str] = set()
    apps, platforms = [], []
    for app_id, state in enumerate(states, start=1):
        org = rng.choices(pool, weights)[0]
        region = org.code.upper() if org.kind == "agency" else org.name
        text = corpus.make_app_text(rng, region)
        base = corpus.slugify(text.name) or f"app-{app_id}"
        slug, n = base, 1
        while slug in slugs:
            n += 1
            slug = f"{base[:58]}-{n}"
        slugs.add(slug)
        created = T0 + timedelta(minutes=app_id)
        apps.append({
            "id": app_id, "slug": slug, "name": text.name, "short_description_id": text.short_id,
            "short_description_en": text.short_en, "description": text.description, "features": text.features,
            "category": text.domain.category, "tags": text.tags, "publisher_id": org.id,
            "repo_url": f"https://git.{slug[:30]}.go.id/{slug}.git", "license": text.license,
            "development_status": text.status, "software_type": "standalone/web", "documentation_url": "",
            "maintenance_type": rng.choice(("internal", "contract", "community")), "maintenance_contacts": [],
            "contractor_name": "", "contract_end": None, "state": state, "review_note": "",
            "created_by_id": None, "created_at": created, "updated_at": created,
            "published_at": created if state in ("published", "archived") else None, "publiccode_extras": {},
        })
        platforms += [{"app_id": app_id, "platform": p} for p in text.platforms]
    _bulk(db, App.__table__, apps)
    _bulk(db, AppPlatform.__table__, platforms)
    return apps


def _releases(repo: Path) -> list[tuple[str, str, int]]:
    out = gitdata.git("--git-dir", str(repo), "for-each-ref",
                      "--format=%(refname:short) %(objectname) %(creatordate:unix)",
                      "refs/tags/")
    return [(n, sha, int(t)) for n, sha, t in (line.split() for line in out.splitlines())]


def _install_upstreams(db, size: Size, data: Path, apps: list[dict], log) -> list[dict]:
    """Mirrors for the first published apps, from cached repositories; returns mirror dicts."""
    from catalog.models import Mirror, Release
    from catalog.vcs.layout import MIRROR_CONFIG

    mirrors, releases = [], []
    for n, spec in enumerate(upstream_specs(size)):
        started = time.perf_counter()
        cached = gitdata.build_cached(spec, CACHE)
        app = apps[n]
        relpath = f"upstream/{app['slug']}.git"
        dest = data / "repos" / relpath
        dest.parent.mkdir(parents=True, exist_ok=True)
        gitdata.install_copy(cached, dest, MIRROR_CONFIG)
        head = gitdata.head(dest)
        mirrors.append({"id": n + 1, "app_id": app["id"], "relpath": relpath, "state": "ready", "progress": 100,
                        "progress_text": "Selesai", "error": "", "head": head, "default_branch": "main",
                        "size_bytes": gitdata.pack_bytes(dest), "readme": f"# {app['name']}\n", "publiccode_yml": "",
                        "queued_at": T0, "fetched_at": T0, "spec": spec.name, "path": str(dest)})
        for name, sha, when in _releases(dest):
            releases.append({"app_id": app["id"], "name": name, "commit": sha,
                             "date": datetime.fromtimestamp(when, UTC), "message": f"Rilis {name}"})
        log(f"  upstream {spec.name}: {mirrors[-1]['size_bytes'] / 1e6:.1f} MB, {time.perf_counter() - started:.1f} s")
    db.session.execute(insert(Mirror.__table__), [{k: v for k, v in m.items() if k not in ("spec", "path")}
                                                  for m in mirrors])
    _bulk(db, Release.__table__, releases)
    return mirrors


def _make_fork(mirror_path: Path, dest: Path):
    from catalog.vcs import create_fork

    dest.parent.mkdir(parents=True, exist_ok=True)
    return create_fork(mirror_path, dest, default_branch="main")


def _insert_forks(db, size: Size, data: Path, apps, mirrors, orgs, rng: random.Random, log) -> list[dict]:
    """`forks_per_upstream` forks of each upstream; the large upstream's forks get own commits, then
    upstream moves on, so their divergence is real work."""
    from catalog.models import Fork

    jobs = []
    for mirror in mirrors:
        app = next(a for a in apps if a["id"] == mirror["app_id"])
        for org in orgs[:size.forks_per_upstream]:
            relpath = f"{org.slug}/{app['slug']}.git"
            jobs.append((mirror, app, org, relpath, data / "repos" / relpath))
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        infos = list(pool.map(lambda j: _make_fork(Path(j[0]["path"]), j[4]), jobs))
    log(f"  {len(jobs)} forks created in {time.perf_counter() - started:.1f} s")
    large = mirrors[0]
    diverging = [j for j in jobs if j[0] is large][:size.divergence_forks]
    started = time.perf_counter()

    def own_commits(job) -> str:
        _mirror, app, org, _relpath, dest = job
        count = 1 + (org.id % 4)
        return gitdata.add_commits(dest, large["head"], count, seed=org.id, prefix=f"lokal_{org.code}")

    with ThreadPoolExecutor(max_workers=2) as pool:
        heads = dict(zip((j[3] for j in diverging), pool.map(own_commits, diverging), strict=True))
    new_head = gitdata.add_commits(Path(large["path"]), large["head"], size.upstream_advance, seed=7,
                                   prefix="upstream")
    gitdata.git("--git-dir", large["path"], "commit-graph", "write", "--reachable")
    from catalog.models import Mirror

    db.session.execute(db.update(Mirror).where(Mirror.id == large["id"]).values(head=new_head))
    large["head"] = new_head
    log(f"  own commits in {len(diverging)} forks, upstream +{size.upstream_advance}: "
        f"{time.perf_counter() - started:.1f} s")
    rows = []
    for fork_id, ((mirror, app, org, relpath, _dest), info) in enumerate(zip(jobs, infos, strict=True), start=1):
        ahead = rng.choice((0, 0, 1, 2, 5, 12))
        rows.append({"id": fork_id, "app_id": app["id"], "organization_id": org.id, "name": app["slug"],
                     "relpath": relpath, "default_branch": "main", "base_commit": info.head, "note": "",
                     "created_by_id": None, "created_at": T0 + timedelta(hours=fork_id), "ahead": ahead,
                     "behind": rng.randint(0, 40), "merge_base": info.head, "files_changed": ahead * 2,
                     "insertions": ahead * 40, "deletions": ahead * 7, "files_differing_from_upstream": ahead * 2,
                     "upstream_head": mirror["head"], "fork_head": heads.get(relpath, info.head), "own_commits": [],
                     "releases_since_base": [], "divergence_error": "", "computed_at": T0})
    _bulk(db, Fork.__table__, rows)
    return rows


def _insert_deployments(db, size: Size, apps, forks, orgs, rng: random.Random) -> None:
    from catalog.models import Deployment, DeploymentEvent

    published = [a for a in apps if a["state"] == "published"]
    fork_of = {(f["organization_id"], f["app_id"]): f["id"] for f in forks}
    statuses = (("production", 45), ("pilot", 12), ("installing", 8), ("planned", 15), ("suspended", 8),
                ("retired", 12))
    hostings = ("pdn", "pusat_data_daerah", "cloud", "opd_server", "other")
    deps, events = [], []
    for dep_id in range(1, size.deployments + 1):
        org = rng.choice(orgs)
        # Adoption concentrates on few apps: the shared ones and each region's own.
        app = published[int(len(published) * rng.random() ** 3)]
        status = rng.choices([s for s, _ in statuses], [w for _, w in statuses])[0]
        when = T0 + timedelta(hours=dep_id)
        deps.append({"id": dep_id, "app_id": app["id"], "organization_id": org.id,
                     "fork_id": fork_of.get((org.id, app["id"])),
                     "environment": rng.choice(("production", "staging", "pilot")),
                     "status": status, "version": f"v1.{rng.randint(0, 9)}.0", "version_commit": None,
                     "url": "", "hosting": rng.choice(hostings), "opd_units": ["Diskominfo"],
                     "go_live_on": date(2023, 1, 1) + timedelta(days=dep_id % 700) if status == "production" else None,
                     "note": "", "status_changed_at": when, "created_by_id": None, "created_at": when,
                     "updated_at": when, "confirmed_by_id": None, "confirmed_role": None, "confirmed_at": None,
                     "lag_releases": rng.randint(0, 6), "lag_commits": rng.randint(0, 300),
                     "lag_latest_release": "v1.9.0", "lag_computed_at": when})
        events.append({"deployment_id": dep_id, "at": when, "actor_id": None, "kind": "created", "field": "",
                       "from_value": "", "to_value": status, "note": ""})
    _bulk(db, Deployment.__table__, deps)
    _bulk(db, DeploymentEvent.__table__, events)


def build(size: Size, *, force: bool = False, log=print) -> dict:
    """Build (or reuse) the data dir for `size`; returns its metadata."""
    meta = None if force else load_meta(size)
    if meta:
        return meta
    data = data_dir(size)
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    rng = random.Random(2026)
    app = make_app(data)
    from catalog.extensions import db
    from seed.regions import seed_regions

    timings: dict[str, float] = {}
    with app.app_context():
        db.drop_all()  # a fresh schema (a no-op on the data dir's new SQLite file)
        db.create_all()
        started = time.perf_counter()
        seed_regions()
        db.session.commit()
        timings["seed_regions_s"] = time.perf_counter() - started
        regions, provinces, agencies = _organizations(db)
        adopters = regions + provinces
        rng.shuffle(adopters)
        _insert_users(db, adopters)
        started = time.perf_counter()
        apps = _insert_apps(db, size, regions, provinces, agencies, rng)
        db.session.commit()
        timings["insert_apps_s"] = time.perf_counter() - started
        log(f"  {len(apps)} apps inserted in {timings['insert_apps_s']:.1f} s")
        started = time.perf_counter()
        mirrors = _install_upstreams(db, size, data, apps, log)
        forks = _insert_forks(db, size, data, apps, mirrors, adopters, rng, log)
        db.session.commit()
        timings["repos_s"] = time.perf_counter() - started
        started = time.perf_counter()
        _insert_deployments(db, size, apps, forks, adopters, rng)
        db.session.commit()
        timings["insert_deployments_s"] = time.perf_counter() - started
        log(f"  {size.deployments} deployments inserted in {timings['insert_deployments_s']:.1f} s")
        from catalog.services.catalog import indexing

        started = time.perf_counter()
        count = indexing.reindex_all()
        timings["reindex_s"] = time.perf_counter() - started
        log(f"  index of {count} apps built in {timings['reindex_s']:.1f} s")
        db.session.remove()
        indexing.backend().close()
        db.engine.dispose()
    large = mirrors[0]
    meta = {"version": BUILD_VERSION, "size": size.name, "timings": timings,
            "counts": {"apps": len(apps), "published": size.apps, "forks": len(forks),
                       "deployments": size.deployments, "organizations": len(regions) + len(provinces) + len(agencies),
                       "kab_kota": len(regions)},
            "large_upstream": {"app_id": large["app_id"], "relpath": large["relpath"], "head": large["head"],
                               "bytes": large["size_bytes"], "commits": size.large_commits + size.upstream_advance},
            "onemb_upstream": {"app_id": mirrors[1]["app_id"], "relpath": mirrors[1]["relpath"],
                               "bytes": mirrors[1]["size_bytes"]},
            "divergence_fork_ids": [f["id"] for f in forks if f["app_id"] == large["app_id"]][:size.divergence_forks],
            "upstream_app_ids": [m["app_id"] for m in mirrors]}
    _meta_path(data).write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    meta = build(SIZES[args.size], force=args.force)
    print(json.dumps(meta["counts"]), f"{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
