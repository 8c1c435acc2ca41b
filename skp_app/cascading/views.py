"""Cascading pages: the performance tree, findings, Matriks Peran Hasil, impact, reviews.

Read pages load the cascade with :mod:`skp_app.cascading.queries`, check the permission
(:mod:`skp_app.cascading.permissions`), draw the figures with :mod:`skp_app.cascading.charts`
and render. Review actions load the review, call one operation, commit, and redirect; a
refused action becomes a 403 (permission), a flash and redirect (state) or the form again with
its messages (validation). Importing this module connects the RHK-saved hook.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from skp_app.auth.permissions import require
from skp_app.cascading import hooks  # noqa: F401  (connects the RHK-saved receiver)
from skp_app.cascading import operations as ops
from skp_app.cascading import permissions as perm
from skp_app.cascading import queries as q
from skp_app.cascading.charts import (
    SEVERITY_LABELS,
    cascade_tree_figure,
    findings_by_code_figure,
)
from skp_app.cascading.forms import (
    ItemActionForm,
    ReviewForm,
    findings_filters_from,
    new_request_key,
    review_input_from,
)
from skp_app.cascading.graph import (
    CascadeError,
    build_cascade_graph,
    descendants_of,
    node_id,
    node_sort_key,
)
from skp_app.cascading.links import fix_url as _fix_url
from skp_app.cascading.links import skp_url as _skp_url
from skp_app.cascading.matrix import build_matrix
from skp_app.cascading.models import ITEM_STATUS, REVIEW_STATUS, V_RULES, VERDICTS, ReviewItem
from skp_app.cascading.operations import finding_key
from skp_app.cascading.rules import FINDING_CODES, SEVERITIES, check_cascade, summarize
from skp_app.extensions import db
from skp_app.navigation import register_nav
from skp_app.org.models import Pegawai, UnitOrganisasi
from skp_app.org.queries import opd_list
from skp_app.planning.queries import list_periode, open_periode

bp = Blueprint("cascading", __name__)

register_nav(
    "Pohon kinerja",
    "cascading.tree",
    {"admin", "pimpinan", "opd_operator", "evaluator", "pegawai"},
    order=40,
    help="Pohon cascading kinerja dari sasaran RPJMD sampai RHK setiap pegawai.",
)
register_nav(
    "Temuan cascading",
    "cascading.findings",
    {"admin", "opd_operator", "evaluator", "hr"},
    order=41,
    help="Hasil pemeriksaan keselarasan cascading per OPD, dengan tautan perbaikan.",
)
register_nav(
    "Reviu keselarasan",
    "cascading.list_reviews",
    {"evaluator", "opd_operator", "admin"},
    order=42,
    help="Reviu evaluator atas keselarasan cascading OPD dan tindak lanjutnya.",
)

TABLE_PAGE = 300  # rows of the tree's table twin per page
IMPACT_ROWS = 300  # rows listed per level on the impact page (all are counted)
KIND_LABELS = {
    "regent_goal": "Sasaran RPJMD",
    "opd_goal": "Sasaran OPD",
    "rhk": "RHK",
    "missing": "Induk tidak ditemukan",
}
LEVEL_LABELS = {
    1: "Kepala daerah",
    2: "Pejabat pimpinan tinggi",
    3: "Administrator",
    4: "Pengawas",
    5: "Pelaksana/fungsional",
}
ASPEK_LABELS = {
    "kuantitas": "Kuantitas",
    "kualitas": "Kualitas",
    "waktu": "Waktu",
    "biaya": "Biaya",
}
SEVERITY_BADGE = {"error": "error", "warning": "warning", "info": "info"}


# --------------------------------------------------------------------------- helpers


def _int_arg(name: str) -> int | None:
    value = (request.args.get(name) or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _periode() -> tuple[int | None, list]:
    """Return the chosen year (``?tahun=``, else the open periode) and every periode."""
    periodes = list_periode(db.session)
    tahun = _int_arg("tahun")
    if tahun is None:
        current = open_periode(db.session)
        tahun = current.tahun if current else (periodes[0].tahun if periodes else None)
    elif not any(p.tahun == tahun for p in periodes):
        abort(404, description=f"Periode {tahun} tidak ditemukan.")
    return tahun, periodes


def _opd_or_404(opd_id: int) -> UnitOrganisasi:
    opd = db.session.get(UnitOrganisasi, opd_id)
    if opd is None or not opd.is_opd:
        abort(404, description="OPD tidak ditemukan.")
    return opd


def _marks(findings: Iterable) -> dict[str, list]:
    """Map each node to the findings shown on its row (as the tree colours them)."""
    out: dict[str, list] = {}
    for f in findings:
        targets = f.nodes if f.code in ("CYCLE", "DUPLICATE_RHK") else f.nodes[:1]
        for n in targets:
            out.setdefault(n, []).append(f)
    return out


def _tree_order(graph) -> list[tuple[str, int]]:
    """Return ``(node, depth)`` depth-first from the roots (iterative; cycles visited once)."""
    succ = graph.succ
    seen: set[str] = set()
    order: list[tuple[str, int]] = []
    roots = sorted((n for n, k in graph.in_degree() if k == 0), key=node_sort_key)
    rest = sorted(graph, key=node_sort_key)
    for start in [*roots, *rest]:
        if start in seen:
            continue
        stack = [(start, 0)]
        while stack:
            node, depth = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            order.append((node, depth))
            kids = sorted((c for c in succ[node] if c not in seen), key=node_sort_key, reverse=True)
            stack.extend((c, depth + 1) for c in kids)
    return order


def _indicator_lines(d: Mapping[str, Any]) -> list[str]:
    lines = []
    for ind in d.get("indicators") or ():
        aspek = ASPEK_LABELS.get(ind.get("aspek"), "")
        prefix = f"{aspek}: " if aspek else ""
        lines.append(f"{prefix}{ind.get('text') or ''} — target {q.target_text(ind)}")
    return lines


def _node_rows(graph, findings, order: list[tuple[str, int]]) -> list[dict[str, Any]]:
    marks = _marks(findings)
    data = graph.nodes
    rows = []
    for node, depth in order:
        d = data[node]
        kind = d.get("kind")
        found = marks.get(node, [])
        worst = next((s for s in SEVERITIES if any(f.severity == s for f in found)), None)
        rows.append(
            {
                "node": node,
                "depth": depth,
                "kind": kind,
                "kind_label": KIND_LABELS.get(kind, kind),
                "jenis": d.get("jenis"),
                "text": d.get("text") or "",
                "owner": d.get("owner_name") or "",
                "owner_id": d.get("owner_pegawai_id"),
                "level": LEVEL_LABELS.get(d.get("level"), ""),
                "status": d.get("status"),
                "context": d.get("context"),
                "indicators": _indicator_lines(d),
                "findings": found,
                "worst": worst,
                "skp_url": _skp_url(d.get("skp_id"), rhk_id=d.get("db_id"))
                if kind == "rhk"
                else None,
                "impact_url": url_for(
                    "cascading.impact", kind=node.split(":")[0], db_id=d.get("db_id")
                )
                if kind != "missing"
                else None,
            }
        )
    return rows


def _finding_rows(findings, graph, tahun: int | None) -> list[dict[str, Any]]:
    data = graph.nodes
    people = graph.graph.get("people") or {}
    rows = []
    for f in findings:
        owner = people.get(f.owner_pegawai_id)
        d = data[f.nodes[0]] if f.nodes and f.nodes[0] in graph else {}
        rows.append(
            {
                "finding": f,
                "key": finding_key(f),
                "title": FINDING_CODES[f.code].title if f.code in FINDING_CODES else f.code,
                "severity_label": SEVERITY_LABELS.get(f.severity, f.severity),
                "owner": owner.name
                if owner
                else (d.get("owner_name") or ("-" if f.owner_pegawai_id is None else "")),
                "node_text": d.get("text") or "",
                "node_kind": d.get("kind"),
                "db_id": d.get("db_id"),
                "fix_url": _fix_url(f, data, tahun),
            }
        )
    return rows


def _page_slice(rows: list, per_page: int = TABLE_PAGE) -> tuple[list, dict[str, int]]:
    total = len(rows)
    pages = max(1, -(-total // per_page))
    page = min(max(1, _int_arg("page") or 1), pages)
    start = (page - 1) * per_page
    return rows[start : start + per_page], {
        "page": page,
        "pages": pages,
        "total": total,
        "first": start + 1 if total else 0,
        "last": min(start + per_page, total),
    }


def _render_tree(*, title: str, subtitle: str, graph, findings, tahun, periodes, **extra):
    fig = cascade_tree_figure(graph, findings)
    hidden: dict[str, int] = extra.get("hidden") or {}
    if hidden and fig.data and fig.data[0].ids:
        trace = fig.data[0]
        trace.labels = [
            f"{label} ▸ +{hidden[node]}" if node in hidden else label
            for node, label in zip(trace.ids, trace.labels, strict=True)
        ]
    rows, paging = _page_slice(_node_rows(graph, findings, _tree_order(graph)))
    for row in rows:
        row["hidden"] = hidden.get(row["node"], 0)
    return render_template(
        "cascading/tree.html",
        title=title,
        subtitle=subtitle,
        figure_json=fig.to_json(),
        rows=rows,
        paging=paging,
        summary=summarize(findings),
        severity_labels=SEVERITY_LABELS,
        tahun=tahun,
        periodes=periodes,
        rhk_url_template=url_for("cascading.open_rhk", rhk_id=0),
        **{"hidden": hidden, "drill_url_template": None, "view": None, **extra},
    )


# --------------------------------------------------------------------------- tree


@bp.route("/cascading/pohon")
@login_required
def tree():
    """The entry page: the regency overview, an OPD chooser, or the employee's own lineage."""
    tahun, periodes = _periode()
    chosen = _int_arg("opd")
    if chosen is not None:
        return redirect(url_for("cascading.tree_opd", opd_id=chosen, tahun=tahun))
    scope = perm.tree_scope(current_user)
    if scope is not None and not scope:
        if current_user.pegawai_id is not None:
            return redirect(
                url_for("cascading.tree_pegawai", pegawai_id=current_user.pegawai_id, tahun=tahun)
            )
        abort(403)
    opds = opd_list(db.session, unit_ids=scope)
    if scope is not None:
        if len(opds) == 1:
            return redirect(url_for("cascading.tree_opd", opd_id=opds[0].id, tahun=tahun))
        return render_template(
            "cascading/tree_choose.html", opds=opds, tahun=tahun, periodes=periodes
        )
    if tahun is None:
        return render_template(
            "cascading/tree_choose.html", opds=opds, tahun=None, periodes=periodes
        )
    # The regency overview: RPJMD → OPD sasaran → RHK of the JPT (the rest per OPD).
    rows = q.load_cascade_rows(db.session, tahun, max_level=2)
    graph = build_cascade_graph(rows.goals, rows.rhks, rows.people, tahun=tahun)
    findings = [
        f
        for f in check_cascade(graph)
        if not (f.code == "UNCOVERED_PARENT" and f.nodes and f.nodes[0].startswith("rhk:"))
    ]
    return _render_tree(
        title=f"Pohon kinerja kabupaten {tahun}",
        subtitle="Sasaran RPJMD → sasaran OPD → RHK pejabat pimpinan tinggi. Pilih OPD untuk "
        "melihat cascading sampai pelaksana.",
        graph=graph,
        findings=findings,
        tahun=tahun,
        periodes=periodes,
        opds=opds,
        scope_label="kabupaten",
    )


