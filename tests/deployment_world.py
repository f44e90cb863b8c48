"""Shared world for deployment and report tests: published apps with real mirrors, people, forks."""
# Publishing an app fetches its mirror (real git), the slow part; so the published apps are built
# once per session into a template data dir (database, repositories, search index) that each test
# copies, as conftest does for the regions.
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from catalog import create_app
from catalog.extensions import db
from catalog.services.accounts import users
from catalog.services.catalog import apps
from catalog.services.deployments import lifecycle as deployments
from seed.demo_repos import create_demo_repo
from tests import pg_reset
from tests.conftest import PASSWORD, _config, close_app
from tests.factories import app_payload

SPECS = {
    "simanja": {"name": "Simanja", "releases": ["v1.0.0", "v1.1.0", "v1.2.0"], "category": "employee-management",
                "publisher": "21"},
    "siap": {"name": "SIAP", "releases": ["v2.3.0"], "category": "time-tracking", "publisher": "21.72"},
    "srikandi": {"name": "Srikandi", "releases": ["v2.0.0", "v2.1.0"], "category": "document-management",
                 "publisher": "anri"},
    "simpeg": {"name": "SIMPEG", "releases": ["v5.2.0"], "category": "employee-management", "publisher": "14.71"},
    "jdih": {"name": "JDIH", "releases": ["v4.0.0"], "category": "knowledge-management", "publisher": "14.71"},
}
PUBLISHED = ("simanja", "siap", "srikandi", "simpeg")  # in the template; jdih is left for tests


def build_source(path: Path, slug: str, releases: list[str] | None = None) -> Path:
    spec = SPECS[slug]
    return create_demo_repo(path, {
        "slug": slug, "name": spec["name"], "releases": releases or spec["releases"],
        "short_description_id": f"{spec['name']} untuk uji.", "category": spec["category"],
        "development_status": "stable", "license": "MIT", "features": ["Modul utama"], "platforms": ["web"]})


# Each test module that imports these fixtures gets its own copy of them, session scope or not;
# this cache makes the slow builds happen once per session all the same.
_BUILT: dict[str, object] = {}
# PostgreSQL: per build, a copy of the first test's data dir and a snapshot of its rows
_PG_BUILT: dict[str, tuple[Path, pg_reset.Snapshot]] = {}


@pytest.fixture(scope="session")
def source_repos(tmp_path_factory) -> dict[str, Path]:
    if "sources" not in _BUILT:
        root = tmp_path_factory.mktemp("deploy-sources")
        _BUILT["sources"] = {slug: build_source(root / f"{slug}.git", slug) for slug in SPECS}
    return _BUILT["sources"]


class World:
    """People and apps for one test; everything goes through the services."""

    def __init__(self, source_repos: dict[str, Path]):
        self.sources = source_repos
        self.admin = self.user("admin", "komdigi")

    def user(self, role: str, org: str):
        email = f"{role}-{org.replace('.', '-')}@dunia.go.id"
        return users.get_by_email(email) or users.create_user(
            email=email, name=f"{role.capitalize()} {org}", org_code=org, role=role, password=PASSWORD)

    def publish(self, slug: str, repo: Path | None = None, repo_url: str | None = None):
        """Publish an app; with a local repo its mirror is fetched at once (jobs run inline in tests)."""
        spec = SPECS[slug]
        url = repo_url or str(repo or self.sources[slug])
        apps.create_app(app_payload(name=spec["name"], slug=slug, category=spec["category"], repo_url=url),
                        actor=self.admin, org_code=spec["publisher"])
        apps.submit_app(slug, actor=self.user("publisher", spec["publisher"]))
        return apps.publish_app(slug, actor=self.admin)

    def deploy(self, org: str, slug: str, *, status: str = "production", version: str | None = None, **fields):
        data = {"environment": "production", "status": status, "hosting": "pusat_data_daerah",
                "version": version or SPECS[slug]["releases"][-1], **fields}
        return deployments.create_deployment(data, actor=self.user("adopter", org), app_slug=slug, org_code=org)


def _publish_all(world: World) -> dict:
    for slug in PUBLISHED:
        world.publish(slug)
    return {}


def _publish_and_deploy(world: World) -> dict:
    _publish_all(world)
    return build_scenario(world)


