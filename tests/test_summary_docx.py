"""The Word bulletin and its charts, built from a real summary of a small fixed month and read
back with python-docx."""

import io
import struct
from datetime import date, datetime

import docx
import pytest
from docx.oxml.ns import qn

from tracker.dates import Period
from tracker.extensions import db
from tracker.permissions import Scope
from tracker.reports import bulletin as B
from tracker.reports import charts, fonts
from tracker.reports import summary as S
from tracker.reports.docx_export import write_docx

from . import factories

MAY = Period.month(2024, 5)
TODAY = date(2024, 6, 3)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def data(app, world):
    """May 2024: three approved entries (one of them a typical case, one more in research),
    one submitted entry that must not count; earlier months give the trend some history."""
    with app.app_context():
        factories.make_bulletin_month(world)
        db.session.commit()


@pytest.fixture
def summary(ctx, data):
    return S.build(factories.campaign(), Scope(everything=True), MAY, TODAY)


def open_docx(summary) -> docx.document.Document:
    out = io.BytesIO()
    write_docx(B.word(summary), out)
    out.seek(0)
    return docx.Document(out)


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def table_text(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def png_size(png: bytes) -> tuple[int, int]:
    return struct.unpack(">II", png[16:24])


# --- the Word bulletin ---------------------------------------------------------------------------


def test_bulletin_opens_with_title_issuer_and_period(summary):
    document = open_docx(summary)
    first = document.paragraphs[0]
    assert first.text == "全市人大代表履职情况通报（2024年5月）" == B.bulletin_title(summary)
    assert first.style.name == "Title"
    assert document.paragraphs[1].text == "兰州市人民代表大会常务委员会 · 全市 · 2024年5月"
    assert document.core_properties.title == B.bulletin_title(summary)
    assert document.core_properties.author == "兰州市人民代表大会常务委员会"


def test_open_month_says_figures_are_as_of_generation(summary):
    summary.generated_at = datetime(2024, 6, 3, 1, 30)  # 09:30 in Lanzhou
    note = texts(open_docx(summary))[2]
    assert note == "本期尚未结账，数字为 2024-06-03 09:30 生成时的数据，此后仍可能变化。"


def test_closed_month_names_when_and_by_whom(summary):
    summary.closed = S.Closed(datetime(2024, 6, 5, 2, 0), "市代表工委")
    note = texts(open_docx(summary))[2]
    assert note == "本月已于 2024-06-05 10:00 由 市代表工委 结账，数字以结账时为准。"


def test_summary_paragraphs_are_in_the_document(summary):
    written = texts(open_docx(summary))
    expected = B.paragraphs(summary)
    assert len(expected) == 5  # four fixed paragraphs and the typical cases'
    assert expected[0].startswith("2024年5月，全市各级人大代表共登记并经审核通过履职活动 3 次")
    for paragraph in expected:
        assert paragraph in written


def test_delegation_table_has_the_summarys_numbers(summary):
    document = open_docx(summary)
    by_delegation = summary.tables["by_delegation"]
    word = next(
        t for t in document.tables if table_text(t)[0] == B.word_table(by_delegation).headers
    )
    assert table_text(word) == [
        ["代表团", "代表数", "参与代表", "参与率", "已通过记录"],
        ["城关区", "2", "2", "100%", "2"],
        ["七里河区", "1", "1", "100%", "1"],
        ["合计", "3", "3", "100%", "3"],
    ]
    assert table_text(word)[1:] == [
        [c.text for c in row] for row in B.word_table(by_delegation).all_rows
    ]


def test_every_table_matches_the_summary_in_order(summary):
    document = open_docx(summary)
    shown = [t for t in summary.tables.values() if t.rows and t.key != "exemplary"]
    assert [t.key for t in shown] == [
        "comparison",
        "by_delegation",
        "by_type",
        "kind_initiative",
        "type_initiative",
        "proposals",
        "concerns",
    ]
    assert len(document.tables) == len(shown)
    for table, word in zip(shown, document.tables, strict=True):
        assert table_text(word) == [B.word_table(table).headers] + [
            [c.text for c in row] for row in B.word_table(table).all_rows
        ], table.key


def test_tables_repeat_their_header_and_right_align_numbers(summary):
    document = open_docx(summary)
    for word in document.tables:
        header = word.rows[0]
        assert header._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(run.bold for cell in header.cells for run in cell.paragraphs[0].runs)
    by_type = next(
        t for t in document.tables if t.rows[0].cells[0].text == "代表类型" and len(t.columns) == 6
    )
    grassroots = by_type.rows[4].cells
    assert grassroots[0].text == "基层代表"
    assert grassroots[0].paragraphs[0].alignment is None
    assert grassroots[5].text == "10"
    assert grassroots[5].paragraphs[0].alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT
    total = by_type.rows[-1].cells
    assert total[0].text == "合计" and total[0].paragraphs[0].runs[0].bold


def test_typical_cases_are_headed_paragraphs(summary):
    document = open_docx(summary)
    written = texts(document)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == ["入户走访听民意", "黄河沿岸生态调研"]
    start = written.index("入户走访听民意")
    assert written[start + 1 : start + 5] == [
        "马秀兰 · 城关区 · 走访 · 2024-05-03",
        "走访十户居民，了解路灯损坏情况。",
        "协调街道修复路灯六盏。",
        "推荐理由：问题发现及时，跟踪解决到位",
    ]
    assert "沿岸绿化带养护经费不足。" in written


def test_empty_tables_say_so_instead_of_an_empty_grid(summary):
    written = texts(open_docx(summary))
    for title in ("上期结账后补录", "近期未履职代表"):
        assert written[written.index(title) + 1] == "本期无。"


def test_no_typical_cases_says_so(summary):
    summary.tables["exemplary"].rows = []
    written = texts(open_docx(summary))
    assert written[written.index("典型案例") + 1] == "本期无。"


def test_both_charts_are_inline_pictures(summary):
    document = open_docx(summary)
    assert len(document.inline_shapes) == 2
    for shape in document.inline_shapes:
        assert round(shape.width.cm) == 16


def test_page_is_a4_with_a_page_number(summary):
    document = open_docx(summary)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    fields = section.footer._element.findall(f".//{qn('w:fldSimple')}")
    assert [f.get(qn("w:instr")) for f in fields] == ["PAGE"]


def test_styles_name_a_chinese_font_for_east_asian_text(summary):
    document = open_docx(summary)
    for name, font in (
        ("Normal", "宋体"),
        ("Title", "黑体"),
        ("Heading 1", "黑体"),
        ("Heading 2", "黑体"),
    ):
        fonts_ = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts_.get(qn("w:eastAsia")) == font, name
        assert fonts_.get(qn("w:eastAsiaTheme")) is None, name


def test_bulletin_needs_a_chinese_font_for_its_charts(summary, monkeypatch):
    monkeypatch.setattr(fonts, "_installed", lambda: ())
    with pytest.raises(fonts.NoChineseFont):
        write_docx(B.word(summary), io.BytesIO())


# --- the charts ----------------------------------------------------------------------------------


def test_charts_are_pngs_a_page_wide(summary):
    for draw in (charts.trend_chart, charts.matrix_chart):
        png = draw(B.word(summary))
        assert png.startswith(PNG_SIGNATURE)
        assert len(png) > 10_000
        width, height = png_size(png)
        assert 900 <= width <= 1000  # 16 cm at 150 dpi
        assert 300 <= height <= width


def test_charts_are_the_same_bytes_for_the_same_data(summary):
    assert charts.trend_chart(B.word(summary)) == charts.trend_chart(B.word(summary))
    assert charts.matrix_chart(B.word(summary)) == charts.matrix_chart(B.word(summary))


def test_trend_without_entries_still_draws(summary):
    summary.trend = {"months": ["2024-05-01"], "series": []}
    assert charts.trend_chart(B.word(summary)).startswith(PNG_SIGNATURE)


def test_month_labels_name_the_year_once(ctx):
    months = [date(2023, 11, 1), date(2023, 12, 1), date(2024, 1, 1), date(2024, 2, 1)]
    assert charts.month_labels(months) == ["11月\n2023年", "12月", "1月\n2024年", "2月"]


@pytest.mark.parametrize("draw", [charts.trend_chart, charts.matrix_chart])
def test_charts_refuse_to_draw_without_a_chinese_font(summary, monkeypatch, draw):
    monkeypatch.setattr(fonts, "_installed", lambda: ())
    with pytest.raises(fonts.NoChineseFont):
        draw(B.word(summary))


def test_long_trend_names_only_the_first_month_of_each_quarter(ctx):
    months = [date(2023 + (8 + i) // 12, (8 + i) % 12 + 1, 1) for i in range(20)]  # 2023-09 …
    labels = charts.month_labels(months)
    assert [label for label in labels if label] == [
        "10月\n2023年",
        "1月\n2024年",
        "4月",
        "7月",
        "10月",
        "1月\n2025年",
        "4月",
    ]
