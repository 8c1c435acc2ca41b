"""Helpers shared by the tests (import them from ``tests.helpers``)."""

from __future__ import annotations

import itertools
import re
from datetime import date

TEST_PASSWORD = "Rahasia123"


def csrf_token_from(html: str) -> str:
    """Return the CSRF token embedded in a rendered form."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no csrf_token in page"
    return match.group(1)


_seq = itertools.count(1)


def make_nip(
    birth: date = date(1986, 2, 16),
    tmt: tuple[int, int] = (2010, 3),
    gender: int = 1,
    seq: int | None = None,
) -> str:
    """Return a NIP that validates (unique sequence per call unless ``seq`` is given)."""
    n = seq if seq is not None else next(_seq) % 999 + 1
    return f"{birth:%Y%m%d}{tmt[0]:04d}{tmt[1]:02d}{gender}{n:03d}"
