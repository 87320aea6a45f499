"""Activity state changes. They validate, change, audit and flush; the view commits.

The life of an entry::

    draft ──submit──▶ submitted ──approve──▶ approved
      ▲                 │  ▲                   │
      │               return│  │resubmit        │ reopen (staff, with a reason)
      │                 ▼  │                   ▼
      └──(delegate edits)── returned ◀──────────┘

Only the owning delegate edits, and only a draft or a returned entry. Only staff review,
only submitted entries, and only in their scope; a reason is required to return or reopen.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import url_for

from ..audit import record
from ..concurrency import StaleObjectError, claim_version
from ..enums import ActivityStatus, ConcernStatus, ProposalStatus, Role
from ..extensions import db
from ..models import (
    Activity,
    Campaign,
    Concern,
    Delegate,
    FocusArea,
    Proposal,
    User,
    utcnow,
)
from ..notifications.services import notify
from ..summaries.closing import MonthClosedError, month_is_closed
from ..text import plain
from .forms import ActivityInput
from .rollups import count_approval

EDITABLE = (ActivityStatus.DRAFT, ActivityStatus.RETURNED)
MAX_REASON_LENGTH = 2000


class ActivityStateError(Exception):
    """The activity is not in a state that allows this change; nothing was written."""


class ReviewNotAllowed(Exception):
    """The user may not review this activity."""


def create_activity(
    delegate: Delegate, campaign: Campaign, data: ActivityInput, author: User, *, submit: bool
) -> Activity:
    """Log a new activity for ``delegate`` as a draft, or submitted when ``submit``."""
    activity = Activity(
        campaign_id=campaign.id,
        delegate_id=delegate.id,
        delegation_id=delegate.delegation_id,
        delegate_type=delegate.delegate_type,
        level=delegate.level,
        created_by_id=author.id,
        status=ActivityStatus.DRAFT,
        version=1,
    )
    db.session.add(activity)
    _apply_input(activity, data, delegate)
    db.session.flush()
    record(author, activity, "create", to_state=ActivityStatus.DRAFT)
    if submit:
        _mark_submitted(activity, author)
    db.session.flush()
    return activity


def update_activity(
    activity: Activity, data: ActivityInput, author: User, *, expected_version: int, submit: bool
) -> Activity:
    """Replace the content of a draft or returned activity, if nobody changed it meanwhile."""
    if activity.status not in EDITABLE:
        raise ActivityStateError(activity.status)
    claim_version(activity, expected_version)
    _apply_input(activity, data, activity.delegate)
    record(author, activity, "edit", from_state=activity.status, to_state=activity.status)
    if submit:
        _mark_submitted(activity, author)
    db.session.flush()
    return activity


def submit_activity(activity: Activity, author: User, *, expected_version: int) -> Activity:
    """Send a draft or returned activity for review."""
    if activity.status not in EDITABLE:
        raise ActivityStateError(activity.status)
    claim_version(activity, expected_version)
    _mark_submitted(activity, author)
    db.session.flush()
    return activity


def delete_draft(activity: Activity, author: User) -> None:
    """Delete a draft that was never submitted."""
    if activity.status != ActivityStatus.DRAFT:
        raise ActivityStateError(activity.status)
    record(author, activity, "delete", from_state=ActivityStatus.DRAFT, to_state="deleted")
    db.session.delete(activity)
    db.session.flush()


# --- review ----------------------------------------------------------------------------------


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
        subject=activity.title,
        detail=reason,
        link=url_for("activities.detail", activity_id=activity.id),
    )
    db.session.flush()
    return activity


def _mark_submitted(activity: Activity, author: User) -> None:
    previous = activity.status
    activity.status = ActivityStatus.SUBMITTED
    activity.submitted_at = utcnow()
    record(
        author,
        activity,
        "submit" if previous == ActivityStatus.DRAFT else "resubmit",
        from_state=previous,
        to_state=ActivityStatus.SUBMITTED,
    )


def _apply_input(activity: Activity, data: ActivityInput, delegate: Delegate) -> None:
    activity.kind_id = data.kind_id
    activity.initiative_id = data.initiative_id
    activity.call_id = data.call_id
    activity.occurred_on = data.occurred_on
    activity.station_id = data.station_id
    activity.place = data.place
    activity.people_reached = data.people_reached
    activity.title = data.title
    activity.description = data.description
    activity.outcome = data.outcome
    activity.visit_target_kind = data.visit_target_kind
    activity.visit_target = data.visit_target
    activity.research_topic = data.research_topic
    activity.research_findings = data.research_findings
    activity.focus_areas = (
        list(db.session.scalars(sa.select(FocusArea).where(FocusArea.id.in_(data.focus_area_ids))))
        if data.focus_area_ids
        else []
    )
    participant_ids = [i for i in data.participant_ids if i != delegate.id]
    activity.participants = (
        list(db.session.scalars(sa.select(Delegate).where(Delegate.id.in_(participant_ids))))
        if participant_ids
        else []
    )

    if activity.proposal is not None and activity.proposal.status != ProposalStatus.SUBMITTED:
        pass  # registered and in handling: its text is what the handling bodies received
    elif data.proposal_content:
        proposal = activity.proposal or Proposal(content="")
        proposal.label_id = data.proposal_label_id
        proposal.content = data.proposal_content
        proposal.suggested_handler = data.suggested_handler
        activity.proposal = proposal
    else:
        activity.proposal = None

    _apply_concerns(activity, data)


def _apply_concerns(activity: Activity, data: ActivityInput) -> None:
    """Add, change and remove concern rows. A concern already being followed up (referred,
    resolved …) keeps its content and history: it is neither changed nor removed here."""
    existing = {c.id: c for c in activity.concerns if c.id is not None}
    kept: list[Concern] = [c for c in activity.concerns if c.status != ConcernStatus.OPEN]
    for item in data.concerns:
        concern = existing.get(item.id) if item.id is not None else None
        if concern is not None and concern.status != ConcernStatus.OPEN:
            continue  # being followed up: left as it is
        if concern is None:
            concern = Concern()
        concern.category_id = item.category_id
        concern.content = item.content
        concern.raised_by_kind = item.raised_by_kind
        concern.raised_by_name = item.raised_by_name
        concern.raised_by_phone = item.raised_by_phone
        kept.append(concern)
    for position, concern in enumerate(kept, 1):
        concern.position = position
    # Open rows the user removed are deleted (delete-orphan); followed-up ones stay.
    activity.concerns = kept
