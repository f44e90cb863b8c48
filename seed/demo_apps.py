"""Demo catalog entries: real shared government applications with their real functions, and
realistic regional ones from the demo's regions (Kota Tanjung Pinang, Kota Pekanbaru, Kabupaten Solok,
Kabupaten Tabalong) and their provinces. HISTORY at the end dates each entry's releases and its
verification: the catalog opened in December 2024 and the entries were verified by March 2025."""
from __future__ import annotations

DEMO_APPS = [
    {
        "slug": "srikandi", "name": "Srikandi", "publisher": "anri", "state": "published",
        "short_description_id": "Sistem Informasi Kearsipan Dinamis Terintegrasi untuk persuratan dan pengarsipan instansi pemerintah.",
        "short_description_en": "Integrated dynamic archive management and official correspondence for government agencies.",
        "description": "Srikandi (Sistem Informasi Kearsipan Dinamis Terintegrasi) adalah aplikasi umum SPBE "
                       "bidang kearsipan yang ditetapkan bersama ANRI dan KemenPANRB.\n\n"
                       "## Fungsi utama\n\n- Naskah dinas masuk dan keluar dengan tanda tangan elektronik\n"
                       "- Disposisi berjenjang\n- Pemberkasan dan pengarsipan arsip dinamis\n"
                       "- Penyusutan arsip sesuai jadwal retensi arsip (JRA)",
        "features": ["Naskah dinas elektronik", "Disposisi berjenjang", "Pengarsipan arsip dinamis",
                     "Jadwal retensi arsip", "Tanda tangan elektronik BSrE"],
        "category": "document-management", "tags": ["kearsipan", "persuratan"],
        "license": "LicenseRef-Pemerintah", "development_status": "stable", "platforms": ["web", "android"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Tim Srikandi ANRI", "email": "srikandi@anri.go.id", "phone": ""}],
        "releases": ["v2.0.0", "v2.1.0"],
    },
    {
        "slug": "sp4n-lapor", "name": "SP4N-LAPOR!", "publisher": "kemenpanrb", "state": "published",
        "short_description_id": "Sistem Pengelolaan Pengaduan Pelayanan Publik Nasional: layanan aspirasi dan pengaduan masyarakat.",
        "short_description_en": "National public service complaint handling system for citizen complaints and aspirations.",
        "description": "SP4N-LAPOR! menghubungkan pengaduan masyarakat dengan instansi yang berwenang di pusat dan daerah.\n\n"
                       "Setiap pengaduan diteruskan ke OPD terkait, dipantau tenggat tindak lanjutnya, dan dilaporkan.",
        "features": ["Pengaduan masyarakat multikanal", "Disposisi ke OPD", "Pemantauan tindak lanjut",
                     "Statistik pengaduan"],
        "category": "feedback-and-reviews-management", "tags": ["pengaduan", "layanan-publik"],
        "license": "LicenseRef-Pemerintah", "development_status": "stable", "platforms": ["web", "android", "ios"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Admin Nasional SP4N-LAPOR!", "email": "lapor@menpan.go.id", "phone": ""}],
        "releases": ["v3.0.0"],
    },
    {
        "slug": "simanja", "name": "Simanja", "publisher": "21", "state": "published",
        "short_description_id": "Sistem informasi manajemen kinerja pegawai Pemerintah Provinsi Kepulauan Riau.",
        "short_description_en": "Staff performance management system of the Riau Islands provincial government.",
        "description": "Simanja mencatat rencana dan realisasi kinerja harian pegawai, penilaian atasan, dan "
                       "rekap kinerja untuk tunjangan kinerja. Data kinerja dipakai juga untuk evaluasi jabatan.",
        "features": ["Sasaran kinerja pegawai", "Laporan kinerja harian", "Penilaian atasan", "Rekap tunjangan kinerja"],
        "category": "employee-management", "tags": ["kinerja", "kepegawaian"],
        "license": "GPL-3.0-or-later", "development_status": "stable", "platforms": ["web"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Diskominfo Provinsi Kepulauan Riau", "email": "diskominfo@kepriprov.go.id", "phone": ""}],
        "releases": ["v1.0.0", "v1.1.0", "v1.2.0"],
    },
    {
        "slug": "siap", "name": "SIAP", "publisher": "21.72", "state": "published",
        "short_description_id": "Sistem Informasi Absensi Pegawai: presensi harian pegawai dengan lokasi dan rekap bulanan.",
        "short_description_en": "Staff attendance system with location check-in and monthly summaries.",
        "description": "SIAP dipakai Pemerintah Kota Tanjung Pinang untuk presensi pegawai di seluruh OPD. Rekap kehadiran dikirim otomatis ke bagian kepegawaian setiap bulan sebagai dasar perhitungan tunjangan.",
        "features": ["Presensi dengan lokasi", "Rekap bulanan per OPD", "Izin dan cuti"],
        "category": "time-tracking", "tags": ["presensi", "kepegawaian"],
        "license": "MIT", "development_status": "stable", "platforms": ["web", "android"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Diskominfo Kota Tanjung Pinang", "email": "diskominfo@tanjungpinangkota.go.id", "phone": ""}],
        "releases": ["v2.3.0"],
    },
    {
        "slug": "jdih", "name": "JDIH", "publisher": "14.71", "state": "published",
        "short_description_id": "Jaringan Dokumentasi dan Informasi Hukum: publikasi produk hukum daerah (perda, perwako, keputusan).",
        "short_description_en": "Legal documentation network: publishes regional legal products (bylaws, mayoral regulations).",
        "description": "JDIH menampilkan peraturan daerah, peraturan wali kota, dan keputusan beserta statusnya, "
                       "terhubung dengan JDIH Nasional. Setiap dokumen dilengkapi abstrak dan riwayat perubahannya.",
        "features": ["Pencarian produk hukum", "Status berlaku/dicabut", "Integrasi JDIH Nasional"],
        "category": "knowledge-management", "tags": ["produk-hukum"],
        "license": "GPL-2.0-or-later", "development_status": "stable", "platforms": ["web"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Bagian Hukum Setda Kota Pekanbaru", "email": "jdih@pekanbaru.go.id", "phone": ""}],
        "releases": ["v4.0.0"],
    },
    {
        "slug": "simpeg", "name": "SIMPEG", "publisher": "14.71", "state": "published",
        "short_description_id": "Sistem Informasi Manajemen Kepegawaian: data ASN, riwayat jabatan, pangkat dan pensiun.",
        "short_description_en": "Civil servant personnel records: positions, ranks, promotions and retirement.",
        "description": "SIMPEG mengelola data kepegawaian ASN daerah dan sinkron dengan data BKN. Pegawai dapat memantau usulan kenaikan pangkat dan riwayat jabatannya sendiri secara daring.",
        "features": ["Data induk pegawai", "Riwayat jabatan dan pangkat", "Usulan kenaikan pangkat", "Proyeksi pensiun"],
        "category": "hr", "tags": ["kepegawaian"],
        "license": "GPL-3.0-only", "development_status": "stable", "platforms": ["web"],
        "maintenance_type": "contract", "contractor_name": "CV Riau Data Sistem", "contract_end": "2027-12-31",
        "releases": ["v5.2.0", "v5.3.0"],
    },
    {
        "slug": "e-office", "name": "e-Office", "publisher": "14.71", "state": "published",
        "short_description_id": "Aplikasi persuratan dan tata naskah dinas elektronik untuk OPD.",
        "short_description_en": "Electronic office correspondence and official document workflow for agencies.",
        "description": "e-Office menggantikan surat kertas antar-OPD: surat masuk, surat keluar, disposisi, dan arsip. Setiap surat tercatat jejaknya sehingga pimpinan dapat memantau tindak lanjut disposisi.",
        "features": ["Surat masuk dan keluar", "Disposisi", "Tanda tangan elektronik", "Arsip surat"],
        "category": "workflow-management", "tags": ["persuratan", "kearsipan"],
        "license": "AGPL-3.0-only", "development_status": "stable", "platforms": ["web"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Diskominfo Kota Pekanbaru", "email": "diskominfo@pekanbaru.go.id", "phone": ""}],
        "releases": ["v1.4.0"],
    },
    {
        "slug": "opensid", "name": "OpenSID", "publisher": "kemendesa", "state": "published",
        "short_description_id": "Sistem informasi desa: administrasi penduduk, layanan surat, keuangan dan website desa.",
        "short_description_en": "Village information system: population records, letters, village finance and website.",
        "description": "OpenSID adalah sistem informasi desa sumber terbuka yang dipakai ribuan desa dan disalin "
                       "oleh kabupaten seperti Gresik dan Kulon Progo. Dikembangkan komunitas OpenDesa.",
        "features": ["Administrasi kependudukan desa", "Layanan surat desa", "Keuangan desa", "Website desa", "Peta desa"],
        "category": "digital-citizenship", "tags": ["desa", "kependudukan"],
        "license": "GPL-3.0-only", "development_status": "stable", "platforms": ["web"],
        "maintenance_type": "community", "maintenance_contacts": [{"name": "Komunitas OpenDesa", "email": "info@opendesa.id", "phone": ""}],
        "releases": ["v24.01", "v24.02"],
    },
    {
        "slug": "slims", "name": "SLiMS", "publisher": "perpusnas", "state": "published",
        "short_description_id": "Senayan Library Management System: otomasi perpustakaan, katalog daring dan sirkulasi.",
        "short_description_en": "Library management system: cataloguing, online public access catalogue and circulation.",
        "description": "SLiMS dipakai perpustakaan daerah, sekolah dan perguruan tinggi untuk katalogisasi, OPAC dan sirkulasi. Katalog daring (OPAC) dapat dicari warga dari mana saja.",
        "features": ["Katalogisasi", "OPAC", "Sirkulasi", "Keanggotaan", "Inventarisasi koleksi"],
        "category": "knowledge-management", "tags": ["perpustakaan"],
        "license": "GPL-3.0-only", "development_status": "stable", "platforms": ["web"],
        "maintenance_type": "community", "maintenance_contacts": [{"name": "Komunitas SLiMS", "email": "info@slims.web.id", "phone": ""}],
        "releases": ["v9.6.0", "v9.6.1"],
    },
    {
        "slug": "e-parkir", "name": "e-Parkir", "publisher": "21.72", "state": "published",
        "short_description_id": "Aplikasi perparkiran Dinas Perhubungan: juru parkir, karcis elektronik dan setoran retribusi.",
        "short_description_en": "Parking management for the transport office: attendants, e-tickets and levy deposits.",
        "description": "Dipakai Dinas Perhubungan Kota Tanjung Pinang untuk mencatat titik parkir, juru parkir, "
                       "karcis elektronik dan setoran retribusi parkir. Setoran harian tercatat per juru parkir.",
        "features": ["Titik parkir", "Data juru parkir", "Karcis elektronik", "Setoran retribusi"],
        "category": "fleet-management", "tags": ["perhubungan", "pajak-daerah"],
        "license": "MIT", "development_status": "beta", "platforms": ["web", "android"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Dinas Perhubungan Kota Tanjung Pinang", "email": "dishub@tanjungpinangkota.go.id", "phone": ""}],
        "releases": ["v0.9.0"],
    },
    {
        "slug": "sig-umkm", "name": "SIG UMKM", "publisher": "21.72", "state": "published",
        "short_description_id": "Sistem informasi geografis usaha mikro, kecil dan menengah (UMKM) binaan Disperindag.",
        "short_description_en": "Geographic information system of micro, small and medium enterprises.",
        "description": "Peta sebaran UMKM binaan dengan data produk, perizinan, dan pelatihan. Data dipakai Disperindag untuk merencanakan pelatihan, pameran dan pendampingan perizinan usaha.",
        "features": ["Peta sebaran UMKM", "Data produk dan perizinan", "Riwayat pelatihan"],
        "category": "geographic-information-systems", "tags": ["umkm", "geospasial"],
        "license": "Apache-2.0", "development_status": "beta", "platforms": ["web"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Disperindag Kota Tanjung Pinang", "email": "disperindag@tanjungpinangkota.go.id", "phone": ""}],
        "releases": ["v1.0.0"],
    },
    {
        "slug": "dakota", "name": "Dakota", "publisher": "21.72", "state": "submitted", "recent": True,
        "short_description_id": "Database kepemudaan dan olahraga: atlet, pelatih, organisasi kepemudaan dan prestasi.",
        "short_description_en": "Youth and sports database: athletes, coaches, youth organisations and achievements.",
        "description": "Dakota dikembangkan Dispora Kota Tanjung Pinang.",
        "features": ["Data atlet dan pelatih", "Organisasi kepemudaan", "Prestasi"],
        "category": "data-collection", "tags": ["statistik"],
        "license": "MIT", "development_status": "beta", "platforms": ["web"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Dispora Kota Tanjung Pinang", "email": "dispora@tanjungpinangkota.go.id", "phone": ""}],
        "releases": ["v0.5.0"],
    },
    {
        "slug": "sipkd", "name": "SIPKD", "publisher": "kemendagri", "state": "published",
        "short_description_id": "Sistem Informasi Pengelolaan Keuangan Daerah: anggaran, penatausahaan dan akuntansi.",
        "short_description_en": "Regional financial management: budgeting, treasury administration and accounting.",
        "description": "SIPKD mendukung siklus keuangan daerah dari penganggaran sampai laporan keuangan. Laporan keuangan daerah disusun dari data transaksi yang sama tanpa input ulang.",
        "features": ["Penganggaran", "Penatausahaan", "Akuntansi dan pelaporan"],
        "category": "accounting", "tags": ["keuangan", "penganggaran"],
        "license": "LicenseRef-Pemerintah", "development_status": "obsolete", "platforms": ["web", "windows"],
        "maintenance_type": "none", "maintenance_contacts": [],
        "releases": ["v2.5.0"],
    },
    # National shared applications (aplikasi umum and tools every Pemda meets).
    {
        "slug": "sipd", "name": "SIPD", "publisher": "kemendagri", "state": "published",
        "short_description_id": "Sistem Informasi Pemerintahan Daerah: perencanaan, penganggaran dan penatausahaan keuangan daerah dalam satu alur.",
        "short_description_en": "Regional government information system: planning, budgeting and financial administration in one flow.",
        "description": "SIPD menghubungkan dokumen perencanaan daerah (RPJMD, RKPD, Renja) dengan penyusunan APBD "
                       "dan penatausahaannya, sehingga program yang dianggarkan dapat dilacak sampai realisasi. "
                       "Data yang sama dilaporkan ke Kemendagri tanpa input ulang.",
        "features": ["Perencanaan pembangunan daerah", "Penyusunan APBD", "Penatausahaan keuangan", "Pelaporan ke pusat"],
        "category": "budgeting", "tags": ["keuangan", "perencanaan"],
        "license": "LicenseRef-Pemerintah", "development_status": "stable", "platforms": ["web"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Tim SIPD Kemendagri", "email": "sipd@kemendagri.go.id", "phone": ""}],
        "releases": ["v1.0.0", "v2.0.0"],
    },
    {
        "slug": "e-kinerja-bkn", "name": "e-Kinerja BKN", "publisher": "bkn", "state": "published",
        "short_description_id": "Pengelolaan kinerja ASN: rencana SKP, evaluasi berkala oleh atasan dan predikat kinerja.",
        "short_description_en": "Civil servant performance management: work plans, periodic appraisal and ratings.",
        "description": "e-Kinerja BKN dipakai instansi pusat dan daerah untuk menyusun Sasaran Kinerja Pegawai, "
                       "mencatat bukti dukung, dan menilai kinerja secara berkala sesuai PermenPANRB Nomor 6 Tahun 2022. "
                       "Predikat kinerja tersambung dengan data ASN di BKN.",
        "features": ["Rencana SKP", "Bukti dukung kinerja", "Evaluasi berkala", "Predikat kinerja pegawai"],
        "category": "employee-management", "tags": ["kinerja", "kepegawaian"],
        "license": "LicenseRef-Pemerintah", "development_status": "stable", "platforms": ["web"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Direktorat Kinerja ASN BKN", "email": "ekinerja@bkn.go.id", "phone": ""}],
        "releases": ["v1.0.0", "v1.1.0"],
    },
    {
        "slug": "siasn", "name": "SIASN", "publisher": "bkn", "state": "published",
        "short_description_id": "Sistem Informasi ASN: data induk ASN nasional dan layanan kenaikan pangkat, mutasi serta pensiun.",
        "short_description_en": "National civil servant information system: master records and personnel services.",
        "description": "SIASN menyimpan data induk ASN secara nasional. Pengelola kepegawaian daerah memakai layanannya "
                       "untuk usul kenaikan pangkat, mutasi, dan pensiun, dan pegawai dapat memutakhirkan datanya sendiri. "
                       "SIMPEG daerah biasanya menarik data dari SIASN.",
        "features": ["Data induk ASN", "Usul kenaikan pangkat", "Layanan mutasi dan pensiun", "Pemutakhiran data mandiri"],
        "category": "hr", "tags": ["kepegawaian"],
        "license": "LicenseRef-Pemerintah", "development_status": "stable", "platforms": ["web"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Direktorat Sistem Informasi ASN BKN", "email": "siasn@bkn.go.id", "phone": ""}],
        "releases": ["v2.0.0"],
    },
    {
        "slug": "spse", "name": "SPSE", "publisher": "lkpp", "state": "published",
        "short_description_id": "Sistem Pengadaan Secara Elektronik: tender dan seleksi barang/jasa pemerintah yang dijalankan LPSE.",
        "short_description_en": "Electronic procurement system for government tenders, run by each procurement service unit (LPSE).",
        "description": "SPSE dipasang oleh LPSE di kementerian, lembaga dan pemerintah daerah untuk tender, seleksi, "
                       "dan pengadaan langsung secara elektronik. Penyedia mendaftar sekali dan dapat mengikuti tender "
                       "di LPSE mana pun; dokumen penawaran dienkripsi sampai pembukaan.",
        "features": ["Tender dan seleksi elektronik", "Pengadaan langsung", "Enkripsi dokumen penawaran", "Agregasi data penyedia"],
        "category": "procurement", "tags": ["pengadaan"],
        "license": "LicenseRef-Pemerintah", "development_status": "stable", "platforms": ["web"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Direktorat Pengembangan Sistem Pengadaan LKPP", "email": "spse@lkpp.go.id", "phone": ""}],
        "releases": ["v4.4.0", "v4.5.0"],
    },
    {
        "slug": "sirup", "name": "SiRUP", "publisher": "lkpp", "state": "published",
        "short_description_id": "Sistem Informasi Rencana Umum Pengadaan: pengumuman rencana pengadaan setiap instansi.",
        "short_description_en": "Procurement plan information system: each agency announces its annual procurement plan.",
        "description": "Melalui SiRUP setiap satuan kerja mengumumkan rencana umum pengadaan barang/jasa untuk tahun "
                       "anggaran berjalan: paket, pagu, sumber dana dan cara pengadaan. Masyarakat dan penyedia dapat "
                       "melihat rencana itu sebelum tender dimulai.",
        "features": ["Input rencana umum pengadaan", "Pengumuman paket", "Rekap per satuan kerja"],
        "category": "procurement", "tags": ["pengadaan", "perencanaan"],
        "license": "LicenseRef-Pemerintah", "development_status": "stable", "platforms": ["web"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Tim SiRUP LKPP", "email": "sirup@lkpp.go.id", "phone": ""}],
        "releases": ["v2.1.0"],
    },
    {
        "slug": "sippn", "name": "SIPPN", "publisher": "kemenpanrb", "state": "published",
        "short_description_id": "Sistem Informasi Pelayanan Publik Nasional: direktori layanan publik dan standar pelayanannya.",
        "short_description_en": "National public service information system: a directory of services and their standards.",
        "description": "SIPPN memuat daftar layanan publik setiap instansi beserta standar pelayanannya: persyaratan, "
                       "prosedur, waktu, dan biaya. Warga mencari layanan di satu tempat, dan instansi memakai datanya "
                       "untuk evaluasi pelayanan publik.",
        "features": ["Direktori layanan publik", "Standar pelayanan", "Evaluasi pelayanan publik"],
        "category": "digital-citizenship", "tags": ["layanan-publik"],
        "license": "LicenseRef-Pemerintah", "development_status": "stable", "platforms": ["web"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Deputi Pelayanan Publik KemenPANRB", "email": "sippn@menpan.go.id", "phone": ""}],
        "releases": ["v1.5.0"],
    },
    {
        "slug": "prodeskel", "name": "Prodeskel", "publisher": "kemendagri", "state": "published",
        "short_description_id": "Profil Desa dan Kelurahan: data potensi dan tingkat perkembangan desa dan kelurahan.",
        "short_description_en": "Village and urban ward profiles: potential and development level of each village.",
        "description": "Prodeskel mengumpulkan data profil desa dan kelurahan setiap tahun: penduduk, potensi ekonomi, "
                       "sarana, dan kelembagaan. Dari data itu dihitung tingkat perkembangan desa yang dipakai "
                       "pemerintah kabupaten/kota dan Kemendagri untuk pembinaan.",
        "features": ["Isian profil tahunan", "Potensi desa dan kelurahan", "Tingkat perkembangan desa"],
        "category": "data-collection", "tags": ["desa", "statistik"],
        "license": "LicenseRef-Pemerintah", "development_status": "stable", "platforms": ["web"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Ditjen Bina Pemerintahan Desa", "email": "prodeskel@kemendagri.go.id", "phone": ""}],
        "releases": ["v3.0.0"],
    },
    {
        "slug": "indeks-kami", "name": "Indeks KAMI", "publisher": "bssn", "state": "published",
        "short_description_id": "Indeks Keamanan Informasi: alat evaluasi kesiapan pengamanan informasi sebuah instansi.",
        "short_description_en": "Information security index: a self-assessment of an agency's information security readiness.",
        "description": "Indeks KAMI menilai kelengkapan dan kematangan pengamanan informasi berdasarkan SNI ISO/IEC 27001: "
                       "tata kelola, risiko, kerangka kerja, aset, dan teknologi. Diskominfo memakainya untuk menyiapkan "
                       "evaluasi SPBE dan sertifikasi keamanan informasi.",
        "features": ["Penilaian mandiri lima area", "Tingkat kematangan", "Rekomendasi perbaikan"],
        "category": "compliance-management", "tags": ["keamanan-informasi", "spbe"],
        "license": "LicenseRef-Pemerintah", "development_status": "stable", "platforms": ["web"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Direktorat Keamanan Siber Pemerintah Daerah BSSN", "email": "indekskami@bssn.go.id", "phone": ""}],
        "releases": ["v5.0.0"],
    },
    {
        "slug": "inlislite", "name": "INLISLite", "publisher": "perpusnas", "state": "published",
        "short_description_id": "Integrated Library System dari Perpustakaan Nasional: otomasi perpustakaan tanpa biaya lisensi.",
        "short_description_en": "The National Library's integrated library system, free for every library.",
        "description": "INLISLite dibagikan Perpustakaan Nasional kepada perpustakaan daerah, sekolah, dan desa untuk "
                       "katalogisasi, sirkulasi, keanggotaan, dan OPAC. Data katalognya dapat dikirim ke "
                       "Katalog Induk Nasional.",
        "features": ["Katalogisasi", "Sirkulasi", "Keanggotaan", "OPAC", "Kiriman ke Katalog Induk Nasional"],
        "category": "integrated-library-system", "tags": ["perpustakaan"],
        "license": "LicenseRef-Pemerintah", "development_status": "stable", "platforms": ["web", "windows"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Pusat Jasa Informasi Perpustakaan Perpusnas", "email": "inlislite@perpusnas.go.id", "phone": ""}],
        "releases": ["v3.1.0", "v3.2.0"],
    },
    # Regional applications of the demo's regions and provinces.
    {
        "slug": "e-ppid", "name": "e-PPID", "publisher": "14.71", "state": "published",
        "short_description_id": "Layanan permohonan informasi publik daring untuk PPID utama dan PPID pembantu di OPD.",
        "short_description_en": "Online public information requests for the main and agency information officers (PPID).",
        "description": "Warga mengajukan permohonan informasi publik dan keberatan secara daring; PPID utama meneruskannya "
                       "ke PPID pembantu di OPD dan memantau batas waktu jawaban sesuai UU Keterbukaan Informasi Publik. "
                       "Daftar informasi publik tampil di portal.",
        "features": ["Permohonan informasi publik", "Pengajuan keberatan", "Daftar informasi publik", "Pemantauan batas waktu"],
        "category": "digital-citizenship", "tags": ["keterbukaan-informasi", "layanan-publik"],
        "license": "GPL-3.0-or-later", "development_status": "stable", "platforms": ["web"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Diskominfo Kota Pekanbaru", "email": "ppid@pekanbaru.go.id", "phone": ""}],
        "releases": ["v2.0.0", "v2.1.0"],
    },
    {
        "slug": "e-retribusi-pasar", "name": "e-Retribusi Pasar", "publisher": "14.71", "state": "published",
        "short_description_id": "Penagihan retribusi pasar dengan QRIS dan karcis elektronik per lapak.",
        "short_description_en": "Market stall levies collected with QRIS payments and electronic tickets per stall.",
        "description": "Petugas pasar Dinas Perdagangan mencatat lapak dan pedagang, menagih retribusi harian lewat QRIS, "
                       "dan mencetak karcis elektronik. Setoran masuk langsung ke kas daerah sehingga kebocoran "
                       "retribusi dapat ditekan.",
        "features": ["Data lapak dan pedagang", "Pembayaran QRIS", "Karcis elektronik", "Rekap setoran harian"],
        "category": "taxes-management", "tags": ["pajak-daerah", "pasar"],
        "license": "MIT", "development_status": "stable", "platforms": ["web", "android"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Dinas Perdagangan Kota Pekanbaru", "email": "disdag@pekanbaru.go.id", "phone": ""}],
        "releases": ["v1.0.0", "v1.2.0"],
    },
    {
        "slug": "sipetani", "name": "SiPeTani", "publisher": "13.02", "state": "published",
        "short_description_id": "Data kelompok tani, luas tanam dan alokasi pupuk bersubsidi Kabupaten Solok.",
        "short_description_en": "Farmer groups, planted area and subsidised fertiliser allocation of Solok regency.",
        "description": "Penyuluh pertanian mencatat kelompok tani, luas tanam per musim, dan kebutuhan pupuk bersubsidi "
                       "per nagari. Dinas Pertanian memakai rekapnya untuk menyusun e-RDKK dan memantau penyaluran "
                       "pupuk oleh kios.",
        "features": ["Data kelompok tani", "Luas tanam per musim", "Kebutuhan pupuk (e-RDKK)", "Pemantauan penyaluran"],
        "category": "data-collection", "tags": ["pertanian", "nagari"],
        "license": "GPL-3.0-or-later", "development_status": "stable", "platforms": ["web", "android"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Dinas Pertanian Kabupaten Solok", "email": "distan@solokkab.go.id", "phone": ""}],
        "releases": ["v1.0.0", "v2.0.0"],
    },
    {
        "slug": "simpus", "name": "SIMPUS", "publisher": "13.02", "state": "published",
        "short_description_id": "Sistem Informasi Manajemen Puskesmas: pendaftaran, rekam medis elektronik dan laporan bulanan.",
        "short_description_en": "Community health centre management: registration, electronic medical records and monthly reports.",
        "description": "SIMPUS dipakai puskesmas Kabupaten Solok untuk pendaftaran pasien, rekam medis elektronik, "
                       "resep dan stok obat, serta laporan bulanan ke Dinas Kesehatan. Data kunjungan dapat dikirim ke "
                       "SATUSEHAT Kementerian Kesehatan.",
        "features": ["Pendaftaran pasien", "Rekam medis elektronik", "Resep dan stok obat", "Laporan bulanan puskesmas"],
        "category": "resource-management", "tags": ["kesehatan"],
        "license": "AGPL-3.0-or-later", "development_status": "stable", "platforms": ["web"],
        "maintenance_type": "contract", "contractor_name": "CV Ranah Minang Digital", "contract_end": "2027-06-30",
        "releases": ["v3.0.0"],
    },
    {
        "slug": "si-cegah-stunting", "name": "SI Cegah Stunting", "publisher": "63.09", "state": "published",
        "short_description_id": "Pencatatan tumbuh kembang balita di posyandu dan sasaran intervensi pencegahan stunting.",
        "short_description_en": "Child growth records from health posts and targeting of stunting prevention.",
        "description": "Kader posyandu mencatat berat dan tinggi badan balita; aplikasi menghitung status gizi dan "
                       "menandai balita berisiko. Tim percepatan penurunan stunting Kabupaten Tabalong memakai petanya "
                       "untuk menentukan desa sasaran intervensi.",
        "features": ["Pengukuran balita di posyandu", "Status gizi otomatis", "Peta desa sasaran", "Rekap untuk TPPS"],
        "category": "data-analytics", "tags": ["kesehatan", "stunting"],
        "license": "GPL-3.0-or-later", "development_status": "stable", "platforms": ["web", "android"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Dinas Kesehatan Kabupaten Tabalong", "email": "dinkes@tabalongkab.go.id", "phone": ""}],
        "releases": ["v1.0.0"],
    },
    {
        "slug": "e-bphtb", "name": "e-BPHTB", "publisher": "63.09", "state": "published",
        "short_description_id": "Pelaporan dan validasi BPHTB secara daring oleh notaris/PPAT dan Bapenda.",
        "short_description_en": "Online filing and validation of land and building transfer tax by notaries and the revenue office.",
        "description": "Notaris/PPAT melaporkan transaksi tanah dan bangunan, menghitung BPHTB terutang, dan mengunggah "
                       "berkas; Bapenda Kabupaten Tabalong memvalidasi dan mencocokkan dengan data PBB. Pembayaran "
                       "terhubung dengan bank daerah.",
        "features": ["Pelaporan oleh PPAT", "Perhitungan BPHTB", "Validasi Bapenda", "Pembayaran lewat bank daerah"],
        "category": "taxes-management", "tags": ["pajak-daerah"],
        "license": "MIT", "development_status": "stable", "platforms": ["web"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Bapenda Kabupaten Tabalong", "email": "bapenda@tabalongkab.go.id", "phone": ""}],
        "releases": ["v1.3.0"],
    },
    {
        "slug": "simonev-pembangunan", "name": "SIMONEV Pembangunan", "publisher": "14", "state": "published",
        "short_description_id": "Pemantauan dan evaluasi kegiatan pembangunan APBD: realisasi fisik, keuangan dan foto lapangan.",
        "short_description_en": "Monitoring and evaluation of budget-funded projects: physical and financial progress with site photos.",
        "description": "OPD Provinsi Riau melaporkan realisasi fisik dan keuangan setiap kegiatan per bulan, lengkap "
                       "dengan foto lapangan berkoordinat. Bappeda melihat kegiatan yang terlambat dan menyiapkan "
                       "bahan rapat evaluasi pembangunan.",
        "features": ["Realisasi fisik dan keuangan", "Foto lapangan berkoordinat", "Peringatan keterlambatan", "Bahan rapat evaluasi"],
        "category": "project-management", "tags": ["perencanaan", "pemantauan"],
        "license": "Apache-2.0", "development_status": "stable", "platforms": ["web", "android"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Bappeda Provinsi Riau", "email": "bappeda@riau.go.id", "phone": ""}],
        "releases": ["v2.0.0"],
    },
    {
        "slug": "sigap-bencana", "name": "SIGAP Bencana", "publisher": "13", "state": "returned", "recent": True,
        "short_description_id": "Laporan kejadian bencana dan kebutuhan pengungsi dari nagari ke BPBD.",
        "short_description_en": "Disaster incident and evacuee needs reports from villages to the disaster agency.",
        "description": "Dikembangkan BPBD Provinsi Sumatera Barat untuk laporan cepat kejadian bencana.",
        "features": ["Laporan kejadian", "Kebutuhan pengungsi", "Peta kejadian"],
        "category": "geographic-information-systems", "tags": ["kebencanaan"],
        "license": "MIT", "development_status": "beta", "platforms": ["web", "android"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "BPBD Provinsi Sumatera Barat", "email": "bpbd@sumbarprov.go.id", "phone": ""}],
        "releases": ["v0.8.0"],
    },
    {
        "slug": "si-karhutla", "name": "SI Karhutla", "publisher": "63", "state": "published",
        "short_description_id": "Pemantauan titik panas dan laporan patroli kebakaran hutan dan lahan Kalimantan Selatan.",
        "short_description_en": "Hotspot monitoring and patrol reports for forest and land fires in South Kalimantan.",
        "description": "Titik panas dari satelit ditampilkan di peta bersama laporan patroli Manggala Agni, BPBD, dan "
                       "masyarakat peduli api. Posko siaga darurat karhutla Provinsi Kalimantan Selatan memakainya "
                       "untuk mengerahkan regu pemadam.",
        "features": ["Peta titik panas", "Laporan patroli", "Pengerahan regu", "Rekap luas terbakar"],
        "category": "geographic-information-systems", "tags": ["kebencanaan", "geospasial"],
        "license": "GPL-3.0-or-later", "development_status": "stable", "platforms": ["web", "android"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "BPBD Provinsi Kalimantan Selatan", "email": "bpbd@kalselprov.go.id", "phone": ""}],
        "releases": ["v1.0.0", "v1.1.0"],
    },
    {
        "slug": "e-musrenbang", "name": "e-Musrenbang", "publisher": "21", "state": "published",
        "short_description_id": "Usulan musyawarah perencanaan pembangunan dari kelurahan sampai provinsi, dengan jejak prioritasnya.",
        "short_description_en": "Development planning proposals from ward to province, with how each was prioritised.",
        "description": "Usulan warga dicatat sejak musrenbang kelurahan dan kecamatan, lalu diprioritaskan di tingkat "
                       "kabupaten/kota dan provinsi. Pengusul dapat melihat apakah usulannya masuk RKPD dan "
                       "dianggarkan, dan Bappeda mendapat rekap per bidang.",
        "features": ["Usulan berjenjang", "Prioritas per tingkat", "Status usulan untuk pengusul", "Rekap per bidang"],
        "category": "budgeting", "tags": ["perencanaan", "partisipasi"],
        "license": "GPL-3.0-or-later", "development_status": "stable", "platforms": ["web"],
        "maintenance_type": "internal", "maintenance_contacts": [{"name": "Bappeda Provinsi Kepulauan Riau", "email": "bappeda@kepriprov.go.id", "phone": ""}],
        "releases": ["v1.0.0"],
    },
]

# slug: (verified on, release dates in the order of "releases"). Releases come before verification;
# the releases that came after the regions had adopted an app are in seed/demo_story.py.
HISTORY = {
    "srikandi": ("2024-12-10", ["2023-03-06", "2024-06-17"]),
    "sp4n-lapor": ("2024-12-11", ["2023-09-04"]),
    "e-kinerja-bkn": ("2024-12-12", ["2023-01-09", "2024-02-05"]),
    "siasn": ("2024-12-13", ["2024-05-13"]),
    "sipd": ("2024-12-16", ["2022-01-10", "2024-09-02"]),
    "spse": ("2024-12-17", ["2023-06-05", "2024-07-22"]),
    "sirup": ("2024-12-18", ["2024-01-15"]),
    "sippn": ("2024-12-19", ["2023-11-13"]),
    "simanja": ("2025-01-06", ["2023-04-03", "2023-10-02", "2024-08-05"]),
    "siap": ("2025-01-07", ["2024-03-04"]),
    "e-parkir": ("2025-01-08", ["2024-11-04"]),
    "sig-umkm": ("2025-01-09", ["2024-09-16"]),
    "jdih": ("2025-01-13", ["2024-02-12"]),
    "simpeg": ("2025-01-14", ["2023-08-07", "2024-10-07"]),
    "e-office": ("2025-01-15", ["2024-06-03"]),
    "e-ppid": ("2025-01-16", ["2023-05-08", "2024-08-12"]),
    "e-retribusi-pasar": ("2025-01-20", ["2024-01-08", "2024-11-11"]),
    "opensid": ("2025-01-21", ["2024-01-01", "2024-02-01"]),
    "slims": ("2025-01-22", ["2023-07-03", "2024-05-06"]),
    "inlislite": ("2025-01-23", ["2022-08-01", "2024-04-01"]),
    "prodeskel": ("2025-01-27", ["2024-03-11"]),
    "indeks-kami": ("2025-01-28", ["2024-02-19"]),
    "sipkd": ("2025-01-29", ["2019-12-02"]),
    "sipetani": ("2025-02-03", ["2023-02-06", "2024-10-14"]),
    "simpus": ("2025-02-04", ["2024-07-01"]),
    "si-cegah-stunting": ("2025-02-10", ["2024-06-10"]),
    "e-bphtb": ("2025-02-11", ["2024-04-15"]),
    "simonev-pembangunan": ("2025-02-17", ["2024-08-19"]),
    "si-karhutla": ("2025-02-18", ["2023-08-14", "2024-07-08"]),
    "e-musrenbang": ("2025-02-24", ["2024-12-02"]),
    # registered in the last weeks (seed/demo_story.py): (registered on, release dates)
    "sigap-bencana": ("2026-10-26", ["2026-09-14"]),
    "dakota": ("2026-11-16", ["2026-10-05"]),
}
for _spec in DEMO_APPS:
    _spec["verified_on"], _spec["released_on"] = HISTORY[_spec["slug"]]
