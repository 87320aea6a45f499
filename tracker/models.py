"""Every table of the tracker, as typed SQLAlchemy 2 models.

Models hold columns, relationships and tiny properties; state changes live in the
services of each area, and aggregate queries in :mod:`tracker.reports.queries`.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .enums import (
    ActivityStatus,
    ConcernResolution,
    ConcernStatus,
    DelegateType,
    DelegationKind,
    Gender,
    Level,
    ProposalOutcome,
    ProposalStatus,
    RaisedByKind,
    Rating,
    Role,
    StationKind,
    VisitTargetKind,
)
from .extensions import db


def utcnow() -> datetime:
    """Naive UTC now, the form every timestamp column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def enum_column(enum_cls: type, **kwargs: Any) -> sa.Enum:
    """Store an enum as its short string value, without a database-native enum type."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=24,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
        **kwargs,
    )


class RetirableMixin:
    """Rows referenced by history are retired, never deleted."""

    retired_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


# --- places -------------------------------------------------------------------------------


class Delegation(RetirableMixin, db.Model):
    """A delegation (代表团): one of Lanzhou's districts and counties, or 兰州新区."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    kind: Mapped[DelegationKind] = mapped_column(enum_column(DelegationKind))
    position: Mapped[int] = mapped_column(default=0)

    stations: Mapped[list[Station]] = relationship(back_populates="delegation")

    def __repr__(self) -> str:
        return f"<Delegation {self.code}>"


class Station(RetirableMixin, db.Model):
    """A delegate station (代表之家 / 代表联络站) or a grassroots legislative contact point."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[StationKind] = mapped_column(enum_column(StationKind))
    delegation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("delegation.id"), index=True)
    address: Mapped[str] = mapped_column(sa.String(200), default="")

    delegation: Mapped[Delegation | None] = relationship(back_populates="stations")

    def __repr__(self) -> str:
        return f"<Station {self.code}>"


# --- the campaign, as loaded from its definition file ------------------------------------------


class Campaign(db.Model):
    """A themed campaign (主题活动) launched by an initiative letter (倡议书)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(60), unique=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    full_title: Mapped[str] = mapped_column(sa.String(300))
    issuer: Mapped[str] = mapped_column(sa.String(120))
    addressees: Mapped[str] = mapped_column(sa.String(200), default="")
    signed_on: Mapped[date]
    published_on: Mapped[date | None]
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    source: Mapped[str] = mapped_column(sa.String(300), default="")
    preamble: Mapped[str] = mapped_column(sa.Text, default="")
    closing: Mapped[str] = mapped_column(sa.Text, default="")
    work_lines: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    slogans: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    is_active: Mapped[bool] = mapped_column(default=False)
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    initiatives: Mapped[list[Initiative]] = relationship(
        back_populates="campaign", order_by="Initiative.number"
    )
    kinds: Mapped[list[ActivityKind]] = relationship(order_by="ActivityKind.position")
    focus_areas: Mapped[list[FocusArea]] = relationship(order_by="FocusArea.position")
    proposal_labels: Mapped[list[ProposalLabel]] = relationship(order_by="ProposalLabel.position")
    concern_categories: Mapped[list[ConcernCategory]] = relationship(
        order_by="ConcernCategory.position"
    )

    def __repr__(self) -> str:
        return f"<Campaign {self.code}>"


class Initiative(RetirableMixin, db.Model):
    """One of the letter's numbered initiatives (倡议)."""

    __table_args__ = (sa.UniqueConstraint("campaign_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"))
    code: Mapped[str] = mapped_column(sa.String(40))
    number: Mapped[int]
    numeral: Mapped[str] = mapped_column(sa.String(8))
    headline: Mapped[str] = mapped_column(sa.String(200))
    text: Mapped[str] = mapped_column(sa.Text, default="")

    campaign: Mapped[Campaign] = relationship(back_populates="initiatives")
    calls: Mapped[list[CallToAction]] = relationship(
        back_populates="initiative", order_by="CallToAction.position"
    )

    @property
    def display_name(self) -> str:
        return f"{self.numeral}、{self.headline}"


