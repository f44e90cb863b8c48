"""Each role's journey through the real UI in Chromium, once in Bahasa Indonesia and once in English
(issue 15, "done when"), against the demo server and its seeded story (tests/browser/conftest.py):

- adopter: search, the app page, the adoption guide, a copy for the region, an access token, clone
  and push with real git, the copy's drift, a deployment through its lifecycle; then the demo's
  later releases: a deployment "tertinggal", copies that merge or fast-forward, one real conflict
  refused by the page and merged by hand with git as the page says;
- publisher: register and submit an entry; the admin returns it with a note and later publishes it;
  the publisher reads both in their notifications;
- admin and org_admin: the review queue, the people page (an invitation, a role change);
- auditor: the report, the audit trail of the demo's two years, the SPBE evidence printed to A4.

Each language signs in people that the other language and the other browser modules leave alone,
so the journeys run in any order on the one demo server.
"""
from __future__ import annotations

import io
import os
import re
import subprocess

import pytest
from pypdf import PdfReader

from tests.browser.conftest import shot

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

LANGS = ["id", "en"]
ORG_ADMIN = ("pengelola@tanjungpinangkota.go.id", "pengelola-demo-2026")
A4_POINTS = (595.3, 841.9)
# Who walks each journey in each language: never the same account twice, never one another module changes.
ADOPTER = {"id": ("adopsi@pekanbaru.go.id", "simanja", "kinerja pegawai", "Simanja"),
           "en": ("adopsi@solokkab.go.id", "e-ppid", "informasi publik", "e-PPID")}
PUBLISHER = {"id": "penerbit@riau.go.id", "en": "penerbit@tabalongkab.go.id"}
TEXT = {  # what each language shows; a page in the wrong language fails here
    "id": {"deployments": "Pemakaian aplikasi bagi-pakai", "review": "Verifikasi entri", "people": "Kelola akun",
           "audit": "Jejak audit", "notifications": "Pemberitahuan"},
    "en": {"deployments": "Deployments of shared applications", "review": "Verify entries",
           "people": "Manage accounts", "audit": "Audit trail", "notifications": "Notifications"},
}
GIT_ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_TERMINAL_PROMPT": "0",
           "GIT_AUTHOR_NAME": "Staf TI", "GIT_AUTHOR_EMAIL": "ti@daerah.go.id",
           "GIT_COMMITTER_NAME": "Staf TI", "GIT_COMMITTER_EMAIL": "ti@daerah.go.id"}


def git(*args, cwd=None):
    return subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, capture_output=True, text=True, check=True,
                          timeout=60)


def _in(page, lang: str) -> None:
    assert page.get_attribute("html", "lang") == lang, page.url


