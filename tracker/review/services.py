"""Review: staff approve submitted entries, send them back with a reason, reopen approved
ones, and flag typical cases. Each change validates, audits and flushes; the view commits.

Only staff review, only submitted entries, and only in their scope; nobody reviews an entry of
their own; a reason is required to return or reopen. Approving counts the entry into the
rollups and reopening counts it out, in the same transaction (:mod:`tracker.activities.rollups`).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from ..activities.rollups import count_approval
from ..activities.services import ActivityStateError
from ..audit import record
from ..concurrency import StaleObjectError, claim_version
from ..enums import ActivityStatus, Role
from ..extensions import db
from ..models import Activity, User, utcnow
from ..notifications.services import notify
from ..summaries.closing import MonthClosedError, month_is_closed
from ..text import plain

MAX_REASON_LENGTH = 2000


class ReviewNotAllowed(Exception):
    """The user may not review this activity."""


def _require_reviewer(reviewer: User, activity: Activity) -> None:
    if reviewer.role not in (Role.STAFF, Role.ADMIN):
        raise ReviewNotAllowed("only staff review")
    if reviewer.role == Role.STAFF and reviewer.delegation_id not in (None, activity.delegation_id):
        raise ReviewNotAllowed("outside the reviewer's delegation")
    if reviewer.delegate_id is not None and reviewer.delegate_id == activity.delegate_id:
        raise ReviewNotAllowed("nobody reviews their own entry")


def _clean_reason(reason: str | None) -> str:
    reason = plain(reason)
    if not reason:
        raise ValueError("a reason is required")
    return reason[:MAX_REASON_LENGTH]


def approve_activity(activity: Activity, reviewer: User, *, expected_version: int) -> Activity:
    """Approve a submitted entry; from now on it counts and its delegate can't edit it."""
    _require_reviewer(reviewer, activity)
    if activity.status != ActivityStatus.SUBMITTED:
        raise ActivityStateError(activity.status)
    claim_version(activity, expected_version)
    now = utcnow()
    activity.status = ActivityStatus.APPROVED
    activity.review_note = ""
    activity.reviewed_by_id = reviewer.id
    activity.reviewed_at = now
    activity.approved_at = now
    activity.late = month_is_closed(activity.campaign_id, activity.occurred_on)
    count_approval(activity, +1)
    record(
        reviewer,
        activity,
        "approve",
        from_state=ActivityStatus.SUBMITTED,
        to_state=ActivityStatus.APPROVED,
    )
    db.session.flush()
    return activity


def return_activity(
    activity: Activity, reviewer: User, reason: str, *, expected_version: int
) -> Activity:
    """Send a submitted entry back to its delegate with the reason to fix."""
    _require_reviewer(reviewer, activity)
    reason = _clean_reason(reason)
    if activity.status != ActivityStatus.SUBMITTED:
        raise ActivityStateError(activity.status)
    return _send_back(activity, reviewer, reason, expected_version, "return")


def reopen_activity(
    activity: Activity, reviewer: User, reason: str, *, expected_version: int
) -> Activity:
    """Reopen an approved entry: it stops counting and goes back to its delegate to fix."""
    _require_reviewer(reviewer, activity)
    reason = _clean_reason(reason)
    if activity.status != ActivityStatus.APPROVED:
        raise ActivityStateError(activity.status)
    if not activity.late and month_is_closed(activity.campaign_id, activity.occurred_on):
        raise MonthClosedError(activity.id)
    return _send_back(activity, reviewer, reason, expected_version, "reopen")


def set_exemplary(activity: Activity, reviewer: User, exemplary: bool, note: str = "") -> Activity:
    """Flag an approved entry as a typical case (典型案例) with why, or take the flag off.
    A closed month's summary keeps the cases it had when it was closed."""
    _require_reviewer(reviewer, activity)
    if activity.status != ActivityStatus.APPROVED:
        raise ActivityStateError(activity.status)
    note = plain(note)[:500] if exemplary else ""
    if activity.exemplary == exemplary and activity.exemplary_note == note:
        return activity
    activity.exemplary = exemplary
    activity.exemplary_note = note
    record(reviewer, activity, "exemplary" if exemplary else "not_exemplary", note=note)
    db.session.flush()
    return activity


def approve_many(
    activity_ids: Iterable[int], reviewer: User, versions: dict[int, int]
) -> tuple[list[Activity], list[int]]:
    """Approve each listed entry the reviewer may approve at the version they saw.

    Returns (approved, skipped ids): an entry that changed meanwhile, left the queue or is
    out of scope is skipped, never half-approved.
    """
    ids = sorted({int(i) for i in activity_ids})
    activities = db.session.scalars(sa.select(Activity).where(Activity.id.in_(ids))).all()
    approved, skipped = [], []
    for activity in activities:
        try:
            with db.session.begin_nested():
                approve_activity(activity, reviewer, expected_version=versions.get(activity.id, 0))
            approved.append(activity)
        except (ActivityStateError, ReviewNotAllowed, StaleObjectError):
            skipped.append(activity.id)
    skipped.extend(sorted(set(ids) - {a.id for a in activities}))
    return approved, sorted(skipped)


def _send_back(
    activity: Activity, reviewer: User, reason: str, expected_version: int, action: str
) -> Activity:
    claim_version(activity, expected_version)
    previous = activity.status
    if previous == ActivityStatus.APPROVED:
        count_approval(activity, -1)
    activity.status = ActivityStatus.RETURNED
    activity.review_note = reason
    activity.reviewed_by_id = reviewer.id
    activity.reviewed_at = utcnow()
    activity.approved_at = None
    record(
        reviewer,
        activity,
        action,
        from_state=previous,
        to_state=ActivityStatus.RETURNED,
        note=reason,
    )
    owner = activity.delegate.user
    notify(
        owner.id if owner else None,
        "activity_returned",
        "activities.detail",
        subject=activity.title,
        detail=reason,
        activity_id=activity.id,
    )
    db.session.flush()
    return activity
