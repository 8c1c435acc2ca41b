"""Demo stages after the planning: realizations, evaluations, attendance, activities and TPP.

The demo regency is seen on **26 November 2026** (:data:`DEMO_TODAY`), in the open 2026 period
(periodik *triwulan*). Stages registered here run after ``perencanaan``:

``pengaturan``
    Instansi settings the realization pages read: office locations with their radius, working
    hours (07:30–16:00, Friday 16:30), the activity deadline, points targets, curve mode,
    objection days and the 2026 national holidays and cuti bersama (SKB 3 Menteri).
``realisasi``
    The monthly realisasi of every IKI of every approved SKP, January–October: kuantitas values
    that cumulate to about ``target × bulan/12 × performance factor`` (some employees ahead,
    most on track, some behind, so the early warning shows), kualitas percentages around their
    target and waktu months. January–September are verified by the pejabat penilai (a few rows
    rejected with a note); October is a mix of verified, submitted, draft and rejected. Pilot
    OPD employees attach a link as evidence of their kuantitas realisasi.
``evaluasi``
    The organisation's predikat of every OPD for triwulan I–III (mostly Baik, one Istimewa, one
    Butuh Perbaikan) and the periodic evaluation of every approved SKP for triwulan I–III: the
    suggested rating hasil kerja computed exactly as the evaluation page does (capaian of the
    RHK utama, or the organisation's predikat for a unit leader), the penilai's rating (mostly
    the suggestion; a few overrides with a reason), the rating perilaku and the predikat of the
    kuadran; final for triwulan I–II, mixed for III; feedback per RHK and per BerAKHLAK value;
    the distribution-curve justification where finalising broke the curve; objections.
``kehadiran``
    Fingerprint attendance for October and 1–25 November of a sample of employees (everyone in
    the four pilot OPDs and about 10% elsewhere): mostly on time, some late arrivals in every
    TL band, some early leaves, leave days and a few days absent without leave.
``aktivitas``
    Daily activities of the sample on the days they were at work (pilot OPDs since 1 October so
    the October recap has points; the others for the last three working weeks), 3–6 a day
    within working hours without overlap, linked to their RHK, points = minutes × the OPD's
    workload multiplier; mostly approved by the direct superior, recent ones pending (a few
    superiors lag behind), some rejected; catalogue activities; a few padding attempts whose
    photo evidence is flagged (reused photo, date mismatch, far from the office).
``tpp``
    The TPP policy (version 1: the default 60/40 policy and a monthly pagu per kelas jabatan),
    a handful of hukuman disiplin SKs of pilot OPD employees (three in force in October, one
    in November, one past, one future pemberhentian, one annulled), then the real October
    2026 recap (:func:`skp_app.realization.tpp_recap.run_recap`) of each
    pilot OPD, run by the BKPSDM account.

Every stage draws from its own :meth:`DemoContext.rng` and inserts with :func:`bulk_insert`
(pre-assigned ids, no ORM unit of work); only the recap runs the application's operation.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import and_, select, update
from sqlalchemy import types as sa_types

from skp_app.auth.models import User
from skp_app.demo.generator import DemoContext, bulk_insert, register_stage
from skp_app.demo.people import Person
from skp_app.demo.planning import TAHUN, SkpPlan
from skp_app.demo.structure import Unit
from skp_app.org.models import Instansi, Jabatan
from skp_app.planning.models import Iki, Rhk, Skp
from skp_app.realization.evaluation_queries import ORG_TO_RATING
from skp_app.realization.models import (
    Aktivitas,
    Bukti,
    Evaluasi,
    HukumanDisiplin,
    KatalogAktivitas,
    Keberatan,
    Kehadiran,
    PredikatOrganisasi,
    Realisasi,
    TppPolicyVersion,
    UmpanBalik,
)
from skp_app.realization.rollup import BULAN
from skp_app.realization.scoring import (
    OrgPredikat,
    Predikat,
    Rating,
    ScoringError,
    activity_points,
    capaian_iki,
    check_distribution,
    predikat_from_ratings,
    rollup_capaian,
    suggest_rating_hasil_kerja,
)
from skp_app.realization.totals import rebuild_monthly_totals
from skp_app.realization.tpp import PRESET_DEFAULT
from skp_app.realization.uploads import haversine_m, nearest_office

__all__ = [
    "DEMO_TODAY",
    "OFFICE_LOCATIONS",
    "PAGU_PER_KELAS",
    "REALIZATION_SETTINGS",
    "RealizationState",
    "stage_activities",
    "stage_attendance",
    "stage_evaluations",
    "stage_realizations",
    "stage_settings",
    "stage_tpp",
]

#: The day the demo data describe (realisasi up to October, activities up to 25 November).
DEMO_TODAY = date(2026, 11, 26)
LAST_MONTH = 10  # realisasi January..October
QUARTERS = (1, 2, 3)
ATTENDANCE_START = date(TAHUN, 10, 1)
ATTENDANCE_END = date(TAHUN, 11, 25)
RECENT_WORKING_DAYS = 15  # "the last three working weeks"
RECAP_MONTH = 10
MAX_OTHER_SAMPLE = 2500  # bound of the non-pilot sample (large regency)

# Fictional offices of the Kabupaten Sukamaju (lat/lon in degrees, radius in metres).
OFFICE_LOCATIONS = [
    {
        "nama": "Kompleks Perkantoran Pemkab Sukamaju (Setda, Bappeda, BKPSDM, Inspektorat)",
        "lat": -7.0412,
        "lon": 108.2176,
        "radius_m": 250,
    },
    {
        "nama": "Gedung Diskominfo dan Mal Pelayanan Publik Sukamaju",
        "lat": -7.0368,
        "lon": 108.2243,
        "radius_m": 150,
    },
    {
        "nama": "Kantor Dinas Pendidikan dan Dinas Kesehatan",
        "lat": -7.0479,
        "lon": 108.2108,
        "radius_m": 200,
    },
]
# National holidays (17) and cuti bersama (8) of 2026 as published in the SKB of the Ministers of
# Religious Affairs, Manpower and PANRB No. 1497/2025, 2/2025, 5/2025 (announced 19 September
# 2025). The Idul Fitri and Idul Adha dates follow the Minister of Religious Affairs' isbat. None
# falls in the attendance months of the demo (October–November).
HARI_LIBUR = [
    "2026-01-01",  # Tahun Baru 2026 Masehi
    "2026-01-16",  # Isra Mikraj Nabi Muhammad SAW
    "2026-02-16",  # Cuti Bersama Tahun Baru Imlek
    "2026-02-17",  # Tahun Baru Imlek 2577 Kongzili
    "2026-03-18",  # Cuti Bersama Hari Suci Nyepi
    "2026-03-19",  # Hari Suci Nyepi (Tahun Baru Saka 1948)
    "2026-03-20",  # Cuti Bersama Idul Fitri 1447 H
    "2026-03-21",  # Hari Raya Idul Fitri 1447 H (Sabtu)
    "2026-03-22",  # Hari Raya Idul Fitri 1447 H (Minggu)
    "2026-03-23",  # Cuti Bersama Idul Fitri 1447 H
    "2026-03-24",  # Cuti Bersama Idul Fitri 1447 H
    "2026-04-03",  # Wafat Yesus Kristus
    "2026-04-05",  # Kebangkitan Yesus Kristus (Paskah) (Minggu)
    "2026-05-01",  # Hari Buruh Internasional
    "2026-05-14",  # Kenaikan Yesus Kristus
    "2026-05-15",  # Cuti Bersama Kenaikan Yesus Kristus
    "2026-05-27",  # Hari Raya Idul Adha 1447 H
    "2026-05-28",  # Cuti Bersama Idul Adha 1447 H
    "2026-05-31",  # Hari Raya Waisak 2570 BE (Minggu)
    "2026-06-01",  # Hari Lahir Pancasila
    "2026-06-16",  # Tahun Baru Islam 1448 H
    "2026-08-17",  # Proklamasi Kemerdekaan RI
    "2026-08-25",  # Maulid Nabi Muhammad SAW
    "2026-12-24",  # Cuti Bersama Hari Raya Natal
    "2026-12-25",  # Kelahiran Yesus Kristus
]

#: The settings keys the realization, evaluation, recap and dashboard code read.
REALIZATION_SETTINGS = {
    "office_locations": OFFICE_LOCATIONS,
    "activity_deadline_days": 5,
    "working_minutes_per_day": 450,
    "daily_points_target": 300,
    "monthly_points_target": 6000,
    "daily_effective_minutes": 300,
    "approval_overdue_days": 3,
    "rollup_weights": {"utama": 1, "tambahan": 1},
    "curve_mode": "warn",
    "keberatan_days": 14,
    "jam_masuk": "07:30",
    "jam_pulang": "16:00",
    "jam_pulang_jumat": "16:30",
    "hari_libur": HARI_LIBUR,
}

#: Monthly TPP ceiling (whole rupiah) per kelas jabatan 1–17 (the demo regency's Perbup).
PAGU_PER_KELAS = {
    "1": 1_500_000,
    "2": 1_750_000,
    "3": 2_000_000,
    "4": 2_300_000,
    "5": 2_600_000,
    "6": 3_000_000,
    "7": 3_500_000,
    "8": 4_100_000,
    "9": 4_800_000,
    "10": 5_600_000,
    "11": 6_600_000,
    "12": 7_900_000,
    "13": 9_800_000,
    "14": 13_500_000,
    "15": 18_000_000,
    "16": 24_000_000,
    "17": 30_000_000,
}
# Kelas jabatan for positions the organisation left without one (by jenis, and by jenjang for
# jabatan fungsional); the demo structure sets them, so this only fills gaps.
_KELAS_BY_JENIS = {"jpt_madya": 15, "jpt_pratama": 14, "administrator": 12, "pengawas": 9}
_KELAS_BY_JENJANG = {"PM": 5, "TR": 6, "MH": 7, "PY": 8, "PT": 8, "MU": 9, "MA": 11, "UT": 13}
_KELAS_PELAKSANA = 6

_ZERO = Decimal(0)
_QUARTER_FACTOR = Decimal(3) / Decimal(12)  # three months of a twelve-month SKP
_FRACTIONAL_SATUAN = {"Hektare", "Kilometer"}
_IKI_OBJ = re.compile(r"^(?:Jumlah|Persentase)\s+(.+?)\s+yang\s", re.IGNORECASE)

# Performance groups: (share in a BAIK / ISTIMEWA / BUTUH_PERBAIKAN organisation).
_GROUP_SHARES = {
    "BAIK": (("maju", 0.25), ("sesuai", 0.58), ("tertinggal", 0.17)),
    "ISTIMEWA": (("maju", 0.60), ("sesuai", 0.36), ("tertinggal", 0.04)),
    "BUTUH_PERBAIKAN": (("maju", 0.03), ("sesuai", 0.25), ("tertinggal", 0.72)),
}


# --------------------------------------------------------------------------- shared state


@dataclass(slots=True)
class _Profile:
    """How one employee performs this year (drawn once, used by every stage)."""

    group: str  # maju / sesuai / tertinggal
    kuantitas: float  # factor on the pro-rated kuantitas target
    kualitas: float  # factor on the kualitas target
    late_waktu: float  # probability of missing a waktu month


@dataclass(slots=True)
class _IkiData:
    id: int
    rhk_id: int
    rhk_jenis: str
    aspek: str
    satuan: str
    target: Decimal | None
    target_max: Decimal | None
    lower: bool
    teks: str
    values: list = field(default_factory=list)  # months 1..LAST_MONTH (float/int or None)
    statuses: list = field(default_factory=list)


@dataclass
class RealizationState:
    """What the realization stages share (kept in ``ctx.extra["realisasi"]``)."""

    org_predikat: dict[tuple[int, int], OrgPredikat] = field(default_factory=dict)
    istimewa_opd: int | None = None
    perbaikan_opd: int | None = None
    plans: dict[int, SkpPlan] = field(default_factory=dict)  # approved SKP id -> plan
    profiles: dict[int, _Profile] = field(default_factory=dict)  # SKP id -> profile
    iki: dict[int, list[_IkiData]] = field(default_factory=dict)  # SKP id -> its IKI
    sample: list[Person] = field(default_factory=list)
    attendance: dict[tuple[int, date], tuple[str, time | None, time | None]] = field(
        default_factory=dict
    )
    evaluations: dict[tuple[int, int], dict] = field(default_factory=dict)  # (skp, q) -> row
    approved_at: dict[int, datetime] = field(default_factory=dict)  # SKP id -> approval time
    next_bukti_id: int = 0


def _state(ctx: DemoContext) -> RealizationState:
    state = ctx.extra.get("realisasi")
    if state is None:
        state = ctx.extra["realisasi"] = RealizationState()
    return state


def _opd(person: Person) -> Unit | None:
    return person.unit.opd


def _is_pilot(person: Person) -> bool:
    opd = _opd(person)
    return opd is not None and opd.is_pilot


def _utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


def _working_days(first: date, last: date) -> list[date]:
    holidays = {date.fromisoformat(d) for d in HARI_LIBUR}
    out, day = [], first
    while day <= last:
        if day.weekday() < 5 and day not in holidays:
            out.append(day)
        day += timedelta(days=1)
    return out


def _next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _round_half_up(x: float, places: int = 0) -> float:
    scale = 10**places
    return math.floor(x * scale + 0.5) / scale


def _obj_of(teks: str, fallback: str) -> str:
    match = _IKI_OBJ.match(teks or "")
    text = match.group(1) if match else fallback
    return text[0].lower() + text[1:] if text else "tugas jabatan"


def _token(*parts) -> str:
    """A deterministic hex token (link and file names of the demo evidence)."""
    return hashlib.sha256(":".join(["skp-demo", *map(str, parts)]).encode()).hexdigest()


def _ri(rng: random.Random, a: int, b: int) -> int:
    """``rng.randint(a, b)`` for hot loops (one ``random()`` call, a few times faster)."""
    return a + int(rng.random() * (b - a + 1))


def _rc(rng: random.Random, seq):
    """``rng.choice(seq)`` for hot loops."""
    return seq[int(rng.random() * len(seq))]


def _pick(rng: random.Random, weights) -> str:
    return rng.choices([k for k, _ in weights], weights=[w for _, w in weights])[0]


# --------------------------------------------------------------------------- fast inserts

_FAST_CHUNK = 50_000


def _sqlite_converter(column):
    """How the SQLite dialect stores a value of ``column`` (its bind processor, inlined)."""
    kind = column.type
    if isinstance(kind, sa_types.DateTime):
        return lambda v: None if v is None else v.isoformat(" ", "microseconds")
    if isinstance(kind, sa_types.Date):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(kind, sa_types.Time):
        return lambda v: None if v is None else v.isoformat("microseconds")
    if isinstance(kind, sa_types.JSON):
        return lambda v: None if v is None else json.dumps(v)
    if isinstance(kind, sa_types.Boolean):
        return lambda v: None if v is None else int(v)
    if isinstance(kind, sa_types.Numeric) and not isinstance(kind, sa_types.Float):
        return lambda v: None if v is None else float(v)
    return None


def _stored_datetime(ctx: DemoContext):
    """``datetime -> value as stored``: the SQLite text form, or the datetime itself.

    Lets a generator convert a timestamp shared by many rows once (see ``raw`` of
    :func:`_fast_insert`).
    """
    if ctx.session.get_bind().dialect.name == "sqlite":
        return lambda v: None if v is None else v.isoformat(" ", "microseconds")
    return lambda v: v


def _fast_insert(
    ctx: DemoContext, model, columns: tuple[str, ...], rows, *, raw: frozenset[str] = frozenset()
) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) in chunks of 50,000.

    On SQLite the rows go straight to the driver's ``executemany`` with the values converted as
    the dialect would (SQLAlchemy's per-row parameter processing costs more than the insert
    itself for the million realisasi of the large regency); elsewhere they go through
    :func:`bulk_insert` (``COPY`` on PostgreSQL). Columns named in ``raw`` already hold the
    stored form (:func:`_stored_datetime`).
    """
    session = ctx.session
    table = model.__table__
    if session.get_bind().dialect.name != "sqlite":
        return bulk_insert(ctx, model, (dict(zip(columns, row, strict=True)) for row in rows))
    converters = [
        (i, None if name in raw else _sqlite_converter(table.c[name]))
        for i, name in enumerate(columns)
    ]
    converters = [(i, conv) for i, conv in converters if conv is not None]
    names = ", ".join(f'"{name}"' for name in columns)
    marks = ", ".join("?" for _ in columns)
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'  # noqa: S608
    cursor = session.connection().connection.driver_connection.cursor()
    batch: list = []
    n = 0

    def flush() -> None:
        cursor.executemany(sql, batch)
        batch.clear()

    for row in rows:
        if converters:
            row = list(row)
            for i, conv in converters:
                row[i] = conv(row[i])
        batch.append(row)
        if len(batch) >= _FAST_CHUNK:
            n += len(batch)
            flush()
    if batch:
        n += len(batch)
        flush()
    cursor.close()
    ctx.count(table.name, n)
    return n


