"""Field mappings: which source column or JSON key feeds which of our fields.

Every adapter describes its source with a mapping ``{our_field: source_name}`` (a list of names
means "the first one that is not empty") and builds its records with :func:`build_record`, so
the parsing rules (dates, NIP as text, gender letters, golongan) are the same for every source.
"""

from __future__ import annotations

from collections.abc import Callable

from skp_app.org.reference import KEDUDUKAN_HUKUM
from skp_app.sync.adapters.base import NormalizedPegawai, clean, parse_date
from skp_app.sync.normalize import gender, golongan, is_pppk, kedudukan

__all__ = [
    "MAPPABLE_FIELDS",
    "SIASN_API_MAPPING",
    "SIASN_CSV_MAPPING",
    "SIMPEG_DEFAULT_MAPPING",
    "RecordBuilder",
    "build_record",
    "provided_fields",
    "validate_mapping",
]

# Our field → label shown in the mapping form.
MAPPABLE_FIELDS: dict[str, str] = {
    "nip": "NIP (18 digit, wajib)",
    "nama": "Nama (wajib)",
    "external_id": "ID pegawai di sumber",
    "gelar_depan": "Gelar depan",
    "gelar_belakang": "Gelar belakang",
    "nip_lama": "NIP lama",
    "jenis_kelamin": "Jenis kelamin (L/P atau M/F)",
    "tempat_lahir": "Tempat lahir",
    "tanggal_lahir": "Tanggal lahir",
    "jenis_pegawai": "Jenis pegawai (PNS/PPPK)",
    "status_pegawai": "Status pegawai",
    "golongan_id": "ID golongan SIASN (11-45)",
    "golongan": "Golongan (III/b) atau pangkat",
    "tmt_golongan": "TMT golongan",
    "tmt_cpns": "TMT CPNS",
    "tmt_pns": "TMT PNS",
    "tmt_jabatan": "TMT jabatan",
    "kedudukan_hukum_id": "Kode kedudukan hukum (01 Aktif, 99 Pensiun, …)",
    "unit_id": "ID unor SIASN",
    "unit_nama": "Nama unit kerja",
    "satker_id": "ID satuan kerja SIASN",
    "satker_nama": "Nama satuan kerja",
    "opd_id": "ID unor induk (OPD) SIASN",
    "opd_nama": "Nama OPD (unor induk)",
    "jabatan_id": "ID jabatan SIASN",
    "jabatan_nama": "Nama jabatan",
    "jenis_jabatan_id": "Jenis jabatan SIASN (1-4)",
    "eselon_id": "ID eselon SIASN",
    "atasan_nip": "NIP atasan langsung",
    "email": "Email",
    "no_hp": "Nomor HP",
    "instansi_id": "ID instansi SIASN",
    "instansi_nama": "Nama instansi",
}

# SIASN "Export Data ASN" CSV (domain.md §6.6).
SIASN_CSV_MAPPING: dict[str, str | list[str]] = {
    "nip": "nip_baru",
    "external_id": "pns_id",
    "nama": "nama",
    "gelar_depan": "gelar_depan",
    "gelar_belakang": "gelar_belakang",
    "nip_lama": "nip_lama",
    "jenis_kelamin": "jenis_kelamin",
    "tempat_lahir": "tempat_lahir_nama",
    "tanggal_lahir": "tanggal_lahir",
    "jenis_pegawai": "jenis_pegawai_nama",
    "status_pegawai": "status_cpns_pns",
    "golongan_id": "gol_akhir_id",
    "golongan": "gol_akhir_nama",
    "tmt_golongan": "tmt_golongan",
    "tmt_cpns": "tmt_cpns",
    "tmt_pns": "tmt_pns",
    "tmt_jabatan": "tmt_jabatan",
    "kedudukan_hukum_id": "kedudukan_hukum_id",
    "unit_id": "unor_id",
    "unit_nama": "unor_nama",
    "satker_id": "satuan_kerja_kerja_id",
    "satker_nama": "satuan_kerja_kerja_nama",
    "jabatan_id": "jabatan_id",
    "jabatan_nama": "jabatan_nama",
    "jenis_jabatan_id": "jenis_jabatan_id",
    "email": ["email_gov", "email"],
    "no_hp": "nomor_hp",
    "instansi_id": "instansi_kerja_id",
    "instansi_nama": "instansi_kerja_nama",
}

