"""我的履职概况, 履职档案 and the list of delegates, on a fixed dataset computed by hand.

Today is held at 2024-05-20: this month is May 2024, this quarter April–June 2024, and the
campaign (from 2023-08-24) runs August 2023 – May 2024 so far.
"""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tracker.activities import rollups
from tracker.delegates import views
from tracker.enums import ActivityStatus, DelegateType, Level, ProposalOutcome, ProposalStatus
from tracker.extensions import db
from tracker.models import Delegate, Proposal, ProposalLabel, ProposalReply
from tracker.permissions import Scope
from tracker.reports import delegate_figures, selects
from tracker.reports import figures as f
from tracker.reports.filters import Filters

from . import factories

TODAY = date(2024, 5, 20)
APPROVED = ActivityStatus.APPROVED
PHONE = "13900000000"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(views, "local_today", lambda: TODAY)


@pytest.fixture
def data(app, world):
    """马秀兰 (dele_a, 城关区, grassroots): five approved entries over March–May 2024, plus one
    submitted, one returned and one draft that must not count. Others have entries of their own
    that must not leak into hers."""
    with app.app_context():
        a = db.session.get(Delegate, world.delegate_a)
        a2 = db.session.get(Delegate, world.delegate_a2)
        b = db.session.get(Delegate, world.delegate_b)
        golden = db.session.scalar(
            sa.select(ProposalLabel).where(ProposalLabel.code == "golden-idea")
        )

        def add(delegate, day, kind, title, people=0, status=APPROVED, concerns=0, initiative=3):
            return factories.make_activity(
                delegate,
                kind_code=kind,
                initiative_number=initiative,
                occurred_on=day,
                title=title,
                people_reached=people,
                status=status,
                concerns=concerns,
            )

        add(a, date(2024, 5, 3), "visit", "五月走访社区", people=10, concerns=2)  # 3 points
        proposal = add(a, date(2024, 5, 8), "proposal", "关于加装电梯的建议")  # 5 points
        proposal.proposal = Proposal(
            content="建议加装电梯", label_id=golden.id, status=ProposalStatus.REPLIED
        )
        proposal.proposal.replies.append(
            ProposalReply(
                round=1, text="正在推进", replied_on=date(2024, 5, 18), outcome=ProposalOutcome.B
            )
        )
        add(a, date(2024, 5, 10), "study", "五月集中学习", people=3, initiative=1)  # 1 point
        add(a, date(2024, 4, 12), "research", "四月专题调研", people=6, initiative=2)  # 4 points
        add(a, date(2024, 3, 15), "visit", "三月走访企业", people=4)  # 3 points, last quarter
        add(
            a,
            date(2024, 5, 12),
            "visit",
            "待审核的走访",
            people=50,
            status=ActivityStatus.SUBMITTED,
        )
        returned = add(
            a, date(2024, 5, 14), "visit", "被退回的走访", people=20, status=ActivityStatus.RETURNED
        )
        returned.review_note = "请补充走访对象和群众人数"
        add(a, date(2024, 5, 15), "visit", "还是草稿的走访", people=30, status=ActivityStatus.DRAFT)
        add(a2, date(2024, 5, 5), "visit", "别人的走访", people=99)
        add(b, date(2024, 5, 7), "research", "七里河调研", people=8, initiative=2)
        rollups.rebuild()
        db.session.commit()
        return {
            "a": a.id,
            "a2": a2.id,
            "b": b.id,
            "proposal": proposal.proposal.id,
            "returned": returned.id,
        }


def figure(page: str, element_id: str) -> int:
    match = re.search(rf'id="{element_id}"[^>]*>(\d+)<', page)
    assert match, f"no figure {element_id}"
    return int(match.group(1))


def block(page: str, element_id: str) -> str:
    """The HTML from an element's opening tag to the next </dl> (a block of figures)."""
    start = page.index(f'id="{element_id}"')
    return page[start : page.index("</dl>", start)]


