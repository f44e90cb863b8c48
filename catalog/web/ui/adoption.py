"""Guided adoption ("Adopsi aplikasi"): one page per app, from what it needs to recording where it
runs, and the mirror's progress as JSON for the page script (the page refreshes without script)."""
from __future__ import annotations

import re

from flask import jsonify, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...services.catalog import apps
from ...services.deployments import queries as deployment_queries
from ...services.permissions import can_fork, can_record_deployment
from ...services.repos import listing as fork_listing
from ...services.repos import mirrors
from ...vocab import deployments as deployment_vocab
from ..i18n import translate
from .blueprint import bp

SOFTWARE_TYPES = {
    "standalone/web": _l("Aplikasi web: dipasang di server, dibuka lewat peramban"),
    "standalone/mobile": _l("Aplikasi ponsel (Android/iOS)"),
    "standalone/desktop": _l("Aplikasi desktop yang dipasang di tiap komputer"),
    "standalone/backend": _l("Layanan latar (backend/API) tanpa tampilan sendiri"),
    "standalone/iot": _l("Perangkat lunak untuk perangkat IoT"),
    "standalone/other": _l("Aplikasi mandiri jenis lain"),
    "addon": _l("Tambahan (add-on) untuk aplikasi lain"),
    "library": _l("Pustaka (library) untuk pengembang"),
    "configurationFiles": _l("Berkas konfigurasi"),
}
COPYLEFT_NETWORK = {"AGPL-3.0-only", "AGPL-3.0-or-later"}
COPYLEFT = {"GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later", "EUPL-1.1", "EUPL-1.2",
            "CECILL-2.1", "OSL-3.0", "CC-BY-SA-3.0", "CC-BY-SA-4.0"}
WEAK_COPYLEFT = {"LGPL-2.1-only", "LGPL-2.1-or-later", "LGPL-3.0-only", "LGPL-3.0-or-later", "MPL-1.1",
                 "MPL-2.0", "EPL-2.0"}
PERMISSIVE = {"MIT", "MIT-0", "BSD-2-Clause", "BSD-3-Clause", "Apache-2.0", "ISC", "Zlib", "0BSD",
              "Unlicense", "CC0-1.0", "CC-BY-4.0", "Artistic-2.0"}
LICENCE_KINDS = {  # kind: (title, what you may do, what you must do)
    "network": (_l("Copyleft, juga untuk layanan jaringan"),
                _l("Boleh dipakai, diubah dan dibagikan tanpa biaya lisensi."),
                _l("Jika versi yang Anda ubah dipakai orang lain lewat jaringan (misalnya warga membuka aplikasinya), "
                   "kode sumber perubahan itu wajib tersedia bagi mereka dengan lisensi yang sama. Pertahankan "
                   "pemberitahuan hak cipta.")),
    "copyleft": (_l("Copyleft"),
                 _l("Boleh dipakai, diubah dan dibagikan tanpa biaya lisensi."),
                 _l("Jika Anda membagikan versi yang diubah ke instansi lain, sertakan kode sumbernya dengan "
                    "lisensi yang sama. Memakai sendiri di server daerah tidak mewajibkan apa pun. Pertahankan "
                    "pemberitahuan hak cipta.")),
    "weak": (_l("Copyleft lemah"),
             _l("Boleh dipakai, diubah dan digabung dengan kode lain, termasuk kode tertutup."),
             _l("Berkas dari aplikasi ini yang Anda ubah tetap memakai lisensi yang sama dan kodenya dibuka bila "
                "Anda membagikannya. Pertahankan pemberitahuan hak cipta.")),
    "permissive": (_l("Permisif"),
                   _l("Boleh dipakai, diubah, digabung dan dibagikan dengan sangat sedikit syarat."),
                   _l("Cukup pertahankan pemberitahuan hak cipta dan teks lisensinya.")),
    "government": (_l("Lisensi pemerintah"),
                   _l("Boleh dipakai oleh instansi pemerintah sesuai ketentuan penerbit."),
                   _l("Baca ketentuan penerbit di repositori; biasanya tidak boleh dijual atau dipakai di luar "
                      "pemerintahan. Tanyakan ke kontak pemelihara bila ragu.")),
    "proprietary": (_l("Tertutup (proprietary)"),
                    _l("Pemakaian bergantung pada perjanjian dengan pemilik."),
                    _l("Hubungi penerbit sebelum memasang: mungkin ada biaya atau batasan.")),
    "unknown": (_l("Lisensi lain"),
                _l("Baca teks lisensi di repositori."),
                _l("Tanyakan ke kontak pemelihara bila ada yang belum jelas.")),
}
INSTALL_HEADING = re.compile(r"^(#{1,4})\s*(instal|install|pemasangan|cara pasang|deploy|setup)", re.I | re.M)


