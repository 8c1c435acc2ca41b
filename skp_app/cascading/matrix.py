"""Matriks Peran Hasil (MPH): how a superior's RHK are divided among the team.

PermenPANRB 8/2021 (carried into 6/2022, ``domain.md`` §3.3) asks every superior to draw up,
in dialogue with the team, a table whose top row holds the superior's *rencana kinerja* and whose
left column lists each member; each cell states the result that member produces for that RHK,
and becomes the member's RHK. No member may be left without a role and roles must not overlap
("tidak ada yang tumpang tindih", V6).

:func:`build_matrix` takes the superior's RHK utama (the columns), the team (the rows) and the
team's RHK with the superior RHK each one intervenes, and returns the filled matrix with its
gaps and overlaps marked:

* a **gap column**: a superior RHK that no member intervenes;
* an **idle member**: a member with no RHK in the matrix (no SKP yet, or RHK that intervene
  something else);
* an **overlap**: two or more members whose RHK under the same superior RHK have the same
  wording once case, punctuation and spacing are ignored.

Pure: plain dataclasses in, plain dataclasses out; no Flask, no database.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "MatrixMember",
    "MatrixResult",
    "MatrixRhk",
    "Overlap",
    "build_matrix",
    "normalize_text",
]

_PUNCTUATION = str.maketrans(
    dict.fromkeys(string.punctuation + "\u201c\u201d\u2018\u2019\u2013\u2014\u2026", " ")
)


def normalize_text(text: str | None) -> str:
    """Return a comparison key for an RHK: case, punctuation and spacing ignored.

    Examples
    --------
    >>> normalize_text("Terpeliharanya  perangkat jaringan Kantor.")
    'terpeliharanya perangkat jaringan kantor'
    """
    return " ".join((text or "").casefold().translate(_PUNCTUATION).split())


@dataclass(frozen=True, slots=True)
class MatrixRhk:
    """An RHK in the matrix: a superior's RHK (a column) or a member's RHK (in a cell)."""

    id: int
    text: str
    owner_pegawai_id: int
    owner_name: str = ""
    parent_rhk_id: int | None = None
    jenis: str = "utama"
    cascading: str = "non_direct"
    target: str = ""  # the kuantitas target as shown ("4 Dokumen"), for the cell
    skp_id: int | None = None


@dataclass(frozen=True, slots=True)
class MatrixMember:
    """A team member (a row): a subordinate, or someone from another unit who intervenes."""

    pegawai_id: int
    name: str
    jabatan: str = ""
    has_skp: bool = True
    skp_id: int | None = None
    other_unit: bool = False


@dataclass(frozen=True, slots=True)
class Overlap:
    """Members whose RHK under one superior RHK share the same (normalised) wording."""

    column_rhk_id: int
    text: str
    rhk_ids: tuple[int, ...]
    pegawai_ids: tuple[int, ...]


@dataclass
class MatrixResult:
    """The filled matrix.

    ``cells`` maps ``(pegawai_id, column RHK id)`` to the member's RHK in that cell;
    ``elsewhere`` maps a member to their RHK utama that intervene no column of this matrix.
    """

    columns: list[MatrixRhk]
    rows: list[MatrixMember]
    cells: dict[tuple[int, int], list[MatrixRhk]] = field(default_factory=dict)
    gap_columns: list[int] = field(default_factory=list)
    idle_members: list[int] = field(default_factory=list)
    overlaps: list[Overlap] = field(default_factory=list)
    elsewhere: dict[int, list[MatrixRhk]] = field(default_factory=dict)

    def cell(self, pegawai_id: int, column_rhk_id: int) -> list[MatrixRhk]:
        """Return the RHK of one member under one superior RHK (possibly empty)."""
        return self.cells.get((pegawai_id, column_rhk_id), [])

    def overlapping_rhk_ids(self) -> frozenset[int]:
        """Return the ids of every member RHK that takes part in an overlap."""
        return frozenset(r for o in self.overlaps for r in o.rhk_ids)

    @property
    def is_complete(self) -> bool:
        """Whether every column is intervened, every member has a role and nothing overlaps."""
        return not (self.gap_columns or self.idle_members or self.overlaps)


def build_matrix(
    columns: Sequence[MatrixRhk],
    members: Iterable[MatrixMember],
    member_rhks: Iterable[MatrixRhk],
) -> MatrixResult:
    """Fill the Matriks Peran Hasil of a superior.

    Parameters
    ----------
    columns
        The superior's RHK utama, in the order to show (RHK tambahan are skipped).
    members
        The team: the superior's subordinates. The owner of an RHK that intervenes a column
        but is not in ``members`` is added as a member from another unit.
    member_rhks
        The RHK of the members (and of anyone intervening a column), each with
        ``parent_rhk_id`` = the superior RHK it intervenes.

    Returns
    -------
    MatrixResult
        Rows in the order given (members added from other units last, by name).

    Examples
    --------
    >>> cols = [MatrixRhk(1, "Tersedianya infrastruktur TIK yang andal", 8),
    ...         MatrixRhk(2, "Terlaksananya pengembangan aplikasi", 8)]
    >>> team = [MatrixMember(20, "Rina Marlina"), MatrixMember(21, "Agus Setiawan"),
    ...         MatrixMember(22, "Yoga Pratama", has_skp=False)]
    >>> rhks = [MatrixRhk(30, "Terpeliharanya perangkat jaringan", 20, parent_rhk_id=1),
    ...         MatrixRhk(31, "Terpeliharanya perangkat jaringan.", 21, parent_rhk_id=1)]
    >>> m = build_matrix(cols, team, rhks)
    >>> [r.id for r in m.cell(20, 1)], m.gap_columns, m.idle_members
    ([30], [2], [22])
    >>> [(o.column_rhk_id, o.rhk_ids, o.pegawai_ids) for o in m.overlaps]
    [(1, (30, 31), (20, 21))]
    """
    cols = [c for c in columns if c.jenis == "utama"]
    col_ids = {c.id for c in cols}
    rows = list(dict.fromkeys(members, None))
    row_ids = {m.pegawai_id for m in rows}
    cells: dict[tuple[int, int], list[MatrixRhk]] = {}
    elsewhere: dict[int, list[MatrixRhk]] = {}
    extra: dict[int, MatrixMember] = {}
    for r in member_rhks:
        if r.parent_rhk_id is not None and r.parent_rhk_id in col_ids:
            cells.setdefault((r.owner_pegawai_id, r.parent_rhk_id), []).append(r)
            if r.owner_pegawai_id not in row_ids and r.owner_pegawai_id not in extra:
                extra[r.owner_pegawai_id] = MatrixMember(
                    r.owner_pegawai_id,
                    r.owner_name or f"pegawai #{r.owner_pegawai_id}",
                    skp_id=r.skp_id,
                    other_unit=True,
                )
        elif r.owner_pegawai_id in row_ids and r.jenis == "utama":
            elsewhere.setdefault(r.owner_pegawai_id, []).append(r)
    rows.extend(sorted(extra.values(), key=lambda m: (m.name, m.pegawai_id)))
    for found in cells.values():
        found.sort(key=lambda r: r.id)

    covered = {col for (_pid, col) in cells}
    in_matrix = {pid for (pid, _col) in cells}
    overlaps: list[Overlap] = []
    for col in cols:
        groups: dict[str, list[MatrixRhk]] = {}
        for m in rows:
            for r in cells.get((m.pegawai_id, col.id), ()):
                key = normalize_text(r.text)
                if key:
                    groups.setdefault(key, []).append(r)
        for same in groups.values():
            same.sort(key=lambda r: r.id)
            owners = tuple(dict.fromkeys(r.owner_pegawai_id for r in same))
            if len(owners) > 1:
                overlaps.append(Overlap(col.id, same[0].text, tuple(r.id for r in same), owners))
    return MatrixResult(
        columns=cols,
        rows=rows,
        cells=cells,
        gap_columns=[c.id for c in cols if c.id not in covered],
        idle_members=[m.pegawai_id for m in rows if m.pegawai_id not in in_matrix],
        overlaps=overlaps,
        elsewhere=elsewhere,
    )
