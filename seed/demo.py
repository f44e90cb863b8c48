"""Demo data: users for each role, the demo apps with small real git repositories."""
from __future__ import annotations

from pathlib import Path

from flask import current_app

from catalog.extensions import db
from catalog.models import App, Fork, User
from catalog.services import repo_paths
from catalog.services.accounts import organizations, users
from catalog.services.catalog import apps, indexing
from catalog.services.repos import forks

from .demo_apps import DEMO_APPS
from .demo_repos import add_commits, create_demo_repo

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
)


def seed_users() -> list[User]:
    created = []
    for email, name, org, role, password in DEMO_USERS:
        if users.get_by_email(email) is None:
            created.append(users.create_user(email=email, name=name, org_code=org, role=role, password=password))
    return created


def _publisher_of(org_code: str) -> User:
    org = organizations.get_by_code(org_code)
    return db.session.execute(
        db.select(User).where(User.organization_id == org.id, User.role == "publisher")).scalars().first()


def seed_apps(sources_dir: Path) -> list[App]:
    """Create each demo app through the services, as its publisher would, then have the admin publish it."""
    admin = users.get_by_email(DEMO_USERS[0][0])
    created = []
    allow_local = current_app.config["ALLOW_LOCAL_REPOS"]
    current_app.config["ALLOW_LOCAL_REPOS"] = True  # demo sources are local repositories
    try:
        for spec in DEMO_APPS:
            if db.session.execute(db.select(App.id).where(App.slug == spec["slug"])).first():
                continue
            repo = create_demo_repo(sources_dir / f"{spec['slug']}.git", spec)
            data = {k: v for k, v in spec.items() if k not in ("publisher", "state", "releases")}
            data["repo_url"] = str(repo)
            app = apps.create_app(data, actor=admin, org_code=spec["publisher"])
            if spec["state"] in ("submitted", "published"):
                apps.submit_app(app.slug, actor=_publisher_of(spec["publisher"]) or admin)
            if spec["state"] == "published":
                apps.publish_app(app.slug, actor=admin, note="Terverifikasi (data demo).")
            created.append(app)
    finally:
        current_app.config["ALLOW_LOCAL_REPOS"] = allow_local
    indexing.apply_soon()
    return created


# (adopter e-mail, app slug, commits the region made on its copy)
DEMO_FORKS = (
    ("adopsi@tanjungpinangkota.go.id", "simanja", [
        ("src/integrasi_simpeg.php", "<?php\n// Integrasi SIMPEG Kota Tanjung Pinang\n", "Integrasi SIMPEG daerah"),
        ("src/tpp.php", "<?php\n// Perhitungan TPP sesuai Perwako No. 8/2022\n",
         "Hitung TPP sesuai Perwako No. 8/2022"),
        ("README.md", "# Simanja — Kota Tanjung Pinang\n\nSalinan daerah dengan integrasi SIMPEG.\n", "README daerah"),
    ], "Integrasi SIMPEG daerah dan perhitungan TPP sesuai Perwako No. 8/2022."),
    ("adopsi@bintankab.go.id", "siap", [], ""),
)


def seed_forks() -> list[Fork]:
    """Regional copies with a few local commits, so fork pages show real drift."""
    created = []
    for email, slug, commits, note in DEMO_FORKS:
        adopter = users.get_by_email(email)
        app = apps.get_published(slug)
        if db.session.execute(db.select(Fork.id).where(Fork.app_id == app.id,
                                                       Fork.organization_id == adopter.organization_id)).first():
            continue
        fork = forks.create_fork(slug, actor=adopter)
        if commits:
            add_commits(repo_paths.absolute(fork.relpath), fork.default_branch, commits, author=adopter.name)
            forks.record_push(fork.relpath, adopter.id)
        if note:
            forks.annotate_fork(fork.id, note, actor=adopter)
        created.append(forks.get_fork(fork.id))
    return created
