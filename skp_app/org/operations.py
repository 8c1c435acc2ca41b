"""Changes to personnel data made by hand (sync has its own engine)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from skp_app.audit.operations import record, snapshot
from skp_app.org.models import Pegawai
from skp_app.org.queries import direct_superior

__all__ = ["OrgError", "set_superior_override", "superior_chain"]


class OrgError(Exception):
    """An organisation change was refused; the message is for the user."""


def superior_chain(session: Session, pegawai: Pegawai, limit: int = 12) -> list[Pegawai]:
    """Return the superiors of ``pegawai`` from the direct one upwards (stops on a loop)."""
    chain: list[Pegawai] = []
    seen = {pegawai.id}
    current = pegawai
    for _ in range(limit):
        sup = direct_superior(session, current)
        if sup is None or sup.id in seen:
            break
        chain.append(sup)
        seen.add(sup.id)
        current = sup
    return chain


def set_superior_override(
    session: Session, pegawai: Pegawai, superior: Pegawai | None, jenis: str | None, *, actor
) -> None:
    """Set (or clear, with ``superior=None``) the hand-chosen superior of ``pegawai``."""
    before = snapshot(pegawai, ["atasan_override_id", "atasan_override_jenis"])
    if superior is not None:
        if superior.id == pegawai.id:
            raise OrgError("Pegawai tidak dapat menjadi atasan dirinya sendiri.")
        if not superior.is_active_service:
            raise OrgError("Atasan yang dipilih tidak berstatus aktif.")
        if jenis not in {"plt", "plh", "koreksi"}:
            raise OrgError("Jenis penetapan atasan harus Plt, Plh atau koreksi data.")
        if any(p.id == pegawai.id for p in superior_chain(session, superior)):
            raise OrgError("Penetapan ini membuat atasan berputar (siklus) dalam struktur.")
    pegawai.atasan_override_id = superior.id if superior else None
    pegawai.atasan_override_jenis = jenis if superior else None
    record(
        session,
        "pegawai.superior_override",
        "pegawai",
        pegawai.id,
        actor=actor,
        before=before,
        after=snapshot(pegawai, ["atasan_override_id", "atasan_override_jenis"]),
        summary=f"Atasan langsung {pegawai.nama} diubah",
    )
    session.flush()