def block_figures(page: str, element_id: str) -> dict[str, int]:
    return {
        k: int(v) for k, v in re.findall(r'data-figure="(\w+)">(\d+)<', block(page, element_id))
    }


# --- the figures ------------------------------------------------------------------------------


def test_delegate_summary_counts_only_approved_entries(ctx, data):
    scope = Scope(delegate_id=data["a"])
    assert delegate_figures.delegate_summary(scope, f.Period.month(2024, 5), data["a"]) == (
        3,
        13,
        9,
    )
    campaign = f.Period(date(2023, 8, 1), date(2024, 6, 1))
    assert delegate_figures.delegate_summary(scope, campaign, data["a"]) == (5, 23, 16)
    # another delegate's scope sees nothing of hers
    assert delegate_figures.delegate_summary(
        Scope(delegate_id=data["a2"]), campaign, data["a"]
    ) == (0, 0, 0)


def test_points_equal_the_sum_of_points_lines(ctx, data):
    campaign = f.Period(date(2023, 8, 1), date(2024, 6, 1))
    scope = Scope(everything=True)
    lines = selects.points_lines(scope, campaign, data["a"])
    assert len(lines) == 5
    assert sum(line.points for line in lines) == 16
    assert delegate_figures.delegate_summary(scope, campaign, data["a"]).points == 16
    assert (data["a"], 16, 5) in f.points_ranking(scope, campaign, Filters())


def test_call_progress_counts_the_calls_kinds_this_quarter(ctx, data):
    campaign_id = factories.campaign().id
    lines = delegate_figures.delegate_call_progress(
        Scope(delegate_id=data["a"]),
        f.Period.quarter_of(TODAY),
        data["a"],
        DelegateType.GRASSROOTS,
        campaign_id,
    )
    assert [(line.call.code, line.done, line.expected, line.met) for line in lines] == [
        ("i2-grassroots", 2, 3, False)
    ]
    assert [k.code for k in lines[0].kinds] == [
        "visit",
        "station-reception",
        "legislative-input",
        "proposal",
    ]
    assert lines[0].percent == 67


def test_approved_counts_by_delegate(ctx, data):
    quarter = f.Period.quarter_of(TODAY)
    ids = [data["a"], data["a2"], data["b"]]
    assert delegate_figures.approved_counts_by_delegate(Scope(everything=True), quarter, ids) == {
        data["a"]: 4,
        data["a2"]: 1,
        data["b"]: 1,
    }
    chengguan = factories.delegation("chengguan").id
    assert delegate_figures.approved_counts_by_delegate(
        Scope(delegation_id=chengguan), quarter, ids
    ) == {
        data["a"]: 4,
        data["a2"]: 1,
    }


# --- 我的履职概况 --------------------------------------------------------------------------------


def test_my_page_shows_this_month_and_the_campaign_so_far(client, auth, data):
    auth.login("dele_a")
    response = client.get("/delegates/me")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "我的履职概况" in page
    assert block_figures(page, "summary-month") == {"activities": 3, "people": 13, "points": 9}
    assert block_figures(page, "summary-campaign") == {"activities": 5, "people": 23, "points": 16}


def test_my_page_shows_my_types_call_and_this_quarters_progress(app, client, auth, data):
    auth.login("dele_a")
    page = client.get("/delegates/me").get_data(as_text=True)
    assert "做好群众工作" in page
    assert "基层代表要认真践行全过程人民民主理念" in page
    assert re.search(r'class="fs-2 fw-bold call-count"[^>]*>2 / 3<', page)
    assert "还差 1 条" in page
    assert 'aria-valuenow="2" aria-valuemin="0" aria-valuemax="3"' in page
    for kind in ("走访", "家站接待", "立法意见征集", "建议"):
        assert f'kind-badge me-1">{kind}<' in page
    # another type's calls are not hers
    assert "抢抓机遇、穿针引线" not in page


