"""The register of disciplinary sentences (hukuman disiplin) that feeds the TPP recap's cut.

HR records each sentence from its SK (PP 94/2021): the employee, the kind (a key of the TPP
policy's ``hukdis_cuts``, domain.md §5.3 and §11.6), the SK number and date, TMT mulai and,
unless open-ended (pemberhentian), TMT selesai. A wrong or revoked SK is annulled with a
reason, never deleted; every change is audited.

**Which months are cut.** A sentence counts for month M when it is in force on the first day
of M (TMT mulai ≤ 1 M, and TMT selesai ≥ 1 M or open-ended). A sentence of n whole months
therefore cuts exactly n monthly recaps whatever the day of its TMT: 15 October–14 November
cuts November, 1–31 October cuts October. When several are in force the recap applies the
one with the largest cut of the policy in force and names the others in the line's lineage.

Operations validate with precise Indonesian messages, ``flush()`` only and raise
:class:`HukdisError` (HTTP 409) or :class:`HukdisValidationError` (HTTP 422); the caller
commits. Queries are set-based.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from skp_app.audit.operations import record, snapshot
from skp_app.org.models import Pegawai, UnitOrganisasi
from skp_app.org.queries import Page
from skp_app.realization.evaluation_queries import default_instansi
from skp_app.realization.models import HukumanDisiplin, TppPolicyVersion
from skp_app.realization.tpp import (
    DEFAULT_HUKDIS_CUTS,
    TppPolicy,
    TppPolicyError,
    hukdis_label,
)
from skp_app.timeutil import utcnow

__all__ = [
    "AUDIT_FIELDS",
    "ActiveHukdis",
    "HukdisError",
    "HukdisKind",
    "HukdisRow",
    "HukdisValidationError",
    "active_hukdis",
    "annul_hukdis",
    "changed_since",
    "create_hukdis",
    "describe",
    "hukdis_kinds",
    "in_force_on",
    "list_hukdis",
    "update_hukdis",
]

AUDIT_FIELDS = (
    "pegawai_id",
    "jenis",
    "nomor_sk",
    "tanggal_sk",
    "tmt_mulai",
    "tmt_selesai",
    "keterangan",
    "is_annulled",
    "annul_reason",
)
_NOMOR_MAX = 100
_TEXT_MAX = 2000
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class HukdisError(Exception):
    """A hukuman disiplin operation was refused by the record's state (HTTP 409)."""

    status_code = 409


class HukdisValidationError(HukdisError):
    """Invalid input; ``fields`` maps a field to its Indonesian messages (HTTP 422)."""

    status_code = 422

    def __init__(self, fields: dict[str, list[str]]):
        self.fields = {k: list(v) for k, v in fields.items()}
        first = next((m for msgs in self.fields.values() for m in msgs), "Isian tidak valid.")
        super().__init__(first)

    def messages(self) -> list[str]:
        return [m for msgs in self.fields.values() for m in msgs] or [str(self)]


@dataclass(frozen=True)
class HukdisKind:
    """A kind of sentence the TPP policy knows, with its cut of the pagu (percent)."""

    key: str
    label: str
    percent: Decimal

    @property
    def choice_label(self) -> str:
        return f"{self.label} (potongan {_percent_text(self.percent)} pagu)"


def _percent_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return f"{text.replace('.', ',')}%"


def hukdis_kinds(session: Session) -> dict[str, HukdisKind]:
    """Return the kinds of the instansi's newest TPP policy (the defaults when none is saved).

    The register offers and accepts these; a recap applies the cuts of the policy in force
    for its month.
    """
    cuts: Mapping[str, Decimal] = DEFAULT_HUKDIS_CUTS
    instansi = default_instansi(session)
    if instansi is not None:
        row = session.scalar(
            select(TppPolicyVersion.policy)
            .where(TppPolicyVersion.instansi_id == instansi.id)
            .order_by(TppPolicyVersion.version.desc())
            .limit(1)
        )
        if row is not None:
            try:
                cuts = TppPolicy.from_dict(row).hukdis_cuts
            except (TppPolicyError, TypeError):
                cuts = DEFAULT_HUKDIS_CUTS
    return {k: HukdisKind(k, hukdis_label(k), Decimal(v)) for k, v in cuts.items()}


