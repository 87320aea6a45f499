"""Accounts and login."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_url
from sqlalchemy.exc import SQLAlchemyError

from ..database import begin_writing
from ..extensions import db, login_manager
from ..models import User
from . import clock, sessions
from .services import record_access_denied

log = logging.getLogger(__name__)


def load_user(user_id: str) -> User | None:
    """Resolve the login cookie; a changed session token (logout, password change,
    deactivation) ends it, and so does a login that did not go through the login form
    (a remember-me cookie, which this app never sets)."""
    raw_id, _sep, token = user_id.partition(":")
    if not raw_id.isdigit() or not token or not sessions.has_login_times():
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or user.session_token != token or not user.active:
        return None
    return user


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "strong"
    # In this order: a timed-out login is ended before anything asks who is logged in.
    app.before_request(_end_timed_out_login)
    app.before_request(_require_login)
    app.after_request(_audit_access_denied)


PUBLIC_ENDPOINTS = {"static", "bootstrap.static"}


def public(view):
    """Mark a view as reachable without login; everything else requires it."""
    view.is_public = True
    return view


def is_public_endpoint(app: Flask, endpoint: str | None) -> bool:
    """True for the allow-list: static files and views marked :func:`public`."""
    if endpoint is None:
        return True  # 404 / 405 are answered by Flask before any view runs
    if endpoint in PUBLIC_ENDPOINTS:
        return True
    view = app.view_functions.get(endpoint)
    return bool(getattr(view, "is_public", False))


def _end_timed_out_login():
    """Log this browser out after SESSION_IDLE_MINUTES without a request or SESSION_MAX_HOURS
    after logging in, and send it to the login form, which comes back here afterwards."""
    if not sessions.carries_login():
        return None  # nobody is logged in on this browser
    now = clock.timestamp()
    if sessions.expiry_reason(now) is None:
        sessions.note_activity(now)
        return None
    sessions.forget_login()
    flash(_("登录已超时，请重新登录"), "warning")
    if is_public_endpoint(current_app, request.endpoint):
        return None
    return redirect(login_url(login_manager.login_view, request.url))


def _require_login():
    if is_public_endpoint(current_app, request.endpoint):
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if current_user.must_change_password and request.endpoint not in {
        "auth.change_password",
        "auth.logout",
    }:
        return redirect(url_for("auth.change_password"))
    return None


def _audit_access_denied(response: Response) -> Response:
    """One audit row for each request of a logged-in user refused with 403, wherever the
    refusal came from (``role_required``, ``require(..., 403)``, a plain ``abort(403)``)."""
    if response.status_code != 403 or not current_user.is_authenticated:
        return response
    user_id = current_user.id
    try:
        # Nothing of a refused request is kept but its audit row.
        db.session.rollback()
        begin_writing()
        record_access_denied(user_id, request.method, request.path, request.endpoint)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("could not audit a refused request")
    return response
