"""The main navigation: each domain's views module registers its entries for the roles it serves."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for

__all__ = ["NavItem", "nav_items", "register_nav"]


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    roles: frozenset[str]
    order: int = 50
    help: str = ""

    @property
    def url(self) -> str:
        return url_for(self.endpoint)


_ITEMS: list[NavItem] = []


def register_nav(
    label: str, endpoint: str, roles: set[str] | tuple[str, ...], *, order: int = 50, help: str = ""
) -> None:  # noqa: A002
    """Show ``label`` in the navigation of users holding one of ``roles``."""
    item = NavItem(label, endpoint, frozenset(roles), order, help)
    if item not in _ITEMS:
        _ITEMS.append(item)


def nav_items(roles: set[str]) -> list[NavItem]:
    """Return the entries visible to a user with ``roles``, in order."""
    views = current_app.view_functions
    return sorted(
        (i for i in _ITEMS if i.roles & roles and i.endpoint in views), key=lambda i: i.order
    )


register_nav(
    "OPD",
    "org.list_opd",
    {"admin", "hr", "pimpinan", "opd_operator", "evaluator"},
    order=80,
    help="Struktur perangkat daerah dan unit kerja.",
)
register_nav(
    "Pegawai",
    "org.list_pegawai",
    {"admin", "hr", "pimpinan", "opd_operator", "evaluator"},
    order=81,
    help="Cari pegawai berdasarkan nama atau NIP.",
)
