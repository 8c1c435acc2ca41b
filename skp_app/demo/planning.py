"""Planning data of the demo regency: periods, RPJMD and OPD goals, and everybody's SKP.

The RPJMD 2025–2029 of the Bupati (visi → 3 misi → tujuan → 9 sasaran with IKU and yearly
targets) is supported by 2–4 Renstra sasaran per OPD. The SKP of each JPT (and of each Camat,
who leads a unit kerja mandiri) takes its RHK from the sasaran of its OPD with a perspektif;
everybody else's RHK utama intervene an RHK of their pejabat penilai (the direct superior, or
the Plt), as PermenPANRB 6/2022 asks (``domain.md`` §3). Where a template says so (Bappeda,
Diskominfo, the puskesmas) or at random in some units, the cascade is *direct*: the children's
kuantitas targets add up exactly to the parent's (PermenPANRB 8/2021).

The cascade is clean except for a handful of deliberate defects that the cascade checks must
find; :func:`plan_skps` returns them as :class:`Defect` rows.
"""

from __future__ import annotations

import random
import re
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from skp_app.demo.people import Person
from skp_app.demo.structure import (
    ADMIN_PATTERNS,
    KECAMATAN,
    PENGAWAS_PATTERNS,
    PROFILES,
    TAMBAHAN,
    Out,
    Structure,
    Unit,
)

__all__ = [
    "BERAKHLAK_EKSPEKTASI",
    "OPD_SASARAN",
    "REGENT",
    "Defect",
    "GoalPlan",
    "IkiPlan",
    "RhkPlan",
    "SkpPlan",
    "plan_goals",
    "plan_skps",
]

TAHUN = 2026
RPJMD = (2025, 2029)


# --------------------------------------------------------------------------- goals


@dataclass(frozen=True, slots=True)
class _Ind:
    teks: str
    satuan: str
    awal: float  # 2025 target
    akhir: float  # 2029 target
    lower: bool = False


@dataclass(frozen=True, slots=True)
class _Goal:
    teks: str
    ind: tuple[_Ind, ...] = ()
    children: tuple[_Goal, ...] = ()
    code: str = ""


def _g(teks, *ind, children=(), code="") -> _Goal:
    return _Goal(teks, tuple(ind), tuple(children), code)


def _i(teks, satuan, awal, akhir, lower=False) -> _Ind:
    return _Ind(teks, satuan, awal, akhir, lower)


# fmt: off
REGENT = _g(
    "Terwujudnya Kabupaten Sukamaju yang Maju, Sejahtera dan Berdaya Saing Berlandaskan Nilai "
    "Religius dan Kearifan Lokal",
    children=(
        _g(
            "Meningkatkan kualitas sumber daya manusia yang sehat, cerdas dan berkarakter",
            children=(
                _g(
                    "Mewujudkan sumber daya manusia yang sehat, cerdas dan berdaya saing",
                    _i("Indeks Pembangunan Manusia", "Indeks", 72.5, 74.3),
                    children=(
                        _g(
                            "Meningkatnya kualitas sumber daya manusia",
                            _i("Indeks Pembangunan Manusia", "Indeks", 72.5, 74.3),
                            code="S1",
                        ),
                        _g(
                            "Meningkatnya derajat kesehatan masyarakat",
                            _i("Usia Harapan Hidup", "Tahun", 72.1, 72.6),
                            _i("Prevalensi balita stunting", "%", 18.5, 12.0, True),
                            code="S2",
                        ),
                        _g(
                            "Meningkatnya akses dan mutu pendidikan",
                            _i("Rata-rata Lama Sekolah", "Tahun", 7.85, 8.4),
                            _i("Harapan Lama Sekolah", "Tahun", 12.6, 13.05),
                            code="S3",
                        ),
                    ),
                ),
            ),
        ),
        _g(
            "Mewujudkan perekonomian daerah yang tangguh, inklusif dan berkelanjutan berbasis "
            "potensi lokal",
            children=(
                _g(
                    "Meningkatkan pertumbuhan ekonomi dan kesejahteraan masyarakat",
                    _i("Pendapatan per kapita", "Juta Rupiah", 38.5, 46.0),
                    children=(
                        _g(
                            "Meningkatnya pertumbuhan ekonomi daerah yang inklusif",
                            _i("Laju Pertumbuhan Ekonomi", "%", 5.1, 5.6),
                            code="S4",
                        ),
                        _g(
                            "Menurunnya angka kemiskinan dan pengangguran",
                            _i("Persentase Penduduk Miskin", "%", 10.2, 8.0, True),
                            _i("Tingkat Pengangguran Terbuka", "%", 5.4, 4.5, True),
                            code="S5",
                        ),
                    ),
                ),
            ),
        ),
        _g(
            "Mewujudkan tata kelola pemerintahan yang bersih, efektif dan melayani serta "
            "infrastruktur yang merata dan berwawasan lingkungan",
            children=(
                _g(
                    "Meningkatkan kualitas infrastruktur dan lingkungan hidup",
                    _i("Indeks Infrastruktur Wilayah", "Indeks", 61.0, 68.0),
                    children=(
                        _g(
                            "Meningkatnya kualitas infrastruktur wilayah",
                            _i("Persentase jalan kabupaten dalam kondisi mantap", "%", 72.0, 82.0),
                            code="S6",
                        ),
                        _g(
                            "Meningkatnya kualitas lingkungan hidup dan ketangguhan bencana",
                            _i("Indeks Kualitas Lingkungan Hidup", "Indeks", 68.5, 70.5),
                            _i("Indeks Risiko Bencana", "Indeks", 140.2, 128.0, True),
                            code="S7",
                        ),
                    ),
                ),
                _g(
                    "Meningkatkan kualitas tata kelola pemerintahan dan pelayanan publik",
                    _i("Indeks Reformasi Birokrasi", "Indeks", 62.5, 72.0),
                    children=(
                        _g(
                            "Meningkatnya akuntabilitas dan kualitas tata kelola pemerintahan",
                            _i("Indeks Reformasi Birokrasi", "Indeks", 62.5, 72.0),
                            _i("Nilai SAKIP Pemerintah Daerah", "Nilai", 68.0, 76.0),
                            code="S8",
                        ),
                        _g(
                            "Meningkatnya kualitas pelayanan publik",
                            _i("Indeks Kepuasan Masyarakat", "Indeks", 82.5, 86.0),
                            _i("Indeks SPBE", "Indeks", 2.6, 3.5),
                            code="S9",
                        ),
                    ),
                ),
            ),
        ),
    ),
)

