"""One browser's login: started afresh, timed out when idle or old, ended on logout.

The login and last-request times live in Flask's signed session cookie, so they cannot be
changed by the browser and cost no database write. Ending *every* session of an account
(logout, password change, deactivation) is the session token's job, in :mod:`.services`.
"""

from __future__ import annotations

from flask import current_app, session
from flask_login import login_user, logout_user

from ..models import User
from . import clock

LOGIN_AT = "auth_login_at"
SEEN_AT = "auth_seen_at"
# The last-request time is written back at most this often: a cookie rewritten on every
# request would only cost bandwidth, and the idle timeout does not need to the second.
SEEN_RESOLUTION_SECONDS = 60


def start_session(user: User) -> None:
    """Log ``user`` in on this browser with a brand-new session: nothing from before the login
    (a planted or shared cookie's content) is carried over. Never a remember-me cookie."""
    session.clear()
    login_user(user, remember=False)
    now = clock.timestamp()
    session[LOGIN_AT] = now
    session[SEEN_AT] = now


def end_session() -> None:
    """Log this browser out and forget everything the session held."""
    session.clear()
    logout_user()  # after clearing, so it can still mark a remember cookie for deletion


def expiry_reason(now: int) -> str | None:
    """``"idle"`` or ``"absolute"`` when this browser's login has run out, else None.

    A login without the times (made by anything but :func:`start_session`) counts as run out.
    """
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return "absolute"
    config = current_app.config
    if now - login_at >= config["SESSION_MAX_HOURS"] * 3600:
        return "absolute"
    if now - seen_at >= config["SESSION_IDLE_MINUTES"] * 60:
        return "idle"
    return None


def carries_login() -> bool:
    """True when this browser's session holds a login (Flask-Login's user id), read from the
    cookie alone: no account is loaded to answer."""
    return session.get("_user_id") is not None


def has_login_times() -> bool:
    """True when this browser's session was started by :func:`start_session`."""
    return isinstance(session.get(LOGIN_AT), int)


def note_activity(now: int) -> None:
    """Move the last-request time forward, at most once a minute."""
    if now - session.get(SEEN_AT, 0) >= SEEN_RESOLUTION_SECONDS:
        session[SEEN_AT] = now


def forget_login() -> None:
    """Log this browser out after a timeout, keeping the rest of the session (its CSRF token,
    the flash that explains what happened)."""
    logout_user()
    session.pop(LOGIN_AT, None)
    session.pop(SEEN_AT, None)
