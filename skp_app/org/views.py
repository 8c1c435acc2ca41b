"""Pages to browse the OPD tree and employees, and one employee's profile."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from skp_app.auth.permissions import require
from skp_app.extensions import db
from skp_app.org import permissions as perm
from skp_app.org.models import Pegawai, UnitOrganisasi
from skp_app.org.operations import OrgError, set_superior_override, superior_chain
from skp_app.org.queries import opd_list, search_pegawai, subordinates_of, unit_tree

bp = Blueprint("org", __name__)


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() else None


@bp.route("/opd")
@login_required
def list_opd():
    require(perm.can_browse_pegawai(current_user))
    scope = perm.opd_scope(current_user)
    return render_template("org/opd_list.html", opds=opd_list(db.session, unit_ids=scope))


@bp.route("/opd/<int:opd_id>")
@login_required
def view_opd(opd_id: int):
    opd = db.get_or_404(UnitOrganisasi, opd_id)
    if not opd.is_opd:
        abort(404)
    scope = perm.opd_scope(current_user)
    require(perm.can_browse_pegawai(current_user) and (scope is None or opd_id in scope))
    return render_template("org/opd_view.html", opd=opd, tree=unit_tree(db.session, opd_id))


@bp.route("/pegawai")
@login_required
def list_pegawai():
    require(perm.can_browse_pegawai(current_user))
    scope = perm.opd_scope(current_user)
    opd_id = _int_arg("opd")
    if opd_id is not None and scope is not None and opd_id not in scope:
        abort(403)
    page = search_pegawai(
        db.session,
        q=request.args.get("q", "")[:100],
        opd_id=opd_id,
        unit_id=_int_arg("unit"),
        opd_scope=scope,
        include_inactive=request.args.get("semua") == "1",
        page=_int_arg("page") or 1,
        per_page=50,
    )
    show_nip = perm.can_edit_pegawai(current_user) or current_user.has_role("opd_operator")
    return render_template(
        "org/pegawai_list.html",
        page=page,
        opds=opd_list(db.session, unit_ids=scope),
        opd_id=opd_id,
        q=request.args.get("q", ""),
        show_nip=show_nip,
    )


@bp.route("/pegawai/<int:pegawai_id>")
@login_required
def view_pegawai(pegawai_id: int):
    pegawai = db.get_or_404(Pegawai, pegawai_id)
    chain = superior_chain(db.session, pegawai)
    superior_ids = {p.id for p in chain}
    require(perm.can_view_pegawai(current_user, pegawai, superior_ids=superior_ids))
    return render_template(
        "org/pegawai_view.html",
        pegawai=pegawai,
        chain=chain,
        subordinates=subordinates_of(db.session, pegawai),
        show_personal=perm.can_view_personal_data(current_user, pegawai, superior_ids=superior_ids),
        can_edit=perm.can_edit_pegawai(current_user, pegawai),
    )


@bp.route("/saya")
@login_required
def my_profile():
    if current_user.pegawai_id is None:
        flash("Akun ini tidak terhubung dengan data pegawai.", "warning")
        return redirect(url_for("main.index"))
    return redirect(url_for("org.view_pegawai", pegawai_id=current_user.pegawai_id))


@bp.route("/pegawai/<int:pegawai_id>/atasan", methods=["POST"])
@login_required
def set_superior(pegawai_id: int):
    pegawai = db.get_or_404(Pegawai, pegawai_id)
    require(perm.can_edit_pegawai(current_user, pegawai))
    nip = (request.form.get("atasan_nip") or "").replace(" ", "")
    jenis = request.form.get("jenis") or None
    superior = None
    if nip:
        superior = db.session.scalar(select(Pegawai).where(Pegawai.nip == nip))
        if superior is None:
            flash(f"Pegawai dengan NIP {nip} tidak ditemukan.", "danger")
            return redirect(url_for("org.view_pegawai", pegawai_id=pegawai_id))
    try:
        set_superior_override(db.session, pegawai, superior, jenis, actor=current_user)
    except OrgError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash("Atasan langsung diperbarui.", "success")
    return redirect(url_for("org.view_pegawai", pegawai_id=pegawai_id))
