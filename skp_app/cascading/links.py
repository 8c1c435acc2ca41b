"""Links from cascade pages and API answers to the pages where things are fixed.

Planning owns the SKP and goal pages; these helpers build their URLs and survive an endpoint
that is not there (yet), falling back to the SKP view or print page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import url_for
from werkzeug.routing import BuildError

__all__ = ["fix_url", "safe_url", "skp_url"]


def safe_url(endpoint: str, fallback: tuple[str, dict] | None = None, **values) -> str | None:
    """``url_for`` that survives an endpoint another package has not written yet."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        if fallback is not None:
            try:
                return url_for(fallback[0], **fallback[1])
            except BuildError:
                return None
        return None


def skp_url(skp_id: int | None, *, edit: bool = False, rhk_id: int | None = None) -> str | None:
    if skp_id is None:
        return None
    fallback = ("planning.print_skp", {"skp_id": skp_id})
    if edit:
        return safe_url("planning.edit_skp", fallback, skp_id=skp_id)
    url = safe_url("planning.view_skp", fallback, skp_id=skp_id)
    return f"{url}#rhk-{rhk_id}" if url and rhk_id else url


def fix_url(f, data: Mapping[str, Mapping[str, Any]], tahun: int | None) -> str | None:
    """Return the page where a finding is fixed: the owner's SKP editor, or the goal page."""
    if f.nodes:
        d = data.get(f.nodes[0]) or {}
        kind = d.get("kind")
        if kind == "rhk":
            return skp_url(d.get("skp_id"), edit=True)
        if kind in ("opd_goal", "regent_goal"):
            return safe_url(
                "planning.edit_sasaran",
                ("planning.list_sasaran", {}),
                sasaran_id=d.get("db_id"),
            )
        return None
    if f.owner_pegawai_id is not None:
        return safe_url(
            "planning.monitoring",
            ("org.view_pegawai", {"pegawai_id": f.owner_pegawai_id}),
            opd=f.opd_id,
            tahun=tahun,
        )
    return None
