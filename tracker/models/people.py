"""People: delegates and the accounts that log in."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..enums import DelegateType, Gender, Level, Role
from ..extensions import db
from .base import RetirableMixin, enum_column, utcnow

if TYPE_CHECKING:
    from .places import Delegation, Station


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
