"""Reads of the planning domain: periods, goal trees, SKPs, the penilai inbox and OPD board.

Every function loads what a page needs in a fixed number of set-based queries.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select, true
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from skp_app.org.models import Jabatan, Pegawai, UnitOrganisasi
from skp_app.org.queries import ACTIVE_KEDUDUKAN, SKP_KEDUDUKAN, subordinates_of
from skp_app.planning.models import (
    SKP_STATUS,
    IndikatorSasaran,
    Periode,
    Rhk,
    Sasaran,
    Skp,
    SkpTransition,
    SkpVersion,
)

__all__ = [
    "BOARD_STATUS",
    "Board",
    "BoardRow",
    "InboxRow",
    "current_skp",
    "goals_tree",
    "inbox",
    "list_periode",
    "monitoring_board",
    "open_periode",
    "opd_sasaran_options",
    "penilai_rhk_options",
    "penilai_skp",
    "periode_by_tahun",
    "previous_skp",
    "regent_sasaran_options",
    "skp_full",
    "skp_history",
    "cascade_recipients",
]

# Status keys of the monitoring board: "belum" (no SKP yet) plus the SKP statuses in use.
BOARD_STATUS = {
    "belum": "Belum dibuat",
    "draft": "Draf",
    "diajukan": "Diajukan",
    "disetujui": "Disetujui",
    "dikembalikan": "Dikembalikan",
}
SKP_ASN = ("PNS", "PPPK")


# --- periods ---------------------------------------------------------------------------------


def list_periode(session: Session) -> list[Periode]:
    """Return every period, newest first."""
    return list(session.scalars(select(Periode).order_by(Periode.tahun.desc())))


def periode_by_tahun(session: Session, tahun: int) -> Periode | None:
    return session.scalar(select(Periode).where(Periode.tahun == tahun))


def open_periode(session: Session, today: date | None = None) -> Periode | None:
    """Return the open period covering ``today``, else the newest open period."""
    today = today or date.today()
    rows = list(
        session.scalars(
            select(Periode).where(Periode.is_open.is_(True)).order_by(Periode.tahun.desc())
        )
    )
    for p in rows:
        if p.tanggal_mulai <= today <= p.tanggal_selesai:
            return p
    return rows[0] if rows else None


# --- SKP -------------------------------------------------------------------------------------


def current_skp(session: Session, pegawai_id: int, periode_id: int) -> Skp | None:
    """Return the employee's current (latest) SKP of the period."""
    return session.scalar(
        select(Skp).where(
            Skp.pegawai_id == pegawai_id, Skp.periode_id == periode_id, Skp.is_current == true()
        )
    )


def previous_skp(session: Session, pegawai_id: int, tahun: int) -> Skp | None:
    """Return the employee's SKP of year ``tahun`` (the current one, else the latest closed)."""
    return session.scalar(
        select(Skp)
        .join(Periode, Skp.periode_id == Periode.id)
        .where(Skp.pegawai_id == pegawai_id, Periode.tahun == tahun)
        .order_by(Skp.is_current.desc(), Skp.tanggal_selesai.desc(), Skp.id.desc())
        .limit(1)
    )


def skp_full(session: Session, skp_id: int) -> Skp | None:
    """Return one SKP with everything its pages show (RHK, IKI, links, perilaku, lampiran)."""
    parent = aliased(Rhk)
    return session.scalar(
        select(Skp)
        .where(Skp.id == skp_id)
        .options(
            joinedload(Skp.periode),
            joinedload(Skp.pegawai).joinedload(Pegawai.jabatan),
            joinedload(Skp.pegawai).joinedload(Pegawai.unit),
            joinedload(Skp.penilai).joinedload(Pegawai.jabatan),
            joinedload(Skp.penilai).joinedload(Pegawai.unit),
            joinedload(Skp.atasan_penilai).joinedload(Pegawai.jabatan),
            joinedload(Skp.atasan_penilai).joinedload(Pegawai.unit),
            selectinload(Skp.rhk).selectinload(Rhk.iki),
            selectinload(Skp.rhk)
            .selectinload(Rhk.parent_rhk.of_type(parent))
            .joinedload(parent.skp)
            .joinedload(Skp.pegawai),
            selectinload(Skp.rhk).selectinload(Rhk.parent_sasaran),
            selectinload(Skp.perilaku),
            selectinload(Skp.lampiran),
        )
    )


def skp_history(session: Session, skp_id: int) -> tuple[list[SkpTransition], list[SkpVersion]]:
    """Return the workflow transitions (oldest first) and approved versions of an SKP."""
    transitions = list(
        session.scalars(
            select(SkpTransition)
            .where(SkpTransition.skp_id == skp_id)
            .order_by(SkpTransition.at, SkpTransition.id)
        )
    )
    versions = list(
        session.scalars(
            select(SkpVersion).where(SkpVersion.skp_id == skp_id).order_by(SkpVersion.version)
        )
    )
    return transitions, versions


