"""Re-check the cascade each time planning saves an RHK, and tell the user what is wrong.

Planning cannot import cascading (it sits below it), so it sends
:data:`skp_app.planning.signals.rhk_saved` after flushing; the receiver here runs
:func:`~skp_app.cascading.queries.check_rhk_saved` for each RHK and, inside a request, flashes
the findings that name one of the saved RHK (errors as ``danger``, the rest as ``warning``).
The check only reads, inside a savepoint: a failure is logged and never breaks the save.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import flash, has_request_context
from sqlalchemy.orm import Session

from skp_app.cascading.graph import node_id
from skp_app.cascading.queries import check_rhk_saved
from skp_app.cascading.rules import Finding
from skp_app.planning.signals import rhk_saved

__all__ = ["MAX_FLASHES", "findings_for_saved", "on_rhk_saved"]

log = logging.getLogger(__name__)

#: At most this many findings are flashed after one save; the rest are counted.
MAX_FLASHES = 5
_CATEGORY = {"error": "danger", "warning": "warning", "info": "info"}


def findings_for_saved(session: Session, rhk_ids: Iterable[int]) -> list[Finding]:
    """Return the findings that name one of the saved RHK (each finding once)."""
    found: dict[Finding, None] = {}
    for rid in dict.fromkeys(int(r) for r in rhk_ids):
        node = node_id("rhk", rid)
        for f in check_rhk_saved(session, rid):
            if node in f.nodes:
                found.setdefault(f, None)
    return list(found)


def on_rhk_saved(sender, rhk_ids: Iterable[int] = (), **_extra) -> list[Finding]:
    """Receiver of ``rhk_saved``: check the saved RHK and flash the findings about them."""
    from skp_app.extensions import db

    ids = list(rhk_ids or ())
    if not ids:
        return []
    session = db.session
    try:
        with session.begin_nested():
            found = findings_for_saved(session, ids)
    except Exception:  # the save must go on even if the check fails
        log.exception("cascade check after saving RHK %s failed", ids)
        return []
    if has_request_context() and found:
        for f in found[:MAX_FLASHES]:
            flash(f"Pemeriksaan cascading: {f.message}", _CATEGORY.get(f.severity, "warning"))
        if len(found) > MAX_FLASHES:
            flash(
                f"… dan {len(found) - MAX_FLASHES} temuan cascading lain untuk RHK ini. Lihat "
                "halaman Temuan cascading.",
                "warning",
            )
    return found


rhk_saved.connect(on_rhk_saved)