@bp.route("/cascading/pohon/opd/<int:opd_id>")
@login_required
def tree_opd(opd_id: int):
    """The tree of one OPD; a large OPD shows its top levels and opens the rest by node."""
    opd = _opd_or_404(opd_id)
    require(perm.can_view_tree(current_user, opd.id))
    tahun, periodes = _periode()
    if tahun is None:
        abort(404, description="Belum ada periode.")
    root = (request.args.get("root") or "").strip() or None
    try:
        view = q.tree_view(db.session, tahun, opd.id, root=root)
    except CascadeError as exc:
        abort(404, description=str(exc))
    drill = url_for("cascading.tree_opd", opd_id=opd.id, tahun=tahun, root="__NODE__")
    return _render_tree(
        title=f"Pohon kinerja {opd.nama} {tahun}",
        subtitle="Sasaran OPD → RHK pimpinan → RHK bawahan. Simpul abu-abu berada di luar OPD "
        "atau di atas simpul yang dibuka (konteks).",
        graph=view.graph,
        findings=view.findings,
        tahun=tahun,
        periodes=periodes,
        opd=opd,
        view=view,
        hidden=view.hidden,
        drill_url_template=drill,
        supervisors=_supervisors(view.graph, opd.id),
        can_findings=perm.can_view_findings(current_user, opd.id),
        can_review=perm.can_create_review(current_user, opd.id),
        scope_label="opd",
    )


