"""WCAG 2.1 AA (axe-core in the browser) on the main pages in both languages, no sideways scrolling
at 360 px, keyboard entry through the skip link, and the weight of each page (HTML+CSS+JS)."""
from __future__ import annotations

import pytest

from tests.browser.conftest import login, page_weight, record, run_axe, shot

# A real browser against the demo server that the session builds once, on one xdist worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def ids(server):
    from catalog.extensions import db
    from catalog.models import App, Deployment, Fork, Organization

    with server["app"].app_context():
        fork = db.session.execute(db.select(Fork.id).join(App, App.id == Fork.app_id).join(
            Organization, Organization.id == Fork.organization_id).where(
            App.slug == "simanja", Organization.code == "21.72")).scalar_one()
        dep = db.session.execute(db.select(Deployment.id).order_by(Deployment.id)).scalars().first()
        db.session.remove()
    return {"fork": fork, "deployment": dep}


def _pages(ids) -> list[tuple[str, str, str | None]]:
    """(name, path, who signs in)."""
    return [("home", "/", None), ("catalog", "/apps?q=arsip", None), ("app", "/apps/simanja", None),
            ("adoption", "/apps/simanja/adopsi", "adopsi@tanjungpinangkota.go.id"),
            ("fork", f"/forks/{ids['fork']}", "adopsi@tanjungpinangkota.go.id"),
            ("deployments", "/deployments", "adopsi@tanjungpinangkota.go.id"),
            ("deployment", f"/deployments/{ids['deployment']}", "adopsi@tanjungpinangkota.go.id"),
            ("report", "/reports", "auditor@kepriprov.go.id"),
            ("evidence", "/reports/evidence/21.72", "auditor@kepriprov.go.id")]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_main_pages_pass_axe_and_fit_a_phone(audit_page, ids, lang):
    page, signed_in, failures = audit_page, None, {}
    page.goto("/")
    if lang == "en":
        page.click(".lang-switch [data-lang=en]")
        page.wait_for_selector("html[lang=en]")
    for name, path, who in _pages(ids):
        if who != signed_in:
            if signed_in:
                page.click("nav form button[type=submit]")  # Keluar / Sign out
                page.wait_for_load_state()
            if who:
                login(page, who)
                # The account may keep a language stored by another test (the language journey):
                # this session's own switch (a GET, which stores nothing on the account) governs.
                page.goto(f"/lang/{lang}?next=/")
                page.wait_for_selector(f"html[lang={lang}]")
            signed_in = who
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(path)
        assert page.get_attribute("html", "lang") == lang
        violations = run_axe(page)
        weight = page_weight(page)
        page.set_viewport_size(PHONE)
        page.goto(path)
        overflow = page.evaluate("document.scrollingElement.scrollWidth")
        if lang == "id":
            shot(page, f"hp-{name}", full_page=False)
        record(f"{name}:{lang}", {"path": path, "violations": violations, "weight": weight,
                                   "scroll_width_360": overflow})
        if violations or overflow > PHONE["width"]:
            failures[name] = {"violations": violations, "scroll_width": overflow}
    assert not failures, failures


def test_keyboard_reaches_the_content_first(page):
    page.goto("/apps/simanja")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#isi"
    page.keyboard.press("Tab")  # the next stop is inside the main content, past the menu
    assert page.evaluate("document.activeElement.closest('main') !== null")
