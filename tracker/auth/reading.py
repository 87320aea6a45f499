"""Reading aids: 大字号 (larger text) and 护眼 (eye-care colours).

A signed-in user's choice is kept on the account, so it follows them to any browser; before
signing in it is kept in a cookie, so the login page can be read too. Once signed in, the
account's choice wins over the cookie. Pages carry the aids as classes on ``<html>``, rendered
by the server, so the first paint already has the right size and colours.
"""

from __future__ import annotations

from typing import NamedTuple

from flask import Response, current_app, has_request_context, request
from flask_login import current_user

READING_COOKIE = "tracker_reading"
READING_COOKIE_MAX_AGE = 365 * 24 * 3600

# The name in URLs and in the cookie → the User column (and ReadingAids field).
READING_AIDS = {"large-text": "large_text", "eye-care": "eye_care"}
# The class each aid puts on <html> (styled in static/css/app.css).
HTML_CLASSES = {"large_text": "reading-large", "eye_care": "reading-eyecare"}


class ReadingAids(NamedTuple):
    large_text: bool = False
    eye_care: bool = False

    @property
    def html_classes(self) -> str:
        """The classes for ``<html>``, e.g. ``"reading-large reading-eyecare"``."""
        return " ".join(css for field, css in HTML_CLASSES.items() if getattr(self, field))

    @property
    def cookie_value(self) -> str:
        """The aids that are on, as the cookie keeps them: ``"large-text.eye-care"``."""
        return ".".join(name for name, field in READING_AIDS.items() if getattr(self, field))


def reading_aids_from_cookie(value: str | None) -> ReadingAids:
    """Parse the cookie; unknown names are ignored."""
    names = set((value or "").split("."))
    return ReadingAids(**{field: name in names for name, field in READING_AIDS.items()})


def current_reading_aids() -> ReadingAids:
    """The account's aids when signed in, else the cookie's (none outside a request)."""
    if not has_request_context():
        return ReadingAids()
    if current_user and current_user.is_authenticated:
        return ReadingAids(bool(current_user.large_text), bool(current_user.eye_care))
    return reading_aids_from_cookie(request.cookies.get(READING_COOKIE))


def remember_reading_aids(response: Response, aids: ReadingAids) -> None:
    """Keep ``aids`` in this browser's cookie (removed when none is on)."""
    if not aids.cookie_value:
        response.delete_cookie(
            READING_COOKIE,
            samesite="Lax",
            httponly=True,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
        return
    response.set_cookie(
        READING_COOKIE,
        aids.cookie_value,
        max_age=READING_COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
