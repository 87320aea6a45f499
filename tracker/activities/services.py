"""Activity state changes: create, edit, submit, delete a draft. They flush, never commit."""

from __future__ import annotations

import sqlalchemy as sa

from ..enums import ActivityStatus
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


class StaleActivityError(Exception):
    """The activity changed since the form was read; nothing was written."""


class ActivityStateError(Exception):
    """The activity is not in a state that allows this change."""


EDITABLE = (ActivityStatus.DRAFT, ActivityStatus.RETURNED)


def create_activity(
    delegate: Delegate, campaign: Campaign, data: ActivityInput, author: User, *, submit: bool
) -> Activity:
    """Log a new activity for ``delegate`` as a draft, or submitted when ``submit``."""
    activity = Activity(
        campaign_id=campaign.id,
        delegate_id=delegate.id,
        delegation_id=delegate.delegation_id,
        created_by_id=author.id,
        status=ActivityStatus.DRAFT,
        version=1,
    )
    db.session.add(activity)
    _apply_input(activity, data, delegate)
    if submit:
        _mark_submitted(activity)
    db.session.flush()
    return activity


def update_activity(
    activity: Activity, data: ActivityInput, *, expected_version: int, submit: bool
) -> Activity:
    """Replace the content of a draft or returned activity, if nobody changed it meanwhile."""
    if activity.status not in EDITABLE:
        raise ActivityStateError(activity.status)
    _claim_version(activity, expected_version)
    _apply_input(activity, data, activity.delegate)
    if submit:
        _mark_submitted(activity)
    db.session.flush()
    return activity


def submit_activity(activity: Activity, *, expected_version: int) -> Activity:
    """Send a draft or returned activity for review."""
    if activity.status not in EDITABLE:
        raise ActivityStateError(activity.status)
    _claim_version(activity, expected_version)
    _mark_submitted(activity)
    db.session.flush()
    return activity


def delete_draft(activity: Activity) -> None:
    """Delete a draft that was never submitted."""
    if activity.status != ActivityStatus.DRAFT:
        raise ActivityStateError(activity.status)
    db.session.delete(activity)
    db.session.flush()


def _claim_version(activity: Activity, expected_version: int) -> None:
    """Bump the version only if it is still the one the user read (a conditional UPDATE)."""
    result = db.session.execute(
        sa.update(Activity)
        .where(Activity.id == activity.id, Activity.version == expected_version)
        .values(version=Activity.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise StaleActivityError(activity.id)
    db.session.refresh(activity, ["version"])


def _mark_submitted(activity: Activity) -> None:
    activity.status = ActivityStatus.SUBMITTED
    activity.submitted_at = utcnow()


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
    activity.focus_areas = list(
        db.session.scalars(sa.select(FocusArea).where(FocusArea.id.in_(data.focus_area_ids)))
    ) if data.focus_area_ids else []
    participant_ids = [i for i in data.participant_ids if i != delegate.id]
    activity.participants = list(
        db.session.scalars(sa.select(Delegate).where(Delegate.id.in_(participant_ids)))
    ) if participant_ids else []

    if data.proposal_content:
        proposal = activity.proposal or Proposal(content="")
        proposal.label_id = data.proposal_label_id
        proposal.content = data.proposal_content
        proposal.suggested_handler = data.suggested_handler
        activity.proposal = proposal
    else:
        activity.proposal = None

    # Concern rows are replaced as a whole while the entry is still editable.
    activity.concerns = [
        Concern(
            position=position,
            category_id=c.category_id,
            content=c.content,
            raised_by_kind=c.raised_by_kind,
            raised_by_name=c.raised_by_name,
            raised_by_phone=c.raised_by_phone,
        )
        for position, c in enumerate(data.concerns, 1)
    ]
