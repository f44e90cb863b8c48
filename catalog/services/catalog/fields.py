"""Validate and normalise the editable fields of an app entry (shared by the UI and the API)."""
from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _

from ... import vcs
from ...vcs.errors import UnsafeRemote
from ...vocab import apps as vocab
from ...vocab.slugs import RESERVED_SLUGS, SLUG_RE, slugify  # noqa: F401  (part of this module's API)
from ...vocab.spdx import normalize_spdx
from ..errors import ValidationFailed

TEXT_LIMITS = {"name": 120, "short_description_id": 300, "short_description_en": 300,
               "description": 20000, "contractor_name": 200}
MAX_FEATURES, MAX_FEATURE_LEN, MAX_TAGS = 30, 200, 15
EDITABLE = (
    "name", "slug", "short_description_id", "short_description_en", "description", "features",
    "category", "tags", "repo_url", "license", "development_status", "software_type",
    "platforms", "documentation_url", "maintenance_type", "maintenance_contacts",
    "contractor_name", "contract_end",
)


def _as_list(value: Any) -> list[str]:
    """Lists come as JSON arrays from the API and as newline/comma text from forms."""
    if value is None:
        return []
    if isinstance(value, str):
        parts = re.split(r"[\n,]" if "\n" not in value else r"\n", value)
        return [p.strip() for p in parts if p.strip()]
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    raise TypeError


_USERINFO_RE = re.compile(r"^(\s*[A-Za-z][A-Za-z0-9+.-]*://)?[^/?#\s]*@")


def strip_credentials(value: Any) -> Any:
    """The address without a `user:password@` part, for showing a refused value back to the
    person: a password typed into the wrong field must not travel back in the page."""
    if not isinstance(value, str) or "@" not in value:
        return value
    return _USERINFO_RE.sub(lambda m: m.group(1) or "", value, count=1)


def _check_url(value: str, *, allow_local: bool) -> str | None:
    """An error message, or None. Deep checks (DNS, reachability) happen when mirroring."""
    if any(ord(c) < 33 for c in value):
        return _("Alamat tidak boleh berisi spasi atau karakter kendali.")
    if allow_local and value.startswith("/"):
        return None
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        return _("Gunakan alamat lengkap yang diawali https://")
    if parts.username or parts.password:
        return _("Jangan cantumkan nama pengguna atau kata sandi di alamat.")
    return None


RESOLVE_TIMEOUT = 3.0  # seconds a save waits for DNS; a slower answer is checked again at fetch


def bounded_resolver(resolver: Callable, timeout: float | None = None) -> Callable:
    """`resolver` (getaddrinfo's signature) that gives up after `timeout` seconds (default
    RESOLVE_TIMEOUT) with TimeoutError, an OSError: the caller treats it as "did not resolve"."""
    def resolve(host, port, *args, **kwargs):
        box: dict[str, Any] = {}

        def run() -> None:
            try:
                box["infos"] = resolver(host, port, *args, **kwargs)
            except BaseException as exc:  # noqa: BLE001  (handed back to the caller below)
                box["error"] = exc
        worker = threading.Thread(target=run, name="repo-url-dns", daemon=True)
        worker.start()
        worker.join(RESOLVE_TIMEOUT if timeout is None else timeout)
        if worker.is_alive():
            raise TimeoutError("resolver timed out")
        if "error" in box:
            raise box["error"]
        return box["infos"]
    return resolve


def _is_localhost_name(value: str) -> bool:
    host = (urlsplit(value).hostname or "").rstrip(".").lower()
    return host == "localhost" or host.endswith(".localhost")


