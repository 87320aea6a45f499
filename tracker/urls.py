"""Links the app builds and follows: where a redirect may go, and a page's path from any code.

:func:`safe_next` keeps redirects on this site. :func:`path_for` builds a page's path with or
without a request, so services and commands (which may run with no request, from a command
line or a scheduled job) name the page by its endpoint rather than building URLs themselves.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


def safe_next(target: str | None) -> str | None:
    r"""``target`` if it is a path on this site, else None (no open redirects).

    Refused: absolute URLs, scheme-relative ``//host``, backslashes (browsers read ``/\host``
    as ``//host``), and any whitespace or control character (browsers drop tabs and newlines,
    so a tab between two slashes makes ``//host`` too).
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(c.isspace() or not c.isprintable() for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def path_for(endpoint: str, **values: Any) -> str:
    """The path of ``endpoint`` (``/proposals/7``), inside a request or not."""
    if has_request_context():
        return url_for(endpoint, **values)
    root = current_app.config.get("APPLICATION_ROOT") or "/"
    adapter = current_app.url_map.bind("localhost", script_name=root)
    return adapter.build(endpoint, values)
