"""Per-address request throttling with Flask-Limiter.

Nothing is limited by default; a view opts in with ``@limiter.limit(...)`` (the login form
does). Counts are kept in Redis when ``REDIS_URL`` is set, so every worker and server shares
them, else in each process's memory. Going over a limit answers 429 with the usual error page.

Addresses: behind nginx every request comes from 127.0.0.1, so set ``TRUSTED_PROXIES`` to the
number of proxies in front of the app (1 for one nginx, which must send
``X-Forwarded-For $proxy_add_x_forwarded_for`` and ``X-Forwarded-Proto $scheme``). With the
default 0 those headers are ignored: believing them without a proxy would let anyone pick
their own address and escape the limit.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, request
from flask_limiter import Limiter
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger(__name__)


def client_address() -> str:
    """The address a request is counted against."""
    return request.remote_addr or "unknown"


limiter = Limiter(
    key_func=client_address,
    default_limits=[],
    headers_enabled=True,  # Retry-After tells a script (or a person) when to come back
    # If Redis goes away, each process counts on its own rather than letting everyone through
    # or failing logins; the per-account lockout lives in the database and holds regardless.
    in_memory_fallback_enabled=True,
    swallow_errors=True,
)


def login_rate_limit() -> str:
    """The limit on login attempts from one address (LOGIN_RATE_LIMIT)."""
    return current_app.config["LOGIN_RATE_LIMIT"]


def init_app(app: Flask) -> None:
    """Set up throttling for ``app``: storage from REDIS_URL, and the trusted proxies."""
    config = app.config
    config.setdefault("RATELIMIT_STORAGE_URI", config.get("REDIS_URL") or "memory://")
    if config["PRODUCTION"] and config["RATELIMIT_STORAGE_URI"].startswith("memory"):
        log.warning(
            "login throttling counts in each worker's memory; set REDIS_URL to share the counts"
        )
    # limits names every Redis key with this prefix; naming it for each app keeps one app's
    # choice from carrying over to the next app the same process builds.
    config["RATELIMIT_STORAGE_OPTIONS"] = {
        "key_prefix": "tracker",
        **config.get("RATELIMIT_STORAGE_OPTIONS", {}),
    }
    proxies = int(config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    limiter.init_app(app)
