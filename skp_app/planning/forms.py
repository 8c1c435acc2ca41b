"""HTML forms of the planning pages, and their conversion to operation inputs.

Forms check the *shape* of the input (numbers are numbers, a range's bounds are ordered) with
Indonesian messages per field; the business rules (the intervened RHK belongs to the pejabat
penilai, the period is open …) are checked by the operations, whose per-field errors the views
put back on the same fields.
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from skp_app.planning.berakhlak import BERAKHLAK
from skp_app.planning.models import (
    ASPEK,
    CASCADING,
    LAMPIRAN_BAGIAN,
    PENDEKATAN,
    PERSPEKTIF,
    RHK_JENIS,
    SASARAN_JENIS,
)
from skp_app.planning.operations import (
    IkiInput,
    IndikatorInput,
    RhkInput,
    SasaranInput,
    format_angka,
    parse_angka,
)

__all__ = [
    "CascadeForm",
    "GoalsImportForm",
    "IkiForm",
    "LampiranForm",
    "PerilakuForm",
    "PeriodeForm",
    "ReturnForm",
    "RhkForm",
    "SasaranForm",
    "SettingsForm",
    "choices",
    "new_request_key",
    "parse_int",
    "parse_target_range",
]

IKI_ROWS = 4  # aspek kuantitas, kualitas, waktu + one spare (biaya or another)
DEFAULT_ASPEK = ("kuantitas", "kualitas", "waktu", "biaya")
RANGE_RE = re.compile(r"^\s*(-?[\d.,]+)\s*(?:-|–|—|s\.?\s?d\.?|sampai)\s*(-?[\d.,]+)\s*$", re.I)


def choices(pairs) -> list[SelectChoice]:
    """Return select options from ``(value, label)`` pairs."""
    return [SelectChoice(str(v), str(label)) for v, label in pairs]


def new_request_key() -> str:
    """Return a fresh idempotency key for a form (uuid4)."""
    return str(uuid.uuid4())


def parse_int(text, label: str) -> tuple[int | None, str | None]:
    """Return ``(value, error)`` for an optional whole number typed into a form."""
    s = (text or "").strip() if isinstance(text, str) else text
    if s in (None, ""):
        return None, None
    if isinstance(s, int):
        return s, None
    if not re.fullmatch(r"\d{1,9}", s):
        return None, f"{label} harus berupa bilangan bulat."
    return int(s), None


def parse_target_range(text) -> tuple[Decimal | None, Decimal | None]:
    """Parse ``75``, ``97,5`` or a range ``70 - 80`` / ``70 s.d. 80``; raise ValueError."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None, None
    if isinstance(text, str):
        m = RANGE_RE.match(text)
        if m:
            return parse_angka(m.group(1)), parse_angka(m.group(2))
    return parse_angka(text), None


def format_range(lo: Decimal | None, hi: Decimal | None) -> str:
    if lo is None:
        return ""
    return f"{format_angka(lo)} - {format_angka(hi)}" if hi is not None else format_angka(lo)


def _choice_id(value, label: str) -> tuple[int | None, str | None]:
    s = (value or "").strip() if isinstance(value, str) else value
    if s in (None, "", "None"):
        return None, None
    if isinstance(s, int) or (isinstance(s, str) and s.isdigit()):
        return int(s), None
    return None, f"Pilihan {label} tidak valid."


def _add_error(field, message: str) -> None:
    errors = list(field.errors) if field.errors else []
    if isinstance(field.errors, dict):  # FormField: never used for messages here
        errors = []
    errors.append(message)
    field.errors = errors


# --- SKP pages -------------------------------------------------------------------------------


class IkiForm(Form):
    id = HiddenField()
    aspek = SelectField("Aspek", choices=choices(ASPEK.items()), validate_choice=False)
    teks = TextAreaField("Indikator Kinerja Individu")
    target = StringField("Target")
    target_max = StringField("Batas atas (opsional)")
    target_teks = StringField("Uraian target (kualitatif)")
    satuan = StringField("Satuan")
    lower_is_better = BooleanField("Semakin kecil semakin baik")

    def is_blank(self) -> bool:
        return not any(
            (f.data or "").strip()
            for f in (self.teks, self.target, self.target_max, self.target_teks, self.satuan)
        )


