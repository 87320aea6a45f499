"""What the dashboard's charts draw, each point with the drill-down it opens."""

from __future__ import annotations

from typing import Any

from babel.dates import format_skeleton
from flask_babel import get_locale
from flask_babel import gettext as _

from ..dates import Period
from ..enums import DelegateType, ProposalStatus
from ..permissions import Scope
from ..reports import figures
from ..selection import Selection, area_labels

TREND_MONTHS = 12


def chart_data(
    sel: Selection,
    scope: Scope,
    proposals: figures.ProposalFigures,
    matrix: dict,
    rows: list[figures.DelegationRow],
    areas: dict[int, int],
    names: dict[int, str],
) -> dict[str, Any]:
    """Everything the charts draw, each point with the drill-down it opens."""
    campaign, filters = sel.campaign, sel.filters
    trend_period = Period.months_to(sel.period, TREND_MONTHS)
    trend = figures.monthly_trend(scope, trend_period, filters)
    present = {kind_id for (_month, kind_id) in trend}
    trend_series = [
        {
            "name": kind.name,
            "data": [
                {
                    "value": trend.get((month, kind.id), 0),
                    "url": sel.url("dashboard.activities", period=f"{month:%Y-%m}", kind=kind.code),
                }
                for month in trend_period.months
            ],
        }
        for kind in campaign.kinds
        if kind.id in present
    ]
    initiatives = [
        i
        for i in campaign.initiatives
        if (filters.initiative_id or i.id) == i.id
        and (not i.is_retired or any(key[1] == i.id for key in matrix))
    ]
    types = [t for t in DelegateType if (filters.delegate_type or t) == t]
    cells = [
        {
            "value": [x, y, matrix.get((t, i.id), 0)],
            "url": sel.url("dashboard.activities", type=t.value, initiative=i.code),
        }
        for y, t in enumerate(types)
        for x, i in enumerate(initiatives)
    ]
    live_areas = [a for a in campaign.focus_areas if not a.is_retired or a.id in areas]
    labels = area_labels(campaign)
    return {
        "trend": {
            "title": _("每月已通过记录（按活动类型）"),
            "months": [format_skeleton("yM", m, locale=get_locale()) for m in trend_period.months],
            "series": trend_series,
        },
        "matrix": {
            "title": _("代表类型 × 倡议"),
            "x": [_("倡议%(n)s", n=i.numeral) for i in initiatives],
            "y": [t.label for t in types],
            "cells": cells,
        },
        "delegations": {
            "title": _("各代表团已通过记录"),
            "names": [names.get(r.delegation_id, "?") for r in rows],
            "data": [
                {
                    "value": r.activities,
                    "url": sel.url("dashboard.activities", delegation=str(r.delegation_id)),
                }
                for r in rows
            ],
        },
        "focus": {
            "title": _("各重点领域已通过记录"),
            "names": [labels[a.id] for a in live_areas],
            "data": [
                {"value": areas.get(a.id, 0), "url": sel.url("dashboard.activities", focus=a.code)}
                for a in live_areas
            ],
        },
        "pipeline": {
            "title": _("建议办理进度"),
            "names": [s.label for s in ProposalStatus],
            "data": [
                {
                    "value": proposals.by_status.get(s, 0),
                    "url": sel.url("dashboard.proposals", which=f"status:{s.value}"),
                }
                for s in ProposalStatus
            ],
        },
        "unit": _("条"),
    }
