"""How the dashboard shows a figure: beside the period before, as a count or a rate, with a
link to the list behind it. Template helpers only; no figure is counted here."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from flask import render_template, url_for
from flask_babel import format_number, format_percent
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from ..dates import Period


def record_url(delegate_id: int) -> str | None:
    """The delegate's record (履职档案), once that page exists."""
    try:
        return url_for("delegates.record", delegate_id=delegate_id)
    except BuildError:
        return None


class Change(NamedTuple):
    """A figure of this period beside the same figure of the period before."""

    now: int | float | None
    before: int | float | None

    @property
    def delta(self) -> int | float | None:
        if self.now is None or self.before is None:
            return None
        return self.now - self.before


def changes(now: Any, before: Any, names: tuple[str, ...]) -> dict[str, Change]:
    """The same named figures of two periods, side by side."""
    return {name: Change(getattr(now, name), getattr(before, name)) for name in names}


def pct(value: float | None) -> str:
    """0.753 → '75.3%'; no rate (nothing to divide by) → '—'."""
    return "—" if value is None else format_percent(value, "#,##0.#%")


def num(value: int | None) -> str:
    return "—" if value is None else format_number(value)


def points_in_change(delta: float) -> str:
    """A change of rate in percentage points."""
    return _("%(n)s 个百分点", n=format_number(round(abs(delta) * 100, 1)))


def template_helpers() -> dict[str, Any]:
    return {
        "pct": pct,
        "num": num,
        "points_in_change": points_in_change,
        "record_url": record_url,
    }


def no_campaign():
    return render_template("dashboard/empty.html", **template_helpers())


def quick_periods(today: date) -> list[tuple[str, Period]]:
    """本月, 上月, 本季度, 近12个月."""
    this_month = Period.month(today.year, today.month)
    return [
        (_("本月"), this_month),
        (_("上月"), this_month.previous()),
        (_("本季度"), Period.quarter_of(today)),
        (_("近12个月"), Period.months_to(this_month, 12)),
    ]
