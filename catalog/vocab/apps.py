"""Controlled vocabularies: publiccode.yml categories, statuses, licences, SPBE service areas."""
from __future__ import annotations

import re

from . import N_
from .spdx import LICENSE_REF

# publiccode.yml standard category list.
CATEGORIES = (
    "accounting", "agile-project-management", "applicant-tracking", "application-development",
    "appointment-scheduling", "backup", "billing-and-invoicing", "blog", "budgeting",
    "business-intelligence", "business-process-management", "cad", "call-center-management",
    "cloud-management", "collaboration", "collaborative-diagramming", "communications",
    "compliance-management", "contact-management", "content-management", "contract-management", "crm",
    "customer-service-and-support", "data-analytics",
    "data-collection", "data-visualization", "design", "design-system", "digital-asset-management",
    "digital-citizenship", "document-management", "donor-management", "e-commerce", "e-signature",
    "educational-content", "email-management",
    "email-marketing", "employee-management", "enterprise-project-management",
    "enterprise-social-networking", "erp", "event-management", "facility-management",
    "feedback-and-reviews-management", "financial-reporting", "fleet-management", "fundraising",
    "gamification", "geographic-information-systems", "grant-management", "graphic-design",
    "help-desk", "hr", "ide", "identity-management", "instant-messaging", "integrated-library-system",
    "inventory-management", "it-asset-management",
    "it-development", "it-management", "it-security", "it-service-management",
    "knowledge-management", "learning-management-system", "marketing", "mind-mapping",
    "mobile-marketing", "mobile-payment", "network-management", "office", "online-booking",
    "online-community", "payment-gateway", "payroll", "predictive-analysis", "procurement",
    "productivity-suite", "project-collaboration", "project-management", "property-management",
    "real-estate-management", "regulations-and-directives", "remote-support", "resource-management",
    "sales-management", "seo",
    "service-desk", "social-media-management", "survey", "talent-management", "task-management",
    "taxes-management", "test-management", "time-management", "time-tracking", "translation",
    "video-conferencing", "video-editing", "visitor-management", "voip", "warehouse-management",
    "web-collaboration", "web-conferencing", "website-builder", "whistleblowing",
    "workflow-management",
)

