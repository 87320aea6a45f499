"""The campaign as loaded from its definition file: the letter, its initiatives and calls,
kinds of activity, focus areas and the managed lists it brings."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..enums import DelegateType
from ..extensions import db
from .base import RetirableMixin, enum_column, utcnow


class Campaign(db.Model):
    """A themed campaign (主题活动) launched by an initiative letter (倡议书)."""

    # At most one campaign is active: the database refuses a second (two concurrent
    # activations cannot both succeed).
    __table_args__ = (
        sa.Index(
            "uq_campaign_one_active",
            "is_active",
            unique=True,
            postgresql_where=sa.text("is_active"),
            sqlite_where=sa.text("is_active"),
        ),
    )

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
