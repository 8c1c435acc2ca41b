"""Reads for evaluations: periods, the evaluation page's context, suggestions and the curve.

Every function loads what a page needs in a fixed number of set-based queries (one per table,
aggregates in SQL); none issues a query per row.

Period rhythm (domain.md §4.1): ``Periode.periodik`` is ``bulanan`` (periode_ke 1–12, a month)
or ``triwulan`` (periode_ke 1–4, a quarter); the annual evaluation is ``jenis="tahunan"`` with
``periode_ke=0``. The same numbering is used by :class:`PredikatOrganisasi`.
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from skp_app.org.models import Instansi, Jabatan, Pegawai, UnitOrganisasi
from skp_app.org.queries import ACTIVE_KEDUDUKAN
from skp_app.planning.berakhlak import BERAKHLAK, CoreValue
from skp_app.planning.models import Iki, Periode, Rhk, Skp
from skp_app.realization.models import (
    Aktivitas,
    Bukti,
    Evaluasi,
    Keberatan,
    PredikatOrganisasi,
    Realisasi,
)
from skp_app.realization.scoring import (
    CurveLimit,
    CurveViolation,
    OrgPredikat,
    Predikat,
    Rating,
    ScoringError,
    angka_kredit,
    capaian_iki,
    check_distribution,
    curve_limits,
    rollup_capaian,
    suggest_rating_hasil_kerja,
)
from skp_app.realization.settings import (
    DEFAULT_SETTINGS,
    InstansiSettings,
    SettingsError,
    settings_for,
)

__all__ = [
    "APPROVED_SKP_STATUS",
    "BULAN",
    "DEFAULT_SETTINGS",
    "ORG_TO_RATING",
    "CurveStatus",
    "EvalPeriod",
    "EvaluationContext",
    "IkiRow",
    "InstansiSettings",
    "KeberatanInbox",
    "OverviewRow",
    "RhkRow",
    "SettingsError",
    "Suggestion",
    "curve_status",
    "default_instansi",
    "employee_evaluations",
    "eval_period",
    "evaluation_context",
    "evaluation_periods",
    "identity",
    "instansi_for_unit",
    "instansi_settings",
    "keberatan_deadline",
    "keberatan_inbox",
    "led_unit_ids",
    "org_predikat_for",
    "org_predikat_rows",
    "penilai_overview",
    "periode_for_tahun",
    "skp_for_evaluation",
    "unit_evaluations",
    "unit_subtree_ids",
]

BULAN = (
    "",
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
_ROMAN = ("", "I", "II", "III", "IV")
# An SKP is evaluated once approved; a transfer closes it ("ditutup") but the months it
# covered are still evaluated.
APPROVED_SKP_STATUS = ("disetujui", "ditutup")
# Realisasi that count for an evaluation: submitted or verified (drafts and rejected do not).
COUNTED_REALISASI = ("diajukan", "terverifikasi")

# [U] SE MenPANRB 3/2023 says the organisation's capaian "is used as" its leader's rating hasil
# kerja without a table; SKP Cascade reads Istimewa as Di Atas, Baik as Sesuai, and the three
# lower predikat as Di Bawah Ekspektasi.
ORG_TO_RATING: dict[OrgPredikat, Rating] = {
    OrgPredikat.ISTIMEWA: Rating.DI_ATAS,
    OrgPredikat.BAIK: Rating.SESUAI,
    OrgPredikat.BUTUH_PERBAIKAN: Rating.DI_BAWAH,
    OrgPredikat.KURANG: Rating.DI_BAWAH,
    OrgPredikat.SANGAT_KURANG: Rating.DI_BAWAH,
}


# --- instansi settings -----------------------------------------------------------------------


def instansi_settings(instansi: Instansi | None) -> InstansiSettings:
    """Read and validate the settings of ``instansi`` (defaults when absent).

    The keys, defaults and checks live in :mod:`skp_app.realization.settings`.

    Raises
    ------
    SettingsError
        When a stored value is invalid, naming the key.
    """
    return settings_for(instansi)


def default_instansi(session: Session) -> Instansi | None:
    """Return the deployment's instansi (the first one; SKP Cascade serves one regency)."""
    return session.scalar(select(Instansi).order_by(Instansi.id).limit(1))


def instansi_for_unit(session: Session, unit_id: int | None) -> Instansi | None:
    """Return the instansi of a unit, else the deployment's instansi."""
    if unit_id is not None:
        row = session.scalar(
            select(Instansi)
            .join(UnitOrganisasi, UnitOrganisasi.instansi_id == Instansi.id)
            .where(UnitOrganisasi.id == unit_id)
        )
        if row is not None:
            return row
    return default_instansi(session)


