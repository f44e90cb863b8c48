"""What issue 15 found wrong, walked as page flows in Chromium on the demo's story, by the staff
of Kabupaten Tabalong (Kalimantan Selatan, WITA) whose region copied e-Office in May 2025 and has
piloted it since October 2025:

- times read in the viewer's own zone, named (item 9): WITA for Tabalong, WIB for a national admin;
- the app page of an app the region already copied leads to that copy instead of offering
  "Salin ke daerah saya" again (item 2);
- "Dihentikan" asks first and says what cannot be undone, and a stale second tab cannot retire a
  deployment that someone changed meanwhile (item 6); the retired one then reports no lag;
- a reload after making a token makes no second token, and revoking asks first (items 1 and 6);
- "Keluar" ends this device only; "Keluar dari semua perangkat" ends the others too (item 8).
"""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PASSWORDS, shot

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

TABALONG = "adopsi@tabalongkab.go.id"


def _signed_in(browser, server, email: str, *, locale: str = "id-ID"):
    context = browser.new_context(base_url=server["url"], locale=locale, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORDS[email.split("@")[0]])
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.inner_text("main")[:1500]
    return context, page


@pytest.fixture
def signed_in(browser, server):
    """signed_in(email): a new browser profile (another device) signed in as that person."""
    contexts = []

    def open_page(email: str, **options):
        context, page = _signed_in(browser, server, email, **options)
        contexts.append(context)
        return page

    yield open_page
    for context in contexts:
        context.close()


def _ids(server, org: str, slug: str) -> dict[str, int]:
    """The region's copy and deployment of the app in the demo."""
    from catalog.extensions import db
    from catalog.models import App, Deployment, Fork, Organization

    with server["app"].app_context():
        def one(model):
            return db.session.execute(db.select(model.id).join(App, App.id == model.app_id).join(
                Organization, Organization.id == model.organization_id).where(
                App.slug == slug, Organization.code == org)).scalar_one()
        ids = {"fork": one(Fork), "deployment": one(Deployment)}
        db.session.remove()
    return ids


def _history_times(page) -> list[str]:
    return [t.strip() for t in page.locator("main table").last.locator("tbody tr td:first-child").all_inner_texts()]


def test_times_read_in_the_viewers_own_zone(signed_in, server):
    """The pilot was recorded on 6 October 2025 at 10.00 WIB: Tabalong reads 11.00 WITA."""
    dep = _ids(server, "63.09", "e-office")["deployment"]
    tabalong = signed_in(TABALONG)
    tabalong.goto(f"/deployments/{dep}")
    assert "6 Okt 2025 11.00 WITA" in _history_times(tabalong), _history_times(tabalong)

    admin = signed_in("admin@katalog.go.id")  # a national agency: WIB
    admin.goto(f"/deployments/{dep}")
    assert "6 Okt 2025 10.00 WIB" in _history_times(admin)
    english = signed_in("auditor@menpan.go.id", locale="en-US")
    english.goto(f"/deployments/{dep}")
    assert any(re.fullmatch(r"Oct 6, 2025,? 10:00\s?AM WIB", t) for t in _history_times(english)), \
        _history_times(english)
    assert tabalong.js_errors == [] and admin.js_errors == [] and english.js_errors == []


def test_the_app_page_leads_a_region_that_already_copied_to_its_copy(signed_in, server):
    ids = _ids(server, "63.09", "e-office")
    page = signed_in(TABALONG)
    page.goto("/apps/e-office")
    assert page.locator("button", has_text="Salin ke daerah saya").count() == 0
    page.click(f"main a[href='/forks/{ids['fork']}']")
    page.wait_for_url(re.compile(rf"/forks/{ids['fork']}$"))
    assert "Kabupaten Tabalong" in page.inner_text("h1")
    page.goto("/apps/e-parkir")  # an app Tabalong has not copied: offered
    assert page.locator("button", has_text="Salin ke daerah saya").count() == 1
    assert page.js_errors == []