# OPD key -> [(sasaran, indikator, satuan, 2025, 2029, lower_is_better, regent code, key)]
_S = tuple
OPD_SASARAN: dict[str, tuple[_S, ...]] = {
    "setda": (
        (
            "Meningkatnya kualitas koordinasi penyelenggaraan pemerintahan dan kesejahteraan "
            "rakyat",
            "Persentase rekomendasi kebijakan pemerintahan dan kesra yang ditindaklanjuti", "%",
            80, 95, False, "S8", "setda_pem",
        ),
        (
            "Meningkatnya kualitas koordinasi perekonomian dan pembangunan",
            "Persentase realisasi fisik kegiatan strategis daerah", "%", 85, 98, False, "S4",
            "setda_ekbang",
        ),
        (
            "Meningkatnya kualitas kelembagaan dan tata laksana pemerintahan daerah",
            "Indeks Reformasi Birokrasi", "Indeks", 62.5, 72, False, "S8", "setda_rb",
        ),
    ),
    "setwan": (
        (
            "Meningkatnya kualitas fasilitasi fungsi legislasi, anggaran dan pengawasan DPRD",
            "Persentase rancangan peraturan daerah yang ditetapkan sesuai Propemperda", "%", 70,
            90, False, "S8", "",
        ),
        (
            "Meningkatnya kualitas pelayanan administrasi dan persidangan DPRD",
            "Indeks kepuasan anggota DPRD terhadap layanan Sekretariat DPRD", "Indeks", 78, 88,
            False, "S9", "",
        ),
    ),
    "inspektorat": (
        (
            "Meningkatnya kualitas pengawasan internal pemerintah daerah",
            "Level Kapabilitas APIP", "Level", 2.8, 3.5, False, "S8", "",
        ),
        (
            "Meningkatnya kualitas penerapan sistem pengendalian intern pemerintah",
            "Nilai Maturitas SPIP", "Level", 3.1, 3.6, False, "S8", "",
        ),
    ),
    "bappeda": (
        (
            "Meningkatnya kualitas perencanaan pembangunan daerah",
            "Persentase konsistensi program RPJMD dalam RKPD", "%", 95, 100, False, "S8", "",
        ),
        (
            "Meningkatnya kualitas pengendalian dan evaluasi pembangunan daerah",
            "Persentase capaian target kinerja RKPD", "%", 85, 92, False, "S8", "",
        ),
        (
            "Meningkatnya pemanfaatan hasil penelitian dan inovasi daerah",
            "Indeks Inovasi Daerah", "Indeks", 45, 60, False, "S9", "",
        ),
    ),
    "bkpsdm": (
        (
            "Meningkatnya profesionalitas aparatur sipil negara", "Indeks Profesionalitas ASN",
            "Indeks", 68, 78, False, "S8", "",
        ),
        (
            "Meningkatnya kualitas manajemen ASN berbasis sistem merit", "Nilai Sistem Merit",
            "Nilai", 250, 325, False, "S8", "",
        ),
    ),
    "bpkad": (
        (
            "Meningkatnya kualitas pengelolaan keuangan daerah",
            "Persentase realisasi belanja daerah", "%", 88, 95, False, "S8", "",
        ),
        (
            "Meningkatnya kualitas pengelolaan aset daerah",
            "Persentase aset tanah yang bersertifikat", "%", 45, 80, False, "S8", "",
        ),
    ),
    "bapenda": (
        (
            "Meningkatnya pendapatan asli daerah",
            "Persentase realisasi pendapatan asli daerah terhadap target", "%", 95, 102, False,
            "S4", "",
        ),
        (
            "Meningkatnya kepatuhan wajib pajak daerah",
            "Persentase realisasi penerimaan PBB-P2 terhadap ketetapan", "%", 70, 85, False, "S4",
            "",
        ),
    ),
    "bpbd": (
        (
            "Meningkatnya ketangguhan masyarakat dalam menghadapi bencana",
            "Jumlah desa tangguh bencana", "Desa", 20, 45, False, "S7", "",
        ),
        (
            "Meningkatnya kecepatan penanganan darurat bencana",
            "Persentase kejadian bencana yang tertangani kurang dari 24 jam", "%", 85, 100, False,
            "S7", "",
        ),
    ),
    "kesbangpol": (
        (
            "Meningkatnya kondusivitas kehidupan politik dan kemasyarakatan",
            "Persentase konflik sosial yang tertangani", "%", 90, 100, False, "S8", "",
        ),
        (
            "Meningkatnya wawasan kebangsaan masyarakat",
            "Persentase organisasi kemasyarakatan yang aktif dan terdaftar", "%", 60, 80, False,
            "S8", "",
        ),
    ),
    "satpolpp": (
        (
            "Meningkatnya ketenteraman dan ketertiban umum",
            "Persentase penegakan peraturan daerah yang tuntas", "%", 75, 92, False, "S8", "",
        ),
        (
            "Meningkatnya kecepatan penanganan kebakaran",
            "Persentase penanganan kebakaran sesuai waktu tanggap 15 menit", "%", 70, 90, False,
            "S7", "",
        ),
    ),
    "disdik": (
        (
            "Meningkatnya akses dan mutu pendidikan dasar", "Angka Partisipasi Murni SD/MI", "%",
            97.5, 99, False, "S3", "",
        ),
        (
            "Meningkatnya mutu pembelajaran",
            "Persentase satuan pendidikan dengan capaian literasi kategori baik", "%", 55, 75,
            False, "S3", "",
        ),
        (
            "Meningkatnya akses pendidikan anak usia dini", "Angka Partisipasi Kasar PAUD", "%",
            72, 85, False, "S3", "",
        ),
    ),
    "dinkes": (
        (
            "Menurunnya angka kematian ibu dan bayi",
            "Angka Kematian Bayi per 1.000 kelahiran hidup", "per 1.000 KH", 9.5, 7.5, True, "S2",
            "",
        ),
        (
            "Menurunnya prevalensi balita stunting", "Prevalensi balita stunting", "%", 18.5, 12,
            True, "S2", "",
        ),
        (
            "Meningkatnya mutu pelayanan kesehatan",
            "Persentase puskesmas terakreditasi paripurna", "%", 30, 70, False, "S2", "",
        ),
    ),
    "rsud": (
        (
            "Meningkatnya mutu pelayanan rumah sakit",
            "Indeks Kepuasan Masyarakat terhadap layanan RSUD", "Indeks", 80, 88, False, "S2", "",
        ),
        (
            "Meningkatnya keselamatan pasien", "Angka kematian pasien lebih dari 48 jam", "Permil",
            28, 22, True, "S2", "",
        ),
    ),
    "dpupr": (
        (
            "Meningkatnya kondisi jalan kabupaten yang mantap",
            "Persentase jalan kabupaten dalam kondisi mantap", "%", 72, 82, False, "S6", "",
        ),
        (
            "Meningkatnya layanan irigasi dan air minum",
            "Persentase daerah irigasi kewenangan kabupaten dalam kondisi baik", "%", 60, 75,
            False, "S6", "",
        ),
        (
            "Meningkatnya kesesuaian pemanfaatan ruang",
            "Persentase kesesuaian pemanfaatan ruang dengan RTRW", "%", 75, 88, False, "S7", "",
        ),
    ),
    "perkimtan": (
        (
            "Meningkatnya akses masyarakat terhadap hunian layak",
            "Persentase rumah tangga yang menempati rumah layak huni", "%", 78, 88, False, "S6",
            "",
        ),
        (
            "Berkurangnya luas kawasan permukiman kumuh", "Luas kawasan permukiman kumuh",
            "Hektare", 45, 20, True, "S6", "",
        ),
    ),
    "dlh": (
        (
            "Meningkatnya kualitas lingkungan hidup", "Indeks Kualitas Lingkungan Hidup", "Indeks",
            68.5, 71, False, "S7", "",
        ),
        (
            "Meningkatnya pengelolaan sampah", "Persentase sampah rumah tangga yang tertangani",
            "%", 55, 75, False, "S7", "",
        ),
    ),
    "disdukcapil": (
        (
            "Meningkatnya kualitas pelayanan administrasi kependudukan",
            "Persentase penduduk wajib KTP yang memiliki KTP elektronik", "%", 97, 99.5, False,
            "S9", "",
        ),
        (
            "Meningkatnya kepemilikan dokumen pencatatan sipil",
            "Cakupan kepemilikan akta kelahiran anak 0-18 tahun", "%", 92, 98, False, "S9", "",
        ),
    ),
    "dpmd": (
        (
            "Meningkatnya kemandirian desa", "Jumlah desa berstatus mandiri", "Desa", 12, 40,
            False, "S5", "",
        ),
        (
            "Meningkatnya kualitas tata kelola pemerintahan desa",
            "Persentase desa yang menyampaikan laporan keuangan desa tepat waktu", "%", 80, 100,
            False, "S8", "",
        ),
    ),
    "dp3ap2kb": (
        (
            "Meningkatnya pemberdayaan perempuan dan perlindungan anak",
            "Indeks Pembangunan Gender", "Indeks", 90.2, 92, False, "S1", "",
        ),
        (
            "Menurunnya angka kelahiran total", "Angka kelahiran total", "Anak per wanita", 2.21,
            2.1, True, "S1", "",
        ),
    ),
    "dinsos": (
        (
            "Meningkatnya penanganan penyandang masalah kesejahteraan sosial",
            "Persentase PPKS yang tertangani", "%", 70, 85, False, "S5", "",
        ),
        (
            "Meningkatnya akurasi data penerima bantuan sosial",
            "Persentase data DTKS yang terverifikasi dan tervalidasi", "%", 75, 95, False, "S5",
            "",
        ),
    ),
    "disnakertrans": (
        (
            "Meningkatnya penyerapan tenaga kerja", "Tingkat Pengangguran Terbuka", "%", 5.4, 4.5,
            True, "S5", "",
        ),
        (
            "Meningkatnya kompetensi tenaga kerja",
            "Persentase lulusan pelatihan berbasis kompetensi yang ditempatkan", "%", 40, 60,
            False, "S5", "",
        ),
    ),
    "diskopukm": (
        (
            "Meningkatnya daya saing koperasi dan UMKM", "Persentase koperasi aktif", "%", 55, 70,
            False, "S4", "",
        ),
        (
            "Meningkatnya usaha mikro yang naik kelas", "Jumlah usaha mikro yang naik kelas",
            "Unit Usaha", 150, 500, False, "S4", "",
        ),
    ),
    "dpmptsp": (
        (
            "Meningkatnya realisasi investasi daerah", "Nilai realisasi investasi",
            "Miliar Rupiah", 850, 1400, False, "S4", "",
        ),
        (
            "Meningkatnya kualitas pelayanan perizinan",
            "Indeks Kepuasan Masyarakat terhadap layanan perizinan", "Indeks", 82, 88, False, "S9",
            "",
        ),
    ),
    "dishub": (
        (
            "Meningkatnya keselamatan dan kelancaran lalu lintas",
            "Persentase ruas jalan kabupaten dengan perlengkapan jalan memadai", "%", 55, 75,
            False, "S6", "",
        ),
        (
            "Meningkatnya layanan angkutan umum", "Persentase trayek angkutan umum yang terlayani",
            "%", 60, 80, False, "S6", "",
        ),
    ),
    "diskominfo": (
        (
            "Meningkatnya layanan SPBE terintegrasi", "Indeks SPBE Kabupaten", "Indeks", 2.85, 3.6,
            False, "S9", "",
        ),
        (
            "Meningkatnya keterbukaan informasi publik", "Nilai Keterbukaan Informasi Publik",
            "Nilai", 78, 90, False, "S8", "",
        ),
        (
            "Meningkatnya ketersediaan data statistik sektoral",
            "Persentase perangkat daerah yang menyediakan data sektoral sesuai standar", "%", 60,
            95, False, "S9", "",
        ),
    ),
    "distan": (
        (
            "Meningkatnya produksi dan produktivitas pertanian", "Produktivitas padi",
            "Kuintal/Ha", 56.5, 60, False, "S4", "",
        ),
        (
            "Meningkatnya kesejahteraan petani", "Nilai Tukar Petani", "Indeks", 104, 110, False,
            "S5", "",
        ),
        (
            "Meningkatnya populasi dan kesehatan ternak",
            "Persentase kasus penyakit hewan menular strategis yang tertangani", "%", 80, 95,
            False, "S4", "",
        ),
    ),
    "diskan": (
        (
            "Meningkatnya produksi perikanan", "Jumlah produksi perikanan budidaya", "Ton", 12500,
            16000, False, "S4", "",
        ),
        (
            "Meningkatnya konsumsi ikan masyarakat", "Angka konsumsi ikan", "Kg/kapita/tahun", 35,
            42, False, "S2", "",
        ),
    ),
    "disdag": (
        (
            "Terkendalinya harga dan ketersediaan barang kebutuhan pokok",
            "Koefisien variasi harga barang kebutuhan pokok", "%", 8, 5, True, "S4", "",
        ),
        (
            "Meningkatnya tertib ukur dan perlindungan konsumen",
            "Persentase alat ukur, takar, timbang dan perlengkapannya yang bertanda tera sah", "%",
            65, 85, False, "S4", "",
        ),
    ),
    "disparbud": (
        (
            "Meningkatnya kunjungan wisata", "Jumlah kunjungan wisatawan", "Orang", 850000,
            1200000, False, "S4", "",
        ),
        (
            "Meningkatnya pelestarian kebudayaan daerah",
            "Persentase cagar budaya yang dilestarikan", "%", 40, 65, False, "S1", "",
        ),
    ),
    "dispora": (
        (
            "Meningkatnya peran pemuda dalam pembangunan", "Indeks Pembangunan Pemuda", "Indeks",
            52, 58, False, "S1", "",
        ),
        (
            "Meningkatnya prestasi olahraga", "Jumlah medali pada Pekan Olahraga Provinsi",
            "Medali", 25, 40, False, "S1", "",
        ),
    ),
    "dispusip": (
        (
            "Meningkatnya budaya gemar membaca masyarakat", "Tingkat Kegemaran Membaca", "Nilai",
            62, 70, False, "S1", "",
        ),
        (
            "Meningkatnya tertib pengelolaan arsip", "Nilai pengawasan kearsipan internal",
            "Nilai", 65, 80, False, "S8", "",
        ),
    ),
    "dkp": (
        (
            "Meningkatnya ketahanan pangan daerah", "Indeks Ketahanan Pangan", "Indeks", 74, 80,
            False, "S2", "",
        ),
        (
            "Meningkatnya kualitas konsumsi pangan masyarakat", "Skor Pola Pangan Harapan", "Skor",
            86, 92, False, "S2", "",
        ),
    ),
    "kecamatan": (
        (
            "Meningkatnya kualitas pelayanan publik di {opd}",
            "Indeks Kepuasan Masyarakat terhadap layanan kecamatan", "Indeks", 80, 88, False, "S9",
            "",
        ),
        (
            "Meningkatnya kualitas penyelenggaraan pemerintahan kewilayahan di {opd}",
            "Persentase desa/kelurahan dengan penyelenggaraan pemerintahan kategori baik", "%", 70,
            90, False, "S8", "",
        ),
    ),
}
# fmt: on


