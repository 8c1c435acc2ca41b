"""Forms of the cascading pages: the review form, item actions, and the findings filters.

The review form has a fixed part (a :class:`ReviewForm`: verdict, due date, summary, the
idempotency key) and a dynamic part read by :func:`review_input_from`: the V1–V7 checklist
(``check-V1`` = ``sesuai``/``tidak``, ``note-V1``), a note per RHK (``note-rhk-<id>`` with an
optional ``rule-rhk-<id>``) and the findings picked as items (``finding`` = the finding key).
Forms check the shape of the input; the operations check the rules and the scope of every id.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from skp_app.cascading.models import V_RULES, VERDICTS
from skp_app.cascading.operations import MAX_NOTE, MAX_SUMMARY, ReviewInput
from skp_app.cascading.rules import FINDING_CODES, SEVERITIES

__all__ = [
    "FindingFilters",
    "ItemActionForm",
    "ReviewForm",
    "findings_filters_from",
    "new_request_key",
    "review_input_from",
]

_NOTE_RHK = re.compile(r"^note-rhk-(\d{1,12})$")


def new_request_key() -> str:
    """Return a fresh idempotency key for a form (uuid4)."""
    return str(uuid.uuid4())


class ReviewForm(FlaskForm):
    """The fixed part of the review form."""

    verdict = RadioField(
        "Verdikt",
        choices=[SelectChoice(k, v) for k, v in VERDICTS.items()],
        validators=[InputRequired("Pilih verdikt: selaras atau perlu perbaikan.")],
    )
    due_date = DateField(
        "Tenggat perbaikan",
        validators=[InputRequired("Isi tenggat perbaikan (tanggal).")],
        format="%Y-%m-%d",
    )
    summary = TextAreaField(
        "Ringkasan reviu",
        validators=[Optional(), Length(max=MAX_SUMMARY, message="Ringkasan terlalu panjang.")],
    )
    request_key = HiddenField()


class ItemActionForm(FlaskForm):
    """A note for an action on a review item (mark fixed, close, reopen)."""

    note = TextAreaField(
        "Catatan", validators=[Length(max=MAX_NOTE, message="Catatan terlalu panjang.")]
    )


def review_input_from(
    form: Mapping[str, str],
    getlist,
    *,
    opd_id: int,
    tahun: int,
    verdict: str | None,
    due_date: date | None,
    summary: str,
    request_key: str | None,
) -> ReviewInput:
    """Build the operation input from the posted form (the dynamic fields included)."""
    checklist: dict[str, tuple[bool | None, str]] = {}
    for rule in V_RULES:
        answer = (form.get(f"check-{rule}") or "").strip()
        passed = True if answer == "sesuai" else False if answer == "tidak" else None
        checklist[rule] = (passed, (form.get(f"note-{rule}") or "").strip())
    rhk_notes: list[tuple[int, str, str]] = []
    for key in sorted(form):
        m = _NOTE_RHK.match(key)
        if m and (form.get(key) or "").strip():
            rid = int(m.group(1))
            rule = (form.get(f"rule-rhk-{rid}") or "").strip()
            rhk_notes.append((rid, rule, form[key]))
    return ReviewInput(
        opd_id=opd_id,
        tahun=tahun,
        verdict=verdict or "",
        due_date=due_date,
        summary=summary or "",
        checklist=checklist,
        rhk_notes=rhk_notes,
        finding_keys=[k for k in getlist("finding") if k],
        request_key=(request_key or "")[:64] or None,
    )


@dataclass(frozen=True)
class FindingFilters:
    """Filters of the findings list (every field optional)."""

    severity: str | None = None
    code: str | None = None
    owner: int | None = None

    def apply(self, findings):
        """Return the findings that pass the filters."""
        return [
            f
            for f in findings
            if (self.severity is None or f.severity == self.severity)
            and (self.code is None or f.code == self.code)
            and (self.owner is None or f.owner_pegawai_id == self.owner)
        ]

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.severity, self.code, self.owner))


def findings_filters_from(args: Mapping[str, str]) -> FindingFilters:
    """Read the filters from query arguments; unknown values are ignored."""
    severity = args.get("severity") or None
    code = args.get("code") or None
    owner_text = (args.get("owner") or "").strip()
    return FindingFilters(
        severity=severity if severity in SEVERITIES else None,
        code=code if code in FINDING_CODES else None,
        owner=int(owner_text) if owner_text.isdigit() and len(owner_text) < 10 else None,
    )
