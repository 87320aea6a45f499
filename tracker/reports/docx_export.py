"""The monthly summary as an editable Word bulletin (月度通报), from the same
:class:`~.bulletin.Bulletin` as the page and the spreadsheets.

The office opens these files in Word on Windows, so the East Asian font of every style is
named explicitly (宋体 for text, 黑体 for headings) rather than left to the theme, which would
give a Latin font and let Word pick some fallback for the Chinese. Tables are real Word
tables (header row repeated on each page, numbers right-aligned) so that they can be edited
and copied; the two charts are pictures drawn by :mod:`.charts`.
"""

from __future__ import annotations

import io
from typing import IO, Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from flask_babel import gettext as _

from . import charts
from .bulletin import HEADERS, Bulletin, WordedTable
from .exports import local_datetime
from .summary import Summary

BODY_FONT = "宋体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(12)  # 小四
TABLE_SIZE = Pt(10.5)  # 五号
WIDE_TABLE_SIZE = Pt(9)  # 小五, for tables of many columns
WIDE_TABLE_COLUMNS = 7
TITLE_SIZE = Pt(18)
HEADING_SIZES = {"Heading 1": Pt(14), "Heading 2": Pt(12)}
MARGIN = Cm(2.5)
TEXT_WIDTH = Cm(16)  # A4's 21 cm less the two margins
HEADER_FILL = "F2F2F2"
GREY = RGBColor(0x59, 0x59, 0x59)
BLACK = RGBColor(0, 0, 0)
CHART_AFTER = {"type_initiative": charts.matrix_chart}


def write_docx(bulletin: Bulletin, out: IO[bytes]) -> None:
    """Write ``bulletin`` as a .docx into the binary file ``out``.

    Raises :class:`~.fonts.NoChineseFont` (from the charts) when the server has no CJK font.
    """
    summary = bulletin.summary
    trend = charts.trend_chart(bulletin)
    after = {key: draw(bulletin) for key, draw in CHART_AFTER.items() if key in bulletin.tables}

    doc = Document()
    _set_up_page(doc)
    _set_up_styles(doc)
    _set_properties(doc, bulletin)

    doc.add_paragraph(bulletin.title, style="Title")
    line = doc.add_paragraph(bulletin.subtitle)
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    note = doc.add_paragraph(_status_note(summary))
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in note.runs:
        run.font.color.rgb = GREY
        run.font.size = TABLE_SIZE

    doc.add_heading(_("总体情况"), level=1)
    for text in bulletin.paragraphs:
        _body(doc, text)
    _picture(doc, trend)

    for table in bulletin.tables.values():
        doc.add_heading(table.title, level=1)
        if not table.rows:
            _body(doc, _("本期无。"))
        elif table.key == "exemplary":
            _cases(doc, table)
        else:
            _table(doc, table)
        if table.key in after:
            _picture(doc, after[table.key])

    doc.save(out)


def _status_note(summary: Summary) -> str:
    if summary.closed is not None:
        when = local_datetime(summary.closed.closed_at).strftime("%Y-%m-%d %H:%M")
        if summary.closed.closed_by:
            return _(
                "本月已于 %(t)s 由 %(by)s 结账，数字以结账时为准。",
                t=when,
                by=summary.closed.closed_by,
            )
        return _("本月已于 %(t)s 结账，数字以结账时为准。", t=when)
    when = local_datetime(summary.generated_at).strftime("%Y-%m-%d %H:%M")
    return _("本期尚未结账，数字为 %(t)s 生成时的数据，此后仍可能变化。", t=when)


# --- page, styles and properties -----------------------------------------------------------------


def _set_up_page(doc: Any) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, MARGIN)
    section.footer_distance = Cm(1.2)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ")
    footer._p.append(_page_field())
    footer.add_run(" —")


def _page_field() -> Any:
    """A PAGE field: Word fills in each page's number."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    return field


def _fonts(rpr: Any, latin: str, east_asian: str) -> None:
    """Name the fonts of a run-properties element outright: theme fonts (which would win
    over named ones) are removed, and East Asian text is marked as Simplified Chinese."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _set_up_styles(doc: Any) -> None:
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            _fonts(rpr, LATIN_FONT, BODY_FONT)

    normal = doc.styles["Normal"]
    normal.font.size = BODY_SIZE
    _fonts(normal.element.get_or_add_rPr(), LATIN_FONT, BODY_FONT)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.25

    title = doc.styles["Title"]
    ppr = title.element.get_or_add_pPr()
    border = ppr.find(qn("w:pBdr"))
    if border is not None:
        ppr.remove(border)
    title.font.size = TITLE_SIZE
    title.font.bold = False
    title.font.color.rgb = BLACK
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(6)
    _fonts(title.element.get_or_add_rPr(), HEADING_FONT, HEADING_FONT)

    for name, size in HEADING_SIZES.items():
        style = doc.styles[name]
        style.font.size = size
        style.font.bold = False
        style.font.italic = False
        style.font.color.rgb = BLACK
        style.paragraph_format.space_before = Pt(12)
        style.paragraph_format.space_after = Pt(6)
        _fonts(style.element.get_or_add_rPr(), HEADING_FONT, HEADING_FONT)


