"""Jinja filters and globals shared by every page."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import plotly
from flask import Flask, request, url_for

from skp_app.navigation import nav_items
from skp_app.org.nip import format_nip
from skp_app.timeutil import to_wib

BULAN = [
    "",
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


def tanggal(value: date | datetime | None, with_time: bool = False) -> str:
    """Format a date as ``16 Februari 2026`` (datetimes are shown in WIB)."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        local = to_wib(value)
        text = f"{local.day} {BULAN[local.month]} {local.year}"
        return f"{text} {local:%H:%M} WIB" if with_time else text
    return f"{value.day} {BULAN[value.month]} {value.year}"


def angka(value, digits: int = 0) -> str:
    """Format a number the Indonesian way: ``1.234.567,50``."""
    if value is None or value == "":
        return "-"
    number = Decimal(str(value))
    text = f"{number:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def rupiah(value) -> str:
    return "Rp " + angka(value, 0)


def url_with(**changes) -> str:
    """Return the current URL with some query arguments replaced (for pagination, filters)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def init_templating(app: Flask) -> None:
    app.jinja_env.filters.update(
        tanggal=tanggal, angka=angka, rupiah=rupiah, nip=lambda v: format_nip(v or "") or "-"
    )
    app.jinja_env.globals.update(
        url_with=url_with,
        nav_items=nav_items,
        nama_bulan=BULAN,
        plotly_js_url=lambda: url_for("assets.plotly_js"),
        plotly_version=plotly.__version__,
    )
