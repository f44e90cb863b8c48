"""The people's journeys in a real browser (headless Chromium): find an app, copy it and push with
real git, record a deployment through its lifecycle, read and download a report, publish, switch language."""
from __future__ import annotations

import os
import re
import subprocess

import pytest

from tests.browser.conftest import login, shot

# A real browser against the demo server that the session builds once, on one xdist worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

GIT_ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_TERMINAL_PROMPT": "0",
           "GIT_AUTHOR_NAME": "Staf TI Tabalong", "GIT_AUTHOR_EMAIL": "ti@tabalongkab.go.id",
           "GIT_COMMITTER_NAME": "Staf TI Tabalong", "GIT_COMMITTER_EMAIL": "ti@tabalongkab.go.id"}


def git(*args, cwd=None):
    return subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, text=True, check=True,
                          timeout=60)


def test_search_then_open_an_app(page):
    page.goto("/")
    shot(page, "01-beranda")
    page.fill("#q-home", "kinerja pegawai")
    page.press("#q-home", "Enter")
    page.wait_for_url(re.compile(r"/apps\?q="))
    assert "Simanja" in page.inner_text(".results")
    shot(page, "02-katalog-cari")
    page.click(".results .card >> text=Simanja")
    page.wait_for_url(re.compile(r"/apps/simanja$"))
    assert page.inner_text("h1") == "Simanja"
    assert page.is_visible("text=Adopsi aplikasi ini: panduan langkah demi langkah")
    shot(page, "03-aplikasi")
    assert page.js_errors == []


def test_adopter_copies_pushes_and_sees_the_modifications(page, tmp_path):
    login(page, "adopsi@tabalongkab.go.id")
    page.goto("/apps/simanja/adopsi")
    assert page.is_visible("#langkah-6")
    shot(page, "04-adopsi")
    page.click("#langkah-4 button[type=submit]")
    page.wait_for_url(re.compile(r"/forks/\d+"))
    fork_url = page.url
    assert page.is_visible("text=Salinan untuk daerah Anda sudah dibuat")
    assert page.is_visible("button.copy-button")  # copy.js ran under the page's CSP
    clone_command = page.inner_text("#clone-fork").strip()
    assert clone_command.startswith("git clone http://127.0.0.1:")

    page.goto("/account/tokens")
    page.fill("#f-label", "laptop kantor")
    page.click("form.form button[type=submit]")
    token = page.inner_text("code.token").strip()
    assert token

    clone_url = clone_command.split()[-1]
    work = tmp_path / "simanja"
    git("clone", clone_url, str(work))
    (work / "src").mkdir(exist_ok=True)
    (work / "src" / "integrasi_simpeg_tabalong.php").write_text("<?php\n// Integrasi SIMPEG Kabupaten Tabalong\n")
    git("add", ".", cwd=work)
    git("commit", "-m", "Integrasi SIMPEG Kabupaten Tabalong", cwd=work)
    git("push", clone_url.replace("http://", f"http://petugas:{token}@"), "HEAD", cwd=work)

    page.goto(fork_url)
    assert page.inner_text("#stat-ahead strong") == "1"
    assert page.inner_text("#stat-files strong") == "1"
    assert page.is_visible("text=Integrasi SIMPEG Kabupaten Tabalong")
    shot(page, "05-salinan-setelah-push")
    assert page.js_errors == []


def test_deployment_through_its_lifecycle(page):
    login(page, "adopsi@bintankab.go.id")
    page.goto("/deployments?new_app=simanja#catat")
    assert page.input_value("#f-app") == "simanja"
    page.select_option("#f-status", "planned")
    page.select_option("#f-environment", "production")
    page.fill("#f-version", "v1.2.0")
    page.select_option("#f-hosting", "pusat_data_daerah")
    page.fill("#f-opd_units", "BKPSDM")
    page.click("#catat button[type=submit]")
    page.wait_for_load_state()
    assert re.search(r"/deployments/\d+(#catat)?$", page.url), page.inner_text("main")[:1500]
    for status in ("installing", "pilot", "production"):
        page.select_option("#f-status", status)
        page.fill("#f-note", f"Tahap {status}")
        page.click("form.card button[type=submit] >> nth=0")
        page.wait_for_selector(f"h1 + p .dstatus-{status}")
    rows = page.locator("table tbody tr")
    assert rows.count() >= 4  # recorded, then three status changes
    shot(page, "06-pemakaian")
    assert page.js_errors == []


def test_auditor_reads_the_province_report_and_downloads_csv(page):
    login(page, "auditor@kepriprov.go.id")
    page.goto("/reports")
    assert "Kepulauan Riau" in page.inner_text(".lead")
    shot(page, "07-laporan")
    with page.expect_download() as info:
        page.click("#t-apps a[download]")
    download = info.value
    assert re.match(r"laporan-apps-21-\d{8}\.csv", download.suggested_filename)
    text = open(download.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0].startswith("Aplikasi,") and "Simanja" in text
    assert page.js_errors == []


