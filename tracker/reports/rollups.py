"""Rollups: approved activities counted per month and dimension as they are approved.

:func:`count_approval` runs in the same transaction as an approval (+1) or a reopening (−1),
so the dashboard reads small tables whose size does not grow with the history of entries.
:func:`rebuild` recounts everything from the activity table (after bulk loads, and to check).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..database import is_postgresql
from ..enums import ActivityStatus
from ..extensions import db
from ..models import Activity, ActivityRollup, DelegateRollup, FocusRollup, activity_focus_area

ROLLUPS = (ActivityRollup, FocusRollup, DelegateRollup)


def month_start(day: date) -> date:
    """The first day of ``day``'s month: the key rollups are counted under."""
    return day.replace(day=1)


def month_of(column: Any) -> Any:
    """SQL for the first day of the month of a date column, on SQLite and PostgreSQL."""
    if is_postgresql():
        # literal, not a bound parameter, so GROUP BY sees the same expression as SELECT
        return sa.cast(sa.func.date_trunc(sa.literal_column("'month'"), column), sa.Date)
    return sa.func.date(column, sa.literal_column("'start of month'"))


def _bump(model: type, values: dict[str, Any], increments: dict[str, int]) -> None:
    """Add ``increments`` to the row whose primary key ``values`` name, creating it (with
    ``values``) when missing: one INSERT … ON CONFLICT statement."""
    insert = postgresql.insert if is_postgresql() else sqlite.insert
    stmt = insert(model).values(**values, **increments)
    table = model.__table__
    stmt = stmt.on_conflict_do_update(
        index_elements=[c.name for c in table.primary_key.columns],
        set_={name: getattr(table.c, name) + getattr(stmt.excluded, name) for name in increments},
    )
    db.session.execute(stmt)


def count_approval(activity: Activity, sign: int) -> None:
    """Count an entry in (+1, on approval) or out (−1, on reopening) of every rollup."""
    month = month_start(activity.occurred_on)
    dims = {
        "campaign_id": activity.campaign_id,
        "month": month,
        "delegation_id": activity.delegation_id,
        "delegate_type": activity.delegate_type.value,
        "level": activity.level.value,
        "initiative_id": activity.initiative_id,
        "kind_id": activity.kind_id,
    }
    _bump(
        ActivityRollup,
        dims,
        {"activities": sign, "people_reached": sign * (activity.people_reached or 0)},
    )
    for area in activity.focus_areas:
        _bump(FocusRollup, {**dims, "focus_area_id": area.id}, {"activities": sign})
    _bump(DelegateRollup, {**dims, "delegate_id": activity.delegate_id}, {"activities": sign})


def rebuild() -> None:
    """Recount every rollup from the approved activities (flushes; the caller commits)."""
    db.session.flush()
    for model in ROLLUPS:
        db.session.execute(sa.delete(model))
    approved = Activity.status == ActivityStatus.APPROVED
    month = month_of(Activity.occurred_on).label("month")
    dims = [
        Activity.campaign_id,
        month,
        Activity.delegation_id,
        Activity.delegate_type,
        Activity.level,
        Activity.initiative_id,
        Activity.kind_id,
    ]
    group = [
        Activity.campaign_id,
        month_of(Activity.occurred_on),
        Activity.delegation_id,
        Activity.delegate_type,
        Activity.level,
        Activity.initiative_id,
        Activity.kind_id,
    ]
    db.session.execute(
        sa.insert(ActivityRollup).from_select(
            [
                "campaign_id",
                "month",
                "delegation_id",
                "delegate_type",
                "level",
                "initiative_id",
                "kind_id",
                "activities",
                "people_reached",
            ],
            sa.select(*dims, sa.func.count(), sa.func.sum(Activity.people_reached))
            .where(approved)
            .group_by(*group)
            .order_by(*group),
        )
    )
    focus = activity_focus_area.c.focus_area_id
    db.session.execute(
        sa.insert(FocusRollup).from_select(
            [
                "campaign_id",
                "month",
                "delegation_id",
                "delegate_type",
                "level",
                "initiative_id",
                "kind_id",
                "focus_area_id",
                "activities",
            ],
            sa.select(*dims, focus, sa.func.count())
            .join(activity_focus_area, activity_focus_area.c.activity_id == Activity.id)
            .where(approved)
            .group_by(*group, focus)
            .order_by(*group, focus),
        )
    )
    db.session.execute(
        sa.insert(DelegateRollup).from_select(
            [
                "campaign_id",
                "month",
                "delegate_id",
                "initiative_id",
                "kind_id",
                "delegation_id",
                "delegate_type",
                "level",
                "activities",
            ],
            sa.select(
                Activity.campaign_id,
                month,
                Activity.delegate_id,
                Activity.initiative_id,
                Activity.kind_id,
                sa.func.min(Activity.delegation_id),
                sa.func.min(Activity.delegate_type),
                sa.func.min(Activity.level),
                sa.func.count(),
            )
            .where(approved)
            .group_by(
                Activity.campaign_id,
                month_of(Activity.occurred_on),
                Activity.delegate_id,
                Activity.initiative_id,
                Activity.kind_id,
            )
            # rows in key order, so one month's rows sit together on disk
            .order_by(
                Activity.campaign_id,
                month_of(Activity.occurred_on),
                Activity.delegate_id,
                Activity.initiative_id,
                Activity.kind_id,
            ),
        )
    )
    db.session.flush()
