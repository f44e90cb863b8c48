"""Controlled vocabularies: publiccode.yml categories, statuses, licences, SPBE service areas."""
from __future__ import annotations

import re

from . import N_

# publiccode.yml standard category list.
CATEGORIES = (
    "accounting", "agile-project-management", "applicant-tracking", "application-development",
    "appointment-scheduling", "backup", "billing-and-invoicing", "blog", "budgeting",
    "business-intelligence", "business-process-management", "cad", "call-center-management",
    "cloud-management", "collaboration", "collaborative-diagramming", "communications",
    "compliance-management", "contact-management", "content-management", "contract-management", "crm",
    "customer-service-and-support", "data-analytics",
    "data-collection", "data-visualization", "design", "design-system", "digital-asset-management",
    "digital-citizenship", "document-management", "donor-management", "e-commerce", "e-signature", "email-management",
    "email-marketing", "employee-management", "enterprise-project-management",
    "enterprise-social-networking", "erp", "event-management", "facility-management",
    "feedback-and-reviews-management", "financial-reporting", "fleet-management", "fundraising",
    "gamification", "geographic-information-systems", "grant-management", "graphic-design",
    "help-desk", "hr", "ide", "identity-management", "instant-messaging", "inventory-management", "it-asset-management",
    "it-development", "it-management", "it-security", "it-service-management",
    "knowledge-management", "learning-management-system", "marketing", "mind-mapping",
    "mobile-marketing", "mobile-payment", "network-management", "office", "online-booking",
    "online-community", "payment-gateway", "payroll", "predictive-analysis", "procurement",
    "productivity-suite", "project-collaboration", "project-management", "property-management",
    "real-estate-management", "remote-support", "resource-management", "sales-management", "seo",
    "service-desk", "social-media-management", "survey", "talent-management", "task-management",
    "taxes-management", "test-management", "time-management", "time-tracking", "translation",
    "video-conferencing", "video-editing", "visitor-management", "voip", "warehouse-management",
    "web-collaboration", "web-conferencing", "website-builder", "whistleblowing",
    "workflow-management",
)

# Indonesian labels for the categories government apps use most; others show their key.
CATEGORY_LABELS = {
    "document-management": N_("Manajemen dokumen & arsip"),
    "feedback-and-reviews-management": N_("Pengaduan & umpan balik"),
    "hr": N_("Kepegawaian (SDM)"),
    "employee-management": N_("Manajemen pegawai"),
    "knowledge-management": N_("Manajemen pengetahuan & produk hukum"),
    "office": N_("Perkantoran"),
    "workflow-management": N_("Alur kerja & persuratan"),
    "digital-citizenship": N_("Layanan warga & desa"),
    "content-management": N_("Manajemen konten"),
    "accounting": N_("Akuntansi & keuangan"),
    "budgeting": N_("Penganggaran"),
    "financial-reporting": N_("Pelaporan keuangan"),
    "procurement": N_("Pengadaan"),
    "geographic-information-systems": N_("Sistem informasi geografis"),
    "fleet-management": N_("Transportasi & armada"),
    "taxes-management": N_("Perpajakan"),
    "time-tracking": N_("Presensi & waktu kerja"),
    "learning-management-system": N_("Pembelajaran"),
    "data-collection": N_("Pengumpulan data"),
    "data-analytics": N_("Analitik data"),
    "it-security": N_("Keamanan TI"),
    "payroll": N_("Penggajian"),
    "e-signature": N_("Tanda tangan elektronik"),
    "inventory-management": N_("Inventaris & aset"),
}

