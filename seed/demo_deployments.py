"""Demo deployments: who runs which shared app, with a dated history and publisher confirmations."""
# Call after the demo apps are published, their mirrors fetched and the demo forks made: versions
# are checked against the repositories like those of any other deployment. The deployment register
# opened in July 2025: apps that ran before were recorded then, with the day they went live.
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from catalog.extensions import db
from catalog.models import App, Deployment, Fork, Organization, User
from catalog.services.accounts import users
from catalog.services.deployments import lifecycle as deployments
from catalog.services.errors import ServiceError

from .story_clock import at, story_time

log = logging.getLogger(__name__)
ADMIN = "admin@katalog.go.id"
FORK = "fork"  # the version: the head of the organization's own copy of the app
TP, BINTAN, PEKANBARU = "adopsi@tanjungpinangkota.go.id", "adopsi@bintankab.go.id", "adopsi@pekanbaru.go.id"
SOLOK, TABALONG = "adopsi@solokkab.go.id", "adopsi@tabalongkab.go.id"
KEPRI_AUDITOR = "auditor@kepriprov.go.id"

# (recorded on, org, app, who records, fields, later [(day, status, note)], (confirmed on, by) or None)
DEMO_DEPLOYMENTS = (
    ("2025-07-07", "21.72", "simanja", TP,
     {"environment": "production", "status": "production", "version": "v1.2.0", "hosting": "pusat_data_daerah",
      "opd_units": ["BKPSDM", "Inspektorat"], "go_live_on": date(2024, 9, 2),
      "url": "https://simanja.tanjungpinangkota.go.id", "note": "Terhubung dengan SSO Pemko."},
     (), ("2025-07-14", "penerbit@kepriprov.go.id")),
    ("2025-07-08", "21.72", "siap", TP,
     {"environment": "production", "status": "production", "version": "v2.3.0", "hosting": "pusat_data_daerah",
      "opd_units": ["Seluruh OPD"], "go_live_on": date(2024, 4, 1)},
     (), ("2025-08-04", KEPRI_AUDITOR)),
    ("2025-07-09", "21", "simanja", ADMIN,
     {"environment": "production", "status": "production", "version": "v1.2.0", "hosting": "pusat_data_daerah",
      "opd_units": ["Seluruh perangkat daerah Provinsi"], "go_live_on": date(2024, 9, 16)}, (), None),
    ("2025-07-15", "14.71", "sp4n-lapor", PEKANBARU,
     {"environment": "production", "status": "production", "version": "v3.0.0", "hosting": "pdn",
      "opd_units": ["Bagian Organisasi", "Seluruh OPD"], "go_live_on": date(2023, 10, 2)},
     (), ("2025-07-22", "penerbit@menpan.go.id")),
    ("2025-07-15", "14.71", "jdih", PEKANBARU,
     {"environment": "production", "status": "production", "version": "v4.0.0", "hosting": "pusat_data_daerah",
      "opd_units": ["Bagian Hukum"], "go_live_on": date(2024, 3, 4)}, (), None),
    ("2025-07-16", "14.71", "simpeg", PEKANBARU,
     {"environment": "production", "status": "production", "version": "v5.3.0", "hosting": "pusat_data_daerah",
      "opd_units": ["BKPSDM"], "go_live_on": date(2024, 11, 4)}, (), None),
    ("2025-07-16", "14.71", "e-office", PEKANBARU,
     {"environment": "production", "status": "production", "version": "v1.4.0", "hosting": "pusat_data_daerah",
      "opd_units": ["Seluruh OPD"], "go_live_on": date(2024, 7, 1)}, (), None),
    ("2025-07-21", "63.09", "slims", TABALONG,
     {"environment": "production", "status": "production", "version": "v9.6.1", "hosting": "opd_server",
      "opd_units": ["Dinas Perpustakaan"], "go_live_on": date(2024, 6, 3)},
     (("2025-11-03", "suspended", "Server OPD rusak; tidak ada anggaran pemeliharaan."),
      ("2026-03-02", "retired", "Aplikasi dibeli tetapi tidak dipakai; koordinasi antar-OPD kurang.")), None),
    ("2025-07-21", "63.09", "si-cegah-stunting", TABALONG,
     {"environment": "production", "status": "production", "version": "v1.0.0", "hosting": "pusat_data_daerah",
      "opd_units": ["Dinas Kesehatan", "Bappelitbang"], "go_live_on": date(2024, 7, 1)}, (), None),
    ("2025-07-23", "63", "srikandi", ADMIN,
     {"environment": "production", "status": "production", "version": "v2.1.0", "hosting": "pdn",
      "opd_units": ["Sekretariat Daerah Provinsi"], "go_live_on": date(2024, 8, 1)},
     (), ("2025-08-06", "penerbit@anri.go.id")),
    ("2025-07-24", "14", "sp4n-lapor", ADMIN,
     {"environment": "production", "status": "production", "version": "v3.0.0", "hosting": "pdn",
      "opd_units": ["Biro Organisasi"], "go_live_on": date(2023, 11, 1)}, (), None),
    ("2025-07-28", "13.02", "opensid", SOLOK,
     {"environment": "production", "status": "installing", "version": FORK, "hosting": "pusat_data_daerah",
      "opd_units": ["DPMN", "74 nagari"], "note": "Pemasangan bertahap per kecamatan."},
     (("2025-09-15", "pilot", "Uji coba di 10 nagari Kecamatan Gunung Talang."),
      ("2025-12-01", "production", "Seluruh nagari memakai versi nagari.")),
     ("2025-12-15", "penerbit@kemendesa.go.id")),
    ("2025-07-30", "13.02", "sipetani", SOLOK,
     {"environment": "production", "status": "production", "version": "v2.0.0", "hosting": "pusat_data_daerah",
      "opd_units": ["Dinas Pertanian"], "go_live_on": date(2024, 11, 4)}, (), None),
    ("2025-08-04", "21.72", "slims", TP,
     {"environment": "production", "status": "installing", "version": FORK, "hosting": "pusat_data_daerah",
      "opd_units": ["Dinas Perpustakaan dan Kearsipan"]},
     (("2025-08-25", "pilot", "Uji coba di perpustakaan daerah."),
      ("2025-10-06", "production", "Dibuka untuk umum.")), ("2025-10-20", "penerbit@perpusnas.go.id")),
    ("2025-08-11", "21.01", "siap", BINTAN,
     {"environment": "production", "status": "planned", "version": "v2.3.0", "hosting": "pusat_data_daerah",
      "note": "Direncanakan untuk tahun anggaran berikutnya."}, (), None),
    ("2025-08-18", "21.72", "simanja", TP,
     {"environment": "staging", "status": "pilot", "version": FORK, "hosting": "pusat_data_daerah",
      "opd_units": ["BKPSDM"],
      "note": "Uji integrasi SIMPEG daerah dan perhitungan TPP sebelum menggantikan versi induk."}, (), None),
    ("2025-08-25", "21.72", "e-parkir", TP,
     {"environment": "production", "status": "pilot", "version": "v0.9.0", "hosting": "pusat_data_daerah",
      "opd_units": ["Dinas Perhubungan"]},
     (("2026-01-05", "production", "Dipakai di seluruh titik parkir tepi jalan."),), None),
    ("2025-09-01", "21.72", "srikandi", TP,
     {"environment": "pilot", "status": "installing", "version": "v2.0.0", "hosting": "pdn",
      "opd_units": ["Sekretariat Daerah", "Dinas Perpustakaan dan Kearsipan"],
      "note": "Pelatihan operator Srikandi bersama ANRI."},
     (("2025-10-20", "pilot", "Uji coba di dua OPD."),), None),
    ("2025-09-22", "14.71", "sig-umkm", PEKANBARU,
     {"environment": "staging", "status": "pilot", "version": FORK, "hosting": "cloud",
      "opd_units": ["Dinas Koperasi dan UKM"]}, (), None),
    ("2025-10-06", "63.09", "e-office", TABALONG,
     {"environment": "pilot", "status": "planned", "version": FORK, "hosting": "pusat_data_daerah",
      "opd_units": ["Sekretariat Daerah"]},
     (("2025-11-10", "installing", "Server disiapkan di pusat data daerah."),
      ("2026-01-12", "pilot", "Uji coba di Sekretariat Daerah dan Bappelitbang.")), None),
    ("2025-10-13", "13", "slims", ADMIN,
     {"environment": "production", "status": "production", "version": "v9.6.1", "hosting": "pusat_data_daerah",
      "opd_units": ["Dinas Kearsipan dan Perpustakaan Provinsi"], "go_live_on": date(2024, 9, 2)}, (), None),
    ("2026-02-02", "13.02", "si-cegah-stunting", SOLOK,
     {"environment": "production", "status": "planned", "version": FORK, "hosting": "pusat_data_daerah",
      "opd_units": ["Dinas Kesehatan"], "note": "Belajar dari Kabupaten Tabalong."},
     (("2026-04-06", "installing", "Pelatihan kader posyandu."),), None),
    ("2026-05-04", "21.01", "srikandi", BINTAN,
     {"environment": "production", "status": "planned", "version": "v2.1.0", "hosting": "pdn",
      "opd_units": ["Sekretariat Daerah"]},
     (("2026-06-15", "retired", "Tidak jadi: Pemprov menyediakan Srikandi bersama untuk kabupaten."),), None),
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


def _own_fork(org_code: str, slug: str) -> Fork | None:
    return db.session.execute(
        db.select(Fork).join(Organization, Organization.id == Fork.organization_id).join(App, App.id == Fork.app_id)
        .where(Organization.code == org_code, App.slug == slug)).scalars().first()


def _steps():
    """Every dated step of every deployment, in the order of the story."""
    steps = []
    for n, (day, *_who, later, confirmation) in enumerate(DEMO_DEPLOYMENTS):
        steps.append((at(day, 10), n, "create", None, None))
        for later_day, status, note in later:
            steps.append((at(later_day, 10), n, "status", status, note))
        if confirmation:
            steps.append((at(confirmation[0], 11), n, "confirm", confirmation[1], None))
    return sorted(steps, key=lambda s: (s[0], s[1]))


def seed_demo_deployments() -> SeedResult:
    """Idempotent; a deployment whose app or version cannot be checked yet is skipped and named.
    Then the last weeks of the story (seed/demo_story.py)."""
    from .demo_story import seed_recent_weeks

    result, made, failed = SeedResult(), {}, set()
    for moment, n, kind, value, note in _steps():
        _day, org, slug, actor_email, fields, _later, _confirmation = DEMO_DEPLOYMENTS[n]
        if n in failed or (kind != "create" and n not in made):
            continue
        actor = _user(actor_email) or _user(ADMIN)
        try:
            with story_time(moment):
                if kind == "create":
                    if _exists(org, slug, fields["environment"]):
                        failed.add(n)  # seeded before: nothing to add
                        continue
                    made[n] = _create(org, slug, actor, fields)
                elif kind == "status":
                    made[n] = deployments.change_status(made[n].id, value, actor=actor, note=note)
                else:
                    made[n] = deployments.confirm_deployment(made[n].id, actor=_user(value),
                                                             note="Terverifikasi (data demo).")
        except ServiceError as exc:
            db.session.rollback()
            reason = "; ".join([exc.message, *exc.fields.values()])
            log.warning("demo deployment %s/%s skipped: %s", org, slug, reason)
            result.skipped.append(f"{org} {slug}: {reason}")
            failed.add(n)
            made.pop(n, None)
    result.created = [dep for n, dep in sorted(made.items())]
    seed_recent_weeks()
    return result


def _create(org: str, slug: str, actor: User, fields: dict) -> Deployment:
    values = dict(fields)
    if values["version"] == FORK:
        fork = _own_fork(org, slug)
        if fork is None or not fork.fork_head:
            raise ServiceError(f"{org} has no copy of {slug}")
        values["version"], values["fork_id"] = fork.fork_head[:12], fork.id
    return deployments.create_deployment(values, actor=actor, app_slug=slug, org_code=org)
