"""The last weeks of the demo's story (October and November 2026): upstream releases that came
after the regions had copied and deployed the apps, and entries still in review.

After these releases the deployments on older versions show "tertinggal" and the copies are behind:
Bintan's SIAP and Solok's SI Cegah Stunting can be brought up to date by a fast-forward,
Tanjung Pinang's SLiMS by a clean merge, and Tanjung Pinang's Simanja only after resolving a real
conflict (its README.md was rewritten by the region and by the release). Retired deployments are
left as they were: their lag is not recomputed.
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from catalog.extensions import db
from catalog.models import App, Release
from catalog.services.accounts import users
from catalog.services.catalog import mirror_requests

from .demo_apps import DEMO_APPS
from .demo_repos import add_release
from .index_once import index_applied_once
from .story_clock import at, story_time

# (day, app, new upstream tag)
LATER_RELEASES = (
    ("2026-10-01", "simanja", "v1.3.0"),
    ("2026-10-12", "slims", "v9.7.0"),
    ("2026-10-19", "siap", "v2.4.0"),
    ("2026-11-02", "si-cegah-stunting", "v1.1.0"),
)


def _spec(slug: str) -> dict:
    return next(s for s in DEMO_APPS if s["slug"] == slug)


def _release_upstream(slug: str, tag: str, day: str) -> None:
    app = db.session.execute(db.select(App).where(App.slug == slug)).scalar_one_or_none()
    if app is None or db.session.execute(db.select(Release.id).where(Release.app_id == app.id,
                                                                     Release.name == tag)).first():
        return  # a partial demo, or released before
    released = at(day, 16)
    source = Path(app.repo_url)
    add_release(source, _spec(slug), tag, released)
    with story_time(released + timedelta(hours=2)):  # the catalog's scheduled fetch notices it
        mirror_requests.queue_fetch(app.id)


def _register_late(slug: str) -> None:
    from .demo import DEMO_USERS, register_app

    if db.session.execute(db.select(App.id).where(App.slug == slug)).first():
        return
    first = db.session.execute(db.select(App).where(App.repo_url != "").order_by(App.id)).scalars().first()
    if first is None:
        return
    register_app(_spec(slug), Path(first.repo_url).parent, admin=users.get_by_email(DEMO_USERS[0][0]))


def seed_recent_weeks() -> None:
    steps = [(day, "release", (slug, tag)) for day, slug, tag in LATER_RELEASES]
    steps += [(spec["verified_on"], "register", spec["slug"]) for spec in DEMO_APPS if spec.get("recent")]
    with index_applied_once():
        for day, kind, what in sorted(steps, key=lambda s: s[0]):
            if kind == "release":
                _release_upstream(*what, day)
            else:
                _register_late(what)
