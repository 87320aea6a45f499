"""Closing a month: its summary is kept as a snapshot, and later approvals for it are 补录.

Staff close a month once it is over. :func:`close_month` stores the summary of the whole city
and of every delegation as they stand, so every later view and export of the month shows the
same numbers. An entry approved afterwards for that month is flagged ``late`` (补录): the
closed month leaves it out and the summary of the month it was approved in lists it. Entries
the closed month counted can no longer be reopened.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ..audit import record
from ..dates import Period
from ..extensions import db
from ..models import Campaign, MonthClose, User, utcnow
from ..permissions import Scope
from ..reports import summary as summaries


class MonthNotOver(ValueError):
    """The month has not ended yet (or is not one month)."""


class MonthAlreadyClosed(ValueError):
    """Someone closed this month already."""


class MonthClosedError(RuntimeError):
    """The entry is counted in a closed month and cannot be reopened."""


def month_is_closed(campaign_id: int, day: date) -> bool:
    """Whether the month ``day`` falls in is closed for the campaign."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(MonthClose)
            .where(MonthClose.campaign_id == campaign_id, MonthClose.month == day.replace(day=1))
        )
        > 0
    )


def can_close(period: Period, today: date) -> bool:
    """One whole month that has ended."""
    return len(period.months) == 1 and period.end <= today


def close_month(campaign: Campaign, period: Period, user: User, today: date) -> MonthClose:
    """Close ``period`` (one month that is over): keep its summary for the city and each
    delegation. Flushes; the caller commits."""
    if not can_close(period, today):
        raise MonthNotOver(period)
    if month_is_closed(campaign.id, period.start):
        raise MonthAlreadyClosed(period)
    everything = Scope(everything=True)
    snapshot = {"all": summaries.build(campaign, everything, period, today).to_json()}
    for delegation_id in summaries.delegation_ids_for_snapshot():
        snapshot[str(delegation_id)] = summaries.build(
            campaign, everything, period, today, delegation_id
        ).to_json()
    close = MonthClose(
        campaign_id=campaign.id,
        month=period.start,
        closed_at=utcnow(),
        closed_by_id=user.id,
        activities=snapshot["all"]["headline"]["activities"],
        snapshot=snapshot,
    )
    db.session.add(close)
    db.session.flush()  # a second close of the same month fails here, on the unique key
    record(user, close, "close", to_state=f"{period.start:%Y-%m}", note=f"{close.activities}")
    db.session.flush()
    return close
