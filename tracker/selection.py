"""What a viewer asked a list or a figure for, read from the query string once for every page.

:func:`read_selection` turns ``?month=``/``?period=``, ``?delegation=``, ``?level=``,
``?type=``, ``?initiative=``, ``?kind=``, ``?focus=``, ``?call=`` and ``?status=`` into a
:class:`~tracker.dates.Period` and a :class:`~tracker.reports.filters.Filters`, with the
arguments that reproduce them (for links and the filter bars' selected options) and the
selection in words. A value that is unknown, retired from the choices or outside the viewer's
delegations is ignored, never an error. Only the arguments a page names are read, and a
campaign list is looked at only when its argument is present, so a page pays for nothing it
was not asked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .dates import MAX_YEAR, MIN_YEAR, Period, period_label
from .enums import ActivityStatus, DelegateType, Level
from .extensions import db
from .models import CallToAction, Campaign, Delegation
from .permissions import Scope
from .reports.filters import Filters, delegation_choices

# Every argument a page may name, in the order they are described.
KEYS = ("period", "delegation", "level", "type", "initiative", "kind", "focus", "call", "status")

AREA_GROUPS = {"development": _l("发展领域"), "proposal": _l("建言领域")}


class Described(NamedTuple):
    key: str  # the query argument: period, delegation, level, type, initiative, kind, focus …
    text: str


@dataclass(frozen=True)
class Selection:
    """A period and filters read from the query string, with the arguments that reproduce them."""

    campaign: Campaign | None
    period: Period | None
    filters: Filters
    args: dict[str, str]
    described: tuple[Described, ...]
    delegations: list[Delegation] = field(default_factory=list)  # the choices offered

    def url(self, endpoint: str, **changes: Any) -> str:
        """``endpoint`` with the same period and filters, some changed (None drops one)."""
        args = {**self.args, **changes}
        return url_for(endpoint, **{k: v for k, v in args.items() if v is not None})

    def words(self, *keys: str) -> list[str]:
        """The period and filters in words; only ``keys`` when given."""
        return [d.text for d in self.described if not keys or d.key in keys]

    def arg(self, key: str) -> str | None:
        """The argument as it reproduces the selection (a code, an id, a month), if any."""
        return self.args.get(key)


def _by_value(enum_cls: Any, value: str | None) -> Any:
    return enum_cls(value) if value in enum_cls._value2member_map_ else None


def area_labels(campaign: Campaign) -> dict[int, str]:
    """Focus area names, with their group where two groups share a name (科技创新)."""
    seen: dict[str, int] = {}
    for area in campaign.focus_areas:
        seen[area.name] = seen.get(area.name, 0) + 1
    return {
        a.id: f"{a.name}（{AREA_GROUPS.get(a.group, a.group)}）" if seen[a.name] > 1 else a.name
        for a in campaign.focus_areas
    }


def _read_period(args: Any, today: date, default_period: bool) -> Period | None:
    """``?month=2024-05`` wins when it is a month; else ``?period=`` (a month or a range).
    A value given that is not one is said so on the page (a flashed notice), and the
    default is shown."""
    month, value = args.get("month") or "", args.get("period") or ""
    period = Period.parse_or_none(month) or Period.parse_or_none(value)
    if period is None and (month or value):
        say_period_refused(month or value, _("已按默认期间显示。"))
    if period is not None:
        return period
    return Period.parse(None, today) if default_period else None


def say_period_refused(value: str, instead: str) -> None:
    """Tell the page's reader that ``value`` is not a month or a period the tracker takes, and
    what is shown ``instead``."""
    flash(
        _(
            "“%(value)s”不是有效的月份或期间（年份须在 %(first)s 至 %(last)s 之间），%(instead)s",
            value=value[:40],
            first=MIN_YEAR,
            last=MAX_YEAR,
            instead=instead,
        ),
        "warning",
    )


def read_selection(
    campaign: Campaign | None,
    scope: Scope,
    today: date,
    *,
    keys: Iterable[str] = KEYS,
    default_period: bool = True,
    base: Filters | None = None,
) -> Selection:
    """The period and the filters of ``keys`` from the request's query string, added to
    ``base`` (what the page always restricts to). Without a period argument the period is
    this month, or none when ``default_period`` is False (a list of any date)."""
    keys = set(keys)
    args = request.args
    filters = base or Filters()
    changes: dict[str, Any] = {}
    query: dict[str, str] = {}
    described: list[Described] = []
    delegations = delegation_choices(scope) if "delegation" in keys else []

    period = _read_period(args, today, default_period) if "period" in keys else None
    if period is not None:
        query["period"] = period.to_arg()
        described.append(Described("period", period_label(period)))

    def wanted(key: str) -> str:
        return (args.get(key) or "") if key in keys else ""

    if value := wanted("delegation"):
        delegation = next((d for d in delegations if str(d.id) == value), None)
        if delegation is not None:
            changes["delegation_id"] = delegation.id
            query["delegation"] = str(delegation.id)
            described.append(Described("delegation", delegation.name))
    if level := _by_value(Level, wanted("level")):
        changes["level"] = level
        query["level"] = level.value
        described.append(Described("level", level.label))
    if delegate_type := _by_value(DelegateType, wanted("type")):
        changes["delegate_type"] = delegate_type
        query["type"] = delegate_type.value
        described.append(Described("type", delegate_type.label))
    if campaign is not None and (value := wanted("initiative")):
        initiative = next((i for i in campaign.initiatives if i.code == value), None)
        if initiative is not None:
            changes["initiative_id"] = initiative.id
            query["initiative"] = initiative.code
            described.append(Described("initiative", _("倡议%(n)s", n=initiative.numeral)))
    if campaign is not None and (value := wanted("kind")):
        kind = next((k for k in campaign.kinds if k.code == value), None)
        if kind is not None:
            changes["kind_id"] = kind.id
            query["kind"] = kind.code
            described.append(Described("kind", kind.name))
    if campaign is not None and (value := wanted("focus")):
        area = next((a for a in campaign.focus_areas if a.code == value), None)
        if area is not None:
            changes["focus_area_id"] = area.id
            query["focus"] = area.code
            label = area_labels(campaign)[area.id]
            described.append(Described("focus", _("领域：%(name)s", name=label)))
    if campaign is not None and (value := wanted("call")):
        call_id = db.session.scalar(
            sa.select(CallToAction.id).where(
                CallToAction.campaign_id == campaign.id, CallToAction.code == value
            )
        )
        if call_id is not None:
            changes["call_id"] = call_id
            query["call"] = value
    if status := _by_value(ActivityStatus, wanted("status")):
        changes["status"] = status
        query["status"] = status.value
    return Selection(
        campaign,
        period,
        filters.but(**changes),
        query,
        tuple(described),
        delegations,
    )