# --------------------------------------------------------------------------- pengaturan


def stage_settings(ctx: DemoContext) -> None:
    """Instansi settings read by the realization, evaluation, recap and dashboard pages."""
    session = ctx.session
    current = session.scalar(select(Instansi.settings).where(Instansi.id == ctx.instansi_id))
    merged = {**(current or {}), **REALIZATION_SETTINGS}
    session.execute(update(Instansi).where(Instansi.id == ctx.instansi_id).values(settings=merged))
    ctx.count("kantor", len(OFFICE_LOCATIONS))


# --------------------------------------------------------------------------- realisasi


def _choose_org_predikat(ctx: DemoContext, state: RealizationState) -> None:
    """Mostly Baik; Bappeda (the clean pilot) Istimewa; one mid-size OPD Butuh Perbaikan."""
    opds = list(ctx.structure.opds)
    approved = Counter(
        p.person.unit.opd_id for p in ctx.skps if p.status == "disetujui" and p.person.unit.opd
    )
    istimewa = next((u for u in opds if u.opd_t is not None and u.opd_t.key == "bappeda"), None)
    if istimewa is None:
        istimewa = next((u for u in opds if u.is_pilot), None)
    excluded = {"setda", "disdik", "dinkes", "bappeda"}
    candidates = [
        u
        for u in opds
        if not u.is_pilot
        and u is not istimewa
        and (u.opd_t is None or u.opd_t.key not in excluded)
        and approved[u.id] >= 3
    ] or [u for u in opds if not u.is_pilot and u is not istimewa]
    perbaikan = max(candidates, key=lambda u: (approved[u.id], -u.id)) if candidates else None
    state.istimewa_opd = istimewa.id if istimewa is not None else None
    state.perbaikan_opd = perbaikan.id if perbaikan is not None else None
    for u in opds:
        value = OrgPredikat.BAIK
        if u.id == state.istimewa_opd:
            value = OrgPredikat.ISTIMEWA
        elif u.id == state.perbaikan_opd:
            value = OrgPredikat.BUTUH_PERBAIKAN
        for q in QUARTERS:
            state.org_predikat[(u.id, q)] = value


def _profile(rng: random.Random, org: OrgPredikat) -> _Profile:
    group = _pick(rng, _GROUP_SHARES.get(org.value, _GROUP_SHARES["BAIK"]))
    if group == "maju":
        return _Profile(group, rng.uniform(1.12, 1.30), rng.uniform(1.00, 1.05), 0.0)
    if group == "sesuai":
        return _Profile(group, rng.uniform(0.99, 1.07), rng.uniform(0.95, 1.0), 0.03)
    return _Profile(group, rng.uniform(0.45, 0.72), rng.uniform(0.78, 0.90), 0.30)


def _kuantitas_values(rng: random.Random, iki: _IkiData, prof: _Profile) -> list:
    target = float(iki.target or 0)
    factor = 2 - prof.kuantitas if iki.lower else prof.kuantitas
    if target <= 0:
        return [0] * LAST_MONTH
    places = 1 if iki.satuan in _FRACTIONAL_SATUAN else 0
    if target < 4:
        # Annual or semester outputs: the monthly progress, as a share of the output.
        return [round(target * factor * rng.uniform(0.8, 1.2) / 12, 2) for _ in range(LAST_MONTH)]
    if target < 12:
        # A few outputs a year: delivered whole, each quarter's share in one of its months.
        values = [0] * LAST_MONTH
        done = 0.0
        for q in range(1, 5):
            months = [m for m in range(3 * q - 2, 3 * q + 1) if m <= LAST_MONTH]
            if not months:
                break
            share = len(months) / 3
            goal = _round_half_up(
                target * factor * (q - 1 + share) / 4 * rng.uniform(0.9, 1.1), places
            )
            delivered = max(0.0, goal - done)
            done += delivered
            if delivered:
                values[rng.choice(months) - 1] += delivered
        return [int(v) if places == 0 else round(v, 1) for v in values]
    values, done, acc = [], 0.0, 0.0
    for _m in range(LAST_MONTH):
        acc += target * factor * rng.uniform(0.75, 1.25) / 12
        cum = max(done, _round_half_up(acc, places))
        values.append(int(cum - done) if places == 0 else round(cum - done, 1))
        done = cum
    return values


def _is_percent(satuan: str) -> bool:
    s = (satuan or "").strip().lower()
    return "%" in s or s.startswith("persen")


def _kualitas_values(rng: random.Random, iki: _IkiData, prof: _Profile) -> list:
    target = float(iki.target or 0)
    out = []
    for _m in range(LAST_MONTH):
        q = prof.kualitas * rng.uniform(0.98, 1.02)
        value = target * (2 - q) if iki.lower else target * q
        if _is_percent(iki.satuan):
            if target <= 100:
                value = min(value, 100.0)
        else:
            value = value / 12  # level indicators are reported as the month's contribution
        out.append(round(max(value, 0.0), 2))
    return out