# SIASN web service ``pns/data-utama/{nip}`` (domain.md §6.6); the odd casing is SIASN's own.
SIASN_API_MAPPING: dict[str, str | list[str]] = {
    "nip": "nipBaru",
    "external_id": "id",
    "nama": "nama",
    "gelar_depan": "gelarDepan",
    "gelar_belakang": "gelarBelakang",
    "nip_lama": "nipLama",
    "jenis_kelamin": "jenisKelamin",
    "tempat_lahir": "tempatLahir",
    "tanggal_lahir": "tglLahir",
    "jenis_pegawai": "jenisPegawaiNama",
    "status_pegawai": "statusPegawai",
    "golongan_id": "golRuangAkhirId",
    "golongan": "golRuangAkhir",
    "tmt_golongan": "tmtGolAkhir",
    "tmt_cpns": "tmtCpns",
    "tmt_pns": "tmtPns",
    "tmt_jabatan": "tmtJabatan",
    "kedudukan_hukum_id": "kedudukanPnsId",
    "unit_id": "unorId",
    "unit_nama": "unorNama",
    "opd_id": "unorIndukId",
    "opd_nama": "unorIndukNama",
    "jabatan_nama": "jabatanNama",
    "jenis_jabatan_id": "jenisJabatanId",
    "eselon_id": "eselonId",
    "email": ["emailGov", "email"],
    "no_hp": "noHp",
    "instansi_id": "instansiKerjaId",
    "instansi_nama": "instansiKerjaNama",
}

# A regional "esimpeg v5.0" ``/api/v5.0/pegawai/`` item (domain.md §6.6); override per instansi
# with SKP_SYNC_SIMPEG_MAPPING.
SIMPEG_DEFAULT_MAPPING: dict[str, str | list[str]] = {
    "nip": "nipBaru",
    "external_id": "id_pegawai",
    "nama": "namaPegawai",
    "nip_lama": "nipLama",
    "tempat_lahir": "tempatLahir",
    "tanggal_lahir": "tanggalLahir",
    "jenis_kelamin": "jenisKelamin",
    "jabatan_nama": "namaJabatan",
    "unit_nama": "nm_opd",
    "golongan_id": "id_golongan",
    "golongan": "namaGolongan",
}

# Which NormalizedPegawai field each mappable field feeds (for "what does this source provide").
_PROVIDES = {
    "nip": "nip",
    "nama": "nama",
    "external_id": "external_id",
    "gelar_depan": "gelar_depan",
    "gelar_belakang": "gelar_belakang",
    "nip_lama": "nip_lama",
    "jenis_kelamin": "jenis_kelamin",
    "tempat_lahir": "tempat_lahir",
    "tanggal_lahir": "tanggal_lahir",
    "jenis_pegawai": "jenis_asn",
    "status_pegawai": "jenis_asn",
    "golongan_id": "golongan",
    "golongan": "golongan",
    "tmt_golongan": "tmt_golongan",
    "tmt_cpns": "tmt_cpns",
    "tmt_pns": "tmt_pns",
    "tmt_jabatan": "tmt_jabatan",
    "kedudukan_hukum_id": "kedudukan_hukum_id",
    "unit_id": "unit",
    "unit_nama": "unit",
    "jabatan_nama": "jabatan",
    "atasan_nip": "atasan_nip",
    "email": "email",
    "no_hp": "no_hp",
}

_DATE_FIELDS = (
    ("tanggal_lahir", "Tanggal lahir"),
    ("tmt_golongan", "TMT golongan"),
    ("tmt_cpns", "TMT CPNS"),
    ("tmt_pns", "TMT PNS"),
    ("tmt_jabatan", "TMT jabatan"),
)


def provided_fields(mapping: dict) -> frozenset[str]:
    """Return the NormalizedPegawai fields a mapping provides."""
    return frozenset(_PROVIDES[k] for k, v in mapping.items() if v and k in _PROVIDES)