# --- periods ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvalPeriod:
    """One evaluation period of a year: its kind, number, months and Indonesian label."""

    tahun: int
    jenis: str  # periodik / tahunan
    periode_ke: int
    months: tuple[int, ...]
    label: str
    rhythm: str  # bulanan / triwulan

    @property
    def start(self) -> date:
        return date(self.tahun, self.months[0], 1)

    @property
    def end(self) -> date:
        last = self.months[-1]
        return date(self.tahun, last, calendar.monthrange(self.tahun, last)[1])

    @property
    def document_label(self) -> str:
        """The "PERIODE:" line of the evaluation document (annex of PermenPANRB 6/2022)."""
        if self.jenis == "tahunan":
            return f"TAHUNAN {self.tahun} (JANUARI SD DESEMBER)"
        if self.rhythm == "bulanan":
            return f"BULANAN: {BULAN[self.periode_ke].upper()} {self.tahun}"
        suffix = "-AKHIR" if self.periode_ke == 4 else ""
        return f"TRIWULAN {_ROMAN[self.periode_ke]}{suffix} {self.tahun}"


def eval_period(tahun: int, rhythm: str, jenis: str, periode_ke: int) -> EvalPeriod | None:
    """Return the period, or None when ``jenis``/``periode_ke`` do not fit the rhythm."""
    if jenis == "tahunan":
        if periode_ke != 0:
            return None
        return EvalPeriod(tahun, jenis, 0, tuple(range(1, 13)), f"Tahunan {tahun}", rhythm)
    if jenis != "periodik":
        return None
    if rhythm == "bulanan":
        if not 1 <= periode_ke <= 12:
            return None
        return EvalPeriod(
            tahun, jenis, periode_ke, (periode_ke,), f"{BULAN[periode_ke]} {tahun}", rhythm
        )
    if not 1 <= periode_ke <= 4:
        return None
    months = tuple(range(3 * periode_ke - 2, 3 * periode_ke + 1))
    return EvalPeriod(
        tahun, jenis, periode_ke, months, f"Triwulan {_ROMAN[periode_ke]} {tahun}", "triwulan"
    )


def evaluation_periods(periode: Periode) -> list[EvalPeriod]:
    """Return every periodic period of the year followed by the annual one."""
    rhythm = periode.periodik if periode.periodik in {"bulanan", "triwulan"} else "triwulan"
    count = 12 if rhythm == "bulanan" else 4
    periods = [eval_period(periode.tahun, rhythm, "periodik", k) for k in range(1, count + 1)]
    periods.append(eval_period(periode.tahun, rhythm, "tahunan", 0))
    return [p for p in periods if p is not None]


def period_of(skp: Skp, jenis: str, periode_ke: int) -> EvalPeriod | None:
    """Return the period of ``skp``'s year, or None when it does not exist or misses the SKP."""
    periode = skp.periode
    rhythm = periode.periodik if periode.periodik in {"bulanan", "triwulan"} else "triwulan"
    period = eval_period(periode.tahun, rhythm, jenis, periode_ke)
    if period is None or not _skp_months(skp, period):
        return None
    return period


def _skp_months(skp: Skp, period: EvalPeriod) -> tuple[int, ...]:
    """Months of ``period`` the SKP covers (a transfer SKP covers part of the year)."""
    first, last = _skp_month_range(skp, period.tahun)
    return tuple(m for m in period.months if first <= m <= last)


def _skp_month_range(skp: Skp, tahun: int) -> tuple[int, int]:
    start = skp.tanggal_mulai
    end = skp.tanggal_selesai
    first = (
        1 if start is None or start.year < tahun else (13 if start.year > tahun else start.month)
    )
    last = 12 if end is None or end.year > tahun else (0 if end.year < tahun else end.month)
    return first, last


def periode_for_tahun(session: Session, tahun: int | None) -> Periode | None:
    """Return the period of ``tahun``, else the newest open period, else the newest one."""
    if tahun is not None:
        row = session.scalar(select(Periode).where(Periode.tahun == tahun))
        if row is not None:
            return row
    return session.scalar(
        select(Periode).order_by(Periode.is_open.desc(), Periode.tahun.desc()).limit(1)
    )


# --- SKP and the evaluation page -------------------------------------------------------------


def skp_for_evaluation(session: Session, skp_id: int) -> Skp | None:
    """Return one SKP with the people, RHK, IKI and perilaku the evaluation page shows."""
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
            joinedload(Skp.jabatan).joinedload(Jabatan.unit),
            joinedload(Skp.unit),
            selectinload(Skp.rhk).selectinload(Rhk.iki),
            selectinload(Skp.perilaku),
        )
    )


