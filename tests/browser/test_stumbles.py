"""Issue 15's remaining stumbles walked in a real browser (headless Chromium, the site's CSP on):
the token page's copy button, git user name and way back to the fork; /deployments filtered by
names with suggestions, and usable on a 360 px phone."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import _new_page, login, shot

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]


def _fork_of(server, org_code: str) -> tuple[int, str]:
    from catalog.extensions import db
    from catalog.models import Fork, Organization

    with server["app"].app_context():
        row = db.session.execute(db.select(Fork.id, Fork.relpath)
                                 .join(Organization, Organization.id == Fork.organization_id)
                                 .where(Organization.code == org_code).order_by(Fork.id)).first()
        db.session.remove()
    assert row, f"the demo data gives {org_code} a fork"
    return row.id, row.relpath


def test_token_page_copies_names_the_git_user_and_leads_back_to_the_fork(browser, server):
    context, page = _new_page(browser, server, viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server["url"])
    try:
        login(page, "adopsi@tanjungpinangkota.go.id")
        fork_id, relpath = _fork_of(server, "21.72")
        page.goto(f"/forks/{fork_id}")
        page.click("text=Buat token akses untuk push")
        page.wait_for_url(re.compile(rf"/account/tokens\?fork={fork_id}$"))
        page.fill("#f-label", "laptop kantor (jurnal)")
        page.click("form.form button[type=submit]")
        page.wait_for_url(re.compile(rf"/account/tokens\?fork={fork_id}$"))  # after the redirect, still with the fork
        token = page.inner_text("#token-baru").strip()
        assert token.startswith("kbp_")
        howto = page.inner_text("#cara-push")
        assert "adopsi@tanjungpinangkota.go.id" in howto and "Username" in howto and "Password" in howto
        assert relpath in page.inner_text("#clone-fork")
        page.click("text=Salin token")
        page.wait_for_selector("#token-baru ~ .copy-status:has-text('Tersalin')")
        assert page.evaluate("navigator.clipboard.readText()") == token
        shot(page, "stumbles-token")
        page.click("#cara-push >> text=Kembali ke salinan")
        page.wait_for_url(re.compile(rf"/forks/{fork_id}$"))
        assert page.js_errors == []
    finally:
        context.close()


def test_token_page_without_script_shows_the_token_as_selectable_text(browser, server):
    context, page = _new_page(browser, server, viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    try:
        login(page, "adopsi@tanjungpinangkota.go.id")
        page.goto("/account/tokens")
        page.fill("#f-label", "tanpa skrip")
        page.click("form.form button[type=submit]")
        page.wait_for_load_state()
        assert page.inner_text("#token-baru").strip().startswith("kbp_")
        assert not page.is_visible("text=Salin token")  # the button appears only where it works
    finally:
        context.close()


def test_deployments_filter_by_typed_names_with_suggestions(page, server):
    page.goto("/deployments")
    page.click("summary:has-text('Saring pemakaian')")
    org_box = page.locator("input[name=org]")
    assert org_box.get_attribute("placeholder") is None
    suggested = page.eval_on_selector_all("#saran-org option", "els => els.map(e => e.value)")
    assert "Kota Tanjung Pinang" in suggested and all(not re.fullmatch(r"[\d.]+", s) for s in suggested)
    org_box.fill("Kota Tanjung Pinang")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"/deployments\?org=Kota"))
    rows = page.locator("main table tbody tr")
    assert rows.count() >= 1
    for i in range(rows.count()):
        assert "Kota Tanjung Pinang" in rows.nth(i).inner_text()
    assert page.is_visible("summary:has-text('sedang disaring')")  # open, saying the list is filtered
    assert page.js_errors == []


def test_deployments_on_a_phone_shows_the_record_form_and_the_list_near_the_top(browser, server):
    context, page = _new_page(browser, server, viewport={"width": 360, "height": 740}, is_mobile=True)
    try:
        login(page, "adopsi@tanjungpinangkota.go.id")
        page.goto("/deployments")
        record = page.locator("details#catat > summary").bounding_box()
        filters = page.locator("details.filter-box summary").bounding_box()
        table = page.locator("main table").first.bounding_box()
        assert record["y"] < 740 and filters["y"] < 740, (record, filters)  # on the first screen
        assert table["y"] < 1000, table  # the list starts on the first screen or just below
        assert not page.locator("#f-version").is_visible()  # folded until wanted
        shot(page, "stumbles-deployments-phone", full_page=False)
        page.click("details#catat > summary")
        assert page.locator("#f-version").is_visible()
        assert page.locator("#f-version").bounding_box()["y"] < 1900
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360 + 1, width  # nothing pushes the page sideways

        page.goto("/my/region")  # "Catat pemakaian" from the region's page opens the form
        page.click("main a.button:has-text('Catat pemakaian')")
        page.wait_for_url(re.compile(r"/deployments\?catat=1#catat$"))
        assert page.locator("#f-version").is_visible()
    finally:
        context.close()


def _changed_fork(server) -> tuple[int, str]:
    """A demo fork with a region's change, and the path of one changed file."""
    from catalog.extensions import db
    from catalog.models import Fork
    from catalog.services.repos import forks

    with server["app"].app_context():
        for fork in db.session.execute(db.select(Fork).where(Fork.ahead > 0).order_by(Fork.id)).scalars():
            changes = [c for c in forks.fork_changes(fork).changes if c.kind != "symlink"]
            if changes:
                found = fork.id, changes[0].path
                db.session.remove()
                return found
        db.session.remove()
    pytest.fail("the demo data has a fork with a region's own change")