@pytest.mark.parametrize("lang", LANGS)
def test_adopter_finds_adopts_copies_pushes_and_records_a_deployment(open_as, lang, tmp_path):
    email, slug, query, name = ADOPTER[lang]
    page = open_as(lang, email)
    page.goto("/")
    page.fill("#q-home", query)
    page.press("#q-home", "Enter")
    page.wait_for_url(re.compile(r"/apps\?q="))
    page.click(f".results .card >> text={name}")
    page.wait_for_url(re.compile(rf"/apps/{slug}$"))
    _in(page, lang)
    page.goto(f"/apps/{slug}/adopsi")
    assert page.is_visible("#langkah-6")
    page.click("#langkah-4 button[type=submit]")
    page.wait_for_url(re.compile(r"/forks/\d+"))
    fork_url = page.url
    clone_url = page.inner_text("#clone-fork").strip().split()[-1]
    _in(page, lang)

    page.goto("/account/tokens")
    page.fill("#f-label", f"laptop kantor {lang}")
    page.click("form.form button[type=submit]")
    token = page.inner_text("code.token").strip()
    assert token.startswith("kbp_")

    work = tmp_path / slug
    git("clone", clone_url, str(work))
    (work / "src").mkdir(exist_ok=True)
    (work / "src" / f"penyesuaian_{lang}.php").write_text("<?php\n// Penyesuaian daerah\n")
    git("add", ".", cwd=work)
    git("commit", "-m", f"Penyesuaian daerah ({lang})", cwd=work)
    git("push", clone_url.replace("http://", f"http://petugas:{token}@"), "HEAD", cwd=work)
    page.goto(fork_url)
    assert page.inner_text("#stat-ahead strong") == "1"
    assert page.is_visible(f"text=Penyesuaian daerah ({lang})")

    page.goto(f"/deployments?new_app={slug}#catat")
    _in(page, lang)
    assert page.inner_text("h1") == TEXT[lang]["deployments"]
    page.select_option("#f-status", "planned")
    page.select_option("#f-environment", "production")
    page.fill("#f-version", {"simanja": "v1.3.0", "e-ppid": "v2.1.0"}[slug])
    page.select_option("#f-hosting", "pusat_data_daerah")
    page.fill("#f-opd_units", "Diskominfo")
    page.click("#catat button[type=submit]")
    page.wait_for_load_state()
    assert re.search(r"/deployments/\d+(#catat)?$", page.url), page.inner_text("main")[:1500]
    for status in ("installing", "pilot", "production"):
        page.select_option("#f-status", status)
        page.fill("#f-note", f"Tahap {status}")
        page.click("form.card button[type=submit] >> nth=0")
        page.wait_for_selector(f"h1 + p .dstatus-{status}")
    assert page.locator("table tbody tr").count() >= 4
    _in(page, lang)
    shot(page, f"peran-adopter-{lang}")
    assert page.js_errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_publisher_submits_is_returned_then_published_and_is_told_each_time(open_as, lang):
    name = {"id": "Sistem Informasi Jalan Provinsi", "en": "Sistem Informasi Air Bersih"}[lang]
    slug = name.lower().replace(" ", "-")
    publisher = open_as(lang, PUBLISHER[lang])
    publisher.goto("/apps/new")
    _in(publisher, lang)
    publisher.fill("#f-name", name)
    publisher.fill("#f-short_description_id", "Pendataan yang dipakai bidang teknis dinas.")
    publisher.select_option("#f-category", "data-collection")
    publisher.select_option("#f-development_status", "beta")
    publisher.fill("#f-repo_url", f"https://git.daerah.go.id/{slug}.git")
    publisher.fill("#f-license", "MIT")
    publisher.fill("#f-maintenance_contacts", "Diskominfo <diskominfo@daerah.go.id>")
    publisher.click("form.form > button[type=submit]:not(.visually-hidden)")
    publisher.wait_for_url(re.compile(rf"/apps/{slug}$"))
    publisher.click(f"form[action$='/apps/{slug}/submit'] button")
    publisher.wait_for_selector(".badge-submitted")

    admin = open_as(lang, "admin@katalog.go.id")
    admin.goto("/admin/review")
    assert admin.inner_text("h1") == TEXT[lang]["review"]
    card = admin.locator("section.card", has_text=name)
    card.locator("textarea").fill("Lengkapi deskripsi: siapa pemakainya dan cara pemasangannya.")
    card.locator("button.secondary").click()
    admin.wait_for_load_state()
    assert admin.locator("section.card", has_text=name).count() == 0

    publisher.goto("/notifications")
    assert publisher.inner_text("h1") == TEXT[lang]["notifications"]
    returned = publisher.locator("li.card", has_text=name).first
    assert "Lengkapi deskripsi" in returned.inner_text()
    publisher.goto(f"/apps/{slug}")
    publisher.wait_for_selector(".badge-returned")
    publisher.click(f"form[action$='/apps/{slug}/submit'] button")
    publisher.wait_for_selector(".badge-submitted")

    admin.goto("/admin/review")
    admin.locator("section.card", has_text=name).locator(f"form[action$='/{slug}/publish'] button").click()
    admin.wait_for_load_state()
    publisher.goto("/notifications")
    assert publisher.locator("li.card", has_text=name).count() >= 2
    publisher.goto(f"/apps/{slug}")
    assert publisher.locator(".badge-submitted, .badge-returned").count() == 0
    _in(publisher, lang)
    shot(publisher, f"peran-penerbit-{lang}")
    assert publisher.js_errors == [] and admin.js_errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_admin_reads_the_queue_and_org_admin_manages_people(open_as, lang):
    admin = open_as(lang, "admin@katalog.go.id")
    admin.goto("/admin/review")
    assert admin.locator("section.card", has_text="Dakota").count() == 1  # the demo's waiting entry
    admin.goto("/admin/people?org=21.72")
    assert admin.inner_text("h1") == TEXT[lang]["people"]
    listed = admin.inner_text("#akun")
    assert "adopsi@tanjungpinangkota.go.id" in listed and ORG_ADMIN[0] in listed
    assert "adopsi@pekanbaru.go.id" not in listed

    head = open_as(lang, *ORG_ADMIN)
    head.goto("/admin/people")
    _in(head, lang)
    invitee = f"staf.aplikasi.{lang}@tanjungpinangkota.go.id"
    head.fill("#f-email", invitee)
    head.fill("#f-name", "Staf Aplikasi Baru")
    head.select_option("#f-role", "adopter")
    head.click("#undang button[type=submit]")
    head.wait_for_selector(".flash-success")
    row = head.locator("#akun tbody tr", has_text=invitee)
    assert row.count() == 1
    row.locator("select[name=role]").select_option("publisher")
    row.locator("form[action*='/role'] button").click()
    head.wait_for_selector(".flash-success")
    assert head.locator("#akun tbody tr", has_text=invitee).locator("select[name=role]").input_value() == "publisher"
    assert "adopsi@pekanbaru.go.id" not in head.inner_text("#akun")  # only the own organization
    shot(head, f"peran-pengelola-{lang}")
    assert head.js_errors == [] and admin.js_errors == []


