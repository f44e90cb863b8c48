"""Retake the README's screenshots from the demo data: `python -m tests.browser.screenshots`.

Seeds the demo catalog as `make run` does (`flask db upgrade`, `flask catalog seed --demo`, the
story of seed/) in a temporary data dir, serves it on 127.0.0.1 and photographs a few pages with
headless Chromium (Playwright, as the browser tests do), 1280 px wide and one screen high so that
each PNG stays small (the script refuses one over 150 KB), into docs/screenshots/ (or the folder
given with --out).
"""
from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from werkzeug.serving import make_server

from tests.browser.conftest import CHROMIUM_ARGS, PASSWORDS, ROOT, _chromium
from tests.demo_template import seed_like_make_run

MAX_BYTES = 150_000
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
TP_ADOPTER, AUDITOR = "adopsi@tanjungpinangkota.go.id", "auditor@kepriprov.go.id"


def _serve_demo(data_dir: Path):
    from catalog import create_app
    from catalog.extensions import db
    from tests.conftest import _config

    app = create_app({**_config(data_dir), "WTF_CSRF_ENABLED": True, "TESTING": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{data_dir / 'catalog.sqlite3'}"})
    with app.app_context():
        ids = _ids()
        db.session.remove()
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_port}", ids


def _ids() -> dict[str, int]:
    from catalog.extensions import db
    from catalog.models import App, Fork, Organization

    fork = db.session.execute(db.select(Fork.id).join(App, App.id == Fork.app_id).join(
        Organization, Organization.id == Fork.organization_id).where(
        App.slug == "simanja", Organization.code == "21.72")).scalar_one()
    return {"fork": fork}


# (file, path, who signs in, language, viewport)
def _shots(ids: dict[str, int]) -> list[tuple[str, str, str | None, str, dict]]:
    return [
        ("beranda", "/", None, "id", DESKTOP),
        ("organisasi", "/organizations/21.72", None, "id", DESKTOP),
        ("adopsi", "/apps/simanja/adopsi", "adopsi@pekanbaru.go.id", "id", DESKTOP),
        ("salinan", f"/forks/{ids['fork']}", TP_ADOPTER, "id", DESKTOP),
        ("daerah-saya", "/my/region", TP_ADOPTER, "id", DESKTOP),
        ("laporan", "/reports", AUDITOR, "id", DESKTOP),
        ("english", "/deployments", None, "en", DESKTOP),
        ("ponsel-aplikasi", "/apps/simanja", None, "id", PHONE),
    ]


def _sign_in(page, email: str) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORDS[email.split("@")[0]])
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def take(out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    chromium = _chromium()
    if chromium is None:
        sys.exit("Chromium not found: apt-get install chromium, or set CATALOG_CHROMIUM")
    data_dir = Path(tempfile.mkdtemp(prefix="catalog-screenshots-")) / "data"
    seed_like_make_run(data_dir)
    httpd, url, ids = _serve_demo(data_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
            for name, path, who, lang, viewport in _shots(ids):
                context = browser.new_context(base_url=url, viewport=viewport,
                                              locale={"id": "id-ID", "en": "en-US"}[lang])
                page = context.new_page()
                if who:
                    _sign_in(page, who)
                page.goto(path)
                page.wait_for_load_state("networkidle")
                target = out / f"{name}.png"
                page.screenshot(path=str(target), full_page=False)
                context.close()
                size = target.stat().st_size
                if size > MAX_BYTES:
                    sys.exit(f"{target} is {size} bytes, over {MAX_BYTES}: choose a calmer page or a smaller view")
                written.append(target)
            browser.close()
    finally:
        httpd.shutdown()
        shutil.rmtree(data_dir.parent, ignore_errors=True)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    for path in take(parser.parse_args().out):
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
