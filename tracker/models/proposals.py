"""Proposals (建议), the bodies that handle them, their replies and urgings."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..enums import ProposalOutcome, ProposalStatus, Rating
from ..extensions import db
from .base import RetirableMixin, enum_column, utcnow

if TYPE_CHECKING:
    from .activities import Activity
    from .campaign import ProposalLabel
    from .people import User


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