def test_retiring_asks_first_and_a_stale_tab_cannot_retire(signed_in, server):
    dep = _ids(server, "63.09", "e-office")["deployment"]
    first = signed_in(TABALONG)
    first.goto(f"/deployments/{dep}")
    stale = first.context.new_page()  # a second tab, opened while the pilot still runs
    stale.js_errors = []
    stale.on("pageerror", lambda exc: stale.js_errors.append(str(exc)))
    stale.goto(f"/deployments/{dep}")
    assert stale.locator("h1 + p .dstatus-pilot").count() == 1

    first.select_option("#f-status", "retired")
    first.click("form.card button[type=submit] >> nth=0")
    first.wait_for_load_state()
    warning = first.inner_text("main")
    assert "tidak dapat dibatalkan" in warning and "Ya, hentikan untuk selamanya" in warning
    shot(first, "pengaman-hentikan")
    first.click("text=Batal, kembali ke pemakaian")
    first.wait_for_selector("h1 + p .dstatus-pilot")  # nothing changed

    first.select_option("#f-status", "production")
    first.fill("#f-note", "Dipakai seluruh OPD mulai bulan ini.")
    first.click("form.card button[type=submit] >> nth=0")
    first.wait_for_selector("h1 + p .dstatus-production")

    stale.select_option("#f-status", "retired")  # the stale tab still offers what the pilot allowed
    stale.click("form.card button[type=submit] >> nth=0")
    stale.wait_for_load_state()
    if stale.locator("text=Ya, hentikan untuk selamanya").count():
        stale.click("text=Ya, hentikan untuk selamanya")
        stale.wait_for_load_state()
    assert "sudah berubah menjadi" in stale.inner_text("main")
    first.reload()
    assert first.locator("h1 + p .dstatus-production").count() == 1  # still running

    first.select_option("#f-status", "suspended")
    first.click("form.card button[type=submit] >> nth=0")
    first.wait_for_selector("h1 + p .dstatus-suspended")
    first.select_option("#f-status", "retired")
    first.click("form.card button[type=submit] >> nth=0")
    first.fill("#note", "Diganti Srikandi dari Pemprov.")
    first.click("text=Ya, hentikan untuk selamanya")
    first.wait_for_selector("h1 + p .dstatus-retired")
    assert first.locator("#f-status").count() == 0  # final: nothing further to choose
    assert first.locator(".lag-behind").count() == 0
    assert first.js_errors == [] and stale.js_errors == []


def test_a_reload_makes_no_second_token_and_revoking_asks_first(signed_in):
    page = signed_in(TABALONG)
    page.goto("/account/tokens")
    page.fill("#f-label", "skrip pemantauan")
    page.click("form.form button[type=submit]")
    assert page.inner_text("code.token").strip().startswith("kbp_")
    page.reload()
    assert page.locator("code.token").count() == 0  # shown once, not again
    rows = page.locator("tbody tr", has_text="skrip pemantauan")
    assert rows.count() == 1

    rows.locator("button", has_text="Cabut").click()
    page.wait_for_load_state()
    assert "tidak dapat dibatalkan" in page.inner_text("main")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/account/tokens"))
    assert "Dicabut" in page.locator("tbody tr", has_text="skrip pemantauan").inner_text()
    assert page.js_errors == []


def test_signing_out_ends_this_device_only_unless_asked_for_all(signed_in):
    laptop, phone, tablet = signed_in(TABALONG), signed_in(TABALONG), signed_in(TABALONG)
    laptop.click("header button:has-text('Keluar')")
    laptop.wait_for_load_state()
    laptop.goto("/my/region")
    assert "/login" in laptop.url
    phone.goto("/my/region")
    assert "/login" not in phone.url and "Tabalong" in phone.inner_text("h1")

    phone.goto("/account/tokens")
    phone.click("button:has-text('Keluar dari semua perangkat')")
    phone.wait_for_load_state()
    for device in (phone, tablet):
        device.goto("/my/region")
        assert "/login" in device.url
    assert laptop.js_errors == [] and phone.js_errors == [] and tablet.js_errors == []
