"""Review decisions: approve, return with a reason, reopen with a reason."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class DecisionForm(FlaskForm):
    """Carries the version the reviewer read; the decision is refused if it moved."""

    version = HiddenField()

    def read_version(self) -> int:
        try:
            return int(self.version.data or 0)
        except ValueError:
            return 0


class ReasonForm(DecisionForm):
    reason = TextAreaField(
        _l("原因（代表会看到）"),
        filters=[_strip],
        validators=[
            DataRequired(_l("请写明原因，代表会按此修改。")),
            Length(max=2000, message=_l("最多 %(max)d 字。")),
        ],
    )
