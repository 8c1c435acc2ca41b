"""The monthly recap (capaian, activity points, TPP basis) per employee, its policy and export.

SKP Cascade §11.6: the TPP basis of every employee of the regency (or one OPD) for one month,
computed with :func:`skp_app.realization.tpp.compute_tpp` from

* the instansi's TPP policy in force that month (:class:`TppPolicyVersion`, versioned, never
  edited in place) and its monthly pagu per kelas jabatan;
* the points of the employee's APPROVED activities in the month, against the monthly target
  ``Instansi.settings["monthly_points_target"]`` (default 6,000, §11.5);
* attendance imported from the fingerprint machine (:mod:`skp_app.realization.attendance`):
  lateness (TL) and early leave (PSW) minutes per working day against ``jam_masuk`` /
  ``jam_pulang`` (defaults 07:30 / 16:00, optional Friday ``jam_pulang_jumat``), and days
  without a record or marked ``alpa`` on working days (Monday–Friday minus ``hari_libur``);
* the capaian of the RHK utama (PermenPANRB 8/2021 formula) cumulated to the month;
* the hukuman disiplin register (:mod:`skp_app.realization.hukdis`): a sentence in force on
  the first day of the month cuts the policy's percentage of the pagu (the largest when
  several are in force), and the line names its SK.

The recap is set-based: one query per source, then the pure formula per employee in Python,
then one bulk insert of the lines. Points, attendance and the cumulative realisasi are read
from the monthly totals maintained on every write (:mod:`skp_app.realization.totals`: one
row per employee and month, one per IKI and year) rather than aggregated from about 1.5
million raw rows per recap; office hours, holidays and the cut-off day are applied here, so
the totals do not depend on the settings. Each line keeps its lineage
(inputs, steps, deductions); the recap keeps the policy and formula once in ``summary``.
"""

from __future__ import annotations

import calendar
import csv
import gc
import io
import json
import re
import time as _time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    Float,
    Integer,
    and_,
    case,
    cast,
    func,
    select,
    text,
)
from sqlalchemy.orm import Session

from skp_app.audit.operations import record
from skp_app.jobs import job
from skp_app.org.models import Instansi, Jabatan, Pegawai, UnitOrganisasi
from skp_app.org.queries import SKP_KEDUDUKAN, Page
from skp_app.planning.models import Iki, Periode, Rhk, Skp
from skp_app.realization.evaluation_queries import (
    APPROVED_SKP_STATUS,
    BULAN,
    InstansiSettings,
    SettingsError,
    default_instansi,
    instansi_settings,
)
from skp_app.realization.hukdis import ActiveHukdis, active_hukdis, describe
from skp_app.realization.models import (
    Evaluasi,
    RealisasiKumulatif,
    RekapBulananPegawai,
    TppPolicyVersion,
    TppRecap,
    TppRecapLine,
)
from skp_app.realization.scoring import Predikat
from skp_app.realization.totals import NO_MASUK, NO_PULANG, encode_time
from skp_app.realization.tpp import TppError, TppPolicy, TppPolicyError, compute_tpp, formula_safe

__all__ = [
    "EXPORT_COLUMNS",
    "KELAS_JABATAN",
    "RecapError",
    "RecapValidationError",
    "check_recap_request",
    "current_policy",
    "export_recap",
    "parse_bulan",
    "policy_for_month",
    "recap_job",
    "recap_lines",
    "recap_rows",
    "run_recap",
    "save_policy_version",
]

KELAS_JABATAN = range(1, 18)  # kelas jabatan 1–17 (Perpres tunjangan kinerja)
_BULAN_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_ASN = ("PNS", "PPPK")
ProgressFn = Callable[[int, int | None, str | None], None]


class RecapError(Exception):
    """A recap or TPP policy operation was refused (Indonesian message; HTTP 409)."""

    status = 409


class RecapValidationError(RecapError):
    """Invalid input; ``fields`` maps a field to its messages (HTTP 422)."""

    status = 422

    def __init__(self, fields: dict[str, list[str]], message: str | None = None):
        self.fields = {k: list(v) for k, v in fields.items()}
        first = next(iter(self.fields.values()), ["Isian tidak valid."])
        super().__init__(message or (first[0] if first else "Isian tidak valid."))

    def messages(self) -> list[str]:
        return [m for msgs in self.fields.values() for m in msgs] or [str(self)]


def parse_bulan(text: str | None) -> tuple[int, int]:
    """Parse a month written ``YYYY-MM`` (e.g. ``2026-03``) into ``(tahun, bulan)``.

    Raises
    ------
    RecapValidationError
        With a precise Indonesian message for an empty, malformed or impossible month.

    Examples
    --------
    >>> parse_bulan("2026-03")
    (2026, 3)
    """
    value = (text or "").strip()
    if not value:
        raise RecapValidationError(
            {"bulan": ["Bulan wajib diisi dengan format YYYY-MM, misalnya 2026-03."]}
        )
    match = _BULAN_RE.match(value)
    if not match:
        raise RecapValidationError(
            {"bulan": [f"Bulan {value!r} tidak sah: gunakan format YYYY-MM, misalnya 2026-03."]}
        )
    tahun, bulan = int(match.group(1)), int(match.group(2))
    if not 1 <= bulan <= 12:
        raise RecapValidationError(
            {"bulan": [f"Bulan {value!r} tidak sah: bulan harus 01–12 (diberikan {bulan})."]}
        )
    if not 2000 <= tahun <= 2100:
        raise RecapValidationError(
            {"bulan": [f"Bulan {value!r} tidak sah: tahun harus 2000–2100 (diberikan {tahun})."]}
        )
    return tahun, bulan


