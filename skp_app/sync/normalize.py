"""Source-neutral normalisation: gender, golongan, kedudukan, kinds of position and unit.

Pure functions (no Flask, no database) shared by the adapters and the engine.
"""

from __future__ import annotations

import re

from skp_app.org.reference import ESELON, GOLONGAN, PPPK_GOLONGAN, golongan_by_label

__all__ = [
    "classify_jabatan",
    "gender",
    "golongan",
    "is_pppk",
    "kedudukan",
    "name_key",
    "unit_jenis",
]

_SPACES = re.compile(r"\s+")


def name_key(nama: str | None) -> str:
    """Return the matching key of a unit or position name (upper case, single spaces).

    >>> name_key("  Dinas   Komunikasi dan Informatika ")
    'DINAS KOMUNIKASI DAN INFORMATIKA'
    """
    return _SPACES.sub(" ", (nama or "").strip()).upper()


def gender(value) -> str | None:
    """Map SIASN ``M``/``F``, ``L``/``P``, ``1``/``2`` or the words to ``L``/``P``."""
    text = str(value).strip().upper() if value is not None else ""
    if text in {"M", "L", "1", "LAKI-LAKI", "LAKI LAKI", "PRIA", "MALE"}:
        return "L"
    if text in {"F", "P", "2", "PEREMPUAN", "WANITA", "FEMALE"}:
        return "P"
    return None


def kedudukan(value) -> str | None:
    """Return a kedudukan hukum id as two characters (``1`` → ``01``)."""
    text = str(value).strip().upper() if value is not None else ""
    if not text:
        return None
    if text.isdigit():
        return text.zfill(2)[-2:] if len(text) <= 2 else text
    return text


def is_pppk(jenis_pegawai_id=None, jenis_pegawai_nama=None, status=None) -> bool:
    """Return whether the SIASN jenis pegawai / status marks a PPPK."""
    words = f"{jenis_pegawai_nama or ''} {status or ''}".upper()
    return "PPPK" in words or "P3K" in words


def golongan(id_value=None, label_value=None, *, pppk: bool = False):
    """Return ``(golongan_id, golongan_pppk, unknown_text)`` from a SIASN id and/or label.

    ``unknown_text`` is set (and the others None) when a value was given but is not in the
    table, so the engine can quarantine the record with it.

    >>> golongan("32", "III/b")
    (32, None, None)
    >>> golongan(None, "Penata Muda TK I")
    (32, None, None)
    >>> golongan("35", None)
    (None, None, '35')
    """
    raw_id = str(id_value).strip() if id_value not in (None, "") else ""
    raw_label = str(label_value).strip() if label_value not in (None, "") else ""
    if not raw_id and not raw_label:
        return None, None, None
    if pppk:
        for text in (raw_label, raw_id):
            roman = text.upper().replace("GOLONGAN", "").strip()
            if roman in PPPK_GOLONGAN:
                return None, roman, None
        return None, None, raw_label or raw_id
    if raw_id.isdigit() and int(raw_id) in GOLONGAN:
        return int(raw_id), None, None
    if raw_label:
        g = golongan_by_label(raw_label)
        if g is None:
            g = _golongan_by_pangkat(raw_label)
        if g is not None:
            return g.id, None, None
    return None, None, raw_id or raw_label


def _golongan_by_pangkat(text: str):
    from skp_app.org.reference import normalize_pangkat

    wanted = normalize_pangkat(text).upper()
    # "Penata Muda Tingkat I, III/b" or "Penata Muda Tingkat I (III/b)"
    m = re.search(r"\b(I{1,3}|IV)\s*/\s*([A-E])\b", text.upper())
    if m:
        return golongan_by_label(f"{m.group(1)}/{m.group(2)}")
    for g in GOLONGAN.values():
        if g.pangkat.upper() == wanted:
            return g
    return None


_JPT_PREFIXES = (
    "SEKRETARIS DAERAH",
    "KEPALA DINAS",
    "KEPALA BADAN",
    "KEPALA SATUAN POLISI",
    "KEPALA PELAKSANA BADAN",
    "INSPEKTUR DAERAH",
    "SEKRETARIS DPRD",
    "SEKRETARIS DEWAN",
    "STAF AHLI",
    "ASISTEN",
)
_ADMINISTRATOR_PREFIXES = (
    "SEKRETARIS",
    "KEPALA BIDANG",
    "KEPALA BAGIAN",
    "CAMAT",
    "INSPEKTUR PEMBANTU",
    "DIREKTUR",
)
_PENGAWAS_PREFIXES = (
    "KEPALA SUB BAGIAN",
    "KEPALA SUBBAGIAN",
    "KASUBBAG",
    "KEPALA SEKSI",
    "KASI ",
    "KEPALA SUB BIDANG",
    "KEPALA SUBBIDANG",
    "KASUBBID",
    "KEPALA UPT",
    "KEPALA UNIT",
    "LURAH",
    "SEKRETARIS KELURAHAN",
)
_JENJANG_WORDS = {
    "AHLI PERTAMA": "PT",
    "AHLI MUDA": "MU",
    "AHLI MADYA": "MA",
    "AHLI UTAMA": "UT",
    "PEMULA": "PM",
    "TERAMPIL": "TR",
    "MAHIR": "MH",
    "PENYELIA": "PY",
}
_ESELON_JENIS = {"1": "jpt_madya", "2": "jpt_pratama", "3": "administrator", "4": "pengawas"}