class RhkForm(FlaskForm):
    request_key = HiddenField()
    jenis = SelectField("Jenis RHK", choices=choices(RHK_JENIS.items()), validate_choice=False)
    teks = TextAreaField("Rencana Hasil Kerja")
    parent_rhk_id = SelectField("RHK pimpinan yang diintervensi", choices=[], validate_choice=False)
    parent_sasaran_id = SelectField(
        "Sasaran Perjanjian Kinerja yang diturunkan", choices=[], validate_choice=False
    )
    cascading = SelectField(
        "Metode cascading", choices=choices(CASCADING.items()), validate_choice=False
    )
    perspektif = SelectField(
        "Perspektif",
        choices=choices([("", "— pilih —"), *PERSPEKTIF.items()]),
        validate_choice=False,
    )
    iki = FieldList(FormField(IkiForm), min_entries=IKI_ROWS, max_entries=12)

    def prefill_aspek(self) -> None:
        """Give the empty IKI rows of a new RHK the aspects kuantitas, kualitas, waktu, biaya."""
        for n, entry in enumerate(self.iki.entries):
            if entry.form.is_blank() and n < len(DEFAULT_ASPEK):
                entry.form.aspek.data = DEFAULT_ASPEK[n]

    def load(self, rhk) -> None:
        """Fill the form from an existing RHK."""
        self.jenis.data = rhk.jenis
        self.teks.data = rhk.teks
        self.parent_rhk_id.data = str(rhk.parent_rhk_id or "")
        self.parent_sasaran_id.data = str(rhk.parent_sasaran_id or "")
        self.cascading.data = rhk.cascading
        self.perspektif.data = rhk.perspektif or ""
        while len(self.iki.entries):
            self.iki.pop_entry()
        for iki in rhk.iki:
            self.iki.append_entry(
                {
                    "id": str(iki.id),
                    "aspek": iki.aspek,
                    "teks": iki.teks,
                    "target": format_angka(iki.target),
                    "target_max": format_angka(iki.target_max),
                    "target_teks": iki.target_teks,
                    "satuan": iki.satuan,
                    "lower_is_better": iki.lower_is_better,
                }
            )
        while len(self.iki.entries) < max(IKI_ROWS, min(len(rhk.iki) + 1, 12)):
            self.iki.append_entry()

    def to_input(self) -> tuple[RhkInput, dict[str, list[str]], list[int]]:
        """Return the operation input, the shape errors, and the form row of each IKI."""
        errors: dict[str, list[str]] = {}
        parent_rhk_id, e1 = _choice_id(self.parent_rhk_id.data, "RHK atasan")
        if e1:
            errors["parent_rhk_id"] = [e1]
        parent_sasaran_id, e2 = _choice_id(self.parent_sasaran_id.data, "sasaran")
        if e2:
            errors["parent_sasaran_id"] = [e2]
        items: list[IkiInput] = []
        rows: list[int] = []
        for n, entry in enumerate(self.iki.entries):
            f = entry.form
            if f.is_blank():
                continue
            idx = len(items)  # errors are keyed by input index, like the operation's
            iki_id, e3 = _choice_id(f.id.data, "IKI")
            if e3:
                errors[f"iki-{idx}-id"] = [e3]
            values = {}
            for name, label in (("target", "Target"), ("target_max", "Batas atas target")):
                try:
                    values[name] = parse_angka(getattr(f, name).data)
                except ValueError as exc:
                    values[name] = None
                    errors[f"iki-{idx}-{name}"] = [
                        f"{label} harus berupa angka (contoh: 12 atau 97,5)."
                        if "angka (" in str(exc)
                        else f"{label}: {exc}"
                    ]
            items.append(
                IkiInput(
                    id=iki_id,
                    aspek=f.aspek.data or "kuantitas",
                    teks=(f.teks.data or "").strip(),
                    target=values["target"],
                    target_max=values["target_max"],
                    target_teks=(f.target_teks.data or "").strip(),
                    satuan=(f.satuan.data or "").strip(),
                    lower_is_better=bool(f.lower_is_better.data),
                )
            )
            rows.append(n)
        data = RhkInput(
            teks=(self.teks.data or "").strip(),
            jenis=self.jenis.data or "utama",
            parent_rhk_id=parent_rhk_id,
            parent_sasaran_id=parent_sasaran_id,
            cascading=self.cascading.data or "non_direct",
            perspektif=self.perspektif.data or None,
            iki=items,
        )
        return data, errors, rows

    def apply_errors(self, errors: dict[str, list[str]], rows: list[int] | None = None) -> None:
        """Put operation/shape errors on the fields; ``rows`` maps IKI input index → form row."""
        for key, messages in errors.items():
            m = re.match(r"^iki-(\d+)-(\w+)$", key)
            if m:
                idx, name = int(m.group(1)), m.group(2)
                row = rows[idx] if rows is not None and idx < len(rows) else idx
                if row < len(self.iki.entries):
                    sub = getattr(self.iki.entries[row].form, name, None)
                    if sub is not None:
                        for msg in messages:
                            _add_error(sub, msg)
                        continue
            field = getattr(self, key, None)
            target = field if field is not None and key != "iki" else None
            if target is None:
                self.form_errors.extend(messages)
            else:
                for msg in messages:
                    _add_error(target, msg)