@dataclass
class IkiRow:
    """One IKI with its target, its realisasi in the period and the capaian (percent)."""

    iki: Iki
    realisasi: Decimal | None = None
    aggregate: str = "jumlah"  # jumlah (sum of months) / rata-rata (percentages)
    months_reported: int = 0
    pending: int = 0  # realisasi still waiting for verification
    target_period: Decimal | None = None
    target_max_period: Decimal | None = None
    capaian: Decimal | None = None
    capaian_note: str = ""
    bukti_count: int = 0


@dataclass
class RhkRow:
    """One RHK with its IKI rows, approved activity totals and the penilai's feedback."""

    rhk: Rhk
    iki_rows: list[IkiRow] = field(default_factory=list)
    capaian: Decimal | None = None
    aktivitas_count: int = 0
    aktivitas_menit: int = 0
    aktivitas_poin: Decimal = Decimal(0)
    umpan_balik: str = ""


@dataclass
class PerilakuRow:
    nilai: CoreValue
    ekspektasi_khusus: str = ""
    umpan_balik: str = ""


@dataclass
class Suggestion:
    """The suggested rating hasil kerja (and, for the annual proposal, perilaku)."""

    rating_hasil: Rating | None
    rating_perilaku: Rating | None = None
    basis: str | None = None  # capaian / organisasi / periodik
    note: str = ""
    capaian_utama: Decimal | None = None
    proposed_from: Evaluasi | None = None
    org_predikat: OrgPredikat | None = None
    leader_of: UnitOrganisasi | None = None


@dataclass
class EvaluationContext:
    """Everything the evaluation page and the evaluation document show."""

    skp: Skp
    period: EvalPeriod
    evaluasi: Evaluasi | None
    rhk_rows: list[RhkRow]
    perilaku_rows: list[PerilakuRow]
    suggestion: Suggestion
    aktivitas_total_count: int
    aktivitas_total_menit: int
    aktivitas_total_poin: Decimal
    aktivitas_tanpa_rhk: int
    curve: CurveStatus
    angka_kredit: Decimal | None = None
    angka_kredit_note: str = ""
    keberatan: list[Keberatan] = field(default_factory=list)

    @property
    def utama(self) -> list[RhkRow]:
        return [r for r in self.rhk_rows if r.rhk.jenis == "utama"]

    @property
    def tambahan(self) -> list[RhkRow]:
        return [r for r in self.rhk_rows if r.rhk.jenis != "utama"]


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _is_percent(iki: Iki) -> bool:
    satuan = (iki.satuan or "").strip().lower()
    return "%" in satuan or satuan.startswith("persen")


def _iki_capaian(row: IkiRow, factor: Decimal) -> None:
    """Fill the period target and the capaian of one IKI row (PermenPANRB 8/2021 formula).

    Additive IKI (documents, activities, months) are summed over the period's months and
    measured against the target pro-rated by the share of the SKP's months in the period;
    percentage IKI are averaged and measured against the full target.
    """
    iki = row.iki
    if iki.target is None:
        row.capaian_note = "Target kualitatif"
        return
    scale = Decimal(1) if row.aggregate == "rata-rata" else factor
    row.target_period = Decimal(str(iki.target)) * scale
    if iki.target_max is not None:
        row.target_max_period = Decimal(str(iki.target_max)) * scale
    if row.realisasi is None:
        row.capaian_note = "Belum ada realisasi"
        return
    try:
        row.capaian = capaian_iki(
            row.realisasi,
            row.target_period,
            target_max=row.target_max_period,
            lower_is_better=iki.lower_is_better,
        )
    except ScoringError as exc:
        row.capaian_note = str(exc)


def org_predikat_for(
    session: Session, unit_ids: list[int], tahun: int, periode_ke: int
) -> dict[int, PredikatOrganisasi]:
    """Return ``unit_id → PredikatOrganisasi`` of the period for the given units."""
    if not unit_ids:
        return {}
    rows = session.scalars(
        select(PredikatOrganisasi).where(
            PredikatOrganisasi.unit_id.in_(unit_ids),
            PredikatOrganisasi.tahun == tahun,
            PredikatOrganisasi.periode_ke == periode_ke,
        )
    )
    return {r.unit_id: r for r in rows}


def _leader_unit(skp: Skp) -> UnitOrganisasi | None:
    """The unit the SKP's owner leads (head position), if any."""
    jabatan = skp.jabatan or (skp.pegawai.jabatan if skp.pegawai is not None else None)
    if jabatan is not None and jabatan.is_kepala_unit:
        return jabatan.unit
    return None