class CallToAction(RetirableMixin, db.Model):
    """A call to action inside an initiative; the four delegate-type calls name their type."""

    __tablename__ = "call_to_action"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"))
    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiative.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(60))
    title: Mapped[str] = mapped_column(sa.String(120))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    kind_codes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    delegate_type: Mapped[DelegateType | None] = mapped_column(enum_column(DelegateType))
    expected_per_quarter: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)

    initiative: Mapped[Initiative] = relationship(back_populates="calls")


class FocusArea(RetirableMixin, db.Model):
    """A focus area named by the letter (城市提能, 产业发展 …)."""

    __table_args__ = (sa.UniqueConstraint("campaign_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"))
    code: Mapped[str] = mapped_column(sa.String(60))
    name: Mapped[str] = mapped_column(sa.String(60))
    group: Mapped[str] = mapped_column(sa.String(30), default="")
    position: Mapped[int] = mapped_column(default=0)


class ProposalLabel(RetirableMixin, db.Model):
    """The letter's tags for proposals: 金点子 / 务实策 / 创新举."""

    __table_args__ = (sa.UniqueConstraint("campaign_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"))
    code: Mapped[str] = mapped_column(sa.String(60))
    name: Mapped[str] = mapped_column(sa.String(30))
    hint: Mapped[str] = mapped_column(sa.String(200), default="")
    position: Mapped[int] = mapped_column(default=0)


class ConcernCategory(RetirableMixin, db.Model):
    """What a citizen's concern is about (交通出行, 教育 …)."""

    __table_args__ = (sa.UniqueConstraint("campaign_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"))
    code: Mapped[str] = mapped_column(sa.String(60))
    name: Mapped[str] = mapped_column(sa.String(60))
    position: Mapped[int] = mapped_column(default=0)


class ActivityKind(RetirableMixin, db.Model):
    """A kind of activity (走访, 建议, 调研 …) with the form sections it needs and its points."""

    __table_args__ = (sa.UniqueConstraint("campaign_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"))
    code: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(30))
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    is_core: Mapped[bool] = mapped_column(default=False)
    points: Mapped[int] = mapped_column(default=0)
    default_initiative_number: Mapped[int | None]
    sections: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)

    def has_section(self, section: str) -> bool:
        return section in (self.sections or [])


# --- people ---------------------------------------------------------------------------------