def _template(tmp_path_factory, seeded_template, source_repos, build) -> Path | None:
    """A data dir built once; None on PostgreSQL (there the world is built per test)."""
    if seeded_template is None:
        return None
    if build.__name__ in _BUILT:
        return _BUILT[build.__name__]
    data_dir = tmp_path_factory.mktemp("deploy-world") / "data"
    data_dir.mkdir()
    shutil.copy(seeded_template, data_dir / "catalog.sqlite3")
    application = create_app(_config(data_dir))
    with application.app_context():
        ids = build(World(source_repos))
        (data_dir / "scenario.json").write_text(json.dumps(ids))
        close_app(application)
    _BUILT[build.__name__] = data_dir
    return data_dir


@pytest.fixture(scope="session")
def world_template(tmp_path_factory, seeded_template, source_repos):
    return _template(tmp_path_factory, seeded_template, source_repos, _publish_all)


@pytest.fixture(scope="session")
def scenario_template(tmp_path_factory, seeded_template, source_repos):
    return _template(tmp_path_factory, seeded_template, source_repos, _publish_and_deploy)


def _app_from(template: Path | None, tmp_path: Path, source_repos, build):
    """Like conftest's `app`, started from a template (a module overrides `app` with it)."""
    data_dir = tmp_path / "data"
    if template is not None:
        # Git and Whoosh replace files rather than edit them, so hard links are safe and quick;
        # the database is written in place, so it gets a real copy.
        shutil.copytree(template, data_dir, symlinks=True, copy_function=os.link,
                        ignore=shutil.ignore_patterns("catalog.sqlite3*"))
        shutil.copy(template / "catalog.sqlite3", data_dir / "catalog.sqlite3")
    elif build.__name__ in _PG_BUILT:  # PostgreSQL: the files as above, the rows put back
        shutil.copytree(_PG_BUILT[build.__name__][0], data_dir, symlinks=True, copy_function=os.link)
    else:
        data_dir.mkdir()
    application = create_app(_config(data_dir))
    with application.app_context():
        if template is None and build.__name__ in _PG_BUILT:
            pg_reset.fresh_schema()
            pg_reset.restore(_PG_BUILT[build.__name__][1])
        elif template is None:  # PostgreSQL, first time in this process: build the world, keep it
            pg_reset.fresh_schema()
            (data_dir / "scenario.json").write_text(json.dumps(build(World(source_repos))))
            if pg_reset.can_restore():
                kept = tmp_path.parent / f"pg-world-{build.__name__}"
                shutil.copytree(data_dir, kept, symlinks=True)
                _PG_BUILT[build.__name__] = (kept, pg_reset.snapshot())
        yield application
        if template is None:
            db.session.remove()
            pg_reset.clear_rows()
        close_app(application)


@pytest.fixture
def world_app(tmp_path, world_template, source_repos):
    """The PUBLISHED apps with their mirrors; no deployments yet."""
    yield from _app_from(world_template, tmp_path, source_repos, _publish_all)


@pytest.fixture
def scenario_app(tmp_path, scenario_template, source_repos):
    """The published apps plus the deployments of build_scenario()."""
    yield from _app_from(scenario_template, tmp_path, source_repos, _publish_and_deploy)


@pytest.fixture
def world(app, source_repos) -> World:
    """Needs the module to override `app` with `world_app` or `scenario_app`."""
    return World(source_repos)


@pytest.fixture
def scenario(app) -> dict:
    """Ids made by build_scenario(), for modules whose `app` is `scenario_app`."""
    return json.loads((Path(app.config["DATA_DIR"]) / "scenario.json").read_text())


def build_scenario(world: World) -> dict:
    """A fixture with known counts (see tests/services/test_reports.py for the expected figures)."""
    from datetime import date

    from catalog.services.repos import forks

    tp_simanja = world.deploy("21.72", "simanja", go_live_on=date(2024, 7, 1))
    deployments.confirm_deployment(tp_simanja.id, actor=world.user("publisher", "21"))
    world.deploy("21.72", "siap", go_live_on=date(2023, 11, 1))
    tp_srikandi = world.deploy("21.72", "srikandi", status="installing", version="v2.0.0", environment="pilot")
    deployments.change_status(tp_srikandi.id, "pilot", actor=world.user("adopter", "21.72"))
    world.deploy("21.01", "siap", status="planned")
    world.deploy("14.71", "simanja", version="v1.0.0", go_live_on=date(2022, 3, 1))
    tabalong = world.deploy("63.09", "srikandi", version="v2.0.0", go_live_on=date(2023, 2, 1))
    for status in ("suspended", "retired"):
        deployments.change_status(tabalong.id, status, actor=world.user("adopter", "63.09"))
    fork = forks.create_fork("simanja", actor=world.user("adopter", "21.72"))
    return {"tp_simanja": tp_simanja.id, "tp_srikandi": tp_srikandi.id, "fork": fork.id}
