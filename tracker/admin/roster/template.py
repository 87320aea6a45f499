"""The blank roster to download: the expected columns, drop-down lists and a sheet of notes."""

from __future__ import annotations

import io

from flask_babel import force_locale
from flask_babel import gettext as _

from ...enums import DelegateType, Gender, Level
from ..lookups import delegation_list
from .files import DEFAULT_MAX_ROWS
from .words import REQUIRED_FIELDS, TEMPLATE_FIELDS, label


def template_workbook() -> bytes:
    """An empty roster with the expected columns, drop-down lists and a sheet of notes.

    Always in Chinese, whatever the reader's language: the headers and values are what the
    import reads, as the congress offices' rosters are kept."""
    with force_locale("zh"):
        return _template_workbook()


def _template_workbook() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    delegations = [d.name for d in delegation_list(serving_only=True)]
    book = Workbook()
    sheet = book.active
    sheet.title = _("代表名册")
    sheet.append([label(f) for f in TEMPLATE_FIELDS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = {
        "name": 10,
        "gender": 6,
        "delegate_type": 14,
        "level": 14,
        "delegation": 12,
        "work": 36,
        "phone": 16,
        "station": 24,
    }
    lists = {
        "gender": [Gender.MALE.label, Gender.FEMALE.label],
        "delegate_type": [m.label for m in DelegateType],
        "level": [m.label for m in Level],
        "delegation": delegations,
    }
    for index, name in enumerate(TEMPLATE_FIELDS):
        letter = chr(ord("A") + index)
        sheet.column_dimensions[letter].width = widths[name]
        if name in lists and lists[name]:
            rule = DataValidation(
                type="list", formula1='"' + ",".join(lists[name]) + '"', allow_blank=True
            )
            rule.add(f"{letter}2:{letter}{DEFAULT_MAX_ROWS + 1}")
            sheet.add_data_validation(rule)
        if name == "phone":
            for row in range(2, 1002):
                sheet[f"{letter}{row}"].number_format = "@"  # keep leading zeros of landlines
    sheet.freeze_panes = "A2"

    notes = book.create_sheet(_("填写说明"))
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 80
    for line in (
        (_("必填列"), "、".join(label(f) for f in REQUIRED_FIELDS)),
        (label("gender"), _("男 或 女，可不填")),
        (label("delegate_type"), "、".join(m.label for m in DelegateType)),
        (label("level"), "、".join(m.label for m in Level)),
        (label("delegation"), "、".join(delegations)),
        (label("phone"), _("11 位手机号，或带区号的固定电话（如 0931-8888888）")),
        (label("station"), _("代表之家、代表联络站或基层立法联系点的名称；系统中没有的将新建")),
        (_("注意"), _("请勿使用公式和合并单元格；同一人只填一行。")),
    ):
        notes.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