def _supervisors(graph, opd_id: int) -> list[tuple[int, str]]:
    """Owners in the OPD whose RHK are intervened by someone (for the matrix links)."""
    data = graph.nodes
    found: dict[int, str] = {}
    for u, v in graph.edges:
        du = data[u]
        if du.get("kind") == "rhk" and du.get("opd_id") == opd_id and data[v].get("kind") == "rhk":
            found.setdefault(du["owner_pegawai_id"], du.get("owner_name") or "")
    return sorted(found.items(), key=lambda kv: kv[1])


@bp.route("/cascading/pohon/pegawai/<int:pegawai_id>")
@login_required
def tree_pegawai(pegawai_id: int):
    pegawai = db.get_or_404(Pegawai, pegawai_id)
    tahun, periodes = _periode()
    if tahun is None:
        abort(404, description="Belum ada periode.")
    own = q.pegawai_skp(db.session, pegawai.id, tahun)
    opd_id = own[1] if own else (pegawai.unit.opd_id if pegawai.unit else None)
    require(perm.can_view_lineage(current_user, pegawai.id, opd_id))
    graph, findings = q.lineage_for(db.session, tahun, pegawai.id)
    return _render_tree(
        title=f"Garis kinerja {pegawai.nama_lengkap} {tahun}",
        subtitle="RHK pegawai dan seluruh RHK/sasaran di atasnya sampai sasaran RPJMD.",
        graph=graph,
        findings=findings,
        tahun=tahun,
        periodes=periodes,
        pegawai=pegawai,
        has_skp=own is not None,
        own_skp_url=_skp_url(own[0]) if own else None,
        matrix_url=url_for("cascading.matrix", pegawai_id=pegawai.id, tahun=tahun)
        if perm.can_view_matrix(current_user, pegawai.id, opd_id)
        else None,
        scope_label="pegawai",
    )