def test_diff_shows_added_and_removed_lines_in_colour_and_in_signs(page, server):
    fork_id, path = _changed_fork(server)
    page.goto(f"/forks/{fork_id}")
    page.click(f"main a:has-text('{path}')")
    page.wait_for_url(re.compile(rf"/forks/{fork_id}/diff"))
    added = page.locator("pre.diff .d-added").first
    assert added.is_visible()
    assert added.locator(".d-sign").inner_text() == "+"
    background = added.evaluate("e => getComputedStyle(e).backgroundColor")
    plain = page.locator("pre.diff .d-line:not(.d-added):not(.d-removed)").first
    assert background != plain.evaluate("e => getComputedStyle(e.closest('pre')).backgroundColor")
    assert added.locator(".visually-hidden").inner_text().startswith("ditambah")  # what a screen reader hears
    shot(page, "stumbles-diff", full_page=False)
    assert page.js_errors == []


def test_each_role_lands_on_its_own_work(browser, server):
    for email, path, heading in (("adopsi@tanjungpinangkota.go.id", "/my/region", "Aplikasi di Kota Tanjung Pinang"),
                                 ("admin@katalog.go.id", "/admin/review", "Verifikasi entri"),
                                 ("auditor@kepriprov.go.id", "/reports", "Laporan pemakaian")):
        context, page = _new_page(browser, server, viewport={"width": 1280, "height": 900})
        try:
            login(page, email)
            assert page.url.endswith(path), (email, page.url)
            assert heading in page.inner_text("h1"), (email, page.inner_text("h1"))
        finally:
            context.close()


def test_search_with_no_app_holding_every_word_offers_the_closest(page):
    page.goto("/apps")
    page.fill("#q", "kepegawaian kearsipan")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"/apps\?q="))
    note = page.locator(".partial-match")
    assert note.is_visible() and "tidak ada yang cocok dengan semua kata" in note.inner_text().lower()
    assert page.locator(".results .card").count() >= 2
    assert page.js_errors == []


def test_province_auditor_filters_the_audit_trail(page):
    login(page, "auditor@kepriprov.go.id")
    page.goto("/reports/audit")
    page.click("summary:has-text('Saring jejak audit')")
    page.select_option("#a-action", label="Pemakaian dicatat")
    page.fill("#a-org", "Kota Tanjung Pinang")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"/reports/audit\?action=deployment.create"))
    rows = page.locator("main table tbody tr")
    assert rows.count() >= 1
    for i in range(rows.count()):
        assert "Pemakaian dicatat" in rows.nth(i).inner_text()
    suggested = page.eval_on_selector_all("#saran-org-audit option", "els => els.map(e => e.value)")
    assert "Kota Tanjung Pinang" in suggested and "Kota Pekanbaru" not in suggested
    shot(page, "stumbles-audit-filter", full_page=False)
    assert page.js_errors == []
