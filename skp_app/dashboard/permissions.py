"""Who sees which dashboard section, report and document (deny by default).

Scopes follow one convention: ``None`` means every OPD, a set lists the OPD ids the user may
see, and an empty set means none (HTTP 403 on pages that need a scope).
"""

from __future__ import annotations

from skp_app.auth.permissions import covers_opd, has_any_role, is_authenticated

__all__ = [
    "SECTION_LABELS",
    "can_print_evaluasi",
    "can_print_recap",
    "can_count_findings",
    "can_print_skp",
    "can_view_opd_dashboard",
    "dashboard_sections",
    "evaluator_scope",
    "merit_scope",
    "monitoring_scope",
    "opd_dashboard_scope",
    "workload_scope",
]

#: Dashboard sections in the order they are offered (the first is shown after login).
SECTION_LABELS: dict[str, str] = {
    "pimpinan": "Pimpinan daerah",
    "opd": "Perangkat daerah",
    "evaluator": "Evaluator",
    "hr": "Kepegawaian",
    "pegawai": "Kinerja saya",
}


def _pid(user) -> int | None:
    return getattr(user, "pegawai_id", None) if is_authenticated(user) else None


def _union_scope(user, roles: tuple[str, ...]) -> set[int] | None:
    scope: set[int] = set()
    for role in roles:
        if user.has_role(role):
            units = user.scope_units(role)
            if units is None:
                return None
            scope |= units
    return scope


def dashboard_sections(user, *, led_opd_id: int | None = None) -> list[str]:
    """Return the dashboard sections of ``user`` in display order.

    ``led_opd_id`` is the OPD the user's employee leads (a JPT or the head of an OPD), if any.
    """
    if not is_authenticated(user):
        return []
    sections = []
    if has_any_role(user, "pimpinan", "admin"):
        sections.append("pimpinan")
    # Operators and OPD heads look at their OPD first; regency-wide roles open it as a later
    # tab (drill-down from the ranking).
    own_opd = has_any_role(user, "opd_operator") or led_opd_id is not None
    if own_opd:
        sections.append("opd")
    if has_any_role(user, "evaluator"):
        sections.append("evaluator")
    if has_any_role(user, "hr", "admin"):
        sections.append("hr")
    if not own_opd and has_any_role(user, "admin", "pimpinan", "hr"):
        sections.append("opd")
    if _pid(user) is not None:
        sections.append("pegawai")
    return sections


def opd_dashboard_scope(user, *, led_opd_id: int | None = None) -> set[int] | None:
    """Return the OPD ids whose OPD dashboard ``user`` may open (None = all)."""
    if not is_authenticated(user):
        return set()
    if has_any_role(user, "admin", "pimpinan", "hr"):
        return None
    scope = _union_scope(user, ("opd_operator",))
    if scope is None:
        return None
    if led_opd_id is not None:
        scope.add(led_opd_id)
    return scope


def can_view_opd_dashboard(user, opd_id: int, *, led_opd_id: int | None = None) -> bool:
    """Admin, HR, pimpinan; the OPD's operator; the head (JPT) of that OPD."""
    scope = opd_dashboard_scope(user, led_opd_id=led_opd_id)
    return scope is None or opd_id in scope


def evaluator_scope(user) -> set[int] | None:
    """Return the OPD ids an evaluator reviews (None = all, empty = not an evaluator)."""
    if not has_any_role(user, "evaluator"):
        return set()
    return _union_scope(user, ("evaluator",))


def monitoring_scope(user) -> set[int] | None:
    """Monitoring pengisian: admin, HR, pimpinan all; operators and evaluators their OPDs."""
    if not is_authenticated(user):
        return set()
    if has_any_role(user, "admin", "hr", "pimpinan"):
        return None
    return _union_scope(user, ("opd_operator", "evaluator"))


def workload_scope(user) -> set[int] | None:
    """Beban kerja: admin, HR, pimpinan all; an OPD operator their OPDs."""
    if not is_authenticated(user):
        return set()
    if has_any_role(user, "admin", "hr", "pimpinan"):
        return None
    return _union_scope(user, ("opd_operator",))


def merit_scope(user) -> set[int] | None:
    """Peta merit: HR, admin, pimpinan all; an OPD operator their OPDs."""
    return workload_scope(user)


def can_print_skp(user, skp) -> bool:
    """The same readers as the SKP page: the owner, the pejabat penilai and the atasan pejabat
    penilai, admin, HR, pimpinan, and the operator or evaluator of the SKP's OPD."""
    if not is_authenticated(user):
        return False
    pid = _pid(user)
    if pid is not None and pid in {
        skp.pegawai_id,
        skp.penilai_pegawai_id,
        skp.atasan_penilai_pegawai_id,
    }:
        return True
    if has_any_role(user, "admin", "hr", "pimpinan"):
        return True
    return covers_opd(user, "opd_operator", skp.opd_id) or covers_opd(user, "evaluator", skp.opd_id)


def can_print_evaluasi(user, skp) -> bool:
    """The same readers as the evaluation page: the employee, the penilai and the atasan
    penilai, admin, HR, pimpinan and the operator of the SKP's OPD."""
    if not is_authenticated(user):
        return False
    pid = _pid(user)
    if pid is not None and pid in {
        skp.pegawai_id,
        skp.penilai_pegawai_id,
        skp.atasan_penilai_pegawai_id,
    }:
        return True
    if has_any_role(user, "admin", "hr", "pimpinan"):
        return True
    return covers_opd(user, "opd_operator", skp.opd_id)


def can_print_recap(user, opd_id: int | None) -> bool:
    """The same readers as the recap page: admin and HR every recap, an OPD operator the recaps
    of their OPDs (a regency-wide recap, ``opd_id`` None, is admin and HR only)."""
    if has_any_role(user, "admin", "hr"):
        return True
    return opd_id is not None and covers_opd(user, "opd_operator", opd_id)


def can_count_findings(user) -> bool:
    """Starting a count of the cascade findings (a read-only check): evaluators and admin."""
    return has_any_role(user, "evaluator", "admin")
