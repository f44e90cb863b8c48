"""Realistic Indonesian/English catalog text for national-scale data, deterministic per seed.

Each region builds its own copy of the same few dozen kinds of app (that duplication is the
problem the catalog exists to solve), so names repeat with the region in them, descriptions
share vocabulary, and a handful of words ("sistem", "informasi", "layanan") occur everywhere:
the posting lists a real national catalog gives a search engine.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Domain:
    acronym: str
    name_id: str
    name_en: str
    category: str
    tags: tuple[str, ...]
    opd: str
    words_id: tuple[str, ...]
    words_en: tuple[str, ...]
    features: tuple[str, ...]


DOMAINS: tuple[Domain, ...] = (
    Domain("SIMPEG", "Sistem Informasi Manajemen Kepegawaian", "staff management information system", "hr",
           ("kepegawaian",), "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
           ("pegawai", "kepangkatan", "mutasi", "cuti", "pensiun", "jabatan", "ASN", "riwayat pendidikan"),
           ("staff", "promotion", "leave", "retirement", "civil servants"),
           ("Data induk pegawai", "Riwayat kepangkatan dan jabatan", "Pengajuan cuti daring", "Usulan pensiun",
            "Kenaikan gaji berkala")),
    Domain("E-KINERJA", "Aplikasi Penilaian Kinerja Pegawai", "staff performance appraisal", "employee-management",
           ("kinerja", "kepegawaian"), "Badan Kepegawaian Daerah",
           ("kinerja", "sasaran kinerja", "penilaian", "atasan", "tunjangan kinerja", "laporan harian"),
           ("performance", "appraisal", "targets", "allowance"),
           ("Sasaran kinerja pegawai", "Laporan kinerja harian", "Penilaian atasan langsung",
            "Rekap tunjangan kinerja")),
    Domain("E-ABSEN", "Sistem Presensi Pegawai", "staff attendance", "time-tracking", ("presensi", "kepegawaian"),
           "Badan Kepegawaian Daerah", ("presensi", "absensi", "kehadiran", "lokasi", "swafoto", "apel pagi"),
           ("attendance", "check-in", "location", "timesheet"),
           ("Presensi berbasis lokasi", "Swafoto saat absen", "Rekap kehadiran bulanan", "Izin dan dinas luar")),
    Domain("SIPKD", "Sistem Informasi Pengelolaan Keuangan Daerah", "regional financial management", "accounting",
           ("keuangan", "penganggaran"), "Badan Pengelolaan Keuangan dan Aset Daerah",
           ("anggaran", "belanja", "pendapatan", "SP2D", "SPM", "kas daerah", "akuntansi", "laporan keuangan"),
           ("budget", "spending", "revenue", "treasury", "accounting"),
           ("Penyusunan anggaran", "Penatausahaan belanja", "Penerbitan SP2D", "Laporan realisasi anggaran")),
    Domain("E-PLANNING", "Sistem Perencanaan Pembangunan Daerah", "regional development planning", "budgeting",
           ("perencanaan",), "Badan Perencanaan Pembangunan Daerah",
           ("musrenbang", "RPJMD", "rencana kerja", "usulan kegiatan", "pembangunan", "indikator"),
           ("planning", "development", "proposals", "indicators"),
           ("Usulan musrenbang kelurahan", "Rencana kerja perangkat daerah", "Indikator kinerja daerah")),
    Domain("E-OFFICE", "Aplikasi Persuratan Elektronik", "electronic office correspondence", "workflow-management",
           ("persuratan", "kearsipan"), "Sekretariat Daerah",
           ("surat masuk", "surat keluar", "disposisi", "naskah dinas", "tanda tangan elektronik", "agenda"),
           ("letters", "correspondence", "workflow", "e-signature"),
           ("Surat masuk dan keluar", "Disposisi berjenjang", "Tanda tangan elektronik BSrE", "Agenda pimpinan")),
    Domain("SIKD", "Sistem Informasi Kearsipan Dinamis", "dynamic records management", "document-management",
           ("kearsipan",), "Dinas Perpustakaan dan Kearsipan",
           ("arsip", "pengarsipan", "retensi", "pemberkasan", "penyusutan arsip", "klasifikasi arsip"),
           ("archive", "records", "retention", "filing"),
           ("Pemberkasan arsip aktif", "Jadwal retensi arsip", "Penyusutan arsip", "Peminjaman arsip")),
    Domain("LAPOR", "Layanan Pengaduan Masyarakat", "public complaints service", "feedback-and-reviews-management",
           ("pengaduan", "layanan-publik"), "Dinas Komunikasi dan Informatika",
           ("pengaduan", "aduan", "aspirasi", "tindak lanjut", "warga", "pelayanan publik"),
           ("complaints", "citizens", "feedback", "follow-up"),
           ("Aduan melalui web dan WhatsApp", "Disposisi aduan ke OPD", "Pemantauan tindak lanjut")),
    Domain("SICANTIK", "Sistem Perizinan Online", "online licensing and permits", "workflow-management",
           ("perizinan", "layanan-publik"), "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
           ("izin", "perizinan", "izin usaha", "izin mendirikan bangunan", "permohonan", "retribusi"),
           ("permits", "licences", "business licensing", "applications"),
           ("Permohonan izin daring", "Pelacakan status izin", "Tanda tangan elektronik izin")),
    Domain("SIAK", "Sistem Informasi Administrasi Kependudukan", "population administration", "digital-citizenship",
           ("kependudukan",), "Dinas Kependudukan dan Pencatatan Sipil",
           ("penduduk", "kependudukan", "akta kelahiran", "kartu keluarga", "KTP elektronik", "pindah datang"),
           ("population", "birth certificate", "family card", "identity card"),
           ("Pengajuan akta kelahiran", "Perubahan kartu keluarga", "Surat pindah datang")),
    Domain("SID", "Sistem Informasi Desa", "village information system", "digital-citizenship", ("desa",),
           "Dinas Pemberdayaan Masyarakat dan Desa",
           ("desa", "kelurahan", "dana desa", "surat keterangan", "data warga", "perangkat desa"),
           ("village", "village funds", "residents", "certificates"),
           ("Layanan surat desa", "Data warga desa", "Transparansi dana desa", "Peta desa")),
    Domain("SIMPUS", "Sistem Informasi Manajemen Puskesmas", "community health centre management", "data-collection",
           ("kesehatan",), "Dinas Kesehatan",
           ("puskesmas", "pasien", "rekam medis", "rujukan", "imunisasi", "kesehatan ibu dan anak", "posyandu"),
           ("health", "patients", "medical records", "immunisation", "clinic"),
           ("Pendaftaran pasien", "Rekam medis elektronik", "Rujukan online", "Laporan imunisasi")),
    Domain("DAPODIK", "Sistem Data Pendidikan Daerah", "regional education data", "data-collection",
           ("pendidikan",), "Dinas Pendidikan",
           ("sekolah", "siswa", "guru", "penerimaan peserta didik", "zonasi", "beasiswa"),
           ("schools", "students", "teachers", "enrolment", "scholarships"),
           ("Penerimaan peserta didik baru", "Data guru dan siswa", "Pengajuan beasiswa")),
    Domain("SLIMS", "Sistem Otomasi Perpustakaan", "library automation", "knowledge-management",
           ("perpustakaan",), "Dinas Perpustakaan dan Kearsipan",
           ("perpustakaan", "pustaka", "buku", "peminjaman", "katalog", "anggota perpustakaan"),
           ("library", "books", "loans", "catalogue"),
           ("Katalog buku daring", "Peminjaman dan pengembalian", "Keanggotaan perpustakaan")),
    Domain("JDIH", "Jaringan Dokumentasi dan Informasi Hukum", "legal documentation network", "knowledge-management",
           ("produk-hukum",), "Bagian Hukum Sekretariat Daerah",
           ("peraturan daerah", "produk hukum", "perda", "peraturan bupati", "peraturan wali kota", "keputusan"),
           ("regulations", "bylaws", "legal documents"),
           ("Pencarian produk hukum", "Unduh peraturan daerah", "Statistik produk hukum")),
    Domain("SIMDA-BMD", "Sistem Informasi Manajemen Barang Milik Daerah", "regional asset management",
           "inventory-management", ("aset",), "Badan Pengelolaan Keuangan dan Aset Daerah",
           ("aset", "barang milik daerah", "inventaris", "penyusutan", "kendaraan dinas", "tanah"),
           ("assets", "inventory", "depreciation", "vehicles"),
           ("Inventarisasi aset", "Penyusutan barang", "Kartu inventaris barang")),
    Domain("LPSE", "Layanan Pengadaan Secara Elektronik", "electronic procurement", "procurement", ("pengadaan",),
           "Bagian Pengadaan Barang dan Jasa", ("pengadaan", "tender", "lelang", "penyedia", "kontrak", "e-katalog"),
           ("procurement", "tenders", "suppliers", "contracts"),
           ("Pengumuman tender", "Registrasi penyedia", "Evaluasi penawaran")),
    Domain("E-PBB", "Sistem Pajak Bumi dan Bangunan", "land and building tax", "taxes-management", ("pajak-daerah",),
           "Badan Pendapatan Daerah", ("pajak", "perpajakan", "PBB", "wajib pajak", "tagihan", "BPHTB", "retribusi"),
           ("taxes", "property tax", "taxpayers", "billing"),
           ("Cek tagihan PBB", "Pembayaran melalui bank", "Pendaftaran wajib pajak")),
    Domain("E-PARKIR", "Sistem Perparkiran Daerah", "parking management", "fleet-management", ("perhubungan",),
           "Dinas Perhubungan", ("parkir", "perparkiran", "juru parkir", "retribusi parkir", "karcis"),
           ("parking", "parking fees", "tickets"),
           ("Karcis parkir elektronik", "Setoran retribusi parkir", "Data juru parkir")),
    Domain("SIG-UMKM", "Sistem Informasi Geografis UMKM", "SME geographic information",
           "geographic-information-systems",
           ("umkm", "geospasial"), "Dinas Koperasi dan Usaha Mikro",
           ("UMKM", "usaha mikro", "peta", "koperasi", "pelaku usaha", "produk lokal"),
           ("small businesses", "map", "cooperatives", "local products"),
           ("Peta sebaran UMKM", "Pendaftaran pelaku usaha", "Katalog produk lokal")),
    Domain("SIPARIWISATA", "Sistem Informasi Pariwisata", "tourism information", "content-management",
           ("pariwisata",), "Dinas Pariwisata dan Kebudayaan",
           ("wisata", "destinasi", "homestay", "event budaya", "kuliner", "pemandu wisata"),
           ("tourism", "destinations", "events", "culture"),
           ("Direktori destinasi wisata", "Kalender event budaya", "Pemesanan homestay")),
    Domain("SATU-DATA", "Portal Satu Data", "one data portal", "data-analytics", ("statistik",),
           "Dinas Komunikasi dan Informatika", ("data", "statistik sektoral", "dataset", "metadata", "walidata"),
           ("open data", "statistics", "datasets", "metadata"),
           ("Katalog dataset", "Visualisasi statistik", "Metadata standar SDI")),
    Domain("DAKOTA", "Database Kepemudaan dan Olahraga", "youth and sports database", "data-collection",
           ("layanan-publik",), "Dinas Kepemudaan dan Olahraga",
           ("pemuda", "olahraga", "atlet", "organisasi kepemudaan", "prestasi"),
           ("youth", "sports", "athletes", "organisations"),
           ("Data atlet berprestasi", "Organisasi kepemudaan", "Jadwal kegiatan olahraga")),
    Domain("SIBANSOS", "Sistem Informasi Bantuan Sosial", "social assistance", "grant-management",
           ("layanan-publik",), "Dinas Sosial",
           ("bantuan sosial", "penerima manfaat", "DTKS", "verifikasi", "keluarga miskin"),
           ("social assistance", "beneficiaries", "welfare"),
           ("Verifikasi penerima bantuan", "Pemutakhiran DTKS", "Penyaluran bantuan")),
    Domain("GSB", "Government Service Bus", "government service bus", "it-management", ("statistik",),
           "Dinas Komunikasi dan Informatika", ("integrasi", "pertukaran data", "API", "interoperabilitas", "layanan"),
           ("integration", "data exchange", "interoperability", "API gateway"),
           ("Gerbang API antar OPD", "Pertukaran data terjadwal", "Pemantauan layanan")),
)

NAME_PATTERNS = ("{acr} {region}", "{name_id} {region}", "e-{short} {region}", "{acr}", "Si{short} {region}",
                 "{acr} Terpadu {region}", "Aplikasi {short} {region}", "{acr} Mobile {region}")
CONNECTORS = (
    "Aplikasi ini dibangun oleh {opd} {region} untuk mendukung {w1} secara daring.",
    "Fitur utamanya meliputi {w1}, {w2}, dan {w3}.",
    "Sebelumnya pencatatan {w1} dilakukan manual dengan lembar kerja sehingga data sering tidak mutakhir.",
    "Data {w2} terintegrasi dengan aplikasi umum SPBE dan dapat dipertukarkan melalui Government Service Bus.",
    "Pengguna utama adalah operator OPD, kecamatan dan kelurahan di {region}.",
    "Layanan {w3} tersedia untuk masyarakat melalui portal web dan aplikasi seluler.",
    "Kode sumber dapat digunakan kembali oleh pemerintah daerah lain sesuai prinsip bagi pakai.",
    "Dokumentasi instalasi menggunakan PHP, MariaDB dan server Linux di pusat data daerah.",
    "Pada tahun {year} aplikasi ini meraih penghargaan inovasi pelayanan publik tingkat provinsi.",
    "Pengembangan dilanjutkan dengan modul {w2} dan laporan statistik {w1} per kecamatan.",
    "Hak akses dibedakan untuk admin, verifikator, operator dan pimpinan.",
    "Integrasi dengan {other} sedang disiapkan agar data tidak diinput dua kali.",
)
EN_TEMPLATES = ("{name_en} for {region}: {e1} and {e2}.", "Manage {e1}, {e2} and reports for local government.",
                "{name_en} with {e1} tracking and online {e2}.")
LICENSES = (("LicenseRef-Pemerintah", 40), ("GPL-3.0-or-later", 14), ("MIT", 14), ("Apache-2.0", 8),
            ("LicenseRef-Proprietary", 10), ("AGPL-3.0-or-later", 4), ("BSD-3-Clause", 4), ("GPL-2.0-only", 3),
            ("EUPL-1.2", 1), ("MPL-2.0", 2))
STATUSES = (("stable", 50), ("beta", 14), ("development", 14), ("concept", 5), ("obsolete", 17))


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p for p, _ in pairs], [w for _, w in pairs])[0]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:56].strip("-")


def short_name(domain: Domain) -> str:
    return domain.acronym.split("-")[-1].capitalize()


@dataclass(frozen=True)
class AppText:
    domain: Domain
    name: str
    short_id: str
    short_en: str
    description: str
    features: list[str]
    tags: list[str]
    license: str
    status: str
    platforms: list[str]


def region_label(org_name: str) -> str:
    """'Kabupaten Gresik' stays; 'Provinsi Riau' stays; agencies are used by acronym elsewhere."""
    return org_name


def make_app_text(rng: random.Random, region: str) -> AppText:
    domain = rng.choice(DOMAINS)
    name = rng.choice(NAME_PATTERNS).format(acr=domain.acronym, name_id=domain.name_id, short=short_name(domain),
                                            region=region).strip()[:118]
    words = list(domain.words_id)
    rng.shuffle(words)
    w = (words * 2)[:3]
    other = rng.choice(DOMAINS)
    sentences = [CONNECTORS[0]] + rng.sample(CONNECTORS[1:], rng.randint(2, 6))
    description = " ".join(
        s.format(opd=domain.opd, region=region, w1=w[0], w2=w[1], w3=w[2], year=rng.randint(2015, 2025),
                 other=other.acronym) for s in sentences)
    if rng.random() < 0.5:
        description += "\n\n## Fitur\n\n" + "\n".join(f"- {f}" for f in domain.features)
    e = list(domain.words_en)
    rng.shuffle(e)
    short_en = rng.choice(EN_TEMPLATES).format(name_en=domain.name_en.capitalize(), region=region,
                                               e1=e[0], e2=e[-1])[:290]
    short_id = f"{domain.name_id} untuk {w[0]} dan {w[1]} di {region}."[:290]
    features = rng.sample(domain.features, rng.randint(2, len(domain.features)))
    platforms = ["web"] + (["android"] if rng.random() < 0.35 else []) + (["ios"] if rng.random() < 0.1 else [])
    return AppText(domain, name, short_id, short_en, description, features, list(domain.tags),
                   _weighted(rng, LICENSES), _weighted(rng, STATUSES), platforms)


# What civil servants type: names, morphology, phrases, typos, English, regions.
TEXT_QUERIES: tuple[str, ...] = (
    "simpeg", "kepegawaian", "pegawai", "riwayat kepangkatan pegawai", "sistem informasi", "aplikasi pengaduan",
    "pengaduan masyarakat", "aduan warga", "arsip", "pengarsipan naskah", "kearsipan dinamis", "surat masuk",
    "persuratan", "eoffice", "perizinan online", "izin usaha", "keuangan daerah", "anggaran", "sp2d",
    "pajak", "perpajakan daerah", "pbb", "parkir", "perparkiran", "peta umkm", "usaha mikro", "puskesmas",
    "rekam medis", "imunisasi", "sekolah", "penerimaan peserta didik", "perpustakaan", "peminjaman buku",
    "peraturan daerah", "produk hukum", "aset barang daerah", "pengadaan", "tender", "presensi", "absen pegawai",
    "kinerja", "tunjangan kinerja", "akta kelahiran", "kependudukan", "dana desa", '"sistem informasi desa"',
    "wisata", "bantuan sosial", "satu data", "pertukaran data", "srikandy", "simpek", "sicantk", "perpustakan",
    "complaints", "village", "library", "parking", "procurement", "attendance", "taxes", "staff performance",
    "gresik", "tanjung pinang", "pekanbaru", "kabupaten solok", "tabalong", "layanan publik", "dinas kesehatan",
    "musrenbang", "pemuda olahraga", "government service bus", "lapor", "sid", "dakota", "jdih",
)
