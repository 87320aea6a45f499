"""Rollups: approved entries counted per month and dimension, kept current as entries are
approved and reopened, so the dashboard reads small tables whose size does not grow with the
history of entries.

The key an entry is counted under is defined once, by :class:`RollupKey` (and
:data:`DELEGATE_KEY` for the per-delegate table): :func:`count_approval` (in the same
transaction as an approval or a reopening), :func:`rebuild` (recounting everything from the
entries) and the bulk generator of the demo data all build their rows from it.
"""

from __future__ import annotations

import operator
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..database import is_postgresql
from ..dates import month_start
from ..enums import ActivityStatus
from ..extensions import db
from ..models import Activity, ActivityRollup, DelegateRollup, FocusRollup, activity_focus_area

ROLLUPS = (ActivityRollup, FocusRollup, DelegateRollup)


class RollupKey(NamedTuple):
    """Where an approved entry is counted: its campaign, month and the dimensions the
    dashboard filters by. The focus rollup adds the focus area to it."""

    campaign_id: int
    month: date | str  # the first day of the month (ISO text in the bulk generator)
    delegation_id: int
    delegate_type: str
    level: str
    initiative_id: int
    kind_id: int

    @classmethod
    def of(cls, activity: Activity) -> RollupKey:
        """The key of one entry, from the values it was logged with."""
        return cls(
            campaign_id=activity.campaign_id,
            month=month_start(activity.occurred_on),
            delegation_id=activity.delegation_id,
            delegate_type=activity.delegate_type.value,
            level=activity.level.value,
            initiative_id=activity.initiative_id,
            kind_id=activity.kind_id,
        )

    @classmethod
    def columns(cls) -> list[Any]:
        """The key as SQL over the activity table, in field order (for :func:`rebuild`)."""
        return [
            month_of(Activity.occurred_on) if name == "month" else getattr(Activity, name)
            for name in cls._fields
        ]

    def for_delegate(self, delegate_id: int) -> tuple:
        """This key as the per-delegate table's: :data:`DELEGATE_KEY` then :data:`DELEGATE_CARRIED`
        (cheap enough to call for every entry of a bulk load)."""
        return _AS_DELEGATE_ROW((*self, delegate_id))


# The per-delegate rollup is keyed by the delegate instead of the delegation, type and level,
# which it carries alongside (a delegate's are the same for every entry of one month's key).
DELEGATE_KEY = ("campaign_id", "month", "delegate_id", "initiative_id", "kind_id")
DELEGATE_CARRIED = ("delegation_id", "delegate_type", "level")
# Picks the per-delegate row out of (*key, delegate_id), in DELEGATE_KEY + DELEGATE_CARRIED order.
_AS_DELEGATE_ROW = operator.itemgetter(
    *(
        (*RollupKey._fields, "delegate_id").index(name)
        for name in (*DELEGATE_KEY, *DELEGATE_CARRIED)
    )
)


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
    key = RollupKey.of(activity)
    dims = key._asdict()
    _bump(
        ActivityRollup,
        dims,
        {"activities": sign, "people_reached": sign * (activity.people_reached or 0)},
    )
    for area in activity.focus_areas:
        _bump(FocusRollup, {**dims, "focus_area_id": area.id}, {"activities": sign})
    delegate_row = dict(
        zip((*DELEGATE_KEY, *DELEGATE_CARRIED), key.for_delegate(activity.delegate_id), strict=True)
    )
    _bump(DelegateRollup, delegate_row, {"activities": sign})


def rebuild() -> None:
    """Recount every rollup from the approved activities (flushes; the caller commits)."""
    db.session.flush()
    for model in ROLLUPS:
        db.session.execute(sa.delete(model))
    approved = Activity.status == ActivityStatus.APPROVED
    key = RollupKey.columns()
    month = key[RollupKey._fields.index("month")]
    dims = [c.label("month") if c is month else c for c in key]
    fields = list(RollupKey._fields)
    db.session.execute(
        sa.insert(ActivityRollup).from_select(
            [*fields, "activities", "people_reached"],
            sa.select(*dims, sa.func.count(), sa.func.sum(Activity.people_reached))
            .where(approved)
            .group_by(*key)
            .order_by(*key),
        )
    )
    focus = activity_focus_area.c.focus_area_id
    db.session.execute(
        sa.insert(FocusRollup).from_select(
            [*fields, "focus_area_id", "activities"],
            sa.select(*dims, focus, sa.func.count())
            .join(activity_focus_area, activity_focus_area.c.activity_id == Activity.id)
            .where(approved)
            .group_by(*key, focus)
            .order_by(*key, focus),
        )
    )
    by_delegate = [month if name == "month" else getattr(Activity, name) for name in DELEGATE_KEY]
    db.session.execute(
        sa.insert(DelegateRollup).from_select(
            [*DELEGATE_KEY, *DELEGATE_CARRIED, "activities"],
            sa.select(
                *[c.label("month") if c is month else c for c in by_delegate],
                *[sa.func.min(getattr(Activity, name)) for name in DELEGATE_CARRIED],
                sa.func.count(),
            )
            .where(approved)
            .group_by(*by_delegate)
            # rows in key order, so one month's rows sit together on disk
            .order_by(*by_delegate),
        )
    )
    db.session.flush()
