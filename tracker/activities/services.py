"""Activity state changes by the delegate: log, edit, submit, delete a draft. They validate,
change, audit and flush; the view commits. Review (approve, return, reopen) is in
:mod:`tracker.review.services`.

The life of an entry::

    draft ──submit──▶ submitted ──approve──▶ approved
      ▲                 │  ▲                   │
      │               return│  │resubmit        │ reopen (staff, with a reason)
      │                 ▼  │                   ▼
      └──(delegate edits)── returned ◀──────────┘

Only the owning delegate edits, and only a draft or a returned entry.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..audit import record
from ..concurrency import claim_version
from ..enums import ActivityStatus, ConcernStatus, ProposalStatus
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
from .forms import ActivityInput

EDITABLE = (ActivityStatus.DRAFT, ActivityStatus.RETURNED)


class ActivityStateError(Exception):
    """The activity is not in a state that allows this change; nothing was written."""


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