# An Indonesian label for every category (English in the translation catalog); the keys are
# publiccode.yml's vocabulary and never change. "hr" and "employee-management" say what each covers.
CATEGORY_LABELS = {
    "accounting": N_("Akuntansi & keuangan"),
    "agile-project-management": N_("Manajemen proyek agile"),
    "applicant-tracking": N_("Rekrutmen & seleksi pelamar"),
    "application-development": N_("Pengembangan aplikasi"),
    "appointment-scheduling": N_("Penjadwalan janji temu"),
    "backup": N_("Pencadangan data (backup)"),
    "billing-and-invoicing": N_("Penagihan & faktur"),
    "blog": N_("Blog & berita"),
    "budgeting": N_("Penganggaran"),
    "business-intelligence": N_("Intelijen bisnis & dasbor"),
    "business-process-management": N_("Manajemen proses bisnis"),
    "cad": N_("Desain berbantuan komputer (CAD)"),
    "call-center-management": N_("Pusat panggilan (call center)"),
    "cloud-management": N_("Pengelolaan komputasi awan (cloud)"),
    "collaboration": N_("Kolaborasi kerja"),
    "collaborative-diagramming": N_("Diagram bersama"),
    "communications": N_("Komunikasi & kehumasan"),
    "compliance-management": N_("Kepatuhan & pengendalian internal"),
    "contact-management": N_("Pengelolaan kontak"),
    "content-management": N_("Manajemen konten"),
    "contract-management": N_("Manajemen kontrak"),
    "crm": N_("Pengelolaan hubungan pelanggan (CRM)"),
    "customer-service-and-support": N_("Layanan & dukungan pelanggan"),
    "data-analytics": N_("Analitik data"),
    "data-collection": N_("Pengumpulan data"),
    "data-visualization": N_("Visualisasi data"),
    "design": N_("Desain & tata letak"),
    "design-system": N_("Sistem desain antarmuka"),
    "digital-asset-management": N_("Pengelolaan aset digital (foto, video)"),
    "digital-citizenship": N_("Layanan warga & desa"),
    "document-management": N_("Manajemen dokumen & arsip"),
    "educational-content": N_("Konten pendidikan & bahan ajar"),
    "integrated-library-system": N_("Sistem perpustakaan terpadu"),
    "regulations-and-directives": N_("Peraturan & produk hukum"),
    "donor-management": N_("Pengelolaan donatur"),
    "e-commerce": N_("Perdagangan elektronik (e-commerce)"),
    "e-signature": N_("Tanda tangan elektronik"),
    "email-management": N_("Pengelolaan surel"),
    "email-marketing": N_("Pemasaran lewat surel"),
    "employee-management": N_("Kinerja & kegiatan harian pegawai"),
    "enterprise-project-management": N_("Manajemen portofolio proyek"),
    "enterprise-social-networking": N_("Jejaring sosial internal"),
    "erp": N_("Perencanaan sumber daya terpadu (ERP)"),
    "event-management": N_("Pengelolaan acara"),
    "facility-management": N_("Pengelolaan fasilitas & gedung"),
    "feedback-and-reviews-management": N_("Pengaduan & umpan balik"),
    "financial-reporting": N_("Pelaporan keuangan"),
    "fleet-management": N_("Transportasi & armada"),
    "fundraising": N_("Penggalangan dana"),
    "gamification": N_("Gamifikasi"),
    "geographic-information-systems": N_("Sistem informasi geografis"),
    "grant-management": N_("Pengelolaan hibah & bantuan"),
    "graphic-design": N_("Desain grafis"),
    "help-desk": N_("Meja bantuan (help desk)"),
    "hr": N_("Data & karier pegawai (kepegawaian)"),
    "ide": N_("Lingkungan pengembangan (IDE)"),
    "identity-management": N_("Manajemen identitas & akses"),
    "instant-messaging": N_("Pesan instan"),
    "inventory-management": N_("Inventaris & aset"),
    "it-asset-management": N_("Pengelolaan aset TI"),
    "it-development": N_("Pengembangan TI"),
    "it-management": N_("Tata kelola TI"),
    "it-security": N_("Keamanan TI"),
    "it-service-management": N_("Manajemen layanan TI"),
    "knowledge-management": N_("Manajemen pengetahuan & produk hukum"),
    "learning-management-system": N_("Pembelajaran"),
    "marketing": N_("Pemasaran & promosi"),
    "mind-mapping": N_("Peta pikiran (mind map)"),
    "mobile-marketing": N_("Pemasaran lewat ponsel"),
    "mobile-payment": N_("Pembayaran lewat ponsel"),
    "network-management": N_("Manajemen jaringan"),
    "office": N_("Perkantoran"),
    "online-booking": N_("Pemesanan daring"),
    "online-community": N_("Komunitas daring"),
    "payment-gateway": N_("Gerbang pembayaran (payment gateway)"),
    "payroll": N_("Penggajian"),
    "predictive-analysis": N_("Analisis prediktif"),
    "procurement": N_("Pengadaan"),
    "productivity-suite": N_("Paket produktivitas (pengolah kata, lembar kerja)"),
    "project-collaboration": N_("Kolaborasi proyek"),
    "project-management": N_("Manajemen proyek"),
    "property-management": N_("Pengelolaan properti & sewa"),
    "real-estate-management": N_("Pengelolaan tanah & bangunan"),
    "remote-support": N_("Bantuan jarak jauh"),
    "resource-management": N_("Pengelolaan sumber daya"),
    "sales-management": N_("Manajemen penjualan"),
    "seo": N_("Optimasi mesin pencari (SEO)"),
    "service-desk": N_("Meja layanan (service desk)"),
    "social-media-management": N_("Pengelolaan media sosial"),
    "survey": N_("Survei & kuesioner"),
    "talent-management": N_("Manajemen talenta"),
    "task-management": N_("Pengelolaan tugas"),
    "taxes-management": N_("Perpajakan"),
    "test-management": N_("Manajemen pengujian perangkat lunak"),
    "time-management": N_("Pengelolaan waktu & jadwal"),
    "time-tracking": N_("Presensi & waktu kerja"),
    "translation": N_("Penerjemahan"),
    "video-conferencing": N_("Konferensi video"),
    "video-editing": N_("Penyuntingan video"),
    "visitor-management": N_("Buku tamu & pengunjung"),
    "voip": N_("Telepon internet (VoIP)"),
    "warehouse-management": N_("Pengelolaan gudang"),
    "web-collaboration": N_("Kolaborasi daring"),
    "web-conferencing": N_("Rapat daring & webinar"),
    "website-builder": N_("Pembuat situs web"),
    "whistleblowing": N_("Pelaporan pelanggaran (whistleblowing)"),
    "workflow-management": N_("Alur kerja & persuratan"),
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
SOFTWARE_TYPE_LABELS = {
    "standalone/web": N_("Aplikasi web: dipasang di server, dibuka lewat peramban"),
    "standalone/mobile": N_("Aplikasi ponsel (Android/iOS)"),
    "standalone/desktop": N_("Aplikasi desktop yang dipasang di tiap komputer"),
    "standalone/backend": N_("Layanan latar (backend/API) tanpa tampilan sendiri"),
    "standalone/iot": N_("Perangkat lunak untuk perangkat IoT"),
    "standalone/other": N_("Aplikasi mandiri jenis lain"),
    "addon": N_("Tambahan (add-on) untuk aplikasi lain"),
    "library": N_("Pustaka (library) untuk pengembang"),
    "configurationFiles": N_("Berkas konfigurasi"),
}
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


# Licences defined locally (not SPDX identifiers) by a name people can read; SPDX ids stay as they are.
LICENSE_LABELS = {
    "LicenseRef-Pemerintah": N_("Lisensi pemerintah (khusus)"),
    "LicenseRef-Proprietary": N_("Lisensi tertutup (proprietary)"),
}


def category_label(key: str) -> str:
    """The Indonesian label of a category; an unknown key (an old row) as it is."""
    return CATEGORY_LABELS.get(key, key)


def software_type_label(key: str) -> str:
    return SOFTWARE_TYPE_LABELS.get(key, key)


def license_parts(expression: str) -> list[tuple[str, bool]]:
    """An SPDX expression cut into (text, is_label) parts: each LicenseRef-… with a label of ours
    becomes that label (to translate), everything else (SPDX ids, AND/OR, brackets) stays."""
    parts: list[tuple[str, bool]] = []
    last = 0
    for match in LICENSE_REF.finditer(expression or ""):
        label = LICENSE_LABELS.get(match.group(0))
        if label is None:
            continue
        if match.start() > last:
            parts.append((expression[last:match.start()], False))
        parts.append((label, True))
        last = match.end()
    if last < len(expression or ""):
        parts.append((expression[last:], False))
    return parts