def _waktu_values(rng: random.Random, iki: _IkiData, prof: _Profile) -> list:
    satuan = (iki.satuan or "").strip().lower()
    out = []
    for m in range(1, LAST_MONTH + 1):
        on_time = rng.random() >= prof.late_waktu
        if satuan == "bulan":
            out.append(1 if on_time else 0)
        elif satuan == "triwulan":
            out.append(1 if m % 3 == 0 and on_time else 0)
        else:
            out.append(round(float(iki.target or 0) / 12 * (1 if on_time else 0.5), 2))
    return out


_REALISASI_COLUMNS = (
    "id",
    "iki_id",
    "skp_id",
    "tahun",
    "bulan",
    "nilai",
    "catatan",
    "status",
    "verified_by_pegawai_id",
    "verified_at",
    "verify_note",
    "created_at",
    "updated_at",
)
_VERIFY_NOTES = (
    "Nilai realisasi belum sesuai dengan bukti dukung yang dilampirkan; mohon diperbaiki.",
    "Bukti dukung belum dilampirkan; lampirkan laporan atau dokumentasi kegiatan.",
    "Realisasi melebihi jumlah yang tercatat pada aplikasi layanan; sesuaikan dengan data sumber.",
    "Angka realisasi tertukar dengan bulan sebelumnya; periksa kembali rekapitulasi bulanan.",
)


def _load_iki(ctx: DemoContext, state: RealizationState) -> None:
    """Read the IKI of the approved current SKPs (ids as the planning stage inserted them)."""
    rows = ctx.session.execute(
        select(
            Iki.id,
            Iki.rhk_id,
            Rhk.jenis,
            Iki.aspek,
            Iki.satuan,
            Iki.target,
            Iki.target_max,
            Iki.lower_is_better,
            Iki.teks,
            Rhk.skp_id,
        )
        .join(Rhk, Rhk.id == Iki.rhk_id)
        .join(Skp, Skp.id == Rhk.skp_id)
        .where(Skp.status == "disetujui", Skp.is_current.is_(True))
        .order_by(Rhk.skp_id, Iki.id)
    ).all()
    state.approved_at = dict(
        ctx.session.execute(
            select(Skp.id, Skp.approved_at).where(
                Skp.status == "disetujui", Skp.is_current.is_(True)
            )
        ).all()
    )
    for iid, rhk_id, jenis, aspek, satuan, target, tmax, lower, teks, skp_id in rows:
        state.iki.setdefault(skp_id, []).append(
            _IkiData(iid, rhk_id, jenis, aspek, satuan or "", target, tmax, bool(lower), teks)
        )


def stage_realizations(ctx: DemoContext) -> None:
    """Monthly realisasi of every IKI of the approved SKPs, January–October."""
    state = _state(ctx)
    rng = ctx.rng("realisasi")
    _choose_org_predikat(ctx, state)
    state.plans = {p.id: p for p in ctx.skps if p.status == "disetujui"}
    _load_iki(ctx, state)
    skp_ids = sorted(sid for sid in state.iki if sid in state.plans)
    counts: Counter = Counter()
    bukti_rows: list[dict] = []
    for sid in skp_ids:
        plan = state.plans[sid]
        opd = _opd(plan.person)
        org = state.org_predikat.get((opd.id, 1), OrgPredikat.BAIK) if opd else OrgPredikat.BAIK
        prof = state.profiles[sid] = _profile(rng, org)
        counts[f"realisasi_profil_{prof.group}"] += 1
        for iki in state.iki[sid]:
            if iki.target is None:
                iki.values = [None] * LAST_MONTH
            elif iki.aspek == "kuantitas":
                iki.values = _kuantitas_values(rng, iki, prof)
            elif iki.aspek == "waktu":
                iki.values = _waktu_values(rng, iki, prof)
            else:
                iki.values = _kualitas_values(rng, iki, prof)
            iki.statuses = ["terverifikasi"] * LAST_MONTH
        # October is still being verified; a few older rows stay rejected.
        last = _pick(
            rng,
            (("terverifikasi", 0.30), ("diajukan", 0.42), ("draft", 0.20), ("ditolak", 0.08)),
        )
        ikis = state.iki[sid]
        for iki in ikis:
            iki.statuses[LAST_MONTH - 1] = "diajukan" if last == "ditolak" else last
        if last == "ditolak":
            rng.choice(ikis).statuses[LAST_MONTH - 1] = "ditolak"
        for m in range(4, LAST_MONTH):
            if rng.random() < 0.006:
                rng.choice(ikis).statuses[m - 1] = "ditolak"
        counts.update(
            f"realisasi_{iki.statuses[m - 1]}" for iki in ikis for m in range(1, LAST_MONTH + 1)
        )

    next_id = 0

    def rows() -> Iterator[dict]:
        nonlocal next_id
        row_rng = ctx.rng("realisasi-baris")
        stored = _stored_datetime(ctx)
        for sid in skp_ids:
            plan = state.plans[sid]
            person = plan.person
            penilai = plan.penilai.id if plan.penilai is not None else None
            approved_at = state.approved_at.get(sid) or _utc(date(TAHUN, 1, 6), 1)
            pilot = _is_pilot(person)
            stamps = []
            for m in range(1, LAST_MONTH + 1):
                nxt = date(TAHUN, m + 1, 1)
                created = _utc(nxt + timedelta(days=row_rng.randint(0, 6)), row_rng.randint(1, 9))
                if m == LAST_MONTH:
                    created = _utc(date(TAHUN, 11, row_rng.randint(2, 18)), row_rng.randint(1, 9))
                created = max(created, approved_at + timedelta(hours=2))
                verified = created + timedelta(
                    days=row_rng.randint(1, 8), hours=row_rng.randint(0, 5)
                )
                verified = min(verified, _utc(DEMO_TODAY - timedelta(days=1), 8))
                stamps.append((created, verified, stored(created), stored(verified)))
            for iki in state.iki[sid]:
                obj = _obj_of(iki.teks, iki.teks)
                progress = iki.aspek == "kuantitas" and iki.target is not None and iki.target < 4
                evidence = pilot and iki.aspek == "kuantitas"
                done = 0.0
                for m in range(1, LAST_MONTH + 1):
                    next_id += 1
                    status = iki.statuses[m - 1]
                    value = iki.values[m - 1]
                    created, _verified, created_s, verified_s = stamps[m - 1]
                    decided = status in ("terverifikasi", "ditolak")
                    catatan = ""
                    if progress:
                        done += value or 0
                        pct = round(100 * done / float(iki.target))
                        catatan = f"Progres kumulatif ±{pct}% dari target tahunan."
                    if evidence and status != "draft":
                        token = _token(ctx.seed, "r", next_id)[:12]
                        state.next_bukti_id += 1
                        bukti_rows.append(
                            _link_bukti(
                                state.next_bukti_id,
                                person.id,
                                f"https://drive.sukamajukab.go.id/s/{token}",
                                f"Rekap {obj} {BULAN[m]} {TAHUN}",
                                created,
                                realisasi_id=next_id,
                            )
                        )
                    yield (
                        next_id,
                        iki.id,
                        sid,
                        TAHUN,
                        m,
                        value,
                        catatan,
                        status,
                        penilai if decided else None,
                        verified_s if decided else None,
                        row_rng.choice(_VERIFY_NOTES) if status == "ditolak" else None,
                        created_s,
                        verified_s if decided else created_s,
                    )

    stamp_columns = frozenset({"verified_at", "created_at", "updated_at"})
    _fast_insert(ctx, Realisasi, _REALISASI_COLUMNS, rows(), raw=stamp_columns)
    bulk_insert(ctx, Bukti, bukti_rows)
    # Bulk inserts bypass the ORM hook that maintains the recap's totals: rebuild them.
    rebuild_monthly_totals(ctx.session, pegawai=False)
    for key, n in sorted(counts.items()):
        ctx.count(key, n)


def _link_bukti(
    bid: int,
    owner: int,
    url: str,
    nama: str,
    at: datetime,
    *,
    realisasi_id: int | None = None,
    aktivitas_id: int | None = None,
) -> dict:
    return {
        "id": bid,
        "owner_pegawai_id": owner,
        "realisasi_id": realisasi_id,
        "aktivitas_id": aktivitas_id,
        "kind": "link",
        "nama": nama[:200],
        "url": url,
        "stored_name": None,
        "mime": None,
        "size": None,
        "sha256": None,
        "source_sha256": None,
        "captured_at": None,
        "gps_lat": None,
        "gps_lon": None,
        "flags": [],
        "flag_detail": {},
        "created_at": at,
    }


# --------------------------------------------------------------------------- evaluasi

