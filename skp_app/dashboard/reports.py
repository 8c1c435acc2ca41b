"""The tables behind the dashboard exports, and the exports that run as background jobs.

Sheet builders turn the data of :mod:`skp_app.dashboard.queries` into :class:`Sheet` tables;
the pages, the synchronous XLSX downloads and the export job all call them, so a table and
its XLSX show the same rows.

An export is described by an :class:`ExportSpec` (report, month, OPD filter, the OPD scope of
the user who asked for it, filters). The view builds the spec on the server from the logged-in
user, never from the client; the job runs it; the download re-checks with :func:`may_export`
that the user may still see that scope. Lists longer than :data:`SYNC_EXPORT_MAX_ROWS` rows run
as a job (see README "Ekspor besar").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from skp_app.dashboard import merit as m
from skp_app.dashboard import permissions as perm
from skp_app.dashboard import queries as q
from skp_app.dashboard.exports import Sheet
from skp_app.dashboard.metrics import BAND_LABELS, CAPAIAN_BANDS, TREND_LABELS
from skp_app.realization.scoring import Predikat

__all__ = [
    "EXPORT_JOB",
    "JOB_CARDS",
    "REPORTS",
    "SYNC_EXPORT_MAX_ROWS",
    "Export",
    "ExportSpec",
    "build_export",
    "may_export",
    "merit_sheets",
    "monitoring_people_sheet",
    "stage_labels",
    "workload_sheets",
]

#: Job kind of the background exports.
EXPORT_JOB = "dashboard.ekspor"
#: Lists up to this many rows are written during the request (about 0.3 s of openpyxl on the
#: benchmark machine); longer ones run as a background job.
SYNC_EXPORT_MAX_ROWS = 2000
WORKLOAD_CAVEAT = (
    "Catatan: angka ini berasal dari log aktivitas harian yang disetujui atasan, yaitu menit "
    "yang DILAPORKAN, bukan keluaran (output) kerja. Pegawai dapat melaporkan berlebih "
    "(padding) atau kurang melapor, atasan dapat menyetujui tanpa memeriksa, dan pekerjaan "
    "yang tidak dicatat (rapat, tugas luar) tidak terlihat. Rasio ini hanyalah indikasi awal "
    "untuk ditelusuri, bukan Analisis Beban Kerja formal menurut PermenPANRB Nomor 1 Tahun "
    "2020 (yang menghitung volume kerja, norma waktu dan jam kerja efektif per jabatan); "
    "jangan dipakai sendirian untuk keputusan formasi, mutasi atau TPP."
)


def nip_text(value: str | None) -> str:
    """The NIP as 18 plain digits in tables and exports (re-importable; pages group it)."""
    return value or "-"


def rounded(value: Decimal | None, places: int = 1) -> Decimal | None:
    return None if value is None else value.quantize(Decimal(1).scaleb(-places))


# --- monitoring pengisian ----------------------------------------------------------------------


def stage_labels(period: q.PeriodChoice) -> dict[str, str]:
    """Return the monitoring stages with labels naming the chosen month and evaluation."""
    labels = dict(q.STAGES)
    labels["realisasi_diisi"] = f"Realisasi {period.label} diisi"
    labels["realisasi_terverifikasi"] = f"Realisasi {period.label} terverifikasi"
    ke = period.evaluation_period
    what = q.BULAN[ke] if period.periodik == "bulanan" else f"triwulan {ke}"
    labels["dievaluasi"] = f"Evaluasi {what} final"
    return labels


@dataclass(frozen=True)
class PeopleFilter:
    """The filters of the monitoring people list (validated)."""

    stage: str = ""
    status: str = "belum"
    term: str = ""
    unit_id: int | None = None

    @classmethod
    def parse(cls, args: Mapping[str, Any], labels: Mapping[str, str]) -> PeopleFilter | None:
        """Read the filters from request arguments; None for an unknown stage."""
        stage = str(args.get("tahap") or "")
        if stage and stage not in labels:
            return None
        status = str(args.get("status") or "belum")
        if status not in {"belum", "sudah", "semua"}:
            status = "belum"
        unit = str(args.get("unit") or "").strip()
        return cls(
            stage,
            status,
            str(args.get("q") or "").strip()[:100].lower(),
            int(unit) if unit.isdigit() and len(unit) < 10 else None,
        )

    def apply(self, people: list[q.PengisianPerson]) -> list[q.PengisianPerson]:
        rows = people
        if self.stage and self.status != "semua":
            want = self.status == "sudah"
            rows = [p for p in rows if p.stages[self.stage] is want]
        if self.unit_id is not None:
            rows = [p for p in rows if p.unit_id == self.unit_id]
        if self.term:
            digits = self.term.replace(" ", "")
            rows = [
                p
                for p in rows
                if self.term in p.nama.lower()
                or (digits.isdigit() and (p.nip or "").startswith(digits))
            ]
        return rows


def monitoring_people_sheet(rows: Sequence[q.PengisianPerson], labels: Mapping[str, str]) -> Sheet:
    return Sheet(
        "Daftar pegawai",
        [
            "Nama",
            "NIP",
            "Perangkat daerah",
            "Unit",
            "Jabatan",
            "Status SKP",
            "Realisasi diisi",
            "Realisasi terverifikasi",
            "Predikat periodik",
            *labels.values(),
        ],
        [
            [
                p.nama,
                nip_text(p.nip),
                p.opd,
                p.unit,
                p.jabatan,
                p.skp_status_label,
                p.realisasi_diisi,
                p.realisasi_terverifikasi,
                p.predikat_label,
                *[p.stages[s] for s in labels],
            ]
            for p in rows
        ],
    )


# --- beban kerja ---------------------------------------------------------------------------------


def workload_sheets(
    data: q.WorkloadData, links: Sequence[str | None] | None = None
) -> tuple[Sheet, Sheet]:
    """Return the table per OPD (or per unit of one OPD) and the table per employee."""
    what = "Perangkat daerah" if data.level == "opd" else "Bidang / unit"
    rows_sheet = Sheet(
        "Beban kerja per unit" if data.level == "unit" else "Beban kerja per OPD",
        [
            what,
            "Pegawai",
            "Pegawai melapor",
            "Menit efektif disetujui",
            "Menit tersedia",
            "Rasio",
            "Kategori",
        ],
        [
            [
                r.label,
                r.pegawai,
                r.melapor,
                r.menit,
                r.kapasitas,
                rounded(r.ratio, 2),
                BAND_LABELS[r.band],
            ]
            for r in data.rows
        ],
        links=links,
    )
    people_sheet = Sheet(
        "Beban kerja per pegawai",
        [
            "Nama",
            "NIP",
            "Perangkat daerah",
            "Unit",
            "Jabatan",
            "Aktivitas disetujui",
            "Menit efektif disetujui",
            "Menit tersedia",
            "Rasio",
            "Kategori",
        ],
        [
            [
                p.nama,
                nip_text(p.nip),
                p.opd,
                p.unit,
                p.jabatan,
                p.aktivitas,
                p.menit,
                p.kapasitas,
                rounded(p.ratio, 2),
                BAND_LABELS[p.band],
            ]
            for p in data.people
        ],
    )
    return rows_sheet, people_sheet


def workload_notes(data: q.WorkloadData, period: q.PeriodChoice) -> list[str]:
    return [
        f"Beban kerja {period.label}: {data.hari_kerja} hari kerja × {data.menit_harian} menit "
        f"efektif per hari = {data.kapasitas_per_pegawai} menit tersedia per pegawai.",
        "Rasio = menit efektif aktivitas yang disetujui / menit tersedia. < 0,8 kurang beban; "
        "0,8–1,2 sesuai; > 1,2 lebih beban.",
        WORKLOAD_CAVEAT,
    ]


# --- peta merit ----------------------------------------------------------------------------------


def _cell_label(cell: tuple[str, str] | None) -> str:
    if cell is None:
        return "-"
    return f"{TREND_LABELS[cell[0]]} · {CAPAIAN_BANDS[cell[1]]}"


def distribution_sheet(title: str, first: str, groups: m.Distribution) -> Sheet:
    return Sheet(
        title,
        [first, *[p.label for p in Predikat], "Jumlah"],
        [[name, *[c[p] for p in Predikat], sum(c.values())] for name, c in groups],
    )


def grid_sheet(grid: m.TalentGrid) -> Sheet:
    """The talent grid as a table: count per cell and the first names (the XLSX lists every
    employee with their cell on the "Riwayat predikat" sheet)."""
    rows = []
    for trend, tlabel in TREND_LABELS.items():
        for band, blabel in CAPAIAN_BANDS.items():
            n = grid.counts.get((trend, band), 0)
            names = grid.names.get((trend, band), [])
            shown = "; ".join(names) + (f"; … {n - len(names)} lainnya" if n > len(names) else "")
            rows.append([tlabel, blabel, n, shown])
    return Sheet("Kotak talenta", ["Tren predikat", "Capaian", "Jumlah", "Pegawai"], rows)


def merit_history_sheet(data: m.MeritData, period: q.PeriodChoice) -> Sheet:
    keys = data.keys
    return Sheet(
        "Riwayat predikat",
        [
            "Nama",
            "NIP",
            "Perangkat daerah",
            "Unit",
            "Jabatan",
            "Jenjang jabatan",
            "Golongan",
            f"Capaian {period.tahun} s.d. {q.BULAN[period.bulan]} (%)",
            "Tren predikat",
            "Kotak talenta",
            *[data.labels[k] for k in keys],
        ],
        [
            [
                p.nama,
                nip_text(p.nip),
                p.opd,
                p.unit,
                p.jabatan,
                p.level_label,
                p.golongan,
                rounded(p.capaian),
                TREND_LABELS.get(p.trend or "", "-"),
                _cell_label(p.cell),
                *[m.predikat_label(p.history[k]) if k in p.history else "-" for k in keys],
            ]
            for p in data.people
        ],
    )


def merit_sheets(data: m.MeritData, period: q.PeriodChoice) -> list[Sheet]:
    """Every sheet of the merit XLSX: the history per employee, the distributions of the
    chosen period and the talent grid."""
    grid = m.TalentGrid(
        counts={cell: len(names) for cell, names in data.grid.items()},
        names={cell: names[: m.GRID_NAMES] for cell, names in data.grid.items()},
        unplaced=data.unplaced,
    )
    return [
        merit_history_sheet(data, period),
        distribution_sheet("Sebaran per OPD", "Perangkat daerah", data.by_opd),
        distribution_sheet("Sebaran per jenjang", "Jenjang jabatan", data.by_level),
        distribution_sheet("Sebaran per golongan", "Golongan", data.by_golongan),
        grid_sheet(grid),
    ]


def merit_notes(data: m.MeritData, period: q.PeriodChoice) -> list[str]:
    chosen = data.labels.get(data.selected, "-") if data.selected else "-"
    return [
        "Peta merit: predikat kinerja final per periode evaluasi (PermenPANRB 6/2022).",
        f"Sebaran dan kotak talenta untuk periode: {chosen}.",
        "Tren predikat membandingkan dua predikat tahunan terakhir (atau dua predikat periodik "
        "terakhir bila predikat tahunan kurang dari dua); satu predikat saja dianggap stabil.",
        f"Capaian = rata-rata capaian IKI RHK utama SKP {period.tahun} s.d. "
        f"{q.BULAN[period.bulan]} (realisasi terverifikasi; target IKI kuantitas dipro-rata "
        "menurut bulan SKP yang sudah berjalan, seperti saran rating hasil kerja). Batas 80% dan "
        "101% mengikuti saran rating hasil kerja SKP Cascade.",
    ]


# --- dashboard cards that can be long -----------------------------------------------------------


def hr_sheets(data: q.HrData) -> dict[str, Sheet]:
    """The lists of the HR dashboard (each can hold every employee after a bad sync)."""
    return {
        "tanpa-skp": Sheet(
            "Tanpa SKP",
            ["Nama", "NIP", "Perangkat daerah", "Unit", "Jabatan"],
            [[p.nama, nip_text(p.nip), p.opd, p.unit, p.jabatan] for p in data.without_skp],
        ),
        "terblokir": Sheet(
            "Cascade terblokir",
            ["Nama", "NIP", "Perangkat daerah", "Unit", "Alasan"],
            [[p.nama, nip_text(p.nip), p.opd, p.unit, p.detail] for p in data.blocked],
        ),
        "tanpa-atasan": Sheet(
            "Tanpa atasan",
            ["Nama", "NIP", "Perangkat daerah", "Unit", "Jabatan"],
            [[p.nama, nip_text(p.nip), p.opd, p.unit, p.jabatan] for p in data.no_superior],
        ),
        "unit-tanpa-kepala": Sheet(
            "Unit tanpa kepala",
            ["Unit", "Perangkat daerah", "Keterangan"],
            [[u.nama, u.opd, u.detail] for u in data.units_without_head],
        ),
        "jabatan-kosong": Sheet(
            "Jabatan tanpa pemangku",
            ["Jabatan", "Jenis", "Unit", "Perangkat daerah", "Kebutuhan"],
            [[v.nama, v.jenis, v.unit, v.opd, v.kebutuhan] for v in data.vacant],
        ),
    }


def opd_people_sheets(data: q.OpdData) -> dict[str, Sheet]:
    """The lists of the OPD dashboard that grow with the OPD (up to every employee)."""
    return {
        "belum-skp": Sheet(
            "Belum membuat SKP",
            ["Nama", "NIP", "Unit", "Jabatan"],
            [[p.nama, nip_text(p.nip), p.unit, p.jabatan] for p in data.no_skp],
        ),
        "terlambat": Sheet(
            f"Realisasi {data.report_label} belum diisi",
            ["Nama", "NIP", "Unit", "Pejabat penilai"],
            [[p.nama, nip_text(p.nip), p.unit, p.detail] for p in data.late],
        ),
        "persetujuan": Sheet(
            "Persetujuan tertunda",
            [
                "Atasan / pejabat penilai",
                "Realisasi menunggu verifikasi",
                "Aktivitas menunggu persetujuan",
                "Menunggu sejak",
            ],
            [[r.nama, r.realisasi, r.aktivitas, r.oldest] for r in data.overdue],
        ),
    }


def warning_sheet(data: q.PimpinanData) -> Sheet:
    return Sheet(
        "Peringatan dini",
        [
            "Perangkat daerah",
            "Pejabat",
            "RHK",
            "IKI",
            "Target",
            "Realisasi s.d. bulan ini",
            "Proyeksi akhir tahun",
            "Proyeksi thd target (%)",
            "Satuan",
        ],
        [
            [
                w.opd,
                w.pegawai,
                w.rhk,
                w.iki,
                w.target,
                w.realisasi,
                rounded(w.proyeksi, 2),
                rounded(w.gap_pct),
                w.satuan,
            ]
            for w in data.warnings
        ],
    )


#: Dashboard cards whose table grows with the number of employees: (section, table) → title.
JOB_CARDS: dict[tuple[str, str], str] = {
    ("pimpinan", "peringatan"): "Peringatan dini: target JPT diproyeksikan tidak tercapai",
    ("opd", "belum-skp"): "Pegawai yang belum membuat SKP",
    ("opd", "terlambat"): "Realisasi belum diisi",
    ("opd", "persetujuan"): "Persetujuan yang tertunda",
    ("hr", "tanpa-skp"): "Pegawai wajib SKP yang belum membuat SKP",
    ("hr", "terblokir"): "SKP dengan cascade terblokir",
    ("hr", "tanpa-atasan"): "Pegawai tanpa atasan langsung",
    ("hr", "unit-tanpa-kepala"): "Unit tanpa kepala",
    ("hr", "jabatan-kosong"): "Jabatan tanpa pemangku",
}


# --- export specs and jobs ---------------------------------------------------------------------


@dataclass(frozen=True)
class ExportSpec:
    """What one export writes, as stored in the job's params.

    ``scope`` is the OPD scope of the user who started it (None = every OPD), computed by the
    server; ``opd_id`` narrows it to one OPD; ``options`` are the report's own filters.
    """

    laporan: str
    tahun: int
    bulan: int
    opd_id: int | None = None
    scope: tuple[int, ...] | None = None
    options: tuple[tuple[str, str], ...] = ()

    @property
    def effective_scope(self) -> set[int] | None:
        if self.opd_id is not None:
            return {self.opd_id}
        return None if self.scope is None else set(self.scope)

    def option(self, name: str, default: str = "") -> str:
        return dict(self.options).get(name, default)

    def to_params(self) -> dict:
        return {
            "laporan": self.laporan,
            "tahun": self.tahun,
            "bulan": self.bulan,
            "opd_id": self.opd_id,
            "scope": None if self.scope is None else list(self.scope),
            "options": dict(self.options),
        }

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> ExportSpec:
        scope = params.get("scope")
        opd = params.get("opd_id")
        return cls(
            laporan=str(params.get("laporan") or ""),
            tahun=int(params["tahun"]),
            bulan=int(params["bulan"]),
            opd_id=int(opd) if opd is not None else None,
            scope=None if scope is None else tuple(sorted(int(x) for x in scope)),
            options=tuple(
                sorted((str(k), str(v)) for k, v in (params.get("options") or {}).items())
            ),
        )

    @classmethod
    def make(
        cls,
        laporan: str,
        period: q.PeriodChoice,
        scope: set[int] | None,
        *,
        opd_id: int | None = None,
        **options: Any,
    ) -> ExportSpec:
        return cls(
            laporan,
            period.tahun,
            period.bulan,
            opd_id,
            None if scope is None else tuple(sorted(scope)),
            tuple(sorted((k, str(v)) for k, v in options.items() if v not in (None, ""))),
        )


@dataclass
class Export:
    title: str
    filename: str
    sheets: list[Sheet]
    notes: list[str]

    @property
    def rows(self) -> int:
        return sum(len(s.rows) for s in self.sheets)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Report:
    title: str
    scope: Callable[[Any, Session, ExportSpec], set[int] | None]
    build: Callable[[Session, ExportSpec, q.PeriodChoice], Export]


def _suffix(spec: ExportSpec) -> str:
    return f"-opd{spec.opd_id}" if spec.opd_id else ""


def _build_monitoring_people(session: Session, spec: ExportSpec, period: q.PeriodChoice):
    labels = stage_labels(period)
    flt = PeopleFilter.parse(dict(spec.options), labels) or PeopleFilter()
    scope = None if spec.scope is None else set(spec.scope)
    rows = flt.apply(q.pengisian_people(session, period, scope, opd_id=spec.opd_id))
    what = f"tahap {labels[flt.stage]} ({flt.status})" if flt.stage else "semua tahap"
    return Export(
        "Daftar pegawai monitoring pengisian",
        f"monitoring-pegawai-{period.tahun}-{period.bulan:02d}{_suffix(spec)}.xlsx",
        [monitoring_people_sheet(rows, labels)],
        [f"Daftar pegawai, {what}, {period.label}."],
    )


def _build_workload(session: Session, spec: ExportSpec, period: q.PeriodChoice) -> Export:
    settings = q.dashboard_settings(session)
    scope = None if spec.scope is None else set(spec.scope)
    data = q.workload_data(session, period, settings, scope, opd_id=spec.opd_id)
    return Export(
        "Beban kerja",
        f"beban-kerja-{period.tahun}-{period.bulan:02d}{_suffix(spec)}.xlsx",
        list(workload_sheets(data)),
        workload_notes(data, period),
    )


def _build_merit(session: Session, spec: ExportSpec, period: q.PeriodChoice) -> Export:
    data = m.merit_data(session, period, spec.effective_scope, selected=spec.option("periode"))
    return Export(
        "Peta merit",
        f"peta-merit-{period.tahun}{_suffix(spec)}.xlsx",
        merit_sheets(data, period),
        merit_notes(data, period),
    )


def _build_card(session: Session, spec: ExportSpec, period: q.PeriodChoice) -> Export:
    bagian, tabel = spec.option("bagian"), spec.option("tabel")
    title = JOB_CARDS[(bagian, tabel)]
    if bagian == "hr":
        sheet = hr_sheets(q.hr_data(session, period))[tabel]
    elif bagian == "opd":
        if spec.opd_id is None:
            raise ValueError("Ekspor dasbor OPD tanpa perangkat daerah.")
        data = q.opd_data(session, period, spec.opd_id, q.dashboard_settings(session))
        if data is None:
            raise ValueError("Perangkat daerah tidak ditemukan.")
        sheet = opd_people_sheets(data)[tabel]
        title = f"{title} — {data.nama}"
    else:
        sheet = warning_sheet(q.pimpinan_data(session, period))
    return Export(
        title,
        f"beranda-{bagian}-{tabel}-{period.tahun}-{period.bulan:02d}{_suffix(spec)}.xlsx",
        [sheet],
        [title, f"Periode: {period.label}"],
    )


def _list_scope(fn: Callable[[Any], set[int] | None]):
    return lambda user, _session, _spec: fn(user)


def _card_scope(user, session: Session, spec: ExportSpec) -> set[int] | None:
    """The scope of a dashboard card: the section must be the user's; an OPD card needs the
    OPD in the user's OPD-dashboard scope."""
    led = q.led_opd_id(session, getattr(user, "pegawai_id", None))
    bagian = spec.option("bagian")
    if (bagian, spec.option("tabel")) not in JOB_CARDS:
        return set()
    if bagian not in perm.dashboard_sections(user, led_opd_id=led):
        return set()
    if bagian == "opd":
        return perm.opd_dashboard_scope(user, led_opd_id=led)
    return None


