"""Signals planning sends so that higher layers (cascading) can react without being imported.

Planning sits below cascading in the dependency direction, so it cannot call the cascade
checks itself. Instead, after an operation has written and flushed RHK rows it sends::

    from flask import current_app
    from skp_app.planning.signals import rhk_saved

    rhk_saved.send(current_app._get_current_object(), rhk_ids=[rhk.id])

Receivers (``skp_app.cascading.hooks`` re-checks the cascade around each RHK and flashes what
it finds) run in the same request and database session, before the caller commits; a receiver
must not commit or roll back.
"""

from __future__ import annotations

from blinker import Namespace

__all__ = ["rhk_saved"]

_signals = Namespace()

#: Sent with ``rhk_ids=[...]`` after RHK rows were created or changed and flushed.
rhk_saved = _signals.signal("rhk-saved")
