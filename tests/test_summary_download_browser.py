"""In a real browser: city staff open the monthly summary and download it. The Excel file's
numbers are the ones the page shows and the database holds; the Word bulletin opens and says
what the page says."""

from __future__ import annotations

from datetime import date

import docx
import openpyxl
import pytest
import sqlalchemy as sa

from tracker.enums import ActivityStatus
from tracker.extensions import db
from tracker.models import Activity

from . import factories
from .browser import login

pytestmark = pytest.mark.browser

MAY = "/summaries/?period=2024-05"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def may(app, world):
    """May 2024 (tests/factories.py): three approved entries, 18 people reached, and one
    submitted entry that must not count."""
    with app.app_context():
        factories.make_bulletin_month(world)
        db.session.commit()
        approved = (
            Activity.status == ActivityStatus.APPROVED,
            Activity.occurred_on.between(date(2024, 5, 1), date(2024, 5, 31)),
        )
        return {
            "activities": db.session.scalar(sa.select(sa.func.count()).where(*approved)),
            "people_reached": db.session.scalar(
                sa.select(sa.func.sum(Activity.people_reached)).where(*approved)
            ),
            "titles": set(db.session.scalars(sa.select(Activity.title).where(*approved))),
        }


def figure(page, key: str) -> int:
    return int(page.locator(f"[data-figure={key}]").inner_text().strip().replace(",", ""))


def download(page, link_name: str, folder):
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    got = info.value
    assert got.failure() is None
    path = folder / got.suggested_filename
    got.save_as(path)
    return path


def test_staff_download_the_months_excel_and_its_numbers_are_the_pages(
    desktop, base_url, may, tmp_path
):
    assert (may["activities"], may["people_reached"]) == (3, 18)
    login(desktop, base_url, "staff_city")
    desktop.goto(f"{base_url}{MAY}")
    assert figure(desktop, "activities") == may["activities"]
    assert figure(desktop, "people_reached") == may["people_reached"]

    path = download(desktop, "下载 Excel（全部表格和记录）", tmp_path)
    assert path.suffix == ".xlsx"
    book = openpyxl.load_workbook(path)
    entries = book["履职记录"]
    header = [c.value for c in entries[1]]
    rows = list(entries.iter_rows(min_row=2, values_only=True))
    assert len(rows) == figure(desktop, "activities") == may["activities"]
    people = header.index("联系群众（人次）")
    assert (
        sum(row[people] for row in rows)
        == figure(desktop, "people_reached")
        == may["people_reached"]
    )
    assert {row[header.index("标题")] for row in rows} == may["titles"]
    delegations = book["各代表团参与情况"]
    total = [c.value for c in delegations[delegations.max_row]]
    assert total[0] == "合计" and total[-1] == may["activities"]


def test_staff_download_the_word_bulletin_and_it_opens(desktop, base_url, may, tmp_path):
    login(desktop, base_url, "staff_city")
    desktop.goto(f"{base_url}{MAY}")
    title = desktop.locator(".bulletin-title").inner_text().strip()
    said = [p.strip() for p in desktop.locator(".bulletin-text").all_inner_texts()]
    assert said and f"履职活动 {may['activities']} 次" in said[0]

    path = download(desktop, "下载 Word 通报", tmp_path)
    assert path.suffix == ".docx"
    document = docx.Document(str(path))
    written = [p.text for p in document.paragraphs]
    assert written[0] == title == "全市人大代表履职情况通报（2024年5月）"
    for text in said:
        assert text in written
