"""Fixtures: a fresh app, database and data dir per test (flaskr style), plus users and tokens."""
from __future__ import annotations

import contextlib
import contextvars
import os
import shutil
import socket
import threading
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import MemcachedBytecodeCache
from werkzeug.serving import make_server

from catalog import create_app
from catalog.extensions import db
from catalog.services.accounts import tokens, users
from seed.demo_copy import copy_demo_data
from tests import pg_reset, routing_memo, sql_memo
from tests.demo_template import build_demo_template

routing_memo.install()
sql_memo.install()


class _SharedBytecode:
    """A dict as Jinja's memcached-style client: the apps of one test process share compiled
    templates (Jinja checks each entry against the template's source), where each fresh app
    would otherwise parse and compile every template it renders again (~5 s per 350 tests)."""

    def __init__(self):
        self._entries: dict[str, bytes] = {}

    def get(self, key):
        return self._entries.get(key)

    def set(self, key, value, timeout=None):
        self._entries[key] = value


TEMPLATE_BYTECODE = MemcachedBytecodeCache(_SharedBytecode())
_create_jinja_environment = Flask.create_jinja_environment


def _jinja_environment_sharing_bytecode(self):
    """Every app of a test process takes the shared bytecode, not only the `app` fixture's: the
    apps of tests/deployment_world.py and the tests' own compiled each template again (~400 times
    in tests/web alone)."""
    environment = _create_jinja_environment(self)
    environment.bytecode_cache = TEMPLATE_BYTECODE
    return environment


Flask.create_jinja_environment = _jinja_environment_sharing_bytecode


def _worker_database(url: str | None) -> str | None:
    """Under pytest-xdist each worker gets a database of its own on the same server (`test` ->
    `test_gw0`, `test_gw1`), made from the given one when missing: the tests drop and create all
    tables, so two workers on one database would wipe each other's. The environment variable is
    rewritten too, so that tests reading it (migrations, load smoke) use the worker's database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker or not url.startswith("postgresql"):
        return url
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(url)
    if base.database.endswith(f"_{worker}"):  # this module imported a second time (tests.conftest)
        return url
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    own = base.set(database=name).render_as_string(hide_password=False)
    os.environ["CATALOG_TEST_DATABASE_URL"] = own
    return own


TEST_DB_URL = _worker_database(os.environ.get("CATALOG_TEST_DATABASE_URL"))


def pytest_configure(config):
    """pytest-xdist hands the work out in the order pytest_collection_modifyitems leaves it, not
    biggest xdist group first: that put the browser and nginx groups first on the two workers,
    both waiting ~17 s at the start for the run's demo template (one seeding, one idle)."""
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def needs_demo_template(item) -> bool:
    return bool({"demo_template", "demo_app"} & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config, items):
    """The slow tests first, then the rest, so a long system test never starts last while the
    other worker, done, waits for it; among the slow ones, those on the run's demo template last,
    so that both workers have tests to run while it is seeded in the background
    (`_demo_template_soon`)."""
    items.sort(key=lambda item: (item.get_closest_marker("slow") is None, needs_demo_template(item)))
    if getattr(config.option, "loadgroup", False):  # an xdist worker under --dist loadgroup
        _name_xdist_groups(items)


def _name_xdist_groups(items) -> None:
    """Append `@group` to the node id of each test marked xdist_group, which is how the scheduler
    keeps a group on one worker. pytest-xdist 3.8 writes it to `item._nodeid`, which pytest 9
    no longer reads (the id comes from `item._id`): every group was split across the workers,
    each starting its own browser demo server, nginx stack and Redis tests side by side."""
    from _pytest.nodeid import NodeId

    for item in items:
        names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                        for m in item.iter_markers("xdist_group")})
        nodeid = item.nodeid
        if names and hasattr(item, "_id") and nodeid.rfind("@") <= nodeid.rfind("]"):
            item._id = NodeId.parse(f"{nodeid}@{'_'.join(names)}")


PASSWORD = "kata-sandi-uji-123"


def offline_resolver(host, port, *args, **kwargs):
    """Tests never ask real DNS: only loopback names resolve; tests that need more pass their own."""
    if host in ("localhost", "127.0.0.1", "::1"):
        return socket.getaddrinfo(host, port, *args, **kwargs)
    raise socket.gaierror(socket.EAI_NONAME, "offline test resolver")


def _config(data_dir: Path) -> dict:
    return {
        "DATA_DIR": str(data_dir), "ENV_NAME": "testing", "TESTING": True, "SECRET_KEY": "test",
        "SQLALCHEMY_DATABASE_URI": TEST_DB_URL or f"sqlite:///{data_dir / 'catalog.sqlite3'}",
        "JOBS_IMMEDIATE": True, "ALLOW_LOCAL_REPOS": True, "WTF_CSRF_ENABLED": False,
        "DNS_RESOLVER": offline_resolver,
        "ARGON2_PARAMS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
        # The page cache stays on in tests, and keeps pages at once (in production 0.5 s after a
        # change), so that a stale page shows up as a failing test rather than a flaky one.
        "PAGE_CACHE_SETTLE": 0.0,
        "PAGE_CACHE_STALE": 0,  # no page older than the data; tests/web/test_page_cache.py turns it on
        "FRAGMENT_STALE": 0,  # fragments follow every change; tests/web/test_fragments.py turns it on
        "REPORT_MAX_AGE": 0,  # reports follow every change; tests/services/test_reports.py turns it on
    }