# --- policy ----------------------------------------------------------------------------------


def current_policy(session: Session, instansi_id: int) -> TppPolicyVersion | None:
    """Return the newest policy version of the instansi (the one shown and edited)."""
    return session.scalar(
        select(TppPolicyVersion)
        .where(TppPolicyVersion.instansi_id == instansi_id)
        .order_by(TppPolicyVersion.version.desc())
        .limit(1)
    )


def policy_for_month(
    session: Session, instansi_id: int, tahun: int, bulan: int
) -> TppPolicyVersion | None:
    """Return the policy in force for a month: the latest to take effect by its last day."""
    last = date(tahun, bulan, calendar.monthrange(tahun, bulan)[1])
    return session.scalar(
        select(TppPolicyVersion)
        .where(TppPolicyVersion.instansi_id == instansi_id, TppPolicyVersion.berlaku_mulai <= last)
        .order_by(TppPolicyVersion.berlaku_mulai.desc(), TppPolicyVersion.version.desc())
        .limit(1)
    )


_GROUPED = re.compile(r"^\d{1,3}([.,\s]\d{3})+$")


def _rupiah_amount(value) -> Decimal | None:
    """Read whole rupiah: a number, ``4500000`` or ``4.500.000`` (thousand separators)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        text = str(value)
    else:
        text = str(value).strip()
        if _GROUPED.match(text):
            text = re.sub(r"[.,\s]", "", text)
    try:
        return Decimal(text)
    except ArithmeticError:
        return None


def _pagu(raw: dict | None) -> tuple[dict[str, int], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    result: dict[str, int] = {}
    for key, value in (raw or {}).items():
        kelas = str(key).strip()
        if not kelas.isdigit() or int(kelas) not in KELAS_JABATAN:
            errors.setdefault("pagu_per_kelas", []).append(
                f"Kelas jabatan {key!r} tidak sah: gunakan 1–17."
            )
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        amount = _rupiah_amount(value)
        if amount is None or not amount.is_finite() or amount < 0 or amount != amount.to_integral():
            errors.setdefault(f"pagu-{int(kelas)}", []).append(
                f"Pagu kelas {int(kelas)} harus rupiah bulat tidak negatif (diberikan {value!r})."
            )
            continue
        result[str(int(kelas))] = int(amount)
    if not result and not errors:
        errors["pagu_per_kelas"] = ["Isi pagu TPP paling sedikit untuk satu kelas jabatan."]
    return result, errors


def save_policy_version(
    session: Session,
    instansi: Instansi,
    *,
    policy_data: dict,
    pagu_per_kelas: dict,
    berlaku_mulai: date | None,
    actor,
) -> TppPolicyVersion:
    """Save a new version of the instansi's TPP policy (versions are never edited in place).

    ``policy_data`` is read with :meth:`TppPolicy.from_dict` (unknown keys and invalid values
    are refused with the field named); ``pagu_per_kelas`` maps kelas jabatan 1–17 to whole
    rupiah.

    Raises
    ------
    RecapValidationError
    """
    errors: dict[str, list[str]] = {}
    policy = None
    try:
        policy = TppPolicy.from_dict(policy_data)
    except TppPolicyError as exc:
        errors["policy"] = [str(exc)]
    except TypeError as exc:
        errors["policy"] = [f"Kebijakan TPP tidak sah: {exc}."]
    pagu, pagu_errors = _pagu(pagu_per_kelas)
    errors.update(pagu_errors)
    if berlaku_mulai is None:
        errors["berlaku_mulai"] = ["Tanggal mulai berlaku wajib diisi (format YYYY-MM-DD)."]
    if errors:
        raise RecapValidationError(errors)
    version = (
        session.scalar(
            select(func.max(TppPolicyVersion.version)).where(
                TppPolicyVersion.instansi_id == instansi.id
            )
        )
        or 0
    ) + 1
    row = TppPolicyVersion(
        instansi_id=instansi.id,
        version=version,
        policy=policy.to_dict(),
        pagu_per_kelas=pagu,
        berlaku_mulai=berlaku_mulai,
        created_by_user_id=getattr(actor, "id", None),
    )
    session.add(row)
    session.flush()
    record(
        session,
        "tpp_policy.create",
        "tpp_policy_version",
        row.id,
        actor=actor,
        after={
            "version": version,
            "policy": row.policy,
            "pagu_per_kelas": pagu,
            "berlaku_mulai": berlaku_mulai,
        },
        summary=f"Kebijakan TPP versi {version} ({policy.name}) berlaku mulai {berlaku_mulai}",
    )
    return row


# --- the recap -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthCalendar:
    """The working days of a month (Mon–Fri minus holidays) up to a cut-off day."""

    tahun: int
    bulan: int
    first: date
    last: date
    cutoff: date
    working_days: tuple[date, ...]  # the whole month
    elapsed_days: tuple[date, ...]  # up to the cut-off (absence is counted on these)
    fridays: tuple[date, ...]

    @property
    def is_complete(self) -> bool:
        return self.cutoff >= self.last


def month_calendar(
    tahun: int, bulan: int, settings: InstansiSettings, today: date
) -> MonthCalendar:
    """Return the month's working days; days after ``today`` are not counted yet."""
    days = calendar.monthrange(tahun, bulan)[1]
    first, last = date(tahun, bulan, 1), date(tahun, bulan, days)
    working = tuple(
        d
        for d in (date(tahun, bulan, i) for i in range(1, days + 1))
        if d.weekday() < 5 and d not in settings.hari_libur
    )
    cutoff = min(last, today)
    elapsed = tuple(d for d in working if d <= cutoff)
    return MonthCalendar(
        tahun,
        bulan,
        first,
        last,
        cutoff,
        working,
        elapsed,
        tuple(d for d in elapsed if d.weekday() == 4),
    )


