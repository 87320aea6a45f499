"""Accounts and login."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from ..extensions import db, login_manager
from ..models import User


def load_user(user_id: str) -> User | None:
    """Resolve the login cookie; a changed session token (logout, password change) ends it."""
    raw_id, _, token = user_id.partition(":")
    if not raw_id.isdigit() or not token:
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
    app.before_request(_require_login)


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


def _require_login():
    from flask import current_app, redirect, request, url_for
    from flask_login import current_user

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
