"""Rollups: approved activities counted per month and dimension as they are approved."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..enums import DelegateType, Level
from ..extensions import db
from .base import enum_column

# Kept current in the same transaction as each approval and reopening (tracker/activities/rollups.py),
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
