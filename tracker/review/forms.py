"""Review decisions: approve, return with a reason, reopen with a reason."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import VersionedForm, strip

DecisionForm = VersionedForm


class ReasonForm(DecisionForm):
    reason = TextAreaField(
        _l("原因（代表会看到）"),
        filters=[strip],
        validators=[
            DataRequired(_l("请写明原因，代表会按此修改。")),
            Length(max=2000, message=_l("最多 %(max)d 字。")),
        ],
    )
