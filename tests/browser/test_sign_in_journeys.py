"""Sign-in journeys in a real browser (headless Chromium): a person signs in through the loopback
OpenID Connect provider (npm's oidc-provider), and an admin enrols two-factor with the QR page
and signs in again with a code."""
from __future__ import annotations

import re
import time

import pyotp
import pytest

from tests.browser.conftest import PASSWORDS, login, run_axe, shot
from tests.oidc.loopback_idp import running_idp

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]


def test_third_person_signs_in_through_the_loopback_identity_provider(page, server, tmp_path):
    accounts = {"rina-kemenpan": {"email": "auditor@menpan.go.id", "email_verified": True, "name": "Rina"}}
    app = server["app"]
    with running_idp(tmp_path, redirect_uris=[server["url"] + "/login/sso/callback"], accounts=accounts) as idp:
        app.config.update(idp.config(OIDC_LABEL="IdP Loopback"))
        try:
            page.goto("/login")
            shot(page, "masuk-sso-tombol")
            page.click("#sso-login")
            page.wait_for_url(re.compile(re.escape(idp.issuer) + r"/interaction/"))
            page.fill("#login", "rina-kemenpan")
            page.fill("#password", "apa-saja")
            page.click("#idp-submit")
            page.wait_for_url(re.compile(re.escape(server["url"]) + r"/reports"))
            assert "Selamat datang" in page.inner_text("main")
            page.goto("/account/sessions")
            assert "single sign-on" in page.inner_text("#sessions")
            shot(page, "sesi-masuk")
        finally:
            app.config.update(OIDC_ISSUER="", OIDC_CLIENT_ID="", OIDC_CLIENT_SECRET="")
    assert page.js_errors == []


def test_admin_enrols_two_factor_and_signs_in_with_a_code(page, server):
    from catalog.services.accounts import two_factor, users

    login(page, "admin@katalog.go.id")
    try:
        page.goto("/account/two-factor")
        page.click("main form button[type=submit]")  # Siapkan verifikasi dua langkah
        page.locator("img.qr").wait_for()  # the click posts; the page with the code follows
        shot(page, "dua-langkah-qr")
        totp = pyotp.TOTP(page.inner_text("#totp-secret").strip())
        page.fill("#code", totp.now())
        page.click("main form button[type=submit]")
        page.wait_for_url(re.compile(r"/account/two-factor$"))
        assert len(page.locator("#recovery-codes li").all()) == 10
        page.click("header button:has-text('Keluar')")
        page.goto("/login")
        page.fill("#email", "admin@katalog.go.id")
        page.fill("#password", PASSWORDS["admin"])
        page.click("main button[type=submit]")
        page.wait_for_url(re.compile(r"/login/kode$"))
        shot(page, "dua-langkah-kode")
        page.fill("#code", totp.at(time.time() + 30))  # the next step's code: the first one is spent
        page.click("main button[type=submit]")
        page.wait_for_url(re.compile(r"/admin/review"))
        assert page.js_errors == []
    finally:  # the other journeys sign the demo admin in with the password alone
        with server["app"].app_context():
            two_factor.reset(users.get_by_email("admin@katalog.go.id"), actor=None)


def test_sign_in_security_pages_pass_axe(audit_page, server):
    """The enrolment page (QR code and key), the code step and the sessions list: WCAG 2.1 AA."""
    from catalog.services.accounts import two_factor, users

    page = audit_page
    login(page, "adopsi@bintankab.go.id")
    try:
        page.goto("/account/sessions")
        assert run_axe(page) == []
        page.goto("/account/two-factor")
        page.click("main form button[type=submit]")
        page.locator("img.qr").wait_for()  # the click posts; the page with the code follows
        assert run_axe(page) == []
        totp = pyotp.TOTP(page.inner_text("#totp-secret").strip())
        page.fill("#code", totp.now())
        page.click("main form button[type=submit]")
        page.wait_for_url(re.compile(r"/account/two-factor$"))
        assert run_axe(page) == []
        page.click("header button:has-text('Keluar')")
        page.goto("/login")
        page.fill("#email", "adopsi@bintankab.go.id")
        page.fill("#password", PASSWORDS["adopsi"])
        page.click("main button[type=submit]")
        page.wait_for_url(re.compile(r"/login/kode$"))
        assert run_axe(page) == []
    finally:
        with server["app"].app_context():
            two_factor.reset(users.get_by_email("adopsi@bintankab.go.id"), actor=None)
