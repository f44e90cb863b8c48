"""The vitality index (issue 19, item 6) on real git history with known dates, authors and tags,
real forks with their own commits, and deployments of each evidence strength; the job after a
mirror refresh; the page's chart; sort and filter through real requests to the UI and the API."""
from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from catalog.extensions import db
from catalog.models import AppVitality, AuditEvent, Deployment
from catalog.services import audit, repo_paths
from catalog.services.catalog import apps, indexing, vitality
from catalog.services.catalog.vitality_score import Facts, score
from catalog.services.deployments import lifecycle as deployments
from catalog.services.repos import forks
from catalog.services.tx import write
from catalog.vcs.activity import recent_commits
from tests.factories import app_payload

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
# (date, author, tag): the upstream's history, oldest first.
HISTORY = [
    (datetime(2025, 1, 10, 9, 0, tzinfo=UTC), "alice", None),
    (datetime(2026, 5, 15, 9, 0, tzinfo=UTC), "bob", "v1.0.0"),     # older than 180 days
    (datetime(2026, 7, 1, 9, 0, tzinfo=UTC), "alice", None),        # within 180
    (datetime(2026, 8, 20, 9, 0, tzinfo=UTC), "carol", "v1.1.0"),   # within 180
    (datetime(2026, 10, 15, 9, 0, tzinfo=UTC), "bob", None),        # within 60
    (datetime(2026, 11, 20, 9, 0, tzinfo=UTC), "alice", "v1.2.0"),  # within 60
    (datetime(2026, 11, 25, 9, 0, tzinfo=UTC), "dave", None),       # within 60
]


def _env(when: datetime, author: str) -> dict[str, str]:
    stamp = f"{int(when.timestamp())} +0000"
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/nonexistent", "LC_ALL": "C",
            "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_AUTHOR_NAME": author.title(), "GIT_AUTHOR_EMAIL": f"{author}@Kepriprov.go.id",
            "GIT_COMMITTER_NAME": author.title(), "GIT_COMMITTER_EMAIL": f"{author}@kepriprov.go.id",
            "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}


def _git(*args: str, cwd: Path | None = None, env: dict | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=env or _env(NOW, "uji"), check=True,
                          capture_output=True, text=True, timeout=60).stdout.strip()


def build_history(root: Path, history) -> Path:
    """A working repo committed at the given dates by the given authors, tags annotated at the
    same moments; returned as a bare clone (what a publisher's server would hold)."""
    work = root / "kerja"
    _git("init", "--quiet", "--initial-branch=main", str(work))
    for n, (when, author, tag) in enumerate(history):
        (work / "berkas.txt").write_text(f"perubahan {n}\n")
        _git("add", "berkas.txt", cwd=work, env=_env(when, author))
        _git("commit", "--quiet", "-m", f"perubahan {n}", cwd=work, env=_env(when, author))
        if tag:
            _git("tag", "-a", "-m", f"rilis {tag}", tag, cwd=work, env=_env(when, author))
    bare = root / "simanja.git"
    _git("clone", "--quiet", "--bare", str(work), str(bare))
    return bare


def own_commit(fork_path: Path, when: datetime) -> str:
    """A commit of the region's own on its fork's main branch, made at `when`."""
    parent = _git("--git-dir", str(fork_path), "rev-parse", "refs/heads/main")
    sha = _git("--git-dir", str(fork_path), "commit-tree", f"{parent}^{{tree}}", "-p", parent,
               "-m", "penyesuaian daerah", env=_env(when, "daerah"))
    _git("--git-dir", str(fork_path), "update-ref", "refs/heads/main", sha)
    return sha


def publish(slug: str, name: str, repo_url: str, admin, publisher):
    apps.create_app(app_payload(name=name, slug=slug, repo_url=repo_url), actor=admin, org_code="21")
    apps.submit_app(slug, actor=publisher)
    return apps.publish_app(slug, actor=admin)