class Delegate(RetirableMixin, db.Model):
    """A people's congress delegate (人大代表)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    gender: Mapped[Gender | None] = mapped_column(enum_column(Gender))
    level: Mapped[Level] = mapped_column(enum_column(Level))
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegation.id"), index=True)
    delegate_type: Mapped[DelegateType] = mapped_column(enum_column(DelegateType))
    work_unit: Mapped[str] = mapped_column(sa.String(200), default="")
    job_title: Mapped[str] = mapped_column(sa.String(100), default="")
    phone: Mapped[str] = mapped_column(sa.String(30), default="")
    station_id: Mapped[int | None] = mapped_column(sa.ForeignKey("station.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    delegation: Mapped[Delegation] = relationship()
    station: Mapped[Station | None] = relationship()
    user: Mapped[User | None] = relationship(back_populates="delegate")

    def __repr__(self) -> str:
        return f"<Delegate {self.id} {self.name}>"


class User(UserMixin, db.Model):
    """An account: a delegate, a staff member (optionally scoped to a delegation) or an admin."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(60), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(60))
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    delegate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("delegate.id"), unique=True)
    # Staff scope: one delegation, or None for the whole city.
    delegation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("delegation.id"), index=True)
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the login cookie: changing it ends every session of this account.
    session_token: Mapped[str] = mapped_column(
        sa.String(64), default=lambda: secrets.token_urlsafe(24)
    )
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Lockout: failed logins in a row, and until when the account refuses to log in. Kept in
    # the database so every worker and app server sees the same count.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]
    # Reading aids (大字号, 护眼), kept on the account so they follow the user to any browser.
    large_text: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    eye_care: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    delegate: Mapped[Delegate | None] = relationship(back_populates="user")
    delegation: Mapped[Delegation | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_delegate(self) -> bool:
        return self.role == Role.DELEGATE

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.STAFF, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


# --- activities -------------------------------------------------------------------------------

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


# --- monthly summaries ------------------------------------------------------------------------


class MonthClose(db.Model):
    """A closed month of a campaign: its summary as it stood when staff closed it.

    ``snapshot`` holds the summary of the whole city under ``"all"`` and of each delegation
    under its id, so every later view or export of the month shows the same numbers.
    """

    __table_args__ = (sa.UniqueConstraint("campaign_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"))
    month: Mapped[date]  # first day of the month
    closed_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    activities: Mapped[int] = mapped_column(default=0)  # approved entries counted at close
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    closed_by: Mapped[User | None] = relationship()


# --- audit and notifications -----------------------------------------------------------------


class AuditEntry(db.Model):
    """One state change, written in the same transaction as the change. Append-only."""

    __table_args__ = (sa.Index("ix_audit_entry_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(sa.String(40))
    from_state: Mapped[str] = mapped_column(sa.String(40), default="")
    to_state: Mapped[str] = mapped_column(sa.String(40), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")
    request_id: Mapped[str] = mapped_column(sa.String(64), default="")

    actor: Mapped[User | None] = relationship()


class Notification(db.Model):
    """An in-app message to one user, with a link to what it is about."""

    __table_args__ = (sa.Index("ix_notification_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # The sentence is chosen by kind when shown, in the reader's language.
    kind: Mapped[str] = mapped_column(sa.String(40))
    subject: Mapped[str] = mapped_column(sa.String(200), default="")
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str] = mapped_column(sa.String(200), default="")


# --- rollups: approved activities counted as they are approved -----------------------------------
# Kept current in the same transaction as each approval and reopening (tracker/reports/rollups.py),
# so dashboard figures cost the same however long the history grows.


class ActivityRollup(db.Model):
    """Approved activities and people reached per month and dimension."""

    # The 12-month trend by kind reads only this index.
    __table_args__ = (
        sa.Index("ix_activity_rollup_trend", "campaign_id", "month", "kind_id", "activities"),
    )

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)  # first day of the month
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegation.id"), primary_key=True)
    delegate_type: Mapped[DelegateType] = mapped_column(enum_column(DelegateType), primary_key=True)
    level: Mapped[Level] = mapped_column(enum_column(Level), primary_key=True)
    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiative.id"), primary_key=True)
    kind_id: Mapped[int] = mapped_column(sa.ForeignKey("activity_kind.id"), primary_key=True)
    activities: Mapped[int] = mapped_column(default=0)
    people_reached: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class FocusRollup(db.Model):
    """Approved activities per month, dimension and focus area."""

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegation.id"), primary_key=True)
    delegate_type: Mapped[DelegateType] = mapped_column(enum_column(DelegateType), primary_key=True)
    level: Mapped[Level] = mapped_column(enum_column(Level), primary_key=True)
    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiative.id"), primary_key=True)
    kind_id: Mapped[int] = mapped_column(sa.ForeignKey("activity_kind.id"), primary_key=True)
    focus_area_id: Mapped[int] = mapped_column(sa.ForeignKey("focus_area.id"), primary_key=True)
    activities: Mapped[int] = mapped_column(default=0)


class DelegateRollup(db.Model):
    """Approved activities per delegate, month, initiative and kind: participation and points."""

    __table_args__ = (sa.Index("ix_delegate_rollup_delegate", "delegate_id", "month"),)

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    delegate_id: Mapped[int] = mapped_column(sa.ForeignKey("delegate.id"), primary_key=True)
    initiative_id: Mapped[int] = mapped_column(sa.ForeignKey("initiative.id"), primary_key=True)
    kind_id: Mapped[int] = mapped_column(sa.ForeignKey("activity_kind.id"), primary_key=True)
    delegation_id: Mapped[int] = mapped_column(sa.ForeignKey("delegation.id"))
    delegate_type: Mapped[DelegateType] = mapped_column(enum_column(DelegateType))
    level: Mapped[Level] = mapped_column(enum_column(Level))
    activities: Mapped[int] = mapped_column(default=0)