def classify_jabatan(jenis_jabatan_id, nama: str | None, eselon_id=None):
    """Return ``(jenis, eselon_id, jenjang, is_head)`` of a position named by a source.

    SIASN jenisJabatan 1 (struktural) and 3 (rangkap) are unit heads; 2 is a functional
    position (jenjang read from the name), 4 a pelaksana. Without an eselon the level of a
    structural position is read from the usual title words (Kepala Dinas, Kepala Bidang, …).

    >>> classify_jabatan("1", "KEPALA BIDANG APLIKASI INFORMATIKA", None)
    ('administrator', '31', None, True)
    >>> classify_jabatan("2", "PRANATA KOMPUTER AHLI PERTAMA", None)
    ('fungsional', '00', 'PT', False)
    >>> classify_jabatan("4", "PENGADMINISTRASI UMUM", None)
    ('pelaksana', '00', None, False)
    """
    name = name_key(nama)
    code = str(jenis_jabatan_id or "").strip()
    eselon = str(eselon_id or "").strip()
    if eselon and eselon not in ESELON:
        eselon = ""
    if name in {"BUPATI", "WALIKOTA", "WALI KOTA"} or name.startswith(("BUPATI ", "WALIKOTA ")):
        return "kepala_daerah", "00", None, True
    jenjang = next((c for w, c in _JENJANG_WORDS.items() if w in name), None)
    if not code:
        if name.startswith(
            (
                "KEPALA ",
                "SEKRETARIS",
                "CAMAT",
                "LURAH",
                "INSPEKTUR",
                "KASUBBAG",
                "KASI ",
                "KASUBBID",
                "ASISTEN",
                "STAF AHLI",
                "DIREKTUR",
            )
        ):
            code = "1"
        elif jenjang:
            code = "2"
        else:
            code = "4"
    if code == "2":
        return "fungsional", "00", jenjang, False
    if code == "4":
        return "pelaksana", "00", None, False
    # structural or rangkap: the head of the unit the source places it in
    if eselon and eselon[0] in _ESELON_JENIS:
        return _ESELON_JENIS[eselon[0]], eselon, None, True
    if name.startswith(_PENGAWAS_PREFIXES):
        return "pengawas", "41", None, True
    if name.startswith(_JPT_PREFIXES):
        return "jpt_pratama", ("21" if name.startswith("SEKRETARIS DAERAH") else "22"), None, True
    if name.startswith(_ADMINISTRATOR_PREFIXES):
        return "administrator", "31", None, True
    return "pengawas", "41", None, True


_UNIT_PREFIXES = (
    ("SUB BAGIAN", "subbagian"),
    ("SUBBAGIAN", "subbagian"),
    ("SUB BIDANG", "subbidang"),
    ("SUBBIDANG", "subbidang"),
    ("BIDANG", "bidang"),
    ("BAGIAN", "bagian"),
    ("SEKSI", "seksi"),
    ("UPTD", "upt"),
    ("UPT", "upt"),
    ("UNIT", "upt"),
    ("KELURAHAN", "kelurahan"),
    ("KECAMATAN", "kecamatan"),
    ("SEKRETARIAT DAERAH", "opd"),
    ("SEKRETARIAT DPRD", "opd"),
    ("SEKRETARIAT DEWAN", "opd"),
    ("SEKRETARIAT", "sekretariat"),
    ("PEMERINTAH", "pemda"),
)
# Unit kinds that always sit inside an OPD.
SUB_UNIT_JENIS = {
    "subbagian",
    "subbidang",
    "bidang",
    "bagian",
    "seksi",
    "upt",
    "kelurahan",
    "sekretariat",
}


def unit_jenis(nama: str | None) -> str:
    """Return the UNIT_JENIS key a unit name suggests (``opd`` when it names none).

    >>> unit_jenis("SUB BAGIAN UMUM DAN PERENCANAAN DINAS KOMUNIKASI DAN INFORMATIKA")
    'subbagian'
    >>> unit_jenis("Dinas Kesehatan")
    'opd'
    """
    name = name_key(nama)
    for prefix, jenis in _UNIT_PREFIXES:
        if name == prefix or name.startswith(prefix + " "):
            return jenis
    return "opd"
