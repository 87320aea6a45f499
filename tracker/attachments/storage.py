"""Where attachment files live, and how they follow the database rows that name them.

Files sit in ATTACHMENT_FOLDER (default: instance/attachments), never under static, each
under a random name with no extension. A file is written to a temporary name and renamed
into place, so a half-written file never has a real name.

Files follow the transaction of their rows:

* a file written in a transaction that does not commit is removed;
* the file of a row deleted in a transaction is removed once it commits, whichever code
  deleted the row: an attachment removed on its own, or every attachment of an activity
  draft that is deleted (the relationship's cascade deletes the rows one by one).

When in doubt a file is kept: an orphaned file is harmless, a row without its file is not.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, object_session

from ..config import ConfigError
from ..models import Attachment

log = logging.getLogger(__name__)

_STORED_NAME = re.compile(r"[0-9a-f]{32}")
_PENDING_KEY = "attachment_files"


def attachment_folder() -> Path:
    """The configured folder, or instance/attachments; refused if the app would serve it."""
    configured = current_app.config.get("ATTACHMENT_FOLDER")
    folder = Path(configured) if configured else Path(current_app.instance_path) / "attachments"
    folder = folder.resolve()
    if current_app.static_folder:
        static = Path(current_app.static_folder).resolve()
        if folder == static or static in folder.parents:
            raise ConfigError(
                f"ATTACHMENT_FOLDER ({folder}) is inside the static folder, where anyone could "
                "download the files: point it somewhere outside, e.g. instance/attachments."
            )
    return folder


def file_path(stored_name: str) -> Path:
    """The path of a stored file; the name is checked so it can never leave the folder."""
    if not _STORED_NAME.fullmatch(stored_name):
        raise ValueError(f"not a stored attachment name: {stored_name!r}")
    return attachment_folder() / stored_name


def write_file(session: Session, data: bytes) -> str:
    """Store ``data`` under a new random name and return the name; the file is removed again
    if ``session``'s transaction rolls back."""
    folder = attachment_folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16)
    handle, temporary = tempfile.mkstemp(prefix=".upload-", dir=folder)  # mode 0600
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, folder / stored_name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _pending(session).written.append(folder / stored_name)
    return stored_name


# --- files follow their transaction ------------------------------------------------------------


@dataclass
class _PendingFiles:
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)


def _pending(session: Session) -> _PendingFiles:
    return session.info.setdefault(_PENDING_KEY, _PendingFiles())


def _unlink(paths: list[Path]) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            log.exception("could not remove attachment file %s", path)


@event.listens_for(Attachment, "after_delete")
def _remove_file_once_committed(_mapper: Any, _connection: Any, target: Attachment) -> None:
    session = object_session(target)
    if session is None or not has_app_context():
        log.warning("attachment %s deleted outside a session: its file is kept", target.id)
        return
    try:
        path = file_path(target.stored_name)
    except ValueError:
        return
    _pending(session).removed.append(path)


@event.listens_for(Session, "after_commit")
def _settle_files_on_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: the outer transaction decides
    pending = session.info.pop(_PENDING_KEY, None)
    if pending is not None:
        _unlink(pending.removed)


@event.listens_for(Session, "after_soft_rollback")
def _keep_files_of_restored_rows(session: Session, _previous: SessionTransaction) -> None:
    # Rows deleted in what was rolled back are back, so their files stay. After a savepoint
    # that may keep a file whose row was deleted before it: an orphan, never a missing file.
    pending: _PendingFiles | None = session.info.get(_PENDING_KEY)
    if pending is not None:
        pending.removed.clear()


@event.listens_for(Session, "after_transaction_end")
def _remove_files_never_committed(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    # A committed transaction took its list in after_commit; one that was rolled back or
    # closed without a commit leaves files no row will ever name.
    pending: _PendingFiles | None = session.info.pop(_PENDING_KEY, None)
    if pending is not None:
        _unlink(pending.written)