@pytest.fixture
def people(make_user):
    return {"admin": make_user("admin", "komdigi"), "publisher": make_user("publisher", "21")}


@pytest.fixture
def known(app, people, make_user, tmp_path):
    """Simanja with the history above, four forks and five deployments."""
    source = build_history(tmp_path / "sumber", HISTORY)
    published = publish("simanja", "Simanja", str(source), people["admin"], people["publisher"])
    adopter = make_user("adopter", "21.72")
    when = {"maju": NOW - timedelta(days=3), "lama": NOW - timedelta(days=120),
            "kuno": NOW - timedelta(days=270), "diam": None}
    for name, at in when.items():
        fork = forks.create_fork("simanja", actor=adopter, name=name)
        if at is not None:
            own_commit(repo_paths.absolute(fork.relpath), at)
    made = {}
    for org, status in (("21.72", "production"), ("21.71", "production"), ("21.01", "pilot"),
                        ("21.02", "production"), ("21.03", "planned")):
        made[org] = deployments.create_deployment(
            {"environment": "production", "status": status, "hosting": "pdn", "version": "v1.2.0"},
            actor=make_user("adopter", org), app_slug="simanja", org_code=org).id
    deployments.confirm_deployment(made["21.71"], actor=people["publisher"])
    with write():  # what a heartbeat stores (H19's API): the running system's own report
        db.session.get(Deployment, made["21.01"]).last_seen_at = NOW - timedelta(days=2)
        db.session.get(Deployment, made["21.02"]).last_seen_at = NOW - timedelta(days=40)  # too old
        db.session.get(Deployment, made["21.03"]).last_seen_at = NOW - timedelta(days=1)  # planned
    return published


def test_vitality_of_a_known_history(known):
    row = vitality.compute(known.id, now=NOW)
    assert row.components["facts"] == {
        "commits_60": 3, "commits_180": 5, "authors_60": 3, "authors_180": 4,
        "releases_60": 1, "releases_180": 2, "age_days": 690,
        "active_forks_60": 1, "active_forks_180": 2,
        "deployments_declared": 2, "deployments_confirmed": 1, "deployments_observed": 1}
    assert row.components["points"] == {"activity": 3.5, "community": 10.8, "releases": 11.7,
                                        "longevity": 4.7, "forks": 9.2, "deployments": 16.7}
    assert row.score == 57 and row.error == "" and row.components["capped"] is False
    assert row.series == [{"month": "2026-07", "commits": 1}, {"month": "2026-08", "commits": 1},
                          {"month": "2026-09", "commits": 0}, {"month": "2026-10", "commits": 1},
                          {"month": "2026-11", "commits": 2}, {"month": "2026-12", "commits": 0}]
    assert row.computed_at == NOW
    events = lambda: db.session.execute(  # noqa: E731
        db.select(AuditEvent.data).where(AuditEvent.action == "app.vitality").order_by(AuditEvent.seq)).scalars().all()
    assert len(events()) == 2 and '"score":57' in events()[-1]  # the publish's first score, then this one
    vitality.compute(known.id, now=NOW + timedelta(hours=1))  # nothing shown changed: no event
    assert len(events()) == 2


def test_the_walk_stops_at_its_cap(known):
    mirror = repo_paths.absolute(known.mirror.relpath)
    capped = recent_commits(mirror, NOW - timedelta(days=180), limit=2)
    assert [c.author for c in capped.commits] == ["dave@kepriprov.go.id", "alice@kepriprov.go.id"]
    assert capped.capped is True
    assert recent_commits(mirror, NOW - timedelta(days=180), limit=6).capped is False


def test_observed_counts_most_and_parts_saturate():
    base = Facts(deployments_declared=4)
    assert score(Facts(deployments_observed=1))[0] > score(Facts(deployments_confirmed=1))[0] \
        > score(Facts(deployments_declared=1))[0]
    assert score(base)[1]["points"]["deployments"] == round(25 * 4 / 12, 1)
    full = Facts(commits_60=10_000, commits_180=10_000, authors_60=500, authors_180=500, releases_60=50,
                 releases_180=50, age_days=9000, active_forks_60=40, active_forks_180=40, deployments_observed=100)
    assert score(full)[0] == 100 and score(Facts())[0] == 0


