"""Forms for following a proposal: every action form carries the version its user read."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from ..enums import ProposalOutcome, Rating
from ..forms import (
    ChoiceField,
    LocalDateField,
    MultiCheckboxField,
    RadioChoiceField,
    VersionedForm,
    strip,
)
from ..models import HandlingBody, Proposal

NOTE_MAX = 2000
REPLY_MAX = 5000
BODY_NAME_MAX = 120
BODY_CODE_MAX = 60


def _lower(value):
    return value.lower() if isinstance(value, str) else value


ProposalActionForm = VersionedForm


class RejectForm(ProposalActionForm):
    """不予立案: the delegate is told why."""

    reason = TextAreaField(
        _l("不予立案的理由（代表会看到）"),
        filters=[strip],
        validators=[
            DataRequired(_l("请写明不予立案的理由。")),
            Length(max=NOTE_MAX, message=_l("最多 %(max)d 字。")),
        ],
    )


class AssignForm(ProposalActionForm):
    """交办: a lead body, optional co-handlers, the complex flag and the assignment date."""

    lead_handler = ChoiceField(_l("主办单位"), validators=[InputRequired(_l("请选择主办单位。"))])
    co_handlers = MultiCheckboxField(_l("协办单位（选填）"), validators=[Optional()])
    is_complex = BooleanField(_l("复杂建议（答复期限六个月）"))
    assigned_on = LocalDateField(_l("交办日期"), validators=[InputRequired(_l("请填写交办日期。"))])

    def __init__(
        self, *args, bodies: list[HandlingBody], proposal: Proposal, today: date, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        self.today = today
        self.bodies_by_id = {str(b.id): b for b in bodies}
        self.lead_handler.choices = [("", _l("请选择"))] + [(str(b.id), b.name) for b in bodies]
        self.co_handlers.choices = [(str(b.id), b.name) for b in bodies]

    def validate_co_handlers(self, field) -> None:
        if self.lead_handler.data and self.lead_handler.data in (field.data or []):
            raise ValidationError(_l("主办单位不必再选为协办单位。"))

    def validate_assigned_on(self, field) -> None:
        value: date | None = field.data
        if value is None:
            return
        if value > self.today:
            raise ValidationError(_l("交办日期不能晚于今天。"))
        if value < self.proposal.activity.occurred_on:
            raise ValidationError(_l("交办日期不能早于建议提出的日期。"))

    @property
    def lead_body(self) -> HandlingBody:
        return self.bodies_by_id[self.lead_handler.data]

    @property
    def co_bodies(self) -> list[HandlingBody]:
        return [self.bodies_by_id[i] for i in self.co_handlers.data or []]


class ReplyForm(ProposalActionForm):
    """登记答复: the handling body's reply in the current round."""

    text = TextAreaField(
        _l("答复内容"),
        filters=[strip],
        validators=[
            DataRequired(_l("请填写答复内容。")),
            Length(max=REPLY_MAX, message=_l("最多 %(max)d 字。")),
        ],
    )
    replied_on = LocalDateField(_l("答复日期"), validators=[InputRequired(_l("请填写答复日期。"))])
    outcome = RadioChoiceField(
        _l("办理结果"),
        choices=[],
        validators=[InputRequired(_l("请选择办理结果。"))],
    )

    def __init__(self, *args, proposal: Proposal, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        self.today = today
        self.outcome.choices = ProposalOutcome.choices()

    def validate_replied_on(self, field) -> None:
        value: date | None = field.data
        if value is None:
            return
        if value > self.today:
            raise ValidationError(_l("答复日期不能晚于今天。"))
        if self.proposal.assigned_on and value < self.proposal.assigned_on:
            raise ValidationError(_l("答复日期不能早于交办日期。"))
        previous = self.proposal.latest_reply
        if previous is not None and value < previous.replied_on:
            raise ValidationError(_l("答复日期不能早于上一轮答复的日期。"))


class UrgeForm(ProposalActionForm):
    """督办: a note on what was urged, optional."""

    note = TextAreaField(
        _l("督办说明（选填）"),
        filters=[strip],
        validators=[Length(max=NOTE_MAX, message=_l("最多 %(max)d 字。"))],
    )


class RateForm(ProposalActionForm):
    """The delegate's rating of the latest reply."""

    rating = RadioChoiceField(
        _l("您对答复的评价"),
        choices=[],
        validators=[InputRequired(_l("请选择满意、基本满意或不满意。"))],
    )
    note = TextAreaField(
        _l("意见（选填）"),
        filters=[strip],
        validators=[Length(max=NOTE_MAX, message=_l("最多 %(max)d 字。"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rating.choices = Rating.choices()


class HandlingBodyForm(FlaskForm):
    """Add a handling body to the managed list."""

    name = StringField(
        _l("单位名称"),
        filters=[strip],
        validators=[
            DataRequired(_l("请填写单位名称。")),
            Length(max=BODY_NAME_MAX, message=_l("最多 %(max)d 字。")),
        ],
    )
    code = StringField(
        _l("代码（英文小写字母、数字和“-”）"),
        filters=[strip, _lower],
        validators=[
            DataRequired(_l("请填写代码。")),
            Length(max=BODY_CODE_MAX, message=_l("最多 %(max)d 字。")),
            Regexp(
                r"^[a-z0-9][a-z0-9-]*$",
                message=_l("代码只能包含英文小写字母、数字和“-”，例如 city-transport。"),
            ),
        ],
    )


class HandlingBodyUpdateForm(FlaskForm):
    """Rename, retire or restore one handling body; the button pressed names the action."""

    name = StringField(
        _l("单位名称"),
        filters=[strip],
        validators=[Length(max=BODY_NAME_MAX, message=_l("最多 %(max)d 字。"))],
    )
    # Sent by the button pressed (name="action"), so it is not a hidden field of its own.
    action = StringField()

    ACTIONS = ("rename", "retire", "restore")

    def validate_action(self, field) -> None:
        if field.data not in self.ACTIONS:
            raise ValidationError(_l("未知的操作。"))

    def validate_name(self, field) -> None:
        if self.action.data == "rename" and not field.data:
            raise ValidationError(_l("请填写单位名称。"))
