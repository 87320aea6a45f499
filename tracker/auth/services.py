"""Account state changes. Services flush; the view commits."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select

from ..extensions import db
from ..models import User, utcnow
from .passwords import hash_password, needs_rehash, verify_password


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None; unknown names cost the same time."""
    user = db.session.scalar(
        select(User).where(func.lower(User.username) == username.strip().lower())
    )
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def set_password(user: User, new_password: str, *, must_change: bool = False) -> None:
    """Store a new password and end every other session of this account."""
    user.password_hash = hash_password(new_password)
    user.must_change_password = must_change
    end_sessions(user)


def end_sessions(user: User) -> None:
    """Invalidate every login cookie issued for ``user``."""
    user.session_token = secrets.token_urlsafe(24)
    db.session.flush()
