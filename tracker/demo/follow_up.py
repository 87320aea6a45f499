"""What staff did with the hand-shaped demo's entries in the months it covers: reviews, the
follow-up of proposals and concerns, typical cases picked, past months closed.

Each function draws from the run's random source in the order the demo always has, so a seed
gives the same dataset.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from ..dates import Period, add_months
from ..enums import (
    ActivityStatus,
    ConcernResolution,
    ConcernStatus,
    ProposalOutcome,
    ProposalStatus,
    Rating,
)
from ..extensions import db
from ..models import Activity, Concern, HandlingBody, Proposal, ProposalReply, User
from .words import REPLY_TEXTS, RETURN_REASONS, TYPICAL_CASE_NOTES
from .world import DemoWorld


def follow_up(world: DemoWorld) -> None:
    """Review the entries, and move the approved entries' proposals and concerns along."""
    _FollowUp(world).run()


class _FollowUp:
    """Moves the demo's reviews, proposals and concerns along, as months of work would have."""

    def __init__(self, world: DemoWorld):
        self.world = world
        self.rng = world.rng
        self.bodies = list(
            db.session.scalars(
                sa.select(HandlingBody)
                .where(HandlingBody.retired_at.is_(None))
                .order_by(HandlingBody.position)
            )
        )
        self.staff = db.session.scalar(sa.select(User).where(User.username == "staff"))

    def run(self) -> None:
        activities = db.session.scalars(
            sa.select(Activity).where(Activity.campaign_id == self.world.campaign.id)
        ).all()
        for activity in activities:
            if activity.status in (ActivityStatus.APPROVED, ActivityStatus.RETURNED):
                activity.reviewed_at = activity.updated_at
                activity.reviewed_by_id = self.staff.id if self.staff else None
            if activity.status == ActivityStatus.APPROVED:
                activity.approved_at = activity.updated_at
            elif activity.status == ActivityStatus.RETURNED:
                activity.review_note = self.rng.choice(RETURN_REASONS)
            if activity.status != ActivityStatus.APPROVED or not self.bodies:
                continue
            if activity.proposal is not None:
                self.proposal(activity.proposal, activity.occurred_on)
            for concern in activity.concerns:
                self.concern(concern, activity.occurred_on)
        db.session.flush()

    def proposal(self, proposal: Proposal, day: date) -> None:
        """Registered a week later, assigned soon after; replies and ratings as time allows."""
        rng, today = self.rng, self.world.today
        if rng.random() < 0.06:
            proposal.status = ProposalStatus.NOT_REGISTERED
            proposal.not_registered_reason = "所提事项属于个案诉求，已转有关部门按诉求办理。"
            proposal.decided_at = self.world.at(
                min(day + timedelta(days=7), today - timedelta(days=1)), 10, 0
            )
            return
        assigned_on = day + timedelta(days=rng.randint(7, 20))
        if assigned_on >= today:
            proposal.status = (
                ProposalStatus.REGISTERED if rng.random() < 0.6 else ProposalStatus.SUBMITTED
            )
            return
        proposal.decided_at = self.world.at(assigned_on - timedelta(days=3), 10, 0)
        proposal.is_complex = rng.random() < 0.15
        proposal.lead_handler_id = rng.choice(self.bodies).id
        proposal.assigned_on = assigned_on
        proposal.due_on = add_months(assigned_on, 6 if proposal.is_complex else 3)
        proposal.status = ProposalStatus.HANDLING if rng.random() < 0.7 else ProposalStatus.ASSIGNED
        replied_on = assigned_on + timedelta(days=rng.randint(20, 110))
        if replied_on >= today or rng.random() < 0.2:
            return  # still being handled: some of these will be overdue
        outcome = rng.choices(list(ProposalOutcome), weights=(45, 30, 15, 10))[0]
        reply = ProposalReply(
            round=1,
            text=rng.choice(REPLY_TEXTS),
            replied_on=replied_on,
            outcome=outcome,
            recorded_by_id=self.staff.id if self.staff else None,
            recorded_at=self.world.at(replied_on, 16, 0),
        )
        proposal.replies.append(reply)
        proposal.status = ProposalStatus.REPLIED
        rated_on = replied_on + timedelta(days=rng.randint(3, 20))
        if rated_on >= today or rng.random() < 0.15:
            return  # waiting for the delegate's rating
        rating = rng.choices(list(Rating), weights=(65, 27, 8))[0]
        reply.rating, reply.rated_at = rating, self.world.at(rated_on, 20, 0)
        proposal.rating = rating
        if rating == Rating.UNSATISFIED:
            proposal.status, proposal.round = ProposalStatus.HANDLING, 2
            proposal.due_on = add_months(rated_on, 1)
        else:
            proposal.status, proposal.closed_at = ProposalStatus.CLOSED, reply.rated_at

    def concern(self, concern: Concern, day: date) -> None:
        rng, today = self.rng, self.world.today
        step = rng.choices(
            ("open", "referred", "resolved", "unresolvable"), weights=(25, 20, 45, 10)
        )[0]
        if step == "open":
            return
        referred_on = min(day + timedelta(days=rng.randint(1, 7)), today - timedelta(days=1))
        concern.referred_to_id = rng.choice(self.bodies).id
        concern.referred_at = self.world.at(referred_on, 11, 0)
        concern.status = ConcernStatus.REFERRED
        done_on = referred_on + timedelta(days=rng.randint(5, 40))
        if step == "referred" or done_on >= today:
            return
        if step == "resolved":
            concern.resolution, concern.status = ConcernResolution.RESOLVED, ConcernStatus.RESOLVED
            concern.resolution_note = "已协调解决。"
        else:
            concern.resolution, concern.status = (
                ConcernResolution.UNRESOLVABLE,
                ConcernStatus.UNRESOLVABLE,
            )
            concern.resolution_note = "涉及规划调整，近期无法解决，已向群众说明。"
        concern.resolved_at = self.world.at(done_on, 15, 0)
        if rng.random() < 0.6 and done_on + timedelta(days=3) < today:
            concern.status = ConcernStatus.FED_BACK
            concern.feedback_note = "已电话告知反映人办理结果。"
            concern.fed_back_at = self.world.at(done_on + timedelta(days=3), 10, 0)


def mark_typical_cases(world: DemoWorld) -> None:
    """Staff pick about one approved entry in sixty as a typical case (典型案例)."""
    entries = db.session.scalars(
        sa.select(Activity).where(Activity.status == ActivityStatus.APPROVED).order_by(Activity.id)
    ).all()
    for activity in entries:
        if len(activity.description) > 20 and world.rng.random() < 1 / 60:
            activity.exemplary = True
            activity.exemplary_note = world.rng.choice(TYPICAL_CASE_NOTES)
    db.session.flush()


def close_past_months(world: DemoWorld) -> None:
    """Months before last month are closed, as staff would have done on the first working
    day of each month; last month is left for staff to check and close."""
    # imported here: closing a month brings in the summary reports, which nothing else in the
    # demo needs
    from ..summaries.closing import close_month, month_is_closed

    staff = db.session.scalar(sa.select(User).where(User.username == "staff"))
    if staff is None:
        return
    last_month = Period.month(world.today.year, world.today.month).previous()
    first = db.session.scalar(sa.select(sa.func.min(Activity.occurred_on)))
    if first is None:
        return
    month = Period.month(first.year, first.month)
    while month.end <= last_month.start:
        if not month_is_closed(world.campaign.id, month.start):
            close_month(world.campaign, month, staff, world.today)
        month = Period(month.end, Period.month(month.end.year, month.end.month).end)