def _resolve_scope(session: Session, opd_id: int | None) -> tuple[Instansi, UnitOrganisasi | None]:
    opd = None
    if opd_id is not None:
        opd = session.get(UnitOrganisasi, opd_id)
        if opd is None or not opd.is_opd:
            raise RecapValidationError({"opd_id": [f"OPD dengan id {opd_id} tidak ditemukan."]})
        instansi = session.get(Instansi, opd.instansi_id)
    else:
        instansi = default_instansi(session)
    if instansi is None:
        raise RecapError("Data instansi belum ada; impor struktur organisasi terlebih dahulu.")
    return instansi, opd


def check_recap_request(
    session: Session, tahun: int, bulan: int, opd_id: int | None, *, today: date | None = None
) -> tuple[Instansi, UnitOrganisasi | None, TppPolicyVersion, InstansiSettings]:
    """Check that a recap can run (OPD, settings, policy, month started) before queuing it."""
    instansi, opd = _resolve_scope(session, opd_id)
    try:
        settings = instansi_settings(instansi)
    except SettingsError as exc:
        raise RecapError(str(exc)) from None
    policy = policy_for_month(session, instansi.id, tahun, bulan)
    if policy is None:
        raise RecapError(
            f"Belum ada kebijakan TPP yang berlaku untuk {BULAN[bulan]} {tahun}; simpan "
            "kebijakan di halaman Kebijakan TPP."
        )
    today = today or date.today()
    if date(tahun, bulan, 1) > today:
        raise RecapValidationError(
            {
                "bulan": [
                    f"{BULAN[bulan]} {tahun} belum dimulai; rekap hanya untuk bulan berjalan "
                    "atau yang sudah lewat."
                ]
            }
        )
    return instansi, opd, policy, settings


def _scope_ids(opd_id: int | None):
    stmt = select(Pegawai.id).where(
        Pegawai.kedudukan_hukum_id.in_(SKP_KEDUDUKAN), Pegawai.jenis_asn.in_(_ASN)
    )
    if opd_id is not None:
        stmt = stmt.join(UnitOrganisasi, UnitOrganisasi.id == Pegawai.unit_id).where(
            UnitOrganisasi.opd_id == opd_id
        )
    return stmt


def _month_of(col, dialect: str):
    if dialect == "sqlite":
        return cast(func.substr(col, 6, 2), Integer)  # stored as "YYYY-MM-DD"
    return cast(func.date_part("month", col), Integer)


def _core(session: Session, stmt) -> list:
    """Run an aggregate on the session's connection and fetch every row at once (Core rows:
    no ORM row processing, no per-row fetch)."""
    return session.connection().execute(stmt).all()


@dataclass
class AttendanceAgg:
    present_days: int = 0
    alpa_rows: int = 0
    late: tuple[int | None, ...] = ()
    early: tuple[int | None, ...] = ()