def check_repo_address(value: str, *, allow_local: bool, resolver: Callable) -> str | None:
    """The URL blocker at save time (issue 13, finding 7), or None when the address may be saved.

    Refuses an address whose host is an internal IP literal (any spelling), `localhost` or
    `*.localhost`, or a name that resolves to any non-public address. Only an admin with
    ALLOW_LOCAL_REPOS (`allow_local`) may save a loopback address. A name that does not resolve
    (offline, slow DNS) is accepted here: the mirror job checks every address again before git runs.
    """
    refusal = _("Alamat repositori mengarah ke jaringan internal (misalnya localhost, 127.0.0.1, "
                "10.x.x.x atau 192.168.x.x) dan tidak diizinkan. Gunakan alamat server git yang "
                "dapat diakses dari internet.")
    if not allow_local and _is_localhost_name(value):
        return refusal
    try:
        vcs.check_remote_url(value, allow_local=allow_local, resolver=resolver)
    except UnsafeRemote as exc:
        return refusal if exc.message_id == "internal" else None
    return None


def _parse_contacts(value: Any) -> list[dict[str, str]]:
    """Contacts as [{name, email, phone}] or lines 'Nama <email> telepon'."""
    contacts = []
    if isinstance(value, list) and all(isinstance(c, dict) for c in value):
        raw = value
    else:
        raw = []
        for line in _as_list(value):
            m = re.match(r"^(.*?)\s*(?:<([^>]*)>)?\s*([+0-9 ()-]*)$", line)
            raw.append({"name": m.group(1) if m else line, "email": (m.group(2) or "") if m else "",
                        "phone": (m.group(3) or "").strip() if m else ""})
    for c in raw[:10]:
        contacts.append({k: str(c.get(k) or "").strip()[:200] for k in ("name", "email", "phone")})
    return [c for c in contacts if c["name"]]


