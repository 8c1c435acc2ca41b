"""The seven BerAKHLAK core values and their behaviour items (Perilaku Kerja of an SKP).

Source: SE MenPANRB 20/2021 (panduan perilaku), restated in UU 20/2023 and used unchanged by
PermenPANRB 6/2022 for the Perilaku Kerja part of every SKP (domain.md §2.5). Each value has
three behaviour items; the SKP adds an optional "ekspektasi khusus pimpinan" per value.

>>> [v.nama for v in BERAKHLAK][:2]
['Berorientasi Pelayanan', 'Akuntabel']
>>> len(nilai(3).perilaku)
3
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BERAKHLAK", "KODE", "CoreValue", "nilai"]


@dataclass(frozen=True, slots=True)
class CoreValue:
    kode: int
    nama: str
    definisi: str
    perilaku: tuple[str, str, str]


BERAKHLAK: tuple[CoreValue, ...] = (
    CoreValue(
        1,
        "Berorientasi Pelayanan",
        "Komitmen memberikan pelayanan prima demi kepuasan masyarakat",
        (
            "Memahami dan memenuhi kebutuhan masyarakat",
            "Ramah, cekatan, solutif, dan dapat diandalkan",
            "Melakukan perbaikan tiada henti",
        ),
    ),
    CoreValue(
        2,
        "Akuntabel",
        "Bertanggung jawab atas kepercayaan yang diberikan",
        (
            "Melaksanakan tugas dengan jujur, bertanggung jawab, cermat, disiplin, dan "
            "berintegritas tinggi",
            "Menggunakan kekayaan dan barang milik negara secara bertanggung jawab, efektif, "
            "dan efisien",
            "Tidak menyalahgunakan kewenangan jabatan",
        ),
    ),
    CoreValue(
        3,
        "Kompeten",
        "Terus belajar dan mengembangkan kapabilitas",
        (
            "Meningkatkan kompetensi diri untuk menjawab tantangan yang selalu berubah",
            "Membantu orang lain belajar",
            "Melaksanakan tugas dengan kualitas terbaik",
        ),
    ),
    CoreValue(
        4,
        "Harmonis",
        "Saling peduli dan menghargai perbedaan",
        (
            "Menghargai setiap orang apa pun latar belakangnya",
            "Suka menolong orang lain",
            "Membangun lingkungan kerja yang kondusif",
        ),
    ),
    CoreValue(
        5,
        "Loyal",
        "Berdedikasi dan mengutamakan kepentingan bangsa dan negara",
        (
            "Memegang teguh ideologi Pancasila, Undang-Undang Dasar Negara Republik Indonesia "
            "Tahun 1945, setia kepada NKRI serta pemerintahan yang sah",
            "Menjaga nama baik sesama ASN, pimpinan, instansi, dan negara",
            "Menjaga rahasia jabatan dan negara",
        ),
    ),
    CoreValue(
        6,
        "Adaptif",
        "Terus berinovasi dan antusias dalam menggerakkan serta menghadapi perubahan",
        (
            "Cepat menyesuaikan diri menghadapi perubahan",
            "Terus berinovasi dan mengembangkan kreativitas",
            "Bertindak proaktif",
        ),
    ),
    CoreValue(
        7,
        "Kolaboratif",
        "Membangun kerja sama yang sinergis",
        (
            "Memberi kesempatan kepada berbagai pihak untuk berkontribusi",
            "Terbuka dalam bekerja sama untuk menghasilkan nilai tambah",
            "Menggerakkan pemanfaatan berbagai sumber daya untuk tujuan bersama",
        ),
    ),
)

KODE: tuple[int, ...] = tuple(v.kode for v in BERAKHLAK)
_BY_KODE = {v.kode: v for v in BERAKHLAK}


def nilai(kode: int) -> CoreValue:
    """Return the core value with ``kode`` (1..7); raise KeyError for another code."""
    return _BY_KODE[kode]
