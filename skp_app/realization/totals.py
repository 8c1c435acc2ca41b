"""Monthly totals the TPP recap reads, maintained in the same transaction as every write.

The monthly recap (:mod:`skp_app.realization.tpp_recap`) of a regency would otherwise
aggregate about 1.5 million raw rows (a year of realisasi, a month of activities and of
attendance). Instead it reads two small tables kept equal to those aggregates:

* :class:`RekapBulananPegawai` — per employee and month: the points of the approved activities
  and the attendance of each day (settings-independent, see the model);
* :class:`RealisasiKumulatif` — per IKI and year: the cumulative sum and count of the counted
  realisasi of months 1..m.

How they stay equal: every ORM flush that inserts, changes or deletes an :class:`Aktivitas`,
:class:`Kehadiran` or :class:`Realisasi` recomputes the affected keys (employee × month,
IKI × year) from the raw rows at the end of the flush (:func:`_after_flush`), so every
operation, view, job or test writing through the ORM is covered without knowing about it.
Writes that bypass the ORM (the attendance import's executemany upsert, the demo builder's
bulk inserts) call :func:`refresh_pegawai_months` / :func:`refresh_iki_years` or
:func:`rebuild_monthly_totals` themselves. A recompute (never ``+=``) is idempotent; on
PostgreSQL it first locks the parent rows (``FOR NO KEY UPDATE`` on the pegawai / IKI) so
that two concurrent transactions writing the same employee's month recompute one after the
other, the second one from a snapshot that includes the first one's commit.

After a manual fix in the database, ``skp recap rebuild-totals [--bulan YYYY-MM]`` (or
:func:`rebuild_monthly_totals`) recomputes the totals from the raw rows.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from sqlalchemy import Integer, and_, bindparam, case, event, func, literal, select
from sqlalchemy.orm import Session, attributes

from skp_app.org.models import Pegawai
from skp_app.planning.models import Iki, Rhk, Skp
from skp_app.realization.models import (
    Aktivitas,
    Kehadiran,
    Realisasi,
    RealisasiKumulatif,
    RekapBulananPegawai,
)

__all__ = [
    "COUNTED_REALISASI",
    "MONTHS",
    "NO_DAY",
    "NO_MASUK",
    "NO_PULANG",
    "RebuildResult",
    "apply_attendance_days",
    "encode_time",
    "rebuild_monthly_totals",
    "refresh_iki_years",
    "refresh_pegawai_months",
]

#: Realisasi statuses that count towards capaian (as evaluation_queries.COUNTED_REALISASI;
#: repeated here because evaluation_queries imports this package's models only).
COUNTED_REALISASI = ("diajukan", "terverifikasi")
MONTHS = range(1, 13)
NO_MASUK = "~~~~~~"  # hadir without clock-in: sorts after every time (always "late")
NO_PULANG = "------"  # hadir without clock-out: sorts before every time (always "early")
NO_DAY = "......"  # the day is not a hadir day (no record, alpa, izin, …)
_CHUNK = 900  # ids per IN (…) list (well under SQLite's bound-parameter limit)
_AKTIVITAS_KEYS = ("pegawai_id", "tanggal", "status", "poin")
_KEHADIRAN_KEYS = ("pegawai_id", "tanggal", "keterangan", "jam_masuk", "jam_pulang")
_REALISASI_KEYS = ("iki_id", "tahun", "bulan", "status", "nilai")
_CENT = Decimal("0.01")
_DAY_CODE = {"hadir": "H", "alpa": "A"}  # any other keterangan: "K"


def encode_time(value: time | None, missing: str) -> str:
    """Encode a clock time as six digits of half seconds (fixed width: text order = time order).

    A fraction of a second adds one, so ``07:30:00.5`` sorts after ``07:30:00`` as the
    ``time`` comparison of the raw rows does; ``value // 120`` gives the minutes of the day.

    Examples
    --------
    >>> encode_time(time(7, 30), NO_MASUK), encode_time(None, NO_MASUK)
    ('054000', '~~~~~~')
    """
    if value is None:
        return missing
    seconds = value.hour * 3600 + value.minute * 60 + value.second
    return f"{2 * seconds + (1 if value.microsecond else 0):06d}"


def _month_bounds(tahun: int, bulan: int) -> tuple[date, date]:
    return date(tahun, bulan, 1), date(tahun, bulan, calendar.monthrange(tahun, bulan)[1])


def _chunks(values: list, size: int = _CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _lock(session: Session, model, ids: list[int] | None) -> None:
    """PostgreSQL: lock the parent rows (all when ``ids`` is None) so that concurrent
    recomputes of a key run one after the other."""
    if session.get_bind().dialect.name != "postgresql" or ids == []:
        return
    conn = session.connection()
    lock = select(model.id).order_by(model.id).with_for_update(key_share=True)
    if ids is None:
        conn.execute(lock).all()
        return
    for chunk in _chunks(sorted(ids)):
        conn.execute(lock.where(model.id.in_(chunk))).all()


# --- employee × month ------------------------------------------------------------------------


def _pegawai_rows(
    session: Session, tahun: int, bulan: int, pegawai_ids: list[int] | None
) -> dict[int, dict]:
    """Compute the rows of one month from the raw tables (all employees when ids is None)."""
    first, last = _month_bounds(tahun, bulan)
    conn = session.connection()
    rows: dict[int, dict] = {}
    groups = [None] if pegawai_ids is None else list(_chunks(sorted(pegawai_ids)))
    for chunk in groups:
        points = (
            select(Aktivitas.pegawai_id, func.sum(Aktivitas.poin))
            .where(
                Aktivitas.status == "disetujui",
                Aktivitas.tanggal >= first,
                Aktivitas.tanggal <= last,
            )
            .group_by(Aktivitas.pegawai_id)
        )
        days = select(
            Kehadiran.pegawai_id,
            Kehadiran.tanggal,
            Kehadiran.keterangan,
            Kehadiran.jam_masuk,
            Kehadiran.jam_pulang,
        ).where(Kehadiran.tanggal >= first, Kehadiran.tanggal <= last)
        if chunk is not None:
            points = points.where(Aktivitas.pegawai_id.in_(chunk))
            days = days.where(Kehadiran.pegawai_id.in_(chunk))
        for pid, total in conn.execute(points):
            rows[pid] = {"poin": Decimal(str(total or 0)).quantize(_CENT), "days": {}}
        for pid, tanggal, keterangan, masuk, pulang in conn.execute(days):
            row = rows.get(pid)
            if row is None:
                row = rows[pid] = {"poin": Decimal(0), "days": {}}
            row["days"][tanggal.day] = (keterangan, masuk, pulang)
    out = {}
    for pid, row in rows.items():
        hari, masuk, pulang = [], [], []
        for day in range(1, 32):
            record = row["days"].get(day)
            if record is None:
                hari.append(".")
                masuk.append(NO_DAY)
                pulang.append(NO_DAY)
                continue
            code, came, left = _day_fields(*record)
            hari.append(code)
            masuk.append(came)
            pulang.append(left)
        out[pid] = {
            "tahun": tahun,
            "bulan": bulan,
            "pegawai_id": pid,
            "poin": row["poin"],
            "hari": "".join(hari),
            "masuk": "".join(masuk),
            "pulang": "".join(pulang),
        }
    return out


def refresh_pegawai_months(session: Session, keys: Iterable[tuple[int, int, int]]) -> int:
    """Recompute the monthly totals of these ``(pegawai_id, tahun, bulan)`` from the raw rows.

    Set-based: per month one aggregate of the approved activities and one read of the
    attendance days of the employees concerned, then one delete and one insert. A key
    without approved activities nor attendance has no row. Returns the rows written.
    """
    by_month: dict[tuple[int, int], set[int]] = defaultdict(set)
    for pid, tahun, bulan in keys:
        by_month[(tahun, bulan)].add(pid)
    if not by_month:
        return 0
    _lock(session, Pegawai, list({pid for pids in by_month.values() for pid in pids}))
    table = RekapBulananPegawai.__table__
    conn = session.connection()
    written = 0
    for (tahun, bulan), pids in sorted(by_month.items()):
        ids = sorted(pids)
        rows = _pegawai_rows(session, tahun, bulan, ids)
        for chunk in _chunks(ids):
            conn.execute(
                table.delete().where(
                    table.c.tahun == tahun, table.c.bulan == bulan, table.c.pegawai_id.in_(chunk)
                )
            )
        if rows:
            conn.execute(table.insert(), list(rows.values()))
            written += len(rows)
    return written


def _day_fields(keterangan: str, masuk: time | None, pulang: time | None) -> tuple[str, str, str]:
    code = _DAY_CODE.get(keterangan, "K")
    if code != "H":
        return code, NO_DAY, NO_DAY
    return code, encode_time(masuk, NO_MASUK), encode_time(pulang, NO_PULANG)


def apply_attendance_days(
    session: Session, days: dict[tuple[int, date], tuple[str, time | None, time | None]]
) -> int:
    """Write attendance days just upserted in bulk into the monthly totals.

    ``days`` maps ``(pegawai_id, tanggal)`` to the row's new ``(keterangan, jam_masuk,
    jam_pulang)``. An existing monthly row gets those days set in place (the day's position
    in ``hari``/``masuk``/``pulang``; setting, not adding, so it is idempotent); a month
    without a row yet is recomputed from the raw rows (:func:`refresh_pegawai_months`).
    Patching keeps an import sorted by date (every batch touching thousands of employees)
    from re-reading each employee's whole month per batch. Returns the rows written.
    """
    by_month: dict[tuple[int, int], dict[int, list[tuple[int, tuple[str, str, str]]]]] = (
        defaultdict(lambda: defaultdict(list))
    )
    for (pid, tanggal), (keterangan, masuk, pulang) in days.items():
        by_month[(tanggal.year, tanggal.month)][pid].append(
            (tanggal.day - 1, _day_fields(keterangan, masuk, pulang))
        )
    if not by_month:
        return 0
    _lock(session, Pegawai, list({pid for pids in by_month.values() for pid in pids}))
    table = RekapBulananPegawai.__table__
    conn = session.connection()
    update = (
        table.update()
        .where(
            table.c.tahun == bindparam("k_tahun"),
            table.c.bulan == bindparam("k_bulan"),
            table.c.pegawai_id == bindparam("k_pegawai"),
        )
        .values(hari=bindparam("hari"), masuk=bindparam("masuk"), pulang=bindparam("pulang"))
    )
    written = 0
    missing: list[tuple[int, int, int]] = []
    for (tahun, bulan), per_pegawai in sorted(by_month.items()):
        ids = sorted(per_pegawai)
        current = {}
        for chunk in _chunks(ids):
            for pid, hari, masuk, pulang in conn.execute(
                select(table.c.pegawai_id, table.c.hari, table.c.masuk, table.c.pulang).where(
                    table.c.tahun == tahun, table.c.bulan == bulan, table.c.pegawai_id.in_(chunk)
                )
            ):
                current[pid] = (hari, masuk, pulang)
        changes = []
        for pid in ids:
            row = current.get(pid)
            if row is None:
                missing.append((pid, tahun, bulan))
                continue
            hari = row[0].ljust(31, ".")
            masuk = row[1].ljust(186, ".")
            pulang = row[2].ljust(186, ".")
            # Usually one or two days per employee and batch: splice them in.
            for position, (code, came, left) in per_pegawai[pid]:
                at = 6 * position
                hari = f"{hari[:position]}{code}{hari[position + 1 :]}"
                masuk = f"{masuk[:at]}{came}{masuk[at + 6 :]}"
                pulang = f"{pulang[:at]}{left}{pulang[at + 6 :]}"
            changes.append(
                {
                    "k_tahun": tahun,
                    "k_bulan": bulan,
                    "k_pegawai": pid,
                    "hari": hari,
                    "masuk": masuk,
                    "pulang": pulang,
                }
            )
        if changes:
            conn.execute(update, changes)
            written += len(changes)
    return written + refresh_pegawai_months(session, missing)


# --- IKI × year ------------------------------------------------------------------------------


def _insert_iki_rows(session: Session, tahun: int, iki_ids: list[int] | None) -> int:
    """Insert the cumulative rows of one year (all IKI when ids is None) computed in SQL.

    One ``INSERT … SELECT … GROUP BY iki_id`` per chunk: the sums never travel through
    Python. The caller deleted the rows of these keys first. Returns the rows inserted.
    """
    counted = and_(Realisasi.status.in_(COUNTED_REALISASI), Realisasi.nilai.is_not(None))
    names = ["tahun", "iki_id"]
    columns = [literal(tahun, Integer), Realisasi.iki_id]
    for m in MONTHS:
        names += [f"total_{m}", f"n_{m}"]
        columns += [
            func.sum(case((Realisasi.bulan <= m, Realisasi.nilai))),
            func.count(case((Realisasi.bulan <= m, 1))),
        ]
    stmt = select(*columns).where(Realisasi.tahun == tahun, counted).group_by(Realisasi.iki_id)
    table = RealisasiKumulatif.__table__
    conn = session.connection()
    written = 0
    groups = [None] if iki_ids is None else list(_chunks(sorted(iki_ids)))
    for chunk in groups:
        query = stmt if chunk is None else stmt.where(Realisasi.iki_id.in_(chunk))
        insert = table.insert().from_select(names, query)
        result = conn.execute(insert.execution_options(preserve_rowcount=True))
        written += result.rowcount
    return written


def refresh_iki_years(session: Session, keys: Iterable[tuple[int, int]]) -> int:
    """Recompute the cumulative realisasi of these ``(iki_id, tahun)`` from the raw rows.

    An IKI-year without a counted realisasi has no row. Returns the rows written.
    """
    by_year: dict[int, set[int]] = defaultdict(set)
    for iki_id, tahun in keys:
        by_year[tahun].add(iki_id)
    if not by_year:
        return 0
    _lock(session, Iki, list({i for ids in by_year.values() for i in ids}))
    table = RealisasiKumulatif.__table__
    conn = session.connection()
    written = 0
    for tahun, iki_ids in sorted(by_year.items()):
        ids = sorted(iki_ids)
        for chunk in _chunks(ids):
            conn.execute(table.delete().where(table.c.tahun == tahun, table.c.iki_id.in_(chunk)))
        written += _insert_iki_rows(session, tahun, ids)
    return written


# --- rebuild ---------------------------------------------------------------------------------


@dataclass
class RebuildResult:
    """What :func:`rebuild_monthly_totals` rewrote."""

    bulan: list[tuple[int, int]]
    tahun: list[int]
    pegawai_rows: int = 0
    realisasi_rows: int = 0

    def to_dict(self) -> dict:
        return {
            "bulan": [f"{t}-{b:02d}" for t, b in self.bulan],
            "tahun": self.tahun,
            "rekap_bulanan_pegawai": self.pegawai_rows,
            "realisasi_kumulatif": self.realisasi_rows,
        }


def _months_with_data(session: Session) -> list[tuple[int, int]]:
    """Every month with an activity or an attendance day, or a total row."""
    conn = session.connection()
    months: set[tuple[int, int]] = set()
    for model in (Aktivitas, Kehadiran):
        lo, hi = conn.execute(select(func.min(model.tanggal), func.max(model.tanggal))).one()
        if lo is None:
            continue
        y, m = lo.year, lo.month
        while (y, m) <= (hi.year, hi.month):
            months.add((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    existing = conn.execute(select(RekapBulananPegawai.tahun, RekapBulananPegawai.bulan).distinct())
    months.update((t, b) for t, b in existing)
    return sorted(months)


def _years_with_data(session: Session) -> list[int]:
    """Every year with a realisasi or a cumulative row."""
    conn = session.connection()
    years = set(conn.execute(select(Realisasi.tahun).distinct()).scalars())
    years |= set(conn.execute(select(RealisasiKumulatif.tahun).distinct()).scalars())
    return sorted(years)


def rebuild_monthly_totals(
    session: Session,
    bulan: tuple[int, int] | None = None,
    pegawai_ids: Iterable[int] | None = None,
    *,
    pegawai: bool = True,
    realisasi: bool = True,
) -> RebuildResult:
    """Recompute the monthly totals from the raw rows (after a manual fix or a bulk load).

    ``bulan`` = ``(tahun, bulan)`` limits the employee totals to that month and the
    cumulative realisasi to that year; None rebuilds every month and year found in the raw
    rows and the totals. ``pegawai_ids`` limits both to those employees (their SKPs' IKI).
    ``pegawai`` / ``realisasi`` choose the tables. Flushes only (the caller commits).
    """
    ids = sorted(set(pegawai_ids)) if pegawai_ids is not None else None
    conn = session.connection()
    months = [bulan] if bulan is not None else (_months_with_data(session) if pegawai else [])
    years = [bulan[0]] if bulan is not None else (_years_with_data(session) if realisasi else [])
    result = RebuildResult(bulan=months, tahun=years)
    table = RekapBulananPegawai.__table__
    if pegawai:
        if ids is None:
            _lock(session, Pegawai, None)
        for tahun, nomor in months:
            if ids is None:
                conn.execute(table.delete().where(table.c.tahun == tahun, table.c.bulan == nomor))
                rows = _pegawai_rows(session, tahun, nomor, None)
                if rows:
                    conn.execute(table.insert(), list(rows.values()))
                result.pegawai_rows += len(rows)
            else:
                result.pegawai_rows += refresh_pegawai_months(
                    session, [(pid, tahun, nomor) for pid in ids]
                )
    if realisasi:
        kum = RealisasiKumulatif.__table__
        iki_ids: set[int] = set()
        if ids is None:
            _lock(session, Iki, None)
        else:
            for chunk in _chunks(ids):
                iki_ids.update(
                    conn.execute(
                        select(Iki.id)
                        .join(Rhk, Rhk.id == Iki.rhk_id)
                        .join(Skp, Skp.id == Rhk.skp_id)
                        .where(Skp.pegawai_id.in_(chunk))
                    ).scalars()
                )
                # Also realisasi rows whose IKI no longer belongs to these SKPs' RHK.
                iki_ids.update(
                    conn.execute(
                        select(Realisasi.iki_id)
                        .join(Skp, Skp.id == Realisasi.skp_id)
                        .where(Skp.pegawai_id.in_(chunk))
                    ).scalars()
                )
        for tahun in years:
            if ids is None:
                conn.execute(kum.delete().where(kum.c.tahun == tahun))
                result.realisasi_rows += _insert_iki_rows(session, tahun, None)
            else:
                result.realisasi_rows += refresh_iki_years(session, [(i, tahun) for i in iki_ids])
    return result


# --- maintenance on every ORM flush ----------------------------------------------------------

_PENDING = "realization_totals_keys"


def _changed(obj, names: tuple[str, ...]) -> bool:
    state = attributes.instance_state(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _add_keys(obj, keys: tuple[set, set]) -> None:
    """Add the totals keys of ``obj``: its current one, and its old one when it moved."""
    if isinstance(obj, Aktivitas | Kehadiran):
        first, second = "pegawai_id", "tanggal"
    elif isinstance(obj, Realisasi):
        first, second = "iki_id", "tahun"
    else:
        return
    state = attributes.instance_state(obj)
    current = (getattr(obj, first), getattr(obj, second))
    old_first = state.attrs[first].history.deleted
    old_second = state.attrs[second].history.deleted
    pairs = [current]
    if old_first or old_second:
        pairs.append(
            (old_first[0] if old_first else current[0], old_second[0] if old_second else current[1])
        )
    for a, b in pairs:
        if a is None or b is None:
            continue
        if isinstance(obj, Realisasi):
            keys[1].add((a, b))
        else:
            keys[0].add((a, b.year, b.month))


def _pending(session: Session) -> tuple[set, set]:
    return session.info.setdefault(_PENDING, (set(), set()))


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, flush_context, instances) -> None:  # noqa: ARG001
    """Note the keys of the rows about to be deleted (their attributes can still be loaded)."""
    for obj in session.deleted:
        if isinstance(obj, Aktivitas | Kehadiran | Realisasi):
            _add_keys(obj, _pending(session))


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, flush_context) -> None:  # noqa: ARG001 - event signature
    """Recompute the totals touched by this flush (same transaction, same connection)."""
    keys = session.info.pop(_PENDING, None) or (set(), set())
    for obj in session.new:
        _add_keys(obj, keys)
    for obj in session.dirty:
        if isinstance(obj, Aktivitas):
            names = _AKTIVITAS_KEYS
        elif isinstance(obj, Kehadiran):
            names = _KEHADIRAN_KEYS
        elif isinstance(obj, Realisasi):
            names = _REALISASI_KEYS
        else:
            continue
        if _changed(obj, names):
            _add_keys(obj, keys)
    pegawai_keys, iki_keys = keys
    if pegawai_keys:
        refresh_pegawai_months(session, pegawai_keys)
    if iki_keys:
        refresh_iki_years(session, iki_keys)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