def clean_app_fields(data: Mapping[str, Any], *, allow_local_repo: bool,
                     resolver: Callable | None = None, repo_required: bool = True) -> dict[str, Any]:
    """Return normalised values of a whole entry; raises ValidationFailed naming every bad field.

    With `resolver` (getaddrinfo's signature) the repository address also goes through
    `check_repo_address`; without it only its form is checked."""
    unknown = set(data) - set(EDITABLE)
    errors: dict[str, str] = {k: _("Kolom ini tidak dikenal.") for k in unknown}
    out: dict[str, Any] = {}

    def text(key: str, required: bool = False) -> None:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            errors[key] = _("Harus berupa teks.")
            return
        value = (value or "").strip()
        if required and not value:
            errors[key] = "Wajib diisi."
        elif len(value) > TEXT_LIMITS.get(key, 500):
            errors[key] = f"Terlalu panjang (maksimal {TEXT_LIMITS.get(key, 500)} karakter)."
        elif "\x00" in value:
            errors[key] = _("Berisi karakter yang tidak diizinkan.")
        else:
            out[key] = value

    def choice(key: str, options: tuple[str, ...], default: str | None = None) -> None:
        value = data.get(key) or default
        if value not in options:
            errors[key] = _("Pilih salah satu pilihan yang tersedia.")
        else:
            out[key] = value

    def listing(key: str, limit: int, item_check=None) -> None:
        try:
            items = list(dict.fromkeys(_as_list(data.get(key))))
        except TypeError:
            errors[key] = _("Harus berupa daftar.")
            return
        if len(items) > limit:
            errors[key] = f"Paling banyak {limit} butir."
            return
        for item in items:
            problem = item_check(item) if item_check else None
            if problem:
                errors[key] = problem
                return
        out[key] = items

    for key in ("name", "short_description_id"):
        text(key, required=True)
    for key in ("short_description_en", "description", "contractor_name"):
        text(key)
    if "slug" in data and data.get("slug"):
        slug = str(data["slug"]).strip().lower()
        if not SLUG_RE.match(slug) or slug in RESERVED_SLUGS:
            errors["slug"] = _("Gunakan huruf kecil, angka dan tanda hubung (maksimal 64), bukan kata khusus.")
        else:
            out["slug"] = slug
    if data.get("category"):  # optional on a draft; submit_app asks for it (missing_for_submission)
        choice("category", vocab.CATEGORIES)
    else:
        out["category"] = ""
    choice("development_status", vocab.DEVELOPMENT_STATUSES)
    choice("software_type", vocab.SOFTWARE_TYPES, default="standalone/web")
    choice("maintenance_type", vocab.MAINTENANCE_TYPES, default="internal")
    listing("features", MAX_FEATURES,
            lambda f: f"Setiap fitur maksimal {MAX_FEATURE_LEN} karakter." if len(f) > MAX_FEATURE_LEN else None)
    listing("tags", MAX_TAGS, lambda t: None if vocab.TAG_RE.match(vocab.normalize_tag(t)) else
            _("Tag '%(tag)s' tidak dapat dipakai: gunakan huruf, angka dan tanda hubung (maksimal 40), "
              "misalnya 'kearsipan' atau 'izin-usaha'.", tag=t[:60]))
    if "tags" in out:
        out["tags"] = list(dict.fromkeys(vocab.normalize_tag(t) for t in out["tags"]))
    listing("platforms", len(vocab.PLATFORMS), lambda p: None if p in vocab.PLATFORMS else
            _("Platform harus salah satu dari: %(v)s.", v=', '.join(vocab.PLATFORMS)))
    licence = str(data.get("license") or "")
    spdx = normalize_spdx(licence)
    if spdx is None:
        errors["license"] = _("Isi lisensi dengan kode SPDX, misalnya GPL-3.0-or-later atau MIT.")
    else:
        out["license"] = spdx
    # An upstream hosted in the catalog (issue 20) has no address elsewhere.
    for key, required in (("repo_url", repo_required), ("documentation_url", False)):
        value = str(data.get(key) or "").strip()
        if not value:
            if required:
                errors[key] = "Wajib diisi: alamat repositori kode sumber (https://...)."
            else:
                out[key] = ""
            continue
        problem = _check_url(value, allow_local=allow_local_repo and key == "repo_url")
        if not problem and key == "repo_url" and resolver is not None and not value.startswith("/"):
            problem = check_repo_address(value, allow_local=allow_local_repo, resolver=resolver)
        if problem or len(value) > 500:
            errors[key] = problem or "Alamat terlalu panjang."
        else:
            out[key] = value
    try:
        out["maintenance_contacts"] = _parse_contacts(data.get("maintenance_contacts"))
    except TypeError:
        errors["maintenance_contacts"] = _("Harus berupa daftar kontak {name, email, phone} atau baris teks.")
    raw = data.get("contract_end") or ""
    try:
        out["contract_end"] = raw if isinstance(raw, date) else (date.fromisoformat(str(raw)) if raw else None)
    except ValueError:
        errors["contract_end"] = _("Tanggal harus berformat TTTT-BB-HH.")
    _check_maintenance(out, errors)
    if errors:
        raise ValidationFailed(_("Periksa kembali isian yang ditandai."), errors)
    return out


def missing_for_submission(values: Mapping[str, Any]) -> dict[str, str]:
    """Fields a draft may leave empty (an imported publiccode.yml without a category) but an
    entry sent for verification must have, with the message per field."""
    missing: dict[str, str] = {}
    if not values.get("category"):
        missing["category"] = _("Pilih kategori aplikasi sebelum mengajukan entri untuk "
                                "verifikasi.")
    return missing


def _check_maintenance(out, errors) -> None:
    """publiccode.yml rules: a contractor only with 'contract'; contacts with internal/community."""
    mtype = out.get("maintenance_type")
    if mtype is None:
        return
    if mtype == "contract" and not out.get("contractor_name"):
        errors["contractor_name"] = _("Isi nama penyedia untuk pemeliharaan dengan kontrak.")
    if mtype in ("internal", "community") and not out.get("maintenance_contacts"):
        errors["maintenance_contacts"] = _("Isi minimal satu kontak pemelihara.")
    if mtype != "contract":
        out["contractor_name"] = ""
        out["contract_end"] = None
