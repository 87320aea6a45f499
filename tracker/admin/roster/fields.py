"""One check per roster column. Each takes the cell's text (blank for a formula, which is
refused on its own) and returns the cleaned value, or raises :class:`FieldError` with the
message the row shows. :func:`check_cells` runs them all, so a row lists every problem at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...enums import DelegateType, Gender, Level
from ...models import Delegation
from .registry import Registry
from .values import (
    clean_name,
    is_valid_phone,
    normalize_phone,
    parse_delegate_type,
    parse_gender,
    parse_level,
)
from .words import REQUIRED_FIELDS, label

NAME_MAX = 60
WORK_UNIT_MAX = 200
JOB_TITLE_MAX = 100
STATION_NAME_MAX = 120
WORK_PARTS = ("work", "work_unit", "job_title")


class FieldError(Exception):
    """A cell the import cannot take. ``value`` is what the row still shows for it."""

    def __init__(self, message: str, value: Any = None):
        super().__init__(message)
        self.message = message
        self.value = value


def _too_long(column: str, limit: int) -> str:
    return _("“%(column)s”超过 %(max)s 字。", column=label(column), max=limit)


def check_name(text: str, registry: Registry) -> str:
    """The name, without the spaces that pad Chinese names; at most NAME_MAX characters."""
    name = clean_name(text)
    if len(name) > NAME_MAX:
        raise FieldError(_too_long("name", NAME_MAX), name)  # still shown as cleaned
    return name


def _named_by_words(
    parse: Callable[[str], Any], members: type, message: LazyString
) -> Callable[[str, Registry], Any]:
    """A check for a column whose words name one of ``members`` (a gender, a delegate type,
    a level) in any of the office's spellings; blank gives None."""

    def check(text: str, registry: Registry) -> Any:
        if not text:
            return None
        member = parse(text)
        if member is None:
            choices = "、".join(m.label for m in members)
            # The same as gettext(message, value=…, choices=…).
            raise FieldError(str(message) % {"value": text, "choices": choices})
        return member

    return check


# Blank leaves a gender on file; a blank type or level is reported as a missing column.
check_gender = _named_by_words(parse_gender, Gender, _l("性别应为“男”或“女”，不能是“%(value)s”。"))
check_delegate_type = _named_by_words(
    parse_delegate_type, DelegateType, _l("无法识别代表类型“%(value)s”，应为：%(choices)s。")
)
check_level = _named_by_words(
    parse_level, Level, _l("无法识别层级“%(value)s”，应为：%(choices)s。")
)


def check_delegation(text: str, registry: Registry) -> Delegation | None:
    """A delegation on file that takes new delegates (not retired), named without doubt."""
    if not text:
        return None
    delegation, maybe = registry.find_delegation(text)
    if delegation is None and maybe:
        raise FieldError(
            _(
                "代表团“%(value)s”不明确，可能是：%(choices)s。",
                value=text,
                choices="、".join(maybe),
            )
        )
    if delegation is None:
        raise FieldError(_("找不到代表团“%(value)s”。", value=text))
    if delegation.is_retired:
        raise FieldError(_("代表团“%(value)s”已停用。", value=delegation.name))
    return delegation


def check_phone(text: str, registry: Registry) -> str:
    """A mobile number or a landline with its area code, written the one way ('' if blank)."""
    if not text:
        return ""
    phone = normalize_phone(text)
    if not is_valid_phone(phone):
        raise FieldError(
            _(
                "联系电话“%(value)s”格式不对：手机号应为 11 位；固定电话请带区号，"
                "如 0931-8888888。",
                value=text,
            ),
            "",
        )
    return phone


def _at_most(column: str, limit: int) -> Callable[[str, Registry], str]:
    """A check for free text of at most ``limit`` characters."""

    def check(text: str, registry: Registry) -> str:
        if len(text) > limit:
            raise FieldError(_too_long(column, limit), text)
        return text

    return check


# In the order a row's messages are listed.
CHECKS: dict[str, Callable[[str, Registry], Any]] = {
    "name": check_name,
    "gender": check_gender,
    "delegate_type": check_delegate_type,
    "level": check_level,
    "delegation": check_delegation,
    "phone": check_phone,
    "work": _at_most("work", WORK_UNIT_MAX),
    "work_unit": _at_most("work_unit", WORK_UNIT_MAX),
    "job_title": _at_most("job_title", JOB_TITLE_MAX),
    "station": _at_most("station", STATION_NAME_MAX),
}


@dataclass
class CheckedRow:
    """A row's cells, the value each check gave, and every problem found."""

    cells: dict[str, str]
    values: dict[str, Any]
    errors: list[str]

    @property
    def work(self) -> dict[str, str]:
        """The work columns the row fills: 工作单位及职务, or 工作单位 and 职务 apart."""
        return {part: self.values[part] for part in WORK_PARTS if self.values[part]}

    def display(self) -> dict[str, str]:
        """Name, delegation, type, level and phone as the preview shows them: the value
        understood, else the cell as written."""
        values, cells = self.values, self.cells
        return {
            "name": values["name"] or cells.get("name", ""),
            "delegation": (
                values["delegation"].name if values["delegation"] else cells.get("delegation", "")
            ),
            "delegate_type": (
                values["delegate_type"].label
                if values["delegate_type"]
                else cells.get("delegate_type", "")
            ),
            "level": values["level"].label if values["level"] else cells.get("level", ""),
            "phone": values["phone"] or cells.get("phone", ""),
        }


def check_cells(cells: dict[str, str], registry: Registry) -> CheckedRow:
    """Run every column's check on one row: formulas first, then blank required cells, then
    each column in :data:`CHECKS` order."""
    formulas = [column for column, text in cells.items() if text.startswith("=")]
    errors = [
        _("“%(column)s”单元格是公式，请粘贴为数值。", column=label(column)) for column in formulas
    ]
    errors += [
        _(
            "“%(column)s”为空（可能是合并单元格：请取消合并，并在每一行填写）。",
            column=label(column),
        )
        for column in REQUIRED_FIELDS
        if column not in formulas and not cells.get(column)
    ]
    values: dict[str, Any] = {}
    for column, check in CHECKS.items():
        text = "" if column in formulas else cells.get(column, "")
        try:
            values[column] = check(text, registry)
        except FieldError as error:
            errors.append(error.message)
            values[column] = error.value
    return CheckedRow(cells, values, errors)
