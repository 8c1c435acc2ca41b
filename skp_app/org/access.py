"""Access rule of the personnel domain: an employee who leaves active service loses access."""

from __future__ import annotations

from sqlalchemy import select

from skp_app.auth.access import register_access_check
from skp_app.extensions import db
from skp_app.org.models import Pegawai
from skp_app.org.reference import KEDUDUKAN_HUKUM


@register_access_check
def pegawai_in_active_service(user) -> bool:
    """Allow accounts without an employee, and employees whose kedudukan hukum is active."""
    if user.pegawai_id is None:
        return True
    code = db.session.scalar(
        select(Pegawai.kedudukan_hukum_id).where(Pegawai.id == user.pegawai_id)
    )
    k = KEDUDUKAN_HUKUM.get(code or "")
    return bool(k and k.is_active_service)
