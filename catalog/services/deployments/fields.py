"""Validation of deployment fields, shared by the form, the API, seeding and tests."""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _

from ...vocab import deployments as dv

CREATE_REQUIRED = ("environment", "status", "version", "hosting")
EDITABLE = ("environment", "version", "url", "hosting", "opd_units", "go_live_on", "note", "fork_id")
MAX_UNITS, MAX_UNIT_LEN = 50, 120
MAX_NOTE = 2000
VERSION_RE = re.compile(r"^[^\s\x00-\x1f\x7f]{1,200}$")


def _lines(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in re.split(r"[\n;]", value) if p.strip()]
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    raise TypeError


def _url_problem(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _("Gunakan alamat lengkap yang diawali https:// atau http://")
    if parts.username or parts.password:
        return _("Jangan cantumkan nama pengguna atau kata sandi di alamat.")
    if len(value) > 500 or any(ord(c) < 0x20 for c in value):
        return _("Alamat terlalu panjang atau berisi karakter yang tidak diizinkan.")
    return None


def _text(value: Any) -> str:
    return "" if value is None else (value if isinstance(value, str) else str(value)).strip()


def clean_deployment_fields(data: Mapping[str, Any], *, creating: bool) -> tuple[dict[str, Any], dict[str, str]]:
    """Normalised values and per-field problems (Indonesian); the caller raises ValidationFailed."""
    allowed = set(EDITABLE) | ({"status"} if creating else set())
    errors: dict[str, str] = {k: _("Kolom ini tidak dikenal.") for k in data if k not in allowed}
    if not creating and "status" in data:
        errors["status"] = _("Ubah status melalui perubahan status agar tercatat riwayatnya.")
    out: dict[str, Any] = {}
    present = set(data) | (set(CREATE_REQUIRED) if creating else set())

    for key, options in (("environment", dv.ENVIRONMENTS), ("status", dv.STATUSES), ("hosting", dv.HOSTINGS)):
        if key in present and key in allowed:
            value = _text(data.get(key))
            if value not in options:
                errors[key] = _("Pilih salah satu pilihan yang tersedia.")
            else:
                out[key] = value
    if "version" in present:
        value = _text(data.get("version"))
        if not value:
            errors["version"] = _("Wajib diisi: tag rilis (misalnya v1.2.0) atau commit.")
        elif not VERSION_RE.match(value):
            errors["version"] = _("Versi tidak boleh berisi spasi atau karakter kendali (maksimal 200 karakter).")
        else:
            out["version"] = value
    if "url" in data:
        value = _text(data.get("url"))
        problem = _url_problem(value) if value else None
        if problem:
            errors["url"] = problem
        else:
            out["url"] = value
    if "opd_units" in data:
        try:
            units = list(dict.fromkeys(_lines(data.get("opd_units"))))
        except TypeError:
            errors["opd_units"] = _("Harus berupa daftar.")
        else:
            if len(units) > MAX_UNITS:
                errors["opd_units"] = f"Paling banyak {MAX_UNITS} OPD."
            elif any(len(u) > MAX_UNIT_LEN for u in units):
                errors["opd_units"] = f"Nama OPD maksimal {MAX_UNIT_LEN} karakter."
            else:
                out["opd_units"] = units
    if "go_live_on" in data:
        raw = data.get("go_live_on")
        try:
            out["go_live_on"] = (raw if isinstance(raw, date)
                                 else (date.fromisoformat(_text(raw)) if _text(raw) else None))
        except ValueError:
            errors["go_live_on"] = _("Tanggal harus berformat TTTT-BB-HH.")
    if "note" in data:
        value = _text(data.get("note"))
        if len(value) > MAX_NOTE or "\x00" in value:
            errors["note"] = f"Catatan maksimal {MAX_NOTE} karakter, tanpa karakter kendali."
        else:
            out["note"] = value
    if "fork_id" in data:
        raw = _text(data.get("fork_id"))
        if not raw:
            out["fork_id"] = None
        elif not raw.isdigit() or len(raw) > 12:
            errors["fork_id"] = _("Pilih salinan dari daftar, atau kosongkan untuk memakai versi induk.")
        else:
            out["fork_id"] = int(raw)
    return out, errors
