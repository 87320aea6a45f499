"""Places: delegations (代表团) and delegate stations."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..enums import DelegationKind, StationKind
from ..extensions import db
from .base import RetirableMixin, enum_column


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
