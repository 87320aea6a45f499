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
    # Staff land on what waits for them: the review queue with its to-do figures.
    return redirect(url_for("review.index"))


@bp.route("/healthz")
@public
def health():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