@bp.route("/cascading/rhk/<int:rhk_id>")
@login_required
def open_rhk(rhk_id: int):
    """Open the SKP page at an RHK (the tree's click target); the SKP page checks access."""
    from skp_app.planning.models import Rhk

    rhk = db.get_or_404(Rhk, rhk_id)
    url = _skp_url(rhk.skp_id, rhk_id=rhk.id)
    if url is None:
        abort(404)
    return redirect(url)


# --------------------------------------------------------------------------- matrix


@bp.route("/cascading/matriks")
@login_required
def my_matrix():
    if current_user.pegawai_id is None:
        abort(404, description="Akun ini tidak terhubung dengan data pegawai.")
    return redirect(
        url_for("cascading.matrix", pegawai_id=current_user.pegawai_id, tahun=_int_arg("tahun"))
    )


@bp.route("/cascading/matriks/<int:pegawai_id>")
@login_required
def matrix(pegawai_id: int):
    pegawai = db.get_or_404(Pegawai, pegawai_id)
    tahun, periodes = _periode()
    if tahun is None:
        abort(404, description="Belum ada periode.")
    data = q.matrix_input(db.session, pegawai.id, tahun)
    require(perm.can_view_matrix(current_user, pegawai.id, data.opd_id))
    result = build_matrix(data.columns, data.members, data.member_rhks)
    return render_template(
        "cascading/matrix.html",
        pegawai=pegawai,
        data=data,
        m=result,
        overlap_ids=result.overlapping_rhk_ids(),
        tahun=tahun,
        periodes=periodes,
        skp_url=_skp_url,
    )


# --------------------------------------------------------------------------- findings