_COUNTED = ("diajukan", "terverifikasi")
_STEP_UP = {Rating.DI_BAWAH: Rating.SESUAI, Rating.SESUAI: Rating.DI_ATAS}
_STEP_DOWN = {Rating.DI_ATAS: Rating.SESUAI, Rating.SESUAI: Rating.DI_BAWAH}
_OVERRIDE_UP = (
    "Capaian kuantitas rendah karena jadwal kegiatan diundur oleh OPD mitra; progres "
    "penyiapan dan bukti dukung menunjukkan kinerja sesuai rencana.",
    "Pegawai menyelesaikan penugasan khusus pimpinan di luar RHK yang belum tercermin pada "
    "capaian IKI triwulan ini.",
)
_OVERRIDE_DOWN = (
    "Sebagian realisasi belum didukung bukti yang memadai; rating disesuaikan setelah "
    "klarifikasi dengan pegawai.",
    "Disesuaikan dengan pola distribusi predikat organisasi (SE MenPANRB 3/2023) setelah "
    "membandingkan kontribusi pegawai dalam unit.",
)
_CURVE_JUSTIFICATION = (
    "Evaluasi pegawai lain pada unit ini belum seluruhnya final; pola distribusi akan "
    "dipenuhi setelah seluruh evaluasi triwulan selesai.",
    "Predikat ditetapkan berdasarkan capaian dan bukti dukung masing-masing pegawai; jumlah "
    "pegawai unit yang kecil membuat pola distribusi belum dapat dipenuhi sepenuhnya.",
)
_RHK_FEEDBACK = {
    Rating.DI_ATAS: (
        "Capaian {obj} melampaui target triwulan dan didukung bukti yang lengkap. Pertahankan "
        "dan bagikan cara kerjanya kepada rekan satu tim.",
        "Hasil {obj} triwulan ini di atas target; dokumentasi bukti dukung rapi dan mudah "
        "diverifikasi.",
    ),
    Rating.SESUAI: (
        "Capaian {obj} sesuai rencana triwulan. Lengkapi bukti dukung setiap bulan agar "
        "verifikasi lebih cepat.",
        "Realisasi {obj} sudah sesuai target; perhatikan ketepatan waktu penyampaian laporan "
        "bulanan.",
    ),
    Rating.DI_BAWAH: (
        "Capaian {obj} masih di bawah target triwulan. Susun rencana percepatan dan laporkan "
        "progresnya setiap minggu kepada atasan langsung.",
        "Realisasi {obj} tertinggal dari rencana; koordinasikan kendala dengan atasan agar "
        "target akhir tahun tetap tercapai.",
    ),
}
_PERILAKU_FEEDBACK = {
    1: (
        "Sangat responsif menindaklanjuti permintaan layanan dan selalu memberi solusi.",
        "Layanan kepada pengguna diberikan dengan ramah dan tepat waktu.",
        "Beberapa permintaan layanan terlambat ditindaklanjuti; perhatikan waktu tanggap.",
    ),
    2: (
        "Laporan pertanggungjawaban selalu disampaikan lebih awal dan tanpa koreksi.",
        "Menggunakan sumber daya kantor secara tertib dan bertanggung jawab.",
        "Laporan pertanggungjawaban beberapa kali terlambat dan perlu perbaikan.",
    ),
    3: (
        "Aktif meningkatkan kompetensi dan membimbing rekan kerja yang baru.",
        "Menyelesaikan tugas sesuai standar kompetensi jabatan.",
        "Perlu mengikuti pelatihan teknis agar hasil kerja memenuhi standar.",
    ),
    4: (
        "Menjadi penengah yang baik dan menjaga suasana kerja yang saling menghargai.",
        "Menghargai rekan kerja dan menjaga suasana kerja yang kondusif.",
        "Perlu lebih terbuka menerima masukan dari rekan kerja.",
    ),
    5: (
        "Menjaga nama baik instansi dan kerahasiaan data dengan sangat baik.",
        "Menjaga kerahasiaan data dan dokumen dinas.",
        "Perlu lebih berhati-hati dalam menyampaikan informasi kedinasan di media sosial.",
    ),
    6: (
        "Cepat menguasai aplikasi baru dan mengusulkan perbaikan proses kerja.",
        "Mampu menyesuaikan diri dengan perubahan tata kerja.",
        "Masih kesulitan mengikuti perubahan aplikasi kerja; perlu pendampingan.",
    ),
    7: (
        "Aktif berbagi data lintas bidang dan mendorong kerja sama dengan OPD lain.",
        "Bekerja sama dengan baik dalam tim dan lintas bidang.",
        "Perlu meningkatkan koordinasi dan berbagi informasi dengan bidang lain.",
    ),
}
_RATING_INDEX = {Rating.DI_ATAS: 0, Rating.SESUAI: 1, Rating.DI_BAWAH: 2}
_KEBERATAN_ALASAN = {
    Rating.DI_BAWAH: (
        "Saya mengajukan keberatan atas rating hasil kerja Di Bawah Ekspektasi. Dokumen yang "
        "menjadi target triwulan sudah saya serahkan pada akhir bulan terakhir triwulan dan "
        "buktinya terlampir pada realisasi bulan tersebut, tetapi belum diverifikasi."
    ),
    Rating.SESUAI: (
        "Saya mengajukan keberatan atas rating hasil kerja Sesuai Ekspektasi. Capaian RHK utama "
        "saya melampaui target triwulan dan saya juga menyelesaikan penugasan tambahan dari "
        "pimpinan; mohon ditinjau menjadi Di Atas Ekspektasi."
    ),
    Rating.DI_ATAS: (
        "Saya mengajukan keberatan atas rating perilaku kerja. Umpan balik yang diberikan "
        "tidak disertai contoh kejadian, sedangkan saya selalu hadir tepat waktu dan membantu "
        "rekan kerja menyelesaikan tugas."
    ),
}


def _quarter_values(iki: _IkiData, q: int) -> list:
    """The month values of quarter ``q`` that an evaluation counts (submitted or verified)."""
    return [
        iki.values[m - 1]
        for m in range(3 * q - 2, 3 * q + 1)
        if m <= LAST_MONTH and iki.statuses[m - 1] in _COUNTED and iki.values[m - 1] is not None
    ]


def _exact_suggestion(ikis: list[_IkiData], q: int) -> tuple[Rating | None, dict]:
    """The suggestion of the evaluation page (evaluation_queries.evaluation_context/_suggest),
    in Decimal with the scoring module's functions."""
    per_rhk: dict[int, list[Decimal | None]] = {}
    utama: list[int] = []
    for iki in ikis:
        if iki.rhk_id not in per_rhk:
            per_rhk[iki.rhk_id] = []
            if iki.rhk_jenis == "utama":
                utama.append(iki.rhk_id)
        capaian = None
        values = _quarter_values(iki, q)
        if iki.target is not None and values:
            pct = _is_percent(iki.satuan)
            total = sum((Decimal(str(v)) for v in values), _ZERO)
            scale = Decimal(1) if pct else _QUARTER_FACTOR
            realisasi = total / len(values) if pct else total
            tmax = Decimal(str(iki.target_max)) * scale if iki.target_max is not None else None
            try:
                capaian = capaian_iki(
                    realisasi,
                    Decimal(str(iki.target)) * scale,
                    target_max=tmax,
                    lower_is_better=iki.lower,
                )
            except ScoringError:
                capaian = None
        per_rhk[iki.rhk_id].append(capaian)
    rhk_capaian = {rid: rollup_capaian((c, 1) for c in caps) for rid, caps in per_rhk.items()}
    return suggest_rating_hasil_kerja([rhk_capaian[r] for r in utama]), rhk_capaian


def _quarter_suggestion(ikis: list[_IkiData], q: int) -> tuple[Rating | None, dict]:
    """The suggested rating hasil kerja of quarter ``q`` and the capaian per RHK.

    Computed in floats (the same PermenPANRB 8/2021 formula); when the mean lands within a
    hair of a threshold (80 or 101), or an IKI has a range target, the exact Decimal path of
    :func:`_exact_suggestion` decides, so the result always equals the evaluation page's.
    """
    per_rhk: dict[int, list[float]] = {}
    utama: list[int] = []
    for iki in ikis:
        if iki.target_max is not None:
            return _exact_suggestion(ikis, q)
        caps = per_rhk.get(iki.rhk_id)
        if caps is None:
            caps = per_rhk[iki.rhk_id] = []
            if iki.rhk_jenis == "utama":
                utama.append(iki.rhk_id)
        values = _quarter_values(iki, q)
        if iki.target is None or not values:
            continue
        pct = _is_percent(iki.satuan)
        target = float(iki.target) * (1.0 if pct else 0.25)
        realisasi = sum(values) / len(values) if pct else float(sum(values))
        if target == 0:
            if realisasi == 0:
                caps.append(100.0)
            continue
        ratio = realisasi * 100 / target
        caps.append(200 - ratio if iki.lower else ratio)
    rhk_capaian = {rid: sum(c) / len(c) if c else None for rid, c in per_rhk.items()}
    known = [rhk_capaian[r] for r in utama if rhk_capaian[r] is not None]
    if known:
        mean = sum(known) / len(known)
        if min(abs(mean - 101), abs(mean - 80)) < 1e-6:
            return _exact_suggestion(ikis, q)
    return suggest_rating_hasil_kerja(known), rhk_capaian


def _perilaku(rng: random.Random, group: str, previous: Rating | None) -> Rating:
    if previous is not None and rng.random() < 0.7:
        return previous
    weights = {
        "maju": ((Rating.DI_ATAS, 0.75), (Rating.SESUAI, 0.25)),
        "sesuai": ((Rating.DI_ATAS, 0.12), (Rating.SESUAI, 0.86), (Rating.DI_BAWAH, 0.02)),
        "tertinggal": ((Rating.DI_ATAS, 0.05), (Rating.SESUAI, 0.90), (Rating.DI_BAWAH, 0.05)),
    }[group]
    return rng.choices([r for r, _ in weights], weights=[w for _, w in weights])[0]


def _quarter_day(rng: random.Random, q: int, first: int = 1, last: int = 24) -> date:
    """A working day early in the month after quarter ``q`` (when evaluations are done)."""
    month = 3 * q + 1
    while True:
        day = date(TAHUN, month, rng.randint(first, last))
        if day.weekday() < 5:
            return day


def stage_evaluations(ctx: DemoContext) -> None:
    """Organisation predikat and the periodic evaluations (triwulan I–III) of approved SKPs."""
    state = _state(ctx)
    rng = ctx.rng("evaluasi")
    sekda = next((p for p in ctx.people if p.position.role == "sekda"), None)
    bupati = next((p for p in ctx.people if p.position.role == "bupati"), None)

    # The organisation's predikat, set by the leader above (Sekda; the Bupati for the Setda).
    org_rows = []
    for u in ctx.structure.opds:
        setter = bupati if sekda is not None and sekda.unit.opd_id == u.id else sekda
        for q in QUARTERS:
            org_rows.append(
                {
                    "id": len(org_rows) + 1,
                    "unit_id": u.id,
                    "tahun": TAHUN,
                    "periode_ke": q,
                    "predikat": state.org_predikat[(u.id, q)].value,
                    "set_by_user_id": ctx.user_of.get(setter.id) if setter else None,
                    "set_at": _utc(_quarter_day(rng, q, 1, 5), 2),
                }
            )
    bulk_insert(ctx, PredikatOrganisasi, org_rows)

    objectors = _objectors(ctx, state)
    forced_final = {p.id for p in objectors}
    evals: list[dict] = []
    rhk_capaian: dict[tuple[int, int], dict[int, Decimal]] = {}
    counts: Counter = Counter()
    for sid in sorted(state.iki):
        plan = state.plans.get(sid)
        if plan is None or plan.penilai is None:
            continue
        prof = state.profiles[sid]
        person = plan.person
        position = person.position
        perilaku: Rating | None = None
        for q in QUARTERS:
            suggestion, caps = _quarter_suggestion(state.iki[sid], q)
            rhk_capaian[(sid, q)] = caps
            basis = "capaian" if suggestion is not None else None
            led = state.org_predikat.get((position.unit.id, q)) if position.is_kepala_unit else None
            if led is not None:
                suggestion, basis = ORG_TO_RATING[led], "organisasi"
            status = "final"
            if q == 3:
                status = _pick(rng, (("final", 0.60), ("rated", 0.25), ("open", 0.15)))
                if sid in forced_final:
                    status = "final"
            hasil = (
                suggestion
                or {
                    "maju": Rating.DI_ATAS,
                    "sesuai": Rating.SESUAI,
                    "tertinggal": Rating.DI_BAWAH,
                }[prof.group]
            )
            reason = None
            if basis == "capaian" and rng.random() < 0.04:
                if hasil in _STEP_UP and (hasil is Rating.DI_BAWAH or rng.random() < 0.4):
                    hasil, reason = _STEP_UP[hasil], rng.choice(_OVERRIDE_UP)
                elif hasil in _STEP_DOWN:
                    hasil, reason = _STEP_DOWN[hasil], rng.choice(_OVERRIDE_DOWN)
            perilaku = _perilaku(rng, prof.group, perilaku)
            rated = status != "open"
            if q == 1:
                created = _utc(_quarter_day(rng, q, 1, 17), rng.randint(1, 8), rng.randint(0, 59))
            elif q == 2:
                created = _utc(_quarter_day(rng, q, 1, 17), rng.randint(1, 8), rng.randint(0, 59))
            else:
                created = _utc(
                    DEMO_TODAY - timedelta(days=rng.randint(2, 50)),
                    rng.randint(1, 8),
                    rng.randint(0, 59),
                )
            finalized = None
            if status == "final":
                finalized = created + timedelta(days=rng.randint(0, 9), hours=rng.randint(1, 6))
                finalized = min(finalized, _utc(DEMO_TODAY - timedelta(days=1), 9))
            row = {
                "id": len(evals) + 1,
                "skp_id": sid,
                "jenis": "periodik",
                "periode_ke": q,
                "tahun": TAHUN,
                "unit_id": person.unit.id,
                "evaluator_pegawai_id": plan.penilai.id,
                "suggested_rating_hasil": suggestion.siasn_id if suggestion else None,
                "rating_hasil": hasil.siasn_id if rated else None,
                "rating_perilaku": perilaku.siasn_id if rated else None,
                "override_reason": reason if rated else None,
                "suggestion_basis": basis,
                "suggested_rating_perilaku": None,
                "proposed_from_id": None,
                "predikat": predikat_from_ratings(hasil, perilaku).siasn_id if rated else None,
                "curve_justification": None,
                "catatan": "",
                "status": "final" if status == "final" else "draft",
                "finalized_at": finalized,
                "created_at": created,
                "updated_at": finalized or created + timedelta(hours=rng.randint(1, 30)),
            }
            evals.append(row)
            state.evaluations[(sid, q)] = row
            counts[f"evaluasi_{row['status']}"] += 1
            if rated and reason:
                counts["evaluasi_override"] += 1

    _respect_curve(state, evals)
    _order_finalisations(state, rng, evals)
    keberatan_rows = _keberatan(ctx, state, rng, evals, objectors)
    _curve_justifications(ctx, state, rng, evals)
    for row in evals:
        if row["predikat"] and row["status"] == "final":
            counts[f"predikat_{Predikat.from_siasn_id(row['predikat']).value.lower()}"] += 1
    bulk_insert(ctx, Evaluasi, evals)
    bulk_insert(ctx, UmpanBalik, _feedback(ctx, state, rng, evals, rhk_capaian))
    bulk_insert(ctx, Keberatan, keberatan_rows)
    for key, n in sorted(counts.items()):
        ctx.count(key, n)