def penilai_skp(session: Session, skp: Skp) -> Skp | None:
    """Return the pejabat penilai's current SKP in the same period (the one RHK intervene)."""
    if skp.penilai_pegawai_id is None:
        return None
    return session.scalar(
        select(Skp)
        .where(
            Skp.pegawai_id == skp.penilai_pegawai_id,
            Skp.periode_id == skp.periode_id,
            Skp.is_current == true(),
        )
        .options(selectinload(Skp.rhk).selectinload(Rhk.iki))
    )


def penilai_rhk_options(session: Session, skp: Skp) -> tuple[Skp | None, list[Rhk]]:
    """Return the penilai's SKP and its RHK a subordinate may choose to intervene."""
    source = penilai_skp(session, skp)
    return source, (list(source.rhk) if source is not None else [])


def opd_sasaran_options(session: Session, opd_id: int | None, tahun: int) -> list[Sasaran]:
    """Return the OPD's sasaran (Renstra / Perjanjian Kinerja) valid in ``tahun``."""
    if opd_id is None:
        return []
    return list(
        session.scalars(
            select(Sasaran)
            .where(
                Sasaran.level == "opd",
                Sasaran.opd_id == opd_id,
                Sasaran.jenis == "sasaran",
                Sasaran.tahun_awal <= tahun,
                Sasaran.tahun_akhir >= tahun,
            )
            .order_by(Sasaran.kode, Sasaran.id)
        )
    )


def regent_sasaran_options(session: Session) -> list[Sasaran]:
    """Return the regent (RPJMD) tujuan and sasaran an OPD goal may support."""
    return list(
        session.scalars(
            select(Sasaran)
            .where(Sasaran.level == "regent", Sasaran.jenis.in_(("tujuan", "sasaran")))
            .order_by(Sasaran.kode, Sasaran.id)
        )
    )


def goals_tree(
    session: Session, level: str, opd_id: int | None = None
) -> list[tuple[Sasaran, int]]:
    """Return the goals of one level (one OPD) depth-first as ``(sasaran, depth)``.

    Indicators and their yearly targets are loaded with them (three queries in all).
    """
    stmt = select(Sasaran).where(Sasaran.level == level)
    if level == "opd":
        stmt = stmt.where(Sasaran.opd_id == opd_id)
    rows = list(
        session.scalars(
            stmt.options(
                selectinload(Sasaran.indikator).selectinload(IndikatorSasaran.targets),
                joinedload(Sasaran.supports),
            ).order_by(Sasaran.kode, Sasaran.id)
        )
    )
    ids = {s.id for s in rows}
    children: dict[int | None, list[Sasaran]] = {}
    for s in rows:
        key = s.parent_id if s.parent_id in ids else None
        children.setdefault(key, []).append(s)
    out: list[tuple[Sasaran, int]] = []
    stack = [(s, 0) for s in reversed(children.get(None, []))]
    seen: set[int] = set()
    while stack:
        node, depth = stack.pop()
        if node.id in seen:
            continue
        seen.add(node.id)
        out.append((node, depth))
        stack.extend((c, depth + 1) for c in reversed(children.get(node.id, [])))
    return out


# --- penilai inbox ---------------------------------------------------------------------------


@dataclass
class InboxRow:
    pegawai: Pegawai
    skp: Skp | None

    @property
    def status(self) -> str:
        return self.skp.status if self.skp is not None else "belum"

    @property
    def status_label(self) -> str:
        return BOARD_STATUS.get(self.status, SKP_STATUS.get(self.status, self.status))


_INBOX_ORDER = {"diajukan": 0, "dikembalikan": 1, "draft": 2, "belum": 3, "disetujui": 4}


def inbox(session: Session, penilai: Pegawai, periode_id: int) -> list[InboxRow]:
    """Return what waits for a pejabat penilai: SKPs naming them (submitted first), plus direct
    subordinates who have not started an SKP."""
    skps = list(
        session.scalars(
            select(Skp)
            .where(
                Skp.penilai_pegawai_id == penilai.id,
                Skp.periode_id == periode_id,
                Skp.is_current == true(),
            )
            .options(
                joinedload(Skp.pegawai).joinedload(Pegawai.jabatan),
                joinedload(Skp.pegawai).joinedload(Pegawai.unit),
            )
        )
    )
    rows = [InboxRow(s.pegawai, s) for s in skps]
    have = {s.pegawai_id for s in skps}
    subs = [p for p in subordinates_of(session, penilai) if p.id not in have and p.must_have_skp]
    if subs:
        others = dict(
            session.execute(
                select(Skp.pegawai_id, Skp.id).where(
                    Skp.pegawai_id.in_([p.id for p in subs]),
                    Skp.periode_id == periode_id,
                    Skp.is_current == true(),
                )
            ).all()
        )
        rows.extend(InboxRow(p, None) for p in subs if p.id not in others)
    rows.sort(
        key=lambda r: (
            _INBOX_ORDER.get(r.status, 9),
            r.skp.submitted_at or datetime.min if r.skp else datetime.min,
            r.pegawai.nama,
        )
    )
    return rows


