"""The notification list: what happened to my entries, and what waits for me."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..models import Notification
from ..reports.queries import paginate
from ..urls import safe_next
from .services import mark_read

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.route("/")
def index():
    page = paginate(
        sa.select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.id.desc()),
        per_page=30,
    )
    return render_template("notifications/index.html", page=page)


@bp.route("/<int:notification_id>/open", methods=["POST"])
def open_one(notification_id: int):
    """Mark one notification read and go to what it is about."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        return redirect(url_for("notifications.index"))
    mark_read(current_user, notification_id)
    db.session.commit()
    return redirect(safe_next(notification.link) or url_for("notifications.index"))


@bp.route("/read-all", methods=["POST"])
def read_all():
    mark_read(current_user)
    db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("notifications.index"))