@bp.route("/cascading/temuan")
@login_required
def findings():
    scope = perm.findings_scope(current_user)
    require(scope is None or bool(scope))
    tahun, periodes = _periode()
    opds = opd_list(db.session, unit_ids=scope)
    opd_id = _int_arg("opd")
    if opd_id is None and len(opds) == 1:
        opd_id = opds[0].id
    if opd_id is None or tahun is None:
        return render_template(
            "cascading/findings.html", opd=None, opds=opds, tahun=tahun, periodes=periodes
        )
    opd = _opd_or_404(opd_id)
    require(perm.can_view_findings(current_user, opd.id))
    graph, found = q.cascade_for(db.session, tahun, opd.id)
    filters = findings_filters_from(request.args)
    shown = filters.apply(found)
    summary = summarize(found)
    people = graph.graph.get("people") or {}
    owners = sorted(
        {f.owner_pegawai_id for f in found if f.owner_pegawai_id is not None},
        key=lambda pid: (people[pid].name if pid in people else "", pid),
    )
    rows, paging = _page_slice(_finding_rows(shown, graph, tahun), 200)
    return render_template(
        "cascading/findings.html",
        opd=opd,
        opds=opds,
        tahun=tahun,
        periodes=periodes,
        rows=rows,
        paging=paging,
        summary=summary,
        shown_count=len(shown),
        filters=filters,
        owners=[(pid, people[pid].name if pid in people else f"pegawai #{pid}") for pid in owners],
        codes=FINDING_CODES,
        severities=SEVERITIES,
        severity_labels=SEVERITY_LABELS,
        figure_json=findings_by_code_figure(summary).to_json(),
        can_review=perm.can_create_review(current_user, opd.id),
        can_tree=perm.can_view_tree(current_user, opd.id),
    )


# --------------------------------------------------------------------------- impact


@bp.route("/cascading/dampak/<kind>/<int:db_id>")
@login_required
def impact(kind: str, db_id: int):
    """Everything below one node, grouped by level: what a change of that node touches."""
    kinds = {"rhk": "rhk", "og": "opd_goal", "rg": "regent_goal"}
    if kind not in kinds:
        abort(404)
    try:
        opd_id, owner, node_tahun = q.node_opd(db.session, kinds[kind], db_id)
    except CascadeError:
        abort(404)
    require(perm.can_view_impact(current_user, owner, opd_id))
    tahun, periodes = _periode()
    if node_tahun is not None:
        tahun = node_tahun
    if tahun is None:
        abort(404, description="Belum ada periode.")
    node = node_id(kinds[kind], db_id)
    graph = q.subtree_for(db.session, tahun, node)
    below = descendants_of(graph, node)
    data = graph.nodes
    groups: dict[str, list[str]] = {}
    owners: set[int] = set()
    for n in below:
        d = data[n]
        if d.get("kind") == "rhk":
            label = LEVEL_LABELS.get(d.get("level"), "Lainnya")
            if d.get("owner_pegawai_id") is not None:
                owners.add(d["owner_pegawai_id"])
        else:
            label = KIND_LABELS.get(d.get("kind"), "Lainnya")
        groups.setdefault(label, []).append(n)
    order = [KIND_LABELS["regent_goal"], KIND_LABELS["opd_goal"], *LEVEL_LABELS.values()]
    ordered = [
        (label, [_impact_row(n, data[n]) for n in nodes[:IMPACT_ROWS]], len(nodes))
        for label, nodes in sorted(
            groups.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99
        )
    ]
    root = data[node] if node in graph else {}
    return render_template(
        "cascading/impact.html",
        node=node,
        root=root,
        root_kind=KIND_LABELS.get(root.get("kind"), ""),
        root_indicators=_indicator_lines(root),
        groups=ordered,
        total=len(below),
        owners=len(owners),
        tahun=tahun,
        periodes=periodes,
        tree_url=url_for("cascading.tree_opd", opd_id=opd_id, tahun=tahun)
        if opd_id is not None and perm.can_view_tree(current_user, opd_id)
        else None,
    )


def _impact_row(node: str, d: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "node": node,
        "text": d.get("text") or "",
        "owner": d.get("owner_name") or "",
        "status": d.get("status"),
        "cascading": d.get("cascading"),
        "skp_url": _skp_url(d.get("skp_id"), rhk_id=d.get("db_id"))
        if d.get("kind") == "rhk"
        else None,
    }