def test_publisher_submits_and_admin_publishes(page, browser, server):
    login(page, "penerbit@kepriprov.go.id")
    page.goto("/apps/new")
    page.fill("#f-name", "Sistem Arsip Desa")
    page.fill("#f-short_description_id", "Pengarsipan surat desa yang sederhana.")
    page.select_option("#f-category", "document-management")
    page.select_option("#f-development_status", "beta")
    page.fill("#f-repo_url", "https://git.kepriprov.go.id/arsip-desa.git")
    page.fill("#f-license", "MIT")
    page.fill("#f-maintenance_contacts", "Diskominfo Kepri <diskominfo@kepriprov.go.id>")
    page.click("form.form > button[type=submit]:not(.visually-hidden)")
    page.wait_for_url(re.compile(r"/apps/sistem-arsip-desa$"))
    page.click("button:has-text('Ajukan untuk verifikasi')")
    page.wait_for_load_state()
    assert page.is_visible(".badge-submitted"), page.inner_text("main")[:800]

    admin_context = browser.new_context(base_url=server["url"], locale="id-ID")
    admin = admin_context.new_page()
    login(admin, "admin@katalog.go.id")
    admin.goto("/admin/review")
    card = admin.locator("section.card", has_text="Sistem Arsip Desa")
    shot(admin, "08-verifikasi")
    card.locator("button", has_text="Terbitkan").click()
    admin.wait_for_selector("text=Sistem Arsip Desa diterbitkan")
    admin_context.close()

    page.goto("/apps?q=arsip+desa")
    assert "Sistem Arsip Desa" in page.inner_text(".results")


@pytest.fixture
def stored_language_restored(server):
    """The journey stores a language on the Tanjung Pinang adopter's account; put back what it
    held before (no choice, in the demo), so that tests after it see the account as seeded."""
    from catalog.extensions import db
    from catalog.models import User

    email = "adopsi@tanjungpinangkota.go.id"
    with server["app"].app_context():
        before = db.session.execute(db.select(User.locale).where(User.email == email)).scalar_one()
        db.session.remove()
    yield
    with server["app"].app_context():
        db.session.execute(db.update(User).where(User.email == email).values(locale=before))
        db.session.commit()
        db.session.remove()


def test_language_switch_is_remembered(page, stored_language_restored):
    page.goto("/apps/simanja")
    page.click(".lang-switch [data-lang=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.url.endswith("/apps/simanja")
    assert page.is_visible("text=Adopt this application: step-by-step guide")
    page.goto("/deployments")
    assert page.inner_text("h1") == "Deployments of shared applications"
    shot(page, "09-english")
    login(page, "adopsi@tanjungpinangkota.go.id")
    page.click(".lang-switch [data-lang=id]")
    page.wait_for_selector("html[lang=id]")
    page.context.clear_cookies()  # a new session: the account remembers Indonesian
    login(page, "adopsi@tanjungpinangkota.go.id")
    assert page.get_attribute("html", "lang") == "id"
    page.click(".lang-switch [data-lang=en]")
    page.wait_for_selector("html[lang=en]")
    page.context.clear_cookies()
    page.goto("/", wait_until="load")
    assert page.get_attribute("html", "lang") == "id"  # signed out, Indonesian browser
    login(page, "adopsi@tanjungpinangkota.go.id")
    assert page.get_attribute("html", "lang") == "en"  # the account's choice
    page.click(".lang-switch [data-lang=id]")
    page.wait_for_selector("html[lang=id]")
    assert page.js_errors == []


def test_mirror_progress_updates_without_reloading(page, server):
    from catalog.extensions import db
    from catalog.models import App, Mirror

    app = server["app"]

    def set_mirror(**values):
        with app.app_context():
            app_id = db.session.execute(db.select(App.id).where(App.slug == "jdih")).scalar_one()
            db.session.execute(db.update(Mirror).where(Mirror.app_id == app_id).values(**values))
            db.session.commit()
            db.session.remove()

    set_mirror(state="fetching", progress=10, progress_text="menerima objek")
    try:
        page.goto("/apps/jdih")
        page.evaluate("window.__sameDocument = true")
        assert page.is_visible("#mirror-progress .progress-live")
        set_mirror(progress=60, progress_text="menerima objek 60%")
        page.wait_for_selector("#mirror-progress .progress-percent:has-text('60%')")
        assert page.evaluate("document.querySelector('#mirror-progress progress').value") == 60
        shot(page, "10-kemajuan", full_page=False)
        set_mirror(state="ready", progress=100, progress_text="")
        page.wait_for_selector("#mirror-progress.flash-success")
        assert page.evaluate("window.__sameDocument") is True  # no reload happened
        assert "Selesai" in page.inner_text("#mirror-progress")
    finally:
        set_mirror(state="ready", progress=100, progress_text="")
    assert page.js_errors == []
