"""导入代表名册: upload a roster, preview what it would change, confirm, and the blank template.

The uploaded file waits in the instance folder under a random token for one hour. Only the
administrator who uploaded it can preview or confirm it; confirming plans the file again
(the roster may have changed meanwhile) and imports it only if no row has an error.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from werkzeug.exceptions import RequestEntityTooLarge

from ..edge import reads_own_body
from ..extensions import db
from .blueprint import bp
from .roster import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ROWS,
    FIELD_LABELS,
    HEADER_SYNONYMS,
    REQUIRED_FIELDS,
    RowStatus,
    apply_plan,
    plan_import,
    size_text,
    template_workbook,
)

UPLOAD_TTL_SECONDS = 3600
PREVIEW_ROWS = 500
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
FILTERS = ("all", "error", "create", "update", "unchanged")


class RosterUploadForm(FlaskForm):
    """The roster file, as the congress office keeps it."""

    file = FileField(
        _l("名册文件（Excel .xlsx 或 CSV）"),
        validators=[
            FileRequired(_l("请选择要导入的名册文件。")),
            FileAllowed(
                ["xlsx", "csv"],
                _l(
                    "只能上传 Excel 工作簿（.xlsx）或 CSV 文件；"
                    "旧版 .xls 请先在 Excel 中另存为 .xlsx 或 CSV。"
                ),
            ),
        ],
    )


class ConfirmForm(FlaskForm):
    """Confirming an import: a button, protected by the CSRF token."""


@dataclass
class Upload:
    token: str
    user_id: int
    filename: str
    uploaded_at: float
    data_path: Path
    meta_path: Path

    @property
    def expired(self) -> bool:
        return time.time() - self.uploaded_at > UPLOAD_TTL_SECONDS

    def read(self) -> bytes:
        return self.data_path.read_bytes()

    @property
    def claimed_path(self) -> Path:
        return self.data_path.with_suffix(".importing")

    def claim(self) -> bytes:
        """Take the file for importing; a second confirmation of the same upload (a double
        click) finds it gone and raises FileNotFoundError instead of importing it twice."""
        self.data_path.rename(self.claimed_path)
        return self.claimed_path.read_bytes()

    def release(self) -> None:
        self.claimed_path.rename(self.data_path)

    def discard(self) -> None:
        for path in (self.data_path, self.claimed_path, self.meta_path):
            path.unlink(missing_ok=True)


def upload_folder() -> Path:
    folder = current_app.config.get("ROSTER_UPLOAD_FOLDER")
    return Path(folder) if folder else Path(current_app.instance_path) / "uploads"


def upload_limit() -> int:
    """ROSTER_MAX_BYTES, never more than the request size Flask accepts."""
    limit = current_app.config.get("ROSTER_MAX_BYTES") or DEFAULT_MAX_BYTES
    request_limit = current_app.config.get("MAX_CONTENT_LENGTH")
    return min(limit, request_limit) if request_limit else limit


def _paths(token: str) -> tuple[Path, Path]:
    folder = upload_folder()
    return folder / f"roster-{token}.bin", folder / f"roster-{token}.json"


def _original_name(filename: str | None) -> str:
    """The name the file had on the administrator's computer, without any folder."""
    name = re.split(r"[\\/]", filename or "")[-1].strip()
    return name[-120:] or "roster"