def close_app(application) -> None:
    """Release what an app holds (its session, its search index, its connection pool), inside its
    app context: after every test app, so no worker runs out of files or connections."""
    db.session.remove()
    search = application.extensions.get("catalog_search")
    if search is not None:
        search.close()
    db.engine.dispose()


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory) -> Path | None:
    """Regions seeded once into a SQLite file that each test copies (552 rows take a while)."""
    if TEST_DB_URL:
        return None
    data_dir = tmp_path_factory.mktemp("template")
    app = create_app(_config(data_dir))
    with app.app_context():
        from seed.regions import seed_regions
        db.create_all()
        seed_regions()
        db.session.commit()
        db.engine.dispose()
    return data_dir / "catalog.sqlite3"


@pytest.fixture(scope="session", autouse=True)
def _demo_template_soon(request, tmp_path_factory):
    """When some test of this worker will need the run's demo template, start seeding it now, in a
    thread (the work is in `flask` subprocesses), while the worker runs the tests that need none:
    seeded on first use, it kept a worker waiting ~17 s. A failure here is left to the fixture,
    which seeds again and reports it."""
    if not any(needs_demo_template(item) for item in request.session.items):
        yield
        return

    def build() -> None:
        try:
            build_demo_template(tmp_path_factory)
        except BaseException:  # noqa: BLE001 - demo_template itself reports it
            pass

    tmp_path_factory.getbasetemp()  # made here, not by two threads at once
    seeding = threading.Thread(target=build, name="demo-template", daemon=True)
    seeding.start()
    yield
    seeding.join()  # no seeding process outlives the run


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """A data dir holding the demo catalog as `make run` seeds it, once per run (on SQLite,
    whatever the suite's database): tests take their own copy with seed.demo_copy.copy_demo_data."""
    return build_demo_template(tmp_path_factory)


@pytest.fixture
def demo_app(tmp_path, request):
    """The test app on the demo catalog: a copy of the run's seeded template on SQLite; on
    PostgreSQL the test database seeded by `catalog seed --demo`."""
    if TEST_DB_URL:
        application = request.getfixturevalue("app")
        seeded = application.test_cli_runner().invoke(args=["catalog", "seed", "--demo"])
        assert seeded.exit_code == 0, seeded.output
        yield application
        return
    data_dir = copy_demo_data(request.getfixturevalue("demo_template"), tmp_path / "data")
    application = create_app(_config(data_dir))
    with application.app_context():
        yield application
        close_app(application)


@contextlib.contextmanager
def fresh_app(data_dir: Path, seeded_template: Path | None):
    """A fresh app and database on a new data dir, inside its app context (the `app` fixture's,
    and that of a module's shared world)."""
    data_dir.mkdir()
    if seeded_template:
        shutil.copy(seeded_template, data_dir / "catalog.sqlite3")
    application = create_app(_config(data_dir))
    with application.app_context():
        if TEST_DB_URL:
            pg_reset.fresh_schema()
        yield application
        if TEST_DB_URL:
            db.session.remove()
            pg_reset.clear_rows()
        close_app(application)


@pytest.fixture
def app(tmp_path, seeded_template):
    with fresh_app(tmp_path / "data", seeded_template) as application:
        yield application


class IsolatedClient(FlaskClient):
    """Runs each request outside the test's app context, so `g`, the login cache and the
    database session are fresh per request, as they are in production."""

    _isolated = False

    def open(self, *args, **kwargs):
        if self._isolated:  # a redirect being followed: already outside the test's context
            return super().open(*args, **kwargs)
        self._isolated = True
        kwargs.setdefault("buffered", True)  # read streamed bodies inside the isolated context
        try:
            response = contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            self._isolated = False
        db.session.rollback()  # the test's own session starts a fresh snapshot afterwards
        return response


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    counter = iter(range(1, 10_000))

    def make(role: str, org: str, email: str | None = None):
        email = email or f"{role}{next(counter)}-{org.replace('.', '-')}@uji.go.id"
        return users.create_user(email=email, name=f"Uji {role}", org_code=org, role=role, password=PASSWORD)

    return make


@pytest.fixture
def token_for(app):
    def make(user) -> dict[str, str]:
        _row, plain = tokens.create_token(user, label="uji", actor=user)
        return {"Authorization": f"Bearer {plain}"}

    return make


@pytest.fixture
def login(client):
    def do(user):
        return client.post("/login", data={"email": user.email, "password": PASSWORD})

    return do


@pytest.fixture
def live_server(app):
    """The app on a real loopback server (threads), for real git and HTTP clients."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # A short poll: shutdown() waits for it (0.5 s by default, paid by every test that serves).
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