def test_my_page_lists_returned_entries_and_proposals_to_rate(client, auth, data):
    auth.login("dele_a")
    page = client.get("/delegates/me").get_data(as_text=True)
    todo = page[page.index('id="todo-title"') : page.index('id="summary-title"')]
    assert "被退回的走访" in todo
    assert "请补充走访对象和群众人数" in todo
    assert f'href="/activities/{data["returned"]}/edit"' in todo
    assert "关于加装电梯的建议" in todo
    assert f'href="/proposals/{data["proposal"]}"' in todo
    assert "待审核的走访" not in todo
    assert "还是草稿的走访" not in todo


def test_an_entrepreneur_sees_the_entrepreneur_call(client, auth, data):
    auth.login("dele_a2")
    page = client.get("/delegates/me").get_data(as_text=True)
    assert "抢抓机遇、穿针引线" in page
    assert re.search(r'call-count"[^>]*>1 / 2<', page)
    assert "需要您处理" not in page


def test_staff_and_admins_have_no_page_of_their_own(client, auth, world):
    for username in ("staff_a", "staff_city", "admin"):
        auth.login(username)
        assert client.get("/delegates/me").status_code == 403
        auth.logout()


# --- 履职档案 ------------------------------------------------------------------------------------


def test_the_record_totals_the_campaign(client, auth, data):
    auth.login("staff_city")
    response = client.get(f"/delegates/{data['a']}/record")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert (
        figure(page, "total-activities"),
        figure(page, "total-people"),
        figure(page, "total-points"),
    ) == (5, 23, 16)
    kinds = dict(
        re.findall(r'data-kind="([\w-]+)"><th[^>]*>[^<]*</th><td class="text-end">(\d+)<', page)
    )
    assert kinds == {"visit": "2", "proposal": "1", "research": "1", "study": "1"}
    # who she is
    for text in ("马秀兰", "基层代表", "市人大代表", "城关区", "测试单位 职务", "测试家站"):
        assert text in page


def test_the_record_lists_every_approved_entry_by_month(client, auth, data):
    auth.login("dele_a")
    page = client.get(f"/delegates/{data['a']}/record").get_data(as_text=True)
    titles = re.findall(r'<td class="record-title"><a href="/activities/\d+">([^<]*)</a>', page)
    assert titles == [
        "三月走访企业",
        "四月专题调研",
        "五月走访社区",
        "关于加装电梯的建议",
        "五月集中学习",
    ]
    months = re.findall(r'class="record-month">(\S+) <span[^>]*>· (\d+) 条 · (\d+) 分', page)
    assert months == [("2024年3月", "1", "3"), ("2024年4月", "1", "4"), ("2024年5月", "3", "9")]
    for absent in ("待审核的走访", "被退回的走访", "还是草稿的走访", "别人的走访", "七里河调研"):
        assert absent not in page
    # the proposal with its label, status and handling
    proposals = page[page.index('id="proposals-title"') :]
    assert 'id="proposals-title">建议及办理情况（1）</h2>' in page
    assert "金点子" in proposals
    assert "已答复" in proposals
    assert "B 类：正在解决" in proposals


def test_the_record_sums_equal_points_lines(app, client, auth, data):
    auth.login("staff_a")
    page = client.get(f"/delegates/{data['a']}/record").get_data(as_text=True)
    with app.app_context():
        lines = selects.points_lines(
            Scope(delegation_id=factories.delegation("chengguan").id),
            f.Period(date(2023, 8, 1), date(2024, 6, 1)),
            data["a"],
        )
        assert figure(page, "total-points") == sum(line.points for line in lines) == 16
        assert figure(page, "total-activities") == len(lines) == 5
        assert (
            figure(page, "total-people")
            == sum(line.activity.people_reached for line in lines)
            == 23
        )


