"""Dashboards by role (``/beranda``), monitoring pengisian, beban kerja, peta merit, the
official PDF documents and the XLSX export of every table on these pages.

Each page loads its data with one loader of :mod:`skp_app.dashboard.queries` (a bounded number
of queries), checks the scope with :mod:`skp_app.dashboard.permissions`, and renders cards made
of a plotly figure (built by :mod:`skp_app.dashboard.charts`), the same numbers as a table, and
a link to the XLSX export of that table. Nothing here changes data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import plotly.graph_objects as go
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from skp_app.auth.permissions import require
from skp_app.dashboard import charts
from skp_app.dashboard import jobs as dj
from skp_app.dashboard import merit as mr
from skp_app.dashboard import permissions as perm
from skp_app.dashboard import queries as q
from skp_app.dashboard import reports as rp
from skp_app.dashboard.documents import evaluasi_pdf, recap_pdf, skp_pdf
from skp_app.dashboard.exports import XLSX_MIME, Sheet, xlsx_bytes
from skp_app.dashboard.metrics import (
    BAND_LABELS,
    TREND_LABELS,
    fmt_number,
)
from skp_app.extensions import db
from skp_app.jobs.files import can_download_job_file, job_file, keep_days, send_job_file
from skp_app.jobs.models import Job
from skp_app.navigation import register_nav
from skp_app.org.nip import format_nip
from skp_app.realization.models import TppRecap
from skp_app.realization.scoring import Predikat
from skp_app.timeutil import WIB, to_wib

bp = Blueprint("dashboard", __name__)

register_nav(
    "Monitoring pengisian",
    "dashboard.monitoring",
    {"admin", "hr", "pimpinan", "opd_operator", "evaluator"},
    order=50,
    help="Tahap pengisian SKP, realisasi dan evaluasi per perangkat daerah.",
)
register_nav(
    "Beban kerja",
    "dashboard.workload",
    {"admin", "hr", "pimpinan", "opd_operator"},
    order=51,
    help="Menit efektif yang dilaporkan dibanding menit kerja tersedia per unit.",
)
register_nav(
    "Peta merit",
    "dashboard.merit",
    {"admin", "hr", "pimpinan", "opd_operator"},
    order=52,
    help="Riwayat predikat, sebaran dan kotak talenta untuk sistem merit.",
)

HTML_ROWS = 50  # rows of a long list shown on a page; the XLSX has them all
PDF_MIME = "application/pdf"
STATUS_COLORS = {
    "belum": "#c62828",
    "draft": "#90a4ae",
    "diajukan": "#f9a825",
    "dikembalikan": "#ef6c00",
    "disetujui": "#2e7d32",
    "ditutup": "#607d8b",
}
WORKLOAD_CAVEAT = rp.WORKLOAD_CAVEAT


# --- helpers ---------------------------------------------------------------------------------


def _today() -> date:
    return datetime.now(WIB).date()


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _period() -> q.PeriodChoice:
    return q.choose_period(db.session, _int_arg("tahun"), _int_arg("bulan"), _today())


def figure_json(fig: go.Figure) -> Markup:
    """Serialise a figure for a ``<script type="application/json">`` element (no ``</``)."""
    text = fig.to_json()
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - JSON with <, > and & escaped


def _endpoint(endpoint: str, **values) -> str | None:
    """Return the URL of another domain's page, or None when that page does not exist."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def _xlsx(sheets: list[Sheet], filename: str, notes: list[str] | None = None) -> Response:
    data = xlsx_bytes(sheets, notes=notes or [])
    return Response(
        data,
        mimetype=XLSX_MIME,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _pdf(data: bytes, filename: str) -> Response:
    return Response(
        data,
        mimetype=PDF_MIME,
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


_nip = rp.nip_text


def _pct(done: int, total: int) -> Decimal | None:
    return Decimal(done * 100) / total if total else None


_round = rp.rounded


@bp.app_template_filter("dash_cell")
def dash_cell(value) -> str:
    """Format a table cell the Indonesian way (numbers, dates, empty values)."""
    if value is None or value == "":
        return "-"
    if isinstance(value, str) and len(value) == 18 and value.isdigit():
        return (format_nip(value) or value).replace(" ", "\u00a0")  # a NIP, kept on one line
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, int):
        return fmt_number(value, 0)
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        places = min(max(-exponent, 0), 2) if isinstance(exponent, int) else 1
        return fmt_number(value, places)
    if isinstance(value, float):
        return fmt_number(value, 1)
    if isinstance(value, datetime):
        local = to_wib(value)
        return f"{local:%d-%m-%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d-%m-%Y}"
    return str(value)


@dataclass
class Card:
    """One card of a page: a figure (optional), a caption, the table and its export key."""

    id: str
    title: str
    sheet: Sheet
    figure: Callable[[], go.Figure] | None = None
    caption: str = ""
    export: str | None = None
    open_table: bool = False
    limit: int = HTML_ROWS
    figure_json: Markup | None = None
    export_url: str | None = None
    # Set instead of export_url when the table is too long to write during the request.
    export_job_url: str | None = None
    wide: bool = False


@dataclass
class Tile:
    label: str
    value: str
    sub: str = ""
    url: str | None = None
    tone: str = ""


@dataclass
class SectionView:
    name: str
    cards: list[Card]
    tiles: list[Tile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    opd_options: list[tuple[int, str]] = field(default_factory=list)
    opd_id: int | None = None
    empty: str = ""
    # POST buttons: (label, action URL); the form carries the CSRF token.
    forms: list[tuple[str, str]] = field(default_factory=list)


# --- sections of /beranda --------------------------------------------------------------------


CAPAIAN_METHOD = (
    "Metode: capaian setiap RHK JPT = rata-rata capaian IKI-nya (PermenPANRB 8/2021; hanya "
    "realisasi terverifikasi; IKI kuantitas dijumlahkan sejak Januari terhadap target tahunan, "
    "aspek lain memakai nilai terakhir). Sasaran OPD = rata-rata RHK JPT yang menautkannya "
    "(parent_sasaran_id); sasaran RPJMD = rata-rata sasaran OPD pendukungnya dan RHK JPT yang "
    "menautkannya langsung. Bobot sama; butir tanpa data tidak dihitung."
)


def _limits_text(limits) -> str:
    """``Sangat Baik 0–1 · Baik 0–3 · …`` for the curve limits of one OPD (or "-")."""
    if not limits:
        return "-"
    return " · ".join(f"{p.label} {lo}–{hi}" for p, (lo, hi) in limits.items())


def _section_pimpinan(period: q.PeriodChoice, settings: q.DashboardSettings) -> SectionView:
    data = q.pimpinan_data(db.session, period)
    month_names = [q.BULAN[m][:3] for m in range(1, period.bulan + 1)]
    goals_sheet = Sheet(
        "Sasaran RPJMD",
        [
            "Kode",
            "Sasaran RPJMD",
            "Capaian (%)",
            "Sasaran OPD pendukung",
            "RHK JPT",
            "RHK dengan data",
        ],
        [
            [g.kode, g.teks, _round(g.capaian), g.opd_goals, g.rhk, g.rhk_with_data]
            for g in data.goals
        ],
    )
    trend_sheet = Sheet(
        "Tren capaian",
        ["Kode", "Sasaran RPJMD", *month_names],
        [[g.kode, g.teks, *[_round(v) for _, v in g.trend]] for g in data.goals],
    )
    ranked = sorted(data.opds, key=lambda o: (o.capaian is None, -(o.capaian or 0), o.nama))
    opd_link = {
        o.opd_id: url_for(
            "dashboard.home", bagian="opd", opd=o.opd_id, tahun=period.tahun, bulan=period.bulan
        )
        for o in data.opds
    }
    capaian_sheet = Sheet(
        "Peringkat capaian OPD",
        ["Perangkat daerah", "Capaian PK JPT (%)", "RHK JPT"],
        [[o.nama, _round(o.capaian), o.rhk] for o in ranked],
        links=[opd_link[o.opd_id] for o in ranked],
    )
    by_skp = sorted(data.opds, key=lambda o: (o.pct_skp is None, -(o.pct_skp or 0), o.nama))
    skp_sheet = Sheet(
        "Penyelesaian SKP OPD",
        ["Perangkat daerah", "Wajib SKP", "SKP disetujui", "Persentase (%)"],
        [[o.nama, o.wajib_skp, o.skp_disetujui, _round(o.pct_skp)] for o in by_skp],
        links=[opd_link[o.opd_id] for o in by_skp],
    )
    warn_sheet = rp.warning_sheet(data)
    flagged = {r.nama for r in data.predikat if r.violations}
    pred_sheet = Sheet(
        "Sebaran predikat OPD",
        [
            "Perangkat daerah",
            "Predikat organisasi",
            *[p.label for p in Predikat],
            "Jumlah",
            "Sesuai kurva",
            "Batas kurva (min–maks orang)",
            "Catatan kurva",
        ],
        [
            [
                r.nama,
                r.org_predikat or "-",
                *[r.counts[p] for p in Predikat],
                r.total,
                ("-" if not r.org_predikat or not r.total else not r.violations),
                _limits_text(r.limits),
                " ".join(r.violations),
            ]
            for r in data.predikat
        ],
    )
    warn_counts: dict[str, int] = {}
    for w in data.warnings:
        warn_counts[w.opd] = warn_counts.get(w.opd, 0) + 1
    total_wajib = sum(o.wajib_skp for o in data.opds)
    total_done = sum(o.skp_disetujui for o in data.opds)
    with_data = [g for g in data.goals if g.capaian is not None]
    cards = [
        Card(
            "dash-pimpinan-sasaran",
            f"Capaian sasaran RPJMD s.d. {period.label}",
            goals_sheet,
            lambda: charts.capaian_bar_figure(
                [(f"{g.kode} {g.teks}".strip(), g.capaian) for g in data.goals],
                hover=[f"{g.rhk_with_data} dari {g.rhk} RHK JPT memiliki data" for g in data.goals],
            ),
            CAPAIAN_METHOD,
            "sasaran",
            open_table=True,
        ),
        Card(
            "dash-pimpinan-tren",
            "Tren capaian sasaran RPJMD per bulan",
            trend_sheet,
            lambda: charts.capaian_trend_figure(
                [(f"{g.kode} {g.teks}".strip(), g.trend) for g in data.goals]
            ),
            "Capaian kumulatif pada akhir tiap bulan, dengan metode yang sama.",
            "tren",
        ),
        Card(
            "dash-pimpinan-opd-capaian",
            "Peringkat OPD menurut capaian Perjanjian Kinerja",
            capaian_sheet,
            lambda: charts.capaian_bar_figure([(o.nama, o.capaian) for o in ranked]),
            "Capaian OPD = rata-rata capaian RHK JPT (kepala OPD) tahun berjalan. Klik nama "
            "OPD pada tabel untuk membuka dasbor OPD.",
            "opd-capaian",
        ),
        Card(
            "dash-pimpinan-opd-skp",
            "Peringkat OPD menurut penyelesaian SKP",
            skp_sheet,
            lambda: charts.completion_figure(
                [(o.nama, o.skp_disetujui, o.wajib_skp) for o in by_skp],
                done_label="dengan SKP disetujui",
            ),
            "Persentase pegawai wajib SKP (PNS/PPPK aktif) yang SKP-nya tahun ini sudah "
            "disetujui pejabat penilai.",
            "opd-skp",
        ),
        Card(
            "dash-pimpinan-peringatan",
            "Peringatan dini: target JPT diproyeksikan tidak tercapai",
            warn_sheet,
            lambda: charts.count_bar_figure(
                sorted(warn_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:20],
                x_title="IKI diproyeksikan meleset",
                color="#c62828",
            ),
            "Proyeksi akhir tahun dengan tren linear (kuadrat terkecil) dari realisasi "
            "terverifikasi bulanan; IKI kuantitas diproyeksikan pada nilai kumulatifnya.",
            "peringatan",
            limit=30,
        ),
        Card(
            "dash-pimpinan-predikat",
            f"Sebaran predikat pegawai per OPD ({data.predikat_basis})",
            pred_sheet,
            lambda: charts.predikat_stack_figure(
                [(r.nama, r.counts) for r in data.predikat], flagged=flagged
            ),
            "Dibandingkan dengan kurva distribusi SE MenPANRB 3/2023 menurut predikat kinerja "
            "organisasi yang ditetapkan; ⚠ menandai OPD yang menyimpang dari kurva.",
            "predikat",
            wide=True,
        ),
    ]
    tiles = [
        Tile(
            "SKP disetujui",
            f"{fmt_number(_pct(total_done, total_wajib), 1)}%",
            f"{fmt_number(total_done, 0)} dari {fmt_number(total_wajib, 0)} pegawai wajib SKP",
        ),
        Tile(
            "Sasaran RPJMD dengan data",
            f"{len(with_data)} / {len(data.goals)}",
            f"capaian s.d. {period.label}",
        ),
        Tile(
            "Peringatan dini",
            fmt_number(len(data.warnings), 0),
            "IKI JPT diproyeksikan meleset",
            tone="warn" if data.warnings else "",
        ),
        Tile(
            "OPD menyimpang dari kurva",
            fmt_number(len(flagged), 0),
            data.predikat_basis,
            tone="warn" if flagged else "",
        ),
    ]
    return SectionView("pimpinan", cards, tiles)


def _chosen_opd(scope: set[int] | None, led: int | None) -> tuple[int | None, list]:
    options = q.opd_options(db.session, scope)
    chosen = _int_arg("opd")
    if chosen is not None:
        if scope is not None and chosen not in scope:
            abort(403)
        if chosen not in {oid for oid, _ in options}:
            abort(404)
        return chosen, options
    if led is not None and (scope is None or led in scope):
        return led, options
    return (options[0][0] if options else None), options


def _section_opd(
    period: q.PeriodChoice, settings: q.DashboardSettings, led: int | None
) -> SectionView:
    scope = perm.opd_dashboard_scope(current_user, led_opd_id=led)
    opd_id, options = _chosen_opd(scope, led)
    if opd_id is None:
        return SectionView("opd", [], empty="Belum ada perangkat daerah dalam cakupan Anda.")
    data = q.opd_data(db.session, period, opd_id, settings)
    if data is None:
        abort(404)
    tree_sheet = Sheet(
        "Pohon kinerja",
        ["Jenis", "Uraian", "Pemilik", "Capaian (%)"],
        [[n["kind"], n["label"], n["owner"], _round(n["capaian"])] for n in data.tree],
    )
    status_sheet = Sheet(
        "Status SKP",
        ["Status SKP", "Jumlah pegawai"],
        [[q.SKP_BOARD_STATUS.get(k, k), v] for k, v in data.status_counts.items()],
    )
    people_sheets = rp.opd_people_sheets(data)
    no_skp_sheet = people_sheets["belum-skp"]
    late_sheet = people_sheets["terlambat"]
    overdue_sheet = people_sheets["persetujuan"]
    points_sheet = Sheet(
        "Poin per bidang",
        [
            "Bidang / unit",
            "Pegawai",
            "Poin disetujui",
            "Poin menunggu",
            "Rata-rata disetujui per pegawai",
            "Target per pegawai",
        ],
        [
            [
                u.nama,
                u.pegawai,
                _round(u.approved, 0),
                _round(u.pending, 0),
                _round(u.average, 0),
                data.monthly_target,
            ]
            for u in data.units
        ],
    )
    pending_total = sum(r.realisasi + r.aktivitas for r in data.overdue)
    cards = [
        Card(
            "dash-opd-pohon",
            f"Pohon kinerja {data.nama} menurut capaian",
            tree_sheet,
            lambda: charts.capaian_tree_figure(data.tree),
            f"Sasaran OPD → RHK JPT → RHK bawahan yang mengintervensinya. Warna = capaian "
            f"s.d. {period.label} (realisasi terverifikasi); sasaran = rata-rata anak "
            f"langsungnya. {data.rhk_with_data} dari {data.rhk_drawn} RHK yang digambar memiliki "
            f"data."
            + (
                f" Hanya tingkat teratas yang digambar ({data.rhk_drawn} dari "
                f"{data.rhk_total} RHK); tingkat di bawahnya dapat dibuka pada pohon "
                "cascading OPD."
                if data.rhk_drawn < data.rhk_total
                else ""
            ),
            "pohon",
            wide=True,
            limit=40,
        ),
        Card(
            "dash-opd-status",
            "Status SKP pegawai",
            status_sheet,
            lambda: charts.count_bar_figure(
                [(q.SKP_BOARD_STATUS.get(k, k), v) for k, v in data.status_counts.items()],
                x_title="Pegawai",
                color=[STATUS_COLORS.get(k, "#0b5cad") for k in data.status_counts],
            ),
            "Pegawai wajib SKP (PNS/PPPK aktif) menurut status SKP tahun ini.",
            "status",
            open_table=True,
        ),
        Card(
            "dash-opd-belum-skp",
            "Pegawai yang belum membuat SKP",
            no_skp_sheet,
            None,
            f"{len(data.no_skp)} pegawai.",
            "belum-skp",
        ),
        Card(
            "dash-opd-terlambat",
            f"Realisasi {data.report_label} belum diisi",
            late_sheet,
            None,
            f"{len(data.late)} pegawai dengan SKP disetujui belum mengajukan satu pun "
            f"realisasi untuk {data.report_label}.",
            "terlambat",
        ),
        Card(
            "dash-opd-persetujuan",
            f"Persetujuan yang tertunda lebih dari {data.overdue_days} hari",
            overdue_sheet,
            lambda: charts.overdue_figure(
                [(r.nama, r.realisasi, r.aktivitas) for r in data.overdue[:25]]
            ),
            "Dikelompokkan per atasan yang harus memverifikasi (realisasi) atau menyetujui "
            "(aktivitas harian).",
            "persetujuan",
        ),
        Card(
            "dash-opd-poin",
            f"Poin aktivitas per bidang, {period.label}",
            points_sheet,
            lambda: charts.points_by_unit_figure(
                [(u.nama, u.average, u.pegawai) for u in data.units], data.monthly_target
            ),
            f"Rata-rata poin aktivitas yang disetujui per pegawai dibanding target "
            f"{fmt_number(data.monthly_target, 0)} poin per bulan (1 poin = 1 menit efektif).",
            "poin",
        ),
    ]
    if perm.can_print_recap(current_user, opd_id):
        cards.append(_recap_card("dash-opd-rekap", q.recent_recaps(db.session, opd_id=opd_id)))
    approved = data.status_counts.get("disetujui", 0)
    tiles = [
        Tile(
            "SKP disetujui",
            f"{approved} / {data.wajib}",
            f"{fmt_number(_pct(approved, data.wajib), 1)}% pegawai wajib SKP",
        ),
        Tile(
            "Belum membuat SKP",
            fmt_number(len(data.no_skp), 0),
            "pegawai",
            tone="warn" if data.no_skp else "",
        ),
        Tile(
            f"Realisasi {data.report_label}",
            fmt_number(len(data.late), 0),
            "pegawai belum mengisi",
            tone="warn" if data.late else "",
        ),
        Tile(
            "Persetujuan tertunda",
            fmt_number(pending_total, 0),
            f"lebih dari {data.overdue_days} hari",
            tone="warn" if pending_total else "",
        ),
    ]
    links = []
    tree_page = _endpoint("cascading.tree_opd", opd_id=opd_id)
    if tree_page:
        links.append(("Pohon cascading OPD", tree_page))
    board = _endpoint("planning.monitoring", opd=opd_id)
    if board:
        links.append(("Monitoring SKP OPD", board))
    monitoring = perm.monitoring_scope(current_user)
    if monitoring is None or opd_id in monitoring:
        links.append(("Monitoring pengisian", url_for("dashboard.monitoring", opd=opd_id)))
    workload = perm.workload_scope(current_user)
    if workload is None or opd_id in workload:
        links.append(("Beban kerja", url_for("dashboard.workload", opd=opd_id)))
    return SectionView("opd", cards, tiles, links=links, opd_options=options, opd_id=opd_id)


SEVERITY = (
    ("error", "Galat", "#c62828"),
    ("warning", "Peringatan", "#ef6c00"),
    ("info", "Info", "#1565c0"),
)


def _section_evaluator(period: q.PeriodChoice) -> SectionView:
    scope = perm.evaluator_scope(current_user)
    data = q.evaluator_data(db.session, period, scope)
    names = dict(data.opds)
    latest = data.latest
    cards: list[Card] = []
    counts = []
    if latest is not None:
        counts = sorted(
            ((oid, nama, latest.per_opd.get(oid, {})) for oid, nama in data.opds),
            key=lambda x: (-x[2].get("error", 0), -sum(x[2].values()), x[1]),
        )
        sheet = Sheet(
            "Temuan per OPD",
            ["Perangkat daerah", "Galat", "Peringatan", "Info", "Jumlah"],
            [
                [nama, c.get("error", 0), c.get("warning", 0), c.get("info", 0), sum(c.values())]
                for _oid, nama, c in counts
            ],
            links=[
                _endpoint("cascading.findings", opd=oid, tahun=period.tahun)
                for oid, _n, _c in counts
            ],
        )
        cards.append(
            Card(
                "dash-evaluator-temuan",
                f"Temuan cascading per OPD, periode {period.tahun}",
                sheet,
                lambda: charts.stacked_bar_figure(
                    [nama for _oid, nama, _c in counts],
                    [
                        (label, [c.get(key, 0) for _oid, _n, c in counts], color)
                        for key, label, color in SEVERITY
                    ],
                    x_title="Jumlah temuan",
                ),
                f"Hasil pemeriksaan otomatis cascading (aturan V1–V7, PermenPANRB 6/2022) "
                f"pada {dash_cell(latest.at)} WIB. Klik nama OPD untuk membuka temuannya.",
                "temuan",
                wide=True,
            )
        )
        by_code: dict[str, int] = {}
        for oid, _nama, _c in counts:
            for code, n in latest.per_opd_code.get(oid, {}).items():
                by_code[code] = by_code.get(code, 0) + n
        summary = {
            "by_code": dict(sorted(by_code.items(), key=lambda kv: (-kv[1], kv[0]))),
        }
        code_sheet = Sheet(
            "Temuan per jenis",
            ["Kode temuan", "Jumlah"],
            [list(x) for x in summary["by_code"].items()],
        )

        def code_figure() -> go.Figure:
            try:
                from skp_app.cascading.charts import findings_by_code_figure
            except ImportError:
                return charts.count_bar_figure(list(summary["by_code"].items()))
            return findings_by_code_figure(summary)

        cards.append(
            Card("dash-evaluator-kode", "Temuan per jenis", code_sheet, code_figure, "", "kode")
        )
    # Findings over time: every stored run of the check and the counts recorded with each
    # review, per OPD (the eight OPDs with the most findings now).
    series: dict[int, list[tuple[datetime, int]]] = {oid: [] for oid in names}
    for snap in data.snapshots:
        for oid in names:
            series[oid].append((snap.at, snap.total(oid)))
    for oid, points in data.review_history.items():
        if oid in series:
            series[oid].extend(points)
    ranked = sorted(
        (oid for oid in names if series[oid]),
        key=lambda oid: (-(latest.total(oid) if latest else len(series[oid])), names[oid]),
    )[:8]
    trend_rows = []
    for oid in ranked:
        for at, total in sorted(series[oid]):
            trend_rows.append([names[oid], at, total])
    cards.append(
        Card(
            "dash-evaluator-tren",
            "Jumlah temuan per OPD dari waktu ke waktu",
            Sheet("Riwayat temuan", ["Perangkat daerah", "Waktu", "Jumlah temuan"], trend_rows),
            lambda: charts.series_figure(
                [
                    (names[oid], [(dash_cell(at), total) for at, total in sorted(series[oid])])
                    for oid in ranked
                ],
                y_title="Jumlah temuan",
            ),
            'Setiap titik adalah satu pemeriksaan yang tersimpan (tombol "Periksa ulang") '
            "atau jumlah temuan yang dicatat saat reviu dibuat; delapan OPD dengan temuan "
            "terbanyak.",
            "riwayat",
        )
    )
    if data.reviews_available:
        review_links = [
            _endpoint("cascading.view_review", review_id=r.id) for r in data.open_reviews
        ]
        cards.append(
            Card(
                "dash-evaluator-reviu",
                "Reviu keselarasan yang masih terbuka",
                Sheet(
                    "Reviu terbuka",
                    [
                        "Perangkat daerah",
                        "Kesimpulan",
                        "Batas perbaikan",
                        "Lewat batas",
                        "Butir terbuka",
                        "Temuan saat reviu",
                        "Dibuat",
                    ],
                    [
                        [
                            r.opd,
                            r.verdict,
                            r.due_date,
                            r.overdue,
                            r.open_items,
                            r.findings_total,
                            r.created_at,
                        ]
                        for r in data.open_reviews
                    ],
                    links=review_links,
                ),
                None,
                f"{len(data.open_reviews)} reviu terbuka untuk periode {period.tahun}.",
                "reviu",
            )
        )
        not_reviewed = data.not_reviewed
        cards.append(
            Card(
                "dash-evaluator-belum",
                f"OPD yang belum direviu tahun {period.tahun}",
                Sheet(
                    "Belum direviu",
                    ["Perangkat daerah", "Temuan galat terkini", "Jumlah temuan terkini"],
                    [
                        [
                            nama,
                            latest.per_opd.get(oid, {}).get("error", 0) if latest else None,
                            latest.total(oid) if latest else None,
                        ]
                        for oid, nama in not_reviewed
                    ],
                    links=[
                        _endpoint("cascading.new_review", opd=oid, tahun=period.tahun)
                        for oid, _n in not_reviewed
                    ],
                ),
                None,
                f"{len(not_reviewed)} dari {len(data.opds)} OPD dalam cakupan Anda.",
                "belum",
            )
        )
    errors = sum(c.get("error", 0) for _o, _n, c in counts)
    overdue = sum(1 for r in data.open_reviews if r.overdue)
    tiles = [
        Tile(
            "Reviu terbuka",
            fmt_number(len(data.open_reviews), 0),
            f"{overdue} lewat batas perbaikan",
            _endpoint("cascading.list_reviews"),
            tone="warn" if overdue else "",
        ),
        Tile(
            "OPD belum direviu",
            fmt_number(len(data.not_reviewed), 0),
            f"dari {len(data.opds)} OPD",
            tone="warn" if data.not_reviewed else "",
        ),
        Tile(
            "Temuan galat terkini",
            fmt_number(errors, 0) if latest else "-",
            f"per {dash_cell(latest.at)}" if latest else "belum diperiksa",
            _endpoint("cascading.findings"),
            tone="warn" if errors else "",
        ),
    ]
    notes = []
    if data.pending is not None:
        notes.append(
            f"Pemeriksaan cascading sedang berjalan ({data.pending.status}, "
            f"{data.pending.percent}%). Muat ulang halaman ini beberapa saat lagi."
        )
    elif latest is None:
        notes.append(
            'Temuan cascading periode ini belum pernah dihitung. Tekan "Periksa ulang '
            'sekarang" untuk menghitungnya di latar belakang.'
        )
    forms = []
    if data.pending is None:
        forms.append(
            ("Periksa ulang sekarang", url_for("dashboard.count_findings", tahun=period.tahun))
        )
    return SectionView("evaluator", cards, tiles, notes=notes, forms=forms)


def _recap_card(card_id: str, rows: list[q.RecapRow]) -> Card:
    return Card(
        card_id,
        "Rekap kinerja dan basis TPP bulanan",
        Sheet(
            "Rekap bulanan",
            ["Bulan", "Cakupan", "Pegawai", "Dibuat", "Dokumen PDF"],
            [[r.label, r.cakupan, r.lines, r.created_at, f"rekap-{r.id}.pdf"] for r in rows],
            links=[url_for("dashboard.recap_pdf_view", recap_id=r.id) for r in rows],
        ),
        None,
        "Klik bulan untuk mengunduh dokumen rekap (PDF, A4 mendatar) yang dapat ditandatangani.",
        "rekap",
    )


def _section_hr(period: q.PeriodChoice) -> SectionView:
    data = q.hr_data(db.session, period)
    run_links = [_endpoint("sync.view_run", run_id=r.id) for r in data.runs]
    runs_sheet = Sheet(
        "Sinkronisasi",
        ["Run", "Sumber", "Status", "Dibuat", "Perubahan", "Dikarantina"],
        [
            [f"#{r.id}", r.source, r.status_label, r.created_at, r.changes, r.quarantined]
            for r in data.runs
        ],
        links=run_links,
    )
    lists = rp.hr_sheets(data)
    without_sheet = lists["tanpa-skp"]
    per_opd: dict[str, int] = {}
    for p in data.without_skp:
        per_opd[p.opd or "-"] = per_opd.get(p.opd or "-", 0) + 1
    blocked_sheet = lists["terblokir"]
    no_sup_sheet = lists["tanpa-atasan"]
    unit_sheet = lists["unit-tanpa-kepala"]
    vacant_sheet = lists["jabatan-kosong"]
    quality = [
        ("Pegawai tanpa atasan langsung", len(data.no_superior)),
        ("Unit tanpa kepala", len(data.units_without_head)),
        ("Jabatan tanpa pemangku", len(data.vacant)),
        ("SKP dengan cascade terblokir", len(data.blocked)),
    ]
    quality_sheet = Sheet("Kualitas data", ["Masalah", "Jumlah"], [list(x) for x in quality])
    cards = []
    if data.sync_available:
        cards.append(
            Card(
                "dash-hr-sinkronisasi",
                "Sinkronisasi data pegawai (10 terakhir)",
                runs_sheet,
                lambda: charts.sync_runs_figure(
                    [(f"#{r.id} {r.source}", r.changes, r.quarantined) for r in reversed(data.runs)]
                ),
                "Perubahan yang direncanakan dan rekaman yang dikarantina per run; perbaiki "
                "data karantina di sumber (SIASN/SIMPEG), run berikutnya akan mengambilnya.",
                "sinkronisasi",
                open_table=True,
            )
        )
    cards += [
        Card(
            "dash-hr-kualitas",
            "Kualitas data kepegawaian",
            quality_sheet,
            lambda: charts.count_bar_figure(quality, x_title="Jumlah", color="#ef6c00"),
            "Atasan langsung dibaca dari pohon jabatan (atau penunjukan Plt/Plh); unit tanpa "
            "kepala = tidak ada jabatan kepala unit yang dipangku pegawai aktif.",
            "kualitas",
            open_table=True,
        ),
        Card(
            "dash-hr-tanpa-skp",
            f"Pegawai wajib SKP yang belum membuat SKP {period.tahun}",
            without_sheet,
            lambda: charts.count_bar_figure(
                sorted(per_opd.items(), key=lambda kv: (-kv[1], kv[0]))[:20],
                x_title="Pegawai tanpa SKP",
                color="#c62828",
            ),
            f"{len(data.without_skp)} pegawai; grafik menampilkan 20 OPD terbanyak.",
            "tanpa-skp",
        ),
        Card(
            "dash-hr-terblokir",
            "SKP dengan cascade terblokir",
            blocked_sheet,
            None,
            f"{len(data.blocked)} SKP: tautan RHK ke atasan lama setelah mutasi/sinkronisasi, "
            "atau pejabat penilai belum ditetapkan.",
            "terblokir",
        ),
        Card(
            "dash-hr-tanpa-atasan",
            "Pegawai tanpa atasan langsung",
            no_sup_sheet,
            None,
            f"{len(data.no_superior)} pegawai.",
            "tanpa-atasan",
        ),
        Card(
            "dash-hr-unit",
            "Unit tanpa kepala",
            unit_sheet,
            None,
            f"{len(data.units_without_head)} unit.",
            "unit-tanpa-kepala",
        ),
        Card(
            "dash-hr-jabatan",
            "Jabatan tanpa pemangku",
            vacant_sheet,
            None,
            f"{len(data.vacant)} jabatan.",
            "jabatan-kosong",
        ),
    ]
    cards.append(_recap_card("dash-hr-rekap", q.recent_recaps(db.session)))
    last = data.runs[0] if data.runs else None
    tiles = [
        Tile(
            "Sinkronisasi terakhir",
            last.status_label if last else "Belum ada",
            dash_cell(last.created_at) if last else "",
            _endpoint("sync.index"),
        ),
        Tile(
            "Dikarantina (run terakhir)",
            fmt_number(data.latest_quarantine, 0),
            "rekaman",
            tone="warn" if data.latest_quarantine else "",
        ),
        Tile(
            "Tanpa SKP",
            fmt_number(len(data.without_skp), 0),
            "pegawai wajib SKP",
            tone="warn" if data.without_skp else "",
        ),
        Tile(
            "Tanpa atasan",
            fmt_number(len(data.no_superior), 0),
            "pegawai",
            tone="warn" if data.no_superior else "",
        ),
    ]
    return SectionView("hr", cards, tiles)


def _section_pegawai(period: q.PeriodChoice, settings: q.DashboardSettings) -> SectionView:
    pid = current_user.pegawai_id
    data = q.pegawai_data(db.session, period, pid, settings)
    target_sheet = Sheet(
        "Target saya",
        [
            "RHK",
            "Jenis",
            "IKI",
            "Target",
            f"Realisasi {period.label}",
            "Status",
            "Kumulatif terverifikasi",
            "Capaian (%)",
        ],
        [
            [
                t.rhk,
                t.jenis.capitalize(),
                t.iki,
                t.target,
                t.bulan_nilai,
                q.REALISASI_LABELS.get(t.bulan_status or "", "Belum diisi"),
                t.kumulatif,
                _round(t.capaian),
            ]
            for t in data.targets
        ],
    )
    points_sheet = Sheet(
        "Poin saya",
        ["Periode", "Disetujui", "Menunggu persetujuan", "Target"],
        [
            [
                "Hari ini",
                _round(data.today_approved, 0),
                _round(data.today_pending, 0),
                data.daily_target,
            ],
            [
                "Bulan ini",
                _round(data.month_approved, 0),
                _round(data.month_pending, 0),
                data.monthly_target,
            ],
        ],
    )
    history_sheet = Sheet(
        "Riwayat predikat", ["Periode evaluasi", "Predikat"], [list(h) for h in data.history]
    )
    cards = [
        Card(
            "dash-pegawai-poin",
            "Poin aktivitas saya",
            points_sheet,
            lambda: charts.points_progress_figure(
                data.today_approved,
                data.today_pending,
                data.daily_target,
                data.month_approved,
                data.month_pending,
                data.monthly_target,
            ),
            f"Target {fmt_number(data.daily_target, 0)} poin per hari kerja dan "
            f"{fmt_number(data.monthly_target, 0)} poin per bulan; poin dihitung setelah "
            "disetujui atasan langsung.",
            "poin",
            open_table=True,
        ),
        Card(
            "dash-pegawai-target",
            f"Target dan kemajuan saya s.d. {period.label}",
            target_sheet,
            lambda: charts.capaian_bar_figure(
                [(f"{t.iki}", t.capaian) for t in data.targets], hover=[t.rhk for t in data.targets]
            ),
            "Capaian dihitung dari realisasi yang sudah diverifikasi pejabat penilai.",
            "target",
            open_table=True,
            wide=True,
        ),
        Card(
            "dash-pegawai-riwayat",
            "Riwayat predikat kinerja saya",
            history_sheet,
            None,
            "Evaluasi yang sudah final.",
            "riwayat",
            open_table=True,
        ),
    ]
    inbox = [
        ("SKP menunggu persetujuan", data.inbox["skp"], _endpoint("planning.inbox")),
        (
            "Realisasi menunggu verifikasi",
            data.inbox["realisasi"],
            _endpoint("realization.verification_inbox"),
        ),
        (
            "Aktivitas menunggu persetujuan",
            data.inbox["aktivitas"],
            _endpoint("realization.activity_inbox"),
        ),
    ]
    tiles = [
        Tile(
            "SKP saya", data.skp_status_label, f"tahun {period.tahun}", _endpoint("planning.my_skp")
        ),
        Tile(
            "Poin hari ini",
            fmt_number(data.today_approved, 0),
            f"disetujui dari target {fmt_number(data.daily_target, 0)}; "
            f"{fmt_number(data.today_pending, 0)} menunggu",
            _endpoint("realization.my_activities"),
        ),
        Tile(
            "Poin bulan ini",
            fmt_number(data.month_approved, 0),
            f"disetujui dari target {fmt_number(data.monthly_target, 0)}; "
            f"{fmt_number(data.month_pending, 0)} menunggu",
        ),
        *[
            Tile(
                label,
                fmt_number(n, 0),
                "perlu tindakan Anda" if n else "tidak ada",
                url,
                tone="warn" if n else "",
            )
            for label, n, url in inbox
        ],
    ]
    links = []
    if data.skp_id:
        links.append(
            ("Unduh SKP saya (PDF)", url_for("dashboard.skp_pdf_view", skp_id=data.skp_id))
        )
    realisasi = _endpoint("realization.my_realizations")
    if realisasi:
        links.append(("Isi realisasi bulanan", realisasi))
    return SectionView("pegawai", cards, tiles, links=links)


def _build_section(bagian: str, period, settings, led) -> SectionView:
    if bagian == "pimpinan":
        return _section_pimpinan(period, settings)
    if bagian == "opd":
        return _section_opd(period, settings, led)
    if bagian == "evaluator":
        return _section_evaluator(period)
    if bagian == "hr":
        return _section_hr(period)
    return _section_pegawai(period, settings)


def _sections_and_choice() -> tuple[list[str], str, int | None]:
    led = q.led_opd_id(db.session, current_user.pegawai_id)
    sections = perm.dashboard_sections(current_user, led_opd_id=led)
    bagian = request.args.get("bagian") or (sections[0] if sections else "")
    if bagian and bagian not in perm.SECTION_LABELS:
        abort(404)
    if bagian and bagian not in sections:
        abort(403)
    return sections, bagian, led


def _card_needs_job(bagian: str, card: Card) -> bool:
    """A card table that grows with the number of employees and is long now is exported by a
    background job; the other tables (one row per OPD, goal, unit …) are written at once."""
    return (bagian, card.export) in rp.JOB_CARDS and len(card.sheet.rows) > (
        rp.SYNC_EXPORT_MAX_ROWS
    )


@bp.route("/beranda")
@login_required
def home():
    sections, bagian, led = _sections_and_choice()
    period = _period()
    if not sections:
        return render_template(
            "dashboard/home.html",
            sections=[],
            bagian="",
            period=period,
            section=None,
            labels=perm.SECTION_LABELS,
        )
    settings = q.dashboard_settings(db.session)
    section = _build_section(bagian, period, settings, led)
    for card in section.cards:
        if card.figure is not None:
            card.figure_json = figure_json(card.figure())
        if card.export:
            args = dict(tahun=period.tahun, bulan=period.bulan, opd=section.opd_id)
            if _card_needs_job(bagian, card):
                card.export_job_url = url_for(
                    "dashboard.start_export",
                    laporan="beranda",
                    bagian=bagian,
                    tabel=card.export,
                    **args,
                )
            else:
                card.export_url = url_for(
                    "dashboard.export_home", bagian=bagian, tabel=card.export, **args
                )
    return render_template(
        "dashboard/home.html",
        sections=sections,
        bagian=bagian,
        labels=perm.SECTION_LABELS,
        period=period,
        section=section,
    )


@bp.route("/beranda/ekspor/<bagian>/<tabel>.xlsx")
@login_required
def export_home(bagian: str, tabel: str):
    led = q.led_opd_id(db.session, current_user.pegawai_id)
    sections = perm.dashboard_sections(current_user, led_opd_id=led)
    if bagian not in perm.SECTION_LABELS:
        abort(404)
    require(bagian in sections)
    period = _period()
    settings = q.dashboard_settings(db.session)
    section = _build_section(bagian, period, settings, led)
    card = next((c for c in section.cards if c.export == tabel), None)
    if card is None:
        abort(404)
    if _card_needs_job(bagian, card):
        args = dict(tahun=period.tahun, bulan=period.bulan, opd=section.opd_id)
        return redirect(
            url_for("dashboard.new_export", laporan="beranda", bagian=bagian, tabel=tabel, **args),
            303,
        )
    suffix = f"-opd{section.opd_id}" if section.opd_id else ""
    notes = [card.title, card.caption, f"Periode: {period.label}"]
    return _xlsx(
        [card.sheet],
        f"beranda-{bagian}-{tabel}-{period.tahun}-{period.bulan:02d}{suffix}.xlsx",
        [n for n in notes if n],
    )


@bp.route("/beranda/temuan/hitung", methods=["POST"])
@login_required
def count_findings():
    require(perm.can_count_findings(current_user))
    tahun = _int_arg("tahun") or q.choose_period(db.session, None, None, _today()).tahun
    dj.start_findings_count(db.session, tahun, user=current_user)
    return redirect(url_for("dashboard.home", bagian="evaluator", tahun=tahun))


# --- monitoring pengisian --------------------------------------------------------------------


def _scope_or_403(scope: set[int] | None) -> set[int] | None:
    require(scope is None or bool(scope))
    return scope


def _opd_filter(scope: set[int] | None) -> int | None:
    opd_id = _int_arg("opd")
    if opd_id is not None and scope is not None and opd_id not in scope:
        abort(403)
    return opd_id


def _monitoring_period() -> q.PeriodChoice:
    """The chosen month; without one, the last month whose realisasi are due."""
    period = _period()
    if _int_arg("bulan") is None and period.is_current_month:
        tahun, bulan = q.report_month(period)
        period = q.choose_period(db.session, tahun, bulan, period.today)
    return period


def _monitoring_context():
    scope = _scope_or_403(perm.monitoring_scope(current_user))
    opd_id = _opd_filter(scope)
    period = _monitoring_period()
    opds = q.opd_options(db.session, scope)
    if opd_id is not None:
        opds = [o for o in opds if o[0] == opd_id]
    people = q.pengisian_people(db.session, period, scope, opd_id=opd_id)
    matrix = q.pengisian_matrix(people, opds)
    labels = rp.stage_labels(period)
    sheet = Sheet(
        "Monitoring pengisian",
        [
            "Perangkat daerah",
            "Wajib SKP",
            *[f"{lab} (jumlah)" for lab in labels.values()],
            *[f"{lab} (%)" for lab in labels.values()],
        ],
        [
            [m.nama, m.total, *[m.done[s] for s in labels], *[_round(m.pct(s)) for s in labels]]
            for m in matrix
        ],
    )
    return scope, opd_id, period, matrix, labels, sheet


@bp.route("/monitoring-pengisian")
@login_required
def monitoring():
    scope, opd_id, period, matrix, labels, sheet = _monitoring_context()
    fig = charts.pengisian_matrix_figure(
        [(m.nama, [(m.done[s], m.total) for s in labels]) for m in matrix],
        list(labels.values()),
    )
    totals = {s: sum(m.done[s] for m in matrix) for s in labels}
    wajib = sum(m.total for m in matrix)
    return render_template(
        "dashboard/monitoring.html",
        period=period,
        matrix=matrix,
        labels=labels,
        totals=totals,
        wajib=wajib,
        figure=figure_json(fig),
        opd_id=opd_id,
        opd_options=q.opd_options(db.session, scope),
    )


@bp.route("/monitoring-pengisian.xlsx")
@login_required
def monitoring_xlsx():
    # One row per OPD: always small, written during the request (README "Ekspor besar").
    _scope, _opd, period, _matrix, labels, sheet = _monitoring_context()
    notes = [
        "Monitoring pengisian SKP, realisasi dan evaluasi per perangkat daerah.",
        f"Bulan: {period.label}. Pegawai wajib SKP = PNS/PPPK dengan kedudukan hukum aktif.",
        *[f"{lab}" for lab in labels.values()],
    ]
    return _xlsx([sheet], f"monitoring-pengisian-{period.tahun}-{period.bulan:02d}.xlsx", notes)


def _people_filters():
    scope = _scope_or_403(perm.monitoring_scope(current_user))
    opd_id = _opd_filter(scope)
    period = _monitoring_period()
    labels = rp.stage_labels(period)
    flt = rp.PeopleFilter.parse(request.args, labels)
    if flt is None:
        abort(404)
    return scope, opd_id, period, labels, flt


def _people_context():
    scope, opd_id, period, labels, flt = _people_filters()
    people = q.pengisian_people(db.session, period, scope, opd_id=opd_id)
    units = sorted({(p.unit_id, p.unit) for p in people if p.unit_id}, key=lambda u: u[1])
    rows = flt.apply(people)
    return scope, opd_id, period, labels, flt, units, rows


#: Query arguments an export URL carries over from its page (its filters).
EXPORT_ARGS = frozenset(
    {"tahun", "bulan", "opd", "tahap", "status", "q", "unit", "periode", "bagian", "tabel"}
)


def _export_args() -> dict[str, str]:
    return {k: v for k, v in request.args.items() if k in EXPORT_ARGS}


def _export_urls(laporan: str, rows: int, endpoint: str) -> dict[str, str | None]:
    """The page's XLSX control: a link while the list is short, else a POST button that
    starts the export job (the query string carries the page's filters)."""
    args = _export_args()
    if rows > rp.SYNC_EXPORT_MAX_ROWS:
        return {
            "export_url": None,
            "export_job_url": url_for("dashboard.start_export", laporan=laporan, **args),
        }
    return {"export_url": url_for(endpoint, **args), "export_job_url": None}


def _too_long(laporan: str, rows: int):
    """Send a GET for a long export to the page that starts it as a job (a GET never
    starts a job), or None when the export is short enough to write now."""
    if rows <= rp.SYNC_EXPORT_MAX_ROWS:
        return None
    return redirect(url_for("dashboard.new_export", laporan=laporan, **_export_args()), 303)


@bp.route("/monitoring-pengisian/daftar")
@login_required
def monitoring_people():
    scope, opd_id, period, labels, flt, units, rows = _people_context()
    page = max(1, _int_arg("page") or 1)
    per_page = 50
    total = len(rows)
    pages = max(1, -(-total // per_page))
    page = min(page, pages)
    shown = rows[(page - 1) * per_page : page * per_page]
    return render_template(
        "dashboard/monitoring_people.html",
        period=period,
        labels=labels,
        stage=flt.stage,
        status=flt.status,
        term=request.args.get("q", ""),
        unit_id=flt.unit_id,
        units=units,
        rows=shown,
        total=total,
        page=page,
        pages=pages,
        opd_id=opd_id,
        opd_options=q.opd_options(db.session, scope),
        **_export_urls("monitoring-pegawai", total, "dashboard.monitoring_people_xlsx"),
    )


@bp.route("/monitoring-pengisian/daftar.xlsx")
@login_required
def monitoring_people_xlsx():
    scope, opd_id, period, labels, flt, _units, rows = _people_context()
    redirect_to_job = _too_long("monitoring-pegawai", len(rows))
    if redirect_to_job is not None:
        return redirect_to_job
    what = f"tahap {labels[flt.stage]} ({flt.status})" if flt.stage else "semua tahap"
    return _xlsx(
        [rp.monitoring_people_sheet(rows, labels)],
        f"monitoring-pegawai-{period.tahun}-{period.bulan:02d}.xlsx",
        [f"Daftar pegawai, {what}, {period.label}."],
    )


# --- beban kerja -----------------------------------------------------------------------------


def _workload_context():
    scope = _scope_or_403(perm.workload_scope(current_user))
    opd_id = _opd_filter(scope)
    if opd_id is None and scope is not None and len(scope) == 1:
        opd_id = next(iter(scope))
    period = _period()
    settings = q.dashboard_settings(db.session)
    data = q.workload_data(db.session, period, settings, scope, opd_id=opd_id)
    return scope, opd_id, period, data


@bp.route("/beban-kerja")
@login_required
def workload():
    scope, opd_id, period, data = _workload_context()
    rows_sheet, people_sheet = rp.workload_sheets(
        data,
        links=[
            url_for("dashboard.workload", opd=r.key, tahun=period.tahun, bulan=period.bulan)
            if data.level == "opd"
            else None
            for r in data.rows
        ],
    )
    fig = charts.workload_figure([(r.label, r.ratio, r.menit, r.kapasitas) for r in data.rows])
    bands: dict[str, int] = dict.fromkeys(BAND_LABELS, 0)
    for p in data.people:
        bands[p.band] += 1
    people_fig = charts.count_bar_figure(
        [(BAND_LABELS[b], n) for b, n in bands.items()],
        x_title="Pegawai",
        color=[charts.BAND_COLORS[b] for b in bands],
    )
    return render_template(
        "dashboard/workload.html",
        period=period,
        data=data,
        rows_sheet=rows_sheet,
        people_sheet=people_sheet,
        people_view=Sheet(
            people_sheet.title,
            people_sheet.headers,
            sorted(people_sheet.rows, key=lambda r: (r[6], r[0])),
        ),
        figure=figure_json(fig),
        people_figure=figure_json(people_fig),
        bands=bands,
        band_labels=BAND_LABELS,
        caveat=WORKLOAD_CAVEAT,
        opd_id=opd_id,
        opd_options=q.opd_options(db.session, scope),
        limit=HTML_ROWS,
        **_export_urls("beban-kerja", len(data.people), "dashboard.workload_xlsx"),
    )


@bp.route("/beban-kerja.xlsx")
@login_required
def workload_xlsx():
    _scope, opd_id, period, data = _workload_context()
    redirect_to_job = _too_long("beban-kerja", len(data.people))
    if redirect_to_job is not None:
        return redirect_to_job
    suffix = f"-opd{opd_id}" if opd_id else ""
    return _xlsx(
        list(rp.workload_sheets(data)),
        f"beban-kerja-{period.tahun}-{period.bulan:02d}{suffix}.xlsx",
        rp.workload_notes(data, period),
    )


# --- peta merit ------------------------------------------------------------------------------


def _merit_scope():
    scope = _scope_or_403(perm.merit_scope(current_user))
    opd_id = _opd_filter(scope)
    effective = {opd_id} if opd_id is not None else scope
    return scope, opd_id, effective


@bp.route("/peta-merit")
@login_required
def merit():
    scope, opd_id, effective = _merit_scope()
    period = _period()
    keys, labels = mr.merit_keys(db.session, effective)
    selected = mr.choose_key(keys, request.args.get("periode"))
    by_opd, by_level, by_gol = mr.merit_distributions(db.session, selected, effective)
    term = (request.args.get("q") or "").strip()[:100]
    page = mr.merit_people_page(
        db.session, period, effective, term=term, page=max(1, _int_arg("page") or 1)
    )
    people = page.total if not term else mr.merit_people_count(db.session, effective)
    grid, pending = mr.talent_grid(db.session, period, effective, people)
    sheets = {
        "opd": rp.distribution_sheet("Sebaran per OPD", "Perangkat daerah", by_opd),
        "jenjang": rp.distribution_sheet("Sebaran per jenjang", "Jenjang jabatan", by_level),
        "golongan": rp.distribution_sheet("Sebaran per golongan", "Golongan", by_gol),
        "talenta": rp.grid_sheet(grid) if grid is not None else None,
    }
    figures = {
        "opd": figure_json(charts.predikat_stack_figure(by_opd)),
        "jenjang": figure_json(charts.predikat_stack_figure(by_level)),
        "golongan": figure_json(charts.predikat_stack_figure(by_gol)),
        "talenta": (
            figure_json(charts.talent_grid_figure(grid.names, counts=grid.counts))
            if grid is not None
            else None
        ),
    }
    args = {k: v for k, v in request.args.items() if k in {"tahun", "bulan", "opd", "periode"}}
    return render_template(
        "dashboard/merit.html",
        period=period,
        keys=keys,
        labels=labels,
        selected=selected,
        selected_label=labels.get(selected, "-") if selected else "-",
        figures=figures,
        sheets=sheets,
        grid=grid,
        pending=pending,
        people=page.people,
        people_total=people,
        total=page.total,
        page=page.page,
        pages=page.pages,
        shown_keys=keys[-6:],
        predikat_label=mr.predikat_label,
        trend_labels=TREND_LABELS,
        opd_id=opd_id,
        opd_options=q.opd_options(db.session, scope),
        term=term,
        recompute_url=url_for("dashboard.recompute_merit", **args),
        **_export_urls("peta-merit", people, "dashboard.merit_xlsx"),
    )


@bp.route("/peta-merit/hitung-ulang", methods=["POST"])
@login_required
def recompute_merit():
    _merit_scope()
    period = _period()
    dj.start_merit_grid(db.session, period.tahun, period.bulan, user=current_user)
    args = {k: v for k, v in request.args.items() if k in {"tahun", "bulan", "opd", "periode"}}
    return redirect(url_for("dashboard.merit", **args) + "#dash-merit-talenta", 303)


@bp.route("/peta-merit.xlsx")
@login_required
def merit_xlsx():
    _scope, opd_id, effective = _merit_scope()
    redirect_to_job = _too_long("peta-merit", mr.merit_people_count(db.session, effective))
    if redirect_to_job is not None:
        return redirect_to_job
    period = _period()
    data = mr.merit_data(db.session, period, effective, selected=request.args.get("periode"))
    suffix = f"-opd{opd_id}" if opd_id else ""
    return _xlsx(
        rp.merit_sheets(data, period),
        f"peta-merit-{period.tahun}{suffix}.xlsx",
        rp.merit_notes(data, period),
    )


# --- exports that run as background jobs -----------------------------------------------------


def _export_spec(laporan: str) -> rp.ExportSpec:
    """Build the export the request asks for, with the scope of the logged-in user (403 when
    the user may not see it, 404 for an unknown report or table)."""
    if laporan == "monitoring-pegawai":
        scope, opd_id, period, _labels, flt = _people_filters()
        return rp.ExportSpec.make(
            laporan,
            period,
            scope,
            opd_id=opd_id,
            tahap=flt.stage,
            status=flt.status,
            q=flt.term,
            unit=flt.unit_id,
        )
    if laporan == "beban-kerja":
        scope = _scope_or_403(perm.workload_scope(current_user))
        opd_id = _opd_filter(scope)
        if opd_id is None and scope is not None and len(scope) == 1:
            opd_id = next(iter(scope))
        return rp.ExportSpec.make(laporan, _period(), scope, opd_id=opd_id)
    if laporan == "peta-merit":
        scope, opd_id, _effective = _merit_scope()
        periode = (request.args.get("periode") or "")[:40]
        return rp.ExportSpec.make(laporan, _period(), scope, opd_id=opd_id, periode=periode)
    if laporan == "beranda":
        bagian, tabel = request.args.get("bagian", ""), request.args.get("tabel", "")
        if (bagian, tabel) not in rp.JOB_CARDS:
            abort(404)
        led = q.led_opd_id(db.session, current_user.pegawai_id)
        require(bagian in perm.dashboard_sections(current_user, led_opd_id=led))
        scope, opd_id = None, None
        if bagian == "opd":
            scope = perm.opd_dashboard_scope(current_user, led_opd_id=led)
            opd_id, _options = _chosen_opd(scope, led)
            if opd_id is None:
                abort(404)
        return rp.ExportSpec.make(
            laporan, _period(), scope, opd_id=opd_id, bagian=bagian, tabel=tabel
        )
    abort(404)


@bp.route("/ekspor/<laporan>")
@login_required
def new_export(laporan: str):
    spec = _export_spec(laporan)
    require(rp.may_export(current_user, db.session, spec))
    return render_template(
        "dashboard/export_new.html",
        spec=spec,
        title=_export_title(spec),
        period_label=f"{q.BULAN[spec.bulan]} {spec.tahun}",
        opd=dict(q.opd_options(db.session, None)).get(spec.opd_id) if spec.opd_id else None,
        action=url_for("dashboard.start_export", laporan=laporan, **_export_args()),
        limit=rp.SYNC_EXPORT_MAX_ROWS,
    )


@bp.route("/ekspor/<laporan>", methods=["POST"])
@login_required
def start_export(laporan: str):
    spec = _export_spec(laporan)
    require(rp.may_export(current_user, db.session, spec))
    job = dj.start_export(spec, user=current_user)
    return redirect(url_for("dashboard.export_job", job_id=job.id), 303)


def _export_title(spec: rp.ExportSpec) -> str:
    if spec.laporan == "beranda":
        return rp.JOB_CARDS.get((spec.option("bagian"), spec.option("tabel")), "Tabel dasbor")
    report = rp.REPORTS.get(spec.laporan)
    return report.title if report else spec.laporan


def _export_job_or_404(job_id: int) -> tuple[Job, rp.ExportSpec]:
    """Load an export job the user may see: their own (or any, for an admin), and only while
    their scope still covers what it exports (checked again on every request)."""
    job = db.session.get(Job, job_id)
    if job is None or job.kind != rp.EXPORT_JOB or not can_download_job_file(current_user, job):
        abort(404)
    try:
        spec = rp.ExportSpec.from_params(job.params or {})
    except (KeyError, TypeError, ValueError):
        abort(404)
    require(rp.may_export(current_user, db.session, spec))
    return job, spec


def _job_status(job: Job) -> dict:
    done = job.status == "done"
    available = done and job_file(job) is not None
    return {
        "id": job.id,
        "status": job.status,
        "status_label": job.status_label,
        "percent": job.percent,
        "progress": job.progress,
        "total": job.total,
        "message": job.message or "",
        "running": job.status in ("queued", "running"),
        "download_url": url_for("dashboard.download_export", job_id=job.id) if available else None,
    }


@bp.route("/ekspor/proses/<int:job_id>")
@login_required
def export_job(job_id: int):
    job, spec = _export_job_or_404(job_id)
    return render_template(
        "dashboard/export_job.html",
        job=job,
        spec=spec,
        title=_export_title(spec),
        period_label=f"{q.BULAN[spec.bulan]} {spec.tahun}",
        status=_job_status(job),
        keep_days=keep_days(),
        file=job_file(job),
        rows=(job.result or {}).get("rows") if job.status == "done" else None,
    )


@bp.route("/ekspor/proses/<int:job_id>/status")
@login_required
def export_job_status(job_id: int):
    job, _spec = _export_job_or_404(job_id)
    return jsonify(_job_status(job))


@bp.route("/ekspor/proses/<int:job_id>/unduh")
@login_required
def download_export(job_id: int):
    job, _spec = _export_job_or_404(job_id)
    item = job_file(job)
    if item is None:
        abort(404)
    return send_job_file(item)


@bp.route("/ekspor")
@login_required
def my_exports():
    jobs = db.session.scalars(
        select(Job)
        .where(Job.kind == rp.EXPORT_JOB, Job.created_by_id == current_user.id)
        .order_by(Job.id.desc())
        .limit(30)
    ).all()
    rows = []
    for job in jobs:
        try:
            spec = rp.ExportSpec.from_params(job.params or {})
        except (KeyError, TypeError, ValueError):
            continue
        rows.append((job, _export_title(spec), f"{q.BULAN[spec.bulan]} {spec.tahun}"))
    return render_template("dashboard/export_list.html", rows=rows, keep_days=keep_days())


# --- official documents ----------------------------------------------------------------------


@bp.route("/dokumen/skp/<int:skp_id>.pdf")
@login_required
def skp_pdf_view(skp_id: int):
    skp = q.load_skp_for_document(db.session, skp_id)
    if skp is None:
        abort(404)
    require(perm.can_print_skp(current_user, skp))
    settings = q.dashboard_settings(db.session)
    doc = q.skp_document(skp, settings, _today())
    data = skp_pdf(doc)
    return _pdf(data, f"SKP-{skp.periode.tahun}-{doc.pegawai.nip or skp.pegawai_id}.pdf")


@bp.route("/dokumen/evaluasi/<int:evaluasi_id>.pdf")
@login_required
def evaluasi_pdf_view(evaluasi_id: int):
    evaluasi = q.load_evaluasi_for_document(db.session, evaluasi_id)
    if evaluasi is None:
        abort(404)
    skp = q.load_skp_for_document(db.session, evaluasi.skp_id)
    if skp is None:
        abort(404)
    require(perm.can_print_evaluasi(current_user, skp))
    settings = q.dashboard_settings(db.session)
    doc = q.evaluasi_document(db.session, evaluasi, skp, settings, _today())
    data = evaluasi_pdf(doc)
    return _pdf(
        data,
        f"Evaluasi-{evaluasi.tahun}-{evaluasi.jenis}-{evaluasi.periode_ke}-"
        f"{doc.pegawai.nip or skp.pegawai_id}.pdf",
    )


@bp.route("/dokumen/rekap/<int:recap_id>.pdf")
@login_required
def recap_pdf_view(recap_id: int):
    recap = db.session.get(TppRecap, recap_id)
    if recap is None:
        abort(404)
    require(perm.can_print_recap(current_user, recap.opd_id))
    settings = q.dashboard_settings(db.session)
    doc = q.recap_document(db.session, recap, settings)
    data = recap_pdf(doc)
    return _pdf(data, f"Rekap-{recap.tahun}-{recap.bulan:02d}-{recap.id}.pdf")