# --- input -----------------------------------------------------------------------------------


def _text(data: Mapping, key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value).strip()


def _date(data: Mapping, key: str, label: str, errors: dict, *, required: bool) -> date | None:
    value = data.get(key)
    if isinstance(value, date):
        return value
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            errors.setdefault(key, []).append(f"{label} wajib diisi (format YYYY-MM-DD).")
        return None
    try:
        if not _ISO_DATE.match(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        errors.setdefault(key, []).append(
            f"{label} {text!r} tidak sah: gunakan tanggal dengan format YYYY-MM-DD, "
            "misalnya 2026-10-01."
        )
        return None


def _tgl(value: date) -> str:
    return f"{value:%d-%m-%Y}"


def _clean(data: Mapping, kinds: Mapping[str, HukdisKind], today: date) -> dict:
    """Validate the editable fields; raise HukdisValidationError naming every bad field."""
    errors: dict[str, list[str]] = {}
    jenis = _text(data, "jenis")
    if not jenis:
        errors["jenis"] = ["Jenis hukuman disiplin wajib dipilih."]
    elif jenis not in kinds:
        errors["jenis"] = [
            f"Jenis hukuman disiplin {jenis!r} tidak ada di kebijakan TPP (tersedia: "
            f"{', '.join(kinds) or '-'})."
        ]
    nomor = _text(data, "nomor_sk")
    if not nomor:
        errors["nomor_sk"] = ["Nomor SK wajib diisi."]
    elif len(nomor) > _NOMOR_MAX:
        errors["nomor_sk"] = [f"Nomor SK paling panjang {_NOMOR_MAX} karakter ({len(nomor)})."]
    tanggal_sk = _date(data, "tanggal_sk", "Tanggal SK", errors, required=True)
    tmt_mulai = _date(data, "tmt_mulai", "TMT mulai", errors, required=True)
    tmt_selesai = _date(data, "tmt_selesai", "TMT selesai", errors, required=False)
    if tanggal_sk is not None and tanggal_sk > today:
        errors.setdefault("tanggal_sk", []).append(
            f"Tanggal SK ({_tgl(tanggal_sk)}) tidak boleh setelah hari ini ({_tgl(today)})."
        )
    if tanggal_sk is not None and tmt_mulai is not None and tmt_mulai < tanggal_sk:
        errors.setdefault("tmt_mulai", []).append(
            f"TMT mulai ({_tgl(tmt_mulai)}) tidak boleh sebelum tanggal SK "
            f"({_tgl(tanggal_sk)}): hukuman disiplin berlaku sejak keputusannya ditetapkan."
        )
    if tmt_mulai is not None and tmt_selesai is not None and tmt_selesai < tmt_mulai:
        errors.setdefault("tmt_selesai", []).append(
            f"TMT selesai ({_tgl(tmt_selesai)}) tidak boleh sebelum TMT mulai ({_tgl(tmt_mulai)})."
        )
    keterangan = _text(data, "keterangan")
    if len(keterangan) > _TEXT_MAX:
        errors["keterangan"] = [f"Keterangan paling panjang {_TEXT_MAX} karakter."]
    if errors:
        raise HukdisValidationError(errors)
    return {
        "jenis": jenis,
        "nomor_sk": nomor,
        "tanggal_sk": tanggal_sk,
        "tmt_mulai": tmt_mulai,
        "tmt_selesai": tmt_selesai,
        "keterangan": keterangan,
    }


def _check_duplicate(session: Session, pegawai_id: int, nomor: str, own_id: int | None) -> None:
    stmt = select(HukumanDisiplin.id).where(
        HukumanDisiplin.pegawai_id == pegawai_id,
        HukumanDisiplin.is_annulled.is_(False),
        func.lower(HukumanDisiplin.nomor_sk) == nomor.lower(),
    )
    if own_id is not None:
        stmt = stmt.where(HukumanDisiplin.id != own_id)
    other = session.scalar(stmt.limit(1))
    if other is not None:
        raise HukdisValidationError(
            {
                "nomor_sk": [
                    f"SK nomor {nomor} sudah tercatat untuk pegawai ini (hukuman disiplin "
                    f"#{other}); ubah catatan itu atau batalkan dulu."
                ]
            }
        )


def describe(row: HukumanDisiplin | ActiveHukdis) -> str:
    """One line naming a sentence and its SK, e.g. for flashes and the recap lineage."""
    until = f"s.d. {_tgl(row.tmt_selesai)}" if row.tmt_selesai else "tanpa batas akhir"
    return (
        f"{hukdis_label(row.jenis)}, SK {row.nomor_sk} tanggal {_tgl(row.tanggal_sk)}, "
        f"TMT {_tgl(row.tmt_mulai)} {until}"
    )


# --- operations ------------------------------------------------------------------------------


def create_hukdis(
    session: Session, pegawai: Pegawai, data: Mapping, *, actor, today: date | None = None
) -> HukumanDisiplin:
    """Record a hukuman disiplin of ``pegawai`` from ``data`` (form or JSON values).

    Raises
    ------
    HukdisValidationError
        For a missing or invalid field, a kind the TPP policy does not know, dates out of
        order, or an SK number already recorded for the employee.
    """
    values = _clean(data, hukdis_kinds(session), today or date.today())
    _check_duplicate(session, pegawai.id, values["nomor_sk"], None)
    row = HukumanDisiplin(
        pegawai_id=pegawai.id, created_by_user_id=getattr(actor, "id", None), **values
    )
    session.add(row)
    session.flush()
    record(
        session,
        "hukdis.create",
        "hukuman_disiplin",
        row.id,
        actor=actor,
        after=snapshot(row, AUDIT_FIELDS),
        summary=f"Hukuman disiplin {pegawai.nama_lengkap}: {describe(row)}",
    )
    return row


def update_hukdis(
    session: Session, row: HukumanDisiplin, data: Mapping, *, actor, today: date | None = None
) -> HukumanDisiplin:
    """Correct a recorded hukuman disiplin (the employee stays; annulled records are locked).

    Raises
    ------
    HukdisError
        When the record is annulled.
    HukdisValidationError
        As :func:`create_hukdis`.
    """
    if row.is_annulled:
        raise HukdisError(
            "Hukuman disiplin yang sudah dibatalkan tidak dapat diubah; catat SK yang benar "
            "sebagai hukuman disiplin baru."
        )
    values = _clean(data, hukdis_kinds(session), today or date.today())
    _check_duplicate(session, row.pegawai_id, values["nomor_sk"], row.id)
    before = snapshot(row, AUDIT_FIELDS)
    for key, value in values.items():
        setattr(row, key, value)
    after = snapshot(row, AUDIT_FIELDS)
    if after == before:
        return row
    session.flush()
    changed = ", ".join(k for k in AUDIT_FIELDS if before[k] != after[k])
    record(
        session,
        "hukdis.update",
        "hukuman_disiplin",
        row.id,
        actor=actor,
        before=before,
        after=after,
        summary=f"Hukuman disiplin #{row.id} diubah ({changed}): {describe(row)}",
    )
    return row


def annul_hukdis(session: Session, row: HukumanDisiplin, alasan: str, *, actor) -> HukumanDisiplin:
    """Annul a hukuman disiplin (a wrong or revoked SK); it no longer cuts any recap.

    Raises
    ------
    HukdisValidationError
        Without a reason.
    HukdisError
        When it is already annulled.
    """
    if row.is_annulled:
        when = f" pada {row.annulled_at:%d-%m-%Y}" if row.annulled_at else ""
        raise HukdisError(f"Hukuman disiplin #{row.id} sudah dibatalkan{when}.")
    reason = (alasan or "").strip()
    if not reason:
        raise HukdisValidationError({"alasan": ["Alasan pembatalan wajib diisi."]})
    if len(reason) > _TEXT_MAX:
        raise HukdisValidationError(
            {"alasan": [f"Alasan pembatalan paling panjang {_TEXT_MAX} karakter."]}
        )
    before = snapshot(row, AUDIT_FIELDS)
    row.is_annulled = True
    row.annul_reason = reason
    row.annulled_at = utcnow()
    row.annulled_by_user_id = getattr(actor, "id", None)
    session.flush()
    record(
        session,
        "hukdis.annul",
        "hukuman_disiplin",
        row.id,
        actor=actor,
        before=before,
        after=snapshot(row, AUDIT_FIELDS),
        summary=f"Hukuman disiplin #{row.id} dibatalkan: {reason}",
    )
    return row


# --- queries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActiveHukdis:
    """A sentence in force on the first day of a month (what the recap needs of it)."""

    id: int
    pegawai_id: int
    jenis: str
    nomor_sk: str
    tanggal_sk: date
    tmt_mulai: date
    tmt_selesai: date | None

    def lineage(self, percent: Decimal | None) -> dict:
        """The recap line's record of this sentence (JSON-ready)."""
        return {
            "id": self.id,
            "jenis": self.jenis,
            "label": hukdis_label(self.jenis),
            "nomor_sk": self.nomor_sk,
            "tanggal_sk": self.tanggal_sk.isoformat(),
            "tmt_mulai": self.tmt_mulai.isoformat(),
            "tmt_selesai": self.tmt_selesai.isoformat() if self.tmt_selesai else None,
            "persen": None if percent is None else format(percent.normalize(), "f"),
            "uraian": describe(self),
        }


def in_force_on(day: date):
    """SQL condition: the (not annulled) sentence is in force on ``day``."""
    return (
        HukumanDisiplin.is_annulled.is_(False)
        & (HukumanDisiplin.tmt_mulai <= day)
        & or_(HukumanDisiplin.tmt_selesai.is_(None), HukumanDisiplin.tmt_selesai >= day)
    )


def active_hukdis(
    session: Session,
    tahun: int,
    bulan: int,
    *,
    opd_id: int | None = None,
    pegawai_ids: Iterable[int] | None = None,
) -> dict[int, list[ActiveHukdis]]:
    """Return the sentences that cut month ``bulan`` of ``tahun``, per employee (one query).

    In force on the first day of the month (module docstring); restricted to the employees of
    OPD ``opd_id`` and/or to ``pegawai_ids``. Each list is ordered by TMT mulai.
    """
    cols = (
        HukumanDisiplin.id,
        HukumanDisiplin.pegawai_id,
        HukumanDisiplin.jenis,
        HukumanDisiplin.nomor_sk,
        HukumanDisiplin.tanggal_sk,
        HukumanDisiplin.tmt_mulai,
        HukumanDisiplin.tmt_selesai,
    )
    stmt = (
        select(*cols)
        .where(in_force_on(date(tahun, bulan, 1)))
        .order_by(HukumanDisiplin.pegawai_id, HukumanDisiplin.tmt_mulai, HukumanDisiplin.id)
    )
    if opd_id is not None:
        stmt = (
            stmt.join(Pegawai, Pegawai.id == HukumanDisiplin.pegawai_id)
            .join(UnitOrganisasi, UnitOrganisasi.id == Pegawai.unit_id)
            .where(UnitOrganisasi.opd_id == opd_id)
        )
    if pegawai_ids is not None:
        stmt = stmt.where(HukumanDisiplin.pegawai_id.in_(list(pegawai_ids) or [-1]))
    out: dict[int, list[ActiveHukdis]] = {}
    for values in session.connection().execute(stmt).all():
        out.setdefault(values[1], []).append(ActiveHukdis(*values))
    return out


def changed_since(
    session: Session, tahun: int, bulan: int, since: datetime, *, opd_id: int | None = None
) -> list[str]:
    """Describe the sentences covering month ``bulan`` that were recorded, edited or annulled
    after ``since`` (a recap's time): the recap of that month no longer matches the register.

    A sentence counts when its TMT covers the first day of the month, annulled or not (an
    annulment after the recap changes the cut as much as a new SK).
    """
    day = date(tahun, bulan, 1)
    stmt = (
        select(HukumanDisiplin, Pegawai)
        .join(Pegawai, Pegawai.id == HukumanDisiplin.pegawai_id)
        .where(
            HukumanDisiplin.updated_at > since,
            HukumanDisiplin.tmt_mulai <= day,
            or_(HukumanDisiplin.tmt_selesai.is_(None), HukumanDisiplin.tmt_selesai >= day),
        )
        .order_by(HukumanDisiplin.updated_at, HukumanDisiplin.id)
    )
    if opd_id is not None:
        stmt = stmt.join(UnitOrganisasi, UnitOrganisasi.id == Pegawai.unit_id).where(
            UnitOrganisasi.opd_id == opd_id
        )
    return [
        f"{pegawai.nama_lengkap}: {describe(row)}" + (" (dibatalkan)" if row.is_annulled else "")
        for row, pegawai in session.execute(stmt)
    ]


@dataclass
class HukdisRow:
    """A register row with the employee and OPD it concerns."""

    hukdis: HukumanDisiplin
    nip: str | None
    nama: str
    opd_id: int | None
    opd: str

    @property
    def label(self) -> str:
        return hukdis_label(self.hukdis.jenis)


def list_hukdis(
    session: Session,
    *,
    opd_ids: set[int] | None = None,
    opd_id: int | None = None,
    bulan: tuple[int, int] | None = None,
    jenis: str | None = None,
    include_annulled: bool = False,
    q: str = "",
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """Return one page of the register, newest TMT first, with the employee's NIP and OPD.

    ``opd_ids`` is the caller's scope (None = every OPD); ``opd_id``, ``bulan`` (in force in
    that month), ``jenis``, ``include_annulled`` and ``q`` (name or NIP) filter.
    """
    opd = UnitOrganisasi
    stmt = (
        select(
            HukumanDisiplin,
            Pegawai.nip,
            Pegawai.gelar_depan,
            Pegawai.nama,
            Pegawai.gelar_belakang,
            opd.opd_id,
        )
        .join(Pegawai, Pegawai.id == HukumanDisiplin.pegawai_id)
        .join(opd, opd.id == Pegawai.unit_id, isouter=True)
    )
    if opd_ids is not None:
        stmt = stmt.where(opd.opd_id.in_(opd_ids or {-1}))
    if opd_id is not None:
        stmt = stmt.where(opd.opd_id == opd_id)
    if bulan is not None:
        stmt = stmt.where(in_force_on(date(bulan[0], bulan[1], 1)))
    elif not include_annulled:
        stmt = stmt.where(HukumanDisiplin.is_annulled.is_(False))
    if jenis:
        stmt = stmt.where(HukumanDisiplin.jenis == jenis)
    term = q.strip()
    if term:
        digits = term.replace(" ", "")
        cond = func.lower(Pegawai.nama).contains(term.lower(), autoescape=True)
        if digits.isdigit():
            cond = cond | Pegawai.nip.startswith(digits)
        stmt = stmt.where(cond)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    page = max(1, page)
    rows = session.execute(
        stmt.order_by(HukumanDisiplin.tmt_mulai.desc(), HukumanDisiplin.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    opd_names = dict(
        session.execute(
            select(UnitOrganisasi.id, UnitOrganisasi.nama).where(
                UnitOrganisasi.id.in_({r[5] for r in rows if r[5] is not None} or {-1})
            )
        ).all()
    )
    items = []
    for row, nip, depan, nama, belakang, row_opd in rows:
        full = " ".join(p for p in ((depan or "").strip(), (nama or "").strip()) if p)
        if (belakang or "").strip():
            full = f"{full}, {belakang.strip()}"
        items.append(HukdisRow(row, nip, full, row_opd, opd_names.get(row_opd, "-")))
    return Page(items=items, total=total or 0, page=page, per_page=per_page)
