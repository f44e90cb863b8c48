"""What the audit trail's actions and objects are called on the page ('app.submit' → 'Aplikasi diajukan
untuk verifikasi'); the events themselves keep their codes, which the hash chain covers."""
from __future__ import annotations

from . import N_

ACTION_LABELS = {
    "app.create": N_("Aplikasi didaftarkan"),
    "app.import": N_("Aplikasi didaftarkan dari publiccode.yml"),
    "app.update": N_("Data aplikasi diubah"),
    "app.submit": N_("Aplikasi diajukan untuk verifikasi"),
    "app.publish": N_("Aplikasi diterbitkan setelah verifikasi"),
    "app.return": N_("Aplikasi dikembalikan ke penerbit"),
    "app.archive": N_("Aplikasi diarsipkan"),
    "mirror.request": N_("Salinan kode induk diminta"),
    "mirror.fetch": N_("Kode induk diambil"),
    "mirror.fail": N_("Pengambilan kode induk gagal"),
    "mirror.bundle": N_("Kode induk diunggah sebagai bundle"),
    "app.vitality": N_("Indeks vitalitas berubah"),
    "harvest.propose": N_("Perubahan publiccode.yml diusulkan"),
    "harvest.accept": N_("Usulan publiccode.yml diterima"),
    "harvest.reject": N_("Usulan publiccode.yml ditolak"),
    "fork.create": N_("Disalin ke daerah"),
    "fork.push": N_("Kode dikirim (push) ke salinan"),
    "fork.sync": N_("Salinan diselaraskan dengan induk"),
    "fork.annotate": N_("Catatan salinan diubah"),
    "repo.purge": N_("Penghapusan repositori diminta"),
    "repo.purged": N_("Repositori dihapus"),
    "deployment.create": N_("Pemakaian dicatat"),
    "deployment.update": N_("Data pemakaian diubah"),
    "deployment.status": N_("Status pemakaian diubah"),
    "deployment.confirm": N_("Pemakaian dikonfirmasi"),
    "deployment.heartbeat_token_issue": N_("Token heartbeat dibuat"),
    "deployment.heartbeat_token_rotate": N_("Token heartbeat diganti"),
    "deployment.heartbeat_token_revoke": N_("Token heartbeat dicabut"),
    "deployment.observed": N_("Sistem yang berjalan melapor perubahan"),
    "deployment.observed_lag": N_("Ketertinggalan versi yang dilaporkan dihitung"),
    "deployment.heartbeat_summary": N_("Ringkasan heartbeat harian"),
    "deployment.unobserved": N_("Pemakaian menjadi tidak terpantau"),
    "deployment.heartbeat_day": N_("Ringkasan heartbeat harian selesai"),
    "token.create": N_("Token akses dibuat"),
    "token.revoke": N_("Token akses dicabut"),
    "user.create": N_("Pengguna ditambahkan"),
    "user.locale": N_("Bahasa pengguna diubah"),
    "user.invite": N_("Pengguna diundang"),
    "user.invite_link": N_("Tautan undangan dikirim"),
    "user.invitation_accept": N_("Undangan diterima"),
    "user.reset_link": N_("Tautan atur ulang kata sandi dikirim"),
    "user.password_reset": N_("Kata sandi diatur ulang"),
    "user.password_change": N_("Kata sandi diubah"),
    "user.role": N_("Peran pengguna diubah"),
    "user.deactivate": N_("Pengguna dinonaktifkan"),
    "user.activate": N_("Pengguna diaktifkan kembali"),
}

OBJECT_LABELS = {
    "app": N_("Aplikasi"),
    "fork": N_("Salinan daerah (fork)"),
    "deployment": N_("Catatan pemakaian"),
    "token": N_("Token akses pengguna"),
    "user": N_("Akun pengguna"),
    "organization": N_("Organisasi"),
}


def action_label(action: str) -> str:
    """The label of a known action; a new one shows its code until it gets a label here."""
    return ACTION_LABELS.get(action, action)


def object_label(object_type: str) -> str:
    return OBJECT_LABELS.get(object_type, object_type)