def test_the_record_can_be_narrowed_to_a_period(client, auth, data):
    auth.login("dele_a")
    page = client.get(f"/delegates/{data['a']}/record?period=2024-05").get_data(as_text=True)
    assert (
        figure(page, "total-activities"),
        figure(page, "total-people"),
        figure(page, "total-points"),
    ) == (3, 13, 9)
    assert "三月走访企业" not in page
    page = client.get(f"/delegates/{data['a']}/record?period=2024-03..2024-04").get_data(
        as_text=True
    )
    assert (
        figure(page, "total-activities"),
        figure(page, "total-people"),
        figure(page, "total-points"),
    ) == (2, 10, 7)
    assert 'value="2024-03..2024-04" selected' not in page  # not one of the offered choices
    # each year, then each quarter, newest first, clipped to the campaign so far
    assert re.findall(r'<option value="([\d.-]*)"', page) == [
        "",
        "2024-01..2024-05",
        "2023-08..2023-12",
        "2024-04..2024-05",
        "2024-01..2024-03",
        "2023-10..2023-12",
        "2023-08..2023-09",
    ]
    page = client.get(f"/delegates/{data['a']}/record?period=2024-04..2024-05").get_data(
        as_text=True
    )
    assert 'value="2024-04..2024-05" selected' in page
    assert figure(page, "total-points") == 13


def test_the_record_is_printable(client, auth, data):
    auth.login("dele_a")
    page = client.get(f"/delegates/{data['a']}/record").get_data(as_text=True)
    assert page.count('href="/static/css/print.css" media="print"') == 1  # from base.html
    assert '<script src="/static/js/print.js"></script>' in page
    assert "data-print" in page and "打印本页" in page
    assert "onclick" not in page
    assert "打印日期：2024年5月20日" in page
    assert client.get("/static/js/print.js").status_code == 200
    assert client.get("/static/css/print.css").status_code == 200


def test_the_record_never_shows_the_phone_number(client, auth, data):
    for username in ("dele_a", "staff_a", "staff_city", "admin"):
        auth.login(username)
        page = client.get(f"/delegates/{data['a']}/record").get_data(as_text=True)
        assert PHONE not in page
        assert "139****0000" not in page
        auth.logout()


@pytest.mark.parametrize(
    ("username", "whose", "status"),
    [
        ("dele_a", "a", 200),
        ("dele_a", "b", 404),
        ("dele_a", "a2", 404),
        ("dele_b", "b", 200),
        ("staff_a", "a", 200),
        ("staff_a", "a2", 200),
        ("staff_a", "b", 404),
        ("staff_city", "a", 200),
        ("staff_city", "b", 200),
        ("admin", "b", 200),
    ],
)
def test_who_may_see_a_record(client, auth, data, username, whose, status):
    auth.login(username)
    assert client.get(f"/delegates/{data[whose]}/record").status_code == status


def test_a_missing_delegate_is_404(client, auth, world):
    auth.login("staff_city")
    assert client.get("/delegates/99999/record").status_code == 404


# --- the list of delegates --------------------------------------------------------------------------


def listed(page: str) -> dict[str, int]:
    names = re.findall(r'href="/delegates/\d+/record">([^<]*)</a>', page)
    counts = re.findall(r'data-quarter-count="\d+">(\d+)<', page)
    return dict(zip(names, map(int, counts), strict=True))


def test_delegates_may_not_list_delegates(client, auth, world):
    auth.login("dele_a")
    assert client.get("/delegates/").status_code == 403


def test_city_staff_list_every_delegate_with_this_quarters_entries(client, auth, data):
    auth.login("staff_city")
    page = client.get("/delegates/").get_data(as_text=True)
    assert listed(page) == {"马秀兰": 4, "王建国": 1, "李文华": 1}
    assert "共 3 位代表" in page
    assert PHONE not in page


