"""Photos and documents on an activity: added and removed on the activity's own page by
whoever may edit it, downloaded by whoever may see it."""

from __future__ import annotations

import logging
from pathlib import PurePath
from urllib.parse import quote

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import RequestEntityTooLarge

from ..activities.services import ActivityStateError
from ..audit import history
from ..edge import reads_own_body
from ..extensions import csrf, db
from ..models import Activity, Attachment
from ..permissions import can_edit_activity, can_view_activity, require
from .content import ACCEPT
from .forms import AttachmentForm
from .services import (
    AttachmentRejected,
    AttachmentTooLarge,
    add_attachment,
    remove_attachment,
    size_text,
    too_large_message,
)
from .storage import file_path

log = logging.getLogger(__name__)

bp = Blueprint("attachments", __name__, url_prefix="/attachments")

# Room for the multipart envelope and the CSRF token around the file itself.
FORM_OVERHEAD_BYTES = 64 * 1024


@bp.app_template_global("attachment_accept")
def attachment_accept() -> str:
    """The file input's ``accept``: the extensions and types the content check allows."""
    return ACCEPT


@bp.app_template_filter("filesize")
def filesize(size: int) -> str:
    return size_text(size)


def _load_activity(activity_id: int) -> Activity:
    activity = db.session.scalar(
        sa.select(Activity)
        .where(Activity.id == activity_id)
        .options(selectinload(Activity.attachments))
    )
    if activity is None:
        abort(404)
    return activity


def _load_attachment(attachment_id: int) -> Attachment:
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    return attachment


def _activity_page(activity: Activity, errors: list[str], status: int):
    """The activity's page again, with why the upload was refused next to the file field."""
    return render_template(
        "activities/detail.html",
        activity=activity,
        action_form=FlaskForm(formdata=None),
        entries=history("activity", activity.id),
        attachment_errors=errors,
    ), status


def _back_to(activity: Activity):
    return redirect(url_for("activities.detail", activity_id=activity.id, _anchor="attachments"))


@bp.route("/activity/<int:activity_id>", methods=["POST"])
@csrf.exempt  # checked below, once this route's larger size limit is in place
@reads_own_body  # the same: the body is read after the size limit is raised
def upload(activity_id: int):
    """Attach one photo or document to a draft or returned activity."""
    activity = _load_activity(activity_id)
    require(can_view_activity(current_user, activity))
    require(can_edit_activity(current_user, activity), 403)

    # Every other route keeps MAX_CONTENT_LENGTH. The body is read only now, after the
    # permission checks, so only who may attach can make the server read this much.
    request.max_content_length = current_app.config["ATTACHMENT_MAX_BYTES"] + FORM_OVERHEAD_BYTES
    try:
        if current_app.config["WTF_CSRF_ENABLED"]:
            csrf.protect()
        form = AttachmentForm()
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        return _activity_page(activity, [too_large_message()], 413)
    if not valid:
        return _activity_page(activity, list(form.file.errors), 400)

    upload_file = form.file.data
    try:
        add_attachment(activity, upload_file.stream, upload_file.filename, current_user)
    except AttachmentTooLarge as exc:
        return _activity_page(activity, [str(exc)], 413)
    except AttachmentRejected as exc:
        return _activity_page(activity, [str(exc)], 400)
    except ActivityStateError:
        db.session.rollback()
        abort(409)
    db.session.commit()
    flash(_("附件已上传。"), "success")
    return _back_to(activity)


@bp.route("/<int:attachment_id>")
def download(attachment_id: int):
    """The stored file, always as a download and never rendered by the browser."""
    attachment = _load_attachment(attachment_id)
    require(can_view_activity(current_user, attachment.activity))
    path = file_path(attachment.stored_name)
    if not path.is_file():
        log.error("attachment %s: file %s is missing", attachment.id, path.name)
        abort(404)
    response = send_file(
        path,
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.original_name,
        etag=False,
        last_modified=None,
    )
    if not attachment.original_name.isascii():
        # filename* carries the Chinese name (RFC 5987); the plain filename is for clients
        # that ignore it, which would otherwise get werkzeug's ASCII leftovers, e.g. ".jpg".
        response.headers.set(
            "Content-Disposition",
            "attachment",
            filename=f"attachment-{attachment.id}{PurePath(attachment.original_name).suffix}",
            **{"filename*": "UTF-8''" + quote(attachment.original_name, safe="!#$&+-.^_`|~")},
        )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    # Should a browser render it after all, it gets no script, no plugin, no origin.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/<int:attachment_id>/delete", methods=["POST"])
def delete(attachment_id: int):
    """Remove a file from a draft or returned activity."""
    attachment = _load_attachment(attachment_id)
    activity = attachment.activity
    require(can_view_activity(current_user, activity))
    require(can_edit_activity(current_user, activity), 403)
    try:
        remove_attachment(attachment, current_user)
    except ActivityStateError:
        db.session.rollback()
        abort(409)
    db.session.commit()
    flash(_("附件已删除。"), "info")
    return _back_to(activity)