@pytest.mark.parametrize("lang", LANGS)
def test_auditor_reads_the_report_the_audit_trail_and_prints_the_evidence(open_as, lang):
    auditor = open_as(lang, "auditor@kepriprov.go.id")
    auditor.goto("/reports")
    _in(auditor, lang)
    assert "Kepulauan Riau" in auditor.inner_text(".lead")
    report = auditor.inner_text("main")
    assert "Kota Tanjung Pinang" in report and "Simanja" in report
    auditor.goto("/reports/audit")
    assert auditor.inner_text("h1") == TEXT[lang]["audit"]
    assert auditor.locator("table tbody tr").count() > 0
    auditor.goto("/reports/evidence/21.72")
    _in(auditor, lang)
    assert "Kota Tanjung Pinang" in auditor.inner_text("main")
    pdf = PdfReader(io.BytesIO(auditor.pdf(prefer_css_page_size=True, print_background=True)))
    sizes = {(round(float(p.mediabox.width), 1), round(float(p.mediabox.height), 1)) for p in pdf.pages}
    # A4, portrait; the wide table of deployments on landscape pages
    assert all(abs(min(w, h) - A4_POINTS[0]) < 1 and abs(max(w, h) - A4_POINTS[1]) < 1 for w, h in sizes), sizes
    first = pdf.pages[0].extract_text()
    assert "Kota Tanjung Pinang" in first and "21.72" in first
    shot(auditor, f"peran-auditor-{lang}")
    assert auditor.js_errors == []


def _fork_id(server, org: str, slug: str) -> int:
    return _fork_row(server, org, slug)[0]


def _fork_row(server, org: str, slug: str) -> tuple[int, int]:
    """(id, commits behind upstream) as stored now."""
    from catalog.extensions import db
    from catalog.models import App, Fork, Organization

    with server["app"].app_context():
        row = db.session.execute(db.select(Fork.id, Fork.behind).join(App, App.id == Fork.app_id).join(
            Organization, Organization.id == Fork.organization_id).where(
            App.slug == slug, Organization.code == org)).one()
        db.session.remove()
    return tuple(row)


