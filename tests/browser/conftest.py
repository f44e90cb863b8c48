"""Real-browser fixtures: the catalog with demo data served on 127.0.0.1, Debian's Chromium driven by
Playwright, screenshots kept in test-artifacts/screenshots/, axe-core injected for accessibility."""
from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from seed.demo_copy import copy_demo_data
from tests.conftest import _config, close_app

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SHOTS = ARTIFACTS / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PASSWORDS = {"admin": "admin-demo-2026", "penerbit": "penerbit-demo-2026", "adopsi": "adopsi-demo-2026",
             "auditor": "auditor-demo-2026"}


def _chromium() -> str | None:
    for candidate in (os.environ.get("CATALOG_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def chromium_path() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("browser tests need the 'playwright' package (pip install -r requirements-dev.txt)")
    path = _chromium()
    if path is None:
        pytest.skip("browser tests need Chromium: apt-get install chromium (.ci/run does), or set CATALOG_CHROMIUM")
    return path


@pytest.fixture(scope="session")
def server(tmp_path_factory, chromium_path, demo_template):
    """The demo catalog (regions, users, apps with real repositories, forks, deployments) on a
    threaded server; CSRF on, as in production; background jobs run inline. A copy of the run's
    demo as `make run` seeds it (tests/demo_template.py, seeded once and shared with the other
    system tests), always on SQLite: the journeys are about people, not databases (the suite
    runs on PostgreSQL too)."""
    from catalog import create_app

    data_dir = copy_demo_data(demo_template, tmp_path_factory.mktemp("browser") / "data")
    app = create_app({**_config(data_dir), "WTF_CSRF_ENABLED": True, "TESTING": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{data_dir / 'catalog.sqlite3'}"})
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{httpd.server_port}", "app": app, "data_dir": data_dir}
    httpd.shutdown()
    with app.app_context():
        close_app(app)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        try:
            instance = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        except Exception as exc:  # a broken or foreign Chromium: say so instead of failing every journey
            pytest.skip(f"Chromium at {chromium_path} could not be started: {exc}")
        yield instance
        instance.close()


def _new_page(browser, server, **options):
    context = browser.new_context(base_url=server["url"], locale="id-ID", **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.js_errors = errors
    return context, page


@pytest.fixture
def page(browser, server):
    """A fresh browser profile (no cookies) with the site's CSP enforced."""
    context, page = _new_page(browser, server, viewport={"width": 1280, "height": 900})
    yield page
    context.close()


@pytest.fixture
def audit_page(browser, server):
    """A profile for axe: the CSP is bypassed only so that the checker's script can be injected."""
    context, page = _new_page(browser, server, viewport={"width": 1280, "height": 900}, bypass_csp=True)
    yield page
    context.close()


def login(page, email: str) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORDS[email.split("@")[0]])
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:2000]


def shot(page, name: str, *, full_page: bool = True) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def run_axe(page) -> list[dict]:
    """WCAG 2.1 A and AA violations on the current page (axe-core, vendored, never from a CDN)."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})""")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


def page_weight(page) -> dict[str, int]:
    """Bytes of the page's HTML and of the CSS and JS it links (uncompressed, as a cold cache loads them)."""
    return page.evaluate("""async () => {
        const size = async (url) => (await (await fetch(url, {cache: 'no-store'})).arrayBuffer()).byteLength;
        const css = [...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.href);
        const js = [...document.querySelectorAll('script[src]')].map(s => s.src);
        const out = {html: await size(location.href), css: 0, js: 0, requests: 1 + css.length + js.length};
        for (const url of css) { out.css += await size(url); }
        for (const url of js) { out.js += await size(url); }
        out.total = out.html + out.css + out.js;
        return out;
    }""")


def record(name: str, data: dict) -> None:
    """Results for docs/accessibility.md, gathered in test-artifacts/accessibility.json."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "accessibility.json"
    current = json.loads(path.read_text()) if path.exists() else {}
    current[name] = data
    path.write_text(json.dumps(current, indent=2, ensure_ascii=False))


LOCALES = {"id": "id-ID", "en": "en-US"}


@pytest.fixture
def open_as(browser, server):
    """open_as(lang, email=None, password=None): a fresh profile whose browser asks for `lang`,
    signed in when an e-mail is given; every page must be in that language."""
    contexts = []

    def open_page(lang: str, email: str | None = None, password: str | None = None):
        context = browser.new_context(base_url=server["url"], locale=LOCALES[lang],
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.js_errors = []
        page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
        if email:
            page.goto("/login")
            page.fill("#email", email)
            page.fill("#password", password or PASSWORDS[email.split("@")[0]])
            page.click("main button[type=submit]")
            page.wait_for_load_state()
            assert "/login" not in page.url, page.inner_text("main")[:1500]
        else:
            page.goto("/")
        assert page.get_attribute("html", "lang") == lang
        return page

    yield open_page
    for context in contexts:
        context.close()