def validate_mapping(mapping: dict) -> list[str]:
    """Return Indonesian error messages for a mapping (empty list when it is usable)."""
    errors = []
    unknown = sorted(k for k in mapping if k not in MAPPABLE_FIELDS)
    if unknown:
        errors.append("Kolom tujuan tidak dikenal: " + ", ".join(unknown) + ".")
    for required in ("nip", "nama"):
        if not mapping.get(required):
            errors.append(f"Pemetaan wajib mengisi kolom untuk '{MAPPABLE_FIELDS[required]}'.")
    for key, value in mapping.items():
        names = value if isinstance(value, list) else [value]
        if not all(isinstance(n, str) for n in names):
            errors.append(f"Nama kolom sumber untuk '{key}' harus teks.")
    return errors


def _nip_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        # A spreadsheet number: 18 digits do not survive a float (domain.md §7).
        return f"{value:.5E}"
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
        # An 18-digit integer read from a numeric cell has passed through a float.
        return f"{float(value):.5E}" if len(text) >= 16 else text
    text = str(value).strip()
    if text.startswith("'"):
        text = text[1:]  # Excel's "store as text" mark
    return text or None


class RecordBuilder:
    """A mapping compiled once; :meth:`build` turns one source row into a record.

    With ``index`` (column name → position) rows can be given as lists of cells, which is how
    the delimited-text adapters stream them without building a dict per row.
    """

    def __init__(self, mapping: dict, index: dict[str, int] | None = None):
        self.names = {f: tuple(v if isinstance(v, list) else [v]) for f, v in mapping.items() if v}
        self.single: tuple[tuple[str, int], ...] = ()
        self.multi: tuple[tuple[str, tuple[int, ...]], ...] = ()
        if index is not None:
            positions = {
                f: tuple(index[n] for n in names if n in index) for f, names in self.names.items()
            }
            self.single = tuple((f, p[0]) for f, p in positions.items() if len(p) == 1)
            self.multi = tuple((f, p) for f, p in positions.items() if len(p) > 1)
        self.by_position = index is not None
        self.memo = _Memo()

    def build(
        self,
        row_number: int,
        source_key: str,
        raw: dict,
        cells: list | None = None,
        get: Callable[[str], object] | None = None,
    ) -> NormalizedPegawai:
        """Build the record of one row (``cells`` by position, else ``get``/``raw`` by name).

        ``cells`` must have one value per header column (the adapters refuse other rows).
        """
        if cells is not None and self.by_position:
            vals = {f: cells[i] for f, i in self.single}
            for f, positions in self.multi:
                for i in positions:
                    if cells[i]:
                        vals[f] = cells[i]
                        break
        else:
            lookup = get or raw.get
            vals = {}
            for f, names in self.names.items():
                for name in names:
                    v = lookup(name)
                    if v is not None and v != "":
                        vals[f] = v
                        break
        return _build(row_number, source_key, raw, vals, self.memo)


def build_record(
    row_number: int,
    source_key: str,
    raw: dict,
    mapping: dict,
    get: Callable[[str], object] | None = None,
) -> NormalizedPegawai:
    """Build one NormalizedPegawai from a source row through ``mapping``.

    ``get(name)`` returns the source value of a column/key (defaults to ``raw.get``).
    Unparseable values are recorded in ``problems`` with a reason code and a message.
    """
    return RecordBuilder(mapping).build(row_number, source_key, raw, get=get)


def _text(v) -> str | None:
    """Strip an identifier-like value (no inner whitespace to collapse)."""
    if not v:
        return None
    v = (v if isinstance(v, str) else str(v)).strip()
    return v or None


