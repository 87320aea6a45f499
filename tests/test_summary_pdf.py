"""The PDF bulletin, drawn by WeasyPrint from a real summary of a small fixed month and read
back with poppler's pdftotext and pdfinfo.

A PDF costs a second or two, so one is drawn for the module (over its own app and data) and
the tests read that one; the others check the HTML and the refusals without drawing.
"""

import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

from tracker import create_app
from tracker.campaign.loader import load_campaign
from tracker.dates import Period
from tracker.extensions import db
from tracker.permissions import Scope
from tracker.reports import bulletin as B
from tracker.reports import fonts
from tracker.reports import summary as S
from tracker.reports.pdf_export import StaticFilesOnly, bulletin_html, write_pdf

from . import factories, machine
from .conftest import empty_all_tables, make_config

MAY = Period.month(2024, 5)
TODAY = date(2024, 6, 3)
ISSUER = "兰州市人民代表大会常务委员会"


def poppler(tool: str, *args: str) -> str:
    """The output of one of poppler's tools (pdftotext, pdfinfo); make test installs them."""
    path = shutil.which(tool)
    if path is None:
        machine.absent(tool, machine.install_hint(tool))
    return subprocess.run(  # noqa: S603 (our own file)
        [path, *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass
class Drawn:
    text: str  # pdftotext -layout
    info: str  # pdfinfo
    title: str
    paragraphs: list[str]
    by_delegation: list[list[str]]  # the table's rows as cell_text prints them

    @property
    def lines(self) -> list[str]:
        """Each line with its runs of spaces made one, as a table row reads."""
        return [" ".join(line.split()) for line in self.text.splitlines()]


@pytest.fixture(scope="module")
def drawn(migrated, tmp_path_factory) -> Drawn:
    """The bulletin of May 2024, drawn once for the module."""
    folder = tmp_path_factory.mktemp("pdf")
    app = create_app(make_config(migrated, folder))
    with app.app_context():
        empty_all_tables()
        load_campaign(app.config["DEFAULT_CAMPAIGN_FILE"])
        factories.make_bulletin_month(factories.make_world())
        db.session.commit()
        summary = S.build(factories.campaign(), Scope(everything=True), MAY, TODAY)
        summary.generated_at = datetime(2024, 6, 3, 1, 30)  # 09:30 in Lanzhou
        path = folder / "bulletin.pdf"
        with path.open("wb") as out:
            write_pdf(B.word(summary), out)
        result = Drawn(
            text=poppler("pdftotext", "-layout", str(path), "-"),
            info=poppler("pdfinfo", str(path)),
            title=B.bulletin_title(summary),
            paragraphs=B.paragraphs(summary),
            by_delegation=[
                [c.text for c in row] for row in B.word(summary).tables["by_delegation"].all_rows
            ],
        )
        db.session.remove()
        db.engine.dispose()
    return result


@pytest.fixture
def summary(ctx, world):
    factories.make_bulletin_month(world)
    db.session.commit()
    return S.build(factories.campaign(), Scope(everything=True), MAY, TODAY)


# --- the drawn PDF -------------------------------------------------------------------------------


def test_pdf_opens_with_title_issuer_period_and_status(drawn):
    assert drawn.title == "全市人大代表履职情况通报（2024年5月）"
    lines = drawn.lines
    assert lines[0] == drawn.title
    assert lines[1] == f"{ISSUER} · 全市 · 2024年5月"
    assert lines[2] == "本期尚未结账，数字为 2024-06-03 09:30 生成时的数据，此后仍可能变化。"


def test_pdf_metadata_names_title_and_issuer(drawn):
    info = dict(line.split(":", 1) for line in drawn.info.splitlines() if ":" in line)
    assert info["Title"].strip() == drawn.title
    assert info["Author"].strip() == ISSUER
    assert info["Page size"].strip().endswith("(A4)")


def test_pdf_has_every_summary_paragraph(drawn):
    assert len(drawn.paragraphs) == 5  # four fixed paragraphs and the typical cases'
    assert drawn.paragraphs[0].startswith(
        "2024年5月，全市各级人大代表共登记并经审核通过履职活动 3 次"
    )
    assert "联系群众 18 人次" in drawn.paragraphs[0]
    assert "在册代表 3 名，其中 3 名有履职记录，参与率 100%" in drawn.paragraphs[1]
    text = squeeze(drawn.text)
    for paragraph in drawn.paragraphs:
        assert squeeze(paragraph) in text, paragraph


def test_pdf_delegation_table_has_the_summarys_numbers(drawn):
    assert drawn.by_delegation == [
        ["城关区", "2", "2", "100%", "2"],
        ["七里河区", "1", "1", "100%", "1"],
        ["合计", "3", "3", "100%", "3"],
    ]
    lines = drawn.lines
    assert "代表团 代表数 参与代表 参与率 已通过记录" in lines
    for row in drawn.by_delegation:
        assert " ".join(row) in lines, row


def test_pdf_typical_cases_keep_their_lines_and_reasons(drawn):
    lines = [line for line in drawn.lines if line]
    start = lines.index("入户走访听民意")
    assert lines[start + 1 : start + 5] == [
        "马秀兰 · 城关区 · 走访 · 2024-05-03",
        "走访十户居民，了解路灯损坏情况。",
        "协调街道修复路灯六盏。",
        "推荐理由：问题发现及时，跟踪解决到位",
    ]
    assert "黄河沿岸生态调研" in lines
    assert "沿岸绿化带养护经费不足。" in lines


def test_pdf_empty_sections_say_so(drawn):
    lines = [line for line in drawn.lines if line]
    for title in ("上期结账后补录", "近期未履职代表"):
        assert lines[lines.index(title) + 1] == "本期无。"


def test_pdf_pages_are_numbered_of_the_total(drawn):
    pages = drawn.text.count("\f")
    assert pages >= 2
    text = squeeze(drawn.text)
    assert f"第1页/共{pages}页" in text
    assert f"第{pages}页/共{pages}页" in text


# --- without drawing -----------------------------------------------------------------------------


def test_pdf_needs_a_chinese_font_and_writes_nothing_without_one(summary, monkeypatch):
    monkeypatch.setattr(fonts, "_installed", lambda: ())
    out = io.BytesIO()
    with pytest.raises(fonts.NoChineseFont) as raised:
        write_pdf(B.word(summary), out)
    assert "fonts-noto-cjk" in str(raised.value)
    assert out.getvalue() == b""


def test_bulletin_html_closed_month_names_when_and_by_whom(summary):
    summary.closed = S.Closed(datetime(2024, 6, 5, 2, 0), "市代表工委")
    html = bulletin_html(
        B.word(summary), fonts.Font("Noto Sans CJK SC", ""), {"trend": b"", "matrix": b""}
    )
    assert "本月已于 2024-06-05 10:00 由 市代表工委 结账，数字以结账时为准。" in html
    assert "生成时的数据" not in html


def test_bulletin_body_has_no_inline_script_or_style(summary):
    html = bulletin_html(
        B.word(summary), fonts.Font("Noto Sans CJK SC", ""), {"trend": b"", "matrix": b""}
    )
    body = html[html.index("<body>") :]
    assert '<article class="bulletin">' in body
    assert "<script" not in body and "<style" not in body and "style=" not in body
    assert body.count("<img ") == 2 and body.count('alt="图：') == 2


def test_fetcher_reads_only_data_and_the_static_folder(app):
    static = Path(app.static_folder)
    fetcher = StaticFilesOnly(static)
    css = fetcher.fetch((static / "css" / "bulletin-print.css").as_uri())
    assert b"@page" in css.read()
    css.close()
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    for url in (
        "https://example.com/logo.png",
        "http://127.0.0.1/x.css",
        "ftp://example.com/a",
        (static.parent / "__init__.py").as_uri(),
        "file:///etc/passwd",
        (static / ".." / "__init__.py").as_uri(),
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
