"""我的履职: filters and pages."""

import re
from datetime import date

import pytest

from tracker.enums import ActivityStatus
from tracker.extensions import db
from tracker.models import Delegate

from . import factories


def titles(page: str) -> list[str]:
    return re.findall(r'<div class="fw-semibold activity-title">([^<]*)</div>', page)


@pytest.fixture
def history(app, world):
    with app.app_context():
        me = db.session.get(Delegate, world.delegate_a)
        other = db.session.get(Delegate, world.delegate_a2)
        factories.make_activity(me, title="五月走访", occurred_on=date(2024, 5, 3))
        factories.make_activity(
            me,
            title="五月调研",
            kind_code="research",
            occurred_on=date(2024, 5, 20),
            status=ActivityStatus.APPROVED,
        )
        factories.make_activity(
            me,
            title="六月学习",
            kind_code="study",
            initiative_number=1,
            occurred_on=date(2024, 6, 1),
            status=ActivityStatus.DRAFT,
        )
        factories.make_activity(
            me, title="四月走访", occurred_on=date(2024, 4, 30), status=ActivityStatus.RETURNED
        )
        factories.make_activity(other, title="别人的走访", occurred_on=date(2024, 5, 5))
        db.session.commit()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["六月学习", "五月调研", "五月走访", "四月走访"]),
        ("month=2024-05", ["五月调研", "五月走访"]),
        ("kind=visit", ["五月走访", "四月走访"]),
        ("initiative=i1", ["六月学习"]),
        ("status=draft", ["六月学习"]),
        ("status=returned", ["四月走访"]),
        ("month=2024-05&kind=research&status=approved", ["五月调研"]),
        ("month=not-a-month", ["六月学习", "五月调研", "五月走访", "四月走访"]),
        ("status=bogus", ["六月学习", "五月调研", "五月走访", "四月走访"]),
    ],
)
def test_my_activities_filters(client, auth, history, query, expected):
    auth.login("dele_a")
    response = client.get(f"/activities/mine?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert titles(page) == expected
    assert f"共 {len(expected)} 条" in page


def test_my_activities_are_paged(app, client, auth, world):
    with app.app_context():
        app.config["PAGE_SIZE"] = 20
        me = db.session.get(Delegate, world.delegate_a)
        for day in range(1, 26):
            factories.make_activity(me, title=f"活动{day:02d}", occurred_on=date(2024, 3, day))
        db.session.commit()
    auth.login("dele_a")
    first = client.get("/activities/mine").get_data(as_text=True)
    second = client.get("/activities/mine?page=2").get_data(as_text=True)
    assert titles(first) == [f"活动{d:02d}" for d in range(25, 5, -1)]
    assert titles(second) == [f"活动{d:02d}" for d in range(5, 0, -1)]
    assert "第 1 / 2 页" in first
    assert titles(client.get("/activities/mine?page=9").get_data(as_text=True)) == []


def test_an_empty_list_says_what_to_do(client, auth, world):
    auth.login("dele_a")
    assert "点“记一笔”记下来" in client.get("/activities/mine").get_data(as_text=True)


def test_city_staff_get_a_delegation_filter_that_keeps_its_choice(app, client, auth, world):
    with app.app_context():
        qilihe = factories.delegation("qilihe").id
    auth.login("staff_city")
    for path in ("/activities/", "/review/", "/proposals/", "/concerns/", "/delegates/"):
        page = client.get(f"{path}?delegation={qilihe}").get_data(as_text=True)
        assert 'id="f-delegation"' in page, path
        assert f'<option value="{qilihe}" selected>七里河区</option>' in page, path
    auth.logout()
    auth.login("staff_a")  # one delegation: nothing to choose
    assert 'id="f-delegation"' not in client.get("/review/").get_data(as_text=True)


def test_filter_bars_keep_the_month_and_kind_chosen(client, auth, world):
    auth.login("staff_city")
    for path in ("/activities/", "/review/"):
        page = client.get(f"{path}?month=2024-05&kind=visit").get_data(as_text=True)
        assert 'name="month" value="2024-05"' in page, path
        assert '<option value="visit" selected>走访</option>' in page, path


def _row_details(page: str) -> dict[str, str]:
    """title → the line under it (date, delegate, people, concerns), whitespace squeezed."""
    rows = re.findall(
        r'activity-title">([^<]*)</div>\s*<div class="small text-body-secondary">(.*?)</div>',
        page,
        re.S,
    )
    return {title: " ".join(line.split()) for title, line in rows}


def test_list_rows_show_each_entrys_own_concern_count(app, client, auth, world):
    """The count comes from one grouped count for the page: each row gets its own number, an
    entry without concerns none, and the review queue, the staff list and 我的履职 agree."""
    with app.app_context():
        me = db.session.get(Delegate, world.delegate_a)
        factories.make_activity(me, title="三条诉求", occurred_on=date(2024, 5, 3), concerns=3)
        factories.make_activity(me, title="一条诉求", occurred_on=date(2024, 5, 4), concerns=1)
        factories.make_activity(me, title="没有诉求", occurred_on=date(2024, 5, 5))
        db.session.commit()
    auth.login("dele_a")
    mine = _row_details(client.get("/activities/mine").get_data(as_text=True))
    assert mine["三条诉求"].endswith("· 诉求 3 条")
    assert mine["一条诉求"].endswith("· 诉求 1 条")
    assert "诉求" not in mine["没有诉求"]
    auth.logout()
    auth.login("staff_city")
    staff = _row_details(client.get("/activities/").get_data(as_text=True))
    assert staff["三条诉求"].endswith("· 诉求 3 条") and staff["一条诉求"].endswith("· 诉求 1 条")
    assert "诉求" not in staff["没有诉求"]
    queue = client.get("/review/").get_data(as_text=True)
    assert queue.count("· 诉求 3 条") == 1 and queue.count("· 诉求 1 条") == 1
    assert "诉求 0 条" not in queue