def _suggest(session: Session, skp: Skp, period: EvalPeriod, rhk_rows: list[RhkRow]) -> Suggestion:
    capaians = [r.capaian for r in rhk_rows if r.rhk.jenis == "utama"]
    known = [c for c in capaians if c is not None]
    average = sum(known, Decimal(0)) / len(known) if known else None
    by_capaian = suggest_rating_hasil_kerja(capaians)
    suggestion = Suggestion(rating_hasil=by_capaian, basis="capaian", capaian_utama=average)
    if by_capaian is None:
        suggestion.basis = None
        suggestion.note = "Belum ada capaian RHK utama untuk menyarankan rating hasil kerja."
    else:
        suggestion.note = (
            f"Saran dari rata-rata capaian RHK utama {average:.2f}% (SKP Cascade §11.1: ≥ 101% "
            "Di Atas, 80–100% Sesuai, < 80% Di Bawah Ekspektasi)."
        )

    if period.jenis == "tahunan":
        last = session.scalar(
            select(Evaluasi)
            .where(
                Evaluasi.skp_id == skp.id,
                Evaluasi.jenis == "periodik",
                Evaluasi.status == "final",
            )
            .order_by(Evaluasi.periode_ke.desc())
            .limit(1)
        )
        if last is not None and last.rating_hasil and last.rating_perilaku:
            rhythm_label = eval_period(period.tahun, period.rhythm, "periodik", last.periode_ke)
            predikat = Predikat.from_siasn_id(last.predikat) if last.predikat else None
            suggestion = Suggestion(
                rating_hasil=Rating.from_siasn_id(last.rating_hasil),
                rating_perilaku=Rating.from_siasn_id(last.rating_perilaku),
                basis="periodik",
                capaian_utama=average,
                proposed_from=last,
                note=(
                    "Usulan dari evaluasi periodik terakhir ("
                    f"{rhythm_label.label if rhythm_label else last.periode_ke}"
                    f"{', predikat ' + predikat.label if predikat else ''}); penilai "
                    "mengonfirmasi atau mengubahnya (SKP Cascade §11.8)."
                ),
            )

    leader_of = _leader_unit(skp)
    if leader_of is not None:
        row = org_predikat_for(session, [leader_of.id], period.tahun, period.periode_ke).get(
            leader_of.id
        )
        if row is not None:
            org = OrgPredikat.coerce(row.predikat)
            suggestion.rating_hasil = ORG_TO_RATING[org]
            suggestion.basis = "organisasi"
            suggestion.org_predikat = org
            suggestion.note = (
                f"Pegawai ini pimpinan {leader_of.nama}. Menurut SE MenPANRB 3/2023, capaian "
                f"kinerja organisasi ({org.label}) dipakai sebagai rating hasil kerja pimpinan "
                f"unit: disarankan {ORG_TO_RATING[org].label}."
            )
        else:
            suggestion.note += (
                f" Pegawai ini pimpinan {leader_of.nama}, tetapi predikat organisasinya untuk "
                f"{period.label} belum ditetapkan; setelah ditetapkan, predikat itu menjadi "
                "dasar rating hasil kerjanya (SE MenPANRB 3/2023)."
            )
        suggestion.leader_of = leader_of
    return suggestion


