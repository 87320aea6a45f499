"""Error pages: a plain message in the user's language, never a traceback.

A refusal (4xx) is shown inside the usual page layout. A server error (5xx) gets a page that
stands alone (templates/errors/server_error.html): it reads nothing from the database and
runs no context processor, so it still shows when the database is what failed, and it carries
the request id that the log line of the error carries too, with the route and the exception.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, render_template, request
from flask_babel import force_locale
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db
from .i18n import locale_without_account

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_template("errors/error.html", code=400, csrf=True), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code >= 500:
            return server_error_page(error.code)
        message = getattr(error, "message", None)  # a refusal that says why (tracker.edge)
        return render_template(
            "errors/error.html", code=error.code, message=str(message) if message else None
        ), error.code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        try:
            db.session.rollback()
        except Exception:  # the database may be what failed; the page must still show
            log.warning("could not roll back after an error, request %s", g.get("request_id"))
        rule = request.url_rule.rule if request.url_rule is not None else "-"
        first_line = (str(error).splitlines() or [""])[0][:300]
        log.error(
            "unhandled %s on %s %s (route %s), request %s: %s",
            type(error).__name__,
            request.method,
            request.path,
            rule,
            g.get("request_id", "-"),
            first_line,
            exc_info=error,
        )
        return server_error_page(500)


def server_error_page(code: int) -> tuple[str, int]:
    """The stand-alone page of a server error, with the request's id."""
    language = locale_without_account()
    template = current_app.jinja_env.get_template("errors/server_error.html")
    with force_locale(language):
        body = template.render(
            code=code,
            request_id=g.get("request_id", ""),
            lang="en" if language == "en" else "zh-CN",
        )
    return body, code
