"""Time helpers: the database stores naive UTC datetimes; pages show WIB (UTC+7)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

WIB = timezone(timedelta(hours=7), "WIB")


def utcnow() -> datetime:
    """Return the current UTC time as a naive datetime (the storage convention)."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_wib(value: datetime | None) -> datetime | None:
    """Return a stored naive-UTC datetime in WIB for display."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(WIB)