# --------------------------------------------------------------------------- reviews


def _load_review(review_id: int):
    review = q.review_detail(db.session, review_id)
    if review is None:
        abort(404)
    require(perm.can_view_review(current_user, review))
    return review


def _load_item(review, item_id: int) -> ReviewItem:
    item = next((i for i in review.items if i.id == item_id), None)
    if item is None:
        abort(404)
    return item


@bp.route("/cascading/reviu")
@login_required
def list_reviews():
    scope = perm.review_scope(current_user)
    require(scope is None or bool(scope))
    tahun = _int_arg("tahun")
    status = request.args.get("status") or None
    if status not in REVIEW_STATUS:
        status = None
    opd_id = _int_arg("opd")
    if opd_id is not None and scope is not None and opd_id not in scope:
        abort(403)
    rows = q.list_reviews(db.session, scope, tahun=tahun, opd_id=opd_id, status=status)
    eval_scope = perm.evaluator_scope(current_user)
    return render_template(
        "cascading/review_list.html",
        rows=rows,
        opds=opd_list(db.session, unit_ids=scope),
        review_opds=opd_list(db.session, unit_ids=eval_scope) if eval_scope != set() else [],
        tahun=tahun,
        opd_id=opd_id,
        status=status,
        statuses=REVIEW_STATUS,
        periodes=list_periode(db.session),
        default_tahun=_periode()[0],
    )


def _review_page(opd, tahun, periodes, form, *, errors=None, status=200, posted=None):
    graph, found = q.cascade_for(db.session, tahun, opd.id)
    rows = _finding_rows(found, graph, tahun)
    rhk_nodes: dict[str, dict[str, Any]] = {}
    data = graph.nodes
    for f in found:
        if f.nodes and f.nodes[0].startswith("rhk:") and f.nodes[0] in graph:
            d = data[f.nodes[0]]
            entry = rhk_nodes.setdefault(
                f.nodes[0],
                {
                    "id": d["db_id"],
                    "text": d.get("text") or "",
                    "owner": d.get("owner_name") or "",
                    "codes": [],
                },
            )
            if f.code not in entry["codes"]:
                entry["codes"].append(f.code)
    if not form.request_key.data:
        form.request_key.data = new_request_key()
    return (
        render_template(
            "cascading/review_form.html",
            opd=opd,
            tahun=tahun,
            periodes=periodes,
            form=form,
            rows=rows,
            summary=summarize(found),
            severity_labels=SEVERITY_LABELS,
            rhk_nodes=sorted(rhk_nodes.values(), key=lambda r: (r["owner"], r["id"]))[:300],
            v_rules=V_RULES,
            errors=errors or {},
            posted=posted or {},
            picked=set((posted or {}).get("finding", [])),
        ),
        status,
    )


@bp.route("/cascading/reviu/baru", methods=["GET", "POST"])
@login_required
def new_review():
    scope = perm.evaluator_scope(current_user)
    require(scope is None or bool(scope))
    tahun, periodes = _periode()
    opd_id = _int_arg("opd")
    if opd_id is None or tahun is None:
        return render_template(
            "cascading/review_choose.html",
            opds=opd_list(db.session, unit_ids=scope),
            tahun=tahun,
            periodes=periodes,
        )
    opd = _opd_or_404(opd_id)
    require(perm.can_create_review(current_user, opd.id))
    form = ReviewForm()
    if request.method == "GET":
        return _review_page(opd, tahun, periodes, form)
    posted = {"finding": request.form.getlist("finding"), **request.form.to_dict()}
    if not form.validate_on_submit():
        errors = {k: list(v) for k, v in form.errors.items()}
        return _review_page(opd, tahun, periodes, form, errors=errors, status=422, posted=posted)
    _graph, found = q.cascade_for(db.session, tahun, opd.id)
    data = review_input_from(
        request.form,
        request.form.getlist,
        opd_id=opd.id,
        tahun=tahun,
        verdict=form.verdict.data,
        due_date=form.due_date.data,
        summary=form.summary.data or "",
        request_key=form.request_key.data,
    )
    try:
        review, created = ops.create_review(db.session, data, actor=current_user, findings=found)
    except ops.ReviewForbidden as exc:
        db.session.rollback()
        abort(403, description=str(exc))
    except ops.ReviewValidationError as exc:
        db.session.rollback()
        return _review_page(
            opd, tahun, periodes, form, errors=exc.fields, status=422, posted=posted
        )
    try:
        db.session.commit()
    except IntegrityError:  # the same form submitted twice at once
        db.session.rollback()
        review, created = ops.create_review(db.session, data, actor=current_user, findings=found)
    if created:
        flash(
            f"Reviu keselarasan {opd.nama} tersimpan dengan {len(review.items)} butir tindak "
            "lanjut.",
            "success",
        )
    else:
        flash("Reviu ini sudah tersimpan sebelumnya.", "info")
    return redirect(url_for("cascading.view_review", review_id=review.id))