def evaluation_context(
    session: Session, skp: Skp, period: EvalPeriod, evaluasi: Evaluasi | None = None
) -> EvaluationContext:
    """Build the evaluation page for ``skp`` in ``period`` (``skp`` from skp_for_evaluation).

    Realisasi of the period's months are summed per IKI (percentages averaged) from submitted
    and verified rows; evidence is counted per IKI; approved activities (Aktivitas with status
    ``disetujui``) are totalled per RHK within the period and the SKP's dates.
    """
    months = _skp_months(skp, period)
    first, last = _skp_month_range(skp, period.tahun)
    skp_month_count = max(1, last - first + 1)
    factor = Decimal(len(months)) / Decimal(skp_month_count)

    if evaluasi is None:
        evaluasi = session.scalar(
            select(Evaluasi)
            .where(
                Evaluasi.skp_id == skp.id,
                Evaluasi.jenis == period.jenis,
                Evaluasi.periode_ke == period.periode_ke,
            )
            .options(selectinload(Evaluasi.umpan_balik), selectinload(Evaluasi.keberatan))
        )

    iki_ids = [i.id for r in skp.rhk for i in r.iki]
    sums: dict[int, tuple] = {}
    bukti: dict[int, int] = {}
    if iki_ids and months:
        in_period = and_(
            Realisasi.skp_id == skp.id,
            Realisasi.tahun == period.tahun,
            Realisasi.bulan.in_(months),
            Realisasi.status.in_(COUNTED_REALISASI),
            Realisasi.nilai.is_not(None),
        )
        for iki_id, total, count, pending in session.execute(
            select(
                Realisasi.iki_id,
                func.sum(Realisasi.nilai),
                func.count(),
                func.sum(case((Realisasi.status == "diajukan", 1), else_=0)),
            )
            .where(in_period)
            .group_by(Realisasi.iki_id)
        ):
            sums[iki_id] = (_dec(total), int(count), int(pending or 0))
        bukti = dict(
            session.execute(
                select(Realisasi.iki_id, func.count(Bukti.id))
                .join(Bukti, Bukti.realisasi_id == Realisasi.id)
                .where(in_period)
                .group_by(Realisasi.iki_id)
            ).all()
        )

    start = max(period.start, skp.tanggal_mulai) if skp.tanggal_mulai else period.start
    end = min(period.end, skp.tanggal_selesai) if skp.tanggal_selesai else period.end
    activity: dict[int | None, tuple[int, int, Decimal]] = {}
    for rhk_id, count, menit, poin in session.execute(
        select(Aktivitas.rhk_id, func.count(), func.sum(Aktivitas.menit), func.sum(Aktivitas.poin))
        .where(
            Aktivitas.pegawai_id == skp.pegawai_id,
            Aktivitas.status == "disetujui",
            Aktivitas.tanggal >= start,
            Aktivitas.tanggal <= end,
        )
        .group_by(Aktivitas.rhk_id)
    ):
        activity[rhk_id] = (int(count), int(menit or 0), _dec(poin) or Decimal(0))

    feedback_rhk: dict[int, str] = {}
    feedback_nilai: dict[int, str] = {}
    if evaluasi is not None:
        for ub in evaluasi.umpan_balik:
            if ub.rhk_id is not None:
                feedback_rhk[ub.rhk_id] = ub.teks
            elif ub.nilai_kode is not None:
                feedback_nilai[ub.nilai_kode] = ub.teks

    rhk_rows: list[RhkRow] = []
    for rhk in skp.rhk:
        row = RhkRow(rhk=rhk, umpan_balik=feedback_rhk.get(rhk.id, ""))
        for iki in rhk.iki:
            total, count, pending = sums.get(iki.id, (None, 0, 0))
            iki_row = IkiRow(
                iki=iki,
                months_reported=count,
                pending=pending,
                bukti_count=int(bukti.get(iki.id, 0)),
                aggregate="rata-rata" if _is_percent(iki) else "jumlah",
            )
            if total is not None and count:
                iki_row.realisasi = total / count if iki_row.aggregate == "rata-rata" else total
            _iki_capaian(iki_row, factor)
            row.iki_rows.append(iki_row)
        row.capaian = rollup_capaian((r.capaian, 1) for r in row.iki_rows)
        count, menit, poin = activity.get(rhk.id, (0, 0, Decimal(0)))
        row.aktivitas_count, row.aktivitas_menit, row.aktivitas_poin = count, menit, poin
        rhk_rows.append(row)

    expectations = {p.nilai_kode: p.ekspektasi_khusus for p in skp.perilaku}
    perilaku_rows = [
        PerilakuRow(v, expectations.get(v.kode, ""), feedback_nilai.get(v.kode, ""))
        for v in BERAKHLAK
    ]
    suggestion = _suggest(session, skp, period, rhk_rows)
    unit_id = evaluasi.unit_id if evaluasi is not None and evaluasi.unit_id else skp.unit_id
    curve = curve_status(session, unit_id, period)

    ak, ak_note = None, ""
    jabatan = skp.jabatan or (skp.pegawai.jabatan if skp.pegawai is not None else None)
    if period.jenis == "tahunan" and jabatan is not None and jabatan.jenis == "fungsional":
        if not jabatan.jenjang:
            ak_note = "Jenjang jabatan fungsional belum diisi; angka kredit tidak dapat dihitung."
        elif evaluasi is not None and evaluasi.predikat:
            try:
                ak = angka_kredit(evaluasi.predikat, jabatan.jenjang, months=skp_month_count)
                ak_note = (
                    f"Peraturan BKN 3/2023: koefisien jenjang {jabatan.jenjang} × persentase "
                    f"predikat × {skp_month_count}/12 bulan."
                )
            except ScoringError as exc:
                ak_note = str(exc)
        else:
            ak_note = "Angka kredit dihitung setelah predikat ditetapkan."

    totals = [v for v in activity.values()]
    return EvaluationContext(
        skp=skp,
        period=period,
        evaluasi=evaluasi,
        rhk_rows=rhk_rows,
        perilaku_rows=perilaku_rows,
        suggestion=suggestion,
        aktivitas_total_count=sum(t[0] for t in totals),
        aktivitas_total_menit=sum(t[1] for t in totals),
        aktivitas_total_poin=sum((t[2] for t in totals), Decimal(0)),
        aktivitas_tanpa_rhk=activity.get(None, (0, 0, Decimal(0)))[0],
        curve=curve,
        angka_kredit=ak,
        angka_kredit_note=ak_note,
        keberatan=sorted(evaluasi.keberatan, key=lambda k: k.id) if evaluasi is not None else [],
    )


