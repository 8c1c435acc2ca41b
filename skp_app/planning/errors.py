"""Exceptions of the planning domain; messages are Indonesian and shown to users as they are."""

from __future__ import annotations

__all__ = ["PlanningError", "PlanningForbidden", "PlanningValidationError", "WorkflowError"]


class PlanningError(Exception):
    """Base class: a planning operation was refused."""


class WorkflowError(PlanningError):
    """The SKP (or period) is not in a state that allows the action (HTTP 409)."""


class PlanningForbidden(PlanningError):
    """The actor may not perform the action on this object (HTTP 403)."""


class PlanningValidationError(PlanningError):
    """Input is invalid; ``fields`` maps a form field name to its Indonesian messages (HTTP 422).

    Field names follow the HTML forms (``teks``, ``iki-0-target``); the API turns ``-`` into
    ``.`` (``iki.0.target``).
    """

    def __init__(self, fields: dict[str, list[str]] | None = None, message: str | None = None):
        self.fields: dict[str, list[str]] = {k: list(v) for k, v in (fields or {}).items()}
        if message is None:
            first = next(iter(self.fields.values()), ["Isian tidak valid."])
            message = first[0] if first else "Isian tidak valid."
        super().__init__(message)

    @property
    def message(self) -> str:
        return str(self)

    def messages(self) -> list[str]:
        """Return every message (for a flash or a log line)."""
        return [m for msgs in self.fields.values() for m in msgs] or [str(self)]
