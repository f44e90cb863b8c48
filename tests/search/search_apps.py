"""Realistic Indonesian government apps used as the search test corpus."""

from __future__ import annotations

from catalog.search import AppDocument

_KEPRI, _RIAU = ("21", "Kepulauan Riau"), ("14", "Riau")
_TANJUNGPINANG = ("21.72", "Pemerintah Kota Tanjung Pinang", *_KEPRI)
_PEKANBARU = ("14.71", "Pemerintah Kota Pekanbaru", *_RIAU)


def make_app(
    app_id: int,
    slug: str,
    name: str,
    short_id: str = "",
    short_en: str = "",
    description: str = "",
    *,
    features: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    category: str = "",
    publisher: tuple[str, str, str, str] = ("", "", "", ""),
    license: str = "MIT",
    status: str = "stable",
    platforms: tuple[str, ...] = ("web",),
) -> AppDocument:
    code, org, province_code, province_name = publisher
    return AppDocument(
        id=app_id,
        slug=slug,
        name=name,
        short_description_id=short_id,
        short_description_en=short_en,
        description=description,
        features=features,
        tags=tags,
        category=category,
        publisher_code=code,
        publisher_name=org,
        province_code=province_code,
        province_name=province_name,
        license=license,
        development_status=status,
        platforms=platforms,
    )


