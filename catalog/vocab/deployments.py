"""Deployment vocabularies (status, environment, hosting) with their Indonesian labels."""
from __future__ import annotations

import enum

from . import N_


class DeploymentStatus(str, enum.Enum):
    PLANNED = "planned"
    INSTALLING = "installing"
    PILOT = "pilot"
    PRODUCTION = "production"
    SUSPENDED = "suspended"
    RETIRED = "retired"


class Environment(str, enum.Enum):
    PRODUCTION = "production"
    STAGING = "staging"
    PILOT = "pilot"


class Hosting(str, enum.Enum):
    PDN = "pdn"
    PUSAT_DATA_DAERAH = "pusat_data_daerah"
    CLOUD = "cloud"
    OPD_SERVER = "opd_server"
    OTHER = "other"


_S = DeploymentStatus
# The lifecycle of the contract: planned → installing → pilot → production ⇄ suspended → retired,
# and planned|installing|pilot → retired. Retired is final.
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    _S.PLANNED.value: (_S.INSTALLING.value, _S.RETIRED.value),
    _S.INSTALLING.value: (_S.PILOT.value, _S.RETIRED.value),
    _S.PILOT.value: (_S.PRODUCTION.value, _S.RETIRED.value),
    _S.PRODUCTION.value: (_S.SUSPENDED.value,),
    _S.SUSPENDED.value: (_S.PRODUCTION.value, _S.RETIRED.value),
    _S.RETIRED.value: (),
}



STATUSES = tuple(s.value for s in DeploymentStatus)
ENVIRONMENTS = tuple(e.value for e in Environment)
HOSTINGS = tuple(h.value for h in Hosting)
ACTIVE_STATUSES = tuple(s for s in STATUSES if s != DeploymentStatus.RETIRED.value)

STATUS_LABELS = {
    "planned": N_("Direncanakan"), "installing": N_("Instalasi"), "pilot": N_("Uji coba (pilot)"),
    "production": N_("Produksi"), "suspended": N_("Ditangguhkan"), "retired": N_("Dihentikan"),
}
ENVIRONMENT_LABELS = {"production": N_("Produksi"), "staging": N_("Staging"), "pilot": N_("Pilot")}
HOSTING_LABELS = {
    "pdn": N_("Pusat Data Nasional (PDN)"), "pusat_data_daerah": N_("Pusat Data Daerah"), "cloud": N_("Cloud"),
    "opd_server": N_("Server OPD"), "other": N_("Lainnya"),
}
ROLE_LABELS = {"publisher": N_("penerbit"), "auditor": N_("auditor")}
EVENT_LABELS = {
    "created": N_("Dicatat"), "status": N_("Status diubah"), "version": N_("Versi diubah"),
    "changed": N_("Data diubah"),
    "confirmed": N_("Dikonfirmasi"), "confirmation_lapsed": N_("Konfirmasi gugur"),
    "observed": N_("Dilaporkan sistem yang berjalan"),
}
# Evidence strengths (issue 19): every record is declared; confirmed by the publisher or an
# auditor; observed when the running system sent a heartbeat in the last 30 days.
STRENGTHS = ("declared", "confirmed", "observed")
STRENGTH_LABELS = {"declared": N_("Dinyatakan"), "confirmed": N_("Dikonfirmasi"), "observed": N_("Terpantau")}
STRENGTH_FILTER_LABELS = {"observed": N_("Terpantau (heartbeat dalam 30 hari)"),
                          "confirmed": N_("Dikonfirmasi penerbit atau auditor"),
                          "declared": N_("Hanya dinyatakan (belum dikonfirmasi, tidak terpantau)")}
FLAG_LABELS = {"stale": N_("Tidak terpantau"), "version_mismatch": N_("Versi berjalan berbeda")}
FIELD_LABELS = {
    "environment": N_("Lingkungan"), "version": N_("Versi"), "url": N_("Alamat (URL)"), "hosting": N_("Hosting"),
    "opd_units": N_("OPD pengguna"), "go_live_on": N_("Tanggal mulai beroperasi"), "note": N_("Catatan"),
    "fork_id": N_("Sumber (salinan)"),
}
# Fields only the organization, the publisher, auditors in scope and admins may read.
PRIVATE_FIELDS = ("url", "note")


def status_label(value: str) -> str:
    return STATUS_LABELS.get(value, value)


def environment_label(value: str) -> str:
    return ENVIRONMENT_LABELS.get(value, value)


def hosting_label(value: str) -> str:
    return HOSTING_LABELS.get(value, value)


def next_statuses(status: str) -> tuple[str, ...]:
    return NEXT_STATUSES.get(status, ())