@bp.route("/cascading/reviu/<int:review_id>")
@login_required
def view_review(review_id: int):
    review = _load_review(review_id)
    can_fix = perm.can_fix_review(current_user, review)
    can_eval = perm.can_act_on_review(current_user, review)
    return render_template(
        "cascading/review_view.html",
        review=review,
        can_fix=can_fix,
        can_eval=can_eval,
        v_rules=V_RULES,
        verdicts=VERDICTS,
        item_status=ITEM_STATUS,
        codes=FINDING_CODES,
        action_form=ItemActionForm(formdata=None),
        skp_url=_skp_url,
        all_closed=all(i.status == "closed" for i in review.items),
    )


def _item_action(review_id: int, item_id: int, action: str):
    review = _load_review(review_id)
    item = _load_item(review, item_id)
    form = ItemActionForm()
    note = form.note.data or ""
    handler, done, same = {
        "fix": (
            ops.mark_item_fixed,
            "Butir ditandai sudah diperbaiki.",
            "sudah ditandai diperbaiki",
        ),
        "close": (ops.close_item, "Butir ditutup.", "sudah ditutup"),
        "reopen": (ops.reopen_item, "Butir dibuka kembali.", "masih menunggu tindak lanjut OPD"),
    }[action]
    try:
        changed = handler(db.session, item, actor=current_user, note=note)
    except ops.ReviewForbidden as exc:
        db.session.rollback()
        abort(403, description=str(exc))
    except (ops.ReviewStateError, ops.ReviewValidationError) as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("cascading.view_review", review_id=review.id) + f"#item-{item.id}")
    db.session.commit()
    flash(
        done if changed else f"Tidak ada perubahan: butir ini {same}.",
        "success" if changed else "info",
    )
    return redirect(url_for("cascading.view_review", review_id=review.id) + f"#item-{item.id}")


@bp.route("/cascading/reviu/<int:review_id>/butir/<int:item_id>/diperbaiki", methods=["POST"])
@login_required
def fix_item(review_id: int, item_id: int):
    return _item_action(review_id, item_id, "fix")


@bp.route("/cascading/reviu/<int:review_id>/butir/<int:item_id>/tutup", methods=["POST"])
@login_required
def close_item(review_id: int, item_id: int):
    return _item_action(review_id, item_id, "close")


@bp.route("/cascading/reviu/<int:review_id>/butir/<int:item_id>/buka-kembali", methods=["POST"])
@login_required
def reopen_item(review_id: int, item_id: int):
    return _item_action(review_id, item_id, "reopen")


@bp.route("/cascading/reviu/<int:review_id>/tutup", methods=["POST"])
@login_required
def close_review(review_id: int):
    review = _load_review(review_id)
    form = ItemActionForm()
    try:
        changed = ops.close_review(
            db.session, review, actor=current_user, note=form.note.data or ""
        )
    except ops.ReviewForbidden as exc:
        db.session.rollback()
        abort(403, description=str(exc))
    except (ops.ReviewStateError, ops.ReviewValidationError) as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("cascading.view_review", review_id=review.id))
    db.session.commit()
    flash(
        "Reviu ditutup." if changed else "Reviu ini sudah ditutup.",
        "success" if changed else "info",
    )
    return redirect(url_for("cascading.view_review", review_id=review.id))