APPS: tuple[AppDocument, ...] = (
    make_app(
        1, "srikandi", "Srikandi",
        "Sistem Informasi Kearsipan Dinamis Terintegrasi untuk instansi pemerintah.",
        "Dynamic archive management and electronic records for government agencies.",
        "Srikandi adalah aplikasi umum bidang kearsipan yang ditetapkan secara nasional. "
        "Mendukung pengarsipan naskah dinas, tata naskah elektronik, dan penyusutan arsip "
        "sesuai jadwal retensi. Lihat [panduan](https://srikandi.arsip.go.id/panduan).",
        features=(
            "Registrasi naskah masuk dan keluar",
            "Tanda tangan elektronik",
            "Klasifikasi arsip",
        ),
        tags=("kearsipan",), category="document-management",
        publisher=("anri", "Arsip Nasional Republik Indonesia", "", ""),
        license="LicenseRef-SPBE",
    ),
    make_app(
        2, "sp4n-lapor", "SP4N-LAPOR!",
        "Sistem Pengelolaan Pengaduan Pelayanan Publik Nasional.",
        "National system for handling public service complaints from citizens.",
        "Masyarakat menyampaikan aduan dan aspirasi tentang pelayanan publik; pengaduan "
        "diteruskan ke instansi berwenang dan dipantau tindak lanjutnya.",
        features=("Kanal SMS, web dan media sosial", "Disposisi aduan antarinstansi"),
        tags=("pengaduan", "pelayanan publik"), category="communications",
        publisher=("kemenpanrb", "Kementerian PANRB", "", ""),
        license="LicenseRef-SPBE", platforms=("web", "android", "ios"),
    ),
    make_app(
        3, "simanja", "Simanja",
        "Sistem Informasi Manajemen Kinerja ASN Provinsi Kepulauan Riau.",
        "Staff performance management with monthly targets and appraisal.",
        "Pegawai menyusun sasaran kinerja bulanan, atasan menilai capaian, dan hasilnya "
        "menjadi dasar tambahan penghasilan.",
        features=("Sasaran kinerja pegawai", "Penilaian oleh atasan langsung"),
        tags=("kepegawaian", "kinerja"), category="hr",
        publisher=("21", "Pemerintah Provinsi Kepulauan Riau", *_KEPRI),
    ),
    make_app(
        4, "siap", "SIAP",
        "Sistem Informasi Aset dan Persediaan barang milik daerah.",
        "Regional asset and inventory bookkeeping.",
        "Pencatatan aset tetap, mutasi barang, penghapusan, dan stok persediaan setiap OPD.",
        features=("Kartu inventaris barang", "Laporan persediaan semesteran"),
        tags=("aset", "keuangan"), category="accounting",
        publisher=_TANJUNGPINANG,
    ),
    make_app(
        5, "jdih", "JDIH",
        "Jaringan Dokumentasi dan Informasi Hukum: produk hukum daerah.",
        "Legal documentation network publishing regional regulations.",
        "Publikasi peraturan daerah, peraturan wali kota, keputusan, dan naskah akademik, "
        "dapat dicari berdasarkan nomor dan tahun.",
        features=("Pencarian peraturan", "Abstrak produk hukum"),
        tags=("hukum",), category="content-management",
        publisher=_PEKANBARU, license="GPL-3.0-only",
    ),
    make_app(
        6, "simpeg", "SIMPEG",
        "Sistem Informasi Manajemen Kepegawaian daerah.",
        "Civil servant personnel records: ranks, positions, promotions and retirement.",
        "Mengelola data kepegawaian ASN: riwayat pangkat, jabatan, mutasi, cuti, dan pensiun.",
        features=("Daftar urut kepangkatan", "Usulan kenaikan pangkat", "Pengajuan cuti"),
        tags=("kepegawaian",), category="hr",
        publisher=_PEKANBARU,
    ),
    make_app(
        7, "e-office", "e-Office",
        "Persuratan elektronik dan disposisi naskah dinas antar-OPD.",
        "Electronic office mail, letters and dispositions between agencies.",
        "Surat masuk dan surat keluar dikirim secara elektronik, didisposisikan pimpinan, "
        "dan ditandatangani dengan sertifikat elektronik.",
        features=("Agenda surat", "Disposisi berjenjang"),
        tags=("persuratan", "perkantoran"), category="office",
        publisher=_PEKANBARU,
    ),
    make_app(
        8, "opensid", "OpenSID",
        "Sistem Informasi Desa untuk pemerintahan desa.",
        "Village information system: population data, letters and village budget transparency.",
        "OpenSID dipakai ribuan desa untuk data warga desa, layanan surat keterangan, "
        "peta wilayah, dan keterbukaan APBDes.",
        features=("Cetak surat keterangan", "Peta desa", "Statistik warga"),
        tags=("pemerintahan desa",), category="local-authorities",
        publisher=("opendesa", "Perkumpulan OpenDesa", "", ""),
        license="GPL-3.0-only", platforms=("web", "android", "linux"),
    ),
    make_app(
        9, "slims", "SLiMS",
        "Senayan Library Management System untuk perpustakaan sekolah dan daerah.",
        "Library management: catalogue, circulation and membership.",
        "Otomasi perpustakaan: katalog koleksi buku, peminjaman dan pengembalian, keanggotaan, "
        "serta OPAC untuk pemustaka.",
        features=("Sirkulasi koleksi", "Cetak kartu anggota", "OPAC"),
        tags=("perpustakaan",), category="library",
        publisher=("kemendikbud", "Kementerian Pendidikan dan Kebudayaan", "", ""),
        license="GPL-3.0-only", platforms=("web", "linux", "windows"),
    ),
    make_app(
        10, "e-parkir", "e-Parkir",
        "Sistem informasi perparkiran Dinas Perhubungan.",
        "Parking fee collection and attendant management for the transport agency.",
        "Juru parkir mencatat karcis dan setoran retribusi secara elektronik; Dinas "
        "Perhubungan memantau titik parkir dan pendapatan.",
        features=("Karcis elektronik", "Setoran harian juru parkir"),
        tags=("perhubungan", "retribusi"), category="transport",
        publisher=_TANJUNGPINANG, platforms=("web", "android"),
    ),
    make_app(
        11, "sig-umkm", "SIG UMKM",
        "Sistem Informasi Geografis usaha mikro, kecil, dan menengah.",
        "Geographic information system mapping small and medium enterprises.",
        "Pemetaan sebaran pelaku usaha, komoditas, dan pembinaan oleh Dinas Perindustrian "
        "dan Perdagangan.",
        features=("Peta sebaran usaha", "Profil pelaku usaha"),
        tags=("umkm", "perdagangan"), category="gis",
        publisher=_TANJUNGPINANG,
    ),
    make_app(
        12, "sipkd", "SIPKD",
        "Sistem Informasi Pengelolaan Keuangan Daerah.",
        "Regional financial management: budgeting, treasury and accounting.",
        "Penganggaran, penatausahaan, perbendaharaan, dan akuntansi APBD dari RKA sampai "
        "laporan keuangan.",
        features=("Penyusunan RKA", "SP2D", "Laporan realisasi anggaran"),
        tags=("keuangan",), category="accounting",
        publisher=_PEKANBARU,
    ),
    make_app(
        13, "lpse", "LPSE",
        "Layanan Pengadaan Secara Elektronik barang dan jasa pemerintah.",
        "Electronic procurement service for government tenders.",
        "Penyedia mendaftar, mengikuti tender dan seleksi secara daring; pokja pemilihan "
        "mengevaluasi penawaran.",
        features=("Tender cepat", "E-katalog lokal"),
        tags=("pengadaan",), category="procurement",
        publisher=("lkpp", "Lembaga Kebijakan Pengadaan Barang/Jasa Pemerintah", "", ""),
        license="LicenseRef-SPBE",
    ),
    make_app(
        14, "e-absen", "e-Absen",
        "Presensi pegawai berbasis lokasi dan swafoto.",
        "Location-based staff attendance with selfie check-in.",
        "Absensi harian ASN melalui ponsel dengan validasi lokasi kantor; rekap kehadiran "
        "untuk perhitungan tunjangan.",
        features=("Absen masuk dan pulang", "Rekap kehadiran bulanan"),
        tags=("kepegawaian",), category="hr",
        publisher=_PEKANBARU, platforms=("android", "web"),
    ),
    make_app(
        15, "e-pbb", "e-PBB",
        "Pengelolaan perpajakan daerah sektor PBB-P2.",
        "Land and building tax administration for the regional revenue agency.",
        "Pendataan objek, penetapan SPPT, dan pembayaran PBB-P2 melalui bank; Bapenda "
        "memantau tunggakan wajib pajak.",
        features=("Cetak SPPT", "Pembayaran melalui bank"),
        tags=("perpajakan", "pendapatan"), category="accounting",
        publisher=_PEKANBARU,
    ),
    make_app(
        16, "dukcapil-online", "Dukcapil Online",
        "Layanan administrasi kependudukan dan pencatatan sipil secara daring.",
        "Online civil registration and population administration services.",
        "Permohonan kartu keluarga, KTP-el, akta kelahiran dan akta kematian tanpa antre; "
        "berkas diverifikasi petugas.",
        features=("Permohonan akta", "Pelacakan berkas"),
        tags=("kependudukan",), category="local-authorities",
        publisher=_TANJUNGPINANG, platforms=("web", "android"),
    ),
    make_app(
        17, "dakota", "Dakota",
        "Database kepemudaan dan keolahragaan Dispora.",
        "Youth and sports database: athletes, coaches and youth organisations.",
        "Pendataan atlet, pelatih, organisasi kepemudaan, dan sarana olahraga.",
        features=("Data atlet", "Data organisasi pemuda"),
        tags=("kepemudaan", "olahraga"), category="sports",
        publisher=_TANJUNGPINANG, status="beta",
    ),
    make_app(
        18, "sicantik", "SiCantik Cloud",
        "Perizinan dan nonperizinan secara elektronik di DPMPTSP.",
        "Online permit and licensing service of the one-stop investment office.",
        "Pemohon mengajukan izin usaha dan izin bangunan, memantau proses, dan mengunduh "
        "izin bertanda tangan elektronik.",
        features=("Pengajuan izin daring", "Tanda tangan elektronik"),
        tags=("perizinan", "penanaman modal"), category="local-authorities",
        publisher=("kominfo", "Kementerian Komunikasi dan Informatika", "", ""),
        license="LicenseRef-SPBE",
    ),
    make_app(
        19, "pantausid", "PantauSID",
        "Pemantauan desa pengguna OpenSID dan versinya.",
        "Monitoring which villages run which OpenSID version.",
        "Setiap instalasi melaporkan versi secara otomatis sehingga kabupaten tahu desa "
        "mana yang tertinggal pembaruan keamanan.",
        tags=("pemerintahan desa",), category="it-development",
        publisher=("opendesa", "Perkumpulan OpenDesa", "", ""),
        license="GPL-3.0-only", status="development",
    ),
    make_app(
        20, "government-service-bus", "Government Service Bus",
        "Integrasi dan pertukaran data antar-OPD.",
        "Service bus for data exchange between regional agencies.",
        "Menghubungkan aplikasi OPD melalui API terstandar dengan pencatatan akses.",
        tags=("interoperabilitas",), category="it-development",
        publisher=_PEKANBARU, license="Apache-2.0", platforms=("linux",),
    ),
)

BY_SLUG: dict[str, AppDocument] = {app.slug: app for app in APPS}