def _monthly(
    session: Session, cal: MonthCalendar, settings: InstansiSettings, opd_id: int | None
) -> tuple[dict[int, Decimal], dict[int, AttendanceAgg]]:
    """Per employee: the approved points and the attendance aggregate of the month.

    Read from the maintained monthly totals (:class:`RekapBulananPegawai`, one row per
    employee, see :mod:`skp_app.realization.totals`) instead of the month's raw activities
    and attendance days. The attendance row holds every day of the month; here only the
    elapsed working days count: days with a record (not alpa), alpa days, and the TL/PSW
    minutes of the hadir days that are late or leave early (``None`` = no clock-in/out
    record), in day order.
    """
    stmt = select(
        RekapBulananPegawai.pegawai_id,
        RekapBulananPegawai.poin,
        RekapBulananPegawai.hari,
        RekapBulananPegawai.masuk,
        RekapBulananPegawai.pulang,
    ).where(RekapBulananPegawai.tahun == cal.tahun, RekapBulananPegawai.bulan == cal.bulan)
    if opd_id is not None:
        stmt = stmt.where(RekapBulananPegawai.pegawai_id.in_(_scope_ids(opd_id)))
    rows = _core(session, stmt)

    positions = [d.day - 1 for d in cal.elapsed_days]
    start = settings.jam_masuk.hour * 60 + settings.jam_masuk.minute
    start_key = encode_time(settings.jam_masuk, NO_MASUK)
    fridays = set(cal.fridays)
    # Per elapsed day: (text offset, clock-out key, clock-out minutes).
    ends = []
    for d in cal.elapsed_days:
        end = settings.friday_end if d in fridays else settings.jam_pulang
        ends.append(((d.day - 1) * 6, encode_time(end, NO_PULANG), end.hour * 60 + end.minute))
    end_of = dict(zip(positions, ends, strict=True))

    # Many employees share a day pattern or a monthly total: work each out once.
    patterns: dict[str, tuple[int, int, tuple]] = {}
    decimals: dict[Decimal, Decimal] = {}
    points: dict[int, Decimal] = {}
    attendance: dict[int, AttendanceAgg] = {}
    for pid, poin, hari, masuk, pulang in rows:
        value = decimals.get(poin)
        if value is None:
            value = decimals[poin] = Decimal(poin or 0).normalize() + 0
        points[pid] = value
        pattern = patterns.get(hari)
        if pattern is None:
            codes = [hari[i] if i < len(hari) else "." for i in positions]
            hadir = tuple(end_of[i] for i, c in zip(positions, codes, strict=True) if c == "H")
            alpa = codes.count("A")
            pattern = patterns[hari] = (len(codes) - codes.count(".") - alpa, alpa, hadir)
        present, alpa, hadir = pattern
        if present + alpa == 0:
            continue
        late: list[int | None] = []
        early: list[int | None] = []
        for offset, end_key, end_minutes in hadir:
            came = masuk[offset : offset + 6]
            if came > start_key:
                late.append(None if came == NO_MASUK else int(came) // 120 - start)
            left = pulang[offset : offset + 6]
            if left < end_key:
                early.append(None if left == NO_PULANG else end_minutes - int(left) // 120)
        attendance[pid] = AttendanceAgg(present, alpa, tuple(late), tuple(early))
    return points, attendance


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
    # The cumulative realisasi of months 1..bulan per IKI, maintained on every write
    # (skp_app.realization.totals): one row per IKI instead of ``bulan`` monthly rows.
    total = getattr(RealisasiKumulatif, f"total_{bulan}")
    count = getattr(RealisasiKumulatif, f"n_{bulan}")
    sums = (
        select(
            RealisasiKumulatif.iki_id.label("iki_id"),
            # float8 arithmetic is far cheaper than numeric on PostgreSQL (capaian is a ratio).
            cast(total, Float).label("total"),
            count.label("n"),
        )
        .where(RealisasiKumulatif.tahun == tahun, count > 0)
        .subquery()
    )
    return capaian_from_sums(session, sums, bulan, opd_id)


def capaian_from_sums(session: Session, sums, bulan: int, opd_id: int | None) -> dict[int, Decimal]:
    """The capaian per employee from ``sums`` (``iki_id``, ``total``, ``n`` of months 1..bulan).

    The rules of :func:`_capaian`; tests feed it sums aggregated from the raw realisasi.
    """
    dialect = session.get_bind().dialect.name
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


def _predikat(session: Session, tahun: int, bulan: int, opd_id: int | None) -> dict[int, Predikat]:
    """The final periodic predikat covering the month (for the predikat_table source)."""
    periode = session.scalar(select(Periode).where(Periode.tahun == tahun))
    if periode is None:
        return {}
    periode_ke = bulan if periode.periodik == "bulanan" else (bulan - 1) // 3 + 1
    stmt = (
        select(Skp.pegawai_id, Evaluasi.predikat)
        .join(Skp, Skp.id == Evaluasi.skp_id)
        .where(
            Evaluasi.tahun == tahun,
            Evaluasi.jenis == "periodik",
            Evaluasi.periode_ke == periode_ke,
            Evaluasi.status == "final",
            Evaluasi.predikat.is_not(None),
        )
        .order_by(Evaluasi.id)
    )
    if opd_id is not None:
        stmt = stmt.where(Skp.opd_id == opd_id)
    return {pid: Predikat.from_siasn_id(p) for pid, p in _core(session, stmt)}


def _employees(session: Session, opd_id: int | None):
    stmt = (
        select(
            Pegawai.id,
            UnitOrganisasi.opd_id,
            Jabatan.kelas_jabatan,
        )
        .select_from(Pegawai)
        .join(UnitOrganisasi, UnitOrganisasi.id == Pegawai.unit_id, isouter=True)
        .join(Jabatan, Jabatan.id == Pegawai.jabatan_id, isouter=True)
        .where(Pegawai.kedudukan_hukum_id.in_(SKP_KEDUDUKAN), Pegawai.jenis_asn.in_(_ASN))
        .order_by(Pegawai.id)
    )
    if opd_id is not None:
        stmt = stmt.where(UnitOrganisasi.opd_id == opd_id)
    return _core(session, stmt)


def _dec_text(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _recap_rows(
    employees,
    *,
    policy: TppPolicy,
    pagu_table: dict[str, Decimal],
    points: dict[int, Decimal],
    points_target: Decimal,
    attendance: dict[int, AttendanceAgg],
    n_working: int,
    capaian: dict[int, Decimal],
    predikat: dict[int, Predikat],
    hukdis: dict[int, list[ActiveHukdis]] | None = None,
    policy_version: int | None = None,
) -> tuple[list[dict], dict[str, Decimal], int]:
    """Apply :func:`compute_tpp` to every employee; return the line rows, totals and flags."""
    hukdis = hukdis or {}
    cuts = policy.hukdis_cuts
    no_attendance = AttendanceAgg()
    zero = Decimal(0)
    rows: list[dict] = []
    total_pagu = total_diterima = total_potongan = zero
    flagged = 0
    for pid, line_opd, kelas in employees:
        notes: list[str] = []
        pagu = pagu_table.get(str(kelas)) if kelas is not None else None
        if kelas is None:
            notes.append("Jabatan tanpa kelas jabatan: pagu Rp 0.")
        elif pagu is None:
            notes.append(f"Kelas jabatan {kelas} tidak ada di kebijakan: pagu Rp 0.")
        pagu = pagu or zero
        att = attendance.get(pid) or no_attendance
        emp_points = points.get(pid, zero)
        lineage: dict = {
            "kelas_jabatan": kelas,
            "kehadiran": {
                "hari_kerja": n_working,
                "hari_rekam": att.present_days,
                "alpa": att.alpa_rows,
                "tanpa_rekam": max(n_working - att.present_days - att.alpa_rows, 0),
            },
            "catatan": notes,
        }
        sentence = None
        if pid in hukdis:
            sentence = _choose_hukdis(hukdis[pid], cuts, policy_version, lineage, notes)
        try:
            result = compute_tpp(
                policy,
                pagu=pagu,
                points=emp_points,
                points_target=points_target,
                predikat=predikat.get(pid),
                lateness_minutes=att.late,
                early_leave_minutes=att.early,
                absent_days=max(n_working - att.present_days, 0),
                hukdis_kind=sentence.jenis if sentence else None,
                hukdis_reference=(
                    f"SK {sentence.nomor_sk} tanggal {sentence.tanggal_sk:%d-%m-%Y}"
                    if sentence
                    else None
                ),
            )
        except TppError as exc:
            notes.append(str(exc))
            produktivitas = disiplin = potongan = diterima = zero
        else:
            lineage["inputs"] = result.lineage["inputs"]
            lineage["steps"] = result.lineage["steps"]
            lineage["potongan"] = [
                {"kode": d.code, "uraian": d.reason, "jumlah": _dec_text(d.amount), "kali": d.count}
                for d in result.deductions
            ]
            lineage["rasio_produktivitas"] = _dec_text(round(result.produktivitas_ratio, 4))
            produktivitas = result.produktivitas_part
            disiplin = result.disiplin_part
            potongan = result.total_deductions
            diterima = result.received
        if notes:
            flagged += 1
        total_pagu += pagu
        total_diterima += diterima
        total_potongan += potongan
        rows.append(
            {
                "pegawai_id": pid,
                "opd_id": line_opd,
                "poin": emp_points,
                "capaian": capaian.get(pid),
                "pagu": pagu,
                "produktivitas": produktivitas,
                "disiplin": disiplin,
                "potongan": potongan,
                "diterima": diterima,
                "lineage": lineage,
            }
        )
    totals = {"pagu": total_pagu, "diterima": total_diterima, "potongan": total_potongan}
    return rows, totals, flagged


def _choose_hukdis(
    records: list[ActiveHukdis],
    cuts,
    policy_version: int | None,
    lineage: dict,
    notes: list[str],
) -> ActiveHukdis | None:
    """Pick the sentence to apply (the policy's largest cut; ties: the latest TMT).

    Sentences whose kind the policy does not know are not applied and are noted; the others
    in force are named in the lineage and noted (their cuts are not added up).
    """
    version = f" versi {policy_version}" if policy_version is not None else ""
    known = []
    for r in records:
        if r.jenis in cuts:
            known.append(r)
        else:
            notes.append(
                f"Hukuman disiplin {describe(r)}: jenis {r.jenis!r} tidak ada di kebijakan "
                f"TPP{version}, tidak dipotong."
            )
    if not known:
        return None
    chosen = max(known, key=lambda r: (cuts[r.jenis], r.tmt_mulai, r.id))
    others = [r for r in known if r is not chosen]
    lineage["hukuman_disiplin"] = {
        **chosen.lineage(cuts[chosen.jenis]),
        "lainnya": [r.lineage(cuts[r.jenis]) for r in others],
    }
    for r in others:
        notes.append(
            f"Hukuman disiplin lain juga berlaku ({describe(r)}); yang dipotong hanya yang "
            "terbesar."
        )
    return chosen


def run_recap(
    session: Session,
    tahun: int,
    bulan: int,
    *,
    opd_id: int | None = None,
    actor=None,
    job_id: int | None = None,
    progress: ProgressFn | None = None,
    today: date | None = None,
) -> TppRecap:
    """Compute and store the monthly recap of the regency (or one OPD).

    Returns the new :class:`TppRecap` (its lines bulk-inserted); ``summary["timing"]`` records
    the seconds (wall and CPU) spent in SQL aggregation, in Python and in inserting.

    Raises
    ------
    RecapError, RecapValidationError
        When the OPD is unknown, no policy is in force, the settings are invalid or the month
        has not started.
    """
    with _cyclic_gc_paused():
        return _run_recap(
            session,
            tahun,
            bulan,
            opd_id=opd_id,
            actor=actor,
            job_id=job_id,
            progress=progress,
            today=today,
        )


@contextmanager
def _cyclic_gc_paused():
    """Pause Python's cyclic garbage collector (restoring its previous state afterwards).

    A regency's recap allocates about a million small dicts, lists and Decimals and frees
    them by reference counting (they form no cycles); the collector's full passes over them
    cost a quarter of the recap's CPU. Memory is still freed as usual meanwhile.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run_recap(
    session: Session,
    tahun: int,
    bulan: int,
    *,
    opd_id: int | None,
    actor,
    job_id: int | None,
    progress: ProgressFn | None,
    today: date | None,
) -> TppRecap:
    today = today or date.today()
    instansi, opd, policy_row, settings = check_recap_request(
        session, tahun, bulan, opd_id, today=today
    )
    policy = TppPolicy.from_dict(policy_row.policy)
    cal = month_calendar(tahun, bulan, settings, today)
    report = progress or (lambda *a, **k: None)

    if session.get_bind().dialect.name == "postgresql":
        # The aggregates hash ~100k groups; the 4 MB default would spill them to disk. The
        # recap is a background job: one core (no parallel workers) leaves the others to the
        # web requests and keeps its CPU cost in one process.
        session.execute(text("SET LOCAL work_mem = '64MB'"))
        session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    t0, c0 = _time.perf_counter(), _time.process_time()
    report(0, 5, "Membaca pegawai")
    employees = _employees(session, opd_id)
    report(1, 5, "Menjumlahkan poin aktivitas yang disetujui")
    points, attendance = _monthly(session, cal, settings, opd_id)
    report(2, 5, "Menghitung keterlambatan dan ketidakhadiran")
    report(3, 5, "Menghitung capaian RHK utama")
    capaian = _capaian(session, tahun, bulan, opd_id)
    predikat = (
        _predikat(session, tahun, bulan, opd_id)
        if policy.produktivitas_source == "predikat_table"
        else {}
    )
    hukdis = active_hukdis(session, tahun, bulan, opd_id=opd_id)
    t_sql, c_sql = _time.perf_counter() - t0, _time.process_time() - c0

    full_target = Decimal(settings.monthly_points_target)
    if cal.is_complete or not cal.working_days:
        target = full_target
    else:
        target = (full_target * len(cal.elapsed_days) / len(cal.working_days)).quantize(
            Decimal("0.01")
        )
    pagu_table = {str(k): Decimal(str(v)) for k, v in (policy_row.pagu_per_kelas or {}).items()}
    n_working = len(cal.elapsed_days)
    report(4, 5, f"Menghitung dasar TPP {len(employees)} pegawai")

    rows, totals, flagged = _recap_rows(
        employees,
        policy=policy,
        pagu_table=pagu_table,
        points=points,
        points_target=target,
        attendance=attendance,
        n_working=n_working,
        capaian=capaian,
        predikat=predikat,
        hukdis=hukdis,
        policy_version=policy_row.version,
    )
    t_python = _time.perf_counter() - t0 - t_sql
    c_python = _time.process_time() - c0 - c_sql

    t1, c1 = _time.perf_counter(), _time.process_time()
    recap = TppRecap(
        tahun=tahun,
        bulan=bulan,
        opd_id=opd.id if opd is not None else None,
        policy_version_id=policy_row.id,
        job_id=job_id,
        line_count=len(rows),
        created_by_user_id=getattr(actor, "id", None),
        summary={},
    )
    session.add(recap)
    session.flush()
    for row in rows:
        row["recap_id"] = recap.id
    _insert_lines(session, rows)
    t_insert, c_insert = _time.perf_counter() - t1, _time.process_time() - c1
    recap.summary = {
        "policy_version": policy_row.version,
        "policy": policy_row.policy,
        "pagu_per_kelas": policy_row.pagu_per_kelas,
        "formula": compute_tpp(
            policy, pagu=0, points=0, points_target=1, predikat=Predikat.BAIK
        ).lineage["formula"],
        "settings": {
            "monthly_points_target": settings.monthly_points_target,
            "target_poin_dipakai": _dec_text(target),
            "jam_masuk": f"{settings.jam_masuk:%H:%M}",
            "jam_pulang": f"{settings.jam_pulang:%H:%M}",
            "jam_pulang_jumat": (
                f"{settings.jam_pulang_jumat:%H:%M}" if settings.jam_pulang_jumat else None
            ),
        },
        "kalender": {
            "hari_kerja": len(cal.working_days),
            "hari_kerja_berjalan": n_working,
            "sampai": cal.cutoff.isoformat(),
            "lengkap": cal.is_complete,
        },
        "sumber": {
            "poin": (
                "Jumlah poin aktivitas berstatus disetujui atasan langsung, tanggal "
                f"{cal.first:%d-%m-%Y} s.d. {cal.last:%d-%m-%Y}."
            ),
            "target_poin": (
                f"Instansi.settings monthly_points_target = {settings.monthly_points_target}"
                + (
                    ""
                    if target == full_target
                    else f", disesuaikan {n_working}/{len(cal.working_days)} hari kerja berjalan"
                )
                + "."
            ),
            "kehadiran": (
                f"Impor mesin presensi: {n_working} hari kerja (Senin–Jumat, tanpa hari libur) "
                f"s.d. {cal.cutoff:%d-%m-%Y}; jam kerja {settings.jam_masuk:%H:%M}–"
                f"{settings.jam_pulang:%H:%M}"
                + (
                    f" (Jumat s.d. {settings.friday_end:%H:%M})"
                    if settings.jam_pulang_jumat
                    else ""
                )
                + "; hari kerja tanpa rekam atau bertanda alpa dihitung tidak hadir tanpa "
                "keterangan."
            ),
            "pagu": f"Pagu per kelas jabatan dari kebijakan TPP versi {policy_row.version}.",
            "hukuman_disiplin": (
                "Register hukuman disiplin: SK yang berlaku pada "
                f"{cal.first:%d-%m-%Y} dan tidak dibatalkan memotong pagu sebesar persentase "
                f"jenisnya di kebijakan TPP versi {policy_row.version}; bila lebih dari satu, "
                "dipakai potongan terbesar."
            ),
        },
        "jumlah": {k: _dec_text(v) for k, v in totals.items()},
        "pegawai": len(rows),
        "bertanda": flagged,
        "hukuman_disiplin": sum(1 for r in rows if "hukuman_disiplin" in r["lineage"]),
        "ada_kehadiran": bool(attendance),
        "timing": {
            "sql": round(t_sql, 3),
            "python": round(t_python, 3),
            "insert": round(t_insert, 3),
            # CPU seconds of the app process (on PostgreSQL the SQL runs in the server).
            "cpu": {
                "sql": round(c_sql, 3),
                "python": round(c_python, 3),
                "insert": round(c_insert, 3),
            },
        },
    }
    record(
        session,
        "tpp_recap.create",
        "tpp_recap",
        recap.id,
        actor=actor,
        after={
            "tahun": tahun,
            "bulan": bulan,
            "opd_id": recap.opd_id,
            "lines": len(rows),
            "policy_version": policy_row.version,
        },
        summary=(
            f"Rekap TPP {BULAN[bulan]} {tahun}"
            + (f" {opd.nama}" if opd is not None else " seluruh OPD")
            + f": {len(rows)} pegawai"
        ),
    )
    session.flush()
    return recap


def _insert_lines(session: Session, rows: list[dict]) -> None:
    """Bulk-insert recap lines: COPY on PostgreSQL, one executemany elsewhere."""
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        conn.execute(TppRecapLine.__table__.insert(), rows)
        return
    columns = list(rows[0])
    raw = conn.connection.dbapi_connection
    statement = f"COPY {TppRecapLine.__tablename__} ({', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [json.dumps(row[c], default=str) if c == "lineage" else row[c] for c in columns]
            )


@job("tpp_recap")
def recap_job(ctx, tahun: int, bulan: int, opd_id: int | None = None, user_id: int | None = None):
    """Background job: run the recap and commit it; progress is reported per phase."""
    from skp_app.auth.models import User
    from skp_app.extensions import db

    actor = db.session.get(User, user_id) if user_id else None
    recap = run_recap(
        db.session,
        tahun,
        bulan,
        opd_id=opd_id,
        actor=actor,
        job_id=ctx.job_id,
        progress=ctx.progress,
    )
    db.session.commit()
    ctx.progress(5, 5, f"Selesai: {recap.line_count} pegawai")
    return {"recap_id": recap.id, "line_count": recap.line_count}


# --- reading and exporting -------------------------------------------------------------------


@dataclass
class RecapRow:
    line: TppRecapLine
    nip: str | None
    nama: str
    opd: str
    jabatan: str
    kelas: int | None


def _row_query(recap_id: int, q: str = ""):
    opd = UnitOrganisasi
    stmt = (
        select(
            TppRecapLine,
            Pegawai.nip,
            Pegawai.gelar_depan,
            Pegawai.nama,
            Pegawai.gelar_belakang,
            opd.nama,
            Jabatan.nama,
            Jabatan.kelas_jabatan,
        )
        .join(Pegawai, Pegawai.id == TppRecapLine.pegawai_id)
        .join(opd, opd.id == TppRecapLine.opd_id, isouter=True)
        .join(Jabatan, Jabatan.id == Pegawai.jabatan_id, isouter=True)
        .where(TppRecapLine.recap_id == recap_id)
    )
    term = q.strip()
    if term:
        digits = term.replace(" ", "")
        cond = func.lower(Pegawai.nama).contains(term.lower())
        if digits.isdigit():
            cond = cond | Pegawai.nip.startswith(digits)
        stmt = stmt.where(cond)
    return stmt


def _to_row(values) -> RecapRow:
    line, nip, depan, nama, belakang, opd_nama, jab_nama, kelas = values
    full = " ".join(p for p in ((depan or "").strip(), (nama or "").strip()) if p)
    if (belakang or "").strip():
        full = f"{full}, {belakang.strip()}"
    return RecapRow(line, nip, full, opd_nama or "-", jab_nama or "-", kelas)


def recap_lines(
    session: Session, recap: TppRecap, *, q: str = "", page: int = 1, per_page: int = 50
) -> Page:
    """Return one page of recap lines with the employee's NIP, name, OPD and position."""
    stmt = _row_query(recap.id, q)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    page = max(1, page)
    items = [
        _to_row(r)
        for r in session.execute(
            stmt.order_by(UnitOrganisasi.nama, Pegawai.nama, Pegawai.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    ]
    return Page(items=items, total=total or 0, page=page, per_page=per_page)


def recap_rows(session: Session, recap: TppRecap) -> Iterator[RecapRow]:
    """Yield every line of a recap in OPD and name order (streamed for exports)."""
    stmt = _row_query(recap.id).order_by(UnitOrganisasi.nama, Pegawai.nama, Pegawai.id)
    for values in session.execute(stmt.execution_options(yield_per=2000)):
        yield _to_row(values)


EXPORT_COLUMNS = (
    "NIP",
    "Nama",
    "OPD",
    "Jabatan",
    "Kelas jabatan",
    "Poin disetujui",
    "Capaian RHK utama (%)",
    "Hari tidak hadir",
    "Terlambat (kali)",
    "Pulang cepat (kali)",
    "Pagu (Rp)",
    "Bagian produktivitas (Rp)",
    "Bagian disiplin (Rp)",
    "Potongan (Rp)",
    "TPP diterima (Rp)",
    "Hukuman disiplin",
    "Catatan",
)


def _export_values(row: RecapRow) -> list:
    line = row.line
    inputs = (line.lineage or {}).get("inputs") or {}
    late = inputs.get("lateness_minutes") or []
    early = inputs.get("early_leave_minutes") or []
    notes = "; ".join((line.lineage or {}).get("catatan") or [])
    values = [
        row.nip or "",
        row.nama,
        row.opd,
        row.jabatan,
        row.kelas,
        float(line.poin or 0),
        float(line.capaian) if line.capaian is not None else None,
        inputs.get("absent_days", 0),
        sum(1 for m in late if m is None or m > 0),
        sum(1 for m in early if m is None or m > 0),
        int(line.pagu or 0),
        int(line.produktivitas or 0),
        int(line.disiplin or 0),
        int(line.potongan or 0),
        int(line.diterima or 0),
        ((line.lineage or {}).get("hukuman_disiplin") or {}).get("uraian", ""),
        notes,
    ]
    return [formula_safe(v) for v in values]


def export_recap(session: Session, recap: TppRecap, fmt: str) -> tuple[bytes, str, str]:
    """Export a recap for the payroll officer as ``xlsx``, ``csv`` or ``json``.

    Every text cell passes :func:`skp_app.realization.tpp.formula_safe` (a value starting with
    ``= + - @`` gets a leading quote) so a spreadsheet never evaluates it as a formula.

    Returns
    -------
    (content, mimetype, filename)
    """
    stem = f"rekap-tpp-{recap.tahun}-{recap.bulan:02d}" + (
        f"-opd{recap.opd_id}" if recap.opd_id else ""
    )
    rows = recap_rows(session, recap)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(EXPORT_COLUMNS)
        for row in rows:
            writer.writerow(["" if v is None else v for v in _export_values(row)])
        return (
            ("\ufeff" + buffer.getvalue()).encode("utf-8"),
            "text/csv; charset=utf-8",
            f"{stem}.csv",
        )
    if fmt == "json":
        payload = {
            "recap_id": recap.id,
            "tahun": recap.tahun,
            "bulan": recap.bulan,
            "opd_id": recap.opd_id,
            "ringkasan": {k: v for k, v in (recap.summary or {}).items() if k != "policy"},
            "baris": [dict(zip(EXPORT_COLUMNS, _export_values(r), strict=True)) for r in rows],
        }
        text = json.dumps(payload, ensure_ascii=False, indent=2, default=str)
        return text.encode("utf-8"), "application/json", f"{stem}.json"
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(f"TPP {recap.tahun}-{recap.bulan:02d}")
        ws.append([f"Dasar TPP {BULAN[recap.bulan]} {recap.tahun}"])
        ws.append([f"Kebijakan versi {(recap.summary or {}).get('policy_version', '-')}"])
        ws.append(list(EXPORT_COLUMNS))
        for row in rows:
            ws.append(_export_values(row))
        buffer = io.BytesIO()
        wb.save(buffer)
        return (
            buffer.getvalue(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"{stem}.xlsx",
        )
    raise RecapValidationError(
        {"format": [f"Format {fmt!r} tidak dikenal: pilih xlsx, csv atau json."]}
    )


def recap_summary_line(recap: TppRecap) -> str:
    """One sentence describing a recap (for lists and the CLI)."""
    s = recap.summary or {}
    return (
        f"Rekap TPP {BULAN[recap.bulan]} {recap.tahun}: {recap.line_count} pegawai, total "
        f"diterima Rp {s.get('jumlah', {}).get('diterima', '0')} (kebijakan versi "
        f"{s.get('policy_version', '-')})."
    )
