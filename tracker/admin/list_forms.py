"""Forms for the managed lists: stations (代表家站) and delegations (代表团).

Choices are set per request (the delegation list lives in the database); a value outside them
is refused at its field with a Chinese message, so nothing reaches the services unchecked.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from ..edge import as_id
from ..enums import DelegationKind, StationKind
from ..forms import ChoiceField, WholeNumberField, strip
from ..models import Delegation
from .lists import (
    DELEGATION_CODE_MAX,
    DELEGATION_NAME_MAX,
    STATION_ADDRESS_MAX,
    STATION_CODE_MAX,
    STATION_NAME_MAX,
)

TOO_LONG = _l("最多 %(max)d 字。")
CODE_RULE = _l("代码只能包含英文小写字母、数字和“-”，例如 chengguan-home-2。")
NAME_REQUIRED = _l("请填写名称。")
KIND_REQUIRED = _l("请选择类型。")
POSITION_MAX = 9999


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _code_validators(limit: int) -> list:
    return [
        Length(max=limit, message=TOO_LONG),
        Regexp(r"^[a-z0-9][a-z0-9-]*$", message=CODE_RULE),
    ]


def _name_field(limit: int) -> StringField:
    """名称: required where the form saves it (see _ListForm), at most ``limit`` characters."""
    return StringField(
        _l("名称"), filters=[strip], validators=[Length(max=limit, message=TOO_LONG)]
    )


class _ListForm(FlaskForm):
    """A form of a managed list: every list has a name and a kind. Fields are required only
    when the form saves them."""

    @property
    def saves_fields(self) -> bool:
        return True

    def _require(self, field, message) -> None:
        if self.saves_fields and not field.data:
            raise ValidationError(message)

    def validate_name(self, field) -> None:
        self._require(field, NAME_REQUIRED)

    def validate_kind(self, field) -> None:
        self._require(field, KIND_REQUIRED)


class _ActionForm(_ListForm):
    """A row form whose submit buttons (name="action") say what to do; only "update" reads
    the fields."""

    action = StringField()
    ACTIONS = ("update", "retire", "restore", "delete")

    def validate_action(self, field) -> None:
        if field.data not in self.ACTIONS:
            raise ValidationError(_l("未知的操作。"))

    @property
    def is_update(self) -> bool:
        return self.action.data == "update"

    @property
    def saves_fields(self) -> bool:
        return self.is_update


# --- stations -----------------------------------------------------------------------------------


# The choice for a city-level station that belongs to no delegation.
NO_DELEGATION = "none"
DELEGATION_REQUIRED = _l("请选择所属代表团；市级家站请选“市级（不属于某个代表团）”。")


def delegation_choices(delegations: Sequence[Delegation]) -> list[tuple[str, str]]:
    """A station's delegation select: nothing chosen, each delegation, then city level.

    City level is a choice of its own, so a station is never left without a delegation by
    an untouched select.
    """
    choices = [("", str(_l("请选择代表团")))]
    for delegation in delegations:
        label = delegation.name
        if delegation.is_retired:
            label = f"{label}（{_l('已停用')}）"
        choices.append((str(delegation.id), label))
    choices.append((NO_DELEGATION, str(_l("市级（不属于某个代表团）"))))
    return choices


class _StationFields(_ListForm):
    name = _name_field(STATION_NAME_MAX)
    kind = ChoiceField(_l("类型"))
    delegation = ChoiceField(_l("所属代表团"))
    address = StringField(
        _l("地址"),
        filters=[strip],
        validators=[Length(max=STATION_ADDRESS_MAX, message=TOO_LONG)],
    )

    def __init__(self, *args, delegations: Sequence[Delegation], **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = StationKind.choices()
        self.delegation.choices = delegation_choices(delegations)

    @property
    def delegation_id(self) -> int | None:
        value = self.delegation.data
        return None if value in (None, "", NO_DELEGATION) else as_id(value)

    def validate_delegation(self, field) -> None:
        self._require(field, DELEGATION_REQUIRED)


class StationForm(_StationFields):
    """Add a station; a blank code is generated."""

    code = StringField(
        _l("代码（选填，不填自动生成）"),
        filters=[strip, _lower],
        validators=[Optional(), *_code_validators(STATION_CODE_MAX)],
    )


class StationUpdateForm(_StationFields, _ActionForm):
    """Edit, retire, restore or delete one station; the button pressed names the action."""


# --- delegations --------------------------------------------------------------------------------


class _DelegationFields(_ListForm):
    name = _name_field(DELEGATION_NAME_MAX)
    kind = ChoiceField(_l("类型"))
    # Checked by validate_position: whether it may be blank depends on the form.
    position = WholeNumberField(_l("排序"))
    POSITION_REQUIRED = False  # adding: blank puts the delegation at the end of the list

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = DelegationKind.choices()

    def _check_position(self, field, *, required: bool) -> None:
        if not field.raw_data or not str(field.raw_data[0]).strip():
            field.errors[:] = []  # blank is not "not a whole number"
            if required:
                raise ValidationError(_l("请填写排序号。"))
            return
        if field.data is None:  # not a whole number: the field already says so
            return
        if not 0 <= field.data <= POSITION_MAX:
            raise ValidationError(_l("请填写 0 到 %(max)s 之间的整数。", max=POSITION_MAX))

    def validate_position(self, field) -> None:
        if not self.saves_fields:
            field.errors[:] = []  # retiring, restoring or deleting does not read it
            return
        self._check_position(field, required=self.POSITION_REQUIRED)


class DelegationForm(_DelegationFields):
    """Add a delegation; without a position it goes to the end of the list."""

    code = StringField(
        _l("代码（英文小写字母、数字和“-”）"),
        filters=[strip, _lower],
        validators=[DataRequired(_l("请填写代码。")), *_code_validators(DELEGATION_CODE_MAX)],
    )


class DelegationUpdateForm(_DelegationFields, _ActionForm):
    """Edit, retire, restore or delete one delegation; the button pressed names the action."""

    POSITION_REQUIRED = True  # a row keeps its place: the field shows the one it has