def test_delegation_staff_list_their_delegation_only(client, auth, data):
    auth.login("staff_a")
    page = client.get("/delegates/").get_data(as_text=True)
    assert listed(page) == {"马秀兰": 4, "王建国": 1}
    # asking for another delegation does not widen the scope
    with client.application.app_context():
        qilihe = factories.delegation("qilihe").id
    assert listed(client.get(f"/delegates/?delegation={qilihe}").get_data(as_text=True)) == {
        "马秀兰": 4,
        "王建国": 1,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=马", ["马秀兰"]),
        ("q=秀兰", ["马秀兰"]),
        ("q=%25", []),
        ("type=technical", ["李文华"]),
        ("type=entrepreneur&q=王", ["王建国"]),
        ("level=city", ["马秀兰", "王建国", "李文华"]),
        ("level=county", []),
        ("type=bogus", ["马秀兰", "王建国", "李文华"]),
    ],
)
def test_delegate_search_and_filters(client, auth, data, query, expected):
    auth.login("staff_city")
    page = client.get(f"/delegates/?{query}").get_data(as_text=True)
    assert sorted(listed(page)) == sorted(expected)


def test_delegation_filter(client, auth, data):
    auth.login("admin")
    with client.application.app_context():
        qilihe = factories.delegation("qilihe").id
    assert listed(client.get(f"/delegates/?delegation={qilihe}").get_data(as_text=True)) == {
        "李文华": 1
    }


def test_the_list_is_paged(app, client, auth, world):
    with app.app_context():
        for i in range(23):
            factories.make_delegate(
                f"代表{i:02d}", "anning", DelegateType.GOVERNMENT, level=Level.COUNTY
            )
        db.session.commit()
    app.config["PAGE_SIZE"] = 20
    auth.login("staff_city")
    first = client.get("/delegates/").get_data(as_text=True)
    assert len(listed(first)) == 20
    assert "共 26 位代表" in first
    assert len(listed(client.get("/delegates/?page=2").get_data(as_text=True))) == 6


def test_the_list_counts_in_one_query_however_many_rows(app, client, auth, data):
    """The per-delegate counts come from one grouped query, not one query per row."""
    auth.login("staff_city")

    def statements(url: str) -> int:
        seen: list[str] = []

        def count(conn, cursor, statement, *args):
            seen.append(statement)

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get(url).status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return len([s for s in seen if "delegate_rollup" in s])

    few = statements("/delegates/?type=technical")
    with app.app_context():
        for i in range(12):
            d = factories.make_delegate(f"新代表{i:02d}", "chengguan", DelegateType.TECHNICAL)
            factories.make_activity(d, occurred_on=date(2024, 5, 1), status=APPROVED)
        rollups.rebuild()
        db.session.commit()
    many = statements("/delegates/?type=technical")
    assert few == many == 1


def test_the_record_reads_in_english_too(client, auth, data):
    auth.login("dele_a")
    client.post("/auth/language/en", data={"next": "/"})
    page = client.get(f"/delegates/{data['a']}/record").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert re.findall(r'class="record-month">([^<]*) <span', page) == [
        "March 2024",
        "April 2024",
        "May 2024",
    ]
    assert figure(page, "total-points") == 16


# --- in a real browser ----------------------------------------------------------------------------


@pytest.mark.browser
def test_my_page_and_record_fit_a_phone_and_print(app, phone, base_url, data):
    from .browser import assert_no_sideways_scroll, login

    page = phone
    # window.print is recorded rather than opening a dialog
    page.add_init_script("window.print = function () { window.__printed = true; };")
    login(page, base_url, "dele_a")
    page.goto(f"{base_url}/delegates/me")
    assert_no_sideways_scroll(page)
    assert page.locator(".call-count").inner_text() == "2 / 3"
    page.get_by_role("link", name="我的履职档案").click()
    page.wait_for_url(f"**/delegates/{data['a']}/record")
    assert_no_sideways_scroll(page)
    page.get_by_role("button", name="打印本页").click()
    assert page.evaluate("window.__printed") is True
    page.emulate_media(media="print")
    assert page.locator(".app-nav").is_hidden()
    assert page.get_by_role("button", name="打印本页").is_hidden()
    assert page.locator(".print-date").is_visible()