def save_upload(data: bytes, filename: str) -> str:
    """Keep an uploaded roster for preview and confirmation; return its token."""
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    _sweep(folder)
    token = secrets.token_urlsafe(24)
    data_path, meta_path = _paths(token)
    data_path.write_bytes(data)
    meta_path.write_text(
        json.dumps(
            {
                "user_id": current_user.id,
                "filename": filename,
                "uploaded_at": time.time(),
                "size": len(data),
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return token


def _sweep(folder: Path) -> None:
    """Forget uploads nobody confirmed within the hour."""
    cutoff = time.time() - UPLOAD_TTL_SECONDS
    for path in folder.glob("roster-*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            continue


def find_upload(token: str) -> Upload | None:
    """The current administrator's upload under ``token``; None for anyone else's."""
    if not _TOKEN.fullmatch(token):
        return None
    data_path, meta_path = _paths(token)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("user_id") != current_user.id or not data_path.exists():
        return None
    return Upload(
        token,
        meta["user_id"],
        meta.get("filename", ""),
        float(meta["uploaded_at"]),
        data_path,
        meta_path,
    )


def _upload_or_404(token: str) -> Upload:
    upload = find_upload(token)
    if upload is None:
        abort(404)
    return upload


def _render_upload(form: RosterUploadForm, status: int = 200):
    return render_template(
        "admin/roster.html",
        form=form,
        result=session.pop("roster_result", None),
        limit=size_text(upload_limit()),
        max_rows=current_app.config.get("ROSTER_MAX_ROWS") or DEFAULT_MAX_ROWS,
        fields=FIELD_LABELS,
        required=REQUIRED_FIELDS,
        synonyms=HEADER_SYNONYMS,
    ), status


@bp.route("/roster", methods=["GET", "POST"])
@reads_own_body  # a file over the limit gets its message next to the field, below
def roster():
    """Upload a roster file; a readable one is kept and previewed."""
    try:
        form = RosterUploadForm()
    except RequestEntityTooLarge:
        form = RosterUploadForm(formdata=None)
        form.file.errors = [
            _("文件超过 %(size)s，请拆分后分批导入。", size=size_text(upload_limit()))
        ]
        return _render_upload(form, 413)
    if form.validate_on_submit():
        limit = upload_limit()
        data = form.file.data.read(limit + 1)
        filename = _original_name(form.file.data.filename)
        if len(data) > limit:
            form.file.errors.append(
                _("文件超过 %(size)s，请拆分后分批导入。", size=size_text(limit))
            )
        else:
            plan = plan_import(data, filename, max_bytes=limit)
            if plan.errors:
                form.file.errors.extend(plan.errors)
            else:
                token = save_upload(data, filename)
                return redirect(url_for("admin.roster_preview", token=token))
    return _render_upload(form)


@bp.route("/roster/template.xlsx")
def roster_template():
    """A blank roster with the expected columns."""
    return send_file(
        io.BytesIO(template_workbook()),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=_("代表名册模板.xlsx"),
    )


@bp.route("/roster/<token>")
def roster_preview(token: str):
    """What importing the uploaded file would do, row by row."""
    upload = _upload_or_404(token)
    if upload.expired:
        upload.discard()
        flash(_("预览已过期（超过 1 小时），请重新上传名册。"), "warning")
        return redirect(url_for("admin.roster"))
    plan = plan_import(upload.read(), upload.filename, max_bytes=upload_limit())
    show = request.args.get("show", "all")
    if show not in FILTERS:
        show = "all"
    rows = plan.rows if show == "all" else [r for r in plan.rows if r.status == show]
    return render_template(
        "admin/roster_preview.html",
        upload=upload,
        plan=plan,
        counts=plan.counts,
        rows=rows[:PREVIEW_ROWS],
        matching=len(rows),
        preview_rows=PREVIEW_ROWS,
        show=show,
        RowStatus=RowStatus,
        form=ConfirmForm(),
    )


@bp.route("/roster/<token>/confirm", methods=["POST"])
def roster_confirm(token: str):
    """Plan the file again and import it, all rows or none."""
    upload = _upload_or_404(token)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if upload.expired:
        upload.discard()
        flash(_("预览已过期（超过 1 小时），请重新上传名册。"), "warning")
        return redirect(url_for("admin.roster"))
    try:
        data = upload.claim()
    except FileNotFoundError:
        flash(_("这份名册正在导入或已经导入，请勿重复提交。"), "warning")
        return redirect(url_for("admin.roster"))
    plan = plan_import(data, upload.filename, max_bytes=upload_limit())
    if not plan.can_apply:
        upload.release()
        flash(_("名册中还有错误，没有导入任何内容。请修改文件后重新上传。"), "danger")
        return redirect(url_for("admin.roster_preview", token=token))
    counts = apply_plan(plan, current_user._get_current_object())
    db.session.commit()
    upload.discard()
    session["roster_result"] = {
        "filename": upload.filename,
        "created": counts.created,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "stations": counts.stations,
    }
    flash(
        _(
            "名册已导入：新增 %(created)s 人，更新 %(updated)s 人，新建家站 %(stations)s 个。",
            created=counts.created,
            updated=counts.updated,
            stations=counts.stations,
        ),
        "success",
    )
    return redirect(url_for("admin.roster"))
