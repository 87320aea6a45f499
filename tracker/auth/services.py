"""Account state changes. Services flush; the view commits."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from flask import current_app

from ..audit import record
from ..extensions import db
from ..models import User
from . import clock
from .passwords import hash_password, needs_rehash, verify_password

# Enough of a typed user name to recognise it in the audit trail, bounded because anyone
# can type anything into the login form.
AUDITED_USERNAME_LENGTH = 40


class LoginOutcome(StrEnum):
    """How a login attempt ended. Only the audit trail tells these apart; the person at the
    login form gets one answer for every refusal, so names cannot be probed."""

    OK = "ok"
    UNKNOWN_USER = "unknown_user"
    WRONG_PASSWORD = "wrong_password"  # noqa: S105 - a reason, not a password
    LOCKED = "locked"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class LoginAttempt:
    outcome: LoginOutcome
    user: User | None  # the account that was named, if any, whether or not it got in

    @property
    def succeeded(self) -> bool:
        return self.outcome is LoginOutcome.OK


def attempt_login(username: str, password: str, *, address: str = "") -> LoginAttempt:
    """Check a login and record it: success resets the failure count; a wrong password adds
    one, and the LOGIN_MAX_FAILURES-th in a row locks the account for LOGIN_LOCK_MINUTES, during
    which even the right password is refused. Every attempt is audited (never the password);
    the caller commits whatever the outcome. Every outcome costs one password verification,
    so timing does not tell them apart either."""
    user = db.session.scalar(
        sa.select(User).where(sa.func.lower(User.username) == username.strip().lower())
    )
    password_ok = verify_password(user.password_hash if user else None, password)
    now = clock.utcnow()

    if user is None:
        outcome = LoginOutcome.UNKNOWN_USER
    elif not user.active:
        outcome = LoginOutcome.INACTIVE
    else:
        if user.locked_until is not None and user.locked_until <= now:
            _clear_expired_lock(user, now)
        if user.locked_until is not None:
            outcome = LoginOutcome.LOCKED
        elif not password_ok:
            outcome = LoginOutcome.WRONG_PASSWORD
            _count_failure(user, now)
        else:
            outcome = LoginOutcome.OK

    if outcome is not LoginOutcome.OK:
        record(
            None,
            None,
            "login_failed",
            object_type="auth",
            note=f"username={_printable(username)}; reason={outcome}; ip={address}",
        )
        db.session.flush()
        return LoginAttempt(outcome, user)

    assert user is not None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    record(user, None, "login", object_type="auth", note=f"ip={address}")
    db.session.flush()
    return LoginAttempt(outcome, user)


def _count_failure(user: User, now: datetime) -> None:
    # One UPDATE adds the failure, so two workers failing at once both count; the row lock
    # it takes also orders the lock decision below.
    failures = db.session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins),
        execution_options={"synchronize_session": False},
    ).scalar_one()
    db.session.expire(user, ["failed_logins"])
    config = current_app.config
    if failures < config["LOGIN_MAX_FAILURES"]:
        return
    until = now + timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
    locked = db.session.execute(
        sa.update(User)
        .where(User.id == user.id, sa.or_(User.locked_until.is_(None), User.locked_until <= now))
        .values(locked_until=until),
        execution_options={"synchronize_session": False},
    ).rowcount
    db.session.expire(user, ["locked_until"])
    if locked:  # only the request that locked the account writes the lockout row
        record(
            None,
            None,
            "lockout",
            object_type="auth",
            note=f"username={user.username}; failures={failures}; until={until:%Y-%m-%d %H:%M} UTC",
        )


def _clear_expired_lock(user: User, now: datetime) -> None:
    # A lock that has run out gives the account a fresh count of attempts.
    db.session.execute(
        sa.update(User)
        .where(User.id == user.id, User.locked_until <= now)
        .values(failed_logins=0, locked_until=None),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(user, ["failed_logins", "locked_until"])


def _printable(text: str, limit: int = AUDITED_USERNAME_LENGTH) -> str:
    """``text`` cut to ``limit`` characters with control characters replaced: fit for one line."""
    return "".join(c if c.isprintable() else "?" for c in text.strip()[:limit])


def is_locked(user: User) -> bool:
    """True while ``user`` is locked out after too many failed logins."""
    return user.locked_until is not None and user.locked_until > clock.utcnow()


def unlock_account(user: User) -> None:
    """Lift a lockout and forget past failures (an administrator's reset or reactivation)."""
    user.failed_logins = 0
    user.locked_until = None
    db.session.flush()


def set_password(user: User, new_password: str, *, must_change: bool = False) -> None:
    """Store a new password, lift any lockout and end every other session of this account."""
    user.password_hash = hash_password(new_password)
    user.must_change_password = must_change
    user.failed_logins = 0
    user.locked_until = None
    end_sessions(user)


def change_own_password(user: User, new_password: str) -> None:
    """``user`` replaces their own password; their other sessions end."""
    set_password(user, new_password)
    record(user, None, "change_password", object_type="auth")
    db.session.flush()


def log_out(user: User) -> None:
    """End every session of ``user`` (each browser's cookie stops working) and audit it."""
    end_sessions(user)
    record(user, None, "logout", object_type="auth")
    db.session.flush()


def end_sessions(user: User) -> None:
    """Invalidate every login cookie issued for ``user``."""
    user.session_token = secrets.token_urlsafe(24)
    db.session.flush()


def record_access_denied(user_id: int, method: str, path: str, endpoint: str | None) -> None:
    """Audit one refused request (403) of the logged-in user ``user_id``."""
    entry = record(
        None,
        None,
        "access_denied",
        object_type="auth",
        note=f"{method} {_printable(path, 200)} ({endpoint or '-'})",
    )
    # By id: the refused request's objects have just been rolled back, and reloading the user
    # would make this (often GET) transaction read before it writes, which SQLite may refuse.
    entry.actor_id = user_id
    db.session.flush()
