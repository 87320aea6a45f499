"""The one clock login code reads, so timeouts and lockouts can be tested without waiting.

Call it as ``clock.now()`` (not ``from .clock import now``) so a test can replace it.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, in UTC, time-zone aware."""
    return datetime.now(UTC)


def utcnow() -> datetime:
    """Naive UTC, the form the timestamp columns store."""
    return now().replace(tzinfo=None)


def timestamp() -> int:
    """Whole seconds since the epoch, the form kept in the session cookie."""
    return int(now().timestamp())