DEVELOPMENT_STATUSES = ("concept", "development", "beta", "stable", "obsolete")
DEVELOPMENT_STATUS_LABELS = {
    "concept": N_("Konsep"), "development": N_("Pengembangan"), "beta": N_("Beta"),
    "stable": N_("Stabil"), "obsolete": N_("Usang"),
}
SOFTWARE_TYPES = (
    "standalone/web", "standalone/mobile", "standalone/desktop", "standalone/backend",
    "standalone/iot", "standalone/other", "addon", "library", "configurationFiles",
)
PLATFORMS = ("web", "android", "ios", "windows", "linux", "mac")
MAINTENANCE_TYPES = ("internal", "contract", "community", "none")
MAINTENANCE_LABELS = {
    "internal": N_("Internal"), "contract": N_("Kontrak pihak ketiga"),
    "community": N_("Komunitas"), "none": N_("Tidak dipelihara"),
}

# SPBE service areas, used as tags (free tags are accepted if they look like these).
SPBE_AREAS = (
    "kearsipan", "persuratan", "pengaduan", "kepegawaian", "kinerja", "keuangan", "perencanaan",
    "penganggaran", "pengadaan", "aset", "perizinan", "kependudukan", "kesehatan", "pendidikan",
    "perpustakaan", "produk-hukum", "desa", "perhubungan", "umkm", "pariwisata", "pajak-daerah",
    "statistik", "geospasial", "presensi", "layanan-publik",
)
TAG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def normalize_tag(text: str) -> str:
    """How people type a tag to how it is kept: "Izin Usaha" and "izin_usaha" become "izin-usaha"."""
    return re.sub(r"[\s_-]+", "-", text.strip().lower()).strip("-")

# Common SPDX identifiers; expressions combine them with AND / OR / WITH.
SPDX_LICENSES = (
    "0BSD", "MIT-0", "EPL-2.0", "EUPL-1.1", "CECILL-2.1", "MPL-1.1", "Artistic-2.0", "CC-BY-SA-3.0",
    "AGPL-3.0-only", "AGPL-3.0-or-later", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause",
    "CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "EUPL-1.2", "GPL-2.0-only", "GPL-2.0-or-later",
    "GPL-3.0-only", "GPL-3.0-or-later", "ISC", "LGPL-2.1-only", "LGPL-2.1-or-later",
    "LGPL-3.0-only", "LGPL-3.0-or-later", "MIT", "MPL-2.0", "OSL-3.0", "Unlicense", "Zlib",
    "LicenseRef-Proprietary", "LicenseRef-Pemerintah",
)
SPDX_EXCEPTIONS = ("Classpath-exception-2.0", "GPL-3.0-linking-exception", "LLVM-exception")
_SPDX_LOWER = {name.lower(): name for name in SPDX_LICENSES + SPDX_EXCEPTIONS}
_SPDX_TOKEN = re.compile(r"\(|\)|[A-Za-z0-9.+-]+")
_LICENSE_REF = re.compile(r"LicenseRef-[A-Za-z0-9.-]{1,60}")  # any locally defined licence


def normalize_spdx(expression: str) -> str | None:
    """Canonical spelling of a simple SPDX expression, or None if it is not one."""
    tokens = _SPDX_TOKEN.findall(expression or "")
    if not tokens or "".join(tokens) != re.sub(r"\s+", "", expression):
        return None
    out, expect_license, depth = [], True, 0
    for tok in tokens:
        upper = tok.upper()
        if tok == "(":
            if not expect_license:
                return None
            depth += 1
            out.append(tok)
        elif tok == ")":
            depth -= 1
            if depth < 0 or expect_license:
                return None
            out.append(tok)
        elif upper in ("AND", "OR", "WITH"):
            if expect_license:
                return None
            out.append(upper)
            expect_license = True
        else:
            canonical = _SPDX_LOWER.get(tok.lower()) or (tok if _LICENSE_REF.fullmatch(tok) else None)
            if not expect_license or canonical is None:
                return None
            out.append(canonical)
            expect_license = False
    if depth or expect_license:
        return None
    return " ".join(out).replace("( ", "(").replace(" )", ")")


def category_label(key: str) -> str:
    return CATEGORY_LABELS.get(key, key.replace("-", " ").capitalize())
