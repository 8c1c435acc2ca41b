"""Who may see the cascade, its findings and matrices, and act on alignment reviews.

Deny by default. Admin and pimpinan see every OPD's tree; opd_operator and evaluator only the
OPDs of their role scope (an unscoped evaluator sees all); HR sees the findings of every OPD
(to follow up personnel data, V7); an employee sees the lineage of their own RHK up to the
regent and, as a superior, their own Matriks Peran Hasil. Reviews: an evaluator covering the
OPD records, closes and reopens; an operator of that OPD marks items fixed; admin reads.
"""

from __future__ import annotations

from skp_app.auth.permissions import covers_opd, has_any_role, is_authenticated

__all__ = [
    "can_act_on_review",
    "can_close_review_item",
    "can_create_review",
    "can_fix_review",
    "can_mark_review_item_fixed",
    "can_view_findings",
    "can_view_impact",
    "can_view_lineage",
    "can_view_matrix",
    "can_view_regency",
    "can_view_review",
    "can_view_tree",
    "evaluator_scope",
    "findings_scope",
    "review_scope",
    "tree_scope",
]


def _scope(user, roles_all: tuple[str, ...], scoped: tuple[str, ...]) -> set[int] | None:
    """Return the OPD ids ``user`` reaches: None for all, an empty set for none."""
    if not is_authenticated(user):
        return set()
    if has_any_role(user, *roles_all):
        return None
    found: set[int] = set()
    for role in scoped:
        if user.has_role(role):
            units = user.scope_units(role)
            if units is None:
                return None
            found |= units
    return found


def tree_scope(user) -> set[int] | None:
    """Return the OPDs whose performance tree ``user`` may open (None: all)."""
    return _scope(user, ("admin", "pimpinan"), ("opd_operator", "evaluator"))


def findings_scope(user) -> set[int] | None:
    """Return the OPDs whose findings ``user`` may list (None: all)."""
    return _scope(user, ("admin", "hr"), ("opd_operator", "evaluator"))


def evaluator_scope(user) -> set[int] | None:
    """Return the OPDs ``user`` may review as evaluator (None: all, empty: none)."""
    if not is_authenticated(user) or not user.has_role("evaluator"):
        return set()
    return user.scope_units("evaluator")


def review_scope(user) -> set[int] | None:
    """Return the OPDs whose reviews ``user`` may read (None: all)."""
    return _scope(user, ("admin",), ("opd_operator", "evaluator"))


def _in(scope: set[int] | None, opd_id: int | None) -> bool:
    return scope is None or (opd_id is not None and opd_id in scope)


def can_view_regency(user) -> bool:
    """The tree of the whole regency (every OPD at once): admin, pimpinan, unscoped roles."""
    return is_authenticated(user) and tree_scope(user) is None


def can_view_tree(user, opd_id: int | None) -> bool:
    """The performance tree of one OPD."""
    return is_authenticated(user) and _in(tree_scope(user), opd_id)


def can_view_lineage(user, pegawai_id: int, opd_id: int | None) -> bool:
    """One employee's lineage up to the regent: the employee, or whoever sees the OPD's tree."""
    if not is_authenticated(user):
        return False
    if user.pegawai_id is not None and user.pegawai_id == pegawai_id:
        return True
    return can_view_tree(user, opd_id)


def can_view_impact(user, owner_pegawai_id: int | None, opd_id: int | None) -> bool:
    """The impact of a node: who sees the tree, or the owner of the RHK."""
    if not is_authenticated(user):
        return False
    if owner_pegawai_id is not None and user.pegawai_id == owner_pegawai_id:
        return True
    return can_view_tree(user, opd_id)


def can_view_findings(user, opd_id: int | None) -> bool:
    """The findings list of one OPD."""
    return is_authenticated(user) and _in(findings_scope(user), opd_id)


def can_view_matrix(user, superior_pegawai_id: int, opd_id: int | None) -> bool:
    """The Matriks Peran Hasil of a superior: the superior, the OPD's operator or evaluator,
    admin."""
    if not is_authenticated(user):
        return False
    if user.pegawai_id is not None and user.pegawai_id == superior_pegawai_id:
        return True
    if has_any_role(user, "admin"):
        return True
    return covers_opd(user, "opd_operator", opd_id) or covers_opd(user, "evaluator", opd_id)


def can_view_review(user, review) -> bool:
    """Read a review: admin, or an evaluator or operator of its OPD."""
    return is_authenticated(user) and _in(review_scope(user), review.opd_id)


def can_create_review(user, opd_id: int | None) -> bool:
    """Record a review of an OPD: an evaluator covering the OPD."""
    return covers_opd(user, "evaluator", opd_id)


def can_act_on_review(user, review) -> bool:
    """Close the review, close or reopen its items: an evaluator covering its OPD."""
    return covers_opd(user, "evaluator", review.opd_id)


def can_close_review_item(user, item) -> bool:
    """Close or reopen an item: an evaluator covering the review's OPD."""
    return can_act_on_review(user, item.review)


def can_fix_review(user, review) -> bool:
    """Mark the items of a review fixed: an operator of the review's OPD."""
    return covers_opd(user, "opd_operator", review.opd_id)


def can_mark_review_item_fixed(user, item) -> bool:
    """Mark an item fixed: an operator of the review's OPD (nobody else)."""
    return covers_opd(user, "opd_operator", item.review.opd_id)