# --- the distribution curve ------------------------------------------------------------------


@dataclass
class CurveStatus:
    """The curve of the organisation unit whose predikat governs an evaluation."""

    unit: UnitOrganisasi | None
    org_predikat: OrgPredikat | None
    counts: dict[Predikat, int]
    limits: dict[Predikat, CurveLimit]
    violations: list[CurveViolation]
    governed_unit_ids: set[int]
    mode: str = "warn"

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def rows(self) -> list[tuple[Predikat, int, CurveLimit]]:
        """(predikat, count, limit) from Sangat Kurang up to Sangat Baik (the annex x-axis)."""
        return [(p, self.counts.get(p, 0), self.limits[p]) for p in reversed(list(Predikat))]


def _units_of_instansi(session: Session, unit_id: int) -> dict[int, int | None]:
    instansi_id = select(UnitOrganisasi.instansi_id).where(UnitOrganisasi.id == unit_id)
    return dict(
        session.execute(
            select(UnitOrganisasi.id, UnitOrganisasi.parent_id).where(
                UnitOrganisasi.instansi_id == instansi_id.scalar_subquery()
            )
        ).all()
    )


def _governed(parent_of: dict[int, int | None], root: int, own: set[int]) -> set[int]:
    """Units under ``root`` (itself included), stopping at units with their own predikat."""
    children: dict[int, list[int]] = {}
    for uid, parent in parent_of.items():
        if parent is not None:
            children.setdefault(parent, []).append(uid)
    governed = {root}
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            if child in own or child in governed:
                continue
            governed.add(child)
            stack.append(child)
    return governed


def unit_subtree_ids(session: Session, unit_id: int) -> set[int]:
    """Return the unit and every unit below it."""
    return _governed(_units_of_instansi(session, unit_id), unit_id, set())


def curve_status(
    session: Session,
    unit_id: int | None,
    period: EvalPeriod,
    *,
    extra: Predikat | None = None,
    exclude_evaluasi_id: int | None = None,
) -> CurveStatus:
    """Return the curve governing evaluations of ``unit_id`` in ``period`` (SE MenPANRB 3/2023).

    The governing unit is the nearest unit at or above ``unit_id`` whose organisation predikat
    is set for the period; its employees are those of its sub-units, except sub-units with a
    predikat of their own (§11.2). Counts are the FINAL evaluations of those units in the
    period, plus ``extra`` (the evaluation being finalised, excluded by id from the counts).
    """
    empty = CurveStatus(None, None, dict.fromkeys(Predikat, 0), {}, [], set())
    if unit_id is None:
        return empty
    parent_of = _units_of_instansi(session, unit_id)
    set_rows = {
        r.unit_id: r
        for r in session.scalars(
            select(PredikatOrganisasi).where(
                PredikatOrganisasi.tahun == period.tahun,
                PredikatOrganisasi.periode_ke == period.periode_ke,
                PredikatOrganisasi.unit_id.in_(list(parent_of) or [-1]),
            )
        )
    }
    current: int | None = unit_id
    seen: set[int] = set()
    governing = None
    while current is not None and current not in seen:
        seen.add(current)
        if current in set_rows:
            governing = current
            break
        current = parent_of.get(current)
    if governing is None:
        return empty
    unit = session.get(UnitOrganisasi, governing)
    org = OrgPredikat.coerce(set_rows[governing].predikat)
    governed = _governed(parent_of, governing, set(set_rows) - {governing})
    stmt = (
        select(Evaluasi.predikat, func.count())
        .where(
            Evaluasi.unit_id.in_(governed),
            Evaluasi.tahun == period.tahun,
            Evaluasi.jenis == period.jenis,
            Evaluasi.periode_ke == period.periode_ke,
            Evaluasi.status == "final",
            Evaluasi.predikat.is_not(None),
        )
        .group_by(Evaluasi.predikat)
    )
    if exclude_evaluasi_id is not None:
        stmt = stmt.where(Evaluasi.id != exclude_evaluasi_id)
    counts = dict.fromkeys(Predikat, 0)
    for predikat_id, count in session.execute(stmt):
        counts[Predikat.from_siasn_id(predikat_id)] += int(count)
    if extra is not None:
        counts[extra] += 1
    n = sum(counts.values())
    try:
        mode = instansi_settings(session.get(Instansi, unit.instansi_id)).curve_mode
    except SettingsError:
        mode = "warn"
    return CurveStatus(
        unit=unit,
        org_predikat=org,
        counts=counts,
        limits=curve_limits(org, n),
        violations=check_distribution(org, counts),
        governed_unit_ids=governed,
        mode=mode,
    )


