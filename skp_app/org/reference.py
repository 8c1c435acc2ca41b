"""Reference tables of the personnel domain, with their SIASN ids (domain.md §6.2–§6.4)."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ESELON",
    "GOLONGAN",
    "JABATAN_JENIS",
    "JENJANG_JF",
    "KEDUDUKAN_HUKUM",
    "Golongan",
    "KedudukanHukum",
    "golongan_by_label",
    "level_of_jabatan",
    "normalize_pangkat",
]


@dataclass(frozen=True, slots=True)
class Golongan:
    id: int
    label: str
    pangkat: str


GOLONGAN: dict[int, Golongan] = {
    g.id: g
    for g in (
        Golongan(11, "I/a", "Juru Muda"),
        Golongan(12, "I/b", "Juru Muda Tingkat I"),
        Golongan(13, "I/c", "Juru"),
        Golongan(14, "I/d", "Juru Tingkat I"),
        Golongan(21, "II/a", "Pengatur Muda"),
        Golongan(22, "II/b", "Pengatur Muda Tingkat I"),
        Golongan(23, "II/c", "Pengatur"),
        Golongan(24, "II/d", "Pengatur Tingkat I"),
        Golongan(31, "III/a", "Penata Muda"),
        Golongan(32, "III/b", "Penata Muda Tingkat I"),
        Golongan(33, "III/c", "Penata"),
        Golongan(34, "III/d", "Penata Tingkat I"),
        Golongan(41, "IV/a", "Pembina"),
        Golongan(42, "IV/b", "Pembina Tingkat I"),
        Golongan(43, "IV/c", "Pembina Utama Muda"),
        Golongan(44, "IV/d", "Pembina Utama Madya"),
        Golongan(45, "IV/e", "Pembina Utama"),
    )
}
_GOLONGAN_BY_LABEL = {g.label.upper(): g for g in GOLONGAN.values()}

# PPPK golongan (Perpres 98/2020): I..XVII, stored as the roman numeral.
PPPK_GOLONGAN = "I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII".split()

# eselon id -> (eselon label, jabatan ASN)
ESELON: dict[str, tuple[str, str]] = {
    "00": ("-", ""),
    "10": ("I.a", "JPT UTAMA"),
    "11": ("I.a", "JPT MADYA"),
    "12": ("I.b", "JPT MADYA"),
    "21": ("II.a", "JPT PRATAMA"),
    "22": ("II.b", "JPT PRATAMA"),
    "31": ("III.a", "ADMINISTRATOR"),
    "32": ("III.b", "ADMINISTRATOR"),
    "41": ("IV.a", "PENGAWAS"),
    "42": ("IV.b", "PENGAWAS"),
    "51": ("V.a", ""),
    "52": ("V.b", ""),
    "99": ("NON", ""),
}

# Jabatan jenis used by the app -> (label, cascade level). Level 1 is the regional head.
JABATAN_JENIS: dict[str, tuple[str, int]] = {
    "kepala_daerah": ("Kepala Daerah", 1),
    "jpt_madya": ("Jabatan Pimpinan Tinggi Madya", 2),
    "jpt_pratama": ("Jabatan Pimpinan Tinggi Pratama", 2),
    "administrator": ("Jabatan Administrator", 3),
    "pengawas": ("Jabatan Pengawas", 4),
    "pelaksana": ("Jabatan Pelaksana", 5),
    "fungsional": ("Jabatan Fungsional", 5),
}

# SIASN jenisJabatan ids (§6.4)
JENIS_JABATAN_SIASN = {
    "1": "Jabatan Struktural",
    "2": "Jabatan Fungsional Tertentu",
    "3": "Jabatan Rangkap",
    "4": "Jabatan Fungsional Umum",
}

# JF jenjang code -> (label, kategori, koefisien tahunan) (§4.6)
JENJANG_JF: dict[str, tuple[str, str, str]] = {
    "PT": ("Ahli Pertama", "keahlian", "12.5"),
    "MU": ("Ahli Muda", "keahlian", "25"),
    "MA": ("Ahli Madya", "keahlian", "37.5"),
    "UT": ("Ahli Utama", "keahlian", "50"),
    "PM": ("Pemula", "keterampilan", "3.75"),
    "TR": ("Terampil", "keterampilan", "5"),
    "MH": ("Mahir", "keterampilan", "12.5"),
    "PY": ("Penyelia", "keterampilan", "25"),
}


@dataclass(frozen=True, slots=True)
class KedudukanHukum:
    id: str
    label: str
    is_active_service: bool  # may log in and use the app
    must_have_skp: bool  # owes an SKP for the period


KEDUDUKAN_HUKUM: dict[str, KedudukanHukum] = {
    k.id: k
    for k in (
        KedudukanHukum("01", "Aktif", True, True),
        KedudukanHukum("02", "CLTN", False, False),
        KedudukanHukum("03", "Tugas Belajar", True, False),
        KedudukanHukum("04", "Pemberhentian Sementara", False, False),
        KedudukanHukum("05", "Penerima Uang Tunggu", False, False),
        KedudukanHukum("06", "Wajib Militer", False, False),
        KedudukanHukum("07", "Pejabat Negara", True, False),
        KedudukanHukum("08", "Kepala Desa", False, False),
        KedudukanHukum("09", "Sedang dalam Proses Banding BAPEK", True, True),
        KedudukanHukum("10", "Perpanjangan CLTN", False, False),
        KedudukanHukum("15", "PNS kena hukuman disiplin", True, True),
        KedudukanHukum("20", "Masa Persiapan Pensiun", True, False),
        KedudukanHukum("66", "Diberhentikan", False, False),
        KedudukanHukum("67", "Punah", False, False),
        KedudukanHukum("77", "Pemberhentian tanpa hak pensiun", False, False),
        KedudukanHukum("88", "Pemberhentian dengan hak pensiun", False, False),
        KedudukanHukum("98", "Mencapai BUP", False, False),
        KedudukanHukum("99", "Pensiun", False, False),
        # Local status (not a SIASN id): transferred to another instansi.
        KedudukanHukum("MK", "Mutasi keluar (pindah instansi)", False, False),
        # Local status for the regional head (not a PNS).
        KedudukanHukum("PN", "Pejabat Negara (Kepala Daerah)", True, False),
    )
}


def golongan_by_label(label: str) -> Golongan | None:
    """Return the golongan for a label such as ``III/b`` or ``iii / b``."""
    key = re.sub(r"\s+", "", (label or "")).upper()
    return _GOLONGAN_BY_LABEL.get(key)


def normalize_pangkat(text: str) -> str:
    """Normalise a pangkat name (regional SIMPEGs abbreviate "Tingkat I" as "TK I")."""
    t = re.sub(r"\s+", " ", (text or "").strip())
    t = re.sub(r"\b(TK|Tk|tk)\.?\s*I\b", "Tingkat I", t)
    return t.title().replace("Tingkat I", "Tingkat I")


def level_of_jabatan(jenis: str) -> int:
    """Return the cascade level of a jabatan jenis (1 kepala daerah … 5 pelaksana/fungsional)."""
    return JABATAN_JENIS.get(jenis, ("", 5))[1]