@dataclass(slots=True, eq=False)
class GoalPlan:
    """A row of ``sasaran`` with its indicators and yearly targets."""

    id: int
    level: str
    jenis: str
    teks: str
    kode: str
    parent: GoalPlan | None = None
    supports: GoalPlan | None = None
    opd: Unit | None = None
    key: str = ""
    perspektif: str = ""
    indikator: list[tuple[str, str, bool, bool, dict[int, Decimal]]] = field(default_factory=list)


def _targets(awal: float, akhir: float) -> dict[int, Decimal]:
    years = range(RPJMD[0], RPJMD[1] + 1)
    span = RPJMD[1] - RPJMD[0]
    places = 0 if abs(akhir) >= 1000 else 2
    out = {}
    for k, year in enumerate(years):
        value = awal + (akhir - awal) * k / span
        out[year] = Decimal(str(round(value, places))).quantize(
            Decimal(1) if places == 0 else Decimal("0.01")
        )
    return out


def plan_goals(structure: Structure) -> tuple[list[GoalPlan], dict[int, list[GoalPlan]]]:
    """Return every sasaran row (RPJMD then OPD) and the OPD sasaran per OPD unit id."""
    goals: list[GoalPlan] = []
    by_code: dict[str, GoalPlan] = {}

    def add(**kw) -> GoalPlan:
        g = GoalPlan(id=len(goals) + 1, **kw)
        goals.append(g)
        return g

    levels = ("visi", "misi", "tujuan", "sasaran")
    stack: list[tuple[_Goal, GoalPlan | None, int, str]] = [(REGENT, None, 0, "1")]
    while stack:
        node, parent, depth, kode = stack.pop(0)
        g = add(level="regent", jenis=levels[depth], teks=node.teks, kode=kode, parent=parent)
        for ind in node.ind:
            g.indikator.append(
                (ind.teks, ind.satuan, depth == 3, ind.lower, _targets(ind.awal, ind.akhir))
            )
        if node.code:
            by_code[node.code] = g
        for i, child in enumerate(node.children, start=1):
            stack.append((child, g, depth + 1, f"{kode}.{i}"))
    per_opd: dict[int, list[GoalPlan]] = {}
    for opd in structure.opds:
        t = opd.opd_t
        specs = OPD_SASARAN.get("kecamatan" if t.kind == "kecamatan" else t.key, ())
        rows = []
        for n, (teks, ind, satuan, awal, akhir, lower, code, key) in enumerate(specs, start=1):
            g = add(
                level="opd",
                jenis="sasaran",
                teks=teks.format(opd=opd.nama),
                kode=f"{opd.kode}.S{n}",
                supports=by_code[code],
                opd=opd,
                key=key or f"{t.key}_{n}",
                perspektif="penerima_layanan" if n % 2 else "proses_bisnis",
            )
            if t.key in ("bpkad", "bapenda") and n == 1:
                g.perspektif = "anggaran"
            g.indikator.append((ind, satuan, False, lower, _targets(awal, akhir)))
            rows.append(g)
        base = 64 + (opd.id * 7) % 9
        g = add(
            level="opd",
            jenis="sasaran",
            teks=f"Meningkatnya akuntabilitas kinerja dan pengelolaan keuangan {opd.nama}",
            kode=f"{opd.kode}.S{len(rows) + 1}",
            supports=by_code["S8"],
            opd=opd,
            key="internal",
            perspektif="penguatan_internal",
        )
        g.indikator.append(
            (f"Nilai SAKIP {opd.singkatan}", "Nilai", False, False, _targets(base, base + 8))
        )
        rows.append(g)
        per_opd[opd.id] = rows
    return goals, per_opd