# --- lists -----------------------------------------------------------------------------------


def led_unit_ids(session: Session, pegawai_id: int | None) -> set[int]:
    """Return the units whose head position (``Jabatan.is_kepala_unit``) the employee holds."""
    if pegawai_id is None:
        return set()
    return set(
        session.scalars(
            select(Jabatan.unit_id)
            .join(Pegawai, Pegawai.jabatan_id == Jabatan.id)
            .where(
                Pegawai.id == pegawai_id,
                Jabatan.is_kepala_unit.is_(True),
                Pegawai.kedudukan_hukum_id.in_(ACTIVE_KEDUDUKAN),
            )
        )
    )


@dataclass
class OverviewRow:
    """One subordinate SKP with its evaluation per period (None = not started)."""

    skp: Skp
    evaluations: dict[tuple[str, int], Evaluasi]


def penilai_overview(
    session: Session, penilai_pegawai_id: int, periode: Periode
) -> tuple[list[EvalPeriod], list[OverviewRow]]:
    """Return the periods and the approved SKPs the employee evaluates, with evaluation status."""
    skps = list(
        session.scalars(
            select(Skp)
            .where(
                Skp.penilai_pegawai_id == penilai_pegawai_id,
                Skp.pegawai_id != penilai_pegawai_id,
                Skp.periode_id == periode.id,
                Skp.status.in_(APPROVED_SKP_STATUS),
            )
            .options(joinedload(Skp.pegawai).joinedload(Pegawai.jabatan), joinedload(Skp.periode))
            .order_by(Skp.tanggal_mulai, Skp.id)
        )
    )
    evals: dict[int, dict[tuple[str, int], Evaluasi]] = {s.id: {} for s in skps}
    if skps:
        for ev in session.scalars(select(Evaluasi).where(Evaluasi.skp_id.in_(list(evals)))):
            evals[ev.skp_id][(ev.jenis, ev.periode_ke)] = ev
    rows = [OverviewRow(s, evals[s.id]) for s in skps]
    rows.sort(key=lambda r: (r.skp.pegawai.nama, r.skp.id))
    return evaluation_periods(periode), rows


def employee_evaluations(session: Session, pegawai_id: int) -> list[Evaluasi]:
    """Return the evaluations of the employee's SKPs, newest first."""
    return list(
        session.scalars(
            select(Evaluasi)
            .join(Skp, Skp.id == Evaluasi.skp_id)
            .where(Skp.pegawai_id == pegawai_id)
            .options(
                joinedload(Evaluasi.skp).joinedload(Skp.periode),
                selectinload(Evaluasi.keberatan),
            )
            .order_by(Evaluasi.tahun.desc(), Evaluasi.jenis, Evaluasi.periode_ke.desc())
        )
    )


@dataclass
class KeberatanInbox:
    to_explain: list[Keberatan]
    to_decide: list[Keberatan]


def keberatan_inbox(session: Session, pegawai_id: int) -> KeberatanInbox:
    """Return the open objections the employee must answer (as penilai) or decide (as atasan)."""
    rows = list(
        session.scalars(
            select(Keberatan)
            .join(Evaluasi, Evaluasi.id == Keberatan.evaluasi_id)
            .join(Skp, Skp.id == Evaluasi.skp_id)
            .where(
                Keberatan.status == "diajukan",
                (Skp.penilai_pegawai_id == pegawai_id)
                | (Skp.atasan_penilai_pegawai_id == pegawai_id),
            )
            .options(
                joinedload(Keberatan.evaluasi).joinedload(Evaluasi.skp).joinedload(Skp.pegawai),
                joinedload(Keberatan.evaluasi).joinedload(Evaluasi.skp).joinedload(Skp.periode),
            )
            .order_by(Keberatan.created_at)
        )
    )
    return KeberatanInbox(
        to_explain=[
            k
            for k in rows
            if k.evaluasi.skp.penilai_pegawai_id == pegawai_id and not k.penjelasan_penilai
        ],
        to_decide=[k for k in rows if k.evaluasi.skp.atasan_penilai_pegawai_id == pegawai_id],
    )


