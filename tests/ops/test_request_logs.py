"""Issue 17, item 3: one JSON line per request (CATALOG_LOG_FORMAT=json), request ids, job lines
that name the request that queued them, and never a token, password or cookie in the log."""
from __future__ import annotations

import json
import logging

import pytest

from catalog import create_app
from catalog.extensions import db
from catalog.jobs.queue import queue
from catalog.services.accounts import tokens
from catalog.web import observe
from tests.conftest import PASSWORD, IsolatedClient, _config
from tests.factories import app_payload


@pytest.fixture
def json_app(tmp_path, seeded_template, app):
    """The test app, logging JSON lines; the process's logging is put back afterwards. A
    migration test run earlier in this process (alembic's fileConfig) disables the loggers that
    existed then: as a fresh process would have them, they are enabled for the test."""
    root, ours = logging.getLogger(), logging.getLogger("catalog")
    level = ours.level
    disabled = [logger for name, logger in logging.root.manager.loggerDict.items()
                if name.startswith("catalog") and isinstance(logger, logging.Logger) and logger.disabled]
    for logger in disabled:
        logger.disabled = False
    app.config["LOG_FORMAT"] = "json"
    observe.configure_logging(app)
    yield app
    handler = observe.json_handler()
    if handler is not None:
        root.removeHandler(handler)
    ours.setLevel(level)
    for logger in disabled:
        logger.disabled = True


@pytest.fixture
def json_client(json_app):
    json_app.test_client_class = IsolatedClient
    return json_app.test_client()


def _lines(capsys) -> list[dict]:
    captured = capsys.readouterr()
    out = []
    for line in (captured.err + captured.out).splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def _requests(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "catalog.request"]


def test_one_json_line_per_request_with_its_id_sent_back(json_client, capsys):
    r = json_client.get("/api/v1/apps/tidak-ada")
    lines = _requests(_lines(capsys))
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == r.headers["X-Request-Id"] and len(line["request_id"]) == 32
    assert line["method"] == "GET" and line["path"] == "/api/v1/apps/<slug>" and line["status"] == 404
    assert isinstance(line["duration_ms"], float) and line["user_id"] is None and line["org"] is None


def test_a_valid_incoming_request_id_is_kept_an_invalid_one_replaced(json_client, capsys):
    kept = json_client.get("/healthz", headers={"X-Request-Id": "nginx-4f2a9c1d0e"})
    assert kept.headers["X-Request-Id"] == "nginx-4f2a9c1d0e"
    replaced = json_client.get("/healthz", headers={"X-Request-Id": "bad id; with spaces"})
    assert replaced.headers["X-Request-Id"] != "bad id; with spaces" and len(replaced.headers["X-Request-Id"]) == 32
    assert [line["request_id"] for line in _requests(_lines(capsys))] == [
        "nginx-4f2a9c1d0e", replaced.headers["X-Request-Id"]]


def test_signed_in_requests_name_the_user_and_organization(json_client, make_user, capsys):
    user = make_user("adopter", "21.72")
    json_client.post("/login", data={"email": user.email, "password": PASSWORD})
    json_client.get("/deployments")
    line = _requests(_lines(capsys))[-1]
    assert line["path"] == "/deployments" and line["status"] == 200
    assert line["user_id"] == user.id and line["org"] == "21.72"


def test_no_token_password_cookie_or_query_secret_reaches_the_log(json_client, make_user, capsys):
    user = make_user("publisher", "21")
    _row, token = tokens.create_token(user, label="uji", actor=user, scopes=("read", "write"))
    password = "kata-sandi-RAHASIA-991"
    capsys.readouterr()

    api = json_client.post("/api/v1/apps?access_token=query-RAHASIA-774", json=app_payload(name="Simanja"),
                           headers={"Authorization": f"Bearer {token}"})
    wrong = json_client.post("/login", data={"email": user.email, "password": password})
    signed_in = json_client.post("/login", data={"email": user.email, "password": PASSWORD})
    cookie = json_client.get_cookie("session")
    page = json_client.get("/deployments", headers={"Cookie": f"session={cookie.value}"})
    bad_token = json_client.post("/api/v1/apps", json={}, headers={"Authorization": "Bearer kbp_TIDAK-SAH-RAHASIA"})

    assert api.status_code == 201 and wrong.status_code == 401 and signed_in.status_code == 302
    assert page.status_code == 200 and bad_token.status_code == 401 and cookie is not None
    captured = capsys.readouterr()
    output = captured.err + captured.out
    lines = _requests([json.loads(x) for x in output.splitlines() if x.startswith("{")])
    assert [(line["path"], line["status"]) for line in lines] == [
        ("/api/v1/apps", 201), ("/login", 401), ("/login", 302), ("/deployments", 200), ("/api/v1/apps", 401)]
    assert lines[0]["user_id"] == user.id and lines[3]["user_id"] == user.id
    for secret in (token, password, PASSWORD, cookie.value, "query-RAHASIA-774", "kbp_TIDAK-SAH-RAHASIA",
                   "access_token", "Bearer"):
        assert secret not in output, secret


def test_a_job_line_carries_the_id_of_the_request_that_queued_it(json_app, json_client, make_user, capsys):
    publisher = make_user("publisher", "21")
    admin = make_user("admin", "komdigi")
    _row, publisher_token = tokens.create_token(publisher, label="uji", actor=publisher, scopes=("read", "write"))
    _row, admin_token = tokens.create_token(admin, label="uji", actor=admin, scopes=("read", "write"))
    json_client.post("/api/v1/apps", json=app_payload(name="Simanja", slug="simanja"),
                     headers={"Authorization": f"Bearer {publisher_token}"})
    json_client.post("/api/v1/apps/simanja/submit", headers={"Authorization": f"Bearer {publisher_token}"})
    json_app.config["JOBS_IMMEDIATE"] = False  # queued for a worker, as in production
    json_app.extensions.pop("catalog_jobs", None)
    huey = queue(json_app)
    huey.flush()
    capsys.readouterr()
    r = json_client.post("/api/v1/apps/simanja/publish", headers={"Authorization": f"Bearer {admin_token}"})
    assert r.status_code == 200, r.get_data(as_text=True)
    rid = r.headers["X-Request-Id"]
    assert huey.pending_count() >= 1
    try:
        while (task := huey.dequeue()) is not None:  # be the worker
            try:
                huey.execute(task)
            except Exception:  # noqa: BLE001 - an offline mirror fetch may fail; its line is what counts
                pass
    finally:
        huey.flush()
        db.session.rollback()
    jobs = [line for line in _lines(capsys) if line.get("job")]
    assert jobs and all(line["request_id"] == rid for line in jobs)
    assert all(line["outcome"] in ("done", "failed") and "duration_ms" in line for line in jobs)


def test_text_format_writes_no_json(tmp_path, seeded_template, capsys):
    plain = create_app({**_config(tmp_path / "data"), "LOG_FORMAT": "text"})
    assert observe.json_handler() is None
    plain.test_client().get("/healthz")
    assert not _lines(capsys)
    with plain.app_context():
        db.engine.dispose()
