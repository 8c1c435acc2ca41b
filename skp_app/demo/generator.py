"""Build the demo regency into the database: ``build_demo(session, size, seed)``.

The build runs a list of named stages (:data:`STAGES`), each a function ``stage(ctx)`` that
reads what earlier stages left in the :class:`DemoContext` and bulk-inserts its rows with
pre-assigned ids (``session.execute(insert(Model), rows)``; no ORM unit of work, no per-row
flush), so the large regency (≈20,000 employees) builds in well under a minute on SQLite.

Later stages (realisasi, aktivitas, evaluasi …) plug in with :func:`register_stage`; they get
the same context: the in-memory structure, the people, the SKP plans with their database ids,
a deterministic random generator per stage (:meth:`DemoContext.rng`) and
:func:`bulk_insert`. The caller commits once.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, func, insert, select, text, update
from sqlalchemy.orm import Session

from skp_app.auth.models import RoleAssignment, User
from skp_app.auth.operations import hash_password
from skp_app.demo.people import Person, build_people
from skp_app.demo.planning import (
    BERAKHLAK_EKSPEKTASI,
    SKP_END,
    SKP_START,
    TAHUN,
    Defect,
    GoalPlan,
    SkpPlan,
    plan_goals,
    plan_skps,
    submission_times,
)
from skp_app.demo.structure import INSTANSI_NAMA, SIZES, SizeSpec, Structure, build_structure
from skp_app.org.models import Instansi, Jabatan, Pegawai, PegawaiExternalId, UnitOrganisasi
from skp_app.org.queries import superior_map
from skp_app.org.reference import GOLONGAN
from skp_app.planning.models import (
    Iki,
    IndikatorSasaran,
    IndikatorTarget,
    PerilakuExpectation,
    Periode,
    Rhk,
    Sasaran,
    Skp,
    SkpLampiran,
    SkpTransition,
    SkpVersion,
)

__all__ = [
    "DEMO_PASSWORD",
    "STAGES",
    "DemoAccount",
    "DemoContext",
    "DemoDefect",
    "DemoError",
    "DemoSummary",
    "Stage",
    "build_demo",
    "bulk_insert",
    "demo_rng",
    "existing_data",
    "plan_personnel",
    "register_stage",
    "reset_database",
]

#: The password of every demo account (hashed once and reused).
DEMO_PASSWORD = "Demo12345"  # noqa: S105 (the documented demo password)
_CHUNK = 5000
# Fixed timestamps keep the build deterministic (the data describe January 2026).
_CREATED = datetime(2026, 1, 2, 1, 0, 0)


class DemoError(RuntimeError):
    """The demo cannot be built (for example, the database already holds data)."""


@dataclass
class DemoAccount:
    username: str
    role: str
    description: str
    nama: str = ""
    nip: str = ""
    pegawai_id: int | None = None
    skp_status: str = ""


@dataclass
class DemoDefect:
    code: str
    description: str
    rhk_id: int
    skp_id: int
    pegawai_id: int
    nama: str
    nip: str
    opd: str
    rhk_teks: str


@dataclass
class DemoSummary:
    """What :func:`build_demo` built: counts, the demo accounts, examples and defects."""

    instansi: str
    size: str
    seed: int
    password: str
    counts: dict[str, int] = field(default_factory=dict)
    accounts: list[DemoAccount] = field(default_factory=list)
    examples: list[DemoAccount] = field(default_factory=list)
    defects: list[DemoDefect] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class DemoContext:
    """Everything the stages share while the demo is being built."""

    session: Session
    size: SizeSpec
    seed: int
    summary: DemoSummary
    password_hash: str = ""
    instansi_id: int = 1
    structure: Structure | None = None
    people: list[Person] = field(default_factory=list)
    person_by_id: dict[int, Person] = field(default_factory=dict)
    superiors: dict[int, int | None] = field(default_factory=dict)
    user_of: dict[int, int] = field(default_factory=dict)  # pegawai id -> user id
    goals: list[GoalPlan] = field(default_factory=list)
    goals_by_opd: dict[int, list[GoalPlan]] = field(default_factory=dict)
    periode_ids: dict[int, int] = field(default_factory=dict)  # tahun -> periode id
    skps: list[SkpPlan] = field(default_factory=list)
    skp_by_pegawai: dict[int, SkpPlan] = field(default_factory=dict)
    defects: list[Defect] = field(default_factory=list)
    no_skp: list[Person] = field(default_factory=list)
    examples: dict[str, Person] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # free room for later stages

    def rng(self, stage: str) -> random.Random:
        """Return the random generator of ``stage`` (independent of the other stages)."""
        return demo_rng(self.seed, stage)

    def count(self, name: str, n: int) -> None:
        self.summary.counts[name] = self.summary.counts.get(name, 0) + n


@dataclass(frozen=True)
class Stage:
    name: str
    run: Callable[[DemoContext], None]
    description: str = ""


def demo_rng(seed: int, stage: str) -> random.Random:
    """Return the deterministic random generator of one build stage for ``seed``."""
    return random.Random(f"skp-demo:{seed}:{stage}")


def plan_personnel(size: str, seed: int) -> tuple[Structure, list[Person]]:
    """Return the organisation and the people a build of ``size``/``seed`` inserts (no DB)."""
    structure = build_structure(SIZES[size], demo_rng(seed, "struktur"))
    return structure, build_people(structure, demo_rng(seed, "pegawai"))


def reset_database() -> None:
    """Drop and recreate every table of the application (``skp demo --reset``)."""
    from skp_app.extensions import db

    db.session.remove()
    db.drop_all()
    db.create_all()


def bulk_insert(ctx_or_session, model, rows: Iterable[dict], *, count: str | None = None) -> int:
    """Insert ``rows`` (dicts with the same keys, ids included) in chunks; return the number.

    Rows go through ``session.execute(insert(table), batch)`` (one executemany per chunk). On
    PostgreSQL, chunks whose rows give every column of the table are sent with ``COPY`` instead,
    which is several times faster for the hundreds of thousands of IKI and perilaku rows.
    """
    session = ctx_or_session.session if isinstance(ctx_or_session, DemoContext) else ctx_or_session
    table = model.__table__
    copy = session.get_bind().dialect.name == "postgresql"
    batch: list[dict] = []
    n = 0
    for row in rows:
        batch.append(row)
        if len(batch) >= _CHUNK:
            n += _write(session, table, batch, copy)
            batch = []
    if batch:
        n += _write(session, table, batch, copy)
    if isinstance(ctx_or_session, DemoContext):
        ctx_or_session.count(count or table.name, n)
    return n


def _write(session: Session, table, batch: list[dict], copy: bool) -> int:
    columns = [c.name for c in table.columns]
    if copy and set(batch[0]) == set(columns):
        from psycopg.types.json import Json

        json_cols = {c.name for c in table.columns if c.type._type_affinity is JSON}
        raw = session.connection().connection.driver_connection
        names = ", ".join(f'"{c}"' for c in columns)
        with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as out:
            for row in batch:
                out.write_row(
                    tuple(
                        Json(row[c]) if c in json_cols and row[c] is not None else row[c]
                        for c in columns
                    )
                )
        return len(batch)
    session.execute(insert(table), batch)
    return len(batch)


def existing_data(session: Session) -> dict[str, int]:
    """Return the row counts of the tables that a demo build would fill, if not empty."""
    found = {}
    for model in (Instansi, UnitOrganisasi, Pegawai, User, Periode, Skp):
        n = session.scalar(select(func.count()).select_from(model))
        if n:
            found[model.__tablename__] = n
    return found


# --------------------------------------------------------------------------- stages


def stage_organisation(ctx: DemoContext) -> None:
    """Instansi, the unit tree and the positions (jabatan)."""
    structure = build_structure(ctx.size, ctx.rng("struktur"))
    ctx.structure = structure
    rng = ctx.rng("struktur-id")
    bulk_insert(
        ctx,
        Instansi,
        [
            {
                "id": ctx.instansi_id,
                "nama": INSTANSI_NAMA,
                "jenis": "kabupaten",
                "ibukota": "Sukamaju",
                "siasn_id": f"{rng.getrandbits(128):032X}",
                "settings": {"demo": {"size": ctx.size.name, "seed": ctx.seed}},
            }
        ],
    )
    bulk_insert(
        ctx,
        UnitOrganisasi,
        (
            {
                "id": u.id,
                "instansi_id": ctx.instansi_id,
                "parent_id": u.parent.id if u.parent is not None else None,
                "opd_id": u.opd_id,
                "nama": u.nama,
                "singkatan": u.singkatan,
                "jenis": u.jenis,
                "kode": u.kode,
                "eselon_id": u.eselon_id,
                "is_opd": u.is_opd,
                "is_pilot": u.is_pilot,
                "is_active": True,
                "workload_multiplier": u.workload,
                "siasn_id": f"{rng.getrandbits(128):032x}",
                "created_at": _CREATED,
            }
            for u in structure.units
        ),
    )
    bulk_insert(
        ctx,
        Jabatan,
        (
            {
                "id": p.id,
                "nama": p.nama,
                "jenis": p.jenis,
                "eselon_id": p.eselon_id,
                "jenjang": p.jenjang,
                "kelas_jabatan": p.kelas,
                "unit_id": p.unit.id,
                "atasan_id": p.atasan.id if p.atasan is not None else None,
                "is_kepala_unit": p.is_kepala_unit,
                "kebutuhan": max(1, len(p.slots)),
                "siasn_id": f"{rng.getrandbits(128):032X}" if p.is_kepala_unit else None,
            }
            for p in structure.positions
        ),
    )
    ctx.count("opd", len(structure.opds))


def stage_people(ctx: DemoContext) -> None:
    """Employees with their NIP, golongan and SIASN ids; then who rates whom."""
    people = build_people(ctx.structure, ctx.rng("pegawai"))
    ctx.people = people
    ctx.person_by_id = {p.id: p for p in people}
    bulk_insert(
        ctx,
        Pegawai,
        (
            {
                "id": p.id,
                "nip": p.nip,
                "nip_lama": None,
                "nama": p.nama,
                "gelar_depan": p.gelar_depan,
                "gelar_belakang": p.gelar_belakang,
                "jenis_kelamin": p.jenis_kelamin,
                "tempat_lahir": p.tempat_lahir,
                "tanggal_lahir": p.tanggal_lahir,
                "jenis_asn": p.jenis_asn,
                "golongan_id": p.golongan_id,
                "golongan_pppk": p.golongan_pppk,
                "tmt_golongan": p.tmt_golongan,
                "tmt_cpns": p.tmt_cpns,
                "tmt_pns": p.tmt_pns,
                "tmt_jabatan": p.tmt_jabatan,
                "jabatan_id": p.position.id,
                "unit_id": p.unit.id,
                "kedudukan_hukum_id": p.kedudukan,
                "atasan_override_id": None,
                "atasan_override_jenis": None,
                "email": p.email,
                "no_hp": p.no_hp,
                "not_in_source_since": None,
                "created_at": _CREATED,
                "updated_at": _CREATED,
            }
            for p in people
        ),
    )
    overrides = [p for p in people if p.override is not None]
    for p in overrides:
        ctx.session.execute(
            update(Pegawai)
            .where(Pegawai.id == p.id)
            .values(atasan_override_id=p.override.id, atasan_override_jenis=p.override_jenis)
        )
    bulk_insert(
        ctx,
        PegawaiExternalId,
        (
            {
                "id": n,
                "pegawai_id": p.id,
                "source": "siasn",
                "external_id": p.siasn_id,
            }
            for n, p in enumerate((p for p in people if p.siasn_id), start=1)
        ),
    )
    ctx.superiors = superior_map(ctx.session)
    kinds = Counter(p.jenis_asn for p in people)
    ctx.count("pns", kinds["PNS"])
    ctx.count("pppk", kinds["PPPK"])
    ctx.count("pegawai_aktif", sum(1 for p in people if p.is_active))
    ctx.count("plt", len(overrides))
    ctx.count("jabatan_kosong", sum(1 for p in ctx.structure.positions if p.vacant))


def stage_accounts(ctx: DemoContext) -> None:
    """The demo accounts and one account per employee (username = NIP)."""
    ctx.password_hash = ctx.password_hash or hash_password(DEMO_PASSWORD)
    structure = ctx.structure
    pilots = [u for u in structure.opds if u.is_pilot]
    sekda = next((p for p in ctx.people if p.position.role == "sekda"), None)
    bupati = next((p for p in ctx.people if p.position.role == "bupati"), None)
    special: list[tuple[str, str, list[tuple[str, int | None]], Person | None, str]] = [
        ("admin", "Administrator Sistem", [("admin", None)], None, "Administrator sistem"),
        ("bkpsdm", "Admin BKPSDM", [("hr", None)], None, "Kepegawaian (BKPSDM), semua OPD"),
    ]
    for unit in pilots:
        slug = unit.singkatan.lower().replace(" ", "")
        special.append(
            (
                f"operator.{slug}",
                f"Operator {unit.singkatan}",
                [("opd_operator", unit.id)],
                None,
                f"Operator OPD {unit.nama}",
            )
        )
    special.append(
        (
            "evaluator",
            "Evaluator Kinerja",
            [("evaluator", None)],
            None,
            "Evaluator keselarasan cascading, semua OPD",
        )
    )
    if sekda is not None:
        special.append(
            (
                "sekda",
                sekda.nama_lengkap,
                [("pimpinan", None)],
                sekda,
                "Pimpinan: Sekretaris Daerah (pegawai, pejabat penilai Kepala OPD)",
            )
        )
    if bupati is not None:
        special.append(
            (
                "bupati",
                bupati.nama_lengkap,
                [("pimpinan", None)],
                bupati,
                "Pimpinan: Bupati (kepala daerah)",
            )
        )
    users, roles = [], []
    linked: set[int] = set()
    for username, display, grants, person, description in special:
        uid = len(users) + 1
        users.append(
            _user_row(
                uid,
                username,
                display,
                ctx.password_hash,
                person.id if person is not None else None,
                True,
            )
        )
        for role, unit_id in grants:
            roles.append({"id": len(roles) + 1, "user_id": uid, "role": role, "unit_id": unit_id})
        if person is not None:
            linked.add(person.id)
            ctx.user_of[person.id] = uid
        ctx.summary.accounts.append(
            DemoAccount(
                username,
                ", ".join(r for r, _ in grants),
                description,
                nama=person.nama_lengkap if person is not None else "",
                nip=person.nip or "" if person is not None else "",
                pegawai_id=person.id if person is not None else None,
            )
        )
    for p in ctx.people:
        if p.id in linked or not p.nip:
            continue
        uid = len(users) + 1
        users.append(_user_row(uid, p.nip, p.nama_lengkap, ctx.password_hash, p.id, p.is_active))
        ctx.user_of[p.id] = uid
    bulk_insert(ctx, User, users, count="users")
    bulk_insert(ctx, RoleAssignment, roles)


def _user_row(
    uid: int, username: str, display: str, password_hash: str, pegawai_id: int | None, enabled: bool
) -> dict:
    return {
        "id": uid,
        "username": username,
        "password_hash": password_hash,
        "pegawai_id": pegawai_id,
        "display_name": display[:200],
        "is_enabled": enabled,
        "session_version": 1,
        "failed_logins": 0,
        "locked_until": None,
        "last_login_at": None,
        "created_at": _CREATED,
    }


def stage_planning(ctx: DemoContext) -> None:
    """Periods, RPJMD and OPD goals, and every SKP with RHK, IKI, perilaku and lampiran."""
    bulk_insert(
        ctx,
        Periode,
        [
            {
                "id": 1,
                "tahun": TAHUN - 1,
                "nama": f"Tahun {TAHUN - 1}",
                "tanggal_mulai": date(TAHUN - 1, 1, 1),
                "tanggal_selesai": date(TAHUN - 1, 12, 31),
                "is_open": False,
                "periodik": "triwulan",
                "created_at": _CREATED,
            },
            {
                "id": 2,
                "tahun": TAHUN,
                "nama": f"Tahun {TAHUN}",
                "tanggal_mulai": date(TAHUN, 1, 1),
                "tanggal_selesai": date(TAHUN, 12, 31),
                "is_open": True,
                "periodik": "triwulan",
                "created_at": _CREATED,
            },
        ],
    )
    ctx.periode_ids = {TAHUN - 1: 1, TAHUN: 2}
    goals, per_opd = plan_goals(ctx.structure)
    ctx.goals, ctx.goals_by_opd = goals, per_opd
    bulk_insert(
        ctx,
        Sasaran,
        (
            {
                "id": g.id,
                "level": g.level,
                "jenis": g.jenis,
                "parent_id": g.parent.id if g.parent is not None else None,
                "supports_id": g.supports.id if g.supports is not None else None,
                "opd_id": g.opd.id if g.opd is not None else None,
                "kode": g.kode,
                "teks": g.teks,
                "tahun_awal": 2025,
                "tahun_akhir": 2029,
                "created_at": _CREATED,
            }
            for g in goals
        ),
    )
    indikator, targets = [], []
    for g in goals:
        for teks, satuan, iku, lower, yearly in g.indikator:
            iid = len(indikator) + 1
            indikator.append(
                {
                    "id": iid,
                    "sasaran_id": g.id,
                    "teks": teks,
                    "satuan": satuan,
                    "is_iku": iku,
                    "lower_is_better": lower,
                }
            )
            for tahun, value in yearly.items():
                targets.append(
                    {
                        "id": len(targets) + 1,
                        "indikator_id": iid,
                        "tahun": tahun,
                        "target": value,
                        "target_max": None,
                    }
                )
    bulk_insert(ctx, IndikatorSasaran, indikator)
    bulk_insert(ctx, IndikatorTarget, targets)

    t0 = time.perf_counter()
    plans, defects, no_skp, examples = plan_skps(
        ctx.structure, ctx.people, ctx.superiors, per_opd, ctx.rng("skp")
    )
    ctx.extra["skp_plan_seconds"] = time.perf_counter() - t0
    ctx.skps, ctx.defects, ctx.no_skp, ctx.examples = plans, defects, no_skp, examples
    ctx.skp_by_pegawai = {plan.person.id: plan for plan in plans}
    _insert_skps(ctx)
    for d in defects:
        opd = d.person.unit.opd
        ctx.summary.defects.append(
            DemoDefect(
                d.code,
                d.description,
                d.rhk.id,
                d.rhk.owner.id,
                d.person.id,
                d.person.nama_lengkap,
                d.person.nip or "",
                opd.nama if opd is not None else "",
                d.rhk.teks,
            )
        )
    labels = {
        "staf": "Staf (pelaksana/fungsional)",
        "kasubbid": "Atasan langsung (Kasubbid)",
        "kabid": "Atasan dari atasan (Kabid)",
    }
    for key, label in labels.items():
        person = examples.get(key)
        if person is None:
            continue
        plan = ctx.skp_by_pegawai.get(person.id)
        ctx.summary.examples.append(
            DemoAccount(
                person.nip or "",
                label,
                person.position.nama,
                nama=person.nama_lengkap,
                nip=person.nip or "",
                pegawai_id=person.id,
                skp_status=plan.status if plan else "",
            )
        )
    ctx.count("pegawai_tanpa_skp", len(no_skp))


def _pangkat(p: Person) -> str:
    if p.golongan_id in GOLONGAN:
        g = GOLONGAN[p.golongan_id]
        return f"{g.pangkat}, {g.label}"
    if p.golongan_pppk:
        return f"PPPK golongan {p.golongan_pppk}"
    return "-"


def _snapshot(p: Person | None) -> dict | None:
    if p is None:
        return None
    opd = p.unit.opd
    # The shape of skp_app.planning.operations.person_snapshot.
    return {
        "pegawai_id": p.id,
        "nama": p.nama_lengkap,
        "nip": p.nip,
        "pangkat": _pangkat(p),
        "jabatan": p.position.nama,
        "unit": p.unit.nama,
        "opd": opd.nama if opd is not None else "",
        "instansi": INSTANSI_NAMA,
    }


def _insert_skps(ctx: DemoContext) -> None:
    rng = ctx.rng("skp-rows")
    periode_id = ctx.periode_ids[TAHUN]
    skp_rows, rhk_rows, iki_rows, perilaku_rows = [], [], [], []
    lampiran_rows, transition_rows, version_rows = [], [], []
    iki_id = 0
    for plan in ctx.skps:
        person = plan.person
        submitted, decided = submission_times(rng, plan.status)
        approved = plan.status == "disetujui"
        penilai_user = ctx.user_of.get(plan.penilai.id) if plan.penilai is not None else None
        own_user = ctx.user_of.get(person.id)
        note = None
        if plan.status == "dikembalikan":
            note = rng.choice(
                (
                    "Target kuantitas RHK belum sesuai pembagian peran pada Matriks Peran Hasil.",
                    "Perbaiki rumusan IKI agar terukur dan sesuaikan dengan RHK atasan.",
                    "Lengkapi RHK yang mengintervensi RHK atasan dan ekspektasi perilaku.",
                )
            )
        skp_rows.append(
            {
                "id": plan.id,
                "periode_id": periode_id,
                "pegawai_id": person.id,
                "jabatan_id": person.position.id,
                "unit_id": person.unit.id,
                "opd_id": person.unit.opd_id,
                "penilai_pegawai_id": plan.penilai.id if plan.penilai is not None else None,
                "atasan_penilai_pegawai_id": (
                    plan.atasan_penilai.id if plan.atasan_penilai is not None else None
                ),
                "penilai_is_override": person.override is not None,
                "is_jpt": plan.is_jpt,
                "pendekatan": "kuantitatif",
                "status": plan.status,
                "version": 1,
                "tanggal_mulai": SKP_START,
                "tanggal_selesai": SKP_END,
                "pegawai_snapshot": _snapshot(person) if approved else None,
                "penilai_snapshot": _snapshot(plan.penilai) if approved else None,
                "atasan_penilai_snapshot": _snapshot(plan.atasan_penilai) if approved else None,
                "return_note": note,
                "submitted_at": submitted,
                "approved_at": decided if approved else None,
                "closed_at": None,
                "close_reason": None,
                "replaces_id": None,
                "is_current": True,
                "created_at": _CREATED,
                "updated_at": decided or submitted or _CREATED,
            }
        )
        content_rhk = []
        for rhk in plan.rhk:
            rhk_rows.append(
                {
                    "id": rhk.id,
                    "skp_id": plan.id,
                    "jenis": rhk.jenis,
                    "urutan": rhk.urutan,
                    "teks": rhk.teks,
                    "parent_rhk_id": rhk.parent.id if rhk.parent is not None else None,
                    "parent_sasaran_id": rhk.parent_goal.id
                    if rhk.parent_goal is not None
                    else None,
                    "cascading": rhk.cascading,
                    "perspektif": rhk.perspektif,
                    "link_flag": None,
                    "drafted_from_rhk_id": None,
                    "created_at": _CREATED,
                    "updated_at": _CREATED,
                }
            )
            iki_content = []
            for k, iki in enumerate(rhk.iki, start=1):
                iki_id += 1
                iki_rows.append(
                    {
                        "id": iki_id,
                        "rhk_id": rhk.id,
                        "aspek": iki.aspek,
                        "urutan": k,
                        "teks": iki.teks,
                        "target": iki.target,
                        "target_max": None,
                        "target_teks": "",
                        "satuan": iki.satuan,
                        "lower_is_better": iki.lower,
                    }
                )
                if approved:
                    iki_content.append(
                        {
                            "id": iki_id,
                            "aspek": iki.aspek,
                            "teks": iki.teks,
                            "target": str(iki.target),
                            "target_max": None,
                            "target_teks": "",
                            "satuan": iki.satuan,
                            "lower_is_better": iki.lower,
                        }
                    )
            if approved:
                content_rhk.append(
                    {
                        "id": rhk.id,
                        "jenis": rhk.jenis,
                        "urutan": rhk.urutan,
                        "teks": rhk.teks,
                        "parent_rhk_id": rhk.parent.id if rhk.parent is not None else None,
                        "parent_rhk_teks": rhk.parent.teks if rhk.parent is not None else None,
                        "parent_sasaran_id": rhk.parent_goal.id if rhk.parent_goal else None,
                        "cascading": rhk.cascading,
                        "perspektif": rhk.perspektif,
                        "iki": iki_content,
                    }
                )
        fill = plan.status != "draft" and rng.random() < 0.5
        content_perilaku = []
        for kode in range(1, 8):
            teks = rng.choice(BERAKHLAK_EKSPEKTASI[kode]) if fill else ""
            perilaku_rows.append(
                {
                    "id": len(perilaku_rows) + 1,
                    "skp_id": plan.id,
                    "nilai_kode": kode,
                    "ekspektasi_khusus": teks,
                }
            )
            content_perilaku.append({"nilai_kode": kode, "ekspektasi_khusus": teks})
        opd = person.unit.opd
        opd_nama = opd.nama if opd is not None else INSTANSI_NAMA
        lampiran = (
            ("dukungan_sumber_daya", f"Anggaran kegiatan pada DPA {opd_nama} Tahun {TAHUN}"),
            (
                "skema_pertanggungjawaban",
                "Laporan capaian kinerja disampaikan setiap triwulan kepada pejabat penilai",
            ),
            ("konsekuensi", "Capaian kinerja menjadi dasar predikat kinerja dan perhitungan TPP"),
        )
        for k, (bagian, teks) in enumerate(lampiran, start=1):
            lampiran_rows.append(
                {
                    "id": len(lampiran_rows) + 1,
                    "skp_id": plan.id,
                    "bagian": bagian,
                    "urutan": k,
                    "teks": teks,
                }
            )
        if submitted is not None:
            transition_rows.append(
                _transition(
                    len(transition_rows) + 1,
                    plan.id,
                    "draft",
                    "diajukan",
                    own_user,
                    None,
                    submitted,
                )
            )
        if decided is not None:
            transition_rows.append(
                _transition(
                    len(transition_rows) + 1,
                    plan.id,
                    "diajukan",
                    plan.status,
                    penilai_user,
                    note,
                    decided,
                )
            )
        if approved:
            version_rows.append(
                {
                    "id": len(version_rows) + 1,
                    "skp_id": plan.id,
                    "version": 1,
                    # The shape of skp_app.planning.operations.skp_content.
                    "content": {
                        "skp_id": plan.id,
                        "periode": TAHUN,
                        "pendekatan": "kuantitatif",
                        "is_jpt": plan.is_jpt,
                        "tanggal_mulai": SKP_START.isoformat(),
                        "tanggal_selesai": SKP_END.isoformat(),
                        "pegawai": skp_rows[-1]["pegawai_snapshot"],
                        "penilai": skp_rows[-1]["penilai_snapshot"],
                        "atasan_penilai": skp_rows[-1]["atasan_penilai_snapshot"],
                        "rhk": content_rhk,
                        "perilaku": content_perilaku,
                        "lampiran": [{"bagian": b, "teks": t} for b, t in lampiran],
                    },
                    "approved_at": decided,
                    "approved_by_user_id": penilai_user,
                }
            )
    bulk_insert(ctx, Skp, skp_rows)
    bulk_insert(ctx, Rhk, rhk_rows)
    bulk_insert(ctx, Iki, iki_rows)
    bulk_insert(ctx, PerilakuExpectation, perilaku_rows)
    bulk_insert(ctx, SkpLampiran, lampiran_rows)
    bulk_insert(ctx, SkpTransition, transition_rows)
    bulk_insert(ctx, SkpVersion, version_rows)
    status = Counter(plan.status for plan in ctx.skps)
    for key, n in sorted(status.items()):
        ctx.count(f"skp_{key}", n)


def _transition(tid, skp_id, src, dst, user_id, note, at) -> dict:
    return {
        "id": tid,
        "skp_id": skp_id,
        "from_status": src,
        "to_status": dst,
        "actor_user_id": user_id,
        "note": note,
        "request_key": None,
        "at": at,
    }


#: The stages of a build, in order. Extend with :func:`register_stage`.
STAGES: list[Stage] = [
    Stage("organisasi", stage_organisation, "Instansi, unit organisasi dan jabatan"),
    Stage("pegawai", stage_people, "Pegawai, NIP, golongan, ID SIASN, atasan langsung"),
    Stage("akun", stage_accounts, "Akun demo dan akun setiap pegawai (NIP)"),
    Stage("perencanaan", stage_planning, "Periode, RPJMD, sasaran OPD, SKP, RHK, IKI"),
]


def register_stage(
    name: str,
    run: Callable[[DemoContext], None],
    *,
    after: str | None = None,
    description: str = "",
) -> Stage:
    """Add a build stage (at the end, or right after the stage named ``after``)."""
    if any(s.name == name for s in STAGES):
        raise ValueError(f"stage {name!r} already registered")
    stage = Stage(name, run, description)
    if after is None:
        STAGES.append(stage)
    else:
        index = next(i for i, s in enumerate(STAGES) if s.name == after)
        STAGES.insert(index + 1, stage)
    return stage


def _sync_sequences(session: Session) -> None:
    """PostgreSQL: move every id sequence past the ids the demo inserted explicitly."""
    if session.get_bind().dialect.name != "postgresql":
        return
    from skp_app.extensions import db

    for table in db.metadata.sorted_tables:
        if "id" not in table.c or not table.c.id.autoincrement:
            continue
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            )
        )


def build_demo(
    session: Session,
    size: str = "small",
    seed: int = 1,
    *,
    stages: list[Stage] | None = None,
    password_hash: str | None = None,
) -> DemoSummary:
    """Build the demo regency of ``size`` (tiny/small/median/large) from ``seed``.

    The database must not hold an instansi, units, employees, accounts or SKPs yet (the CLI
    ``skp demo --reset`` empties it first). Rows are added to ``session``; the caller commits.
    The same size and seed always give the same people, NIPs, names and SKPs.

    Raises
    ------
    DemoError
        When the size is unknown or the database already holds data.
    """
    if size not in SIZES:
        raise DemoError(f"Ukuran demo tidak dikenal: {size} (pilih {', '.join(SIZES)}).")
    found = existing_data(session)
    if found:
        detail = ", ".join(f"{n} baris {t}" for t, n in found.items())
        raise DemoError(
            f"Basis data sudah berisi data ({detail}). Data demo hanya dibangun pada basis data "
            "kosong; jalankan `skp demo --reset` untuk mengosongkannya terlebih dahulu."
        )
    summary = DemoSummary(INSTANSI_NAMA, size, seed, DEMO_PASSWORD)
    ctx = DemoContext(session, SIZES[size], seed, summary, password_hash=password_hash or "")
    total = time.perf_counter()
    for stage in stages if stages is not None else STAGES:
        t0 = time.perf_counter()
        stage.run(ctx)
        summary.timings[stage.name] = round(time.perf_counter() - t0, 3)
    _sync_sequences(session)
    from skp_app.audit.operations import record

    record(
        session,
        "demo.built",
        "instansi",
        ctx.instansi_id,
        actor="demo",
        after={"size": size, "seed": seed, "counts": summary.counts},
        summary=f"Data demo {INSTANSI_NAMA} dibangun (ukuran {size}, seed {seed})",
    )
    session.flush()
    summary.timings["total"] = round(time.perf_counter() - total, 3)
    return summary
