"""The upload form: one file, checked by its content in the service, not by its name."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class AttachmentForm(FlaskForm):
    """A photo or document to attach to an activity."""

    file = FileField(_l("添加照片或文件"), validators=[FileRequired(_l("请选择要上传的文件。"))])
