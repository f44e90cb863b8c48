"""What roles, account states and sign-in filters are called on the pages and in e-mails."""
from __future__ import annotations

from . import N_

ROLE_LABELS = {
    "admin": N_("Admin platform"),
    "org_admin": N_("Pengelola akun organisasi"),
    "publisher": N_("Penerbit"),
    "adopter": N_("Pengadopsi"),
    "auditor": N_("Auditor"),
}
STATE_LABELS = {"active": N_("Aktif"), "invited": N_("Menunggu undangan diterima"), "inactive": N_("Nonaktif")}
LAST_LOGIN_LABELS = {
    "7d": N_("Masuk dalam 7 hari terakhir"),
    "30d": N_("Masuk dalam 30 hari terakhir"),
    "90d": N_("Masuk dalam 90 hari terakhir"),
    "over90d": N_("Terakhir masuk lebih dari 90 hari lalu"),
    "never": N_("Belum pernah masuk"),
}


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def account_state(user) -> str:
    """active, invited (no password set, never signed in) or inactive."""
    if not user.active:
        return "inactive"
    return "invited" if user.invitation_pending else "active"