# --------------------------------------------------------------------------- SKP plans


@dataclass(slots=True)
class IkiPlan:
    aspek: str
    teks: str
    target: Decimal
    satuan: str
    lower: bool = False


@dataclass(slots=True, eq=False)
class RhkPlan:
    owner: SkpPlan
    jenis: str
    teks: str
    iki: list[IkiPlan]
    out: Out | None = None
    key: str = ""
    internal: bool = False
    parent: RhkPlan | None = None
    parent_goal: GoalPlan | None = None
    cascading: str = "non_direct"
    perspektif: str | None = None
    id: int = 0
    urutan: int = 0
    children: list[RhkPlan] = field(default_factory=list)
    scope: str = ""  # wilayah or unit that tells apart equal results under one parent


@dataclass(slots=True, eq=False)
class SkpPlan:
    person: Person
    penilai: Person | None
    atasan_penilai: Person | None
    is_jpt: bool
    link: str  # "goal" (JPT, Camat) or "rhk"
    depth: int = 0
    status: str = "draft"
    id: int = 0
    rhk: list[RhkPlan] = field(default_factory=list)
    forced_status: str = ""
    spare: list[Out] = field(default_factory=list)  # templates not used yet


@dataclass(slots=True)
class Defect:
    """A deliberate flaw in the demo cascade and the finding code that should report it."""

    code: str
    description: str
    rhk: RhkPlan

    @property
    def person(self) -> Person:
        return self.rhk.owner.person


_DOC_UNITS = {
    "Dokumen",
    "Laporan",
    "Kajian",
    "Telaahan",
    "Publikasi",
    "Notula",
    "Rekap",
    "Rancangan",
    "Siaran Pers",
    "Tabel",
    "Modul",
    "Materi",
}
_NORM = re.compile(r"[\W_]+")


def _clean(text: str) -> str:
    return " ".join(text.split()).replace(" ,", ",")


def norm(text: str) -> str:
    """Normalise a text the way the duplicate check compares RHK."""
    return " ".join(_NORM.sub(" ", text.casefold()).split())


def _qty(rng: random.Random, lo: int, hi: int) -> int:
    value = rng.randint(lo, hi)
    if hi >= 1000:
        return max(lo, round(value, -2) if hi >= 10000 else round(value, -1))
    if hi >= 200:
        return max(lo, round(value, -1))
    return value


_REPEAT = re.compile(r"\b(\w+) \1\b", re.IGNORECASE)


def _fmt(template: str, ctx: dict[str, str]) -> str:
    """Fill a template ("kajian perencanaan pembangunan {topic}" with a topic that starts with
    "pembangunan" does not say "pembangunan pembangunan")."""
    text = _clean(template.format(**ctx))
    return _REPEAT.sub(r"\1", text) if "{topic}" in template else text


