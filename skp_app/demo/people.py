"""The employees of the demo regency: identity, NIP, golongan and career dates that agree.

For each seat of each position (:mod:`skp_app.demo.structure`) one person is drawn. The rules
keep the record internally consistent, as a BKN auditor would expect:

* the NIP (Perka BKN 22/2007) encodes the birth date, the TMT CPNS (year and month), the
  gender (digit 15) and a sequence that is ``001`` unless the first 15 digits collide; the NI
  PPPK encodes the year of the first PPPK appointment and the number of contracts instead;
* a PNS is recruited at 22–35 years old with the starting golongan of the diploma (SLTA II/a,
  D-III II/c, S1 III/a, S2 III/b, S3 III/c, PP 99/2000) and rises one step every four years, up
  to the diploma ceiling for pelaksana, and as far as the position needs for structural and
  functional posts (eselon II IV/b–IV/d, administrator IV/a–IV/b, pengawas III/c–III/d, Ahli
  Muda III/c–III/d …);
* people in active service are younger than their retirement age (58, or 60 for JPT, Ahli
  Madya, teachers and doctors); the few retired ones (kedudukan hukum 98/99) are older.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date

from skp_app.demo.names import EDUCATION, make_gelar, make_name
from skp_app.demo.structure import Position, Slot, Structure, Unit

__all__ = [
    "GOL_ORDER",
    "LAST_TMT_YEAR",
    "REF_DATE",
    "Person",
    "build_people",
]

#: The personnel data describe the regency as of this date (the start of the SKP year 2026).
REF_DATE = date(2026, 1, 2)
LAST_TMT_YEAR = 2025
GOL_ORDER = (11, 12, 13, 14, 21, 22, 23, 24, 31, 32, 33, 34, 41, 42, 43, 44, 45)
_IDX = {g: i for i, g in enumerate(GOL_ORDER)}
# Highest golongan reachable by regular promotion with a diploma (PP 99/2000, pasal 18).
_CEILING = {"SMA": 32, "D3": 33, "S1": 34, "S2": 41, "S3": 42}
_PPPK_GOLONGAN = {"SMA": "V", "D3": "VII", "S1": "IX", "S2": "X", "S3": "XI"}
_MONTHS = (1, 1, 1, 2, 3, 3, 3, 4, 4, 5, 6, 7, 10, 11, 12, 12)
# (kedudukan, share of staff seats) for the people who left or are about to leave.
_SPECIAL_STATUS = (
    ("99", 0.007),
    ("98", 0.003),
    ("MK", 0.004),
    ("20", 0.002),
    ("03", 0.002),
    ("15", 0.001),
)


@dataclass(slots=True, eq=False)
class Person:
    id: int
    position: Position
    slot: Slot
    nip: str | None
    nama: str
    gelar_depan: str
    gelar_belakang: str
    jenis_kelamin: str
    tempat_lahir: str
    tanggal_lahir: date
    jenis_asn: str
    golongan_id: int | None
    golongan_pppk: str | None
    tmt_golongan: date | None
    tmt_cpns: date | None
    tmt_pns: date | None
    tmt_jabatan: date | None
    kedudukan: str
    edu: str
    siasn_id: str
    email: str
    no_hp: str
    override: Person | None = None
    override_jenis: str | None = None

    @property
    def unit(self) -> Unit:
        return self.position.unit

    @property
    def nama_lengkap(self) -> str:
        name = f"{self.gelar_depan} {self.nama}".strip()
        return f"{name}, {self.gelar_belakang}" if self.gelar_belakang else name

    @property
    def is_active(self) -> bool:
        return self.kedudukan in ("01", "03", "09", "15", "20", "PN")

    @property
    def must_have_skp(self) -> bool:
        return self.kedudukan in ("01", "09", "15") and self.jenis_asn in ("PNS", "PPPK")


class _NipRegistry:
    """Hands out the sequence digits so that no two NIPs collide."""

    def __init__(self) -> None:
        self.used: dict[str, int] = {}

    def make(self, prefix15: str) -> str:
        n = self.used.get(prefix15, 0) + 1
        self.used[prefix15] = n
        return f"{prefix15}{n:03d}"


def _pick(rng: random.Random, weights: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([k for k, _ in weights], weights=[w for _, w in weights])[0]


def _birth_window(position: Position, kedudukan: str) -> tuple[int, int]:
    """Return the (earliest, latest) birth year for a holder of ``position``."""
    if kedudukan in ("99", "98"):
        return (1966, 1966) if position.bup == 60 else (1966, 1967)
    if kedudukan == "20":
        return (1968, 1968) if position.bup == 58 else (1966, 1966)
    if position.bup == 60:
        return 1967, 2000
    return 1969, 2000


def _career(
    rng: random.Random, position: Position, birth: tuple[int, int]
) -> tuple[str, int, int, int, int]:
    """Draw ``(edu, golongan, tmt_year, birth_year, steps)`` consistent with the position.

    The TMT CPNS must fall 22–35 years after a birth year in ``birth``; the golongan must be
    reachable in the years of service since (one step per four years, a little faster for
    structural and functional careers, and any stay at the ceiling of the range).
    """
    lo_gol, hi_gol = position.gol
    structural = position.jenis != "pelaksana"
    service_lo = max(0, LAST_TMT_YEAR - min(birth[1] + 35, LAST_TMT_YEAR))
    service_hi = LAST_TMT_YEAR - (birth[0] + 22)
    for _attempt in range(20):
        edu = _pick(rng, position.edu)
        start = EDUCATION[edu]
        if start > hi_gol:
            continue
        lo = max(lo_gol, start)
        hi = hi_gol if structural else min(hi_gol, max(_CEILING[edu], lo))
        options = []
        for gol in GOL_ORDER[_IDX[lo] : _IDX[hi] + 1]:
            steps = _IDX[gol] - _IDX[start]
            s_min = 4 * steps - (steps // 3 if structural else 0)
            s_max = s_min + (24 if gol == hi else 3)
            a, b = max(s_min, service_lo), min(s_max, service_hi)
            if a <= b:
                options.append((gol, steps, a, b))
        if not options:
            continue
        gol, steps, a, b = rng.choice(options)
        tmt_year = LAST_TMT_YEAR - rng.randint(a, b)
        age_lo = max(22, tmt_year - birth[1])
        age_hi = min(35, tmt_year - birth[0])
        age = rng.randint(age_lo, age_hi)
        return edu, gol, tmt_year, tmt_year - age, steps
    raise ValueError(f"no consistent career for {position.nama} born {birth}")


def _date_in(rng: random.Random, year: int, months: tuple[int, int] = (1, 12)) -> date:
    month = rng.randint(*months)
    day = rng.randint(1, 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)
    return date(year, month, day)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _email(nama: str, nip: str | None) -> str:
    words = [w for w in _ascii(nama).replace(".", " ").split() if w.isalpha()]
    local = ".".join(words[:2]) or "pegawai"
    return f"{local}{(nip or '')[-3:]}@sukamajukab.go.id"


def _make_person(
    rng: random.Random, pid: int, position: Position, slot: Slot, nips: _NipRegistry
) -> Person:
    kedudukan = slot.kedudukan
    gender = "P" if rng.random() < position.female else "L"
    pppk = slot.pppk
    birth = _birth_window(position, kedudukan)
    if pppk:
        edu = _pick(rng, position.edu)
        appointed = rng.choice((2021, 2022, 2022, 2023, 2023, 2024, 2025))
        lo = max(birth[0], appointed - 56)
        hi = min(birth[1], appointed - 20)
        birth_year = rng.randint(lo, hi)
        contracts = 1 if appointed >= 2024 or rng.random() < 0.75 else rng.randint(2, 3)
        born = _date_in(rng, birth_year)
        nip = nips.make(f"{born:%Y%m%d}{appointed:04d}{contracts:02d}{1 if gender == 'L' else 2}")
        gol_id, gol_pppk, tmt_gol, tmt_cpns, tmt_pns = (
            None,
            _PPPK_GOLONGAN[edu],
            date(appointed, rng.choice((1, 3, 4)), 1),
            None,
            None,
        )
        jenis_asn = "PPPK"
        start_year = appointed
    else:
        edu, gol_id, tmt_year, birth_year, steps = _career(rng, position, birth)
        born = _date_in(rng, birth_year)
        month = rng.choice(_MONTHS)
        nip = nips.make(f"{born:%Y%m%d}{tmt_year:04d}{month:02d}{1 if gender == 'L' else 2}")
        tmt_cpns = date(tmt_year, month, 1)
        tmt_pns = date(tmt_year + 1, month, 1) if tmt_year + 1 <= LAST_TMT_YEAR else None
        gol_year = min(LAST_TMT_YEAR, tmt_year + 4 * steps - (steps // 3))
        tmt_gol = date(max(tmt_year, gol_year), rng.choice((4, 10)), 1) if steps else tmt_cpns
        gol_pppk = None
        jenis_asn = "PNS"
        start_year = tmt_year
    nama, muslim, tempat = make_name(rng, gender, born.year)
    senior = position.level <= 3
    depan, belakang = make_gelar(
        rng,
        edu=edu,
        field=position.field,
        gender=gender,
        birth_year=born.year,
        muslim=muslim,
        senior=senior,
    )
    earliest = max(start_year + 2, 2019) if position.level <= 4 else max(start_year, 2022)
    tmt_jabatan = _date_in(rng, rng.randint(min(earliest, LAST_TMT_YEAR), LAST_TMT_YEAR))
    if tmt_jabatan.year == start_year and tmt_cpns and tmt_jabatan < tmt_cpns:
        tmt_jabatan = tmt_cpns
    return Person(
        id=pid,
        position=position,
        slot=slot,
        nip=nip,
        nama=nama,
        gelar_depan=depan,
        gelar_belakang=belakang,
        jenis_kelamin=gender,
        tempat_lahir=tempat,
        tanggal_lahir=born,
        jenis_asn=jenis_asn,
        golongan_id=gol_id,
        golongan_pppk=gol_pppk,
        tmt_golongan=tmt_gol,
        tmt_cpns=tmt_cpns,
        tmt_pns=tmt_pns,
        tmt_jabatan=tmt_jabatan,
        kedudukan=kedudukan,
        edu=edu,
        siasn_id=f"{rng.getrandbits(128):032X}",
        email=_email(nama, nip),
        no_hp=f"08{rng.choice((11, 12, 13, 21, 22, 52, 53, 57, 77, 78, 81, 95))}"
        f"{rng.randint(10_000_000, 99_999_999)}",
    )


def _bupati(rng: random.Random, position: Position, slot: Slot) -> Person:
    born = _date_in(rng, rng.randint(1968, 1978))
    nama, muslim, tempat = make_name(rng, "L", born.year)
    return Person(
        id=1,
        position=position,
        slot=slot,
        nip=None,
        nama=nama,
        gelar_depan="H." if muslim else "",
        gelar_belakang="S.IP., M.Si.",
        jenis_kelamin="L",
        tempat_lahir=tempat,
        tanggal_lahir=born,
        jenis_asn="PEJABAT",
        golongan_id=None,
        golongan_pppk=None,
        tmt_golongan=None,
        tmt_cpns=None,
        tmt_pns=None,
        tmt_jabatan=date(2025, 2, 20),
        kedudukan="PN",
        edu="S2",
        siasn_id="",
        email="bupati@sukamajukab.go.id",
        no_hp="",
    )


def _assign_statuses(rng: random.Random, structure: Structure) -> None:
    """Mark a few staff seats as retired, transferred, in training or disciplined.

    Every size gets at least one of each status; the clean pilot (Bappeda) keeps everyone.
    """
    eligible = [
        slot
        for position in structure.positions
        if position.role == "staff"
        and position.unit.opd_t is not None
        and position.unit.opd_t.key != "bappeda"
        for slot in position.slots
        if not slot.pppk
    ]
    entry = {
        id(slot)
        for position in structure.positions
        if position.jenjang == "PM"
        for slot in position.slots
    }
    seen: set[str] = set()
    for slot in eligible:
        roll = rng.random()
        acc = 0.0
        for code, share in _SPECIAL_STATUS:
            acc += share
            if roll < acc:
                if code in ("99", "98", "20") and id(slot) in entry:
                    break  # nobody retires as a Pemula
                slot.kedudukan = code
                seen.add(code)
                break
    spare = [slot for slot in eligible if slot.kedudukan == "01" and id(slot) not in entry]
    step = max(1, len(spare) // (len(_SPECIAL_STATUS) + 1))
    for i, (code, _share) in enumerate(_SPECIAL_STATUS):
        if code not in seen and spare:
            spare[(i + 1) * step % len(spare)].kedudukan = code


def build_people(structure: Structure, rng: random.Random) -> list[Person]:
    """Draw one person per seat of every position, in position order (ids from 1)."""
    _assign_statuses(rng, structure)
    nips = _NipRegistry()
    people: list[Person] = []
    by_position: dict[int, list[Person]] = {}
    for position in structure.positions:
        for slot in position.slots:
            if position.role == "bupati":
                person = _bupati(rng, position, slot)
            else:
                person = _make_person(rng, len(people) + 1, position, slot, nips)
            people.append(person)
            by_position.setdefault(position.id, []).append(person)
    # Plt: the holders of the positions under a vacant one report to the acting official.
    for position in structure.positions:
        if not position.vacant or position.plt is None:
            continue
        acting = next(iter(by_position.get(position.plt.id, [])), None)
        if acting is None:
            continue
        for below in structure.positions:
            if below.atasan is position:
                for person in by_position.get(below.id, []):
                    if person is acting:
                        continue
                    person.override = acting
                    person.override_jenis = "plt"
    return people