def _respect_curve(state: RealizationState, evals: list[dict]) -> None:
    """Where "Baik (Sangat Baik for Istimewa) maks 70%" would break, the penilai set the rating
    perilaku of the strongest employees (hasil Di Atas) apart: Baik becomes Sangat Baik in a
    Baik organisation, Sangat Baik becomes Baik in an Istimewa one (SE MenPANRB 3/2023 asks the
    penilai to compare contributions; a periodic rating perilaku has no suggestion to override).
    """
    groups: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for row in evals:
        if row["status"] == "final":
            opd_id = state.plans[row["skp_id"]].person.unit.opd_id
            groups[(opd_id, row["periode_ke"])].append(row)
    atas, sesuai = Rating.DI_ATAS.siasn_id, Rating.SESUAI.siasn_id
    for key, rows in sorted(groups.items(), key=lambda item: item[0]):
        org = state.org_predikat.get(key)
        if org is OrgPredikat.BAIK:
            crowded, source, target = Predikat.BAIK, sesuai, atas
        elif org is OrgPredikat.ISTIMEWA:
            crowded, source, target = Predikat.SANGAT_BAIK, atas, sesuai
        else:
            continue
        limit = math.floor(0.7 * len(rows))
        members = [r for r in rows if r["predikat"] == crowded.siasn_id]
        movable = [
            r for r in members if r["rating_hasil"] == atas and r["rating_perilaku"] == source
        ]
        for row in movable[: max(0, len(members) - limit)]:
            row["rating_perilaku"] = target
            row["predikat"] = predikat_from_ratings(atas, target).siasn_id


def _order_finalisations(state: RealizationState, rng: random.Random, evals: list[dict]) -> None:
    """Within each OPD and quarter, hand out the finalisation times in an order that keeps the
    distribution curve whenever possible (the penilai of an OPD coordinate, as SE MenPANRB
    3/2023 asks), so that a justification is needed only where the curve really breaks."""
    groups: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for row in evals:
        if row["status"] == "final":
            opd_id = state.plans[row["skp_id"]].person.unit.opd_id
            groups[(opd_id, row["periode_ke"])].append(row)
    for (opd_id, q), rows in sorted(groups.items(), key=lambda item: item[0]):
        org = state.org_predikat.get((opd_id, q))
        if org is None:
            continue
        times = sorted(r["finalized_at"] for r in rows)
        pools: dict[Predikat, list[dict]] = defaultdict(list)
        for row in sorted(rows, key=lambda r: -r["id"]):  # popped from the end: lowest id first
            pools[Predikat.from_siasn_id(row["predikat"])].append(row)
        counts: Counter = Counter()
        order: list[dict] = []
        while len(order) < len(rows):
            # Fewest violations, then the largest pool: the first candidate in pool order
            # that breaks nothing wins without trying the others.
            candidates = sorted(
                (p for p, pool in pools.items() if pool),
                key=lambda p: (-len(pools[p]), p.siasn_id),
            )
            best = None
            for predikat in candidates:
                counts[predikat] += 1
                broken = len(check_distribution(org, counts)) if len(candidates) > 1 else 0
                counts[predikat] -= 1
                if best is None or broken < best[0]:
                    best = (broken, predikat)
                if broken == 0:
                    break
            counts[best[1]] += 1
            order.append(pools[best[1]].pop())
        opened = _utc(date(TAHUN, 3 * q + 1, 1), 1)
        for row, at in zip(order, times, strict=True):
            row["finalized_at"] = at
            row["created_at"] = max(opened, at - timedelta(hours=rng.randint(2, 72)))
            row["updated_at"] = at


def _curve_justifications(
    ctx: DemoContext, state: RealizationState, rng: random.Random, evals: list[dict]
) -> None:
    """Replay the finalisations in time order; where the curve broke, the penilai justified.

    Mirrors finalize_evaluation: the curve of the OPD (the unit whose organisation predikat is
    set) counts its FINAL evaluations of the period plus the one being finalised.
    """
    finals = sorted(
        (r for r in evals if r["status"] == "final"), key=lambda r: (r["finalized_at"], r["id"])
    )
    counts: dict[tuple[int, int], Counter] = defaultdict(Counter)
    for row in finals:
        opd_id = state.plans[row["skp_id"]].person.unit.opd_id
        org = state.org_predikat.get((opd_id, row["periode_ke"]))
        if org is None:
            continue
        bucket = counts[(opd_id, row["periode_ke"])]
        bucket[Predikat.from_siasn_id(row["predikat"])] += 1
        if check_distribution(org, bucket):
            row["curve_justification"] = rng.choice(_CURVE_JUSTIFICATION)


def _feedback(
    ctx: DemoContext,
    state: RealizationState,
    rng: random.Random,
    evals: list[dict],
    rhk_capaian: dict[tuple[int, int], dict[int, Decimal]],
) -> list[dict]:
    rows: list[dict] = []
    for ev in evals:
        if ev["rating_hasil"] is None:
            continue
        sid, q = ev["skp_id"], ev["periode_ke"]
        utama = [i for i in state.iki[sid] if i.rhk_jenis == "utama"]
        if utama:
            rhk_id = rng.choice(sorted({i.rhk_id for i in utama}))
            first = next(i for i in utama if i.rhk_id == rhk_id)
            capaian = rhk_capaian[(sid, q)].get(rhk_id)
            rating = (
                Rating.from_siasn_id(ev["rating_hasil"])
                if capaian is None
                else suggest_rating_hasil_kerja([capaian])
            )
            obj = _obj_of(first.teks, "hasil kerja")
            rows.append(
                {
                    "id": len(rows) + 1,
                    "evaluasi_id": ev["id"],
                    "rhk_id": rhk_id,
                    "nilai_kode": None,
                    "teks": rng.choice(_RHK_FEEDBACK[rating]).format(obj=obj),
                }
            )
        perilaku = Rating.from_siasn_id(ev["rating_perilaku"])
        for kode in rng.sample(range(1, 8), 2 if rng.random() < 0.4 else 1):
            rows.append(
                {
                    "id": len(rows) + 1,
                    "evaluasi_id": ev["id"],
                    "rhk_id": None,
                    "nilai_kode": kode,
                    "teks": _PERILAKU_FEEDBACK[kode][_RATING_INDEX[perilaku]],
                }
            )
    return rows


def _objectors(ctx: DemoContext, state: RealizationState) -> list[SkpPlan]:
    """Approved SKPs whose triwulan III result may be objected to, best first: subordinates of
    the example Kasubbid (who explains; the example Kabid decides), the Kasubbid (the Kabid
    explains), then the Kabid's other subordinates."""
    kasubbid, kabid = ctx.examples.get("kasubbid"), ctx.examples.get("kabid")
    plans = sorted(state.plans.values(), key=lambda p: p.id)
    out = [p for p in plans if kasubbid is not None and p.penilai is kasubbid]
    own = ctx.skp_by_pegawai.get(kasubbid.id) if kasubbid is not None else None
    if own is not None and own.id in state.plans:
        out.append(own)
    out += [p for p in plans if kabid is not None and p.penilai is kabid and p not in out]
    return [p for p in out if p.id in state.iki and p.atasan_penilai is not None]