def _set_properties(doc: Any, bulletin: Bulletin) -> None:
    summary = bulletin.summary
    core = doc.core_properties
    core.title = bulletin.title
    core.author = summary.issuer
    core.last_modified_by = summary.issuer
    core.subject = summary.campaign_title
    core.language = "zh-CN"
    core.created = summary.generated_at
    core.modified = summary.generated_at
    core.revision = 1


# --- content -------------------------------------------------------------------------------------


def _body(doc: Any, text: str) -> Any:
    """A paragraph of running text, its first line indented by two characters."""
    paragraph = doc.add_paragraph(text)
    paragraph.paragraph_format.first_line_indent = BODY_SIZE * 2
    return paragraph


def _picture(doc: Any, png: bytes) -> None:
    doc.add_picture(io.BytesIO(png), width=TEXT_WIDTH)
    paragraph = doc.paragraphs[-1]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _shade(cell: Any, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _row_flag(row: Any, tag: str) -> None:
    flag = OxmlElement(tag)
    row._tr.get_or_add_trPr().append(flag)


def _write_cell(cell: Any, text: str, size: Pt, right: bool, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    lines = text.split("\n")
    run = paragraph.add_run(lines[0])
    for line in lines[1:]:
        run.add_break()
        run.add_text(line)
    run.font.size = size
    run.bold = bold or None


def _table(doc: Any, table: WordedTable) -> None:
    rows = table.all_rows
    numeric = [any(r[i].is_numeric for r in rows) for i in range(len(table.columns))]
    size = WIDE_TABLE_SIZE if len(table.columns) >= WIDE_TABLE_COLUMNS else TABLE_SIZE
    grid = doc.add_table(rows=1 + len(rows), cols=len(table.columns))
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, width in zip(grid.columns, _column_widths(table.headers, rows), strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width

    header = grid.rows[0]
    _row_flag(header, "w:tblHeader")  # repeated at the top of every page the table runs onto
    _row_flag(header, "w:cantSplit")
    for i, text in enumerate(table.headers):
        _write_cell(header.cells[i], text, size, numeric[i], bold=True)
        _shade(header.cells[i], HEADER_FILL)

    total_row = len(rows) if table.total is not None else None
    for r, cells in enumerate(rows, start=1):
        row = grid.rows[r]
        _row_flag(row, "w:cantSplit")
        for i, cell in enumerate(cells):
            _write_cell(row.cells[i], cell.text, size, cell.is_numeric, bold=r == total_row)
    doc.add_paragraph()  # Word runs two consecutive tables into one without a paragraph between


def _display_width(text: str) -> int:
    """A rough width in Latin characters: a Chinese character counts as two."""
    return max(
        (sum(2 if ord(ch) > 0x2E7F else 1 for ch in line) for line in text.split("\n")), default=0
    )


def _column_widths(headers: list[str], rows: list[list[Any]]) -> list[Cm]:
    """Widths sharing the text width in proportion to each column's longest text (within
    bounds, so that a long title wraps rather than squeezing the numbers)."""
    wants = []
    for i, header in enumerate(headers):
        longest = max([_display_width(header), *(_display_width(r[i].text) for r in rows)])
        wants.append(min(max(longest, 4), 40) + 2)
    total = sum(wants)
    return [Cm(TEXT_WIDTH.cm * want / total) for want in wants]


def _cases(doc: Any, table: WordedTable) -> None:
    """典型案例 as headed paragraphs: they are read, not scanned as a grid."""
    keys = [c.key for c in table.columns]
    for cells in table.rows:
        case = {key: cell.text for key, cell in zip(keys, cells, strict=True)}
        doc.add_heading(case.get("title", ""), level=2)
        byline = " · ".join(
            v
            for v in (
                case.get("delegate"),
                case.get("delegation"),
                case.get("kind"),
                case.get("occurred_on"),
            )
            if v
        )
        meta = doc.add_paragraph()
        run = meta.add_run(byline)
        run.font.color.rgb = GREY
        run.font.size = TABLE_SIZE
        for line in case.get("text", "").split("\n"):
            if line.strip():
                _body(doc, line.strip())
        if case.get("note"):
            paragraph = _body(doc, "")
            paragraph.add_run(f"{HEADERS['note']}：").bold = True
            paragraph.add_run(case["note"])