def keberatan_deadline(evaluasi: Evaluasi, settings: InstansiSettings):
    """Return the last moment (UTC) an objection may be filed, or None before finalisation."""
    if evaluasi.finalized_at is None:
        return None
    return evaluasi.finalized_at + timedelta(days=settings.keberatan_days)


def unit_evaluations(
    session: Session, unit_ids: set[int], period: EvalPeriod
) -> tuple[list[Skp], dict[int, Evaluasi]]:
    """Return the approved SKPs of the units for the period's year and their evaluations."""
    if not unit_ids:
        return [], {}
    skps = list(
        session.scalars(
            select(Skp)
            .join(Periode, Periode.id == Skp.periode_id)
            .where(
                Skp.unit_id.in_(unit_ids),
                Periode.tahun == period.tahun,
                Skp.status.in_(APPROVED_SKP_STATUS),
            )
            .options(joinedload(Skp.pegawai).joinedload(Pegawai.jabatan), joinedload(Skp.unit))
        )
    )
    evals: dict[int, Evaluasi] = {}
    if skps:
        for ev in session.scalars(
            select(Evaluasi).where(
                Evaluasi.skp_id.in_([s.id for s in skps]),
                Evaluasi.jenis == period.jenis,
                Evaluasi.periode_ke == period.periode_ke,
            )
        ):
            evals[ev.skp_id] = ev
    skps.sort(key=lambda s: (s.pegawai.nama, s.id))
    return skps, evals


def org_predikat_rows(
    session: Session, tahun: int, periode_ke: int, unit_ids: set[int] | None
) -> list[tuple[UnitOrganisasi, PredikatOrganisasi | None]]:
    """Return the units (all OPDs and their sub-units, or ``unit_ids``) with their predikat."""
    stmt = select(UnitOrganisasi).where(UnitOrganisasi.is_active.is_(True))
    if unit_ids is not None:
        stmt = stmt.where(UnitOrganisasi.id.in_(unit_ids or {-1}))
    else:
        stmt = stmt.where(UnitOrganisasi.opd_id.is_not(None))
    units = list(session.scalars(stmt.order_by(UnitOrganisasi.opd_id, UnitOrganisasi.id)))
    predikat = org_predikat_for(session, [u.id for u in units], tahun, periode_ke)
    by_opd: dict[int | None, list[UnitOrganisasi]] = {}
    for u in units:
        by_opd.setdefault(u.opd_id, []).append(u)
    ordered: list[UnitOrganisasi] = []
    opd_names = {u.id: u.nama for u in units if u.is_opd}
    for opd_id in sorted(by_opd, key=lambda k: (opd_names.get(k, "~"), k or 0)):
        group = by_opd[opd_id]
        group.sort(key=lambda u: (not u.is_opd, u.nama))
        ordered.extend(group)
    return [(u, predikat.get(u.id)) for u in ordered]


def predikat_counts(evaluations: list[Evaluasi]) -> Counter:
    """Count final evaluations per predikat (for summaries)."""
    return Counter(
        Predikat.from_siasn_id(e.predikat)
        for e in evaluations
        if e.status == "final" and e.predikat
    )


def identity(snapshot: dict | None, pegawai: Pegawai | None) -> dict:
    """Return the identity block (nama, nip, pangkat, jabatan, unit) of a document header.

    The SKP's approval snapshot is used when present (the document shows who was evaluated
    as approved), else the live employee data.
    """
    if snapshot:
        return {
            "nama": snapshot.get("nama") or "-",
            "nip": snapshot.get("nip"),
            "pangkat": snapshot.get("pangkat") or "-",
            "jabatan": snapshot.get("jabatan") or "-",
            "unit": snapshot.get("unit") or "-",
            "instansi": snapshot.get("instansi") or "",
        }
    if pegawai is None:
        return {
            "nama": "-",
            "nip": None,
            "pangkat": "-",
            "jabatan": "-",
            "unit": "-",
            "instansi": "",
        }
    return {
        "nama": pegawai.nama_lengkap,
        "nip": pegawai.nip,
        "pangkat": pegawai.pangkat_golongan,
        "jabatan": pegawai.jabatan.nama if pegawai.jabatan is not None else "-",
        "unit": pegawai.unit.nama if pegawai.unit is not None else "-",
        "instansi": "",
    }