def licence_kind(expression: str) -> str:
    """The strongest obligation among the SPDX ids of an expression ('MIT OR GPL-3.0-only' → copyleft)."""
    ids = set(re.findall(r"[A-Za-z0-9.+-]+", expression or "")) - {"AND", "OR", "WITH"}
    for kind, members in (("network", COPYLEFT_NETWORK), ("copyleft", COPYLEFT), ("weak", WEAK_COPYLEFT),
                          ("permissive", PERMISSIVE)):
        if ids & members:
            return kind
    if "LicenseRef-Pemerintah" in ids:
        return "government"
    if any(i.startswith("LicenseRef-") for i in ids):
        return "proprietary"
    return "unknown"


def install_section(readme: str) -> str:
    """The README's installation section (Markdown), or ''."""
    match = INSTALL_HEADING.search(readme or "")
    if not match:
        return ""
    level = len(match.group(1))
    rest = readme[match.end():]
    stop = re.search(rf"^#{{1,{level}}}\s", rest, re.M)
    body = rest[:stop.start()] if stop else rest
    return readme[match.start():match.end()] + body[:4000]


def _depends(extras) -> list[tuple[str, list[dict]]]:
    """publiccode.yml dependsOn kept from an import: [(open|proprietary|hardware, [{name, version...}])]."""
    depends = (extras or {}).get("dependsOn") or {}
    return [(key, [d for d in depends.get(key) or [] if isinstance(d, dict) and d.get("name")])
            for key in ("open", "proprietary", "hardware") if depends.get(key)]


def _actor():
    return current_user if current_user.is_authenticated else None


@bp.get("/apps/<slug>/adopsi")
def adoption_guide(slug: str):
    actor = _actor()
    app = apps.get_app(slug, actor)
    mirror = mirrors.get_mirror(app)
    used = deployment_queries.list_deployments(app=app.slug, per_page=50)
    org = actor.organization if actor is not None else None
    counts: dict[str, int] = {}
    for dep in used.items:
        counts[dep.status] = counts.get(dep.status, 0) + 1
    kind = licence_kind(app.license)
    return render_template(
        "adoption/guide.html", app=app, mirror=mirror, releases=mirrors.releases(app.id, limit=5),
        used=used, status_counts=[(s, counts[s]) for s in deployment_vocab.STATUSES if s in counts],
        depends=_depends(app.publiccode_extras),
        software_type=SOFTWARE_TYPES.get(app.software_type, app.software_type), licence=LICENCE_KINDS[kind],
        licence_kind=kind, install_docs=install_section(mirror.readme if mirror else ""),
        own_fork=fork_listing.fork_of_organization(app.id, org.id if org is not None else None),
        may_fork=actor is not None and org is not None and can_fork(actor, org),
        may_record=actor is not None and org is not None and can_record_deployment(actor, org),
        own_deployments=[d for d in used.items if org is not None and d.organization_id == org.id],
        region_count=len(fork_listing.forking_organization_ids(app.id) | {d.organization_id for d in used.items}))


@bp.get("/apps/<slug>/mirror.json")
def mirror_progress(slug: str):
    """State and progress of the app's upstream copy, for the page script that polls it."""
    app = apps.get_app(slug, _actor())
    mirror = mirrors.get_mirror(app)
    if mirror is None:
        body = {"state": "none", "progress": 0, "text": "", "error": "", "done": False}
    else:
        body = {"state": mirror.state, "progress": mirror.progress, "text": mirror.progress_text,
                "error": translate(mirror.error), "done": mirror.state in ("ready", "failed"),
                "head": mirror.head, "fetched_at": mirror.fetched_at.isoformat() if mirror.fetched_at else None}
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response
