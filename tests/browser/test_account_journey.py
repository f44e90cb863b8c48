"""Accounts in a real browser (headless Chromium), with real e-mail over SMTP on loopback: the org
admin of Kabupaten Bintan (21.01) invites an adopter, who sets a password from the received mail,
makes a git-scoped token and pushes to the region's fork with real git; another person resets a
forgotten password and signs in."""
from __future__ import annotations

import os
import re
import subprocess

import pytest

from tests.accounts.mailbox import find_link, smtp_on_loopback, smtp_url
from tests.browser.conftest import shot

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

ORG_ADMIN = ("kepala.diskominfo@bintankab.go.id", "bintan-kepala-dinas-2026")
INVITEE = "staf.aplikasi@bintankab.go.id"
INVITEE_PASSWORD = "pulau-bintan-pagi-cerah"
FORGETFUL = ("lupa.sandi@tanjungpinangkota.go.id", "tanjung-pinang-lama-2026")
NEW_PASSWORD = "gurindam-dua-belas-sore"
GIT_ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_TERMINAL_PROMPT": "0",
           "GIT_AUTHOR_NAME": "Staf Aplikasi Bintan", "GIT_AUTHOR_EMAIL": INVITEE,
           "GIT_COMMITTER_NAME": "Staf Aplikasi Bintan", "GIT_COMMITTER_EMAIL": INVITEE}


def git(*args, cwd=None):
    return subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, text=True, check=True, timeout=60)


@pytest.fixture
def mail(server):
    """The demo server sends its e-mail to an SMTP server on loopback, with links on its own address."""
    app = server["app"]
    saved = {k: app.config.get(k) for k in ("SMTP_URL", "BASE_URL")}
    with smtp_on_loopback() as smtp:
        app.config.update(SMTP_URL=smtp_url(smtp), BASE_URL=server["url"])
        try:
            yield smtp.handler
        finally:
            app.config.update(saved)


def _make_user(server, email: str, password: str, org: str, role: str) -> None:
    from catalog.extensions import db
    from catalog.services.accounts import users

    with server["app"].app_context():
        if users.get_by_email(email) is None:
            users.create_user(email=email, name="Kepala Diskominfo Bintan" if role == "org_admin" else "Staf TI",
                              org_code=org, role=role, password=password)
        db.session.remove()


def _bintan_fork_id(server) -> int:
    from catalog.extensions import db
    from catalog.models import Fork, Organization

    with server["app"].app_context():
        fork_id = db.session.execute(db.select(Fork.id).join(Organization, Organization.id == Fork.organization_id)
                                     .where(Organization.code == "21.01").order_by(Fork.id)).scalars().first()
        db.session.remove()
    assert fork_id, "the demo data gives Kabupaten Bintan a fork"
    return fork_id


def _sign_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.inner_text("main")[:1000]


def test_org_admin_invites_an_adopter_who_pushes_to_the_regions_fork(page, browser, server, mail, tmp_path):
    _make_user(server, *ORG_ADMIN, "21.01", "org_admin")
    _sign_in(page, *ORG_ADMIN)
    page.click("nav >> text=Kelola akun")
    page.wait_for_url(re.compile(r"/admin/people$"))
    page.fill("#f-email", INVITEE)
    page.fill("#f-name", "Staf Aplikasi Bintan")
    page.select_option("#f-role", "adopter")
    shot(page, "akun-undang")
    page.click("#undang button[type=submit]")
    page.wait_for_selector(f"text=Undangan untuk {INVITEE} dikirim")
    assert "Menunggu undangan diterima" in page.inner_text(f"tr[data-email='{INVITEE}']")
    shot(page, "akun-daftar")

    message = mail.last_to(INVITEE)
    assert message["Subject"] == "Undangan ke Katalog Bagi-Pakai"
    link = find_link(message)
    assert link.startswith(server["url"] + "/account/invitation/")

    invitee_context = browser.new_context(base_url=server["url"], locale="id-ID")
    invitee = invitee_context.new_page()
    invitee.goto(link)
    assert "Staf Aplikasi Bintan" in invitee.inner_text("h1")
    invitee.fill("#password", INVITEE_PASSWORD)
    invitee.fill("#password_confirm", INVITEE_PASSWORD)
    shot(invitee, "akun-terima-undangan")
    invitee.click("main form button[type=submit]")
    invitee.wait_for_url(re.compile(r"/login$"))
    assert "Kata sandi tersimpan" in invitee.inner_text("main")
    _sign_in(invitee, INVITEE, INVITEE_PASSWORD)

    invitee.goto("/account/tokens")
    invitee.fill("#f-label", "laptop dinas")
    assert invitee.is_checked("input[name=scopes][value=git]")
    invitee.click("form.form button[type=submit]")
    token = invitee.inner_text("code.token").strip()
    assert token.startswith("kbp_")

    invitee.goto(f"/forks/{_bintan_fork_id(server)}")
    clone_url = invitee.inner_text("#clone-fork").strip().split()[-1]
    assert "/git/kabupaten-bintan/" in clone_url
    work = tmp_path / "salinan"
    git("clone", clone_url, str(work))
    (work / "bintan.md").write_text("# Penyesuaian Kabupaten Bintan\n")
    git("add", ".", cwd=work)
    git("commit", "-m", "Penyesuaian Kabupaten Bintan", cwd=work)
    git("push", clone_url.replace("http://", f"http://staf:{token}@"), "HEAD", cwd=work)
    invitee.reload()
    assert invitee.inner_text("#stat-ahead strong") == "1"
    assert invitee.is_visible("text=Penyesuaian Kabupaten Bintan")
    shot(invitee, "akun-push-salinan")

    page.reload()
    row = page.inner_text(f"tr[data-email='{INVITEE}']")
    assert "Menunggu" not in row and "Belum pernah" not in row  # accepted, and signed in
    invitee_context.close()
    assert page.js_errors == []


def test_another_person_resets_a_forgotten_password_and_signs_in(page, server, mail):
    email, old_password = FORGETFUL
    _make_user(server, email, old_password, "21.72", "adopter")
    page.goto("/login")
    page.click("#lupa-sandi")
    page.wait_for_url(re.compile(r"/password/forgot$"))
    page.fill("#email", email)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/login$"))
    assert "Bila lupa.sandi@tanjungpinangkota.go.id terdaftar" in page.inner_text("main")
    shot(page, "akun-lupa-sandi")

    message = mail.last_to(email)
    assert message["Subject"] == "Atur ulang kata sandi Katalog Bagi-Pakai"
    page.goto(find_link(message))
    page.fill("#password", NEW_PASSWORD)
    page.fill("#password_confirm", NEW_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/login$"))
    _sign_in(page, email, NEW_PASSWORD)
    assert "Selamat datang" in page.inner_text("main")
    assert page.js_errors == []


def test_account_pages_have_no_accessibility_violations(audit_page, server):
    from tests.browser.conftest import run_axe

    _make_user(server, *ORG_ADMIN, "21.01", "org_admin")
    found = {}
    for path in ("/password/forgot",):
        audit_page.goto(path)
        found[path] = run_axe(audit_page)
    _sign_in(audit_page, *ORG_ADMIN)
    for path in ("/admin/people", "/admin/people?state=invited", "/account/password"):
        audit_page.goto(path)
        found[path] = run_axe(audit_page)
    assert {p: v for p, v in found.items() if v} == {}
