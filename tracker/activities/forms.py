"""The activity form: common fields, then the parts each kind needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..edge import as_id
from ..enums import RaisedByKind, VisitTargetKind
from ..forms import (
    ChoiceField,
    LocalDateField,
    MultiCheckboxField,
    MultiChoiceField,
    RadioChoiceField,
    WholeNumberField,
    strip,
)
from ..models import Campaign

MAX_PEOPLE_REACHED = 100_000
MAX_CONCERNS = 30
TITLE_MAX = 100
TEXT_MAX = 5000
SHORT_TEXT_MAX = 200
PHONE_MAX = 30


class ConcernForm(Form):
    """One concern raised on a visit; a row left wholly empty is ignored."""

    # Set for a row that already exists, so an edit updates it in place.
    concern_id = HiddenField()

    category = ChoiceField(_l("类别"), validators=[Optional()])
    content = TextAreaField(
        _l("群众反映的问题"),
        filters=[strip],
        validators=[Length(max=TEXT_MAX, message=_l("最多 %(max)d 字。"))],
    )
    raised_by_kind = RadioChoiceField(
        _l("反映人"),
        choices=[],
        default=RaisedByKind.CITIZEN.value,
        validators=[Optional()],
    )
    raised_by_name = StringField(
        _l("姓名或企业名称（选填）"),
        filters=[strip],
        validators=[Length(max=100, message=_l("最多 %(max)d 字。"))],
    )
    raised_by_phone = StringField(
        _l("联系电话（选填）"),
        filters=[strip],
        validators=[Length(max=PHONE_MAX, message=_l("最多 %(max)d 字。"))],
    )

    def is_blank(self) -> bool:
        return not any((self.content.data, self.raised_by_name.data, self.raised_by_phone.data))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.is_blank():
            return ok
        if not self.content.data:
            self.content.errors.append(_l("请填写群众反映的问题，或清空这一条。"))
            ok = False
        if not self.category.data:
            self.category.errors.append(_l("请选择类别。"))
            ok = False
        return ok

    def validate_raised_by_phone(self, field) -> None:
        value = (field.data or "").replace(" ", "").replace("-", "")
        if value and not all(c.isdigit() or c == "+" for c in value):
            raise ValidationError(_l("电话只能包含数字、空格、“-”和“+”。"))


@dataclass
class ConcernInput:
    id: int | None
    category_id: int
    content: str
    raised_by_kind: RaisedByKind
    raised_by_name: str = ""
    raised_by_phone: str = ""


@dataclass
class ActivityInput:
    """What the form collected, in plain values, for the services."""

    kind_id: int
    initiative_id: int
    call_id: int | None
    occurred_on: date
    station_id: int | None
    place: str
    people_reached: int
    title: str
    description: str
    outcome: str
    focus_area_ids: list[int] = field(default_factory=list)
    participant_ids: list[int] = field(default_factory=list)
    visit_target_kind: VisitTargetKind | None = None
    visit_target: str = ""
    research_topic: str = ""
    research_findings: str = ""
    proposal_label_id: int | None = None
    proposal_content: str = ""
    suggested_handler: str = ""
    concerns: list[ConcernInput] = field(default_factory=list)


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class ActivityForm(FlaskForm):
    """Log or edit an activity. Choices come from the active campaign."""

    kind = RadioChoiceField(_l("活动类型"), validators=[InputRequired(_l("请选择活动类型。"))])
    initiative = RadioChoiceField(
        _l("所属倡议"), validators=[InputRequired(_l("请选择所属倡议。"))]
    )
    call = ChoiceField(_l("响应的号召（选填）"), validators=[Optional()])
    title = StringField(
        _l("标题"),
        filters=[strip],
        validators=[
            DataRequired(_l("请填写标题，一句话说清做了什么。")),
            Length(max=TITLE_MAX, message=_l("标题最多 %(max)d 字。")),
        ],
    )
    occurred_on = LocalDateField(
        _l("日期"),
        validators=[InputRequired(_l("请填写日期。"))],
    )
    station = ChoiceField(_l("地点：代表家站（选填）"), validators=[Optional()])
    place = StringField(
        _l("其他地点（选填）"),
        filters=[strip],
        validators=[Length(max=SHORT_TEXT_MAX, message=_l("最多 %(max)d 字。"))],
    )
    people_reached = WholeNumberField(
        _l("联系群众人数"),
        default=0,
        validators=[
            Optional(),
            NumberRange(
                min=0,
                max=MAX_PEOPLE_REACHED,
                message=_l("人数应在 %(min)s 到 %(max)s 之间。"),
            ),
        ],
    )
    focus_areas = MultiCheckboxField(_l("涉及重点领域（选填）"), validators=[Optional()])
    participants = MultiChoiceField(_l("共同参加的代表（选填）"), validators=[Optional()])
    description = TextAreaField(
        _l("情况说明（选填）"),
        filters=[strip],
        validators=[Length(max=TEXT_MAX, message=_l("最多 %(max)d 字。"))],
    )
    outcome = TextAreaField(
        _l("取得成效（选填）"),
        filters=[strip],
        validators=[Length(max=TEXT_MAX, message=_l("最多 %(max)d 字。"))],
    )

    # visit
    visit_target_kind = RadioChoiceField(_l("走访对象"), validators=[Optional()])
    visit_target = StringField(
        _l("走访了谁（住户、企业或项目名称）"),
        filters=[strip],
        validators=[Length(max=SHORT_TEXT_MAX, message=_l("最多 %(max)d 字。"))],
    )
    # research
    research_topic = StringField(
        _l("调研题目"),
        filters=[strip],
        validators=[Length(max=SHORT_TEXT_MAX, message=_l("最多 %(max)d 字。"))],
    )
    research_findings = TextAreaField(
        _l("调研发现"),
        filters=[strip],
        validators=[Length(max=TEXT_MAX, message=_l("最多 %(max)d 字。"))],
    )
    # proposal
    proposal_label = RadioChoiceField(_l("建议类别"), validators=[Optional()])
    proposal_content = TextAreaField(
        _l("建议内容"),
        filters=[strip],
        validators=[Length(max=TEXT_MAX, message=_l("最多 %(max)d 字。"))],
    )
    suggested_handler = StringField(
        _l("建议承办单位（选填）"),
        filters=[strip],
        validators=[Length(max=120, message=_l("最多 %(max)d 字。"))],
    )
    # concerns
    concerns = FieldList(FormField(ConcernForm), min_entries=0, max_entries=MAX_CONCERNS)

    save_draft = SubmitField(_l("保存草稿"))
    submit_entry = SubmitField(_l("提交"))

    def __init__(self, *args, campaign: Campaign, today: date, stations, co_delegates, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.today = today
        self.kinds_by_code = {k.code: k for k in campaign.kinds if not k.is_retired}
        self.kind.choices = [(k.code, k.name) for k in self.kinds_by_code.values()]
        initiatives = [i for i in campaign.initiatives if not i.is_retired]
        self.initiatives_by_code = {i.code: i for i in initiatives}
        self.initiative.choices = [(i.code, f"{i.numeral}、{i.headline}") for i in initiatives]
        self.calls_by_code = {c.code: c for i in initiatives for c in i.calls if not c.is_retired}
        self.call.choices = [("", _l("（不选）"))] + [
            (c.code, f"{c.initiative.numeral}·{c.title}") for c in self.calls_by_code.values()
        ]
        self.focus_by_code = {f.code: f for f in campaign.focus_areas if not f.is_retired}
        self.focus_areas.choices = [(f.code, f.name) for f in self.focus_by_code.values()]
        self.stations_by_id = {str(s.id): s for s in stations}
        self.station.choices = [("", _l("（不在家站）"))] + [(str(s.id), s.name) for s in stations]
        self.participants.choices = [(str(d.id), d.name) for d in co_delegates]
        self.visit_target_kind.choices = VisitTargetKind.choices()
        self.labels_by_code = {p.code: p for p in campaign.proposal_labels if not p.is_retired}
        self.proposal_label.choices = [(p.code, p.name) for p in self.labels_by_code.values()]
        self.categories_by_code = {
            c.code: c for c in campaign.concern_categories if not c.is_retired
        }
        for entry in self.concerns:
            self._set_concern_choices(entry.form)

    def _set_concern_choices(self, form: ConcernForm) -> None:
        form.category.choices = [("", _l("请选择"))] + [
            (c.code, c.name) for c in self.categories_by_code.values()
        ]
        form.raised_by_kind.choices = RaisedByKind.choices()

    def concern_template(self) -> ConcernForm:
        """A blank concern row named with a placeholder index, for the page to copy."""
        row = ConcernForm(formdata=None, prefix="concerns-__index__-")
        self._set_concern_choices(row)
        row.raised_by_kind.data = RaisedByKind.CITIZEN.value
        return row

    def kind_settings(self) -> dict[str, dict]:
        """Per kind: the form sections it shows and the initiative preselected for it."""
        numbers = {i.number: i.code for i in self.initiatives_by_code.values()}
        return {
            code: {
                "sections": list(kind.sections or []),
                "initiative": numbers.get(kind.default_initiative_number),
            }
            for code, kind in self.kinds_by_code.items()
        }

    def add_blank_concern(self) -> None:
        self.concerns.append_entry()
        self._set_concern_choices(self.concerns.entries[-1].form)

    @property
    def selected_kind(self):
        return self.kinds_by_code.get(self.kind.data or "")

    def wants_submit(self) -> bool:
        return bool(self.submit_entry.data)

    # field-level checks

    def validate_occurred_on(self, field) -> None:
        value: date | None = field.data
        if value is None:  # unparseable: the field already says so
            return
        if value > self.today:
            raise ValidationError(_l("日期不能晚于今天。"))
        if value < self.campaign.starts_on:
            raise ValidationError(
                _l(
                    "日期不能早于主题活动开始之日（%(day)s）。",
                    day=format_date(self.campaign.starts_on, "long"),
                )
            )
        if self.campaign.ends_on and value > self.campaign.ends_on:
            raise ValidationError(
                _l(
                    "日期不能晚于主题活动结束之日（%(day)s）。",
                    day=format_date(self.campaign.ends_on, "long"),
                )
            )

    def validate_call(self, field) -> None:
        call = self.calls_by_code.get(field.data or "")
        initiative = self.initiatives_by_code.get(self.initiative.data or "")
        if call and initiative and call.initiative_id != initiative.id:
            raise ValidationError(_l("所选号召不属于所选倡议，请重新选择。"))

    def validate(self, extra_validators=None) -> bool:
        kind = self.selected_kind
        if kind is not None and not kind.has_section("concerns"):
            # Rows of a section the chosen kind does not have are neither checked nor kept.
            self.concerns.entries = []
        ok = super().validate(extra_validators)
        if kind is None:
            return False
        if kind.has_section("visit") and not self.visit_target_kind.data:
            self.visit_target_kind.errors.append(_l("请选择走访对象。"))
            ok = False
        if kind.has_section("research") and not self.research_topic.data:
            self.research_topic.errors.append(_l("请填写调研题目。"))
            ok = False
        if kind.has_section("proposal"):
            if not self.proposal_content.data:
                self.proposal_content.errors.append(_l("请填写建议内容。"))
                ok = False
            if not self.proposal_label.data:
                self.proposal_label.errors.append(_l("请选择建议类别。"))
                ok = False
        return ok

    def to_input(self) -> ActivityInput:
        """The validated values, keeping only the parts the chosen kind has."""
        kind = self.selected_kind
        call = self.calls_by_code.get(self.call.data or "")
        station = self.stations_by_id.get(self.station.data or "")
        data = ActivityInput(
            kind_id=kind.id,
            initiative_id=self.initiatives_by_code[self.initiative.data].id,
            call_id=call.id if call else None,
            occurred_on=self.occurred_on.data,
            station_id=station.id if station else None,
            place=self.place.data or "",
            people_reached=self.people_reached.data or 0,
            title=self.title.data,
            description=self.description.data or "",
            outcome=self.outcome.data or "",
            focus_area_ids=[self.focus_by_code[c].id for c in self.focus_areas.data or []],
            participant_ids=[int(p) for p in self.participants.data or []],
        )
        if kind.has_section("visit"):
            data.visit_target_kind = VisitTargetKind(self.visit_target_kind.data)
            data.visit_target = self.visit_target.data or ""
        if kind.has_section("research"):
            data.research_topic = self.research_topic.data or ""
            data.research_findings = self.research_findings.data or ""
        if kind.has_section("proposal"):
            data.proposal_label_id = self.labels_by_code[self.proposal_label.data].id
            data.proposal_content = self.proposal_content.data
            data.suggested_handler = self.suggested_handler.data or ""
        if kind.has_section("concerns"):
            for entry in self.concerns:
                row = entry.form
                if row.is_blank():
                    continue
                raw_id = (row.concern_id.data or "").strip()
                data.concerns.append(
                    ConcernInput(
                        id=as_id(raw_id),
                        category_id=self.categories_by_code[row.category.data].id,
                        content=row.content.data,
                        raised_by_kind=RaisedByKind(row.raised_by_kind.data or "citizen"),
                        raised_by_name=row.raised_by_name.data or "",
                        raised_by_phone=row.raised_by_phone.data or "",
                    )
                )
        return data
