"""The calendar the tracker counts in: today where the delegates are, month arithmetic, and the
:class:`Period` every list, figure, drill-down and export is asked about.

One module for every area, so a month is added, bounded and named the same way everywhere
(due dates, trends, closed months, the bulletin's title).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _


def local_today() -> date:
    """Today's date where the delegates are (Asia/Shanghai by default)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.now(UTC).astimezone(zone).date()


def month_start(day: date) -> date:
    """The first day of ``day``'s month (the key monthly counts are kept under)."""
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), or that month's last day when it is shorter
    (30 November + 3 → 28/29 February). A first of month stays a first of month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """First day of the month and first day of the next month."""
    start = date(year, month, 1)
    return start, add_months(start, 1)


# The years a campaign's dates may fall in: a date outside them is a typing mistake (or an
# attack), and month arithmetic near year 1 or 9999 would leave the calendar.
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_RANGE_YEARS = 20  # the longest period a page is asked for
_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")


def in_calendar(day: date) -> bool:
    """Whether ``day`` falls in the years the tracker accepts (MIN_YEAR to MAX_YEAR)."""
    return MIN_YEAR <= day.year <= MAX_YEAR


def parse_month(value: str | None) -> tuple[int, int] | None:
    """'2024-05' → (2024, 5); anything else, or a year outside MIN_YEAR..MAX_YEAR → None."""
    match = _MONTH.fullmatch(value or "")
    if match is None:
        return None
    year, month = int(match[1]), int(match[2])
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        return None
    return year, month


def as_date(value: Any) -> date | None:
    """A date read back from the database: SQLite gives computed dates (a month key, a
    maximum) as text, PostgreSQL as dates."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Period:
    """Days from ``start`` up to ``end`` (exclusive): a month, a range of whole months, or a
    month so far (``start`` a first of month, ``end`` the day after today)."""

    start: date
    end: date

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(*month_bounds(year, month))

    @classmethod
    def month_of(cls, day: date) -> Period:
        """The whole month ``day`` falls in."""
        return cls.month(day.year, day.month)

    @classmethod
    def month_to_date(cls, today: date) -> Period:
        """The current month up to and including ``today``."""
        return cls(month_start(today), today + timedelta(days=1))

    @classmethod
    def months_to(cls, last: Period, count: int) -> Period:
        """``count`` months ending with ``last``'s last month (for trends)."""
        return cls(add_months(month_start(last.last_day), 1 - count), last.end)

    @classmethod
    def quarter_of(cls, day: date) -> Period:
        first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return cls(first, add_months(first, 3))

    @classmethod
    def parse(cls, value: str | None, today: date) -> Period:
        """'2024-05' or '2024-04..2024-06'; anything else (a year outside MIN_YEAR..MAX_YEAR,
        a range that ends before it starts) gives this month."""
        return cls.parse_or_none(value) or cls.month(today.year, today.month)

    @classmethod
    def parse_or_none(cls, value: str | None) -> Period | None:
        """:meth:`parse`, but None for a value that is not a period."""
        first, _sep, last = (value or "").partition("..")
        start, end = parse_month(first), parse_month(last) if last else parse_month(first)
        if start is None or end is None:
            return None
        period = cls(date(*start, 1), add_months(date(*end, 1), 1))
        if period.end <= period.start or period.end.year - period.start.year > MAX_RANGE_YEARS:
            return None
        return period

    @property
    def months(self) -> list[date]:
        """The first day of every month the period touches."""
        out, day = [], month_start(self.start)
        while day < self.end:
            out.append(day)
            day = add_months(day, 1)
        return out

    @property
    def is_whole_months(self) -> bool:
        """Starts on a first of month and ends on one (not a month so far)."""
        return self.start.day == 1 and self.end.day == 1

    def previous(self) -> Period:
        """The period of the same number of months just before this one."""
        return Period(add_months(self.start, -len(self.months)), self.start)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def to_arg(self) -> str:
        """The query-string form :meth:`parse` reads back."""
        first = f"{self.start:%Y-%m}"
        last = f"{self.last_day:%Y-%m}"
        return first if first == last else f"{first}..{last}"


def period_label(period: Period) -> str:
    """'2024年5月', or '2024年4月 至 2024年6月' for several months ('May 2024' in English)."""
    locale = get_locale()
    first = format_skeleton("yMMM", period.start, locale=locale)
    if len(period.months) == 1:
        return first
    last = format_skeleton("yMMM", period.last_day, locale=locale)
    return _("%(first)s 至 %(last)s", first=first, last=last)
