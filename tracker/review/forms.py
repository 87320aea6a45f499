"""Review decisions: approve, return with a reason, reopen with a reason."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
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


class ExemplaryForm(FlaskForm):
    """Flag an approved entry as a typical case (典型案例) for the monthly summary, or unflag it."""

    exemplary = BooleanField(_l("列为典型案例"))
    note = TextAreaField(
        _l("推荐理由（写入月度通报）"),
        filters=[strip],
        validators=[Length(max=500, message=_l("最多 %(max)d 字。"))],
    )
