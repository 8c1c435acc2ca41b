"""The recap's aggregates computed from the raw rows, as the recap did before it read the
maintained monthly totals (skp_app.realization.totals) — the reference the tests compare
the recap with. Copied verbatim from tpp_recap.py at commit 8d46ba9.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Float, Integer, String, Time, and_, case, cast, func, literal, select, text
from sqlalchemy.orm import Session

from skp_app.planning.models import Iki, Rhk, Skp
from skp_app.realization.evaluation_queries import (
    APPROVED_SKP_STATUS,
    COUNTED_REALISASI,
    InstansiSettings,
)
from skp_app.realization.models import Aktivitas, Kehadiran, Realisasi
from skp_app.realization.tpp_recap import AttendanceAgg, MonthCalendar, _core, _month_of, _scope_ids


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
    """Average capaian of the RHK utama per employee, cumulated to ``bulan`` (in SQL).

    Per IKI: realisasi of months 1..bulan (sum; average for percentage IKI) against the target
    pro-rated by the SKP months elapsed (percentage IKI: the full target), with the
    PermenPANRB 8/2021 rules for range and lower-is-better targets; then the mean per RHK and
    the mean of the RHK per employee (as the evaluation suggestion, §11.1).

    Three steps, each computed once per row: the per-SKP month factor (one row per SKP), the
    per-IKI realised value and target bounds (materialized, one row per IKI), then the
    capaian and the two means (``sum/count``: PostgreSQL's ``avg(float8)`` also keeps a sum
    of squares).
    """
    dialect = session.get_bind().dialect.name
    # SQLite reads the year in IKI order from ix_realisasi_capaian (no sort for the GROUP BY);
    # PostgreSQL hashes the months ≤ bulan read from ix_realisasi_recap.
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
    start_m = _month_of(Skp.tanggal_mulai, dialect)
    end_m = _month_of(Skp.tanggal_selesai, dialect)
    elapsed = case((end_m < bulan, end_m), else_=bulan) - start_m + 1
    skps = select(
        Skp.id.label("skp_id"),
        Skp.pegawai_id.label("pegawai_id"),
        (cast(elapsed, Float) / cast(end_m - start_m + 1, Float)).label("f"),
    ).where(
        # Realisasi rows of year ``tahun`` only belong to SKPs of that year's periode.
        Skp.is_current.is_(True),
        Skp.status.in_(APPROVED_SKP_STATUS),
        start_m <= bulan,
    )
    if opd_id is not None:
        skps = skps.where(Skp.opd_id == opd_id)
    skps = skps.cte("capaian_skp").prefix_with("MATERIALIZED")
    contains = func.instr if dialect == "sqlite" else func.strpos
    is_pct = (contains(Iki.satuan, "%") > 0) | func.lower(Iki.satuan).like("persen%")
    factor = case((is_pct, 1.0), else_=skps.c.f)
    # One row per IKI with its realised value and the (pro-rated) target bounds. MATERIALIZED
    # keeps both databases from inlining these expressions into every branch of the CASE below.
    base = (
        select(
            skps.c.pegawai_id.label("pegawai_id"),
            Iki.rhk_id.label("rhk_id"),
            Iki.lower_is_better.label("lower"),
            case((is_pct, sums.c.total / sums.c.n), else_=sums.c.total).label("r"),
            (cast(Iki.target, Float) * factor).label("lo"),
            (cast(Iki.target_max, Float) * factor).label("hi"),
        )
        .select_from(sums)
        .join(Iki, Iki.id == sums.c.iki_id)
        .join(Rhk, Rhk.id == Iki.rhk_id)
        .join(skps, skps.c.skp_id == Rhk.skp_id)
        .where(Rhk.jenis == "utama", Iki.target.is_not(None))
        .cte("capaian_iki")
        .prefix_with("MATERIALIZED")
    )
    r, lo, hi = base.c.r, base.c.lo, base.c.hi
    in_range = and_(hi.is_not(None), r >= lo, r <= hi)
    # Above a range: against its upper bound; otherwise (below a range, or a single target)
    # against the lower bound / the target. Inside a range the capaian is 100%.
    ref = case((and_(hi.is_not(None), r > hi), hi), else_=lo)
    ratio = r * 100.0 / func.nullif(ref, 0.0, type_=Float)
    capaian = case(
        (in_range, 100.0),
        (base.c.lower.is_(True), 200.0 - ratio),
        else_=ratio,
    )
    per_iki = select(base.c.pegawai_id, base.c.rhk_id, capaian.label("c")).subquery()
    c = per_iki.c.c
    per_rhk = (
        select(per_iki.c.pegawai_id, (func.sum(c) / func.count(c)).label("c"))
        .where(c.is_not(None))
        .group_by(per_iki.c.pegawai_id, per_iki.c.rhk_id)
        .subquery()
    )
    mean = func.sum(per_rhk.c.c) / func.count(per_rhk.c.c)
    stmt = select(per_rhk.c.pegawai_id, mean).group_by(per_rhk.c.pegawai_id)
    if dialect == "postgresql":
        # Sorting the ~100k groups (per IKI, then per RHK) costs a quarter less CPU than
        # hashing them: the hash tables outgrow the CPU caches. Only for this statement.
        session.execute(text("SET LOCAL enable_hashagg = off"))
    rows = _core(session, stmt)
    if dialect == "postgresql":
        session.execute(text("SET LOCAL enable_hashagg TO DEFAULT"))
    return {pid: Decimal(str(round(float(value), 2))) for pid, value in rows if value is not None}
