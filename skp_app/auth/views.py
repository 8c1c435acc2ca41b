"""Login, logout and password change."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from skp_app.audit.operations import record
from skp_app.auth.forms import ChangePasswordForm, LoginForm
from skp_app.auth.operations import AuthError, authenticate, change_password
from skp_app.extensions import db

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(db.session, form.login.data, form.password.data)
        except AuthError as exc:
            db.session.commit()  # keep the failed-attempt counter
            form.password.errors.append(str(exc))
        else:
            session.clear()
            login_user(user)
            session.permanent = True
            record(db.session, "auth.login", "user", user.id, actor=user, summary="Masuk")
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    session.clear()
    flash("Anda telah keluar.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/akun/kata-sandi", methods=["GET", "POST"])
@login_required
def change_password_view():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(db.session, current_user, form.current.data, form.new.data)
        except AuthError as exc:
            form.new.errors.append(str(exc))
        else:
            db.session.commit()
            login_user(current_user)  # re-issue the session with the new version
            flash("Kata sandi berhasil diganti. Sesi di perangkat lain telah diakhiri.", "success")
            return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form)
