"""Free text as the services store it."""

from __future__ import annotations


def plain(text: str | None) -> str:
    """``text`` trimmed and without NUL characters.

    PostgreSQL refuses NUL in text columns while SQLite keeps it; no keyboard types one, so it
    is dropped here and both databases store the same text. Requests carrying one are refused
    before they reach a view (tracker.security); this covers callers that are not requests.
    """
    return (text or "").replace("\x00", "").strip()
