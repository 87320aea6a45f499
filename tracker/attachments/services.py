"""Attaching files to activities and removing them. Services check, change, audit and
flush; the view commits, and the files follow the commit (see :mod:`.storage`)."""

from __future__ import annotations

import hashlib
from typing import IO

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..activities.services import EDITABLE, ActivityStateError
from ..audit import record
from ..extensions import db
from ..models import Activity, Attachment, User
from . import storage
from .content import UnacceptableFile, check_content, display_name


class AttachmentRejected(Exception):
    """The upload was refused and nothing was stored; the message says why, for the user."""


class AttachmentTooLarge(AttachmentRejected):
    """The upload is over ATTACHMENT_MAX_BYTES."""


def size_text(size: int) -> str:
    """10485760 → '10 MB', 2048 → '2 KB', 300 → '300 B': sizes as people read them."""
    if size >= 1024 * 1024:
        return f"{round(size / 1024 / 1024, 1):g} MB"
    if size >= 1024:
        return f"{round(size / 1024, 1):g} KB"
    return f"{size} B"


def too_large_message() -> str:
    """What the user reads when a file is over the limit."""
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    return _("文件超过 %(size)s，请压缩或缩小后再上传。", size=size_text(limit))


def count_attachments(activity: Activity) -> int:
    """How many files ``activity`` has, counted in the database."""
    return (
        db.session.scalar(
            sa.select(sa.func.count(Attachment.id)).where(Attachment.activity_id == activity.id)
        )
        or 0
    )


def add_attachment(
    activity: Activity, stream: IO[bytes], filename: str | None, author: User
) -> Attachment:
    """Check an uploaded file by its content, store it and attach it to a draft or returned
    ``activity``. Photos are stored re-encoded, without EXIF (GPS position, camera) or other
    metadata; ``sha256`` and ``size`` describe the bytes stored.

    Raises :class:`AttachmentRejected` (nothing stored) and :class:`ActivityStateError`.
    """
    if activity.status not in EDITABLE:
        raise ActivityStateError(activity.status)
    # Two uploads at once must not both pass the count (PostgreSQL locks the row; SQLite
    # writes one transaction at a time).
    db.session.execute(sa.select(Activity.id).where(Activity.id == activity.id).with_for_update())
    limit = current_app.config["ATTACHMENT_MAX_PER_ACTIVITY"]
    if count_attachments(activity) >= limit:
        raise AttachmentRejected(_("每条记录最多 %(n)s 个附件，请先删除不需要的附件。", n=limit))

    max_bytes = current_app.config["ATTACHMENT_MAX_BYTES"]
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise AttachmentTooLarge(too_large_message())
    if not data:
        raise AttachmentRejected(_("文件是空的，请重新选择。"))
    try:
        checked = check_content(data)
    except UnacceptableFile as exc:
        raise AttachmentRejected(str(exc)) from exc

    attachment = Attachment(
        stored_name=storage.write_file(db.session, checked.data),
        original_name=display_name(filename, checked.content_type, default=_("附件")),
        content_type=checked.content_type,
        size=len(checked.data),
        sha256=hashlib.sha256(checked.data).hexdigest(),
        uploaded_by_id=author.id,
    )
    activity.attachments.append(attachment)
    db.session.flush()
    record(author, activity, "attach", note=attachment.original_name)
    db.session.flush()
    return attachment


def remove_attachment(attachment: Attachment, author: User) -> None:
    """Remove a file from a draft or returned activity; the file goes once the change commits."""
    activity = attachment.activity
    if activity.status not in EDITABLE:
        raise ActivityStateError(activity.status)
    record(author, activity, "detach", note=attachment.original_name)
    activity.attachments.remove(attachment)
    db.session.delete(attachment)
    db.session.flush()
