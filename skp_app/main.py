"""The landing page after login and a health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, url_for
from flask_login import login_required
from sqlalchemy import text

from skp_app.extensions import db

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def index():
    # The dashboard package, when installed, provides the role dashboards.
    if "dashboard.home" in current_app.view_functions:
        return redirect(url_for("dashboard.home"))
    return render_template("main/index.html")


@bp.route("/healthz")
def health():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