def _keberatan(
    ctx: DemoContext,
    state: RealizationState,
    rng: random.Random,
    evals: list[dict],
    objectors: list[SkpPlan],
) -> list[dict]:
    """One pending objection (under the example Kasubbid, if possible), one rejected (triwulan
    II) and one accepted (triwulan III, the evaluation reopened to draft)."""
    by_key = state.evaluations

    def eligible(row: dict) -> bool:
        plan = state.plans[row["skp_id"]]
        return (
            row["status"] == "final"
            and plan.atasan_penilai is not None
            and plan.atasan_penilai.nip is not None  # an ASN decides (not the Bupati)
            and row["predikat"] != Predikat.SANGAT_BAIK.siasn_id
        )

    def weak_first(rows: list[dict]) -> list[dict]:
        return sorted(rows, key=lambda r: (-(r["predikat"] or 0), r["id"]))

    out: list[dict] = []
    used: set[int] = set()

    def add(row: dict, status: str, filed: datetime) -> None:
        plan = state.plans[row["skp_id"]]
        hasil = Rating.from_siasn_id(row["rating_hasil"])
        decided = status != "diajukan"
        decided_at = filed + timedelta(days=rng.randint(5, 9), hours=rng.randint(1, 5))
        keputusan = {
            "ditolak": "Keberatan ditolak. Penilaian pejabat penilai telah sesuai dengan capaian "
            "yang terverifikasi dan bukti dukung pada periode tersebut.",
            "diterima": "Keberatan diterima. Bukti dukung menunjukkan target telah tercapai; "
            "pejabat penilai diminta meninjau kembali rating hasil kerja.",
        }.get(status)
        out.append(
            {
                "id": len(out) + 1,
                "evaluasi_id": row["id"],
                "pegawai_id": plan.person.id,
                "alasan": _KEBERATAN_ALASAN[hasil],
                "penjelasan_penilai": (
                    "Penilaian didasarkan pada realisasi yang terverifikasi sampai akhir "
                    "triwulan; bukti yang disampaikan setelahnya belum diperiksa."
                    if decided
                    else None
                ),
                "status": status,
                "keputusan": keputusan,
                "decided_by_pegawai_id": plan.atasan_penilai.id if decided else None,
                "decided_at": decided_at if decided else None,
                "created_at": filed,
            }
        )
        used.add(row["skp_id"])
        if status == "diterima":
            row["status"] = "draft"
            row["finalized_at"] = None
            row["curve_justification"] = None
            row["updated_at"] = decided_at
            row["catatan"] = "Dibuka kembali karena keberatan pegawai diterima."

    # Pending: under the example Kasubbid (triwulan III), else a weak pilot result.
    q3 = [r for r in evals if r["periode_ke"] == 3 and eligible(r)]
    pending = next(
        (
            by_key[(p.id, 3)]
            for p in objectors
            if (p.id, 3) in by_key and eligible(by_key[(p.id, 3)])
        ),
        None,
    )
    if pending is None:
        pilots = [r for r in q3 if _is_pilot(state.plans[r["skp_id"]].person)]
        pending = next(iter(weak_first(pilots or q3)), None)
    if pending is not None:
        finalized = _utc(DEMO_TODAY - timedelta(days=10), 3)
        pending["finalized_at"] = finalized
        pending["created_at"] = min(pending["created_at"], finalized - timedelta(days=1))
        pending["updated_at"] = finalized
        add(pending, "diajukan", finalized + timedelta(days=3, hours=2))
    # Rejected: triwulan II, decided in July.
    q2 = [r for r in evals if r["periode_ke"] == 2 and eligible(r) and r["skp_id"] not in used]
    rejected = next(iter(weak_first(q2)), None)
    if rejected is not None:
        add(rejected, "ditolak", rejected["finalized_at"] + timedelta(days=2, hours=3))
    # Accepted: triwulan III finalised early enough to be decided by now.
    early = [
        r
        for r in q3
        if r["skp_id"] not in used and r["finalized_at"] <= _utc(DEMO_TODAY - timedelta(days=15), 0)
    ]
    accepted = next(iter(weak_first(early)), None)
    if accepted is not None:
        add(accepted, "diterima", accepted["finalized_at"] + timedelta(days=1, hours=4))
    return out


# --------------------------------------------------------------------------- kehadiran

_LATE_BANDS = (((1, 30), 0.72), ((31, 60), 0.18), ((61, 90), 0.07), ((91, 150), 0.03))
_EARLY_BANDS = (((5, 30), 0.65), ((31, 60), 0.25), ((61, 90), 0.10))
_PUNCTUALITY = {
    # (share, late, early, alpa) probabilities per working day
    "tertib": (0.75, 0.03, 0.01, 0.001),
    "biasa": (0.20, 0.10, 0.04, 0.004),
    "kurang": (0.05, 0.25, 0.10, 0.02),
}


def _sample(ctx: DemoContext, state: RealizationState) -> list[Person]:
    """Everyone in the pilot OPDs plus about 10% of the employees elsewhere (bounded)."""
    if state.sample:
        return state.sample
    rng = ctx.rng("sampel")
    pilots = [p for p in ctx.people if p.must_have_skp and _is_pilot(p)]
    others = [p for p in ctx.people if p.must_have_skp and not _is_pilot(p) and _opd(p) is not None]
    chosen = [p for p in others if rng.random() < 0.10][:MAX_OTHER_SAMPLE]
    state.sample = pilots + chosen
    return state.sample


def _band_minutes(rng: random.Random, bands) -> int:
    lo, hi = rng.choices([b for b, _ in bands], weights=[w for _, w in bands])[0]
    return rng.randint(lo, hi)


