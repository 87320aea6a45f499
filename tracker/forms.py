"""Pieces every area's forms share: field classes with Chinese messages, the trim filter, and
the form that carries the version its user read."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
)
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from .dates import MAX_YEAR, MIN_YEAR, in_calendar
from .edge import version_of


def strip(value):
    """Filter: trim surrounding spaces from text input."""
    return value.strip() if isinstance(value, str) else value


class VersionedForm(FlaskForm):
    """Carries the version of the object its user read; the change is refused if it moved."""

    version = HiddenField()

    def read_version(self) -> int:
        """The version posted; one that is not a row version (not ASCII digits, out of the
        column's range) never matches, so the change is refused as stale."""
        return version_of(self.version.data)


INVALID_CHOICE = _l("所选项不在可选范围内，请重新选择。")


class _ChoiceMessages:
    """A choice with a Chinese message for a value not offered; nothing chosen is left to the
    validators (InputRequired or not)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("invalid_choice_message", INVALID_CHOICE)
        super().__init__(*args, **kwargs)

    def pre_validate(self, form):
        if self.data in (None, ""):
            return
        super().pre_validate(form)


class ChoiceField(_ChoiceMessages, SelectField):
    """A select whose empty value is left to the validators, with a Chinese message."""


class RadioChoiceField(_ChoiceMessages, RadioField):
    """Radio buttons; nothing chosen is left to the validators (InputRequired or not)."""


class MultiChoiceField(SelectMultipleField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("invalid_choice_message", INVALID_CHOICE)
        super().__init__(*args, **kwargs)


class MultiCheckboxField(MultiChoiceField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LocalDateField(DateField):
    """A date, within the years the tracker accepts (a year such as 0024 or 9999 is a typing
    mistake, and due dates are reckoned from it)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("invalid_value_message", _l("请填写有效日期，格式如 2024-05-01。"))
        super().__init__(*args, **kwargs)

    def post_validate(self, form, validation_stopped):
        # After the field's own checks, which say it better where they apply ("not before
        # the campaign began", "not after today"); this catches what they let through.
        if validation_stopped or self.errors:
            return
        if self.data is not None and not in_calendar(self.data):
            self.data = None
            self.errors.append(
                _("日期须在 %(first)s 年至 %(last)s 年之间。", first=MIN_YEAR, last=MAX_YEAR)
            )


class WholeNumberField(IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("invalid_value_message", _l("请填写整数，例如 12。"))
        super().__init__(*args, **kwargs)

    def pre_validate(self, form):
        # Text that is not a whole number gets that one message, not also "out of range".
        # Empty input goes on to the validators (Optional, InputRequired), which own it.
        typed = bool(self.raw_data and str(self.raw_data[0]).strip())
        if self.process_errors and typed:
            raise StopValidation()