def _sync(page, fork_id: int) -> str:
    page.goto(f"/forks/{fork_id}")
    page.click(f"form[action$='/forks/{fork_id}/sync'] button")
    page.wait_for_selector(".flash-success, .flash-error")
    return page.inner_text(".flash-success, .flash-error")


def _resolve_by_hand(page, fork_id: int, hint: str, work) -> None:
    """What the page says to do after a refused sync, with real git: clone the copy, pull upstream
    (README.md conflicts), keep both sides' lines, commit and push with a new access token."""
    pull = re.search(r"git pull --no-rebase (\S+) (\S+)$", hint.strip())
    assert pull, hint
    page.goto("/account/tokens")
    page.fill("#f-label", "gabung simanja")
    page.click("form.form button[type=submit]")
    token = page.inner_text("code.token").strip()
    page.goto(f"/forks/{fork_id}")
    clone_url = page.inner_text("#clone-fork").strip().split()[-1]
    git("clone", clone_url, str(work))
    merging = subprocess.run(["git", "pull", "--no-rebase", *pull.groups()], cwd=work, env=GIT_ENV,
                             capture_output=True, text=True, timeout=60)
    assert merging.returncode != 0 and "CONFLICT" in merging.stdout and "README.md" in merging.stdout
    readme = (work / "README.md").read_text()
    assert "<<<<<<<" in readme and "Kota Tanjung Pinang" in readme and "v1.3.0" in readme
    kept = [line for line in readme.splitlines() if not line.startswith(("<<<<<<<", "=======", ">>>>>>>"))]
    (work / "README.md").write_text("\n".join(kept) + "\n")
    git("add", "README.md", cwd=work)
    git("commit", "--no-edit", cwd=work)
    git("push", clone_url.replace("http://", f"http://petugas:{token}@"), "HEAD", cwd=work)


@pytest.mark.parametrize("lang", LANGS)
def test_adopter_sees_the_demo_lag_and_brings_copies_up_to_date(open_as, server, lang, tmp_path):
    """The demo's later releases, through the UI: a deployment "tertinggal", a copy that merges
    cleanly or fast-forwards, and Tanjung Pinang's Simanja whose README.md conflicts: nothing is
    written, the page says how to merge by hand, and the region does so with git and pushes."""
    if lang == "id":
        page = open_as(lang, "adopsi@tanjungpinangkota.go.id")
        page.goto("/my/region")
        assert "tertinggal 1 rilis" in page.inner_text("main")
        conflicting = _fork_id(server, "21.72", "simanja")
        message = _sync(page, conflicting)
        assert "bentrok" in message and "README.md" in message
        hint = page.inner_text(".flash-info")
        assert "Tidak ada yang diubah" in hint and "git pull --no-rebase" in hint
        assert page.is_visible("text=Induk punya 2 commit baru")  # still behind: nothing was written
        assert _fork_row(server, "21.72", "simanja")[1] == 2
        assert "digabungkan" in _sync(page, _fork_id(server, "21.72", "slims"))
        _resolve_by_hand(page, conflicting, hint, tmp_path / "simanja")
        assert _fork_row(server, "21.72", "simanja")[1] == 0
        page.goto(f"/forks/{conflicting}")
        assert not page.is_visible("text=Induk punya")
        assert "sudah mutakhir" in _sync(page, conflicting)
        synced = ("21.72", "slims")
    else:
        page = open_as(lang, "adopsi@solokkab.go.id")
        page.goto("/my/region")
        assert "behind" in page.inner_text("main")
        assert "fast-forward" in _sync(page, _fork_id(server, "13.02", "si-cegah-stunting"))
        synced = ("13.02", "si-cegah-stunting")
    assert _fork_row(server, *synced)[1] == 0  # up to date with upstream now
    _in(page, lang)
    assert page.js_errors == []