def _at(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def _day_end(day: date) -> int:
    return 16 * 60 + (30 if day.weekday() == 4 else 0)


def stage_attendance(ctx: DemoContext) -> None:
    """Fingerprint attendance of the sample, 1 October – 25 November."""
    state = _state(ctx)
    rng = ctx.rng("kehadiran")
    days = _working_days(ATTENDANCE_START, ATTENDANCE_END)
    rows: list[dict] = []
    counts: Counter = Counter()
    kinds = [(k, v[0]) for k, v in _PUNCTUALITY.items()]
    for person in _sample(ctx, state):
        _, p_late, p_early, p_alpa = _PUNCTUALITY[_pick(rng, kinds)]
        cuti: set[date] = set()
        if rng.random() < 0.10:
            first = rng.randrange(len(days))
            cuti = set(days[first : first + rng.randint(2, 4)])
        for day in days:
            masuk = pulang = None
            roll = rng.random()
            if day in cuti:
                ket = "cuti"
            elif roll < p_alpa:
                ket = "alpa"
            elif roll < p_alpa + 0.008:
                ket = "sakit"
            elif roll < p_alpa + 0.014:
                ket = "izin"
            elif roll < p_alpa + 0.030:
                ket = "dinas_luar"
            else:
                ket = "hadir"
                start = 7 * 60 + 30
                if rng.random() < p_late:
                    masuk = start + _band_minutes(rng, _LATE_BANDS)
                    counts["kehadiran_terlambat"] += 1
                else:
                    masuk = start - rng.randint(1, 40)
                end = _day_end(day)
                if rng.random() < p_early:
                    pulang = end - _band_minutes(rng, _EARLY_BANDS)
                    counts["kehadiran_pulang_cepat"] += 1
                else:
                    pulang = end + rng.randint(0, 50)
                if rng.random() < 0.003:
                    pulang = None  # forgot to clock out
                masuk, pulang = _at(masuk), _at(pulang) if pulang is not None else None
            counts[f"kehadiran_{ket}"] += 1
            state.attendance[(person.id, day)] = (ket, masuk, pulang)
            rows.append((len(rows) + 1, person.id, day, masuk, pulang, ket, None))
    columns = ("id", "pegawai_id", "tanggal", "jam_masuk", "jam_pulang", "keterangan")
    _fast_insert(ctx, Kehadiran, (*columns, "import_job_id"), rows)
    rebuild_monthly_totals(ctx.session, realisasi=False)  # the recap's totals (bulk insert)
    ctx.count("kehadiran_pegawai", len(state.sample))
    for key, n in sorted(counts.items()):
        ctx.count(key, n)


# --------------------------------------------------------------------------- aktivitas

_KATALOG = (
    ("Mengagendakan surat masuk dan surat keluar", 10, "surat"),
    ("Menyusun notula rapat", 60, "notula"),
    ("Mengarsipkan dokumen dinas", 5, "berkas"),
    ("Memverifikasi kelengkapan berkas usulan", 15, "berkas"),
    ("Mengentri data ke aplikasi kinerja/kepegawaian", 5, "data"),
    ("Menyusun laporan mingguan kegiatan", 45, "laporan"),
    ("Mengikuti rapat koordinasi", 90, "kegiatan"),
    ("Memberikan layanan konsultasi kepada pengguna layanan", 20, "layanan"),
    ("Menyiapkan bahan paparan pimpinan", 60, "bahan"),
    ("Mengoreksi konsep naskah dinas", 20, "naskah"),
    ("Mendokumentasikan kegiatan (foto dan daftar hadir)", 15, "kegiatan"),
    ("Menelaah surat masuk dan menyiapkan disposisi", 15, "surat"),
)
_KATALOG_JABATAN = (
    ("Pranata Komputer", "Melakukan pencadangan (backup) basis data server", 30, "kegiatan"),
    ("Pranata Komputer", "Memantau dan memulihkan gangguan jaringan", 45, "kegiatan"),
    ("Perencana", "Menyusun telaahan usulan Musrenbang", 40, "usulan"),
)
_URAIAN = (
    "Menyiapkan bahan dan data {obj}",
    "Menyusun konsep {obj}",
    "Memperbaiki konsep {obj} sesuai arahan atasan",
    "Rapat koordinasi internal pembahasan {obj}",
    "Mengolah data pendukung {obj}",
    "Memutakhirkan data {obj} pada aplikasi",
    "Konsultasi dengan atasan langsung terkait {obj}",
    "Menyusun laporan perkembangan {obj}",
    "Melaksanakan kunjungan lapangan terkait {obj}",
    "Memeriksa kelengkapan dokumen {obj}",
)
_REJECT = (
    "Uraian kegiatan terlalu umum; sebutkan keluaran yang dihasilkan.",
    "Kegiatan tidak berkaitan dengan RHK yang dipilih; pilih RHK yang sesuai.",
    "Durasi kegiatan tidak wajar untuk uraian tersebut; sesuaikan jam mulai dan selesai.",
    "Kegiatan yang sama sudah dilaporkan pada hari sebelumnya.",
)
_AKTIVITAS_COLUMNS = (
    "id",
    "pegawai_id",
    "tanggal",
    "jam_mulai",
    "jam_selesai",
    "menit",
    "uraian",
    "rhk_id",
    "katalog_id",
    "volume",
    "poin",
    "status",
    "approver_pegawai_id",
    "decided_at",
    "reject_reason",
    "flags",
    "created_at",
    "updated_at",
)
# Minutes logged a day (diligent / average / sparse): with the 6,000-point monthly target
# (300 a day) the sparse ones fall short of full productivity.
_DILIGENCE = (((320, 420), 0.45), ((230, 320), 0.35), ((120, 230), 0.20))
_LUNCH = (12 * 60, 13 * 60)
_DAY_CAP = 450


def _schedule(rng: random.Random, day: date, masuk: time | None, pulang: time | None, budget):
    """3–6 non-overlapping (start, end) minute pairs within the working day, lunch excluded."""
    start = 7 * 60 + 30
    if masuk is not None:
        start = max(start, -(-(masuk.hour * 60 + masuk.minute) // 5) * 5)
    end = _day_end(day)
    if pulang is not None:
        end = min(end, (pulang.hour * 60 + pulang.minute) // 5 * 5)
    n = _ri(rng, 3, 6)
    total = min(_ri(rng, *budget), _DAY_CAP)
    weights = [0.6 + 0.8 * rng.random() for _ in range(n)]
    durations = [max(20, int(total * w / sum(weights)) // 5 * 5) for w in weights]
    out: list[tuple[int, int]] = []
    cursor = start + _rc(rng, (0, 5, 10, 15))
    used = 0
    for dur in durations:
        if _LUNCH[0] <= cursor < _LUNCH[1]:
            cursor = _LUNCH[1]
        if cursor < _LUNCH[0] < cursor + dur:
            cursor = _LUNCH[1]
        dur = min(dur, end - cursor, _DAY_CAP - used)
        if dur < 15:
            break
        out.append((cursor, cursor + dur))
        used += dur
        cursor += dur + _rc(rng, (0, 0, 5, 10, 15))
    return out


def _rhk_obj(rhk) -> str:
    kuantitas = next((i for i in rhk.iki if i.aspek == "kuantitas"), None)
    return _obj_of(kuantitas.teks if kuantitas else "", rhk.teks)


def _points_of(multiplier: Decimal):
    """Points of an activity (scoring.activity_points, to 0.01) for one OPD, memoised."""
    cache: dict[int, Decimal] = {}
    cent = Decimal("0.01")

    def points(menit: int) -> Decimal:
        value = cache.get(menit)
        if value is None:
            value = cache[menit] = activity_points(menit, multiplier).quantize(cent)
        return value

    return points


@dataclass
class _Padding:
    """Activities of the employees whose photo evidence is flagged (padding attempts)."""

    days: dict[int, dict[date, int]] = field(default_factory=dict)  # pegawai -> day -> act id


def stage_activities(ctx: DemoContext) -> None:
    """Daily activities with approvals, catalogue entries, evidence and flagged padding."""
    state = _state(ctx)
    rng = ctx.rng("aktivitas")
    sample = _sample(ctx, state)
    all_days = _working_days(ATTENDANCE_START, ATTENDANCE_END)
    recent = all_days[-RECENT_WORKING_DAYS:]

    katalog_rows = [
        {
            "id": k + 1,
            "nama": nama,
            "menit_standar": menit,
            "satuan": satuan,
            "jabatan_id": None,
            "is_active": True,
        }
        for k, (nama, menit, satuan) in enumerate(_KATALOG)
    ]
    for prefix, nama, menit, satuan in _KATALOG_JABATAN:
        position = next(
            (p for p in ctx.structure.positions if p.nama.startswith(prefix) and p.unit.is_pilot),
            None,
        )
        if position is not None:
            katalog_rows.append(
                {
                    "id": len(katalog_rows) + 1,
                    "nama": nama,
                    "menit_standar": menit,
                    "satuan": satuan,
                    "jabatan_id": position.id,
                    "is_active": True,
                }
            )
    bulk_insert(ctx, KatalogAktivitas, katalog_rows)
    generic = [k for k in katalog_rows if k["jabatan_id"] is None]
    by_jabatan: dict[int, list[dict]] = defaultdict(list)
    for k in katalog_rows:
        if k["jabatan_id"] is not None:
            by_jabatan[k["jabatan_id"]].append(k)

    approvers = sorted({ctx.superiors.get(p.id) for p in sample} - {None})
    lagging = {a for a in approvers if rng.random() < 0.05}
    staf = ctx.examples.get("staf")
    padders = _padders(ctx, state, staf)
    padding = _Padding()
    counts: Counter = Counter()
    link_rows: list[dict] = []
    next_id = 0
    cutoff = _utc(DEMO_TODAY, 6)

    sqlite = ctx.session.get_bind().dialect.name == "sqlite"
    no_flags = "[]" if sqlite else []
    clock: dict[int, object] = {}

    def at(minutes: int):
        value = clock.get(minutes)
        if value is None:
            value = clock[minutes] = (
                _at(minutes).isoformat("microseconds") if sqlite else _at(minutes)
            )
        return value

    def rows() -> Iterator[tuple]:
        nonlocal next_id
        for person in sample:
            plan = ctx.skp_by_pegawai.get(person.id)
            approver = ctx.superiors.get(person.id)
            if plan is None or not plan.rhk or approver is None:
                continue
            opd = _opd(person)
            multiplier = opd.workload if opd is not None else Decimal(1)
            points = _points_of(multiplier)
            budget = _pick(rng, _DILIGENCE)
            choices = [(r.id, _rhk_obj(r)) for r in plan.rhk]
            rhks = [c for c, r in zip(choices, plan.rhk, strict=True) if r.jenis == "utama"]
            extra = [c for c, r in zip(choices, plan.rhk, strict=True) if r.jenis != "utama"]
            rhks = rhks or choices
            own_katalog = by_jabatan.get(person.position.id, [])
            days = all_days if _is_pilot(person) else recent
            for day in days:
                ket, masuk, pulang = state.attendance.get((person.id, day), ("hadir", None, None))
                if ket not in ("hadir", "dinas_luar"):
                    continue
                pending_day = day >= all_days[-2] or (day >= all_days[-4] and rng.random() < 0.5)
                if approver in lagging and day >= all_days[-8]:
                    pending_day = True
                for start, end in _schedule(rng, day, masuk, pulang, budget):
                    next_id += 1
                    rhk_id, obj = (
                        _rc(rng, extra) if extra and rng.random() < 0.15 else _rc(rng, rhks)
                    )
                    span = end - start
                    katalog_id, volume, menit = None, 1, span
                    uraian = _rc(rng, _URAIAN).format(obj=obj)
                    if rng.random() < 0.08:
                        entry = rng.choice(own_katalog or generic)
                        volume = max(1, min(span // entry["menit_standar"], rng.randint(1, 30)))
                        menit = min(span, entry["menit_standar"] * volume)
                        katalog_id = entry["id"]
                        uraian = f"{entry['nama']} ({volume} {entry['satuan']})"
                        counts["aktivitas_katalog"] += 1
                    created = _utc(day, _ri(rng, 9, 11), _ri(rng, 0, 59))
                    status, decided, reason = "diajukan", None, None
                    if not pending_day:
                        decided = _utc(day + timedelta(days=1), _ri(rng, 1, 8), _ri(rng, 0, 59))
                        if decided.weekday() >= 5:
                            decided += timedelta(days=7 - decided.weekday())
                        decided = min(decided, cutoff)
                        if rng.random() < 0.025:
                            status, reason = "ditolak", rng.choice(_REJECT)
                        else:
                            status = "disetujui"
                    counts[f"aktivitas_{status}"] += 1
                    if person.id in padders:
                        padding.days.setdefault(person.id, {}).setdefault(day, next_id)
                    elif _is_pilot(person) and rng.random() < 0.10:
                        state.next_bukti_id += 1
                        token = _token(ctx.seed, "a", next_id)[:12]
                        link_rows.append(
                            _link_bukti(
                                state.next_bukti_id,
                                person.id,
                                f"https://drive.sukamajukab.go.id/s/{token}",
                                f"Dokumentasi {uraian}"[:200],
                                created,
                                aktivitas_id=next_id,
                            )
                        )
                    yield (
                        next_id,
                        person.id,
                        day,
                        at(start),
                        at(end),
                        menit,
                        uraian,
                        rhk_id,
                        katalog_id,
                        volume,
                        points(menit),
                        status,
                        approver,
                        decided,
                        reason,
                        no_flags,
                        created,
                        decided or created,
                    )

    raw = frozenset({"jam_mulai", "jam_selesai", "flags"})
    _fast_insert(ctx, Aktivitas, _AKTIVITAS_COLUMNS, rows(), raw=raw)
    rebuild_monthly_totals(ctx.session, realisasi=False)  # the recap's totals (bulk insert)
    bulk_insert(ctx, Bukti, link_rows)
    flagged = _flag_padding(ctx, state, padding, padders, all_days)
    ctx.count("aktivitas_pegawai", len({p.id for p in sample}))
    ctx.count("aktivitas_bertanda", flagged)
    for key, n in sorted(counts.items()):
        ctx.count(key, n)


def _padders(ctx: DemoContext, state: RealizationState, staf: Person | None) -> dict[int, str]:
    """Three pilot employees whose photo evidence will be flagged (the example staff first)."""

    def eligible(p: Person) -> bool:
        plan = ctx.skp_by_pegawai.get(p.id)
        return bool(
            plan
            and plan.rhk
            and ctx.superiors.get(p.id)
            and _is_pilot(p)
            and p.position.role == "staff"
        )

    pool = [p for p in state.sample if eligible(p)]
    chosen: list[Person] = []
    if staf is not None and eligible(staf):
        chosen.append(staf)
    boss = ctx.superiors.get(chosen[0].id) if chosen else None
    same_boss = [p for p in pool if p not in chosen and ctx.superiors.get(p.id) == boss]
    others = [p for p in pool if p not in chosen and p not in same_boss]
    for p in same_boss + others:
        if len(chosen) >= 3:
            break
        chosen.append(p)
    roles = ("pakai_ulang_diajukan", "pakai_ulang_ditolak", "jauh_dari_kantor")
    return {p.id: role for p, role in zip(chosen, roles, strict=False)}


def _upload_dir() -> str | None:
    from flask import current_app, has_app_context

    return current_app.config.get("SKP_UPLOAD_DIR") if has_app_context() else None


def _photo(label: str, tone: int) -> bytes:
    """A small JPEG standing for a photo of a meeting (deterministic bytes)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (640, 480), (70 + tone % 60, 110, 90 + tone % 40))
    draw = ImageDraw.Draw(img)
    draw.rectangle((40, 300, 600, 420), fill=(139, 94, 60))
    for i in range(5):
        x = 70 + i * 110
        draw.ellipse((x, 150, x + 50, 200), fill=(224, 172, 105))
        draw.rectangle((x - 5, 200, x + 55, 300), fill=(40 + i * 35, 70, 120))
    draw.rectangle((0, 440, 640, 480), fill=(20, 20, 20))
    draw.text((16, 452), label, fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def _photo_bukti(
    ctx: DemoContext,
    state: RealizationState,
    owner: int,
    aktivitas_id: int,
    content: bytes,
    captured: datetime | None,
    gps: tuple[float, float] | None,
    flags: dict[str, dict],
    created: datetime,
) -> dict:
    state.next_bukti_id += 1
    bid = state.next_bukti_id
    digest = hashlib.sha256(content).hexdigest()
    token = _token(ctx.seed, "bukti", bid)[:40]
    stored = f"demo/{token[:2]}/{token}.jpg"
    base = _upload_dir()
    if base:
        from skp_app.realization.uploads import evidence_path

        path = evidence_path(base, stored)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    stamp = captured or created
    return {
        "id": bid,
        "owner_pegawai_id": owner,
        "realisasi_id": None,
        "aktivitas_id": aktivitas_id,
        "kind": "image",
        "nama": f"IMG_{stamp:%Y%m%d_%H%M%S}.jpg",
        "url": None,
        "stored_name": stored,
        "mime": "image/jpeg",
        "size": len(content),
        "sha256": digest,
        "source_sha256": digest,
        "captured_at": captured,
        "gps_lat": Decimal(f"{gps[0]:.7f}") if gps else None,
        "gps_lon": Decimal(f"{gps[1]:.7f}") if gps else None,
        "flags": sorted(flags),
        "flag_detail": {k: v for k, v in flags.items() if v},
        "created_at": created,
    }


def _flag_padding(
    ctx: DemoContext,
    state: RealizationState,
    padding: _Padding,
    padders: dict[int, str],
    all_days: list[date],
) -> int:
    """Photo evidence of the padding attempts, flagged as attach_evidence would flag it."""
    rng = ctx.rng("aktivitas-foto")
    office = OFFICE_LOCATIONS[0]
    photos: list[dict] = []
    changes: dict[int, dict] = {}

    def near() -> tuple[float, float]:
        return office["lat"] + rng.uniform(-0.0003, 0.0003), office["lon"] + rng.uniform(
            -0.0003, 0.0003
        )

    def shot(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, rng.randint(8, 14), rng.randint(0, 59))

    def mismatch(photo: date, day: date) -> dict:
        return {"foto": photo.isoformat(), "kegiatan": day.isoformat()}

    for pid, role in padders.items():
        acts = padding.days.get(pid, {})
        days = sorted(acts)
        if len(days) < 6:
            continue
        decided_days = [d for d in days if d < all_days[-4]]
        if not decided_days:
            continue
        first = decided_days[len(decided_days) // 2]
        label = f"Rapat koordinasi {first:%d-%m-%Y}"
        if role.startswith("pakai_ulang"):
            content = _photo(label, pid)
            taken = shot(first)
            photos.append(
                _photo_bukti(
                    ctx, state, pid, acts[first], content, taken, near(), {}, _utc(first, 10)
                )
            )
            original = photos[-1]
            again = days[-1] if role == "pakai_ulang_diajukan" else decided_days[-1]
            flags = {
                "date_mismatch": mismatch(taken.date(), again),
                "reused_photo": {
                    "bukti_id": original["id"],
                    "aktivitas_id": acts[first],
                    "realisasi_id": None,
                },
            }
            photos.append(
                _photo_bukti(
                    ctx, state, pid, acts[again], content, taken, near(), flags, _utc(again, 10)
                )
            )
            change = {"flags": sorted(flags)}
            if role == "pakai_ulang_ditolak":
                change.update(
                    status="ditolak",
                    reject_reason=(
                        f"Foto bukti sama dengan bukti kegiatan tanggal {first.day} "
                        f"{BULAN[first.month]} {first.year}; lampirkan dokumentasi kegiatan ini."
                    ),
                    decided_at=_utc(_next_working_day(again), 2, 15),
                    updated_at=_utc(_next_working_day(again), 2, 15),
                )
            changes[acts[again]] = change
            if role == "pakai_ulang_diajukan":
                other = days[-2]
                taken = shot(other - timedelta(days=11))
                flags = {"date_mismatch": mismatch(taken.date(), other)}
                photos.append(
                    _photo_bukti(
                        ctx,
                        state,
                        pid,
                        acts[other],
                        _photo(f"Kegiatan {other}", pid + 7),
                        taken,
                        near(),
                        flags,
                        _utc(other, 10),
                    )
                )
                changes[acts[other]] = {"flags": sorted(flags)}
        else:
            far_day = days[-1]
            lat, lon = office["lat"] + 0.052, office["lon"] - 0.018
            found = nearest_office(lat, lon, OFFICE_LOCATIONS)
            kantor, jarak = found if found else (office, haversine_m(lat, lon, *near()))
            flags = {
                "far_from_office": {
                    "kantor": kantor["nama"],
                    "jarak_m": round(jarak),
                    "radius_m": round(kantor["radius_m"]),
                }
            }
            photos.append(
                _photo_bukti(
                    ctx,
                    state,
                    pid,
                    acts[far_day],
                    _photo(f"Lokasi {far_day}", pid + 3),
                    shot(far_day),
                    (lat, lon),
                    flags,
                    _utc(far_day, 10),
                )
            )
            changes[acts[far_day]] = {"flags": sorted(flags)}
            approved_day = decided_days[len(decided_days) // 3]
            taken = shot(approved_day - timedelta(days=6))
            flags = {"date_mismatch": mismatch(taken.date(), approved_day)}
            photos.append(
                _photo_bukti(
                    ctx,
                    state,
                    pid,
                    acts[approved_day],
                    _photo(f"Kegiatan {approved_day}", pid + 11),
                    taken,
                    near(),
                    flags,
                    _utc(approved_day, 10),
                )
            )
            changes[acts[approved_day]] = {"flags": sorted(flags)}
            screenshot_day = days[-2]
            flags = {"no_exif": {}}
            photos.append(
                _photo_bukti(
                    ctx,
                    state,
                    pid,
                    acts[screenshot_day],
                    _photo(f"Tangkapan layar {screenshot_day}", pid + 5),
                    None,
                    None,
                    flags,
                    _utc(screenshot_day, 10),
                )
            )
            changes[acts[screenshot_day]] = {"flags": sorted(flags)}
    bulk_insert(ctx, Bukti, photos)
    for aid, values in sorted(changes.items()):
        ctx.session.execute(update(Aktivitas).where(Aktivitas.id == aid).values(**values))
    return sum(1 for v in changes.values() if set(v["flags"]) - {"no_exif"})


# --------------------------------------------------------------------------- tpp


def _fill_kelas(ctx: DemoContext) -> None:
    """Give every position without a kelas jabatan one by its jenis/jenjang (set-based)."""
    session = ctx.session
    missing = and_(Jabatan.kelas_jabatan.is_(None), Jabatan.jenis != "kepala_daerah")
    for jenis, kelas in _KELAS_BY_JENIS.items():
        session.execute(
            update(Jabatan).where(missing, Jabatan.jenis == jenis).values(kelas_jabatan=kelas)
        )
    for jenjang, kelas in _KELAS_BY_JENJANG.items():
        session.execute(
            update(Jabatan)
            .where(missing, Jabatan.jenis == "fungsional", Jabatan.jenjang == jenjang)
            .values(kelas_jabatan=kelas)
        )
    session.execute(update(Jabatan).where(missing).values(kelas_jabatan=_KELAS_PELAKSANA))


def stage_tpp(ctx: DemoContext) -> None:
    """TPP policy version 1 and the October recap of each pilot OPD (the real operation)."""
    from skp_app.realization.tpp_recap import run_recap

    session = ctx.session
    _fill_kelas(ctx)
    actor = session.scalar(select(User).where(User.username == "bkpsdm"))
    bulk_insert(
        ctx,
        TppPolicyVersion,
        [
            {
                "id": 1,
                "instansi_id": ctx.instansi_id,
                "version": 1,
                "policy": PRESET_DEFAULT.to_dict(),
                "pagu_per_kelas": dict(PAGU_PER_KELAS),
                "berlaku_mulai": date(TAHUN, 1, 1),
                "created_by_user_id": actor.id if actor is not None else None,
                "created_at": datetime(TAHUN, 1, 5, 2, 0),
            }
        ],
    )
    ctx.count("hukuman_disiplin", _hukdis(ctx, actor))
    lines = 0
    recaps = []
    for opd in sorted((u for u in ctx.structure.opds if u.is_pilot), key=lambda u: u.id):
        recap = run_recap(session, TAHUN, RECAP_MONTH, opd_id=opd.id, actor=actor, today=DEMO_TODAY)
        lines += recap.line_count
        recaps.append(recap.id)
    ctx.extra["tpp_recap_ids"] = recaps
    ctx.count("tpp_recap", len(recaps))
    ctx.count("tpp_recap_line", lines)


#: Demo hukuman disiplin SKs: (kind, SK number, SK date, TMT mulai, TMT selesai, note, annul).
_HUKDIS = (
    ("teguran_lisan", 1207, date(TAHUN, 9, 24), date(TAHUN, 10, 1), date(TAHUN, 10, 31),
     "Tidak masuk kerja tanpa alasan yang sah secara kumulatif 3 hari kerja.", None),
    ("teguran_lisan", 1211, date(TAHUN, 9, 25), date(TAHUN, 10, 1), date(TAHUN, 10, 31),
     "Terlambat masuk kerja berulang tanpa keterangan pada Juli–Agustus.", None),
    ("teguran_lisan", 1215, date(TAHUN, 9, 29), date(TAHUN, 10, 1), date(TAHUN, 10, 31),
     "Tidak menyampaikan laporan kegiatan harian selama tiga pekan.", None),
    ("teguran_lisan", 1302, date(TAHUN, 10, 27), date(TAHUN, 11, 1), date(TAHUN, 11, 30),
     "Meninggalkan tugas pada jam kerja tanpa izin atasan.", None),
    ("teguran_lisan", 904, date(TAHUN, 7, 20), date(TAHUN, 8, 1), date(TAHUN, 8, 31),
     "Tidak masuk kerja tanpa alasan yang sah secara kumulatif 3 hari kerja.", None),
    ("pemberhentian", 1388, date(TAHUN, 11, 20), date(TAHUN, 12, 1), None,
     "Tidak masuk kerja tanpa alasan yang sah secara kumulatif lebih dari 28 hari kerja.",
     None),
    ("teguran_lisan", 1220, date(TAHUN, 9, 30), date(TAHUN, 10, 1), date(TAHUN, 10, 31),
     "Tidak masuk kerja tanpa alasan yang sah.",
     "SK dicabut: ketidakhadiran ternyata karena sakit dengan surat keterangan dokter."),
)  # fmt: skip


def _hukdis(ctx: DemoContext, actor: User | None) -> int:
    """Hukuman disiplin SKs of employees of the pilot OPDs (never a demo example account)."""
    examples = {p.id for p in ctx.examples.values()}
    pool = sorted(
        (
            p
            for p in ctx.people
            if p.must_have_skp
            and _is_pilot(p)
            and p.id not in examples
            and p.jenis_asn in ("PNS", "PPPK")
        ),
        key=lambda p: p.id,
    )
    if not pool:
        return 0
    chosen = ctx.rng("hukdis").sample(pool, min(len(pool), len(_HUKDIS)))
    rows = []
    for n, (person, spec) in enumerate(zip(chosen, _HUKDIS, strict=False), start=1):
        jenis, nomor, tanggal_sk, mulai, selesai, keterangan, batal = spec
        created = datetime.combine(tanggal_sk + timedelta(days=1), time(2, 0))
        rows.append(
            {
                "id": n,
                "pegawai_id": person.id,
                "jenis": jenis,
                "nomor_sk": f"800/{nomor}/BKPSDM/{tanggal_sk.year}",
                "tanggal_sk": tanggal_sk,
                "tmt_mulai": mulai,
                "tmt_selesai": selesai,
                "keterangan": keterangan,
                "is_annulled": batal is not None,
                "annul_reason": batal,
                "annulled_at": created + timedelta(days=7) if batal else None,
                "annulled_by_user_id": actor.id if batal and actor is not None else None,
                "created_by_user_id": actor.id if actor is not None else None,
                "created_at": created,
                "updated_at": created + timedelta(days=7) if batal else created,
            }
        )
    return bulk_insert(ctx, HukumanDisiplin, rows)


register_stage(
    "pengaturan",
    stage_settings,
    after="perencanaan",
    description="Pengaturan instansi: lokasi kantor, jam kerja, target poin, kurva",
)
register_stage(
    "realisasi",
    stage_realizations,
    after="pengaturan",
    description="Realisasi bulanan Januari–Oktober setiap IKI SKP yang disetujui",
)
register_stage(
    "evaluasi",
    stage_evaluations,
    after="realisasi",
    description="Predikat organisasi dan evaluasi periodik triwulan I–III, umpan balik, keberatan",
)
register_stage(
    "kehadiran",
    stage_attendance,
    after="evaluasi",
    description="Kehadiran Oktober–25 November pegawai sampel (OPD pilot dan ±10% lainnya)",
)
register_stage(
    "aktivitas",
    stage_activities,
    after="kehadiran",
    description="Aktivitas harian dengan persetujuan atasan, katalog dan bukti bertanda",
)
register_stage(
    "tpp",
    stage_tpp,
    after="aktivitas",
    description="Kebijakan TPP versi 1, hukuman disiplin dan rekap TPP Oktober 2026 OPD pilot",
)
