"""Dates in the campaign's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def local_today() -> date:
    """Today's date where the delegates are (Asia/Shanghai by default)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.now(UTC).astimezone(zone).date()


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """First day of the month and first day of the next month."""
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    return start, end
