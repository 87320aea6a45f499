"""Language: Chinese first, English per user or by the browser's Accept-Language."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from flask_login import current_user

from .config import TRANSLATIONS_FOLDER
from .extensions import babel

LOCALE_COOKIE = "tracker_locale"


def select_locale() -> str:
    """The user's saved choice, then the cookie, then Accept-Language, then Chinese."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # command line: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return locale_without_account()


def locale_without_account() -> str:
    """The cookie's language, then the browser's, then Chinese: what a request says without
    reading the account (the server-error page, which must not touch the database)."""
    languages = current_app.config["LANGUAGES"]
    cookie = request.cookies.get(LOCALE_COOKIE)
    if cookie in languages:
        return cookie
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(TRANSLATIONS_FOLDER),
    )
