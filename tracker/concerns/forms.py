"""The forms staff use to follow a concern: refer, resolve, mark unresolvable, feed back."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from ..edge import as_id
from ..forms import VersionedForm, strip
from ..models import HandlingBody

NOTE_MAX = 2000
TOO_LONG = _l("最多 %(max)d 字。")


ConcernActionForm = VersionedForm


class ReferForm(ConcernActionForm):
    """Refer a concern to a handling body (转办). Only bodies still in use are offered."""

    handling_body = SelectField(
        _l("转办给（承办单位）"),
        validators=[InputRequired(_l("请选择承办单位。"))],
        invalid_choice_message=_l("所选承办单位不存在或已停用，请重新选择。"),
    )

    def __init__(self, *args, bodies: Iterable[HandlingBody] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.handling_body.choices = [("", _l("请选择"))] + [
            (str(body.id), body.name) for body in bodies if not body.is_retired
        ]

    def body_id(self) -> int | None:
        value = self.handling_body.data or ""
        return as_id(value)


class ResolveForm(ConcernActionForm):
    """Record that the concern was solved; a short note on how is optional."""

    resolution_note = TextAreaField(
        _l("办理结果（可选）"),
        filters=[strip],
        validators=[Length(max=NOTE_MAX, message=TOO_LONG)],
    )


class UnresolvableForm(ConcernActionForm):
    """Record that the concern cannot be solved, and why (blank or spaces only is refused)."""

    reason = TextAreaField(
        _l("无法解决的原因"),
        filters=[strip],
        validators=[
            DataRequired(_l("请写明无法解决的原因，反馈群众时要用到。")),
            Length(max=NOTE_MAX, message=TOO_LONG),
        ],
    )


class FeedbackForm(ConcernActionForm):
    """Record what the person who raised the concern was told (反馈群众)."""

    feedback_note = TextAreaField(
        _l("向反映人反馈的内容"),
        filters=[strip],
        validators=[
            DataRequired(_l("请写明向反映人反馈了什么。")),
            Length(max=NOTE_MAX, message=TOO_LONG),
        ],
    )