_SERVICE_UNITS = {
    "Layanan",
    "Permohonan",
    "Pengaduan",
    "Resep",
    "Kunjungan",
    "Orang",
    "Berkas",
    "Usulan",
    "Surat",
    "Aduan",
}


def _iki_for(rng: random.Random, obj: str, pp: str, satuan: str, target: int) -> list[IkiPlan]:
    """Return the kuantitas, kualitas and waktu IKI of a result about ``obj``."""
    kuantitas = IkiPlan("kuantitas", _clean(f"Jumlah {obj} yang {pp}"), Decimal(target), satuan)
    if satuan in _DOC_UNITS:
        kualitas = IkiPlan(
            "kualitas",
            _clean(f"Persentase {obj} yang {pp} tanpa revisi"),
            Decimal(rng.choice((90, 95, 100))),
            "%",
        )
        waktu = _clean(f"Ketepatan waktu penyusunan {obj}")
    elif obj.startswith("layanan") and rng.random() < 0.5:
        kualitas = IkiPlan(
            "kualitas",
            _clean(f"Tingkat kepuasan penerima {obj}"),
            Decimal(rng.choice((80, 85, 90))),
            "%",
        )
        waktu = "Ketepatan waktu pelaksanaan layanan"
    else:
        kualitas = IkiPlan(
            "kualitas",
            _clean(f"Persentase {obj} yang {pp} sesuai standar"),
            Decimal(rng.choice((90, 95, 100))),
            "%",
        )
        waktu = (
            "Ketepatan waktu pelaksanaan layanan"
            if satuan in _SERVICE_UNITS
            else "Ketepatan waktu pelaksanaan kegiatan"
        )
    return [kuantitas, kualitas, IkiPlan("waktu", waktu, Decimal(12), "Bulan")]


