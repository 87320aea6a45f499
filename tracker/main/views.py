"""Home and health check."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask_login import current_user

from ..auth import public
from ..extensions import db

bp = Blueprint("main", __name__)


@bp.route("/")
def home():
    if current_user.is_delegate:
        return redirect(url_for("activities.mine"))
    return redirect(url_for("activities.index"))


@bp.route("/healthz")
@public
def health():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
