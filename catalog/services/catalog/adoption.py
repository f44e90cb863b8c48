"""What adopting an app entails, read from its entry: the licence's obligations in plain words,
the README's installation section, and what the app depends on."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

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


def dependencies(extras) -> list[tuple[str, list[dict]]]:
    """publiccode.yml dependsOn kept from an import: [(open|proprietary|hardware, [{name, version...}])]."""
    depends = (extras or {}).get("dependsOn") or {}
    return [(key, [d for d in depends.get(key) or [] if isinstance(d, dict) and d.get("name")])
            for key in ("open", "proprietary", "hardware") if depends.get(key)]