def test_a_mirror_refresh_recomputes_the_index(app, people, client, token_for, tmp_path):
    now = datetime.now(UTC)
    recent = [(now - timedelta(days=400), "alice", "v1.0.0"), (now - timedelta(days=10), "bob", None)]
    source = build_history(tmp_path / "sumber", recent)
    published = publish("simanja", "Simanja", str(source), people["admin"], people["publisher"])
    first = vitality.for_app(published.id)  # the publish fetched the mirror, the job followed
    assert first is not None and first.components["facts"]["commits_60"] == 1
    first_at = first.computed_at
    work = tmp_path / "sumber" / "kerja"
    (work / "berkas.txt").write_text("baru\n")
    _git("commit", "--quiet", "-am", "baru", cwd=work, env=_env(now - timedelta(days=1), "carol"))
    _git("push", "--quiet", str(source), "main", cwd=work)
    r = client.post("/api/v1/apps/simanja/refresh", headers=token_for(people["publisher"]))
    assert r.status_code == 202
    db.session.expire_all()
    again = vitality.for_app(published.id)
    assert again.components["facts"]["commits_60"] == 2 and again.components["facts"]["authors_60"] == 2
    assert again.computed_at > first_at
    body = client.get("/api/v1/apps/simanja").json
    assert body["vitality"]["score"] == again.score
    assert body["vitality"]["components"]["facts"]["commits_60"] == 2
    assert body["vitality"]["computed_at"] == again.computed_at.isoformat()


def test_the_daily_sweep_queues_old_and_missing_rows(known):
    vitality.compute(known.id, now=NOW)  # a row dated NOW (days ago for the real clock)
    assert vitality.queue_daily(now=NOW + timedelta(hours=1)) == 0
    assert vitality.queue_daily() == 1  # real time: older than a day, recomputed inline
    db.session.expire_all()
    assert vitality.for_app(known.id).computed_at > NOW


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_app_page_draws_the_series_with_a_text_equivalent(known, client, lang):
    vitality.compute(known.id, now=NOW)
    client.get(f"/lang/{lang}")
    html = client.get("/apps/simanja").get_data(as_text=True)
    section = html.split('<section class="vitality"', 1)[1].split("</section>", 1)[0]
    assert section.count("<rect ") == 6 and 'role="img"' in section
    assert "<td>2026-11</td><td>2</td>" in section
    if lang == "id":
        assert "57 dari 100" in section and "Commit per bulan, enam bulan terakhir: 1, 1, 0, 1, 2, 0" in section
        assert "1 terpantau, 1 dikonfirmasi, 2 dinyatakan" in section
        assert "1 rilis dalam 60 hari, 2 dalam 180 hari" in section
    else:
        assert "57 out of 100" in section and "Commits per month, last six months: 1, 1, 0, 1, 2, 0" in section
        assert "1 observed, 1 confirmed, 2 declared" in section
        # one of each word when the count is one (issue 15, item 5): "1 release", not "1 releases"
        assert "3 commits in 60 days, 5 in 180 days" in section and "3 authors in 60 days, 4 in 180 days" in section
        assert "1 release in 60 days, 2 in 180 days" in section


def _store(app_id: int, value: int) -> None:
    """A computed row, as the worker writes it (the computation itself is tested above): a
    changed score is an audit event, which moves the data version that caches follow."""
    with write():
        row = db.session.get(AppVitality, app_id) or AppVitality(app_id=app_id)
        row.score, row.components, row.series, row.computed_at = value, {"facts": {}, "points": {}}, [], NOW
        db.session.add(row)
        audit.record(None, "app.vitality", "app", app_id, {"score": value})
        indexing.mark_dirty(app_id)
    indexing.apply_soon()