class _Planner:
    def __init__(
        self,
        structure: Structure,
        people: list[Person],
        superiors: dict[int, int | None],
        goals_by_opd: dict[int, list[GoalPlan]],
        rng: random.Random,
    ):
        self.structure = structure
        self.people = people
        self.by_id = {p.id: p for p in people}
        self.superiors = superiors
        self.goals_by_opd = goals_by_opd
        self.rng = rng
        self.holder_index: dict[int, int] = {}
        self.defects: list[Defect] = []
        self.no_skp: list[Person] = []
        self.examples: dict[str, Person] = {}
        self.bidang_names: dict[int, list[str]] = {}
        for opd in structure.opds:
            self.bidang_names[opd.id] = [u.nama for u in opd.children if u.kind != "sekretariat"]

    # -- who has an SKP ---------------------------------------------------------------------

    def skps(self) -> list[SkpPlan]:
        owners = [p for p in self.people if p.must_have_skp]
        owner_ids = {p.id for p in owners}
        children: dict[int, list[int]] = {}
        for pid, sup in self.superiors.items():
            if sup is not None and pid in owner_ids:
                children.setdefault(sup, []).append(pid)
        self._pick_examples()
        protected = {p.id for p in self.examples.values()}
        skip: set[int] = set()
        rng = self.rng
        for p in owners:
            if p.id in children or p.id in protected or p.position.role != "staff":
                continue
            opd = p.unit.opd
            if opd is None or opd.opd_t.key == "bappeda":
                continue
            share = 0.01 if opd.is_pilot else 0.065
            if rng.random() < share:
                skip.add(p.id)
        self.no_skp = [p for p in owners if p.id in skip]
        plans: dict[int, SkpPlan] = {}
        for p in owners:
            if p.id in skip:
                continue
            sup = self.by_id.get(self.superiors.get(p.id))
            atasan = self.by_id.get(self.superiors.get(sup.id)) if sup is not None else None
            role = p.position.role
            is_jpt = role in ("sekda", "kepala_opd", "asisten", "camat")
            link = "goal" if role in ("sekda", "kepala_opd", "camat") else "rhk"
            plans[p.id] = SkpPlan(p, sup, atasan, is_jpt, link)
        # Breadth-first from the top so that a penilai always comes before the people it rates.
        kids: dict[int, list[SkpPlan]] = {}
        roots = []
        for plan in plans.values():
            sup = plan.penilai
            if sup is not None and sup.id in plans:
                kids.setdefault(sup.id, []).append(plan)
            else:
                roots.append(plan)
        ordered: list[SkpPlan] = []
        seen: set[int] = set()
        queue = deque((r, 0) for r in roots)
        while queue:
            plan, depth = queue.popleft()
            if plan.person.id in seen:
                continue
            seen.add(plan.person.id)
            plan.depth = depth
            ordered.append(plan)
            for child in kids.get(plan.person.id, ()):
                queue.append((child, depth + 1))
        # A loop in the superiors (bad data) would leave people out; keep them as roots.
        ordered += [plan for plan in plans.values() if plan.person.id not in seen]
        self.kids = kids
        self.plans = plans
        return ordered

    def _pick_examples(self) -> None:
        kasub = next(
            (
                p
                for p in self.people
                if p.position.role in ("kasi", "kasubbag")
                and p.unit.nama == "Subbidang Perencanaan dan Pendanaan"
            ),
            None,
        )
        if kasub is None:
            return
        staff = next(
            (
                p
                for p in self.people
                if p.position.atasan is kasub.position
                and p.position.profile is not None
                and p.position.profile.key == "perencana"
                and p.kedudukan == "01"
            ),
            None,
        )
        kabid = next((p for p in self.people if p.position is kasub.position.atasan), None)
        if staff is not None and kabid is not None:
            self.examples = {"staf": staff, "kasubbid": kasub, "kabid": kabid}

    # -- RHK texts --------------------------------------------------------------------------

    def _ctx(self, person: Person) -> dict[str, str]:
        unit = person.unit
        opd = unit.opd
        return {
            "topic": unit.topic,
            "unit": unit.nama,
            "opd": opd.nama if opd is not None else "",
            "region": person.slot.region,
            "tag": person.slot.tag,
        }

    def _templates(self, plan: SkpPlan) -> list[Out]:
        person = plan.person
        position = person.position
        outs = list(position.outs)
        if position.role == "staff" and position.profile is not None:
            k = self.holder_index.get(position.id, 0)
            self.holder_index[position.id] = k + 1
            if outs:
                shift = k % len(outs)
                outs = outs[shift:] + outs[:shift]
            if len(outs) < 3:
                extra = (
                    PROFILES["ops"].outs if position.profile.key != "ops" else PROFILES["data"].outs
                )
                outs += list(extra)
        elif len(outs) < 2:
            outs += list(PENGAWAS_PATTERNS if position.level >= 4 else ADMIN_PATTERNS)
        return outs

    def make_rhk(self, plan: SkpPlan) -> None:
        rng = self.rng
        person = plan.person
        if plan.link == "goal":
            opd = person.unit.opd
            for goal in self.goals_by_opd.get(opd.id, ()):
                ind_teks, satuan, _iku, lower, targets = goal.indikator[0]
                iki = [
                    IkiPlan(
                        "kuantitas",
                        "Jumlah sub kegiatan pendukung yang terealisasi sesuai target",
                        Decimal(rng.randint(6, 24)),
                        "Sub Kegiatan",
                    ),
                    IkiPlan("kualitas", ind_teks, targets[TAHUN], satuan, lower),
                    IkiPlan(
                        "waktu",
                        "Ketepatan waktu penyampaian laporan capaian kinerja",
                        Decimal(4),
                        "Triwulan",
                    ),
                ]
                plan.rhk.append(
                    RhkPlan(
                        plan,
                        "utama",
                        goal.teks,
                        iki,
                        key=goal.key,
                        internal=goal.key == "internal",
                        parent_goal=goal,
                        perspektif=goal.perspektif or "penerima_layanan",
                    )
                )
            return
        outs = self._templates(plan)
        ctx = self._ctx(person)
        parent_keys = set()
        if plan.penilai is not None and plan.penilai.id in self.plans:
            parent_keys = {r.key for r in self.plans[plan.penilai.id].rhk if r.key}
        wanted = rng.choices((2, 3, 4), weights=(0.3, 0.5, 0.2))[0]
        keyed = [o for o in outs if o.key or (o.up and o.up in parent_keys)]
        rest = [o for o in outs if o not in keyed]
        if position_is_staff(person):
            chosen = keyed + rest[: max(0, wanted - len(keyed))]
        else:
            rng_rest = rest[:]
            rng.shuffle(rng_rest)
            chosen = keyed + rng_rest[: max(0, wanted - len(keyed))]
            chosen.sort(key=outs.index)
        plan.spare = [o for o in outs if o not in chosen and not o.key and not o.up]
        for out in chosen:
            teks = _fmt(out.rhk, ctx)
            obj = _fmt(out.obj, ctx)
            rhk = RhkPlan(
                plan,
                "utama",
                teks,
                _iki_for(rng, obj, out.pp, out.satuan, _qty(rng, out.qmin, out.qmax)),
                out=out,
                key=out.key,
                scope=person.slot.region,
            )
            if plan.is_jpt:
                rhk.perspektif = "proses_bisnis" if out.up == "internal" else "penerima_layanan"
            plan.rhk.append(rhk)
        if rng.random() < 0.1:
            teks = _fmt(rng.choice(TAMBAHAN), ctx)
            iki = _iki_for(
                rng, "laporan pelaksanaan tugas tambahan", "tersusun", "Laporan", rng.randint(1, 4)
            )
            plan.rhk.append(
                RhkPlan(
                    plan,
                    "tambahan",
                    teks,
                    iki,
                    perspektif="penguatan_internal" if plan.is_jpt else None,
                )
            )

    # -- links ------------------------------------------------------------------------------

    def link_children(self, parent_plan: SkpPlan, children: list[SkpPlan]) -> None:
        """Let every RHK utama of ``children`` intervene one RHK utama of ``parent_plan``."""
        parents = [r for r in parent_plan.rhk if r.jenis == "utama"]
        if not parents:
            return
        use = {id(r): 0 for r in parents}
        by_key = {r.key: r for r in parents if r.key}
        internal = [r for r in parents if r.internal]
        technical = [r for r in parents if not r.internal]
        movable: list[RhkPlan] = []
        for n, child in enumerate(children):
            if child.link != "rhk":
                continue
            in_sek = child.person.unit.in_sekretariat
            for rhk in child.rhk:
                if rhk.jenis != "utama":
                    continue
                up = rhk.out.up if rhk.out is not None else ""
                target = by_key.get(up) if up else None
                if target is not None:
                    self._attach(rhk, target, direct=rhk.out.direct)
                    use[id(target)] += 1
                    continue
                pool = (internal if in_sek and internal else technical) or parents
                start = n % len(pool)
                target = min(
                    (pool[(start + i) % len(pool)] for i in range(len(pool))),
                    key=lambda r: use[id(r)],
                )
                self._attach(rhk, target)
                use[id(target)] += 1
                movable.append(rhk)
        # Every RHK of the superior is intervened by someone (else UNCOVERED_PARENT): move a
        # link from a well-covered RHK, or give a subordinate one more RHK for it.
        linked = [c for c in children if c.link == "rhk"]
        for target in parents:
            if use[id(target)] or not linked:
                continue
            donor = next((r for r in movable if use[id(r.parent)] >= 2), None)
            if donor is not None:
                use[id(donor.parent)] -= 1
                donor.parent.children.remove(donor)
                self._attach(donor, target)
                use[id(target)] += 1
                continue
            child = min(linked, key=lambda c: (sum(r.jenis == "utama" for r in c.rhk), c.person.id))
            extra = self._extra_rhk(child)
            if extra is not None:
                self._attach(extra, target)
                use[id(target)] += 1

    def _extra_rhk(self, plan: SkpPlan) -> RhkPlan | None:
        """Add one more RHK utama to ``plan`` from its unused templates."""
        ctx = self._ctx(plan.person)
        taken = {norm(r.teks) for r in plan.rhk}
        level = plan.person.position.level
        pool = plan.spare + list(PENGAWAS_PATTERNS if level >= 4 else ADMIN_PATTERNS)
        for out in pool:
            teks = _fmt(out.rhk, ctx)
            if norm(teks) in taken:
                continue
            if out in plan.spare:
                plan.spare.remove(out)
            rhk = RhkPlan(
                plan,
                "utama",
                teks,
                _iki_for(
                    self.rng,
                    _fmt(out.obj, ctx),
                    out.pp,
                    out.satuan,
                    _qty(self.rng, out.qmin, out.qmax),
                ),
                out=out,
                scope=plan.person.slot.region,
            )
            if plan.is_jpt:
                rhk.perspektif = "penerima_layanan"
            index = max((i for i, r in enumerate(plan.rhk) if r.jenis == "utama"), default=-1)
            plan.rhk.insert(index + 1, rhk)
            return rhk
        return None

    @staticmethod
    def _attach(rhk: RhkPlan, parent: RhkPlan, direct: bool = False) -> None:
        rhk.parent = parent
        rhk.cascading = "direct" if direct else "non_direct"
        parent.children.append(rhk)
        if direct:
            parent_q = parent.iki[0]
            rhk.iki[0].satuan = parent_q.satuan

    def random_direct(self, plan: SkpPlan) -> None:
        """Make the first RHK of some Kabid and Kasi a direct cascade (PermenPANRB 8/2021).

        The result is divided by the seksi below a Kabid, or by wilayah among a Kasi's field
        staff: each share repeats the superior's result with its scope ("… lingkup Seksi X",
        "… di wilayah Kecamatan Y") and the shares' kuantitas targets add up to the parent's.
        """
        position = plan.person.position
        unit = plan.person.unit
        opd = unit.opd
        if (
            plan.link != "rhk"
            or opd is None
            or opd.opd_t.key in ("bappeda", "setda")
            or unit.kind in ("puskesmas", "sekolah")
        ):
            return
        first = next((r for r in plan.rhk if r.jenis == "utama"), None)
        if first is None or any(c.cascading == "direct" for c in first.children):
            return
        kids = [c for c in first.children if c.out is not None and not c.out.up]
        if len(kids) < 2:
            return
        if position.level == 3 and self.rng.random() < 0.25:
            split = [
                (c, "lingkup " + c.owner.person.unit.nama)
                for c in kids
                if c.owner.person.position.level == 4
            ]
        elif position.level == 4 and self.rng.random() < 0.35:
            split = [(c, c.owner.person.slot.region) for c in kids if c.owner.person.slot.region]
        else:
            return
        seen: set[str] = set()
        chosen = []
        for child, scope in split:
            if scope and scope not in seen:
                seen.add(scope)
                chosen.append((child, scope))
        if len(chosen) < 2:
            return
        quantity = first.iki[0]
        share = max(1, int(quantity.target) // len(chosen))
        for child, scope in chosen:
            child.cascading = "direct"
            child.teks = _clean(f"{first.teks} {scope}")
            child.iki = [
                IkiPlan(
                    i.aspek,
                    _clean(f"{i.teks} {scope}") if i.aspek != "waktu" else i.teks,
                    Decimal(share) if i.aspek == "kuantitas" else i.target,
                    i.satuan,
                    i.lower,
                )
                for i in first.iki
            ]
            child.out = None  # the share no longer follows the child's own template

    def dedupe(self, ordered: list[SkpPlan]) -> None:
        """Tell apart equal RHK texts under one parent (the MPH divides roles, V6).

        A repeated result takes another of the owner's unused templates; failing that, it is
        split by wilayah (or, in a Sekretariat, by the Bidang it serves).
        """
        for plan in ordered:
            for parent in plan.rhk:
                if len(parent.children) < 2:
                    continue
                seen: dict[str, RhkPlan] = {}
                for child in parent.children:
                    key = norm(child.teks)
                    if key not in seen:
                        seen[key] = child
                        continue
                    if not self._swap_template(child, seen) and not self._add_scope(child, seen):
                        continue
                    seen[norm(child.teks)] = child

    def _swap_template(self, rhk: RhkPlan, seen: dict[str, RhkPlan]) -> bool:
        plan = rhk.owner
        if rhk.cascading == "direct" or any(c.cascading == "direct" for c in rhk.children):
            return False
        ctx = self._ctx(plan.person)
        own = {norm(r.teks) for r in plan.rhk}
        for out in list(plan.spare):
            teks = _fmt(out.rhk, ctx)
            if norm(teks) in seen or norm(teks) in own:
                continue
            plan.spare.remove(out)
            rhk.teks = teks
            rhk.out = out
            rhk.iki = _iki_for(
                self.rng, _fmt(out.obj, ctx), out.pp, out.satuan, _qty(self.rng, out.qmin, out.qmax)
            )
            return True
        return False

    def _add_scope(self, rhk: RhkPlan, seen: dict[str, RhkPlan]) -> bool:
        person = rhk.owner.person
        candidates = [c for c in (person.slot.region, person.slot.tag) if c]
        opd = person.unit.opd
        if person.unit.in_sekretariat and opd is not None:
            candidates += [f"untuk {n}" for n in self.bidang_names.get(opd.id, [])]
        candidates += [f"di wilayah Kecamatan {k}" for k in KECAMATAN]
        for suffix in candidates:
            teks = _clean(f"{rhk.teks} {suffix}")
            if norm(teks) not in seen:
                rhk.teks = teks
                return True
        return False

    # -- defects ----------------------------------------------------------------------------

    def _find(self, ordered: list[SkpPlan], opd_keys: tuple[str, ...], pred, used: set[int]):
        for key in (*opd_keys, None):
            for plan in ordered:
                opd = plan.person.unit.opd
                if opd is None or plan.person.id in used:
                    continue
                if key is None and (opd.is_pilot or opd.opd_t.key in ("setda",)):
                    continue
                if key is not None and opd.opd_t.key != key:
                    continue
                for rhk in plan.rhk:
                    if pred(plan, rhk):
                        return rhk
        return None

    def inject_defects(self, ordered: list[SkpPlan]) -> None:
        used: set[int] = set()

        def staff_leaf(plan, rhk):
            return (
                plan.person.position.role == "staff"
                and rhk.jenis == "utama"
                and rhk.parent is not None
                and rhk.cascading == "non_direct"
                and len(rhk.parent.children) >= 2
                and not rhk.children
            )

        def add(code, rhk, description, *others):
            used.add(rhk.owner.person.id)
            used.update(o.owner.person.id for o in others)
            if rhk.parent is not None:
                used.update(c.owner.person.id for c in rhk.parent.children)
            rhk.owner.forced_status = "diajukan"
            self.defects.append(Defect(code, description, rhk))

        rhk = self._find(ordered, ("dpupr",), staff_leaf, used)
        if rhk is not None:
            rhk.parent.children.remove(rhk)
            rhk.parent = None
            add("ORPHAN_RHK", rhk, "RHK utama tanpa RHK atasan yang diintervensi.")

        def wrong_ok(plan, rhk):
            if not staff_leaf(plan, rhk) or plan.penilai is None:
                return False
            return self._sibling_rhk(plan) is not None

        rhk = self._find(ordered, ("dpupr", "dinkes"), wrong_ok, used)
        if rhk is not None:
            target = self._sibling_rhk(rhk.owner)
            rhk.parent.children.remove(rhk)
            rhk.parent = target
            target.children.append(rhk)
            add(
                "PARENT_NOT_PENILAI",
                rhk,
                f"RHK mengintervensi RHK milik {target.owner.person.nama_lengkap}, bukan milik "
                "pejabat penilainya.",
            )

        def uncovered_ok(plan, rhk):
            return (
                plan.person.position.level == 4
                and plan.link == "rhk"
                and rhk.jenis == "utama"
                and rhk.children
                and rhk.parent is not None
            )

        rhk = self._find(ordered, ("bpkad", "disdukcapil"), uncovered_ok, used)
        if rhk is not None:
            plan = rhk.owner
            ctx = self._ctx(plan.person)
            extra = RhkPlan(
                plan,
                "utama",
                _fmt("Tersusunnya standar operasional prosedur {topic}", ctx),
                _iki_for(self.rng, _fmt("dokumen SOP {topic}", ctx), "ditetapkan", "Dokumen", 3),
                scope="",
            )
            self._attach(extra, rhk.parent)
            plan.rhk.insert(plan.rhk.index(rhk) + 1, extra)
            add(
                "UNCOVERED_PARENT",
                extra,
                "RHK utama seorang atasan yang belum diintervensi oleh RHK bawahan mana pun.",
            )

        def dup_ok(plan, rhk):
            if not staff_leaf(plan, rhk):
                return False
            return any(
                c is not rhk
                and c.owner is not plan
                and c.cascading == "non_direct"
                and c.owner.person.id not in used
                for c in rhk.parent.children
            )

        rhk = self._find(ordered, ("dinkes", "disdik"), dup_ok, used)
        if rhk is not None:
            twin = next(
                c
                for c in rhk.parent.children
                if c is not rhk and c.owner is not rhk.owner and c.cascading == "non_direct"
            )
            rhk.teks = twin.teks
            add(
                "DUPLICATE_RHK",
                rhk,
                f"Rumusan RHK sama persis dengan RHK {twin.owner.person.nama_lengkap} di bawah "
                "RHK atasan yang sama.",
                twin,
            )

        rhk = self._find(ordered, ("diskan", "dpupr"), staff_leaf, used)
        if rhk is not None:
            rhk.teks = f"Melaksanakan rapat koordinasi internal {rhk.owner.person.unit.nama}"
            add(
                "ACTIVITY_LANGUAGE",
                rhk,
                "RHK ditulis dalam bahasa kegiatan (\u201cMelaksanakan rapat koordinasi\u201d), "
                "bukan bahasa hasil.",
            )

    def _sibling_rhk(self, plan: SkpPlan) -> RhkPlan | None:
        """An RHK utama of a peer of the penilai (same level, same OPD), for the wrong link."""
        penilai = plan.penilai
        if penilai is None or penilai.id not in self.plans:
            return None
        boss = self.plans[penilai.id].penilai
        if boss is None:
            return None
        for sibling in self.kids.get(boss.id, ()):
            if sibling.person.id == penilai.id or sibling.link != "rhk":
                continue
            if sibling.person.position.level != penilai.position.level:
                continue
            for rhk in sibling.rhk:
                if rhk.jenis == "utama":
                    return rhk
        return None

    # -- statuses ---------------------------------------------------------------------------

    def statuses(self, ordered: list[SkpPlan]) -> None:
        rng = self.rng
        forced = {
            p.id: s
            for p, s in (
                (self.examples.get("staf"), "diajukan"),
                (self.examples.get("kasubbid"), "disetujui"),
                (self.examples.get("kabid"), "disetujui"),
            )
            if p is not None
        }
        for plan in ordered:
            person = plan.person
            opd = person.unit.opd
            if person.id in forced:
                plan.status = forced[person.id]
                continue
            if plan.forced_status:
                plan.status = plan.forced_status
                continue
            if plan.is_jpt or (opd is not None and opd.is_pilot):
                status = rng.choices(("disetujui", "diajukan", "draft"), (0.88, 0.08, 0.04))[0]
            else:
                status = rng.choices(
                    ("disetujui", "diajukan", "draft", "dikembalikan"), (0.55, 0.20, 0.15, 0.10)
                )[0]
            penilai_plan = self.plans.get(plan.penilai.id) if plan.penilai is not None else None
            if (
                status == "disetujui"
                and penilai_plan is not None
                and penilai_plan.status in ("draft", "dikembalikan")
            ):
                status = "diajukan"
            plan.status = status

    # -- direct cascading sums --------------------------------------------------------------

    @staticmethod
    def settle_direct_targets(ordered: list[SkpPlan]) -> None:
        """Set each direct-cascaded parent's kuantitas target to the sum of its children."""
        for plan in reversed(ordered):
            for rhk in plan.rhk:
                direct = [c for c in rhk.children if c.cascading == "direct"]
                if not direct:
                    continue
                quantity = rhk.iki[0]
                total = sum(
                    (c.iki[0].target for c in direct if c.iki[0].satuan == quantity.satuan),
                    Decimal(0),
                )
                if total > 0:
                    quantity.target = total


def position_is_staff(person: Person) -> bool:
    return person.position.role == "staff"


def plan_skps(
    structure: Structure,
    people: list[Person],
    superiors: dict[int, int | None],
    goals_by_opd: dict[int, list[GoalPlan]],
    rng: random.Random,
) -> tuple[list[SkpPlan], list[Defect], list[Person], dict[str, Person]]:
    """Plan every SKP of the year: RHK, IKI, links, direct cascades, defects and statuses.

    Returns the SKP plans in breadth-first order (a penilai before the people it rates), the
    deliberate defects, the employees left without an SKP and the named examples.
    """
    planner = _Planner(structure, people, superiors, goals_by_opd, rng)
    ordered = planner.skps()
    for plan in ordered:
        planner.make_rhk(plan)
    for plan in ordered:
        children = planner.kids.get(plan.person.id, [])
        if children:
            planner.link_children(plan, children)
    for plan in ordered:
        planner.random_direct(plan)
    planner.dedupe(ordered)
    planner.inject_defects(ordered)
    planner.settle_direct_targets(ordered)
    planner.statuses(ordered)
    rhk_id = 0
    for n, plan in enumerate(ordered, start=1):
        plan.id = n
        for k, rhk in enumerate(plan.rhk, start=1):
            rhk_id += 1
            rhk.id = rhk_id
            rhk.urutan = k
    return ordered, planner.defects, planner.no_skp, planner.examples


# --------------------------------------------------------------------------- perilaku

#: Example "ekspektasi khusus pimpinan" per BerAKHLAK value (1..7).
# fmt: off
BERAKHLAK_EKSPEKTASI: dict[int, tuple[str, ...]] = {
    1: (
        "Menindaklanjuti setiap permintaan layanan paling lambat dua hari kerja",
        "Memberikan layanan yang ramah dan solutif kepada masyarakat dan rekan kerja",
    ),
    2: (
        "Menyampaikan laporan pertanggungjawaban tepat waktu tanpa koreksi",
        "Menggunakan barang milik daerah secara tertib dan hemat",
    ),
    3: (
        "Mengikuti pengembangan kompetensi minimal 20 jam pelajaran dalam setahun",
        "Berbagi pengetahuan kepada rekan kerja melalui forum internal",
    ),
    4: (
        "Menjaga suasana kerja yang saling menghargai di unit kerja",
        "Membantu rekan kerja yang mengalami kesulitan menyelesaikan tugas",
    ),
    5: (
        "Menjaga kerahasiaan data pribadi masyarakat dan dokumen dinas",
        "Menjaga nama baik instansi di media sosial",
    ),
    6: (
        "Mengusulkan minimal satu inovasi perbaikan layanan dalam setahun",
        "Cepat menyesuaikan diri dengan aplikasi kerja yang baru",
    ),
    7: (
        "Aktif berbagi data dan informasi lintas bidang",
        "Terbuka bekerja sama dengan perangkat daerah lain",
    ),
}
# fmt: on


def submission_times(rng: random.Random, status: str) -> tuple[datetime | None, datetime | None]:
    """Return (submitted_at, approved_or_returned_at) in January–February of the year (UTC)."""
    if status == "draft":
        return None, None
    submitted = datetime(TAHUN, 1, 6, 1, 0) + timedelta(
        days=rng.randint(0, 40), hours=rng.randint(0, 8), minutes=rng.randint(0, 59)
    )
    if status == "diajukan":
        return submitted, None
    decided = submitted + timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 6))
    return submitted, decided


SKP_START = date(TAHUN, 1, 2)
SKP_END = date(TAHUN, 12, 31)
