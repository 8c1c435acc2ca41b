"""Templates of the demo regency's organisation and the builder of its unit and position tree.

The fictional *Pemerintah Kabupaten Sukamaju* follows the usual shape of a kabupaten after
PP 18/2016 and the 2021–2022 *penyederhanaan birokrasi*: the Sekretariat Daerah with three
Asisten over nine Bagian, the Sekretariat DPRD, the Inspektorat, the *badan* and *dinas* (each
with a Sekretariat and Bidang split into Subbagian/Subbidang/Seksi), the schools of the Dinas
Pendidikan and the puskesmas of the Dinas Kesehatan as UPT, the RSUD, and the Kecamatan with
their Kelurahan. Staff positions use the jabatan pelaksana names of PermenPANRB 45/2022
(Pengadministrasi Perkantoran, Penata Layanan Operasional, …) and jabatan fungsional with their
jenjang (Pranata Komputer Ahli Pertama, Perawat Terampil, Bidan Mahir, Guru Ahli Muda, …).

Every position carries the templates its holder's RHK are drawn from (:class:`Out`): handcrafted
ones for the units where realism matters most (Bappeda, Diskominfo, BKPSDM, Inspektorat,
Dinas Kesehatan, Dinas Pendidikan, BPKAD, Dinas PUPR, Disdukcapil) and patterns on the unit's
topic elsewhere. :func:`build_structure` turns the templates and a :class:`SizeSpec` into plain
:class:`Unit` and :class:`Position` objects with pre-assigned ids.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = [
    "DESA",
    "KECAMATAN",
    "PROFILES",
    "SIZES",
    "Out",
    "Position",
    "Profile",
    "SizeSpec",
    "Slot",
    "Structure",
    "Unit",
    "build_structure",
    "topic_of",
]

INSTANSI_NAMA = "Pemerintah Kabupaten Sukamaju"
KABUPATEN = "Sukamaju"


# --------------------------------------------------------------------------- RHK templates


@dataclass(frozen=True, slots=True)
class Out:
    """A template of one RHK with the object its IKI measure.

    ``rhk`` and ``obj`` may contain ``{topic}``, ``{unit}``, ``{opd}``, ``{region}`` and ``{tag}``.
    The IKI are "Jumlah {obj} yang {pp}" (kuantitas, ``satuan``, a target in ``qmin..qmax``),
    "Persentase {obj} …" (kualitas) and "Ketepatan waktu penyelesaian {obj}" (waktu).
    ``key``/``up`` link a handcrafted cascade: an RHK from a template with ``up=k`` intervenes
    the superior's RHK made from the template with ``key=k`` (``direct`` for direct cascading,
    PermenPANRB 8/2021: the children's kuantitas targets add up to the parent's).
    """

    rhk: str
    obj: str
    pp: str
    satuan: str
    qmin: int
    qmax: int
    key: str = ""
    up: str = ""
    direct: bool = False


def O(rhk, obj, pp, satuan, qmin, qmax, key="", up="", direct=False) -> Out:  # noqa: E743, N802
    return Out(rhk, obj, pp, satuan, qmin, qmax, key, up, direct)


# fmt: off
ADMIN_PATTERNS = (
    O("Meningkatnya kualitas penyelenggaraan {topic}", "program dan kegiatan {topic}",
      "terlaksana sesuai rencana", "Kegiatan", 4, 10),
    O("Terwujudnya pengelolaan {topic} yang efektif dan akuntabel", "sub kegiatan {topic}",
      "terealisasi sesuai target", "Sub Kegiatan", 3, 8),
    O("Tercapainya target kinerja {topic}", "laporan capaian kinerja {topic}", "tersusun",
      "Laporan", 4, 12),
    O("Tersusunnya kebijakan teknis {topic} yang tepat sasaran",
      "rancangan kebijakan teknis {topic}", "ditetapkan", "Dokumen", 1, 4),
)
PENGAWAS_PATTERNS = (
    O("Terlaksananya kegiatan {topic} sesuai rencana", "kegiatan {topic}", "terlaksana", "Kegiatan",
      4, 12),
    O("Tersusunnya dokumen rencana dan laporan {topic} tepat waktu",
      "dokumen rencana dan laporan {topic}", "tersusun", "Dokumen", 4, 12),
    O("Tersedianya data {topic} yang akurat dan mutakhir", "laporan pemutakhiran data {topic}",
      "tersusun", "Laporan", 4, 12),
    O("Meningkatnya kualitas layanan {topic}", "layanan {topic}", "diselesaikan sesuai standar",
      "Layanan", 60, 400),
    O("Terselenggaranya pembinaan dan fasilitasi {topic}", "sasaran pembinaan {topic}",
      "terfasilitasi", "Sasaran", 6, 30),
)
SEKRETARIS_OUTS = (
    O("Meningkatnya kualitas pelayanan administrasi umum dan kepegawaian {opd}",
      "layanan administrasi umum dan kepegawaian", "diselesaikan tepat waktu", "Layanan", 200, 800),
    O("Tersusunnya dokumen perencanaan dan laporan kinerja {opd} tepat waktu",
      "dokumen perencanaan dan laporan kinerja", "tersusun", "Dokumen", 6, 10),
    O("Meningkatnya akuntabilitas pengelolaan keuangan dan aset {opd}", "laporan keuangan dan aset",
      "tersusun", "Laporan", 4, 14),
)
SUBBAG_UMUM = (
    O("Terkelolanya administrasi kepegawaian {opd}", "usulan layanan kepegawaian", "diproses",
      "Usulan", 60, 300),
    O("Tersedianya layanan persuratan, kearsipan dan rumah tangga {opd}", "layanan ketatausahaan",
      "diselesaikan", "Layanan", 300, 1200),
    O("Terpeliharanya barang milik daerah di lingkungan {opd}", "barang milik daerah",
      "terinventarisasi", "Unit", 200, 1500),
)
SUBBAG_KEUANGAN = (
    O("Tersusunnya laporan keuangan {opd} tepat waktu", "laporan keuangan semesteran dan tahunan",
      "tersusun", "Laporan", 2, 3),
    O("Tertibnya penatausahaan keuangan {opd}", "dokumen pertanggungjawaban keuangan",
      "terverifikasi", "Dokumen", 150, 600),
    O("Tersedianya laporan realisasi anggaran bulanan {opd}", "laporan realisasi anggaran",
      "tersusun", "Laporan", 12, 12),
)
SUBBAG_PROGRAM = (
    O("Tersusunnya dokumen Renja dan RKA {opd} tepat waktu", "dokumen Renja dan RKA", "tersusun",
      "Dokumen", 2, 4),
    O("Tersusunnya laporan kinerja {opd} sesuai ketentuan SAKIP", "dokumen laporan kinerja",
      "tersusun", "Dokumen", 1, 2),
    O("Tersedianya laporan evaluasi pelaksanaan program {opd} triwulanan",
      "laporan evaluasi triwulanan", "tersusun", "Laporan", 4, 4),
)
KEPSEK_OUTS = (
    O("Meningkatnya mutu pembelajaran di {unit}", "peserta didik yang mencapai kompetensi minimum",
      "tuntas", "Orang", 100, 600),
    O("Terwujudnya pengelolaan {unit} yang akuntabel", "laporan penggunaan dana BOSP", "tersusun",
      "Laporan", 2, 4),
    O("Meningkatnya capaian literasi dan numerasi peserta didik {unit}",
      "peserta didik dengan capaian literasi dan numerasi minimum", "tercapai", "Orang", 50, 400),
    O("Terlaksananya supervisi akademik guru di {unit}", "guru", "disupervisi", "Orang", 8, 40),
)
KAPUS_OUTS = (
    O("Meningkatnya mutu pelayanan kesehatan primer di {unit}", "kunjungan rawat jalan puskesmas",
      "terlayani", "Kunjungan", 15000, 45000, up="yk_kunjungan", direct=True),
    O("Meningkatnya cakupan imunisasi dasar lengkap di wilayah kerja {unit}",
      "bayi yang mendapat imunisasi dasar lengkap", "terimunisasi", "Bayi", 250, 900),
    O("Menurunnya prevalensi balita stunting di wilayah kerja {unit}",
      "balita stunting yang tertangani", "tertangani", "Balita", 30, 150),
    O("Terwujudnya mutu manajemen dan akreditasi {unit}", "dokumen mutu dan akreditasi", "tersusun",
      "Dokumen", 4, 12),
)
KASUBBAG_TU_PKM = (
    O("Tertibnya administrasi umum dan kepegawaian {topic}", "layanan administrasi umum",
      "diselesaikan", "Layanan", 120, 500),
    O("Tersusunnya laporan keuangan BLUD {topic} tepat waktu", "laporan keuangan BLUD",
      "tersusun", "Laporan", 12, 14),
    O("Tersedianya data sistem informasi puskesmas {topic} yang lengkap", "laporan SP3",
      "tersusun", "Laporan", 12, 12),
)
LURAH_OUTS = (
    O("Meningkatnya kualitas pelayanan administrasi di {unit}", "layanan administrasi kelurahan",
      "diselesaikan", "Layanan", 600, 2500),
    O("Terwujudnya ketenteraman dan ketertiban umum di {unit}",
      "kegiatan ketenteraman dan ketertiban", "terlaksana", "Kegiatan", 12, 36),
    O("Meningkatnya partisipasi masyarakat dalam pembangunan {unit}", "usulan musrenbang kelurahan",
      "terfasilitasi", "Usulan", 10, 40),
)
TAMBAHAN = (
    "Terlaksananya tugas tambahan sebagai anggota Tim Penyusun LKjIP {opd}",
    "Terlaksananya tugas tambahan sebagai sekretaris panitia Hari Jadi Kabupaten Sukamaju ke-78",
    "Terlaksananya tugas tambahan sebagai anggota Tim Zona Integritas {opd}",
    "Terlaksananya tugas tambahan sebagai pengelola pengaduan SP4N-LAPOR! {opd}",
    "Terlaksananya tugas tambahan sebagai admin Satu Data {opd}",
    "Terlaksananya tugas tambahan sebagai anggota Tim Penilai Inovasi Daerah",
    "Terlaksananya tugas tambahan sebagai pendamping Tim Penggerak PKK kecamatan",
)
# fmt: on

# --------------------------------------------------------------------------- staff profiles


@dataclass(frozen=True, slots=True)
class Profile:
    """A staff position type: a jabatan pelaksana or a jabatan fungsional with its jenjang."""

    key: str
    nama: str
    jenis: str  # pelaksana / fungsional
    outs: tuple[Out, ...]
    jenjang: tuple[tuple[str, float], ...] = ()
    edu: tuple[tuple[str, float], ...] = (("S1", 1.0),)
    field: str | None = None  # None: the OPD's field
    female: float = 0.45
    pppk: float = 0.12
    kelas: int = 6
    low_edu: str = "D3"  # diploma of the keterampilan jenjang (SMA for Pol PP and Damkar)
    regional: bool = False  # the work is split by wilayah (desa/kecamatan)


def _p(key, nama, jenis, outs, **kw) -> Profile:
    return Profile(key, nama, jenis, tuple(outs), **kw)


# fmt: off
PROFILES: dict[str, Profile] = {p.key: p for p in (
    Profile(
        "admin", "Pengadministrasi Perkantoran", "pelaksana",
        outs=(
            O("Tersedianya administrasi persuratan {unit} yang tertib", "surat masuk dan keluar",
              "teradministrasi", "Surat", 250, 900),
            O("Terkelolanya arsip dinamis {unit}", "berkas arsip dinamis", "tertata", "Berkas", 120,
              500),
            O("Tersedianya bahan rapat dan notula {unit}", "notula rapat", "tersusun", "Notula", 12,
              36),
            O("Tersedianya administrasi perjalanan dinas {unit}", "dokumen perjalanan dinas",
              "diselesaikan", "Dokumen", 40, 150),
        ),
        edu=(("SMA", 0.6), ("D3", 0.25), ("S1", 0.15)), pppk=0.22, kelas=5,
    ),
    Profile(
        "ops", "Penata Layanan Operasional", "pelaksana",
        outs=(
            O("Terlaksananya layanan operasional {topic}", "layanan operasional {topic}",
              "diselesaikan", "Layanan", 60, 300),
            O("Tersusunnya bahan laporan pelaksanaan {topic}", "bahan laporan {topic}", "tersusun",
              "Laporan", 12, 24),
            O("Tersedianya bahan pelaksanaan kegiatan {topic}", "paket bahan kegiatan {topic}",
              "tersedia", "Paket", 6, 24),
            O("Terfasilitasinya pelaksanaan kegiatan {topic}", "kegiatan {topic}", "terfasilitasi",
              "Kegiatan", 8, 30),
        ),
        edu=(("S1", 0.7), ("D3", 0.3)), pppk=0.18, kelas=7,
    ),
    Profile(
        "data", "Pengolah Data dan Informasi", "pelaksana",
        outs=(
            O("Tersedianya data {topic} yang mutakhir", "rekapitulasi data {topic}", "tersusun",
              "Rekap", 12, 24),
            O("Tersusunnya laporan statistik {topic}", "laporan statistik {topic}", "tersusun",
              "Laporan", 4, 12),
            O("Terkelolanya basis data {topic}", "rekaman data {topic}", "tervalidasi", "Record",
              500, 3000),
        ),
        edu=(("D3", 0.4), ("S1", 0.5), ("SMA", 0.1)), pppk=0.18,
    ),
    Profile(
        "telaah", "Penelaah Teknis Kebijakan", "pelaksana",
        outs=(
            O("Tersusunnya telaahan teknis kebijakan {topic}", "telaahan staf {topic}", "tersusun",
              "Telaahan", 6, 18),
            O("Tersusunnya draf pedoman teknis {topic}", "draf pedoman teknis {topic}", "tersusun",
              "Dokumen", 1, 4),
            O("Tersedianya bahan evaluasi kebijakan {topic}", "bahan evaluasi kebijakan {topic}",
              "tersusun", "Dokumen", 2, 6),
        ),
        edu=(("S1", 0.85), ("S2", 0.15)), kelas=7,
    ),
    Profile(
        "operator", "Operator Layanan Operasional", "pelaksana",
        outs=(
            O("Terlaksananya pelayanan {topic} di loket layanan", "pemohon layanan {topic}",
              "terlayani", "Orang", 300, 2000),
            O("Tersedianya entri data layanan {topic} yang lengkap", "entri data layanan {topic}",
              "terinput", "Berkas", 300, 1500),
            O("Tertibnya antrean dan pengaduan layanan {topic}", "pengaduan layanan {topic}",
              "ditindaklanjuti", "Pengaduan", 20, 120),
        ),
        edu=(("SMA", 0.6), ("D3", 0.4)), pppk=0.25, kelas=5,
    ),
    Profile(
        "teknisi", "Teknisi Sarana dan Prasarana", "pelaksana",
        outs=(
            O("Terpeliharanya sarana dan prasarana {unit}", "sarana dan prasarana", "terpelihara",
              "Unit", 10, 60),
            O("Tersedianya kendaraan dinas {opd} yang laik jalan", "kendaraan dinas", "terpelihara",
              "Unit", 4, 20),
            O("Terselenggaranya perbaikan ringan gedung kantor {opd}", "pekerjaan perbaikan ringan",
              "terselesaikan", "Pekerjaan", 6, 24),
        ),
        edu=(("SMA", 0.5), ("D3", 0.5)), female=0.1, pppk=0.22,
    ),
    Profile(
        "bendahara", "Pengelola Layanan Operasional", "pelaksana",
        outs=(
            O("Tersusunnya laporan pertanggungjawaban bendahara {opd} tepat waktu",
              "laporan pertanggungjawaban bendahara", "tersusun", "Laporan", 12, 12),
            O("Tertibnya penatausahaan dokumen pencairan anggaran {opd}", "dokumen SPP dan SPM",
              "diproses", "Dokumen", 120, 480),
            O("Tersedianya laporan realisasi belanja {unit}", "laporan realisasi belanja",
              "tersusun", "Laporan", 12, 12),
        ),
        edu=(("S1", 0.7), ("D3", 0.3)), field="econ", female=0.6, kelas=7,
    ),
    Profile(
        "op_kesehatan", "Operator Layanan Kesehatan", "pelaksana",
        outs=(
            O("Terlaksananya pendaftaran dan rekam kunjungan pasien di {unit}", "pasien",
              "terdaftar", "Orang", 3000, 12000),
            O("Tersedianya data kunjungan pasien {unit} yang lengkap", "laporan kunjungan pasien",
              "tersusun", "Laporan", 12, 12),
        ),
        edu=(("SMA", 0.5), ("D3", 0.5)), field="health", female=0.6, pppk=0.25, kelas=5,
    ),
    Profile(
        "perencana", "Perencana", "fungsional",
        outs=(
            O("Tersusunnya dokumen perencanaan {topic}", "dokumen perencanaan {topic}", "tersusun",
              "Dokumen", 2, 6),
            O("Tersusunnya kajian perencanaan pembangunan {topic}", "kajian perencanaan {topic}",
              "tersusun", "Kajian", 1, 3),
            O("Tersusunnya laporan evaluasi pelaksanaan rencana {topic}",
              "laporan evaluasi rencana {topic}", "tersusun", "Laporan", 2, 4),
            O("Tersedianya analisis data pembangunan {topic}", "analisis data pembangunan {topic}",
              "tersusun", "Dokumen", 2, 6),
        ),
        jenjang=(("PT", 0.55), ("MU", 0.35), ("MA", 0.1)), field="plan", kelas=8,
    ),
    Profile(
        "prakom", "Pranata Komputer", "fungsional",
        outs=(
            O("Tersedianya sistem informasi {topic} yang andal", "aplikasi {topic}",
              "dikembangkan dan dipelihara", "Aplikasi", 1, 5),
            O("Terkelolanya infrastruktur jaringan {opd}", "perangkat jaringan", "terpelihara",
              "Unit", 10, 50),
            O("Tersedianya data dan informasi {topic} yang terpublikasi", "dataset {topic}",
              "dipublikasikan", "Dataset", 10, 40),
            O("Meningkatnya keamanan sistem elektronik {topic}", "sistem elektronik {topic}",
              "diuji keamanannya", "Sistem", 2, 8),
        ),
        jenjang=(("PT", 0.5), ("MU", 0.2), ("TR", 0.2), ("MH", 0.1)), field="it", female=0.35,
    ),
    Profile(
        "analis_kebijakan", "Analis Kebijakan", "fungsional",
        outs=(
            O("Tersusunnya rekomendasi kebijakan {topic}", "rekomendasi kebijakan {topic}",
              "tersusun", "Dokumen", 2, 6),
            O("Tersusunnya kajian kebijakan {topic}", "kajian kebijakan {topic}", "tersusun",
              "Kajian", 1, 3),
            O("Tersedianya analisis dampak kebijakan {topic}", "analisis dampak kebijakan {topic}",
              "tersusun", "Dokumen", 1, 4),
        ),
        jenjang=(("PT", 0.5), ("MU", 0.4), ("MA", 0.1)), field="gov",
    ),
    Profile(
        "auditor", "Auditor", "fungsional",
        outs=(
            O("Terlaksananya audit kinerja perangkat daerah {topic}", "laporan hasil audit kinerja",
              "diterbitkan", "Laporan", 4, 10),
            O("Terlaksananya reviu laporan keuangan dan kinerja {topic}", "laporan hasil reviu",
              "diterbitkan", "Laporan", 3, 8),
            O("Terpantaunya tindak lanjut hasil pemeriksaan {topic}",
              "rekomendasi hasil pemeriksaan", "dipantau tindak lanjutnya", "Rekomendasi", 20, 80),
            O("Terlaksananya evaluasi SAKIP perangkat daerah {topic}",
              "laporan hasil evaluasi SAKIP", "diterbitkan", "Laporan", 4, 10),
        ),
        jenjang=(("PT", 0.4), ("MU", 0.4), ("MA", 0.2)), field="econ",
    ),
    Profile(
        "p2upd", "Pengawas Penyelenggaraan Urusan Pemerintahan di Daerah", "fungsional",
        outs=(
            O("Terlaksananya pengawasan penyelenggaraan urusan pemerintahan daerah {topic}",
              "laporan hasil pengawasan", "diterbitkan", "Laporan", 4, 10),
            O("Terlaksananya pemeriksaan khusus atas pengaduan masyarakat {topic}",
              "pengaduan masyarakat", "ditangani", "Pengaduan", 3, 12),
            O("Terlaksananya pengawasan pengelolaan dana desa {topic}", "desa", "diawasi", "Desa",
              8, 30),
        ),
        jenjang=(("PT", 0.5), ("MU", 0.4), ("MA", 0.1)), field="gov",
    ),
    Profile(
        "sdm", "Analis Sumber Daya Manusia Aparatur", "fungsional",
        outs=(
            O("Tersusunnya analisis kebutuhan pegawai {topic}",
              "dokumen analisis kebutuhan pegawai", "tersusun", "Dokumen", 1, 4),
            O("Terlaksananya layanan administrasi kenaikan pangkat {topic}",
              "usulan kenaikan pangkat", "diproses", "Usulan", 100, 600),
            O("Tersusunnya laporan penilaian kinerja pegawai {topic}",
              "laporan penilaian kinerja pegawai", "tersusun", "Laporan", 2, 4),
            O("Terlaksananya uji kompetensi pegawai {topic}", "pegawai", "diuji kompetensinya",
              "Orang", 40, 200),
        ),
        jenjang=(("PT", 0.6), ("MU", 0.4)), field="gov", female=0.55,
    ),
    Profile(
        "arsiparis", "Arsiparis", "fungsional",
        outs=(
            O("Terkelolanya arsip inaktif {opd}", "berkas arsip inaktif", "tertata", "Berkas", 300,
              1500),
            O("Tersusunnya daftar arsip {opd}", "daftar arsip", "tersusun", "Dokumen", 4, 12),
            O("Terlaksananya penyusutan arsip {opd}", "berkas arsip", "dinilai untuk penyusutan",
              "Berkas", 100, 500),
        ),
        jenjang=(("TR", 0.4), ("MH", 0.2), ("PT", 0.3), ("MU", 0.1)), field="library", female=0.6,
    ),
    Profile(
        "pustakawan", "Pustakawan", "fungsional",
        outs=(
            O("Terlaksananya layanan sirkulasi perpustakaan {topic}", "pemustaka", "terlayani",
              "Orang", 1500, 8000),
            O("Terkelolanya koleksi bahan perpustakaan {topic}", "koleksi bahan perpustakaan",
              "diolah", "Eksemplar", 500, 3000),
            O("Meningkatnya kegemaran membaca masyarakat {region}",
              "kegiatan promosi gemar membaca", "terlaksana", "Kegiatan", 6, 24),
        ),
        jenjang=(("TR", 0.3), ("MH", 0.2), ("PT", 0.35), ("MU", 0.15)), field="library",
        female=0.65,
    ),
    Profile(
        "humas", "Pranata Hubungan Masyarakat", "fungsional",
        outs=(
            O("Tersebarnya informasi publik {topic} melalui media resmi", "konten informasi publik",
              "dipublikasikan", "Konten", 60, 300),
            O("Tersusunnya siaran pers {opd}", "siaran pers", "diterbitkan", "Siaran Pers", 24, 96),
            O("Terkelolanya aduan masyarakat melalui kanal SP4N-LAPOR!", "aduan masyarakat",
              "ditindaklanjuti", "Aduan", 40, 200),
        ),
        jenjang=(("PT", 0.5), ("MU", 0.2), ("TR", 0.3)), field="social", female=0.55,
    ),
    Profile(
        "statistisi", "Statistisi", "fungsional",
        outs=(
            O("Tersedianya data statistik sektoral {topic}", "tabel statistik sektoral",
              "terpublikasi", "Tabel", 20, 80),
            O("Tersusunnya publikasi {opd} dalam angka", "publikasi statistik", "terbit",
              "Publikasi", 1, 3),
            O("Terlaksananya pembinaan statistik sektoral perangkat daerah", "perangkat daerah",
              "terbina", "OPD", 10, 40),
        ),
        jenjang=(("PT", 0.6), ("MU", 0.3), ("TR", 0.1)), field="stat",
    ),
    Profile(
        "pbj", "Pengelola Pengadaan Barang/Jasa", "fungsional",
        outs=(
            O("Terlaksananya pemilihan penyedia barang/jasa {topic}", "paket pengadaan",
              "selesai proses pemilihan", "Paket", 20, 90),
            O("Tersusunnya dokumen pemilihan pengadaan {topic}", "dokumen pemilihan", "tersusun",
              "Dokumen", 20, 90),
            O("Terkelolanya katalog elektronik lokal {opd}", "produk katalog elektronik lokal",
              "terverifikasi", "Produk", 50, 300),
        ),
        jenjang=(("PT", 0.6), ("MU", 0.4)), field="econ",
    ),
    Profile(
        "keuangan", "Analis Keuangan Pusat dan Daerah", "fungsional",
        outs=(
            O("Tersusunnya analisis anggaran {topic}", "analisis anggaran", "tersusun", "Dokumen",
              4, 12),
            O("Tersusunnya laporan keuangan {topic} tepat waktu", "laporan keuangan", "tersusun",
              "Laporan", 2, 4),
            O("Terverifikasinya dokumen pertanggungjawaban belanja {topic}",
              "dokumen pertanggungjawaban belanja", "terverifikasi", "Dokumen", 200, 1200),
        ),
        jenjang=(("PT", 0.6), ("MU", 0.4)), field="econ", female=0.55,
    ),
    Profile(
        "perancang", "Perancang Peraturan Perundang-undangan", "fungsional",
        outs=(
            O("Tersusunnya rancangan produk hukum daerah {topic}", "rancangan peraturan",
              "diharmonisasi", "Rancangan", 6, 24),
            O("Tersedianya kajian rancangan peraturan bupati {topic}", "kajian rancangan peraturan",
              "tersusun", "Kajian", 4, 12),
        ),
        jenjang=(("PT", 0.5), ("MU", 0.4), ("MA", 0.1)), field="law",
    ),
    Profile(
        "penyuluh_pertanian", "Penyuluh Pertanian", "fungsional",
        outs=(
            O("Meningkatnya kapasitas kelompok tani binaan {region}", "kelompok tani binaan",
              "terbina", "Kelompok", 8, 25),
            O("Tersusunnya rencana definitif kebutuhan kelompok tani {region}", "dokumen RDKK",
              "tersusun", "Dokumen", 8, 25),
            O("Terlaksananya demonstrasi plot teknologi pertanian {region}", "demonstrasi plot",
              "terlaksana", "Unit", 1, 4),
        ),
        jenjang=(("PT", 0.35), ("MU", 0.2), ("TR", 0.25), ("MH", 0.15), ("PY", 0.05)),
        field="agri", female=0.35, regional=True,
    ),
    Profile(
        "popt", "Pengendali Organisme Pengganggu Tumbuhan", "fungsional",
        outs=(
            O("Terkendalinya serangan organisme pengganggu tumbuhan {region}", "luas serangan OPT",
              "dikendalikan", "Hektare", 50, 400),
            O("Tersedianya laporan pengamatan OPT {region}", "laporan pengamatan OPT", "tersusun",
              "Laporan", 12, 24),
        ),
        jenjang=(("TR", 0.35), ("MH", 0.15), ("PT", 0.35), ("MU", 0.15)), field="agri",
        female=0.35, regional=True,
    ),
    Profile(
        "medik_vet", "Medik Veteriner", "fungsional",
        outs=(
            O("Terlaksananya vaksinasi rabies hewan penular {region}", "hewan penular rabies",
              "divaksinasi", "Ekor", 300, 2000),
            O("Terkendalinya penyakit hewan menular strategis {region}", "kasus penyakit hewan",
              "ditangani", "Kasus", 20, 120),
        ),
        jenjang=(("PT", 0.6), ("MU", 0.4)), field="vet", regional=True,
    ),
    Profile(
        "penyuluh_perikanan", "Penyuluh Perikanan", "fungsional",
        outs=(
            O("Meningkatnya kapasitas kelompok pembudidaya ikan binaan {region}",
              "kelompok pembudidaya ikan", "terbina", "Kelompok", 6, 20),
            O("Tersedianya data produksi perikanan {region}", "laporan data produksi perikanan",
              "tersusun", "Laporan", 12, 12),
            O("Meningkatnya penerapan cara budidaya ikan yang baik {region}",
              "pembudidaya ikan bersertifikat CBIB", "terbina", "Orang", 5, 30),
        ),
        jenjang=(("PT", 0.4), ("MU", 0.2), ("TR", 0.3), ("MH", 0.1)), field="fish", female=0.3,
        regional=True,
    ),
    Profile(
        "pkb", "Penyuluh Keluarga Berencana", "fungsional",
        outs=(
            O("Meningkatnya kesertaan ber-KB pasangan usia subur {region}", "peserta KB baru",
              "terlayani", "Orang", 100, 600),
            O("Terbinanya kelompok Bina Keluarga Balita {region}", "kelompok BKB", "terbina",
              "Kelompok", 5, 20),
            O("Terdampinginya keluarga berisiko stunting {region}", "keluarga berisiko stunting",
              "terdampingi", "Keluarga", 50, 300),
        ),
        jenjang=(("PT", 0.5), ("MU", 0.3), ("TR", 0.2)), field="social", female=0.6, regional=True,
    ),
    Profile(
        "peksos", "Pekerja Sosial", "fungsional",
        outs=(
            O("Tertanganinya penyandang masalah kesejahteraan sosial {region}", "PPKS",
              "tertangani", "Orang", 30, 150),
            O("Terverifikasinya data terpadu kesejahteraan sosial {region}", "rumah tangga DTKS",
              "terverifikasi", "Rumah Tangga", 300, 2000),
            O("Terdampinginya penerima bantuan sosial {region}", "keluarga penerima manfaat",
              "terdampingi", "Keluarga", 50, 300),
        ),
        jenjang=(("PT", 0.4), ("MU", 0.2), ("TR", 0.3), ("MH", 0.1)), field="social", female=0.55,
        regional=True,
    ),
    Profile(
        "psm", "Penggerak Swadaya Masyarakat", "fungsional",
        outs=(
            O("Meningkatnya kapasitas lembaga kemasyarakatan desa {region}",
              "lembaga kemasyarakatan desa", "terbina", "Lembaga", 6, 20),
            O("Terfasilitasinya penyusunan RKP Desa {region}", "dokumen RKP Desa", "terfasilitasi",
              "Desa", 4, 15),
        ),
        jenjang=(("PT", 0.5), ("MU", 0.3), ("TR", 0.2)), field="social", regional=True,
    ),
    Profile(
        "polpp", "Polisi Pamong Praja", "fungsional",
        outs=(
            O("Tertegakkannya peraturan daerah {region}", "pelanggaran peraturan daerah",
              "ditindak", "Kasus", 12, 60),
            O("Terciptanya ketertiban umum di ruang publik {region}", "patroli ketertiban umum",
              "terlaksana", "Kali", 48, 240),
            O("Terlaksananya pengamanan kegiatan pemerintahan daerah {region}", "kegiatan",
              "diamankan", "Kegiatan", 12, 48),
        ),
        jenjang=(("PM", 0.25), ("TR", 0.45), ("MH", 0.2), ("PT", 0.1)), field="gov", female=0.2,
        low_edu="SMA", regional=True,
    ),
    Profile(
        "damkar", "Pemadam Kebakaran", "fungsional",
        outs=(
            O("Tertanganinya kejadian kebakaran dan penyelamatan {region}",
              "kejadian kebakaran dan penyelamatan", "tertangani", "Kejadian", 20, 120),
            O("Terpeliharanya kesiapan sarana pemadam kebakaran {region}", "unit mobil pemadam",
              "siap operasi", "Unit", 2, 8),
            O("Meningkatnya kesiapsiagaan masyarakat terhadap kebakaran {region}",
              "sosialisasi pencegahan kebakaran", "terlaksana", "Kegiatan", 6, 24),
        ),
        jenjang=(("PM", 0.3), ("TR", 0.45), ("MH", 0.2), ("PY", 0.05)), field="gov", female=0.05,
        low_edu="SMA", regional=True,
    ),
    Profile(
        "adb", "Administrator Database Kependudukan", "fungsional",
        outs=(
            O("Terkelolanya database kependudukan {opd}", "rekaman data kependudukan",
              "dimutakhirkan", "Record", 5000, 30000),
            O("Tersedianya layanan pemanfaatan data kependudukan bagi lembaga pengguna",
              "perjanjian kerja sama pemanfaatan data", "terlayani", "Lembaga", 5, 20),
            O("Terjaganya keamanan jaringan SIAK {opd}", "perangkat jaringan SIAK", "terpelihara",
              "Unit", 10, 40),
        ),
        jenjang=(("PT", 0.5), ("MU", 0.3), ("TR", 0.2)), field="it",
    ),
    Profile(
        "teknik_jalan", "Teknik Jalan dan Jembatan", "fungsional",
        outs=(
            O("Terpantaunya mutu pekerjaan jalan dan jembatan {region}", "ruas jalan",
              "diawasi mutunya", "Ruas", 4, 20),
            O("Tersusunnya dokumen perencanaan teknis jalan {region}", "dokumen perencanaan teknis",
              "tersusun", "Dokumen", 2, 8),
            O("Tersedianya data kondisi jalan kabupaten {region}", "panjang ruas jalan",
              "tersurvei", "Kilometer", 20, 120),
        ),
        jenjang=(("TR", 0.3), ("MH", 0.2), ("PT", 0.3), ("MU", 0.2)), field="eng", female=0.15,
        regional=True,
    ),
    Profile(
        "teknik_pengairan", "Teknik Pengairan", "fungsional",
        outs=(
            O("Terpeliharanya jaringan irigasi kabupaten {region}", "daerah irigasi", "terpelihara",
              "Daerah Irigasi", 3, 15),
            O("Tersedianya data kondisi jaringan irigasi {region}", "laporan inventarisasi irigasi",
              "tersusun", "Laporan", 2, 6),
        ),
        jenjang=(("TR", 0.3), ("MH", 0.2), ("PT", 0.3), ("MU", 0.2)), field="eng", female=0.15,
        regional=True,
    ),
    Profile(
        "tata_ruang", "Penata Ruang", "fungsional",
        outs=(
            O("Tersusunnya rekomendasi kesesuaian kegiatan pemanfaatan ruang {region}",
              "rekomendasi KKPR", "diterbitkan", "Rekomendasi", 40, 200),
            O("Terpantaunya pemanfaatan ruang {region}", "lokasi pemanfaatan ruang", "dipantau",
              "Lokasi", 12, 48),
        ),
        jenjang=(("PT", 0.6), ("MU", 0.4)), field="plan", regional=True,
    ),
    Profile(
        "lingkungan", "Pengendali Dampak Lingkungan", "fungsional",
        outs=(
            O("Terpantaunya kualitas air sungai {region}", "titik pantau kualitas air", "diuji",
              "Titik", 6, 24),
            O("Terawasinya ketaatan usaha terhadap persetujuan lingkungan {region}",
              "usaha/kegiatan", "diawasi", "Usaha", 10, 40),
            O("Tersusunnya kajian dokumen lingkungan hidup {region}", "dokumen AMDAL/UKL-UPL",
              "dinilai", "Dokumen", 10, 40),
        ),
        jenjang=(("PT", 0.5), ("MU", 0.3), ("TR", 0.2)), field="env", regional=True,
    ),
    Profile(
        "mediator", "Mediator Hubungan Industrial", "fungsional",
        outs=(
            O("Terselesaikannya perselisihan hubungan industrial melalui mediasi {region}",
              "kasus perselisihan hubungan industrial", "diselesaikan", "Kasus", 6, 30),
            O("Terbinanya lembaga kerja sama bipartit di perusahaan {region}", "perusahaan",
              "terbina", "Perusahaan", 10, 40),
        ),
        jenjang=(("PT", 0.6), ("MU", 0.4)), field="law", regional=True,
    ),
    Profile(
        "pengawas_kop", "Pengawas Koperasi", "fungsional",
        outs=(
            O("Terlaksananya pemeriksaan kesehatan koperasi {region}", "koperasi", "diperiksa",
              "Koperasi", 10, 40),
            O("Meningkatnya kepatuhan koperasi menyelenggarakan rapat anggota tahunan {region}",
              "koperasi yang menyelenggarakan RAT", "terfasilitasi", "Koperasi", 10, 40),
        ),
        jenjang=(("PT", 0.6), ("MU", 0.4)), field="econ", regional=True,
    ),
    Profile(
        "penera", "Penera", "fungsional",
        outs=(
            O("Terlaksananya tera dan tera ulang alat ukur {region}", "UTTP", "ditera ulang",
              "Unit", 500, 3000),
            O("Terawasinya alat ukur di pasar rakyat {region}", "pasar rakyat", "diawasi", "Pasar",
              4, 12),
        ),
        jenjang=(("TR", 0.5), ("MH", 0.2), ("PT", 0.3)), field="eng", regional=True,
    ),
    Profile(
        "pamong_budaya", "Pamong Budaya", "fungsional",
        outs=(
            O("Terlestarikannya objek pemajuan kebudayaan {region}", "objek pemajuan kebudayaan",
              "terdokumentasi", "Objek", 5, 20),
            O("Terselenggaranya pembinaan sanggar seni {region}", "sanggar seni", "terbina",
              "Sanggar", 5, 20),
        ),
        jenjang=(("PT", 0.6), ("MU", 0.4)), field="social", regional=True,
    ),
    Profile(
        "adyatama", "Adyatama Kepariwisataan dan Ekonomi Kreatif", "fungsional",
        outs=(
            O("Meningkatnya promosi destinasi wisata {topic}", "materi promosi wisata",
              "terpublikasi", "Materi", 12, 48),
            O("Terbinanya kelompok sadar wisata {region}", "kelompok sadar wisata", "terbina",
              "Kelompok", 5, 20),
        ),
        jenjang=(("PT", 0.6), ("MU", 0.4)), field="econ", regional=True,
    ),
    Profile(
        "analis_pangan", "Analis Ketahanan Pangan", "fungsional",
        outs=(
            O("Tersedianya neraca bahan makanan {opd}", "neraca bahan makanan", "tersusun",
              "Dokumen", 1, 2),
            O("Terpantaunya harga dan pasokan pangan strategis {region}", "laporan harga pangan",
              "tersusun", "Laporan", 52, 52),
            O("Tersedianya peta ketahanan dan kerentanan pangan {opd}", "peta FSVA", "tersusun",
              "Dokumen", 1, 1),
        ),
        jenjang=(("PT", 0.6), ("MU", 0.4)), field="agri", regional=True,
    ),
    Profile(
        "guru", "Guru", "fungsional",
        outs=(
            O("Tersusunnya perangkat pembelajaran {tag}", "perangkat pembelajaran {tag}",
              "tersusun", "Dokumen", 2, 4),
            O("Terlaksananya pembelajaran {tag} yang bermutu", "jam pembelajaran tatap muka {tag}",
              "terlaksana", "Jam Pelajaran", 720, 960),
            O("Meningkatnya hasil belajar peserta didik {tag}",
              "peserta didik {tag} yang mencapai KKTP", "tuntas", "Orang", 20, 32),
            O("Terlaksananya asesmen pembelajaran {tag}", "laporan hasil asesmen {tag}", "tersusun",
              "Laporan", 2, 4),
        ),
        jenjang=(("PT", 0.45), ("MU", 0.3), ("MA", 0.25)), field="edu", female=0.7, pppk=0.19,
        kelas=8,
    ),
    Profile(
        "dokter", "Dokter", "fungsional",
        outs=(
            O("Terlaksananya pelayanan pemeriksaan kesehatan umum di {unit}", "pasien rawat jalan",
              "terlayani", "Orang", 1500, 6000),
            O("Terlaksananya pelayanan kegawatdaruratan di {unit}", "pasien gawat darurat",
              "tertangani", "Orang", 100, 600),
            O("Terlaksananya rujukan pasien yang tepat indikasi dari {unit}", "rujukan pasien",
              "tepat indikasi", "Rujukan", 50, 300),
        ),
        jenjang=(("PT", 0.5), ("MU", 0.35), ("MA", 0.15)), field="doctor", female=0.55, pppk=0.1,
        kelas=9,
    ),
    Profile(
        "perawat", "Perawat", "fungsional",
        outs=(
            O("Terlaksananya asuhan keperawatan pasien {region}", "pasien",
              "mendapat asuhan keperawatan", "Orang", 300, 1500),
            O("Tersusunnya dokumentasi asuhan keperawatan {region}", "dokumen asuhan keperawatan",
              "lengkap", "Dokumen", 300, 1500),
            O("Meningkatnya kepatuhan standar keselamatan pasien {region}",
              "audit kepatuhan keselamatan pasien", "terlaksana", "Kegiatan", 12, 24),
        ),
        jenjang=(("TR", 0.35), ("MH", 0.15), ("PT", 0.35), ("MU", 0.15)), field="nurse",
        female=0.75, pppk=0.18, regional=True,
    ),
    Profile(
        "bidan", "Bidan", "fungsional",
        outs=(
            O("Terlaksananya pelayanan antenatal terpadu {region}", "ibu hamil",
              "mendapat pelayanan K6", "Orang", 60, 250),
            O("Terlaksananya pertolongan persalinan oleh tenaga kesehatan {region}", "persalinan",
              "ditolong tenaga kesehatan", "Orang", 40, 200),
            O("Terlaksananya pelayanan kesehatan ibu nifas dan bayi baru lahir {region}",
              "kunjungan nifas dan neonatal", "terlaksana", "Kunjungan", 80, 400),
            O("Terlaksananya pelayanan KB pasca persalinan {region}",
              "akseptor KB pasca persalinan", "terlayani", "Orang", 20, 120),
        ),
        jenjang=(("TR", 0.45), ("MH", 0.2), ("PT", 0.25), ("MU", 0.1)), field="midwife",
        female=1.0, pppk=0.18, regional=True,
    ),
    Profile(
        "apoteker", "Apoteker", "fungsional",
        outs=(
            O("Terkelolanya persediaan obat dan bahan medis habis pakai di {unit}",
              "item obat dan BMHP", "terkelola", "Item", 150, 400),
            O("Terlaksananya pelayanan kefarmasian di {unit}", "resep", "terlayani", "Resep", 3000,
              15000),
        ),
        jenjang=(("PT", 0.6), ("MU", 0.4)), field="pharm", female=0.7, pppk=0.2,
    ),
    Profile(
        "sanitarian", "Tenaga Sanitasi Lingkungan", "fungsional",
        outs=(
            O("Terlaksananya inspeksi kesehatan lingkungan {region}", "tempat dan fasilitas umum",
              "diinspeksi", "Lokasi", 40, 200),
            O("Meningkatnya desa/kelurahan Stop Buang Air Besar Sembarangan {region}",
              "desa/kelurahan SBS", "terverifikasi", "Desa", 2, 8),
        ),
        jenjang=(("TR", 0.5), ("MH", 0.2), ("PT", 0.3)), field="health", female=0.55, pppk=0.2,
        regional=True,
    ),
    Profile(
        "nutrisionis", "Nutrisionis", "fungsional",
        outs=(
            O("Terlaksananya pemantauan status gizi balita {region}", "balita",
              "dipantau status gizinya", "Orang", 300, 1500),
            O("Tertanganinya balita gizi kurang dan stunting {region}", "balita gizi kurang",
              "mendapat PMT pemulihan", "Orang", 10, 60),
        ),
        jenjang=(("TR", 0.5), ("PT", 0.5)), field="health", female=0.8, pppk=0.2, regional=True,
    ),
    Profile(
        "pranata_lab", "Pranata Laboratorium Kesehatan", "fungsional",
        outs=(
            O("Terlaksananya pemeriksaan laboratorium klinik di {unit}", "sampel", "diperiksa",
              "Sampel", 1000, 8000),
            O("Terjaminnya mutu hasil pemeriksaan laboratorium di {unit}",
              "kegiatan pemantapan mutu internal", "terlaksana", "Kegiatan", 12, 24),
        ),
        jenjang=(("TR", 0.5), ("MH", 0.2), ("PT", 0.3)), field="health", female=0.65, pppk=0.2,
    ),
    Profile(
        "perekam_medis", "Perekam Medis", "fungsional",
        outs=(
            O("Terkelolanya rekam medis elektronik pasien di {unit}", "berkas rekam medis",
              "terkelola", "Berkas", 3000, 15000),
            O("Tersusunnya laporan morbiditas dan mortalitas di {unit}", "laporan morbiditas",
              "tersusun", "Laporan", 12, 12),
        ),
        jenjang=(("TR", 0.6), ("MH", 0.2), ("PT", 0.2)), field="health", female=0.6, pppk=0.2,
    ),
    Profile(
        "epidemiolog", "Epidemiolog Kesehatan", "fungsional",
        outs=(
            O("Terlaksananya surveilans penyakit berpotensi KLB {topic}", "laporan mingguan wabah",
              "tersusun", "Laporan", 52, 52),
            O("Tertanganinya penyelidikan epidemiologi kejadian luar biasa {region}",
              "penyelidikan epidemiologi", "terlaksana", "Kegiatan", 2, 10),
        ),
        jenjang=(("PT", 0.6), ("MU", 0.4)), field="health", female=0.55, regional=True,
    ),
    Profile(
        "promkes", "Penyuluh Kesehatan Masyarakat", "fungsional",
        outs=(
            O("Meningkatnya perilaku hidup bersih dan sehat masyarakat {region}",
              "rumah tangga ber-PHBS", "terbina", "Rumah Tangga", 200, 1000),
            O("Terbinanya posyandu aktif {region}", "posyandu", "terbina", "Posyandu", 10, 40),
        ),
        jenjang=(("PT", 0.6), ("MU", 0.4)), field="health", female=0.65, regional=True,
    ),
)}
# fmt: on

# --------------------------------------------------------------------------- OPD templates


@dataclass(frozen=True, slots=True)
class SubT:
    """A Subbagian / Subbidang / Seksi."""

    nama: str
    outs: tuple[Out, ...] = ()
    staff: tuple[str, ...] = ()
    topic: str = ""


@dataclass(frozen=True, slots=True)
class BidT:
    """A Bidang / Bagian (or an Inspektur Pembantu, an Asisten with its Bagian)."""

    nama: str
    subs: tuple[SubT | BidT, ...] = ()
    outs: tuple[Out, ...] = ()
    staff: tuple[str, ...] = ()  # fungsional placed directly under the head
    special: str = ""  # sd / smp / puskesmas
    topic: str = ""
    head: str = ""  # name of the head's position when not "Kepala <nama>"


@dataclass(frozen=True, slots=True)
class OpdT:
    key: str
    nama: str
    singkatan: str
    kind: str  # setda / setwan / inspektorat / badan / dinas / satpol / rsud / kecamatan
    head: str
    field: str
    bidang: tuple[BidT, ...]
    staff: tuple[str, ...] = ("ops", "data", "admin")
    pilot: bool = False
    tiny: bool = False
    workload: str = "1.00"
    head_eselon: str = "22"


def S(nama, outs=(), staff=(), topic="") -> SubT:  # noqa: N802
    return SubT(nama, tuple(outs), tuple(staff), topic)


def B(nama, subs=(), outs=(), staff=(), special="", topic="", head="") -> BidT:  # noqa: N802
    return BidT(nama, tuple(subs), tuple(outs), tuple(staff), special, topic, head)


def _dinas(
    key, nama, sing, field, bidang, staff=("ops", "data", "admin"), kind="dinas", head=None, **kw
) -> OpdT:
    """An OPD whose Bidang and Seksi carry no handcrafted templates."""
    bids = tuple(B(b, subs=tuple(S(x) for x in subs)) for b, subs in bidang)
    return OpdT(key, nama, sing, kind, head or ("Kepala " + nama), field, bids, staff=staff, **kw)


# fmt: off
_SETDA = OpdT(
    "setda", "Sekretariat Daerah", "Setda", "setda", "Sekretaris Daerah", "gov",
    bidang=(
        B(
            "Asisten Pemerintahan dan Kesejahteraan Rakyat",
            subs=(
                B(
                    "Bagian Tata Pemerintahan",
                    subs=(
                        S("Subbagian Pemerintahan Umum"),
                        S("Subbagian Otonomi Daerah"),
                        S("Subbagian Kerja Sama"),
                    ),
                ),
                B(
                    "Bagian Kesejahteraan Rakyat",
                    subs=(
                        S("Subbagian Bina Mental dan Spiritual"),
                        S("Subbagian Kesejahteraan Sosial"),
                        S("Subbagian Pendidikan dan Kesehatan"),
                    ),
                ),
                B(
                    "Bagian Hukum",
                    subs=(
                        S("Subbagian Perundang-undangan", staff=("perancang", "perancang", "ops")),
                        S("Subbagian Bantuan Hukum"),
                        S("Subbagian Dokumentasi dan Informasi Hukum"),
                    ),
                ),
            ),
            outs=(
                O(
                    "Meningkatnya kualitas koordinasi penyelenggaraan pemerintahan dan "
                    "kesejahteraan rakyat",
                    "rekomendasi kebijakan pemerintahan dan kesejahteraan rakyat",
                    "ditindaklanjuti", "Rekomendasi", 12, 36, up="setda_pem",
                ),
                O("Terwujudnya produk hukum daerah yang berkualitas", "produk hukum daerah",
                  "ditetapkan", "Produk Hukum", 60, 180, up="setda_pem"),
            ),
            head="Asisten Pemerintahan dan Kesejahteraan Rakyat",
        ),
        B(
            "Asisten Perekonomian dan Pembangunan",
            subs=(
                B(
                    "Bagian Perekonomian dan Sumber Daya Alam",
                    subs=(
                        S("Subbagian Perekonomian"),
                        S("Subbagian Sumber Daya Alam"),
                        S("Subbagian Pembinaan BUMD"),
                    ),
                ),
                B(
                    "Bagian Administrasi Pembangunan",
                    subs=(
                        S("Subbagian Penyusunan Program"),
                        S("Subbagian Pengendalian Program"),
                        S("Subbagian Evaluasi dan Pelaporan"),
                    ),
                ),
                B(
                    "Bagian Pengadaan Barang dan Jasa",
                    subs=(
                        S(
                            "Subbagian Pengelolaan Pengadaan Barang/Jasa",
                            staff=("pbj", "pbj", "ops"),
                        ),
                        S(
                            "Subbagian Pengelolaan Layanan Pengadaan Secara Elektronik",
                            staff=("prakom", "pbj", "data"),
                        ),
                        S(
                            "Subbagian Pembinaan dan Advokasi Pengadaan Barang/Jasa",
                            staff=("pbj", "ops"),
                        ),
                    ),
                ),
            ),
            outs=(
                O("Meningkatnya kualitas koordinasi perekonomian dan pembangunan daerah",
                  "kegiatan strategis daerah", "terkendali", "Kegiatan", 20, 60, up="setda_ekbang"),
                O("Terwujudnya pengadaan barang/jasa yang transparan dan akuntabel",
                  "paket pengadaan", "selesai tepat waktu", "Paket", 150, 600, up="setda_ekbang"),
            ),
            head="Asisten Perekonomian dan Pembangunan",
        ),
        B(
            "Asisten Administrasi Umum",
            subs=(
                B(
                    "Bagian Umum",
                    subs=(
                        S("Subbagian Tata Usaha Pimpinan"),
                        S("Subbagian Rumah Tangga", staff=("teknisi", "admin", "ops")),
                        S("Subbagian Keuangan", staff=("bendahara", "keuangan", "admin")),
                    ),
                ),
                B(
                    "Bagian Organisasi",
                    subs=(
                        S(
                            "Subbagian Kelembagaan dan Analisis Jabatan",
                            staff=("sdm", "analis_kebijakan", "ops"),
                        ),
                        S(
                            "Subbagian Reformasi Birokrasi dan Akuntabilitas Kinerja",
                            staff=("analis_kebijakan", "ops", "data"),
                        ),
                        S(
                            "Subbagian Tata Laksana dan Pelayanan Publik",
                            staff=("analis_kebijakan", "ops"),
                        ),
                    ),
                ),
                B(
                    "Bagian Protokol dan Komunikasi Pimpinan",
                    subs=(
                        S("Subbagian Protokol"),
                        S("Subbagian Komunikasi Pimpinan", staff=("humas", "ops")),
                        S("Subbagian Dokumentasi Pimpinan", staff=("humas", "data")),
                    ),
                ),
            ),
            outs=(
                O("Meningkatnya kualitas kelembagaan dan tata laksana pemerintahan daerah",
                  "rekomendasi penataan kelembagaan dan tata laksana", "ditindaklanjuti",
                  "Rekomendasi", 6, 20, up="setda_rb"),
                O("Meningkatnya kualitas pelayanan administrasi pimpinan dan rumah tangga daerah",
                  "layanan administrasi pimpinan", "diselesaikan", "Layanan", 300, 1200,
                  up="internal"),
            ),
            head="Asisten Administrasi Umum",
        ),
    ),
    staff=("ops", "admin", "telaah", "data"), tiny=True, workload="1.25", head_eselon="21",
)
_SETWAN = OpdT(
    "setwan", "Sekretariat Dewan Perwakilan Rakyat Daerah", "Setwan", "setwan",
    "Sekretaris Dewan Perwakilan Rakyat Daerah", "law",
    bidang=(
        B(
            "Bagian Umum dan Keuangan",
            subs=(
                S("Subbagian Tata Usaha dan Kepegawaian"),
                S("Subbagian Keuangan", staff=("bendahara", "keuangan", "admin")),
                S("Subbagian Rumah Tangga"),
            ),
        ),
        B(
            "Bagian Persidangan dan Perundang-undangan",
            subs=(
                S("Subbagian Rapat dan Risalah"),
                S("Subbagian Perundang-undangan", staff=("perancang", "telaah", "ops")),
            ),
        ),
        B(
            "Bagian Fasilitasi Penganggaran dan Pengawasan",
            subs=(S("Subbagian Fasilitasi Penganggaran"), S("Subbagian Fasilitasi Pengawasan")),
        ),
    ),
    staff=("ops", "admin", "telaah"), workload="1.25",
)
_IRBAN_OUTS = (
    O("Terlaksananya pengawasan atas perangkat daerah {topic}",
      "laporan hasil pengawasan", "diterbitkan", "Laporan", 10, 24),
    O("Meningkatnya penyelesaian tindak lanjut hasil pemeriksaan {topic}",
      "rekomendasi hasil pemeriksaan", "ditindaklanjuti", "Rekomendasi", 40, 160),
    O("Terlaksananya reviu dan evaluasi akuntabilitas kinerja {topic}",
      "laporan reviu dan evaluasi", "diterbitkan", "Laporan", 6, 16),
)


def _irban(wilayah: str) -> B:
    """One Inspektorat Pembantu Wilayah (they differ only by the wilayah they oversee)."""
    return B(
        f"Inspektorat Pembantu Wilayah {wilayah}",
        outs=_IRBAN_OUTS,
        staff=("auditor", "auditor", "p2upd"), topic=f"Wilayah {wilayah}",
        head=f"Inspektur Pembantu Wilayah {wilayah}",
    )


_INSPEKTORAT = OpdT(
    "inspektorat", "Inspektorat Daerah", "Inspektorat", "inspektorat", "Inspektur Daerah", "econ",
    bidang=tuple(_irban(w) for w in ("I", "II", "III", "IV")),
    pilot=True, tiny=True, workload="1.25",
)
_BAPPEDA = OpdT(
    "bappeda", "Badan Perencanaan Pembangunan Daerah", "Bappeda", "badan",
    "Kepala Badan Perencanaan Pembangunan Daerah", "plan",
    bidang=(
        B(
            "Bidang Perencanaan, Pengendalian dan Evaluasi Pembangunan Daerah",
            subs=(
                S(
                    "Subbidang Perencanaan dan Pendanaan",
                    outs=(
                        O("Tersusunnya dokumen RKPD dan RKPD Perubahan tepat waktu",
                          "dokumen RKPD dan RKPD Perubahan", "tersusun", "Dokumen", 2, 2,
                          up="bp_rencana", direct=True),
                        O("Tersusunnya rancangan KUA-PPAS yang selaras dengan RKPD",
                          "rancangan KUA-PPAS dan perubahannya", "tersusun", "Dokumen", 2, 2,
                          up="bp_rencana", direct=True),
                        O("Terlaksananya Musrenbang RKPD kabupaten yang partisipatif",
                          "berita acara Musrenbang RKPD", "tersusun", "Dokumen", 2, 2,
                          up="bp_rencana", direct=True),
                    ),
                    staff=("perencana", "perencana", "data", "ops"),
                ),
                S(
                    "Subbidang Pengendalian dan Evaluasi",
                    outs=(
                        O("Tersusunnya laporan pengendalian pelaksanaan RKPD triwulanan",
                          "laporan pengendalian RKPD", "tersusun", "Laporan", 4, 4,
                          up="bp_evaluasi", direct=True),
                        O("Tersusunnya laporan evaluasi kinerja RKPD dan RPJMD",
                          "laporan evaluasi RKPD dan RPJMD", "tersusun", "Laporan", 3, 3,
                          up="bp_evaluasi", direct=True),
                    ),
                    staff=("perencana", "perencana", "data"),
                ),
                S(
                    "Subbidang Data dan Informasi Pembangunan",
                    outs=(
                        O("Tersedianya publikasi data pembangunan daerah yang mutakhir",
                          "publikasi data pembangunan daerah", "terbit", "Publikasi", 3, 3,
                          up="bp_data", direct=True),
                        O("Terkelolanya data perencanaan pembangunan dalam SIPD",
                          "modul SIPD yang dimutakhirkan", "termutakhirkan", "Modul", 6, 12,
                          up="bp_data"),
                    ),
                    staff=("statistisi", "prakom", "data"),
                ),
            ),
            outs=(
                O("Tersusunnya dokumen perencanaan pembangunan daerah yang konsisten dengan RPJMD",
                  "dokumen perencanaan pembangunan daerah", "tersusun", "Dokumen", 6, 6,
                  key="bp_rencana"),
                O("Tersedianya hasil pengendalian dan evaluasi pelaksanaan RKPD",
                  "laporan pengendalian dan evaluasi RKPD", "tersusun", "Laporan", 7, 7,
                  key="bp_evaluasi"),
                O("Tersedianya data dan informasi pembangunan daerah yang akurat",
                  "publikasi data pembangunan daerah", "terbit", "Publikasi", 3, 3, key="bp_data"),
            ),
        ),
        B(
            "Bidang Pemerintahan dan Pembangunan Manusia",
            subs=(
                S("Subbidang Pemerintahan", staff=("perencana", "analis_kebijakan", "ops")),
                S("Subbidang Pembangunan Manusia", staff=("perencana", "perencana", "data")),
            ),
            outs=(
                O(
                    "Meningkatnya kualitas perencanaan pembangunan bidang pemerintahan dan "
                    "pembangunan manusia",
                    "dokumen perencanaan bidang pemerintahan dan pembangunan manusia", "tersusun",
                    "Dokumen", 4, 8,
                ),
                O("Tersusunnya rencana aksi daerah percepatan penurunan stunting",
                  "dokumen rencana aksi daerah", "tersusun", "Dokumen", 1, 2),
                O("Terkendalinya pelaksanaan program prioritas pendidikan dan kesehatan",
                  "laporan pengendalian program prioritas", "tersusun", "Laporan", 4, 4),
            ),
        ),
        B(
            "Bidang Perekonomian dan Sumber Daya Alam",
            subs=(
                S("Subbidang Perekonomian", staff=("perencana", "perencana", "ops")),
                S("Subbidang Sumber Daya Alam", staff=("perencana", "data")),
            ),
            outs=(
                O(
                    "Meningkatnya kualitas perencanaan pembangunan bidang perekonomian dan "
                    "sumber daya alam",
                    "dokumen perencanaan bidang perekonomian", "tersusun", "Dokumen", 4, 8,
                ),
                O("Tersusunnya rencana penanggulangan kemiskinan daerah",
                  "dokumen rencana penanggulangan kemiskinan daerah", "tersusun", "Dokumen", 1, 2),
                O("Tersusunnya kajian pengembangan ekonomi lokal",
                  "kajian pengembangan ekonomi lokal", "tersusun", "Kajian", 1, 3),
            ),
        ),
        B(
            "Bidang Infrastruktur dan Kewilayahan",
            subs=(
                S("Subbidang Infrastruktur", staff=("perencana", "perencana", "data")),
                S("Subbidang Kewilayahan", staff=("perencana", "tata_ruang")),
            ),
            outs=(
                O("Meningkatnya kualitas perencanaan pembangunan infrastruktur dan kewilayahan",
                  "dokumen perencanaan infrastruktur dan kewilayahan", "tersusun", "Dokumen", 4, 8),
                O("Tersusunnya rencana pembangunan kawasan strategis kabupaten",
                  "dokumen rencana kawasan strategis", "tersusun", "Dokumen", 1, 2),
            ),
        ),
        B(
            "Bidang Penelitian dan Pengembangan",
            subs=(
                S("Subbidang Penelitian", staff=("analis_kebijakan", "perencana", "ops")),
                S("Subbidang Inovasi dan Teknologi", staff=("analis_kebijakan", "prakom")),
            ),
            outs=(
                O("Meningkatnya jumlah inovasi daerah yang dilaporkan dalam Indeks Inovasi Daerah",
                  "inovasi daerah", "terdaftar", "Inovasi", 20, 60),
                O("Tersedianya hasil penelitian dan kajian kebijakan daerah", "hasil kajian",
                  "tersusun", "Kajian", 3, 6),
            ),
        ),
    ),
    staff=("perencana", "ops", "data"), pilot=True, tiny=True, workload="1.25",
)
_BKPSDM = OpdT(
    "bkpsdm", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "BKPSDM", "badan",
    "Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "gov",
    bidang=(
        B(
            "Bidang Pengadaan, Pemberhentian dan Informasi Kepegawaian",
            subs=(
                S("Subbidang Pengadaan dan Pemberhentian", staff=("sdm", "sdm", "ops")),
                S(
                    "Subbidang Data dan Sistem Informasi Kepegawaian",
                    staff=("prakom", "data", "data"),
                ),
            ),
            outs=(
                O("Terlaksananya pengadaan ASN sesuai kebutuhan formasi", "formasi ASN", "terisi",
                  "Formasi", 100, 600),
                O("Tersedianya data kepegawaian yang mutakhir dan terintegrasi dengan SIASN",
                  "data pegawai", "termutakhirkan", "Orang", 1500, 8000),
                O("Terlaksananya layanan pensiun tepat waktu", "usulan pensiun", "diproses",
                  "Usulan", 80, 300),
            ),
        ),
        B(
            "Bidang Mutasi dan Promosi",
            subs=(
                S("Subbidang Mutasi", staff=("sdm", "ops", "admin")),
                S("Subbidang Kepangkatan dan Promosi", staff=("sdm", "sdm", "ops")),
            ),
            outs=(
                O("Terlaksananya layanan kenaikan pangkat tepat waktu", "usulan kenaikan pangkat",
                  "diproses", "Usulan", 400, 1500),
                O("Terlaksananya pengisian jabatan berbasis sistem merit", "jabatan",
                  "diisi melalui seleksi terbuka atau uji kompetensi", "Jabatan", 20, 80),
            ),
        ),
        B(
            "Bidang Pengembangan Kompetensi Aparatur",
            subs=(
                S("Subbidang Pengembangan Kompetensi Teknis dan Fungsional", staff=("sdm", "ops")),
                S("Subbidang Pengembangan Kompetensi Manajerial", staff=("sdm", "ops")),
            ),
            outs=(
                O("Meningkatnya kompetensi ASN melalui pengembangan kompetensi minimal 20 JP",
                  "ASN", "mengikuti pengembangan kompetensi 20 JP", "Orang", 1000, 5000),
                O("Terlaksananya pelatihan kepemimpinan bagi pejabat administrator dan pengawas",
                  "peserta pelatihan kepemimpinan", "lulus", "Orang", 20, 80),
            ),
        ),
        B(
            "Bidang Penilaian Kinerja Aparatur dan Penghargaan",
            subs=(
                S("Subbidang Penilaian Kinerja", staff=("sdm", "sdm", "data")),
                S("Subbidang Disiplin dan Penghargaan", staff=("sdm", "ops")),
            ),
            outs=(
                O("Terlaksananya penilaian kinerja pegawai berbasis SKP elektronik", "SKP pegawai",
                  "disetujui tepat waktu", "SKP", 1500, 8000),
                O("Meningkatnya kepatuhan disiplin ASN", "kasus pelanggaran disiplin",
                  "diselesaikan", "Kasus", 10, 40),
            ),
        ),
    ),
    staff=("sdm", "ops", "data"), pilot=True, tiny=True,
)
_BPKAD = OpdT(
    "bpkad", "Badan Pengelolaan Keuangan dan Aset Daerah", "BPKAD", "badan",
    "Kepala Badan Pengelolaan Keuangan dan Aset Daerah", "econ",
    bidang=(
        B(
            "Bidang Anggaran",
            subs=(
                S("Subbidang Anggaran Pendapatan dan Pembiayaan"),
                S("Subbidang Anggaran Belanja"),
            ),
            outs=(
                O("Tersusunnya rancangan APBD dan perubahan APBD tepat waktu",
                  "rancangan peraturan daerah tentang APBD", "ditetapkan tepat waktu", "Dokumen", 2,
                  2),
                O("Tersedianya DPA perangkat daerah yang disahkan tepat waktu",
                  "DPA perangkat daerah", "disahkan", "DPA", 40, 60),
            ),
        ),
        B(
            "Bidang Perbendaharaan",
            subs=(S("Subbidang Pengelolaan Kas Daerah"), S("Subbidang Penatausahaan Belanja")),
            outs=(
                O("Terkelolanya kas daerah secara tertib dan akuntabel", "SP2D", "diterbitkan",
                  "SP2D", 8000, 20000),
                O("Tersedianya laporan arus kas daerah bulanan", "laporan arus kas", "tersusun",
                  "Laporan", 12, 12),
            ),
        ),
        B(
            "Bidang Akuntansi dan Pelaporan",
            subs=(S("Subbidang Akuntansi"), S("Subbidang Pelaporan Keuangan")),
            outs=(
                O(
                    "Tersusunnya laporan keuangan pemerintah daerah sesuai standar akuntansi "
                    "pemerintahan",
                    "LKPD", "tersusun", "Dokumen", 1, 2,
                ),
                O("Tersusunnya rancangan peraturan daerah pertanggungjawaban pelaksanaan APBD",
                  "rancangan perda pertanggungjawaban APBD", "tersusun", "Dokumen", 1, 1),
            ),
        ),
        B(
            "Bidang Aset",
            subs=(
                S("Subbidang Penatausahaan Aset"),
                S("Subbidang Pemanfaatan dan Pengamanan Aset"),
            ),
            outs=(
                O("Tertibnya penatausahaan barang milik daerah", "kartu inventaris barang",
                  "direkonsiliasi", "Dokumen", 40, 60),
                O("Meningkatnya aset tanah pemerintah daerah yang bersertifikat", "bidang tanah",
                  "disertifikatkan", "Bidang", 30, 150),
            ),
        ),
    ),
    staff=("keuangan", "ops", "bendahara", "data"), tiny=True, workload="1.25",
)
_BAPENDA = _dinas(
    "bapenda",
    "Badan Pendapatan Daerah",
    "Bapenda", "econ",
    (
        ("Bidang Pendataan dan Penetapan",
         ("Subbidang Pendataan dan Pendaftaran", "Subbidang Penetapan")),
        ("Bidang Penagihan dan Keberatan",
         ("Subbidang Penagihan", "Subbidang Keberatan dan Pengurangan")),
        ("Bidang Pajak Bumi dan Bangunan Perdesaan dan Perkotaan",
         ("Subbidang Pendataan dan Penilaian PBB", "Subbidang Pelayanan PBB")),
        ("Bidang Pengendalian dan Evaluasi Pendapatan",
         ("Subbidang Pengendalian", "Subbidang Evaluasi dan Pelaporan Pendapatan")),
    ),
    staff=("ops", "operator", "data", "keuangan"),
    kind="badan",
    workload="1.10",
)
_BPBD = _dinas(
    "bpbd",
    "Badan Penanggulangan Bencana Daerah",
    "BPBD", "gov",
    (
        ("Bidang Pencegahan dan Kesiapsiagaan",
         ("Seksi Pencegahan", "Seksi Kesiapsiagaan")),
        ("Bidang Kedaruratan dan Logistik",
         ("Seksi Kedaruratan", "Seksi Logistik")),
        ("Bidang Rehabilitasi dan Rekonstruksi",
         ("Seksi Rehabilitasi", "Seksi Rekonstruksi")),
    ),
    staff=("ops", "data", "teknisi"),
    kind="badan",
    head="Kepala Pelaksana Badan Penanggulangan Bencana Daerah",
)
_KESBANGPOL = _dinas(
    "kesbangpol",
    "Badan Kesatuan Bangsa dan Politik",
    "Kesbangpol", "social",
    (
        ("Bidang Ideologi, Wawasan Kebangsaan dan Karakter Bangsa",
         ("Subbidang Ideologi dan Wawasan Kebangsaan", "Subbidang Karakter Bangsa")),
        ("Bidang Politik Dalam Negeri dan Organisasi Kemasyarakatan",
         ("Subbidang Politik Dalam Negeri", "Subbidang Organisasi Kemasyarakatan")),
        ("Bidang Ketahanan Ekonomi, Sosial, Budaya, Agama dan Penanganan Konflik",
         (
             "Subbidang Ketahanan Ekonomi, Sosial dan Budaya",
             "Subbidang Kewaspadaan dan Penanganan Konflik",
         )),
    ),
    staff=("analis_kebijakan", "ops", "data"),
    kind="badan",
)
_SATPOLPP = _dinas(
    "satpolpp",
    "Satuan Polisi Pamong Praja",
    "Satpol PP", "gov",
    (
        ("Bidang Penegakan Peraturan Daerah",
         ("Seksi Pembinaan, Pengawasan dan Penyuluhan", "Seksi Penyelidikan dan Penyidikan")),
        ("Bidang Ketertiban Umum dan Ketenteraman Masyarakat",
         ("Seksi Operasi dan Pengendalian", "Seksi Kerja Sama")),
        ("Bidang Perlindungan Masyarakat",
         ("Seksi Satuan Perlindungan Masyarakat", "Seksi Bina Potensi Masyarakat")),
        ("Bidang Pemadam Kebakaran dan Penyelamatan",
         ("Seksi Pencegahan Kebakaran", "Seksi Pemadaman dan Penyelamatan")),
    ),
    staff=("polpp", "polpp", "damkar", "ops"),
    kind="satpol",
)
_DISDIK = OpdT(
    "disdik", "Dinas Pendidikan", "Disdik", "dinas", "Kepala Dinas Pendidikan", "edu",
    bidang=(
        B(
            "Bidang Pembinaan Sekolah Dasar",
            subs=(
                S("Seksi Kurikulum dan Penilaian Sekolah Dasar"),
                S("Seksi Kelembagaan dan Sarana Prasarana Sekolah Dasar"),
                S("Seksi Peserta Didik dan Pembangunan Karakter Sekolah Dasar"),
            ),
            outs=(
                O("Meningkatnya mutu pembelajaran sekolah dasar",
                  "SD dengan capaian literasi minimal kategori baik", "mencapai standar", "Sekolah",
                  20, 200),
                O("Meningkatnya angka partisipasi pendidikan sekolah dasar", "peserta didik SD",
                  "terlayani", "Orang", 5000, 40000),
                O("Terpenuhinya sarana dan prasarana sekolah dasar sesuai standar",
                  "ruang kelas SD", "direhabilitasi", "Ruang", 10, 60),
            ),
            special="sd",
        ),
        B(
            "Bidang Pembinaan Sekolah Menengah Pertama",
            subs=(
                S("Seksi Kurikulum dan Penilaian Sekolah Menengah Pertama"),
                S("Seksi Kelembagaan dan Sarana Prasarana Sekolah Menengah Pertama"),
                S("Seksi Peserta Didik dan Pembangunan Karakter Sekolah Menengah Pertama"),
            ),
            outs=(
                O("Meningkatnya mutu pembelajaran sekolah menengah pertama",
                  "SMP dengan capaian numerasi minimal kategori baik", "mencapai standar",
                  "Sekolah", 5, 60),
                O("Meningkatnya angka melanjutkan ke sekolah menengah pertama",
                  "peserta didik baru SMP", "diterima", "Orang", 2000, 12000),
            ),
            special="smp",
        ),
        B(
            "Bidang Pembinaan Pendidikan Anak Usia Dini dan Pendidikan Nonformal",
            subs=(
                S("Seksi Kelembagaan dan Sarana Prasarana PAUD"),
                S("Seksi Pendidikan Masyarakat dan Kesetaraan"),
            ),
            outs=(
                O("Meningkatnya akses layanan pendidikan anak usia dini", "lembaga PAUD", "terbina",
                  "Lembaga", 50, 300),
                O("Menurunnya angka buta aksara dan anak tidak sekolah", "warga belajar kesetaraan",
                  "terlayani", "Orang", 100, 800),
            ),
        ),
        B(
            "Bidang Guru dan Tenaga Kependidikan",
            subs=(
                S("Seksi Guru dan Tenaga Kependidikan PAUD dan SD"),
                S("Seksi Guru dan Tenaga Kependidikan SMP"),
            ),
            outs=(
                O("Meningkatnya kompetensi guru dan tenaga kependidikan", "guru",
                  "mengikuti pengembangan keprofesian berkelanjutan", "Orang", 300, 3000),
                O("Terpenuhinya kebutuhan guru sesuai rasio", "usulan formasi guru", "terpenuhi",
                  "Formasi", 50, 500),
            ),
        ),
    ),
    staff=("ops", "data", "admin", "sdm"), tiny=True,
)
_DINKES = OpdT(
    "dinkes", "Dinas Kesehatan", "Dinkes", "dinas", "Kepala Dinas Kesehatan", "health",
    bidang=(
        B(
            "Bidang Pelayanan Kesehatan",
            subs=(
                S("Seksi Pelayanan Kesehatan Primer"),
                S("Seksi Pelayanan Kesehatan Rujukan"),
                S("Seksi Mutu dan Akreditasi Fasilitas Pelayanan Kesehatan"),
            ),
            outs=(
                O("Meningkatnya mutu pelayanan kesehatan primer di puskesmas",
                  "kunjungan rawat jalan puskesmas", "terlayani", "Kunjungan", 100000, 500000,
                  key="yk_kunjungan"),
                O("Meningkatnya jumlah fasilitas pelayanan kesehatan yang terakreditasi",
                  "fasilitas pelayanan kesehatan", "terakreditasi", "Fasyankes", 10, 40),
            ),
            special="puskesmas",
        ),
        B(
            "Bidang Kesehatan Masyarakat",
            subs=(
                S("Seksi Kesehatan Keluarga dan Gizi", staff=("nutrisionis", "bidan", "ops")),
                S("Seksi Promosi dan Pemberdayaan Masyarakat", staff=("promkes", "ops")),
                S(
                    "Seksi Kesehatan Lingkungan, Kesehatan Kerja dan Olahraga",
                    staff=("sanitarian", "ops"),
                ),
            ),
            outs=(
                O("Menurunnya prevalensi balita stunting",
                  "balita stunting yang mendapat intervensi gizi spesifik", "terintervensi",
                  "Balita", 500, 3000),
                O("Meningkatnya cakupan pelayanan kesehatan ibu dan anak",
                  "ibu hamil yang mendapat pelayanan antenatal K6", "terlayani", "Orang", 3000,
                  15000),
                O(
                    "Meningkatnya desa/kelurahan yang melaksanakan sanitasi total berbasis "
                    "masyarakat",
                    "desa/kelurahan STBM", "terverifikasi", "Desa", 20, 120,
                ),
            ),
        ),
        B(
            "Bidang Pencegahan dan Pengendalian Penyakit",
            subs=(
                S("Seksi Surveilans dan Imunisasi", staff=("epidemiolog", "perawat", "data")),
                S("Seksi Pencegahan dan Pengendalian Penyakit Menular", staff=("perawat", "ops")),
                S(
                    "Seksi Pencegahan dan Pengendalian Penyakit Tidak Menular dan Kesehatan Jiwa",
                    staff=("perawat", "ops"),
                ),
            ),
            outs=(
                O("Meningkatnya cakupan imunisasi dasar lengkap",
                  "bayi yang mendapat imunisasi dasar lengkap", "terimunisasi", "Bayi", 3000,
                  15000),
                O("Meningkatnya penemuan dan pengobatan kasus tuberkulosis", "kasus tuberkulosis",
                  "ditemukan dan diobati", "Kasus", 300, 1500),
                O("Meningkatnya skrining penyakit tidak menular pada penduduk usia produktif",
                  "penduduk usia produktif", "diskrining", "Orang", 10000, 60000),
            ),
        ),
        B(
            "Bidang Sumber Daya Kesehatan",
            subs=(
                S("Seksi Kefarmasian dan Alat Kesehatan", staff=("apoteker", "ops")),
                S("Seksi Sumber Daya Manusia Kesehatan", staff=("sdm", "ops", "data")),
            ),
            outs=(
                O("Terjaminnya ketersediaan obat esensial dan vaksin di puskesmas",
                  "item obat esensial", "tersedia", "Item", 40, 120),
                O("Meningkatnya pemenuhan tenaga kesehatan sesuai standar di puskesmas",
                  "puskesmas dengan sembilan jenis tenaga kesehatan", "terpenuhi", "Puskesmas", 10,
                  40),
            ),
        ),
    ),
    tiny=True,
)
_RSUD = OpdT(
    "rsud", "Rumah Sakit Umum Daerah Sukamaju", "RSUD", "rsud",
    "Direktur Rumah Sakit Umum Daerah Sukamaju", "doctor",
    bidang=(
        B(
            "Bagian Umum dan Keuangan",
            subs=(
                S("Subbagian Umum dan Kepegawaian", outs=SUBBAG_UMUM),
                S(
                    "Subbagian Keuangan", outs=SUBBAG_KEUANGAN,
                    staff=("bendahara", "keuangan", "admin"),
                ),
                S("Subbagian Perencanaan dan Rekam Medik", staff=("perekam_medis", "data")),
            ),
        ),
        B(
            "Bidang Pelayanan Medik dan Penunjang",
            subs=(
                S("Seksi Pelayanan Medik", staff=("dokter", "perawat", "perawat", "bidan")),
                S("Seksi Penunjang Medik", staff=("pranata_lab", "apoteker", "perekam_medis")),
            ),
        ),
        B(
            "Bidang Keperawatan",
            subs=(
                S("Seksi Asuhan Keperawatan", staff=("perawat", "perawat", "perawat", "bidan")),
                S("Seksi Mutu dan Etika Keperawatan", staff=("perawat", "perawat")),
            ),
        ),
    ),
    staff=("perawat", "ops", "admin"), workload="1.10",
)
_DPUPR = OpdT(
    "dpupr", "Dinas Pekerjaan Umum dan Penataan Ruang", "DPUPR", "dinas",
    "Kepala Dinas Pekerjaan Umum dan Penataan Ruang", "eng",
    bidang=(
        B(
            "Bidang Bina Marga",
            subs=(
                S(
                    "Seksi Pembangunan Jalan dan Jembatan",
                    staff=("teknik_jalan", "teknik_jalan", "ops"),
                ),
                S(
                    "Seksi Pemeliharaan Jalan dan Jembatan",
                    staff=("teknik_jalan", "teknisi", "ops"),
                ),
            ),
            outs=(
                O("Meningkatnya panjang jalan kabupaten dalam kondisi mantap",
                  "ruas jalan kabupaten", "ditangani", "Kilometer", 30, 120),
                O("Terbangunnya jembatan kabupaten sesuai rencana", "jembatan",
                  "dibangun atau direhabilitasi", "Unit", 3, 12),
            ),
        ),
        B(
            "Bidang Sumber Daya Air",
            subs=(
                S("Seksi Irigasi", staff=("teknik_pengairan", "ops")),
                S("Seksi Pengelolaan Sungai dan Air Baku", staff=("teknik_pengairan", "data")),
            ),
            outs=(
                O("Meningkatnya kondisi jaringan irigasi kewenangan kabupaten", "daerah irigasi",
                  "direhabilitasi", "Daerah Irigasi", 5, 25),
                O("Terkendalinya daya rusak air di sungai kewenangan kabupaten",
                  "titik rawan banjir", "ditangani", "Titik", 3, 12),
            ),
        ),
        B(
            "Bidang Cipta Karya",
            subs=(S("Seksi Air Minum dan Sanitasi"), S("Seksi Bangunan Gedung dan Lingkungan")),
        ),
        B(
            "Bidang Penataan Ruang",
            subs=(
                S("Seksi Perencanaan Tata Ruang", staff=("tata_ruang", "data")),
                S("Seksi Pengendalian Pemanfaatan Ruang", staff=("tata_ruang", "ops")),
            ),
        ),
        B(
            "Bidang Bina Konstruksi",
            subs=(
                S("Seksi Pembinaan Jasa Konstruksi"),
                S("Seksi Pengawasan Tertib Usaha Konstruksi"),
            ),
        ),
    ),
    staff=("ops", "data", "teknisi"), tiny=True,
)
_PERKIMTAN = _dinas(
    "perkimtan",
    "Dinas Perumahan, Kawasan Permukiman dan Pertanahan",
    "Disperkimtan", "eng",
    (
        ("Bidang Perumahan",
         ("Seksi Penyediaan Perumahan", "Seksi Rumah Tidak Layak Huni")),
        ("Bidang Kawasan Permukiman",
         (
             "Seksi Pencegahan dan Peningkatan Kualitas Permukiman Kumuh",
             "Seksi Prasarana, Sarana dan Utilitas Umum",
         )),
        ("Bidang Pertanahan",
         ("Seksi Penatagunaan Tanah", "Seksi Pengadaan Tanah")),
    ),
    staff=("ops", "data", "teknisi"),
)
_DLH = _dinas(
    "dlh",
    "Dinas Lingkungan Hidup",
    "DLH", "env",
    (
        ("Bidang Tata Lingkungan",
         ("Seksi Perencanaan dan Kajian Dampak Lingkungan", "Seksi Pemeliharaan Lingkungan Hidup")),
        ("Bidang Pengelolaan Sampah dan Limbah Bahan Berbahaya dan Beracun",
         ("Seksi Pengurangan dan Penanganan Sampah", "Seksi Pengelolaan Limbah B3")),
        ("Bidang Pengendalian Pencemaran dan Kerusakan Lingkungan",
         (
             "Seksi Pemantauan Kualitas Lingkungan",
             "Seksi Pengaduan dan Penegakan Hukum Lingkungan",
         )),
    ),
    staff=("lingkungan", "ops", "teknisi", "data"),
)
_DISDUKCAPIL = OpdT(
    "disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil", "dinas",
    "Kepala Dinas Kependudukan dan Pencatatan Sipil", "gov",
    bidang=(
        B(
            "Bidang Pelayanan Pendaftaran Penduduk",
            subs=(
                S("Seksi Identitas Penduduk", staff=("operator", "operator", "adb")),
                S("Seksi Pindah Datang dan Pendataan Penduduk", staff=("operator", "data")),
            ),
            outs=(
                O("Meningkatnya kepemilikan KTP elektronik penduduk wajib KTP", "KTP elektronik",
                  "diterbitkan", "Keping", 8000, 40000),
                O("Terlayaninya perpindahan dan kedatangan penduduk tepat waktu",
                  "dokumen pindah datang", "diterbitkan", "Dokumen", 2000, 9000),
            ),
        ),
        B(
            "Bidang Pelayanan Pencatatan Sipil",
            subs=(
                S("Seksi Kelahiran dan Kematian", staff=("operator", "operator", "data")),
                S(
                    "Seksi Perkawinan, Perceraian dan Perubahan Status Anak",
                    staff=("operator", "ops"),
                ),
            ),
            outs=(
                O("Meningkatnya kepemilikan akta kelahiran anak", "akta kelahiran", "diterbitkan",
                  "Akta", 5000, 25000),
                O("Tercatatnya peristiwa kematian penduduk", "akta kematian", "diterbitkan", "Akta",
                  1000, 6000),
            ),
        ),
        B(
            "Bidang Pengelolaan Informasi Administrasi Kependudukan",
            subs=(
                S("Seksi Sistem Informasi Administrasi Kependudukan", staff=("adb", "prakom")),
                S("Seksi Pengolahan dan Penyajian Data Kependudukan", staff=("adb", "statistisi")),
            ),
            outs=(
                O("Terkelolanya database kependudukan yang akurat", "data kependudukan ganda",
                  "diselesaikan", "Record", 200, 1500),
                O("Tersedianya data agregat kependudukan per semester",
                  "publikasi data agregat kependudukan", "terbit", "Publikasi", 2, 2),
            ),
        ),
        B(
            "Bidang Pemanfaatan Data dan Inovasi Pelayanan",
            subs=(
                S("Seksi Kerja Sama dan Inovasi Pelayanan", staff=("ops", "operator")),
                S("Seksi Pemanfaatan Data dan Dokumen Kependudukan", staff=("adb", "ops")),
            ),
            outs=(
                O("Meningkatnya pemanfaatan data kependudukan oleh lembaga pengguna",
                  "lembaga pengguna data", "bekerja sama", "Lembaga", 10, 30),
                O("Meningkatnya layanan administrasi kependudukan secara daring dan jemput bola",
                  "layanan jemput bola", "terlaksana", "Kegiatan", 24, 96),
            ),
        ),
    ),
    staff=("operator", "data", "ops"),
)
_DPMD = _dinas(
    "dpmd",
    "Dinas Pemberdayaan Masyarakat dan Desa",
    "DPMD", "gov",
    (
        ("Bidang Pemerintahan Desa",
         ("Seksi Administrasi Pemerintahan Desa", "Seksi Aparatur Desa")),
        ("Bidang Pemberdayaan Masyarakat Desa",
         ("Seksi Kelembagaan Masyarakat", "Seksi Pemberdayaan Ekonomi Desa")),
        ("Bidang Keuangan dan Aset Desa",
         ("Seksi Pengelolaan Keuangan Desa", "Seksi Aset Desa")),
    ),
    staff=("psm", "ops", "data"),
)
_DP3AP2KB = _dinas(
    "dp3ap2kb",
    "Dinas Pengendalian Penduduk, Keluarga Berencana, Pemberdayaan Perempuan dan Perlindungan Anak",
    "DP3AP2KB", "social",
    (
        ("Bidang Pengendalian Penduduk dan Keluarga Berencana",
         ("Seksi Pengendalian Penduduk", "Seksi Keluarga Berencana dan Ketahanan Keluarga")),
        ("Bidang Pemberdayaan Perempuan",
         ("Seksi Kualitas Hidup Perempuan", "Seksi Pengarusutamaan Gender")),
        ("Bidang Perlindungan Anak",
         ("Seksi Pemenuhan Hak Anak", "Seksi Perlindungan Khusus Anak")),
    ),
    staff=("pkb", "pkb", "ops", "data"),
)
_DINSOS = _dinas(
    "dinsos",
    "Dinas Sosial",
    "Dinsos", "social",
    (
        ("Bidang Rehabilitasi Sosial",
         (
             "Seksi Rehabilitasi Sosial Penyandang Disabilitas dan Lanjut Usia",
             "Seksi Rehabilitasi Sosial Anak dan Tuna Sosial",
         )),
        ("Bidang Perlindungan dan Jaminan Sosial",
         ("Seksi Perlindungan Sosial Korban Bencana", "Seksi Jaminan Sosial Keluarga")),
        ("Bidang Pemberdayaan Sosial dan Penanganan Fakir Miskin",
         ("Seksi Pemberdayaan Sosial", "Seksi Penanganan Fakir Miskin")),
    ),
    staff=("peksos", "peksos", "ops", "data"),
)
_DISNAKERTRANS = _dinas(
    "disnakertrans",
    "Dinas Tenaga Kerja dan Transmigrasi",
    "Disnakertrans", "law",
    (
        ("Bidang Pelatihan dan Penempatan Tenaga Kerja",
         ("Seksi Pelatihan dan Produktivitas", "Seksi Penempatan dan Perluasan Kesempatan Kerja")),
        ("Bidang Hubungan Industrial dan Jaminan Sosial Tenaga Kerja",
         ("Seksi Hubungan Industrial", "Seksi Jaminan Sosial dan Pengupahan")),
        ("Bidang Transmigrasi",
         ("Seksi Penyiapan dan Penempatan Transmigran",)),
    ),
    staff=("mediator", "ops", "data"),
)
_DISKOPUKM = _dinas(
    "diskopukm",
    "Dinas Koperasi, Usaha Kecil dan Menengah",
    "Diskopukm", "econ",
    (
        ("Bidang Koperasi",
         ("Seksi Kelembagaan Koperasi", "Seksi Pengawasan Koperasi")),
        ("Bidang Usaha Mikro, Kecil dan Menengah",
         ("Seksi Pemberdayaan Usaha Mikro", "Seksi Pengembangan Usaha Kecil dan Menengah")),
    ),
    staff=("pengawas_kop", "ops", "data"),
)
_DPMPTSP = _dinas(
    "dpmptsp",
    "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
    "DPMPTSP", "econ",
    (
        ("Bidang Penanaman Modal",
         ("Seksi Promosi Penanaman Modal", "Seksi Pengendalian Pelaksanaan Penanaman Modal")),
        ("Bidang Pelayanan Perizinan dan Nonperizinan",
         ("Seksi Pelayanan Perizinan Berusaha", "Seksi Pelayanan Nonperizinan")),
        ("Bidang Pengaduan, Kebijakan dan Pelaporan Layanan",
         ("Seksi Pengaduan dan Informasi Layanan",)),
    ),
    staff=("operator", "ops", "data"),
)
_DISHUB = _dinas(
    "dishub",
    "Dinas Perhubungan",
    "Dishub", "eng",
    (
        ("Bidang Lalu Lintas dan Angkutan",
         ("Seksi Manajemen dan Rekayasa Lalu Lintas", "Seksi Angkutan")),
        ("Bidang Sarana dan Prasarana Perhubungan",
         ("Seksi Perlengkapan Jalan", "Seksi Terminal dan Perparkiran")),
        ("Bidang Pengujian Kendaraan Bermotor",
         ("Seksi Pengujian Kendaraan Bermotor",)),
    ),
    staff=("ops", "teknisi", "operator"),
)
_DISKOMINFO = OpdT(
    "diskominfo", "Dinas Komunikasi dan Informatika", "Diskominfo", "dinas",
    "Kepala Dinas Komunikasi dan Informatika", "it",
    bidang=(
        B(
            "Bidang Aplikasi Informatika dan e-Government",
            subs=(
                S(
                    "Seksi Layanan Sistem Pemerintahan Berbasis Elektronik",
                    outs=(
                        O(
                            "Terintegrasinya layanan SPBE perangkat daerah melalui portal "
                            "layanan terpadu",
                            "layanan publik dan administrasi pemerintahan berbasis elektronik",
                            "terintegrasi", "Layanan", 10, 30, up="kom_spbe", direct=True,
                        ),
                        O("Tersusunnya arsitektur dan peta rencana SPBE kabupaten",
                          "dokumen arsitektur dan peta rencana SPBE", "tersusun", "Dokumen", 1, 2),
                    ),
                    staff=("prakom", "prakom", "ops"),
                ),
                S(
                    "Seksi Pengembangan Aplikasi",
                    outs=(
                        O("Tersedianya aplikasi layanan publik yang saling terhubung",
                          "aplikasi layanan publik", "terhubung", "Layanan", 8, 24, up="kom_spbe",
                          direct=True),
                        O("Terkelolanya pusat data pemerintah daerah yang andal",
                          "server dan layanan cloud", "terkelola", "Unit", 10, 40),
                    ),
                    staff=("prakom", "prakom", "data"),
                ),
            ),
            outs=(
                O("Meningkatnya layanan SPBE terintegrasi",
                  "layanan publik dan administrasi pemerintahan berbasis elektronik",
                  "terintegrasi", "Layanan", 20, 60, key="kom_spbe"),
                O("Terwujudnya tata kelola aplikasi perangkat daerah yang terstandar",
                  "aplikasi perangkat daerah", "terdaftar dan terstandar", "Aplikasi", 30, 120),
            ),
        ),
        B(
            "Bidang Informasi dan Komunikasi Publik",
            subs=(
                S("Seksi Pengelolaan Informasi Publik", staff=("humas", "ops")),
                S("Seksi Pengelolaan Media Komunikasi Publik", staff=("humas", "humas", "data")),
            ),
            outs=(
                O("Meningkatnya kualitas layanan informasi publik melalui PPID",
                  "permohonan informasi publik", "diselesaikan", "Permohonan", 80, 300),
                O("Tersebarnya informasi kebijakan dan program pemerintah daerah",
                  "konten informasi publik", "dipublikasikan", "Konten", 400, 1500),
            ),
        ),
        B(
            "Bidang Persandian dan Keamanan Informasi",
            subs=(
                S("Seksi Persandian", staff=("prakom", "ops")),
                S("Seksi Keamanan Informasi", staff=("prakom", "prakom")),
            ),
            outs=(
                O("Meningkatnya keamanan informasi penyelenggaraan SPBE",
                  "sistem elektronik yang dinilai keamanannya", "teruji", "Sistem", 10, 40),
                O(
                    "Terselenggaranya layanan persandian untuk pengamanan informasi pemerintah "
                    "daerah",
                    "perangkat daerah", "terlayani persandian", "OPD", 20, 45,
                ),
            ),
        ),
        B(
            "Bidang Statistik dan Infrastruktur Teknologi Informasi dan Komunikasi",
            subs=(
                S("Seksi Statistik Sektoral", staff=("statistisi", "statistisi", "data")),
                S(
                    "Seksi Infrastruktur Teknologi Informasi dan Komunikasi",
                    staff=("prakom", "teknisi"),
                ),
            ),
            outs=(
                O("Tersedianya data statistik sektoral yang terintegrasi dalam Satu Data Sukamaju",
                  "dataset statistik sektoral", "terpublikasi", "Dataset", 150, 500),
                O("Meningkatnya ketersediaan jaringan intra pemerintah daerah",
                  "titik jaringan intra pemerintah", "terhubung", "Titik", 40, 120),
            ),
        ),
    ),
    staff=("prakom", "ops", "data"), pilot=True, tiny=True,
)
_DISTAN = _dinas(
    "distan",
    "Dinas Pertanian",
    "Distan", "agri",
    (
        ("Bidang Tanaman Pangan",
         ("Seksi Produksi Tanaman Pangan", "Seksi Perlindungan Tanaman Pangan")),
        ("Bidang Hortikultura dan Perkebunan",
         ("Seksi Produksi Hortikultura", "Seksi Produksi Perkebunan")),
        ("Bidang Peternakan dan Kesehatan Hewan",
         ("Seksi Produksi Peternakan", "Seksi Kesehatan Hewan dan Kesehatan Masyarakat Veteriner")),
        ("Bidang Penyuluhan dan Sarana Prasarana Pertanian",
         ("Seksi Penyuluhan Pertanian", "Seksi Sarana dan Prasarana Pertanian")),
    ),
    staff=("penyuluh_pertanian", "penyuluh_pertanian", "popt", "medik_vet", "ops"),
)
_DISKAN = OpdT(
    "diskan", "Dinas Perikanan", "Diskan", "dinas", "Kepala Dinas Perikanan", "fish",
    bidang=(
        B(
            "Bidang Perikanan Budidaya",
            subs=(
                S("Seksi Produksi Perikanan Budidaya", staff=("penyuluh_perikanan", "ops")),
                S("Seksi Kesehatan Ikan dan Lingkungan", staff=("penyuluh_perikanan", "data")),
            ),
        ),
        B(
            "Bidang Perikanan Tangkap",
            subs=(
                S("Seksi Sarana dan Prasarana Perikanan Tangkap"),
                S("Seksi Pemberdayaan Nelayan Kecil", staff=("penyuluh_perikanan", "ops")),
            ),
        ),
        B(
            "Bidang Pengolahan dan Pemasaran Hasil Perikanan",
            subs=(
                S("Seksi Pengolahan Hasil Perikanan"),
                S("Seksi Pemasaran dan Promosi Hasil Perikanan"),
            ),
        ),
    ),
    staff=("ops", "data", "penyuluh_perikanan"), tiny=True,
)
_DISDAG = _dinas(
    "disdag",
    "Dinas Perdagangan",
    "Disdag", "econ",
    (
        ("Bidang Perdagangan Dalam Negeri",
         ("Seksi Distribusi dan Stabilisasi Harga", "Seksi Pengembangan Perdagangan")),
        ("Bidang Pengelolaan Pasar",
         ("Seksi Pengelolaan Pasar Rakyat", "Seksi Retribusi Pasar")),
        ("Bidang Metrologi Legal dan Perlindungan Konsumen",
         ("Seksi Metrologi Legal", "Seksi Perlindungan Konsumen")),
    ),
    staff=("penera", "ops", "data"),
)
_DISPARBUD = _dinas(
    "disparbud",
    "Dinas Pariwisata dan Kebudayaan",
    "Disparbud", "econ",
    (
        ("Bidang Destinasi Pariwisata",
         ("Seksi Pengembangan Destinasi", "Seksi Pengelolaan Daya Tarik Wisata")),
        ("Bidang Pemasaran Pariwisata dan Ekonomi Kreatif",
         ("Seksi Promosi Pariwisata", "Seksi Ekonomi Kreatif")),
        ("Bidang Kebudayaan",
         ("Seksi Cagar Budaya dan Permuseuman", "Seksi Kesenian dan Tradisi")),
    ),
    staff=("adyatama", "pamong_budaya", "ops"),
)
_DISPORA = _dinas(
    "dispora",
    "Dinas Kepemudaan dan Olahraga",
    "Dispora", "edu",
    (
        ("Bidang Kepemudaan",
         ("Seksi Pemberdayaan Pemuda", "Seksi Pengembangan Kepemimpinan Pemuda")),
        ("Bidang Olahraga",
         ("Seksi Pembinaan Olahraga Prestasi", "Seksi Olahraga Rekreasi dan Sarana Prasarana")),
    ),
)
_DISPUSIP = _dinas(
    "dispusip",
    "Dinas Perpustakaan dan Kearsipan",
    "Dispusip", "library",
    (
        ("Bidang Perpustakaan",
         (
             "Seksi Layanan dan Otomasi Perpustakaan",
             "Seksi Pembinaan dan Pengembangan Perpustakaan",
         )),
        ("Bidang Kearsipan",
         ("Seksi Pengelolaan Arsip", "Seksi Pembinaan Kearsipan")),
    ),
    staff=("pustakawan", "arsiparis", "ops"),
)
_DKP = _dinas(
    "dkp",
    "Dinas Ketahanan Pangan",
    "DKP", "agri",
    (
        ("Bidang Ketersediaan dan Distribusi Pangan",
         ("Seksi Ketersediaan dan Kerawanan Pangan", "Seksi Distribusi dan Cadangan Pangan")),
        ("Bidang Konsumsi dan Keamanan Pangan",
         ("Seksi Konsumsi dan Penganekaragaman Pangan", "Seksi Keamanan Pangan")),
    ),
    staff=("analis_pangan", "ops", "data"),
)
OPDS: tuple[OpdT, ...] = (
    _SETDA, _SETWAN, _INSPEKTORAT, _BAPPEDA, _BKPSDM, _BPKAD, _BAPENDA, _BPBD, _KESBANGPOL,
    _SATPOLPP, _DISDIK, _DINKES, _RSUD, _DPUPR, _PERKIMTAN, _DLH, _DISDUKCAPIL, _DPMD, _DP3AP2KB,
    _DINSOS, _DISNAKERTRANS, _DISKOPUKM, _DPMPTSP, _DISHUB, _DISKOMINFO, _DISTAN, _DISKAN, _DISDAG,
    _DISPARBUD, _DISPORA, _DISPUSIP, _DKP,
)

KECAMATAN = (
    "Sukamaju", "Cibeureum", "Karangsari", "Sindangjaya", "Tanjungrejo", "Sumberwaras",
    "Mekarsari", "Pasirlaya", "Wonosari", "Cikalong", "Banyuurip", "Ngadirejo", "Sukadana",
    "Margaluyu", "Kedungjati", "Sidomulyo", "Cisalak", "Purwasari", "Gunungsari", "Talagasari",
    "Bojongsari", "Cibodas", "Kalisari", "Tegalwangi", "Rawamerta", "Jatiwangi", "Sukasari",
    "Kertajati",
)
KELURAHAN = (
    "Sukamaju", "Kaum", "Pasirkaliki", "Karanganyar", "Sukaraja", "Cipedes", "Kebonjati", "Nagrak",
    "Margahayu", "Sindangkasih", "Tanjungsari", "Kertasari", "Sumbersari", "Mulyasari",
    "Kedungwaru", "Sidorejo", "Tegalsari", "Jatimulya", "Cibeber", "Pabuaran", "Kebonsari",
    "Kotabaru", "Rancamaya", "Panyingkiran", "Wanasari", "Pakemitan", "Babakan", "Gunungjati",
    "Kalijaga", "Banjarsari", "Sukajadi", "Purwodadi", "Rejosari", "Mekarwangi", "Kadipaten",
    "Ciherang", "Sukamulya", "Pataruman", "Sindanglaya", "Karangmulya",
)
DESA = (
    "Sukamulya", "Sukajaya", "Mekarjaya", "Cipayung", "Karangmulya", "Sidorejo", "Tegalsari",
    "Sumbersari", "Kertajaya", "Margamulya", "Pasirjati", "Cikadu", "Wanasari", "Tanjungsari",
    "Jatimulya", "Sindangsari", "Mulyasari", "Bojongloa", "Ciherang", "Sukaresmi", "Karangrejo",
    "Ngestiharjo", "Banjarsari", "Kalijaga", "Purwodadi", "Rejosari", "Tambakrejo", "Sukorejo",
    "Mojosari", "Jatisari", "Cikoneng", "Kadumanggu", "Pagerwangi", "Sirnagalih", "Cibunar",
    "Girimukti", "Mandalasari", "Rancasari", "Wargaluyu", "Lebaksari", "Sukahurip", "Bantarsari",
    "Sindangraja", "Cimanggu", "Ciawigebang", "Gununghalu", "Sumberjaya", "Karangtengah",
)
_SD_KELAS = ("Kelas I", "Kelas II", "Kelas III", "Kelas IV", "Kelas V", "Kelas VI")
_SD_MAPEL = (
    "Pendidikan Agama Islam", "Pendidikan Jasmani, Olahraga dan Kesehatan", "Bahasa Inggris",
)
_SMP_MAPEL = (
    "Matematika", "Bahasa Indonesia", "Ilmu Pengetahuan Alam", "Ilmu Pengetahuan Sosial",
    "Bahasa Inggris", "Pendidikan Pancasila", "Pendidikan Agama Islam", "Seni Budaya",
    "Pendidikan Jasmani, Olahraga dan Kesehatan", "Informatika", "Prakarya", "Bahasa Sunda",
    "Bimbingan dan Konseling",
)
_SMP_KELAS = ("Kelas VII", "Kelas VIII", "Kelas IX")
# fmt: on


# --------------------------------------------------------------------------- sizes


@dataclass(frozen=True, slots=True)
class SizeSpec:
    """How big the regency is: counts of UPT and staff per unit (employees ≈ ``target``)."""

    name: str
    target: int
    tiny: bool
    kecamatan: int
    kelurahan: tuple[int, int]  # (in the capital kecamatan, in each of the others)
    sd: int
    smp: int
    guru_sd: tuple[int, int]
    guru_smp: tuple[int, int]
    puskesmas: int
    nakes: tuple[int, int]
    staff: tuple[int, int]  # per Subbagian/Subbidang/Seksi
    head_staff: tuple[int, int]  # fungsional directly under an Irban / Kabid with staff
    rsud: tuple[int, int]  # nakes per RSUD seksi
    irban: int  # Inspektur Pembantu (1–4)
    max_bidang: int = 99
    max_subs: int = 99
    asisten_bagian: int = 3


# fmt: off
SIZES: dict[str, SizeSpec] = {s.name: s for s in (
    SizeSpec(
        "tiny", 300, True, 1, (1, 0), 3, 1, (6, 8), (8, 10), 2, (6, 8), (1, 2), (2, 3), (2, 3), 2,
        max_bidang=2, max_subs=2, asisten_bagian=1,
    ),
    SizeSpec(
        "small", 2000, False, 6, (3, 1), 24, 7, (7, 9), (13, 17), 7, (11, 15), (2, 3), (3, 5),
        (8, 12), 4,
    ),
    SizeSpec(
        "median", 6000, False, 12, (5, 1), 120, 30, (9, 11), (20, 26), 16, (22, 30), (4, 7),
        (5, 8), (20, 28), 4,
    ),
    SizeSpec(
        "large", 20000, False, 24, (6, 2), 440, 95, (10, 14), (26, 34), 32, (40, 52), (12, 18),
        (8, 12), (60, 80), 4,
    ),
)}
# fmt: on

# --------------------------------------------------------------------------- built objects


@dataclass(slots=True, eq=False)
class Unit:
    id: int
    parent: Unit | None
    opd: Unit | None
    nama: str
    jenis: str
    kind: str  # semantic: pemda/opd/sekretariat/subbag/bidang/sub/asisten/bagian/irban/
    #            sekolah/puskesmas/kecamatan/kelurahan
    opd_t: OpdT | None
    singkatan: str = ""
    kode: str = ""
    eselon_id: str = "00"
    is_opd: bool = False
    is_pilot: bool = False
    workload: Decimal = Decimal("1.00")
    topic: str = ""
    outs: tuple[Out, ...] = ()
    region: str = ""  # the kecamatan a school/puskesmas/kelurahan lies in
    in_sekretariat: bool = False
    children: list[Unit] = field(default_factory=list)

    @property
    def opd_id(self) -> int | None:
        return self.opd.id if self.opd is not None else None


@dataclass(slots=True)
class Slot:
    """One person to place in a position."""

    pppk: bool = False
    kedudukan: str = "01"
    tag: str = ""  # subject/class of a teacher
    region: str = ""  # wilayah binaan of a field worker


@dataclass(slots=True, eq=False)
class Position:
    id: int
    nama: str
    jenis: str  # reference.JABATAN_JENIS key
    eselon_id: str
    jenjang: str | None
    kelas: int | None
    unit: Unit
    atasan: Position | None
    role: str
    gol: tuple[int, int]
    edu: tuple[tuple[str, float], ...]
    field: str
    female: float
    is_kepala_unit: bool = False
    profile: Profile | None = None
    outs: tuple[Out, ...] = ()
    slots: list[Slot] = field(default_factory=list)
    vacant: bool = False
    plt: Position | None = None  # who acts for this vacant position
    bup: int = 58  # batas usia pensiun

    @property
    def level(self) -> int:
        return {
            "kepala_daerah": 1,
            "jpt_pratama": 2,
            "jpt_madya": 2,
            "administrator": 3,
            "pengawas": 4,
        }.get(self.jenis, 5)


@dataclass
class Structure:
    size: SizeSpec
    units: list[Unit] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    opds: list[Unit] = field(default_factory=list)
    root: Unit | None = None
    bupati: Position | None = None
    sekda: Position | None = None
    heads: dict[int, Position] = field(default_factory=dict)  # unit id -> head position

    def unit(self, parent: Unit | None, nama: str, jenis: str, kind: str, **kw) -> Unit:
        opd = kw.pop("opd", parent.opd if parent is not None else None)
        u = Unit(
            len(self.units) + 1,
            parent,
            opd,
            nama,
            jenis,
            kind,
            kw.pop("opd_t", parent.opd_t if parent is not None else None),
            **kw,
        )
        if parent is not None:
            parent.children.append(u)
            if not u.kode:
                u.kode = (
                    f"{parent.kode}.{len(parent.children):02d}"
                    if parent.kode
                    else (f"{len(parent.children):02d}")
                )
            u.in_sekretariat = u.in_sekretariat or parent.in_sekretariat
            if u.is_pilot is False and parent.is_pilot and parent.kind != "pemda":
                u.is_pilot = parent.is_pilot
        if not u.topic:
            u.topic = topic_of(nama)
        self.units.append(u)
        return u

    def position(
        self, nama: str, jenis: str, unit: Unit, atasan: Position | None, role: str, **kw
    ) -> Position:
        p = Position(
            len(self.positions) + 1,
            nama,
            jenis,
            kw.pop("eselon_id", "00"),
            kw.pop("jenjang", None),
            kw.pop("kelas", None),
            unit,
            atasan,
            role,
            kw.pop("gol"),
            kw.pop("edu"),
            kw.pop("field"),
            kw.pop("female", 0.35),
            **kw,
        )
        self.positions.append(p)
        if p.is_kepala_unit:
            self.heads[unit.id] = p
        return p


_PREFIXES = (
    "Subbagian ",
    "Subbidang ",
    "Seksi ",
    "Bidang ",
    "Bagian ",
    "Sekretariat ",
    "Inspektorat Pembantu ",
)


def topic_of(nama: str) -> str:
    """Return the noun phrase of a unit name for RHK texts ("Seksi Irigasi" → "irigasi").

    >>> topic_of("Seksi Layanan Sistem Pemerintahan Berbasis Elektronik")
    'layanan sistem pemerintahan berbasis elektronik'
    >>> topic_of("Subbidang Data dan Informasi Pembangunan")
    'data dan informasi pembangunan'
    """
    text = nama
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    words = []
    for w in text.split():
        keep = w.isupper() or (len(w) > 1 and w[1:2].isupper()) or "-" in w[1:]
        words.append(w if keep or w == KABUPATEN else w[:1].lower() + w[1:])
    return " ".join(words)


# --------------------------------------------------------------------------- the builder

_EDU_JPT = (("S2", 0.85), ("S3", 0.12), ("S1", 0.03))
_EDU_ADM = (("S2", 0.6), ("S1", 0.4))
_EDU_PENGAWAS = (("S1", 0.75), ("S2", 0.2), ("D3", 0.05))
JENJANG_GOL = {
    "PT": (31, 32),
    "MU": (33, 34),
    "MA": (41, 43),
    "UT": (44, 45),
    "PM": (21, 21),
    "TR": (22, 24),
    "MH": (31, 32),
    "PY": (33, 34),
}
JENJANG_KELAS = {"PM": 5, "TR": 6, "MH": 7, "PY": 8, "PT": 8, "MU": 9, "MA": 11, "UT": 13}
JENJANG_LABEL = {
    "PT": "Ahli Pertama",
    "MU": "Ahli Muda",
    "MA": "Ahli Madya",
    "UT": "Ahli Utama",
    "PM": "Pemula",
    "TR": "Terampil",
    "MH": "Mahir",
    "PY": "Penyelia",
}
_ENTRY_JENJANG = ("PT", "TR", "PM")
_DEFAULT_REGIONS = tuple(f"di wilayah Kecamatan {k}" for k in KECAMATAN)
RSUD_RUANG = (
    "di Ruang Rawat Inap Melati",
    "di Ruang Rawat Inap Mawar",
    "di Ruang Rawat Inap Anggrek",
    "di Ruang Rawat Inap Dahlia",
    "di Instalasi Gawat Darurat",
    "di Ruang Perawatan Intensif",
    "di Ruang Bersalin",
    "di Ruang Perinatologi",
    "di Poliklinik Penyakit Dalam",
    "di Poliklinik Anak",
    "di Poliklinik Kebidanan dan Kandungan",
    "di Ruang Operasi",
    "di Ruang Hemodialisis",
    "di Ruang Rawat Inap Kenanga",
    "di Ruang Rawat Inap Flamboyan",
    "di Ruang Isolasi",
    "di Poliklinik Bedah",
    "di Ruang Rawat Inap Cempaka",
)
_KELURAHAN_SUBS = (
    "Seksi Pemerintahan dan Ketenteraman",
    "Seksi Pemberdayaan Masyarakat dan Pelayanan Umum",
)
_KECAMATAN_SEKSI = (
    "Seksi Pemerintahan",
    "Seksi Ketenteraman dan Ketertiban Umum",
    "Seksi Pemberdayaan Masyarakat dan Desa",
    "Seksi Kesejahteraan Sosial",
    "Seksi Pelayanan Umum",
)
# Vacancies: (opd key, role, unit name or "") -> the role whose holder acts (Plt), or None.
VACANCIES = (
    ("diskan", "kepala_opd", "", "sekretaris"),
    ("dpupr", "kabid", "Bidang Bina Marga", "sekretaris"),
    ("dishub", "kasi", "Seksi Angkutan", None),
    ("distan", "kasi", "Seksi Produksi Perkebunan", None),
)


class _Builder:
    def __init__(self, size: SizeSpec, rng: random.Random):
        self.size = size
        self.rng = rng
        self.s = Structure(size)
        self.region_cycle = 0

    # -- helpers ----------------------------------------------------------------------------

    def slots(self, n: int, profile: Profile | None = None) -> list[Slot]:
        return [Slot() for _ in range(n)]

    def staff(
        self,
        unit: Unit,
        atasan: Position,
        keys: tuple[str, ...],
        n: int,
        opd_field: str,
        regions: list[str] | None = None,
    ) -> None:
        """Place ``n`` staff of the given profile keys in ``unit`` under ``atasan``."""
        if n <= 0 or not keys:
            return
        rng = self.rng
        groups: dict[tuple[str, str | None], list[Slot]] = {}
        order: list[tuple[str, str | None]] = []
        for i in range(n):
            key = keys[i % len(keys)] if i < len(keys) else rng.choice(keys)
            prof = PROFILES[key]
            pppk = rng.random() < prof.pppk
            jenjang = None
            if prof.jenis == "fungsional":
                options = prof.jenjang
                if pppk:
                    options = tuple((j, w) for j, w in options if j in _ENTRY_JENJANG) or options
                jenjang = rng.choices([j for j, _ in options], weights=[w for _, w in options])[0]
            slot = Slot(pppk=pppk)
            if prof.regional:
                pool = regions or _DEFAULT_REGIONS
                slot.region = pool[self.region_cycle % len(pool)]
                self.region_cycle += 1
            gk = (key, jenjang)
            if gk not in groups:
                groups[gk] = []
                order.append(gk)
            groups[gk].append(slot)
        for key, jenjang in order:
            prof = PROFILES[key]
            self.staff_position(unit, atasan, prof, jenjang, groups[(key, jenjang)], opd_field)

    def staff_position(
        self,
        unit: Unit,
        atasan: Position,
        prof: Profile,
        jenjang: str | None,
        slots: list[Slot],
        opd_field: str,
        nama: str | None = None,
        role: str = "staff",
        **kw,
    ) -> Position:
        if prof.jenis == "fungsional":
            nama = nama or f"{prof.nama} {JENJANG_LABEL[jenjang]}"
            gol = JENJANG_GOL[jenjang]
            keahlian = jenjang in ("PT", "MU", "MA", "UT")
            edu = (("S1", 0.8), ("S2", 0.2)) if keahlian else ((prof.low_edu, 1.0),)
            if jenjang == "MA":
                edu = (("S1", 0.5), ("S2", 0.5))
            kelas = JENJANG_KELAS[jenjang]
            bup = 60 if jenjang in ("MA", "UT") or prof.key in ("guru", "dokter") else 58
        else:
            nama = nama or prof.nama
            gol = (21, 34)
            edu = prof.edu
            kelas = prof.kelas
            bup = 58
        p = self.s.position(
            nama,
            prof.jenis,
            unit,
            atasan,
            role,
            jenjang=jenjang,
            kelas=kelas,
            gol=gol,
            edu=edu,
            field=prof.field or opd_field,
            female=prof.female,
            profile=prof,
            outs=prof.outs,
            bup=bup,
            **kw,
        )
        p.slots = slots
        return p

    def n(self, bounds: tuple[int, int]) -> int:
        return self.rng.randint(*bounds)

    def head(
        self,
        unit: Unit,
        nama: str,
        jenis: str,
        eselon: str,
        atasan: Position | None,
        role: str,
        gol: tuple[int, int],
        edu,
        field_: str,
        outs: tuple[Out, ...],
        kelas: int,
        female: float = 0.3,
        bup: int = 58,
    ) -> Position:
        p = self.s.position(
            nama,
            jenis,
            unit,
            atasan,
            role,
            eselon_id=eselon,
            kelas=kelas,
            gol=gol,
            edu=edu,
            field=field_,
            female=female,
            is_kepala_unit=True,
            outs=outs,
            bup=bup,
        )
        p.slots = [Slot()]
        unit.eselon_id = eselon
        return p

    # -- the tree ---------------------------------------------------------------------------

    def build(self) -> Structure:
        s, size = self.s, self.size
        root = s.unit(None, INSTANSI_NAMA, "pemda", "pemda", opd=None, opd_t=None, kode="00")
        s.root = root
        bupati = s.position(
            f"Bupati {KABUPATEN}",
            "kepala_daerah",
            root,
            None,
            "bupati",
            gol=(0, 0),
            edu=(("S2", 1.0),),
            field="gov",
            female=0.15,
            is_kepala_unit=True,
            kelas=None,
        )
        bupati.slots = [Slot(kedudukan="PN")]
        s.bupati = bupati
        templates = [t for t in OPDS if t.tiny or not size.tiny]
        for index, t in enumerate(templates, start=1):
            self.opd(t, index)
        kec_names = list(KECAMATAN[: size.kecamatan])
        for i, nama in enumerate(kec_names):
            self.kecamatan(nama, len(templates) + i + 1, capital=(i == 0))
        self.apply_vacancies()
        return s

    def opd(self, t: OpdT, index: int) -> None:
        s, size = self.s, self.size
        unit = s.unit(
            s.root,
            t.nama,
            "opd",
            "opd",
            opd=None,
            opd_t=t,
            singkatan=t.singkatan,
            kode=f"{index:02d}",
            is_opd=True,
            is_pilot=t.pilot,
            workload=Decimal(t.workload),
        )
        unit.opd = unit
        s.opds.append(unit)
        if t.kind == "setda":
            head = self.head(
                unit,
                t.head,
                "jpt_pratama",
                t.head_eselon,
                s.bupati,
                "sekda",
                (43, 44),
                _EDU_JPT,
                t.field,
                (),
                15,
                female=0.15,
                bup=60,
            )
            s.sekda = head
        else:
            head = self.head(
                unit,
                t.head,
                "jpt_pratama",
                t.head_eselon,
                s.sekda,
                "kepala_opd",
                (42, 43),
                _EDU_JPT,
                t.field,
                (),
                14,
                female=0.25,
                bup=60,
            )
        if t.kind in ("badan", "dinas", "inspektorat", "satpol"):
            self.sekretariat(unit, head, t)
        bidang = list(t.bidang)
        if len(bidang) > size.max_bidang and t.kind != "setda":
            keep = [b for b in bidang if b.special][: size.max_bidang]
            for b in bidang:
                if len(keep) >= size.max_bidang:
                    break
                if b not in keep:
                    keep.append(b)
            bidang = [b for b in bidang if b in keep]
        if t.kind == "inspektorat":
            bidang = bidang[: size.irban]
        for b in bidang:
            self.bidang(unit, head, t, b)

    def sekretariat(self, opd: Unit, head: Position, t: OpdT, kecamatan: str = "") -> None:
        s, size = self.s, self.size
        nama_sek = "Sekretariat Kecamatan" if kecamatan else "Sekretariat"
        unit = s.unit(
            opd,
            nama_sek,
            "sekretariat",
            "sekretariat",
            in_sekretariat=True,
            topic="kesekretariatan",
        )
        title = f"Sekretaris Kecamatan {kecamatan}" if kecamatan else f"Sekretaris {t.nama}"
        eselon = "32" if kecamatan else "31"
        sek = self.head(
            unit,
            title,
            "administrator",
            eselon,
            head,
            "sekretaris",
            (34, 41) if kecamatan else (41, 42),
            _EDU_ADM,
            t.field,
            SEKRETARIS_OUTS,
            12,
            female=0.4,
        )
        if kecamatan:
            subs = (
                ("Subbagian Umum dan Kepegawaian", SUBBAG_UMUM, ("admin", "ops", "teknisi")),
                (
                    "Subbagian Perencanaan dan Keuangan",
                    SUBBAG_PROGRAM + SUBBAG_KEUANGAN[:1],
                    ("bendahara", "ops", "data"),
                ),
            )
        else:
            subs = (
                (
                    "Subbagian Umum dan Kepegawaian",
                    SUBBAG_UMUM,
                    ("admin", "ops", "arsiparis", "teknisi", "sdm"),
                ),
                ("Subbagian Keuangan", SUBBAG_KEUANGAN, ("bendahara", "keuangan", "admin")),
                (
                    "Subbagian Perencanaan dan Pelaporan",
                    SUBBAG_PROGRAM,
                    ("perencana", "data", "ops"),
                ),
            )
        subs = subs[: max(1, min(len(subs), size.max_subs))]
        for nama, outs, staff in subs:
            sub = s.unit(unit, nama, "subbagian", "sub", in_sekretariat=True)
            kasub = self.head(
                sub,
                f"Kepala {nama}",
                "pengawas",
                "42" if kecamatan else "41",
                sek,
                "kasubbag",
                (33, 34),
                _EDU_PENGAWAS,
                t.field,
                outs,
                9,
                female=0.45,
            )
            self.staff(sub, kasub, staff, self.n(size.staff), t.field)

    def bidang(self, opd: Unit, head: Position, t: OpdT, b: BidT) -> None:
        s, size = self.s, self.size
        if t.kind == "setda":
            self.asisten(opd, head, t, b)
            return
        if t.kind == "inspektorat":
            jenis_u, kind, role, eselon = "bidang", "irban", "irban", "32"
        elif b.nama.startswith("Bagian"):
            jenis_u, kind, role, eselon = (
                "bagian",
                "bagian",
                "kabag",
                "31" if t.kind == "setwan" else "32",
            )
        else:
            jenis_u, kind, role, eselon = "bidang", "bidang", "kabid", "32"
        unit = s.unit(
            opd,
            b.nama,
            jenis_u,
            kind,
            topic=b.topic or topic_of(b.nama),
            in_sekretariat=b.nama.startswith("Bagian Umum"),
        )
        title = b.head or ("Kepala " + b.nama)
        outs = b.outs or ADMIN_PATTERNS
        kabid = self.head(
            unit,
            title,
            "administrator",
            eselon,
            head,
            role,
            (41, 42),
            _EDU_ADM,
            t.field,
            outs,
            12,
            female=0.35,
        )
        sub_jenis = "subbidang" if t.kind == "badan" else "seksi"
        # A handcrafted cascade (keyed templates) keeps every unit it is divided among.
        keyed = any(o.key for o in b.outs)
        subs = list(b.subs) if keyed else list(b.subs)[: size.max_subs]
        for sub_t in subs:
            nama = sub_t.nama
            if nama.startswith("Subbagian"):
                sj = "subbagian"
            elif nama.startswith("Subbidang"):
                sj = "subbidang"
            else:
                sj = sub_jenis if not nama.startswith("Seksi") else "seksi"
            sub = s.unit(unit, nama, sj, "sub", topic=sub_t.topic or topic_of(nama))
            kasi = self.head(
                sub,
                "Kepala " + nama,
                "pengawas",
                "41",
                kabid,
                "kasubbag" if sj == "subbagian" else "kasi",
                (33, 34),
                _EDU_PENGAWAS,
                t.field,
                sub_t.outs or PENGAWAS_PATTERNS,
                9,
                female=0.4,
            )
            self.staff(sub, kasi, sub_t.staff or t.staff, self.n(size.staff), t.field)
        if b.staff:
            self.staff(unit, kabid, b.staff, self.n(size.head_staff), t.field)
        if b.special == "sd":
            self.schools(unit, kabid, "SD", size.sd)
        elif b.special == "smp":
            self.schools(unit, kabid, "SMP", size.smp)
        elif b.special == "puskesmas":
            self.puskesmas(unit, kabid)
        if t.kind == "rsud" and not b.nama.startswith("Bagian"):
            # RSUD seksi carry many nurses and midwives.
            for sub in unit.children:
                kasi = s.heads[sub.id]
                extra = self.n(size.rsud)
                keys = ("perawat", "perawat", "perawat", "bidan", "dokter", "pranata_lab")
                self.staff(sub, kasi, keys, extra, "nurse", regions=list(RSUD_RUANG))

    def asisten(self, opd: Unit, sekda: Position, t: OpdT, b: BidT) -> None:
        s, size = self.s, self.size
        unit = s.unit(
            opd, b.nama, "asisten", "asisten", topic=topic_of(b.nama.replace("Asisten ", ""))
        )
        asisten = self.head(
            unit,
            b.head or b.nama,
            "jpt_pratama",
            "22",
            sekda,
            "asisten",
            (42, 43),
            _EDU_JPT,
            t.field,
            b.outs,
            14,
            female=0.25,
            bup=60,
        )
        for bag in list(b.subs)[: size.asisten_bagian]:
            bag_unit = s.unit(
                unit,
                bag.nama,
                "bagian",
                "bagian",
                topic=topic_of(bag.nama),
                in_sekretariat=bag.nama == "Bagian Umum",
            )
            kabag = self.head(
                bag_unit,
                "Kepala " + bag.nama,
                "administrator",
                "31",
                asisten,
                "kabag",
                (41, 42),
                _EDU_ADM,
                "gov",
                bag.outs or ADMIN_PATTERNS,
                12,
                female=0.35,
            )
            for sub_t in list(bag.subs)[: size.max_subs]:
                sub = s.unit(bag_unit, sub_t.nama, "subbagian", "sub", topic=topic_of(sub_t.nama))
                kasub = self.head(
                    sub,
                    "Kepala " + sub_t.nama,
                    "pengawas",
                    "41",
                    kabag,
                    "kasubbag",
                    (33, 34),
                    _EDU_PENGAWAS,
                    "gov",
                    sub_t.outs or PENGAWAS_PATTERNS,
                    9,
                    female=0.45,
                )
                self.staff(sub, kasub, sub_t.staff or t.staff, self.n(size.staff), "gov")

    def schools(self, bidang: Unit, kabid: Position, level: str, count: int) -> None:
        s, size, rng = self.s, self.size, self.rng
        per_kec: dict[str, int] = {}
        for i in range(count):
            kec = KECAMATAN[i % len(KECAMATAN)]
            per_kec[kec] = per_kec.get(kec, 0) + 1
            nama = f"{level} Negeri {per_kec[kec]} {kec}"
            unit = s.unit(bidang, nama, "upt", "sekolah", region=kec, topic=nama)
            kepsek = s.position(
                "Kepala Sekolah (Guru Ahli Madya)",
                "fungsional",
                unit,
                kabid,
                "kepsek",
                jenjang="MA",
                kelas=11,
                gol=(41, 42),
                edu=(("S1", 0.5), ("S2", 0.5)),
                field="edu",
                female=0.5,
                is_kepala_unit=True,
                outs=KEPSEK_OUTS,
                bup=60,
                profile=PROFILES["guru"],
            )
            kepsek.slots = [Slot()]
            n_guru = self.n(size.guru_sd if level == "SD" else size.guru_smp)
            tags = self._teacher_tags(level, n_guru)
            groups: dict[str, list[Slot]] = {}
            for tag in tags:
                prof = PROFILES["guru"]
                pppk = rng.random() < prof.pppk
                jenjang = (
                    "PT"
                    if pppk
                    else rng.choices(
                        [j for j, _ in prof.jenjang], weights=[w for _, w in prof.jenjang]
                    )[0]
                )
                groups.setdefault(jenjang, []).append(Slot(pppk=pppk, tag=tag))
            for jenjang in ("PT", "MU", "MA"):
                if jenjang in groups:
                    self.staff_position(
                        unit, kepsek, PROFILES["guru"], jenjang, groups[jenjang], "edu"
                    )
            tu = 1 if level == "SD" else 2
            self.staff(unit, kepsek, ("admin",), tu, "general")

    def _teacher_tags(self, level: str, n: int) -> list[str]:
        if level == "SD":
            base = [f"{k}" for k in _SD_KELAS] + list(_SD_MAPEL)
            tags = []
            for i in range(n):
                tag = base[i % len(base)]
                if i >= len(base):
                    tag = f"{tag} rombel {'ABCD'[(i // len(base)) % 4]}"
                tags.append(tag)
            return tags
        tags = []
        for i in range(n):
            mapel = _SMP_MAPEL[i % len(_SMP_MAPEL)]
            kelas = _SMP_KELAS[(i // len(_SMP_MAPEL)) % len(_SMP_KELAS)]
            tags.append(
                f"{mapel} {kelas}" if mapel != "Bimbingan dan Konseling" else f"{mapel} {kelas}"
            )
        return tags

    def puskesmas(self, bidang: Unit, kabid: Position) -> None:
        s, size = self.s, self.size
        desa = list(DESA)
        for i in range(size.puskesmas):
            kec = KECAMATAN[i % len(KECAMATAN)]
            suffix = "" if i < len(KECAMATAN) else " II"
            nama = f"UPTD Puskesmas {kec}{suffix}"
            unit = s.unit(bidang, nama, "upt", "puskesmas", region=kec, topic=nama)
            kapus = self.head(
                unit,
                f"Kepala {nama}",
                "pengawas",
                "41",
                kabid,
                "kapus",
                (33, 41),
                (("S1", 0.6), ("S2", 0.4)),
                "health",
                KAPUS_OUTS,
                9,
                female=0.5,
            )
            tu = s.unit(
                unit,
                f"Subbagian Tata Usaha {nama}",
                "subbagian",
                "sub",
                topic=nama,
            )
            kasubbag = self.head(
                tu,
                f"Kepala Subbagian Tata Usaha {nama}",
                "pengawas",
                "42",
                kapus,
                "kasubbag",
                (32, 34),
                _EDU_PENGAWAS,
                "health",
                KASUBBAG_TU_PKM,
                8,
                female=0.55,
            )
            self.staff(tu, kasubbag, ("admin", "op_kesehatan", "bendahara"), 2 + (i % 2), "health")
            n = self.n(size.nakes)
            keys = (
                "dokter",
                "perawat",
                "bidan",
                "perawat",
                "bidan",
                "apoteker",
                "sanitarian",
                "nutrisionis",
                "pranata_lab",
                "promkes",
                "perekam_medis",
                "perawat",
                "bidan",
            )
            regions = [f"di wilayah binaan Desa {desa[(i * 7 + k) % len(desa)]}" for k in range(8)]
            self.staff(unit, kapus, keys, n, "health", regions=regions)

    def kecamatan(self, nama: str, index: int, capital: bool) -> None:
        s, size = self.s, self.size
        t = OpdT(
            f"kec_{nama.lower()}",
            f"Kecamatan {nama}",
            f"Kec. {nama}",
            "kecamatan",
            f"Camat {nama}",
            "gov",
            (),
            staff=("ops", "admin", "data"),
            tiny=True,
        )
        unit = s.unit(
            s.root,
            t.nama,
            "kecamatan",
            "kecamatan",
            opd=None,
            opd_t=t,
            singkatan=t.singkatan,
            kode=f"{index:02d}",
            is_opd=True,
            region=nama,
        )
        unit.opd = unit
        s.opds.append(unit)
        camat = self.head(
            unit,
            t.head,
            "administrator",
            "31",
            s.sekda,
            "camat",
            (41, 42),
            _EDU_ADM,
            "gov",
            (),
            12,
            female=0.2,
        )
        self.sekretariat(unit, camat, t, kecamatan=nama)
        seksi = _KECAMATAN_SEKSI[: max(2, min(len(_KECAMATAN_SEKSI), size.max_subs + 1))]
        for sn in seksi:
            sub = s.unit(
                unit, sn, "seksi", "sub", topic=topic_of(sn) + f" Kecamatan {nama}", region=nama
            )
            kasi = self.head(
                sub,
                "Kepala " + sn,
                "pengawas",
                "41",
                camat,
                "kasi",
                (33, 34),
                _EDU_PENGAWAS,
                "gov",
                PENGAWAS_PATTERNS,
                9,
                female=0.35,
            )
            self.staff(
                sub,
                kasi,
                ("ops", "admin", "psm"),
                self.n(size.staff),
                "gov",
                regions=[f"di Desa {d}" for d in DESA[index % 7 :: 7]],
            )
        n_kel = size.kelurahan[0] if capital else size.kelurahan[1]
        for k in range(n_kel):
            kel_nama = KELURAHAN[(index * 3 + k) % len(KELURAHAN)] if not capital else KELURAHAN[k]
            kel = s.unit(
                unit,
                f"Kelurahan {kel_nama}",
                "kelurahan",
                "kelurahan",
                region=nama,
                topic=f"Kelurahan {kel_nama}",
            )
            lurah = self.head(
                kel,
                f"Lurah {kel_nama}",
                "pengawas",
                "41",
                camat,
                "lurah",
                (33, 34),
                _EDU_PENGAWAS,
                "gov",
                LURAH_OUTS,
                9,
                female=0.3,
            )
            for sn in ("Sekretariat Kelurahan", *_KELURAHAN_SUBS):
                sub = s.unit(
                    kel,
                    f"{sn} {kel_nama}",
                    "sekretariat" if sn.startswith("Sekretariat") else "seksi",
                    "sub",
                    topic=topic_of(sn) + f" Kelurahan {kel_nama}",
                    in_sekretariat=sn.startswith("Sekretariat"),
                )
                title = (
                    f"Sekretaris Kelurahan {kel_nama}"
                    if sn.startswith("Sekretariat")
                    else f"Kepala {sn} Kelurahan {kel_nama}"
                )
                kasi = self.head(
                    sub,
                    title,
                    "pengawas",
                    "42",
                    lurah,
                    "kasi",
                    (32, 33),
                    _EDU_PENGAWAS,
                    "gov",
                    PENGAWAS_PATTERNS,
                    8,
                    female=0.4,
                )
                self.staff(
                    sub, kasi, ("admin", "ops"), 1 + (self.size.staff[0] // 2), "gov", regions=[]
                )

    def apply_vacancies(self) -> None:
        s = self.s
        for opd_key, role, unit_nama, plt_role in VACANCIES:
            target = next(
                (
                    p
                    for p in s.positions
                    if p.unit.opd_t is not None
                    and p.unit.opd_t.key == opd_key
                    and p.role == role
                    and (not unit_nama or p.unit.nama == unit_nama)
                ),
                None,
            )
            if target is None:
                continue
            target.vacant = True
            target.slots = []
            if plt_role:
                target.plt = next(
                    (
                        p
                        for p in s.positions
                        if p.unit.opd is target.unit.opd and p.role == plt_role and not p.vacant
                    ),
                    None,
                )


def build_structure(size: SizeSpec, rng: random.Random) -> Structure:
    """Build the unit and position tree of the demo regency for ``size``."""
    return _Builder(size, rng).build()
