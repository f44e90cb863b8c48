"""Demo data: users for each role, the demo apps with small real git repositories, the regions' copies.

The demo tells two years of one catalog, each step through the services at its moment of the story
(seed/story_clock.py): accounts in December 2024, entries verified by March 2025, the regions'
copies in spring 2025 (seed_forks), deployments recorded from July 2025 (seed/demo_deployments.py),
and the last weeks' upstream releases and submissions (seed/demo_story.py)."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import current_app

from catalog.extensions import db
from catalog.models import App, Fork, User
from catalog.services import repo_paths
from catalog.services.accounts import organizations, users
from catalog.services.catalog import apps
from catalog.services.repos import forks

from .demo_apps import DEMO_APPS
from .demo_repos import add_commits, create_demo_repo
from .index_once import index_applied_once
from .story_clock import at, story_time

ACCOUNTS_OPENED = at("2024-12-02", 8)

DEMO_USERS = (
    # email, name, org code, role, password (demo only; listed in the README)
    ("admin@katalog.go.id", "Admin Katalog", "komdigi", "admin", "admin-demo-2026"),
    ("penerbit@kepriprov.go.id", "Penerbit Diskominfo Kepri", "21", "publisher", "penerbit-demo-2026"),
    ("penerbit@tanjungpinangkota.go.id", "Penerbit Kota Tanjung Pinang", "21.72", "publisher", "penerbit-demo-2026"),
    ("penerbit@pekanbaru.go.id", "Penerbit Kota Pekanbaru", "14.71", "publisher", "penerbit-demo-2026"),
    ("penerbit@anri.go.id", "Penerbit ANRI", "anri", "publisher", "penerbit-demo-2026"),
    ("penerbit@menpan.go.id", "Penerbit KemenPANRB", "kemenpanrb", "publisher", "penerbit-demo-2026"),
    ("penerbit@kemendesa.go.id", "Penerbit Kemendesa", "kemendesa", "publisher", "penerbit-demo-2026"),
    ("penerbit@perpusnas.go.id", "Penerbit Perpusnas", "perpusnas", "publisher", "penerbit-demo-2026"),
    ("penerbit@kemendagri.go.id", "Penerbit Kemendagri", "kemendagri", "publisher", "penerbit-demo-2026"),
    ("adopsi@tanjungpinangkota.go.id", "Staf TI Kota Tanjung Pinang", "21.72", "adopter", "adopsi-demo-2026"),
    ("adopsi@bintankab.go.id", "Staf TI Kabupaten Bintan", "21.01", "adopter", "adopsi-demo-2026"),
    ("adopsi@tabalongkab.go.id", "Staf TI Kabupaten Tabalong", "63.09", "adopter", "adopsi-demo-2026"),
    ("auditor@kepriprov.go.id", "Inspektorat Provinsi Kepulauan Riau", "21", "auditor", "auditor-demo-2026"),
    ("auditor@menpan.go.id", "Evaluator SPBE KemenPANRB", "kemenpanrb", "auditor", "auditor-demo-2026"),
    ("penerbit@bkn.go.id", "Penerbit BKN", "bkn", "publisher", "penerbit-demo-2026"),
    ("penerbit@lkpp.go.id", "Penerbit LKPP", "lkpp", "publisher", "penerbit-demo-2026"),
    ("penerbit@bssn.go.id", "Penerbit BSSN", "bssn", "publisher", "penerbit-demo-2026"),
    ("penerbit@riau.go.id", "Penerbit Diskominfotik Provinsi Riau", "14", "publisher", "penerbit-demo-2026"),
    ("penerbit@sumbarprov.go.id", "Penerbit Diskominfotik Provinsi Sumatera Barat", "13", "publisher",
     "penerbit-demo-2026"),
    ("penerbit@kalselprov.go.id", "Penerbit Diskominfo Provinsi Kalimantan Selatan", "63", "publisher",
     "penerbit-demo-2026"),
    ("penerbit@solokkab.go.id", "Penerbit Kabupaten Solok", "13.02", "publisher", "penerbit-demo-2026"),
    ("penerbit@tabalongkab.go.id", "Penerbit Kabupaten Tabalong", "63.09", "publisher", "penerbit-demo-2026"),
    ("adopsi@pekanbaru.go.id", "Staf TI Kota Pekanbaru", "14.71", "adopter", "adopsi-demo-2026"),
    ("adopsi@solokkab.go.id", "Staf TI Kabupaten Solok", "13.02", "adopter", "adopsi-demo-2026"),
    ("pengelola@tanjungpinangkota.go.id", "Kepala Bidang Aplikasi Informatika Kota Tanjung Pinang", "21.72",
     "org_admin", "pengelola-demo-2026"),
)


def seed_users() -> list[User]:
    created = []
    with story_time(ACCOUNTS_OPENED):
        for email, name, org, role, password in DEMO_USERS:
            if users.get_by_email(email) is None:
                created.append(users.create_user(email=email, name=name, org_code=org, role=role,
                                                 password=password))
    return created


def _publisher_of(org_code: str) -> User:
    org = organizations.get_by_code(org_code)
    return db.session.execute(
        db.select(User).where(User.organization_id == org.id, User.role == "publisher")).scalars().first()


APP_FIELDS_ONLY_FOR_THE_SEED = ("publisher", "state", "releases", "verified_on", "released_on", "recent")


def register_app(spec: dict, sources_dir: Path, *, admin: User) -> App:
    """The publisher's entry with its repository, submitted on the day before its verification
    date; then published (or returned, with the reviewer's note) on that date."""
    day = spec["verified_on"]
    repo = create_demo_repo(sources_dir / f"{spec['slug']}.git", spec)
    data = {k: v for k, v in spec.items() if k not in APP_FIELDS_ONLY_FOR_THE_SEED}
    data["repo_url"] = str(repo)
    publisher = _publisher_of(spec["publisher"]) or admin
    allow_local = current_app.config["ALLOW_LOCAL_REPOS"]
    current_app.config["ALLOW_LOCAL_REPOS"] = True  # demo sources are local repositories
    try:
        with story_time(at(day, 14) - timedelta(days=1)):
            app = apps.create_app(data, actor=admin, org_code=spec["publisher"])
            if spec["state"] in ("submitted", "published", "returned"):
                apps.submit_app(app.slug, actor=publisher)
        if spec["state"] == "published":
            with story_time(at(day, 10)):
                apps.publish_app(app.slug, actor=admin, note="Terverifikasi: data, lisensi dan repositori sesuai.")
        elif spec["state"] == "returned":
            with story_time(at(day, 10) + timedelta(days=5)):
                apps.return_app(app.slug, actor=admin, note=RETURN_NOTES.get(app.slug, "Lengkapi deskripsi."))
    finally:
        current_app.config["ALLOW_LOCAL_REPOS"] = allow_local
    return app


RETURN_NOTES = {
    "sigap-bencana": "Deskripsi terlalu singkat: jelaskan siapa pemakainya di nagari dan BPBD, alur laporan, "
                     "dan cara pemasangan. Lengkapi juga URL dokumentasi.",
}


def seed_apps(sources_dir: Path) -> list[App]:
    """Create each demo app through the services, as its publisher would, then have the admin
    verify it, in the order of the story. Entries of the last weeks ("recent") come later, with
    the rest of those weeks (seed/demo_story.py)."""
    admin = users.get_by_email(DEMO_USERS[0][0])
    created = []
    with index_applied_once():
        for spec in sorted(DEMO_APPS, key=lambda s: s["verified_on"]):
            if spec.get("recent") or db.session.execute(db.select(App.id).where(App.slug == spec["slug"])).first():
                continue
            created.append(register_app(spec, sources_dir, admin=admin))
    return created


# (day, adopter e-mail, app slug, commits the region made on its copy in the following days, note)
DEMO_FORKS = (
    ("2025-03-10", "adopsi@tanjungpinangkota.go.id", "simanja", [
        ("src/integrasi_simpeg.php", "<?php\n// Integrasi SIMPEG Kota Tanjung Pinang\n", "Integrasi SIMPEG daerah"),
        ("src/tpp.php", "<?php\n// Perhitungan TPP sesuai Perwako No. 8/2022\n",
         "Hitung TPP sesuai Perwako No. 8/2022"),
        ("README.md", "# Simanja — Kota Tanjung Pinang\n\nSalinan daerah dengan integrasi SIMPEG.\n", "README daerah"),
    ], "Integrasi SIMPEG daerah dan perhitungan TPP sesuai Perwako No. 8/2022."),
    ("2025-03-24", "adopsi@bintankab.go.id", "siap", [], ""),
    ("2025-04-07", "adopsi@solokkab.go.id", "opensid", [
        ("src/istilah_nagari.php", "<?php\n// Desa disebut nagari, kepala desa disebut wali nagari\n"
         "return ['desa' => 'nagari', 'kepala_desa' => 'wali_nagari', 'dusun' => 'jorong'];\n",
         "Istilah pemerintahan nagari: nagari, wali nagari, jorong"),
        ("src/surat/keterangan_adat.php", "<?php\n// Surat keterangan tanah ulayat dari Kerapatan Adat Nagari\n",
         "Surat keterangan tanah ulayat (KAN)"),
    ], "Disesuaikan untuk pemerintahan nagari di Sumatera Barat: istilah nagari dan jorong, surat adat KAN."),
    ("2025-04-21", "adopsi@tanjungpinangkota.go.id", "slims", [
        ("tema/tanjungpinang/opac.css", "/* Tema OPAC Dinas Perpustakaan dan Kearsipan Kota Tanjung Pinang */\n"
         "body { font-family: sans-serif; }\n", "Tema OPAC Kota Tanjung Pinang"),
    ], "Tema OPAC daerah; inti SLiMS tidak diubah agar mudah mengikuti rilis induk."),
    ("2025-05-12", "adopsi@tabalongkab.go.id", "e-office", [
        ("src/penomoran.php", "<?php\n// Format nomor surat Kabupaten Tabalong: kode klasifikasi/nomor/OPD/tahun\n",
         "Format nomor surat sesuai Perbup Tabalong tentang tata naskah dinas"),
    ], "Penomoran surat sesuai tata naskah dinas Kabupaten Tabalong."),
    ("2025-06-02", "adopsi@pekanbaru.go.id", "sig-umkm", [
        ("data/kecamatan_pekanbaru.geojson", '{"type": "FeatureCollection", "features": []}\n',
         "Lapisan batas kecamatan Kota Pekanbaru"),
    ], "Peta dasar Kota Pekanbaru dan data UMKM binaan Dinas Koperasi dan UKM."),
    ("2025-06-16", "adopsi@solokkab.go.id", "si-cegah-stunting", [], ""),
)


def seed_forks() -> list[Fork]:
    """Regional copies with a few local commits in the days after, in the order of the story,
    so fork pages show real drift with commit dates that follow the fork's own date."""
    created = []
    for day, email, slug, commits, note in DEMO_FORKS:
        adopter = users.get_by_email(email)
        app = db.session.execute(db.select(App).where(App.slug == slug, App.state == "published")).scalar_one_or_none()
        if adopter is None or app is None or db.session.execute(db.select(Fork.id).where(
                Fork.app_id == app.id, Fork.organization_id == adopter.organization_id)).first():
            continue  # already there, or a partial demo (tests seed a few apps only)
        with story_time(at(day, 10)):
            fork = forks.create_fork(slug, actor=adopter)
        if commits:
            first = at(day, 15) + timedelta(days=3)
            add_commits(repo_paths.absolute(fork.relpath), fork.default_branch, commits, author=adopter.name,
                        when=first)
            with story_time(first + timedelta(days=len(commits) - 1, minutes=5)):
                forks.record_push(fork.relpath, adopter.id)
        if note:
            with story_time(at(day, 15) + timedelta(days=3 + len(commits))):
                forks.annotate_fork(fork.id, note, actor=adopter)
        created.append(forks.get_fork(fork.id))
    return created