def cascade_recipients(session: Session, owner: Pegawai) -> tuple[list[Pegawai], list[Jabatan]]:
    """Return the direct subordinates of ``owner`` and the positions directly below theirs."""
    subs = [p for p in subordinates_of(session, owner) if p.must_have_skp]
    positions: list[Jabatan] = []
    if owner.jabatan_id is not None:
        positions = list(
            session.scalars(
                select(Jabatan).where(Jabatan.atasan_id == owner.jabatan_id).order_by(Jabatan.nama)
            )
        )
    return subs, positions


# --- OPD monitoring board --------------------------------------------------------------------


@dataclass(slots=True)
class BoardRow:
    pegawai_id: int
    nama: str
    nip: str | None
    jabatan: str
    unit_id: int | None
    unit: str
    skp_id: int | None
    status: str
    penilai: str
    updated_at: datetime | None

    @property
    def status_label(self) -> str:
        return BOARD_STATUS.get(self.status, self.status)


@dataclass
class Board:
    rows: list[BoardRow]
    counts: dict[str, int]
    total: int
    units: list[tuple[int, str]] = field(default_factory=list)


def _full_name(depan: str, nama: str, belakang: str) -> str:
    name = " ".join(p for p in ((depan or "").strip(), (nama or "").strip()) if p)
    return f"{name}, {belakang.strip()}" if belakang and belakang.strip() else name


def monitoring_board(
    session: Session,
    opd_id: int,
    periode_id: int,
    *,
    status: str | None = None,
    unit_id: int | None = None,
    q: str = "",
) -> Board:
    """Return every employee of an OPD who owes an SKP, with the status of their current SKP.

    One query for the rows (counts are taken before the status filter) and one for the units,
    whatever the number of employees.
    """
    penilai = aliased(Pegawai)
    stmt = (
        select(
            Pegawai.id,
            Pegawai.gelar_depan,
            Pegawai.nama,
            Pegawai.gelar_belakang,
            Pegawai.nip,
            Jabatan.nama,
            UnitOrganisasi.id,
            UnitOrganisasi.nama,
            Skp.id,
            Skp.status,
            Skp.updated_at,
            penilai.gelar_depan,
            penilai.nama,
            penilai.gelar_belakang,
        )
        .join(UnitOrganisasi, Pegawai.unit_id == UnitOrganisasi.id)
        .outerjoin(Jabatan, Pegawai.jabatan_id == Jabatan.id)
        .outerjoin(
            Skp,
            and_(
                Skp.pegawai_id == Pegawai.id,
                Skp.periode_id == periode_id,
                Skp.is_current == true(),
            ),
        )
        .outerjoin(penilai, Skp.penilai_pegawai_id == penilai.id)
        .where(
            UnitOrganisasi.opd_id == opd_id,
            Pegawai.kedudukan_hukum_id.in_(SKP_KEDUDUKAN),
            Pegawai.jenis_asn.in_(SKP_ASN),
        )
        .order_by(UnitOrganisasi.nama, Pegawai.nama, Pegawai.id)
    )
    if unit_id is not None:
        stmt = stmt.where(Pegawai.unit_id == unit_id)
    term = (q or "").strip()
    if term:
        digits = term.replace(" ", "")
        conds = [func.lower(Pegawai.nama).contains(term.lower())]
        if digits.isdigit() and len(digits) >= 4:
            conds.append(Pegawai.nip.startswith(digits))
        stmt = stmt.where(or_(*conds))
    rows: list[BoardRow] = []
    for r in session.execute(stmt):
        rows.append(
            BoardRow(
                pegawai_id=r[0],
                nama=_full_name(r[1], r[2], r[3]),
                nip=r[4],
                jabatan=r[5] or "-",
                unit_id=r[6],
                unit=r[7],
                skp_id=r[8],
                status=r[9] or "belum",
                updated_at=r[10],
                penilai=_full_name(r[11] or "", r[12] or "", r[13] or "") if r[12] else "-",
            )
        )
    counts = Counter(r.status for r in rows)
    total = len(rows)
    if status:
        rows = [r for r in rows if r.status == status]
    units = [
        (uid, nama)
        for uid, nama in session.execute(
            select(UnitOrganisasi.id, UnitOrganisasi.nama)
            .where(UnitOrganisasi.opd_id == opd_id)
            .order_by(UnitOrganisasi.nama)
        )
    ]
    return Board(
        rows=rows,
        counts={k: counts.get(k, 0) for k in BOARD_STATUS},
        total=total,
        units=units,
    )


def skp_order_case():
    """Order expression putting submitted SKPs first (for API lists)."""
    return case(
        (Skp.status == "diajukan", 0),
        (Skp.status == "dikembalikan", 1),
        (Skp.status == "draft", 2),
        else_=3,
    )


def active_pegawai_ids(session: Session, ids: list[int]) -> set[int]:
    """Return which of ``ids`` are employees in active service."""
    return set(
        session.scalars(
            select(Pegawai.id).where(
                Pegawai.id.in_(ids or [-1]), Pegawai.kedudukan_hukum_id.in_(ACTIVE_KEDUDUKAN)
            )
        )
    )
