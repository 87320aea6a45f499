"""Response headers for every page, and a request id from the very start of each request.

- A strict Content Security Policy: scripts and styles come only from our own static files;
  no inline ``<script>``, no ``on…=`` handlers, no ``style=""`` attributes or ``<style>``
  elements in the pages (scripts may still set styles through the DOM, as ECharts does).
- No framing, no MIME sniffing, no referrer sent to other sites, no browser features we
  don't use, a browsing context of our own.
- ``Cache-Control: no-store`` on everything a logged-in user is shown: pages carry personal
  data (citizens' contacts, delegates' records), and a shared office computer or a proxy must
  not keep them. Static files keep their caching. A response that already says how it may be
  cached keeps what it says, with ``no-store`` added unless it declares itself ``public``.
- Refused requests (4xx) and failures (5xx) are logged with their request id, the number the
  error page shows, so a user's report can be found in the logs.
"""

from __future__ import annotations

import logging
import re
import uuid

from flask import Flask, Response, g, request
from flask_login import current_user

from .auth.sessions import carries_login

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}

HSTS = "max-age=31536000"

# An id a proxy in front of us may pass on; anything else is replaced by our own.
REQUEST_ID_HEADER = "X-Request-Id"
_REQUEST_ID_ENVIRON = "HTTP_X_REQUEST_ID"
_GOOD_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def new_request_id() -> str:
    """A short random id for one request."""
    return uuid.uuid4().hex[:12]


def is_static_endpoint(endpoint: str | None) -> bool:
    """The app's static files and those of blueprints (Bootstrap's, for one)."""
    return endpoint is not None and (endpoint == "static" or endpoint.endswith(".static"))


def init_app(app: Flask) -> None:
    """Give every request of ``app`` its id first, and add the security headers (and the log
    line of a refusal) to every response. Input itself is bounded in :mod:`tracker.edge`."""
    # First of all the before-request hooks: the CSRF check, the size limit and throttling
    # may refuse a request before any later hook runs, and their error pages show this id.
    app.before_request_funcs.setdefault(None, []).insert(0, assign_request_id)
    app.after_request(add_security_headers)
    app.after_request(log_refused_request)


def assign_request_id() -> None:
    """Give the request its id: a well-formed one from the proxy, else a new one.

    The id is also written back into the request's headers, so every later reader of the
    ``X-Request-Id`` header gets the same id.
    """
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    request_id = incoming if _GOOD_REQUEST_ID.fullmatch(incoming) else new_request_id()
    request.environ[_REQUEST_ID_ENVIRON] = request_id
    g.request_id = request_id


def add_security_headers(response: Response) -> Response:
    """The headers every response carries; a header a view set itself is kept."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    request_id = g.get("request_id")
    if request_id:
        response.headers.setdefault(REQUEST_ID_HEADER, request_id)
    if (
        not is_static_endpoint(request.endpoint)
        and not response.cache_control.public
        and _is_logged_in()
    ):
        response.cache_control.no_store = True
    return response


def log_refused_request(response: Response) -> Response:
    """One log line per refused or failed request, with the id its error page shows."""
    status = response.status_code
    if status < 400:
        return response
    if status == 404:
        level = logging.INFO
    elif status < 500:
        level = logging.WARNING
    else:
        level = logging.ERROR
    log.log(
        level,
        "%s %s answered %d, request %s, user %s",
        request.method,
        request.path,
        status,
        g.get("request_id", "-"),
        _user_id() or "-",
    )
    return response


def _is_logged_in() -> bool:
    """Whether the request carries a login, so its page is personal. Read from the session
    rather than the account: after a write's commit the account row would be loaded again
    only to answer this."""
    try:
        return carries_login()
    except Exception:  # a broken session must not cost the page its headers
        log.exception("could not tell whether the user is logged in")
        return True  # when in doubt, don't let it be cached


def _user_id() -> int | None:
    try:
        return current_user.id if current_user and current_user.is_authenticated else None
    except Exception:
        return None