class SettingsForm(FlaskForm):
    pendekatan = SelectField(
        "Pendekatan", choices=choices(PENDEKATAN.items()), validate_choice=False
    )
    penilai_nip = StringField("NIP pejabat penilai (Plt/Plh)")
    atasan_penilai_nip = StringField("NIP atasan pejabat penilai (opsional)")
    reset_penilai = BooleanField("Kembalikan pejabat penilai sesuai struktur jabatan")


class PerilakuForm(FlaskForm):
    """One "ekspektasi khusus pimpinan" text per BerAKHLAK value (fields ekspektasi_1..7)."""


for _v in BERAKHLAK:
    setattr(
        PerilakuForm,
        f"ekspektasi_{_v.kode}",
        TextAreaField(f"Ekspektasi khusus pimpinan — {_v.nama}"),
    )


class LampiranForm(FlaskForm):
    """One textarea per annex section; one item per line."""


for _key, _label in LAMPIRAN_BAGIAN.items():
    setattr(LampiranForm, _key, TextAreaField(_label))


class ReturnForm(FlaskForm):
    request_key = HiddenField()
    catatan = TextAreaField("Catatan pengembalian")


class CascadeForm(FlaskForm):
    request_key = HiddenField()
    rhk_ids = SelectMultipleField("RHK yang diturunkan", choices=[], validate_choice=False)
    pegawai_ids = SelectMultipleField("Bawahan langsung", choices=[], validate_choice=False)
    jabatan_ids = SelectMultipleField("Semua pemangku jabatan", choices=[], validate_choice=False)
    cascading = SelectField(
        "Metode cascading",
        choices=choices(CASCADING.items()),
        default="direct",
        validate_choice=False,
    )

    def ids(self, name: str) -> tuple[list[int], str | None]:
        out = []
        for v in getattr(self, name).data or []:
            if not str(v).isdigit():
                return [], "Pilihan tidak valid."
            out.append(int(v))
        return out, None


class PeriodeForm(FlaskForm):
    tahun = StringField("Tahun")
    periodik = SelectField(
        "Evaluasi periodik",
        choices=choices([("triwulan", "Triwulan"), ("bulanan", "Bulanan")]),
        validate_choice=False,
    )


class GoalsImportForm(FlaskForm):
    request_key = HiddenField()
    berkas = FileField("Berkas XLSX")


# --- goals -----------------------------------------------------------------------------------