@pytest.fixture
def three(app, people):
    """Three published apps (mirrors unreachable offline): scores 20, 80 and none."""
    ids = {}
    for slug, name in (("arsipku", "Arsipku"), ("berkasku", "Berkasku"), ("catatku", "Catatku")):
        ids[slug] = publish(slug, name, f"https://git.tidak-ada.go.id/{slug}.git",
                            people["admin"], people["publisher"]).id
    _store(ids["arsipku"], 20)
    _store(ids["berkasku"], 80)
    return ids


def _slugs(items) -> list[str]:
    return [a["slug"] for a in items]


def test_api_sorts_and_filters_by_vitality(three, client):
    assert _slugs(client.get("/api/v1/apps").json["items"]) == ["arsipku", "berkasku", "catatku"]
    body = client.get("/api/v1/apps?sort=vitality").json
    assert _slugs(body["items"]) == ["berkasku", "arsipku", "catatku"]
    assert body["items"][0]["vitality"]["score"] == 80 and body["items"][2]["vitality"] is None
    body = client.get("/api/v1/apps?min_vitality=50").json
    assert _slugs(body["items"]) == ["berkasku"] and body["total"] == 1
    body = client.get("/api/v1/apps?min_vitality=0&sort=vitality").json
    assert _slugs(body["items"]) == ["berkasku", "arsipku"] and body["total"] == 2
    body = client.get("/api/v1/apps?q=kearsipan&sort=vitality").json  # every app's description
    assert _slugs(body["items"]) == ["berkasku", "arsipku", "catatku"]
    assert _slugs(client.get("/api/v1/apps?q=kearsipan&min_vitality=21").json["items"]) == ["berkasku"]
    for bad in ("min_vitality=abc", "min_vitality=101", "min_vitality=-1", "sort=acak"):
        r = client.get(f"/api/v1/apps?{bad}")
        assert r.status_code == 422 and r.is_json, bad  # the API's answer to every invalid field
        assert bad.split("=")[0] in str(r.json), r.json


def test_a_new_score_shows_in_the_next_list(three, client):
    assert _slugs(client.get("/api/v1/apps?sort=vitality").json["items"])[0] == "berkasku"
    _store(three["catatku"], 95)
    assert _slugs(client.get("/api/v1/apps?sort=vitality").json["items"])[0] == "catatku"
    assert "Vitalitas 95/100" in client.get("/apps?sort=vitality").get_data(as_text=True)
    _store(three["arsipku"], 95)  # a tie: the older entry first
    assert _slugs(client.get("/api/v1/apps?sort=vitality").json["items"]) == ["arsipku", "catatku", "berkasku"]


def test_catalog_page_sorts_and_filters_by_vitality(three, client):
    html = client.get("/apps?sort=vitality").get_data(as_text=True)
    order = [html.index(f"/apps/{slug}\"") for slug in ("berkasku", "arsipku", "catatku")]
    assert order == sorted(order)
    assert '<option value="vitality" selected>' in html and "Vitalitas 80/100" in html
    html = client.get("/apps?min_vitality=50").get_data(as_text=True)
    assert "/apps/berkasku\"" in html and "/apps/arsipku\"" not in html and "1 aplikasi" in html
    assert 'name="min_vitality" type="number"' in html and 'value="50"' in html
    r = client.get("/apps?min_vitality=seratus")
    assert r.status_code == 400 and "Vitalitas minimal harus bilangan bulat 0–100." in r.get_data(as_text=True)


def test_the_sweep_runs_once_a_day(app):
    from catalog.jobs.queue import queue

    def due(hour: int, minute: int) -> list[str]:
        return [t.name for t in queue(app).read_periodic(datetime(2026, 12, 7, hour, minute))]

    assert "vitality.sweep" in due(2, 30)
    assert not any("vitality.sweep" in due(h, m) for h in range(24) for m in (0, 15, 29, 31, 45) if (h, m) != (2, 30))