REPORTS: dict[str, Report] = {
    "monitoring-pegawai": Report(
        "Daftar pegawai monitoring pengisian",
        _list_scope(perm.monitoring_scope),
        _build_monitoring_people,
    ),
    "beban-kerja": Report("Beban kerja", _list_scope(perm.workload_scope), _build_workload),
    "peta-merit": Report("Peta merit", _list_scope(perm.merit_scope), _build_merit),
    "beranda": Report("Tabel dasbor", _card_scope, _build_card),
}


def may_export(user, session: Session, spec: ExportSpec) -> bool:
    """Whether ``user`` may see everything ``spec`` exports now: the report's scope of the user
    covers the spec's scope and its OPD (deny by default)."""
    report = REPORTS.get(spec.laporan)
    if report is None:
        return False
    current = report.scope(user, session, spec)
    if current is None:
        return True
    if not current or spec.scope is None:
        return False
    if spec.opd_id is not None and spec.opd_id not in current:
        return False
    return set(spec.scope) <= current


def build_export(session: Session, spec: ExportSpec, today: date) -> Export:
    """Load the data of ``spec`` and return its sheets (the rows are not written yet)."""
    period = q.choose_period(session, spec.tahun, spec.bulan, today)
    return REPORTS[spec.laporan].build(session, spec, period)
