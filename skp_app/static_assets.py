"""Serve plotly.js from the installed plotly package (no CDN: offices are often offline)."""

from __future__ import annotations

from pathlib import Path

import plotly
from flask import Blueprint, send_file

bp = Blueprint("assets", __name__)
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
ONE_YEAR = 365 * 24 * 3600


@bp.route(f"/vendor/plotly-{plotly.__version__}.min.js")
def plotly_js():
    response = send_file(PLOTLY_JS, mimetype="text/javascript", max_age=ONE_YEAR, conditional=True)
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response