class SasaranForm(FlaskForm):
    """A goal; its indicator rows (``indikator-N-…``, targets ``indikator-N-target_<tahun>``)
    are dynamic and read by :meth:`to_input`."""

    jenis = SelectField("Jenis", choices=choices(SASARAN_JENIS.items()), validate_choice=False)
    kode = StringField("Kode")
    teks = TextAreaField("Uraian")
    parent_id = SelectField("Induk", choices=[], validate_choice=False)
    supports_id = SelectField("Mendukung sasaran RPJMD", choices=[], validate_choice=False)
    tahun_awal = StringField("Tahun awal")
    tahun_akhir = StringField("Tahun akhir")

    INDIKATOR_ROWS = 3

    def years(self) -> list[int]:
        a, _ = parse_int(self.tahun_awal.data, "Tahun awal")
        b, _ = parse_int(self.tahun_akhir.data, "Tahun akhir")
        if a is None or b is None or b < a or b - a > 9:
            return []
        return list(range(a, b + 1))

    def indikator_rows(self, raw) -> list[dict]:
        """Return the posted indicator rows as dicts (for re-rendering), blank ones dropped."""
        count = 0
        for key in raw:
            m = re.match(r"^indikator-(\d+)-", key)
            if m:
                count = max(count, int(m.group(1)) + 1)
        rows = []
        for n in range(min(count, 30)):
            p = f"indikator-{n}-"
            row = {
                "n": n,
                "id": raw.get(p + "id", ""),
                "teks": raw.get(p + "teks", ""),
                "satuan": raw.get(p + "satuan", ""),
                "is_iku": raw.get(p + "is_iku") in ("y", "on", "1", "true"),
                "lower_is_better": raw.get(p + "lower_is_better") in ("y", "on", "1", "true"),
                "targets": {
                    int(k[len(p) + 7 :]): v
                    for k, v in raw.items()
                    if k.startswith(p + "target_") and k[len(p) + 7 :].isdigit()
                },
            }
            rows.append(row)
        return rows

    def to_input(self, raw, *, level: str, opd_id: int | None):
        """Return ``(SasaranInput, errors, indikator_rows)`` from the posted form ``raw``."""
        errors: dict[str, list[str]] = {}
        ta, e = parse_int(self.tahun_awal.data, "Tahun awal")
        if e or ta is None:
            errors["tahun_awal"] = [e or "Tahun awal wajib diisi."]
        tb, e = parse_int(self.tahun_akhir.data, "Tahun akhir")
        if e or tb is None:
            errors["tahun_akhir"] = [e or "Tahun akhir wajib diisi."]
        parent_id, e = _choice_id(self.parent_id.data, "induk")
        if e:
            errors["parent_id"] = [e]
        supports_id, e = _choice_id(self.supports_id.data, "sasaran RPJMD")
        if e:
            errors["supports_id"] = [e]
        rows = self.indikator_rows(raw)
        items: list[IndikatorInput] = []
        for row in rows:
            if not (
                row["teks"].strip()
                or row["satuan"].strip()
                or any(v.strip() for v in row["targets"].values())
            ):
                continue
            idx = len(items)  # errors are keyed by input index, like the operation's
            ind_id, e = _choice_id(row["id"], "indikator")
            if e:
                errors[f"indikator-{idx}-id"] = [e]
            targets = {}
            for tahun, text in row["targets"].items():
                try:
                    targets[tahun] = parse_target_range(text)
                except ValueError:
                    errors[f"indikator-{idx}-target_{tahun}"] = [
                        f"Target {tahun} harus berupa angka atau rentang (contoh: 75 atau 70 - 80)."
                    ]
            items.append(
                IndikatorInput(
                    id=ind_id,
                    teks=row["teks"].strip(),
                    satuan=row["satuan"].strip(),
                    is_iku=row["is_iku"],
                    lower_is_better=row["lower_is_better"],
                    targets=targets,
                )
            )
            row["index"] = idx
        data = SasaranInput(
            level=level,
            jenis=self.jenis.data or "",
            teks=(self.teks.data or "").strip(),
            kode=(self.kode.data or "").strip(),
            tahun_awal=ta if ta is not None else 0,
            tahun_akhir=tb if tb is not None else 0,
            parent_id=parent_id,
            supports_id=supports_id,
            opd_id=opd_id,
            indikator=items,
        )
        return data, errors, rows

    def apply_errors(self, errors: dict[str, list[str]], rows: list[dict]) -> dict:
        """Put errors on the fixed fields; return the indicator errors keyed by form row."""
        by_index = {r.get("index"): r["n"] for r in rows if "index" in r}
        row_errors: dict[str, list[str]] = {}
        for key, messages in errors.items():
            m = re.match(r"^indikator-(\d+)-(\w+)$", key)
            if m:
                n = by_index.get(int(m.group(1)), int(m.group(1)))
                row_errors.setdefault(f"indikator-{n}-{m.group(2)}", []).extend(messages)
                continue
            field = getattr(self, key, None)
            if field is None or key in ("level", "opd_id"):
                self.form_errors.extend(messages)
            else:
                for msg in messages:
                    _add_error(field, msg)
        return row_errors