class _Memo:
    """What a builder parsed before, by the text it parsed: a source repeats the same dates,
    golongan, kedudukan and gender codes thousands of times. Only successful parses of
    hashable values are kept, and at most ``LIMIT`` of each kind (memory stays bounded)."""

    LIMIT = 50_000
    __slots__ = ("dates", "kinds")

    def __init__(self) -> None:
        self.dates: dict = {}
        self.kinds: dict = {}

    def date(self, value, label: str):
        try:
            return self.dates[value]
        except KeyError:
            parsed = parse_date(value, label)  # raises ValueError: never kept
            if len(self.dates) < self.LIMIT:
                self.dates[value] = parsed
            return parsed
        except TypeError:  # not hashable
            return parse_date(value, label)

    def kind(self, jenis_pegawai, status_pegawai, golongan_id, golongan_label, kedudukan_id):
        """Return ``(pppk, (golongan id, golongan pppk, unknown), kedudukan)``."""
        key = (jenis_pegawai, status_pegawai, golongan_id, golongan_label, kedudukan_id)
        try:
            return self.kinds[key]
        except KeyError:
            pass
        except TypeError:
            return _kind(*key)
        found = _kind(*key)
        if len(self.kinds) < self.LIMIT:
            self.kinds[key] = found
        return found


def _kind(jenis_pegawai, status_pegawai, golongan_id, golongan_label, kedudukan_id):
    pppk = is_pppk(None, jenis_pegawai, status_pegawai)
    return pppk, golongan(golongan_id, golongan_label, pppk=pppk), kedudukan(kedudukan_id)


def _build(
    row_number: int, source_key: str, raw: dict, vals: dict, memo: _Memo | None = None
) -> NormalizedPegawai:
    # Written for speed (it runs once per source row): few calls, one constructor call.
    get = vals.get
    problems: list[tuple[str, str]] = []
    dates = {}
    memo = memo or _Memo()
    for field, label in _DATE_FIELDS:
        v = get(field)
        if v is None or v == "":
            continue
        try:
            dates[field] = memo.date(v, label)
        except ValueError as exc:
            problems.append(("date_invalid", str(exc)))
    jenis_pegawai = get("jenis_pegawai")
    status_pegawai = get("status_pegawai")
    pppk, (gid, gpppk, unknown), kh = memo.kind(
        jenis_pegawai,
        status_pegawai,
        get("golongan_id"),
        get("golongan"),
        get("kedudukan_hukum_id"),
    )
    jenis_asn = None
    if jenis_pegawai not in (None, "") or status_pegawai not in (None, ""):
        jenis_asn = "PPPK" if pppk else "PNS"
    if kh is not None and kh not in KEDUDUKAN_HUKUM:
        problems.append(
            (
                "kedudukan_unknown",
                f"Kode kedudukan hukum '{kh}' tidak dikenal (contoh: 01 Aktif, 99 Pensiun).",
            )
        )
    unit_key = _text(get("unit_id"))
    parent_key = parent_nama = None
    satker_key = get("satker_id")
    if satker_key:
        satker_key = _text(satker_key)
        if satker_key and satker_key != unit_key and satker_key != _text(get("instansi_id")):
            parent_key, parent_nama = satker_key, clean(get("satker_nama"))
    jk = get("jenis_kelamin")
    atasan = get("atasan_nip")
    return NormalizedPegawai(
        row_number,
        source_key,
        raw,
        nip=_nip_text(get("nip")),
        external_id=_text(get("external_id")),
        nama=clean(get("nama")),
        gelar_depan=_clean_opt(get("gelar_depan")),
        gelar_belakang=_clean_opt(get("gelar_belakang")),
        nip_lama=_text(get("nip_lama")),
        jenis_kelamin=gender(jk) if jk not in (None, "") else None,
        tempat_lahir=_clean_opt(get("tempat_lahir")),
        jenis_asn=jenis_asn,
        golongan_id=gid,
        golongan_text=unknown,
        golongan_pppk=gpppk,
        kedudukan_hukum_id=kh,
        unit_key=unit_key,
        unit_nama=clean(get("unit_nama")),
        parent_unit_key=parent_key,
        parent_unit_nama=parent_nama,
        opd_key=_text(get("opd_id")),
        opd_nama=_clean_opt(get("opd_nama")),
        jabatan_nama=clean(get("jabatan_nama")),
        jenis_jabatan_id=_text(get("jenis_jabatan_id")),
        jabatan_external_id=_text(get("jabatan_id")),
        eselon_id=_text(get("eselon_id")),
        atasan_nip=_nip_text(atasan) if atasan not in (None, "") else None,
        email=_text(get("email")),
        no_hp=_text(get("no_hp")),
        problems=problems,
        **dates,
    )


def _clean_opt(v) -> str | None:
    return clean(v) if v else None
