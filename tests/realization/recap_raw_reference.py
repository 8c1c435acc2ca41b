"""The recap's aggregates computed from the raw rows, as the recap did before it read the
maintained monthly totals (skp_app.realization.totals) — the reference the tests compare
the recap with. Copied verbatim from tpp_recap.py at commit 8d46ba9; the capaian rules
themselves are shared (``tpp_recap.capaian_from_sums``), only their sums come from the raw rows.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Float, Integer, String, Time, and_, case, cast, func, literal, select
from sqlalchemy.orm import Session

from skp_app.realization.evaluation_queries import (
    COUNTED_REALISASI,
    InstansiSettings,
)
from skp_app.realization.models import Aktivitas, Kehadiran, Realisasi
from skp_app.realization.tpp_recap import (
    AttendanceAgg,
    MonthCalendar,
    _core,
    _scope_ids,
    capaian_from_sums,
)


def raw_monthly(session, cal, settings, opd_id):
    """Drop-in for ``tpp_recap._monthly`` reading the raw rows."""
    return _points(session, cal, opd_id), _attendance(session, cal, settings, opd_id)


def _minutes_of_day(col, dialect: str):
    if dialect == "sqlite":
        # Stored as "HH:MM:SS.ffffff": substr is cheaper than strftime.
        return cast(func.substr(col, 1, 2), Integer) * 60 + cast(func.substr(col, 4, 2), Integer)
    # date_part is float8; extract() is numeric since PostgreSQL 14 (slower arithmetic).
    return cast(func.date_part("hour", col) * 60 + func.date_part("minute", col), Integer)


def _string_list(expr, dialect: str):
    if dialect == "postgresql":
        return func.string_agg(cast(expr, String), ",")
    return func.group_concat(expr, ",")


def _parse_list(text: str | None, cache: dict[str, tuple[int | None, ...]]) -> tuple:
    """Read ``15,-1,80`` (``-1`` = no record); the same text is parsed once per recap."""
    if not text:
        return ()
    values = cache.get(text)
    if values is None:
        if "-" in text:
            values = tuple(None if i == "-1" else int(i) for i in text.split(","))
        else:
            values = tuple(map(int, text.split(",")))
        cache[text] = values
    return values


def _points(session: Session, cal: MonthCalendar, opd_id: int | None) -> dict[int, Decimal]:
    stmt = (
        # float8 sum (fast on PostgreSQL); points carry at most 2 decimals, so rounding the
        # sum of one month's activities back to 2 decimals is exact.
        select(Aktivitas.pegawai_id, func.sum(cast(Aktivitas.poin, Float)))
        .where(
            Aktivitas.status == "disetujui",
            Aktivitas.tanggal >= cal.first,
            Aktivitas.tanggal <= cal.last,
        )
        .group_by(Aktivitas.pegawai_id)
    )
    if opd_id is not None:
        stmt = stmt.where(Aktivitas.pegawai_id.in_(_scope_ids(opd_id)))
    # Many employees share a monthly total (minutes come in round numbers): convert each
    # distinct total to Decimal once.
    decimals: dict[float | None, Decimal] = {}
    out: dict[int, Decimal] = {}
    for pid, total in _core(session, stmt):
        value = decimals.get(total)
        if value is None:
            value = decimals[total] = Decimal(str(round(total or 0, 2))).normalize() + 0
        out[pid] = value
    return out


def _attendance(
    session: Session, cal: MonthCalendar, settings: InstansiSettings, opd_id: int | None
) -> dict[int, AttendanceAgg]:
    """Per employee: days with a record (not alpa), alpa rows, and the TL/PSW minutes.

    One pass over the month's rows. Only occurrences are listed (``-1`` = no clock-in/out
    record); the aggregates' FILTER clauses (SQLite ≥ 3.30, PostgreSQL) compute minutes only
    for the rows that are late or leave early, so most rows cost a comparison.
    """
    if not cal.elapsed_days:
        return {}
    dialect = session.get_bind().dialect.name
    start = settings.jam_masuk.hour * 60 + settings.jam_masuk.minute
    end = settings.jam_pulang.hour * 60 + settings.jam_pulang.minute
    friday = settings.friday_end
    friday_end = friday.hour * 60 + friday.minute
    hadir = Kehadiran.keterangan == "hadir"
    if cal.fridays and friday != settings.jam_pulang:
        is_friday = Kehadiran.tanggal.in_(cal.fridays)
        end_time = case(
            (is_friday, literal(friday, Time)), else_=literal(settings.jam_pulang, Time)
        )
        end_minutes = case((is_friday, friday_end), else_=end)
    else:
        end_time, end_minutes = literal(settings.jam_pulang, Time), literal(end)
    late = case(
        (Kehadiran.jam_masuk.is_(None), -1),
        else_=_minutes_of_day(Kehadiran.jam_masuk, dialect) - start,
    )
    early = case(
        (Kehadiran.jam_pulang.is_(None), -1),
        else_=end_minutes - _minutes_of_day(Kehadiran.jam_pulang, dialect),
    )
    is_late = and_(
        hadir,
        Kehadiran.jam_masuk.is_(None) | (Kehadiran.jam_masuk > literal(settings.jam_masuk, Time)),
    )
    is_early = and_(hadir, Kehadiran.jam_pulang.is_(None) | (Kehadiran.jam_pulang < end_time))
    stmt = (
        select(
            Kehadiran.pegawai_id,
            func.count().filter(Kehadiran.keterangan != "alpa"),
            func.count().filter(Kehadiran.keterangan == "alpa"),
            _string_list(late, dialect).filter(is_late),
            _string_list(early, dialect).filter(is_early),
        )
        .where(
            Kehadiran.tanggal >= cal.first,
            Kehadiran.tanggal <= cal.cutoff,
            Kehadiran.tanggal.in_(cal.elapsed_days),
        )
        .group_by(Kehadiran.pegawai_id)
    )
    if opd_id is not None:
        stmt = stmt.where(Kehadiran.pegawai_id.in_(_scope_ids(opd_id)))
    lists: dict[str, tuple[int | None, ...]] = {}
    return {
        pid: AttendanceAgg(
            present, alpa, _parse_list(late_text, lists), _parse_list(early_text, lists)
        )
        for pid, present, alpa, late_text, early_text in _core(session, stmt)
    }


def _capaian(session: Session, tahun: int, bulan: int, opd_id: int | None) -> dict[int, Decimal]:
    """Drop-in for ``tpp_recap._capaian`` summing the raw realisasi of months 1..bulan."""
    sums = (
        select(
            Realisasi.iki_id.label("iki_id"),
            # float8 sums are far cheaper than numeric ones on PostgreSQL (capaian is a ratio).
            func.sum(cast(Realisasi.nilai, Float)).label("total"),
            func.count().label("n"),
        )
        .where(
            Realisasi.tahun == tahun,
            Realisasi.bulan <= bulan,
            Realisasi.status.in_(COUNTED_REALISASI),
            Realisasi.nilai.is_not(None),
        )
        .group_by(Realisasi.iki_id)
        .subquery()
    )
    return capaian_from_sums(session, sums, bulan, opd_id)
