"""Entries of delegates' work (履职活动) and what hangs off them: the concerns raised on them,
their attachments, and a proposal with the bodies that handle it, its replies and urgings."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..enums import (
    ActivityStatus,
    ConcernResolution,
    ConcernStatus,
    DelegateType,
    Level,
    ProposalOutcome,
    ProposalStatus,
    RaisedByKind,
    Rating,
    VisitTargetKind,
)
from ..extensions import db
from .base import RetirableMixin, enum_column, utcnow

if TYPE_CHECKING:
    from .campaign import (
        ActivityKind,
        CallToAction,
        Campaign,
        ConcernCategory,
        FocusArea,
        Initiative,
        ProposalLabel,
    )
    from .people import Delegate, User
    from .places import Delegation, Station


activity_focus_area = sa.Table(
    "activity_focus_area",
    db.metadata,
    sa.Column("activity_id", sa.ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("focus_area_id", sa.ForeignKey("focus_area.id"), primary_key=True, index=True),
)

activity_participant = sa.Table(
    "activity_participant",
    db.metadata,
    sa.Column("activity_id", sa.ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("delegate_id", sa.ForeignKey("delegate.id"), primary_key=True, index=True),
)


class Activity(db.Model):
    """One entry of a delegate's work (履职活动)."""

    __table_args__ = (
        sa.Index("ix_activity_delegate_status_occurred", "delegate_id", "status", "occurred_on"),
        # Covers a month's approved entries for the dashboard without reading the table.
        sa.Index(
            "ix_activity_status_occurred",
            "status",
            "occurred_on",
            "campaign_id",
            "delegation_id",
            postgresql_include=["id"],
        ),
        sa.Index("ix_activity_delegation_occurred", "delegation_id", "occurred_on"),
        # A delegate's own list (我的履职), newest first, without sorting their whole history.
        sa.Index("ix_activity_delegate_occurred_id", "delegate_id", "occurred_on", "id"),
        sa.CheckConstraint("people_reached >= 0", name="people_reached_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    delegate_id: Mapped[int] = mapped_column(sa.ForeignKey("delegate.id"))
    # The delegate's delegation, type and level when the entry was logged, so history keeps
    # its place and figures can be grouped without joining the delegate.
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegation.id"))
    delegate_type: Mapped[DelegateType] = mapped_column(enum_column(DelegateType))
    level: Mapped[Level] = mapped_column(enum_column(Level))
    kind_id: Mapped[int] = mapped_column(sa.ForeignKey("activity_kind.id"), index=True)
    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiative.id"), index=True)
    call_id: Mapped[int | None] = mapped_column(sa.ForeignKey("call_to_action.id"), index=True)
    occurred_on: Mapped[date]
    station_id: Mapped[int | None] = mapped_column(sa.ForeignKey("station.id"), index=True)
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    people_reached: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    outcome: Mapped[str] = mapped_column(sa.Text, default="")
    # Visit: whom the delegate went to see.
    visit_target_kind: Mapped[VisitTargetKind | None] = mapped_column(enum_column(VisitTargetKind))
    visit_target: Mapped[str] = mapped_column(sa.String(200), default="")
    # Research: the topic and what was found.
    research_topic: Mapped[str] = mapped_column(sa.String(200), default="")
    research_findings: Mapped[str] = mapped_column(sa.Text, default="")

    status: Mapped[ActivityStatus] = mapped_column(
        enum_column(ActivityStatus), default=ActivityStatus.DRAFT
    )
    # Optimistic concurrency: every change bumps it; an update names the version it read.
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    # Review: the latest decision and, when returned, why.
    review_note: Mapped[str] = mapped_column(sa.Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    # 补录: approved after the month it happened in was closed, so the closed month's summary
    # leaves it out and the summary of the month it was approved in lists it.
    late: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # 典型案例: flagged by staff as exemplary; the monthly summary prints its text.
    exemplary: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    exemplary_note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    campaign: Mapped[Campaign] = relationship()
    delegate: Mapped[Delegate] = relationship(foreign_keys=[delegate_id])
    delegation: Mapped[Delegation] = relationship()
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    kind: Mapped[ActivityKind] = relationship()
    initiative: Mapped[Initiative] = relationship()
    call: Mapped[CallToAction | None] = relationship()
    station: Mapped[Station | None] = relationship()
    focus_areas: Mapped[list[FocusArea]] = relationship(
        secondary=activity_focus_area, order_by="FocusArea.position"
    )
    participants: Mapped[list[Delegate]] = relationship(
        secondary=activity_participant, order_by="Delegate.id"
    )
    concerns: Mapped[list[Concern]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="Concern.position"
    )
    proposal: Mapped[Proposal | None] = relationship(
        back_populates="activity", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="Attachment.id"
    )

    @property
    def concern_count(self) -> int:
        """How many concerns the entry records. A list counts them for its whole page in one
        statement (:func:`~tracker.reports.queries.paginate_activities`) instead of loading
        them; otherwise the entry's own rows are counted."""
        counted = self.__dict__.get("_concern_count")
        return len(self.concerns) if counted is None else counted

    def __repr__(self) -> str:
        return f"<Activity {self.id} {self.status}>"


class Concern(db.Model):
    """A concern or request raised by a citizen or an enterprise (群众诉求)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("concern_category.id"), index=True)
    content: Mapped[str] = mapped_column(sa.Text)
    raised_by_kind: Mapped[RaisedByKind] = mapped_column(
        enum_column(RaisedByKind), default=RaisedByKind.CITIZEN
    )
    # Personal details are optional and minimal.
    raised_by_name: Mapped[str] = mapped_column(sa.String(100), default="")
    raised_by_phone: Mapped[str] = mapped_column(sa.String(30), default="")
    status: Mapped[ConcernStatus] = mapped_column(
        enum_column(ConcernStatus), default=ConcernStatus.OPEN, index=True
    )
    referred_to_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("handling_body.id"), index=True
    )
    referred_at: Mapped[datetime | None]
    # Kept after feedback, so the resolution rate can be counted apart from feedback.
    resolution: Mapped[ConcernResolution | None] = mapped_column(enum_column(ConcernResolution))
    resolution_note: Mapped[str] = mapped_column(sa.Text, default="")
    resolved_at: Mapped[datetime | None]
    feedback_note: Mapped[str] = mapped_column(sa.Text, default="")
    fed_back_at: Mapped[datetime | None]
    # Retention: when the citizen's name and phone were removed (the concern itself stays).
    anonymised_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    activity: Mapped[Activity | None] = relationship(back_populates="concerns")
    category: Mapped[ConcernCategory] = relationship()
    referred_to: Mapped[HandlingBody | None] = relationship()


class Attachment(db.Model):
    """A photo or document attached to an activity, stored outside static under a random name."""

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        sa.ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)  # random, no extension
    original_name: Mapped[str] = mapped_column(sa.String(255))  # as uploaded, Chinese kept
    content_type: Mapped[str] = mapped_column(sa.String(100))  # from the content, not the name
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    activity: Mapped[Activity] = relationship(back_populates="attachments")


class Proposal(db.Model):
    """A proposal (建议) logged as an activity; it is followed until it is answered."""

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        sa.ForeignKey("activity.id", ondelete="CASCADE"), unique=True
    )
    label_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposal_label.id"), index=True)
    content: Mapped[str] = mapped_column(sa.Text)
    suggested_handler: Mapped[str] = mapped_column(sa.String(120), default="")
    status: Mapped[ProposalStatus] = mapped_column(
        enum_column(ProposalStatus), default=ProposalStatus.SUBMITTED, index=True
    )
    decided_at: Mapped[datetime | None]  # registered (立案) or not
    not_registered_reason: Mapped[str] = mapped_column(sa.Text, default="")
    is_complex: Mapped[bool] = mapped_column(default=False)
    lead_handler_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("handling_body.id"), index=True
    )
    assigned_on: Mapped[date | None]
    due_on: Mapped[date | None] = mapped_column(index=True)
    # 1 for the first handling; each 不满意 rating starts another round.
    round: Mapped[int] = mapped_column(default=1)
    rating: Mapped[Rating | None] = mapped_column(enum_column(Rating))
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    activity: Mapped[Activity] = relationship(back_populates="proposal")
    label: Mapped[ProposalLabel | None] = relationship()
    lead_handler: Mapped[HandlingBody | None] = relationship()
    co_handlers: Mapped[list[HandlingBody]] = relationship(
        secondary="proposal_co_handler", order_by="HandlingBody.position"
    )
    replies: Mapped[list[ProposalReply]] = relationship(
        back_populates="proposal", order_by="ProposalReply.id", cascade="all, delete-orphan"
    )
    urgings: Mapped[list[ProposalUrging]] = relationship(
        back_populates="proposal", order_by="ProposalUrging.id", cascade="all, delete-orphan"
    )

    @property
    def latest_reply(self) -> ProposalReply | None:
        return self.replies[-1] if self.replies else None


proposal_co_handler = sa.Table(
    "proposal_co_handler",
    db.metadata,
    sa.Column("proposal_id", sa.ForeignKey("proposal.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("handling_body_id", sa.ForeignKey("handling_body.id"), primary_key=True, index=True),
)


class HandlingBody(RetirableMixin, db.Model):
    """A body that handles proposals and referred concerns (承办单位): a managed list."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<HandlingBody {self.code}>"


class ProposalReply(db.Model):
    """A handling body's reply (答复) in one round, and the delegate's rating of it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    round: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    replied_on: Mapped[date]
    outcome: Mapped[ProposalOutcome] = mapped_column(enum_column(ProposalOutcome))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    rating: Mapped[Rating | None] = mapped_column(enum_column(Rating))
    rating_note: Mapped[str] = mapped_column(sa.Text, default="")
    rated_at: Mapped[datetime | None]

    proposal: Mapped[Proposal] = relationship(back_populates="replies")


class ProposalUrging(db.Model):
    """A record that staff urged (督办) the handling of a proposal."""

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    urged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    urged_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(sa.Text, default="")

    proposal: Mapped[Proposal] = relationship(back_populates="urgings")
    urged_by: Mapped[User | None] = relationship()
