"""Demo deployments: who runs which shared app, with history and publisher confirmations."""
# Call after the demo apps are published, their mirrors fetched and the demo forks made: versions
# are checked against the repositories like those of any other deployment.
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from catalog.extensions import db
from catalog.models import App, Deployment, Fork, Organization, User
from catalog.services.accounts import users
from catalog.services.deployments import lifecycle as deployments
from catalog.services.errors import ServiceError

log = logging.getLogger(__name__)
ADMIN = "admin@katalog.go.id"

# org, app, actor e-mail, fields, later statuses [(status, note)], confirmer e-mail
DEMO_DEPLOYMENTS = (
    ("21.72", "simanja", "adopsi@tanjungpinangkota.go.id",
     {"environment": "production", "status": "production", "version": "v1.2.0", "hosting": "pusat_data_daerah",
      "opd_units": ["BKPSDM", "Inspektorat"], "go_live_on": date(2024, 7, 1),
      "url": "https://simanja.tanjungpinangkota.go.id", "note": "Terhubung dengan SSO Pemko."},
     (), "penerbit@kepriprov.go.id"),
    ("21.72", "siap", "adopsi@tanjungpinangkota.go.id",
     {"environment": "production", "status": "production", "version": "v2.3.0", "hosting": "pusat_data_daerah",
      "opd_units": ["Seluruh OPD"], "go_live_on": date(2023, 11, 1)},
     (), "auditor@kepriprov.go.id"),
    ("21.72", "srikandi", "adopsi@tanjungpinangkota.go.id",
     {"environment": "pilot", "status": "installing", "version": "v2.0.0", "hosting": "pdn",
      "opd_units": ["Sekretariat Daerah", "Dinas Perpustakaan dan Kearsipan"],
      "note": "Pelatihan operator Srikandi bersama ANRI."},
     (("pilot", "Uji coba di dua OPD."),), None),
    ("21.01", "siap", "adopsi@bintankab.go.id",
     {"environment": "production", "status": "planned", "version": "v2.3.0", "hosting": "pusat_data_daerah",
      "note": "Direncanakan untuk tahun anggaran berikutnya."},
     (), None),
    ("14.71", "sp4n-lapor", ADMIN,
     {"environment": "production", "status": "production", "version": "v3.0.0", "hosting": "pdn",
      "opd_units": ["Bagian Organisasi", "Seluruh OPD"], "go_live_on": date(2022, 3, 1)},
     (), "penerbit@menpan.go.id"),
    ("63.09", "slims", "adopsi@tabalongkab.go.id",
     {"environment": "production", "status": "production", "version": "v9.6.0", "hosting": "opd_server",
      "opd_units": ["Dinas Perpustakaan"], "go_live_on": date(2023, 2, 1)},
     (("suspended", "Server OPD rusak; tidak ada anggaran pemeliharaan."),
      ("retired", "Aplikasi dibeli tetapi tidak dipakai; koordinasi antar-OPD kurang.")), None),
)


@dataclass
class SeedResult:
    created: list[Deployment] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _exists(org_code: str, slug: str, environment: str) -> bool:
    stmt = (db.select(Deployment.id).join(Organization, Organization.id == Deployment.organization_id)
            .join(App, App.id == Deployment.app_id)
            .where(Organization.code == org_code, App.slug == slug, Deployment.environment == environment))
    return db.session.execute(stmt).first() is not None


def _user(email: str) -> User | None:
    return users.get_by_email(email) if email else None


def seed_demo_deployments() -> SeedResult:
    """Idempotent; a deployment whose app or version cannot be checked yet is skipped and named."""
    result = SeedResult()
    for org, slug, actor_email, fields, later, confirmer_email in DEMO_DEPLOYMENTS:
        if _exists(org, slug, fields["environment"]):
            continue
        actor = _user(actor_email) or _user(ADMIN)
        try:
            dep = deployments.create_deployment(dict(fields), actor=actor, app_slug=slug, org_code=org)
            for status, note in later:
                dep = deployments.change_status(dep.id, status, actor=actor, note=note)
            confirmer = _user(confirmer_email)
            if confirmer is not None:
                dep = deployments.confirm_deployment(dep.id, actor=confirmer, note="Terverifikasi (data demo).")
        except ServiceError as exc:
            db.session.rollback()
            reason = "; ".join([exc.message, *exc.fields.values()])
            log.warning("demo deployment %s/%s skipped: %s", org, slug, reason)
            result.skipped.append(f"{org} {slug}: {reason}")
            continue
        result.created.append(dep)
    _fork_deployment(result)
    return result


def _fork_deployment(result: SeedResult) -> None:
    """Tanjung Pinang also tries its own fork of Simanja (with local commits) in staging."""
    fork = db.session.execute(
        db.select(Fork).join(Organization, Organization.id == Fork.organization_id).join(App, App.id == Fork.app_id)
        .where(Organization.code == "21.72", App.slug == "simanja")).scalars().first()
    if fork is None or not fork.fork_head or _exists("21.72", "simanja", "staging"):
        return
    fields = {"environment": "staging", "status": "pilot", "version": fork.fork_head[:12], "fork_id": fork.id,
              "hosting": "pusat_data_daerah", "opd_units": ["BKPSDM"],
              "note": "Uji integrasi SIMPEG daerah dan perhitungan TPP sebelum menggantikan versi induk."}
    try:
        result.created.append(deployments.create_deployment(
            fields, actor=_user("adopsi@tanjungpinangkota.go.id") or _user(ADMIN),
            app_slug="simanja", org_code="21.72"))
    except ServiceError as exc:
        db.session.rollback()
        result.skipped.append(f"21.72 simanja (fork): {exc.message}")
