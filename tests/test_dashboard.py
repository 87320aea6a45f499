"""The committee dashboard on a fixed dataset: every figure exact, and every figure's list as long
as the figure."""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from tracker.activities import rollups
from tracker.enums import (
    ActivityStatus,
    ConcernResolution,
    ConcernStatus,
    DelegateType,
    Level,
    ProposalOutcome,
    ProposalStatus,
    Rating,
)
from tracker.extensions import db
from tracker.models import Delegate, FocusArea, Proposal, ProposalReply

from . import factories

TODAY = date(2024, 6, 10)  # quarter Q2 2024; the 2024-06-01 reply deadline has passed
MAY = "/dashboard/?period=2024-05"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("tracker.dashboard.views.local_today", lambda: TODAY)


@pytest.fixture
def data(app, world):
    """Four delegates; May 2024 holds six approved entries and three that must not count."""
    with app.app_context():
        a = db.session.get(Delegate, world.delegate_a)  # 城关区, grassroots
        a2 = db.session.get(Delegate, world.delegate_a2)  # 城关区, entrepreneur
        b = db.session.get(Delegate, world.delegate_b)  # 七里河区, technical
        c = factories.make_delegate(
            "赵建军", "chengguan", DelegateType.GOVERNMENT, level=Level.COUNTY
        )
        area = {x.code: x for x in db.session.scalars(sa.select(FocusArea))}
        approved = ActivityStatus.APPROVED

        def add(
            delegate,
            day,
            kind,
            initiative=3,
            people=0,
            status=approved,
            focus=(),
            concerns=0,
            title=None,
        ):
            activity = factories.make_activity(
                delegate,
                kind_code=kind,
                initiative_number=initiative,
                occurred_on=day,
                people_reached=people,
                status=status,
                concerns=concerns,
                title=title,
            )
            activity.focus_areas = [area[code] for code in focus]
            return activity

        v1 = add(
            a,
            date(2024, 5, 3),
            "visit",
            people=10,
            focus=["city-capacity"],
            concerns=2,
            title="走访伏龙坪社区",
        )
        v1.concerns[0].status, v1.concerns[0].resolution = (
            ConcernStatus.FED_BACK,
            ConcernResolution.RESOLVED,
        )
        add(
            a,
            date(2024, 5, 20),
            "visit",
            people=5,
            focus=["city-capacity", "livelihood-security"],
            title="走访皋兰路街道",
        )
        add(a2, date(2024, 5, 11), "enterprise-service", people=3, title="服务兰石集团")
        p1 = add(a2, date(2024, 5, 15), "proposal", title="关于公交线网的建议")
        p1.proposal = Proposal(
            content="建议一", status=ProposalStatus.CLOSED, rating=Rating.SATISFIED
        )
        p1.proposal.replies.append(
            ProposalReply(
                round=1,
                text="已办",
                replied_on=date(2024, 6, 1),
                outcome=ProposalOutcome.A,
                rating=Rating.SATISFIED,
            )
        )
        add(
            b,
            date(2024, 5, 7),
            "research",
            initiative=2,
            focus=["tech-innovation"],
            title="调研生物医药产业",
        )
        add(b, date(2024, 4, 28), "visit", people=7, title="四月走访")  # April: the previous period
        add(
            a,
            date(2024, 5, 25),
            "visit",
            status=ActivityStatus.SUBMITTED,
            people=50,
            concerns=1,
            title="待审的走访",
        )
        add(
            a2,
            date(2024, 5, 26),
            "visit",
            status=ActivityStatus.RETURNED,
            people=50,
            title="退回的走访",
        )
        add(
            c,
            date(2024, 5, 2),
            "study",
            initiative=1,
            status=ActivityStatus.DRAFT,
            title="草稿学习",
        )
        p2 = add(a2, date(2024, 5, 29), "proposal", title="关于停车难的建议")
        p2.proposal = Proposal(
            content="建议二", status=ProposalStatus.HANDLING, due_on=date(2024, 6, 1)
        )
        rollups.rebuild()
        db.session.commit()
        return {"a": a.id, "a2": a2.id, "b": b.id, "c": c.id}


# --- reading pages -------------------------------------------------------------------------------

VOID = {"input", "meta", "link", "br", "img", "hr", "source", "col", "wbr"}


class Page(HTMLParser):
    """Elements carrying figures (data-figure, data-count, the figure cards) with their text."""

    def __init__(self, html: str):
        super().__init__()
        self.stack: list[tuple[str, dict, list[str]]] = []
        self.found: list[tuple[str, dict, str]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append((tag, dict(attrs), []))

    def handle_endtag(self, tag):
        while self.stack:
            name, attrs, parts = self.stack.pop()
            text = " ".join(" ".join(parts).split())
            if self.stack:
                self.stack[-1][2].append(text)
            if {"data-figure", "data-count", "data-points"} & attrs.keys() or "figure" in (
                attrs.get("class") or ""
            ).split():
                self.found.append((name, attrs, text))
            if name == tag:
                break

    def handle_data(self, data):
        if self.stack:
            self.stack[-1][2].append(data)

    def figure(self, name: str) -> str:
        """The text of the first element with data-figure=name."""
        return next(text for _, attrs, text in self.found if attrs.get("data-figure") == name)

    def card(self, name: str) -> str:
        """The whole card of a headline figure: label, value, previous value and change."""
        cards = [
            text
            for tag, attrs, text in self.found
            if "figure" in (attrs.get("class") or "").split()
        ]
        value = self.figure(name)
        label = {
            "active": "履职代表",
            "rate": "参与率",
            "activities": "已通过记录",
            "people": "联系群众",
            "delegates": "代表人数",
        }.get(name, "")
        return next(c for c in cards if c.startswith(label) and value in c)

    def links(self) -> list[tuple[str, int]]:
        """(href, count) of every link whose list must be exactly as long as its number."""
        return [
            (attrs["href"], int(attrs["data-count"]))
            for tag, attrs, _ in self.found
            if tag == "a" and "data-count" in attrs
        ]


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return response.get_data(as_text=True)


def listed(html: str) -> int:
    """The 「共 N 条」 / 「共 N 人」 of a drill-down list."""
    match = re.search(r'id="result-count">共 (\d+) (?:条|人)<', html)
    assert match, "no count on the list"
    return int(match.group(1))


def charts(html: str) -> dict:
    block = re.search(
        r'<script type="application/json" id="dashboard-charts">(.*?)</script>', html, re.S
    )
    return json.loads(block.group(1))


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


# --- the figures -------------------------------------------------------------------------------


def test_city_staff_see_every_headline_figure_of_may_2024(client, auth, data):
    auth.login("staff_city")
    page = Page(get(client, MAY))
    assert page.figure("delegates") == "4"
    assert page.card("active") == "履职代表 3 上期 1 ▲ 增加 2"
    assert page.card("rate") == "参与率 75% 上期 25% ▲ 增加 50 个百分点"
    assert page.card("activities") == "已通过记录 6 上期 1 ▲ 增加 5"
    assert page.card("people") == "联系群众（人次） 18 上期 7 ▲ 增加 11"
    assert page.figure("kind-visit") == "2"
    assert page.figure("kind-enterprise-service") == "1"
    assert page.figure("kind-proposal") == "2"
    assert page.figure("kind-research") == "1"
    assert page.figure("kind-study") == "0"  # the study entry is a draft
    assert page.figure("proposals-submitted") == "2"
    assert page.figure("proposals-registered") == "2"
    assert page.figure("proposals-replied") == "1"
    assert page.figure("proposals-overdue") == "1"
    assert page.figure("proposals-satisfaction") == "100%"
    assert page.figure("concerns-raised") == "2"
    assert page.figure("concerns-resolved") == "1"
    assert page.figure("concerns-fed-back") == "1"
    assert page.figure("concerns-rate") == "100%"


def test_the_period_is_compared_with_the_one_before(client, auth, data):
    auth.login("staff_city")
    html = get(client, MAY)
    assert "2024年5月，对比上期 2024年4月" in html
    page = Page(get(client, "/dashboard/?period=2024-04..2024-05"))
    assert page.card("activities") == "已通过记录 7 上期 0 ▲ 增加 7"
    assert "2024年4月 至 2024年5月" in get(client, "/dashboard/?period=2024-04..2024-05")


def test_every_drill_down_lists_as_many_as_its_figure(client, auth, data):
    auth.login("staff_city")
    page = Page(get(client, MAY))
    links = page.links()
    names = {attrs.get("data-figure") for tag, attrs, _ in page.found if "data-count" in attrs}
    assert {
        "delegates",
        "active",
        "activities",
        "kind-visit",
        "proposals-submitted",
        "matrix",
        "call-i2-government-none",
        "proposals-overdue",
        "concerns-raised",
        "inactive",
    } <= names
    assert len(links) >= 20
    for href, count in links:
        assert listed(get(client, href)) == count, href
        # lists tied to today (this quarter, the last N days) carry no period
        assert query(href).get("period", "").startswith("2024-") or any(
            w in href for w in ("which=no_call", "which=inactive")
        )


def test_drill_down_shows_the_approved_entries_and_its_conditions(client, auth, data):
    auth.login("staff_city")
    html = get(client, "/dashboard/activities?period=2024-05")
    assert listed(html) == 6
    for title in (
        "走访伏龙坪社区",
        "走访皋兰路街道",
        "服务兰石集团",
        "关于公交线网的建议",
        "调研生物医药产业",
        "关于停车难的建议",
    ):
        assert title in html
    for title in ("待审的走访", "退回的走访", "草稿学习", "四月走访"):
        assert title not in html
    assert 'href="/dashboard/?period=2024-05"' in html  # back to the dashboard

    visits = get(
        client, "/dashboard/activities?period=2024-05&kind=visit&type=grassroots&initiative=i3"
    )
    assert listed(visits) == 2
    described = re.search(r'id="described">(.*?)</p>', visits, re.S).group(1)
    assert re.findall(r">([^<]+)</span>", described) == ["2024年5月", "基层代表", "倡议三", "走访"]


def test_not_approved_entries_never_count(client, auth, data):
    auth.login("staff_city")
    page = Page(get(client, MAY))
    # the submitted visit (50 people, one concern), the returned visit (50) and the draft study
    assert page.figure("people") == "18"
    assert page.figure("concerns-raised") == "2"
    assert page.figure("kind-study") == "0"
    assert listed(get(client, "/dashboard/activities?period=2024-05&kind=study")) == 0
    assert listed(get(client, "/dashboard/delegates?which=active&period=2024-05")) == 3


def test_the_type_by_initiative_matrix_is_a_heatmap_and_a_table(client, auth, data):
    auth.login("staff_city")
    html = get(client, MAY)
    matrix = charts(html)["matrix"]
    assert matrix["x"] == ["倡议一", "倡议二", "倡议三"]
    assert matrix["y"] == ["党政机关代表", "企业家代表", "专业技术代表", "基层代表"]
    values = {
        (matrix["y"][y], matrix["x"][x]): n for x, y, n in (c["value"] for c in matrix["cells"])
    }
    assert {k: n for k, n in values.items() if n} == {
        ("基层代表", "倡议三"): 2,
        ("企业家代表", "倡议三"): 3,
        ("专业技术代表", "倡议二"): 1,
    }
    for cell in matrix["cells"]:
        assert listed(get(client, cell["url"])) == cell["value"][2]
    table = re.search(
        r'<table class="table table-sm table-bordered bg-white matrix-table.*?</table>', html, re.S
    )
    rows = [
        re.sub(r"<[^>]+>|\s+", " ", row).split()
        for row in re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S)
    ]
    assert rows[1:] == [
        ["党政机关代表", "0", "0", "0"],
        ["企业家代表", "0", "0", "3"],
        ["专业技术代表", "0", "1", "0"],
        ["基层代表", "0", "0", "2"],
    ]


def test_chart_data_carries_each_points_drill_down(client, auth, data):
    auth.login("staff_city")
    data_ = charts(get(client, MAY))
    trend = data_["trend"]
    assert trend["months"][0] == "2023/6" and trend["months"][-1] == "2024/5"
    visit = next(s for s in trend["series"] if s["name"] == "走访")
    assert [d["value"] for d in visit["data"]][-2:] == [1, 2]
    assert query(visit["data"][-2]["url"])["period"] == "2024-04"
    assert listed(get(client, visit["data"][-2]["url"])) == 1
    assert {s["name"] for s in trend["series"]} == {"走访", "建议", "调研", "惠企服务"}
    delegations = data_["delegations"]
    assert delegations["names"] == ["七里河区", "城关区"]  # ranked by participation rate
    assert [d["value"] for d in delegations["data"]] == [1, 5]
    focus = dict(
        zip(data_["focus"]["names"], (d["value"] for d in data_["focus"]["data"]), strict=True)
    )
    assert (
        focus["城市提能"],
        focus["民生保障"],
        focus["科技创新（发展领域）"],
        focus["产业培育"],
    ) == (2, 1, 1, 0)
    for d in data_["focus"]["data"] + delegations["data"]:
        assert listed(get(client, d["url"])) == d["value"]
    pipeline = dict(
        zip(
            data_["pipeline"]["names"], (d["value"] for d in data_["pipeline"]["data"]), strict=True
        )
    )
    assert pipeline == {
        "已提交": 0,
        "已立案": 0,
        "不予立案": 0,
        "已交办": 0,
        "办理中": 1,
        "已答复": 0,
        "已办结": 1,
    }


def test_delegations_ranked_by_participation(client, auth, data):
    auth.login("staff_city")
    html = get(client, MAY)
    table = re.search(
        r'<table class="table table-sm bg-white ranking-table.*?</table>', html, re.S
    ).group(0)
    rows = [
        re.sub(r"<[^>]+>|\s+", " ", row).split()
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]
    assert rows[1:] == [
        ["1.", "七里河区", "1", "1", "100%", "1"],
        ["2.", "城关区", "3", "2", "66.7%", "5"],
    ]


def test_a_delegation_filter_for_city_staff(client, auth, data):
    auth.login("staff_city")
    with client.application.app_context():
        qilihe = factories.delegation("qilihe").id
    page = Page(get(client, f"{MAY}&delegation={qilihe}"))
    assert (page.figure("delegates"), page.figure("active"), page.figure("activities")) == (
        "1",
        "1",
        "1",
    )
    for href, count in page.links():
        assert listed(get(client, href)) == count


# --- scope and access ------------------------------------------------------------------------


def test_delegation_staff_see_only_their_delegation(client, auth, data):
    auth.login("staff_a")
    html = get(client, MAY)
    page = Page(html)
    assert page.figure("delegates") == "3"
    assert page.card("active") == "履职代表 2 上期 0 ▲ 增加 2"
    assert page.figure("rate") == "66.7%"
    assert page.figure("activities") == "5"
    assert page.figure("people") == "18"
    assert page.figure("kind-research") == "0"  # 七里河区's research entry
    assert 'id="f-delegation"' not in html
    assert "七里河区" not in html
    assert charts(html)["delegations"]["names"] == ["城关区"]
    # a delegation filter cannot widen the scope
    with client.application.app_context():
        qilihe = factories.delegation("qilihe").id
    assert Page(get(client, f"{MAY}&delegation={qilihe}")).figure("activities") == "5"
    assert listed(get(client, f"/dashboard/activities?period=2024-05&delegation={qilihe}")) == 5
    for href, count in page.links():
        assert listed(get(client, href)) == count


def test_delegation_staff_get_404_on_points_of_another_delegation(client, auth, data):
    auth.login("staff_a")
    assert client.get(f"/dashboard/points/{data['b']}?period=2024-05").status_code == 404
    assert client.get(f"/dashboard/points/{data['a2']}?period=2024-05").status_code == 200
    assert client.get("/dashboard/points/999999").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/",
        MAY,
        "/dashboard/activities?period=2024-05",
        "/dashboard/delegates?which=active",
        "/dashboard/delegates?which=inactive",
        "/dashboard/delegates?which=no_call&call=i2-grassroots",
        "/dashboard/points/1",
    ],
)
def test_delegates_get_403_on_every_dashboard_url(client, auth, data, url):
    auth.login("dele_a")
    assert client.get(url).status_code == 403


def test_admins_see_the_whole_city(client, auth, data):
    auth.login("admin")
    assert Page(get(client, MAY)).figure("activities") == "6"


# --- targets, inactive delegates, points -------------------------------------------------------


def test_the_letters_type_calls_as_targets_this_quarter(client, auth, data):
    auth.login("staff_city")
    page = Page(get(client, MAY))
    got = {
        code: tuple(page.figure(f"call-{code}-{f}") for f in ("delegates", "met", "none"))
        for code in ("i2-government", "i2-entrepreneur", "i2-technical", "i2-grassroots")
    }
    assert got == {
        "i2-government": ("1", "0", "1"),
        "i2-entrepreneur": ("1", "1", "0"),
        "i2-technical": ("1", "0", "0"),
        "i2-grassroots": ("1", "0", "0"),
    }
    html = get(client, "/dashboard/delegates?which=no_call&call=i2-government&period=2024-05")
    assert listed(html) == 1
    assert "赵建军" in html
    assert "2024年4月 至 2024年6月" in html  # the quarter, not the period


def test_inactive_delegates_with_their_last_entry(client, auth, data):
    auth.login("staff_city")
    html = get(client, MAY)
    inactive = (
        re.search(r'href="([^"]+)" data-figure="inactive"', html).group(1).replace("&amp;", "&")
    )
    assert query(inactive) == {"which": "inactive", "days": "60"}
    assert listed(get(client, inactive)) == 1  # 赵建军 has never had an approved entry
    html = get(client, "/dashboard/delegates?which=inactive&days=30")
    assert listed(html) == 2
    assert html.index("赵建军") < html.index("李文华")  # longest idle first
    assert "从未" in html and "2024年5月7日" in html


def test_points_ranking_and_the_lines_behind_it(client, auth, data):
    auth.login("staff_city")
    page = Page(get(client, MAY))
    ranked = [
        (text, int(attrs["data-points"]), attrs["href"])
        for tag, attrs, text in page.found
        if "data-points" in attrs
    ]
    assert [(name, points) for name, points, _ in ranked] == [
        ("王建国", 14),
        ("马秀兰", 6),
        ("李文华", 4),
    ]
    html = get(client, ranked[0][2].replace("&amp;", "&"))
    assert "合计 14 分" in html
    rows = re.findall(
        r'<span class="line-date">(.*?)</span> · <span class="line-kind">(.*?)</span>.*?'
        r'<td class="text-end line-points">(\d+)</td>',
        html,
        re.S,
    )
    assert rows == [
        ("2024年5月11日", "惠企服务", "4"),
        ("2024年5月15日", "建议", "5"),
        ("2024年5月29日", "建议", "5"),
    ]


def test_delegate_names_link_to_their_record(app, client, auth, data):
    auth.login("staff_city")
    with app.test_request_context():
        from flask import url_for

        href = url_for("delegates.record", delegate_id=data["c"])
    assert f'href="{href}"' in get(client, "/dashboard/delegates?which=inactive")


# --- bad input gives a page ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/?period=abc",
        "/dashboard/?delegation=xyz",
        "/dashboard/?period=2024-13",
        "/dashboard/?period=2024-06..2024-01",
        "/dashboard/?level=mayor&type=x&initiative=i9&kind=nope&focus=?",
        "/dashboard/?month=junk&period=2024-05",
        "/dashboard/activities?period=abc&delegation=xyz&page=abc",
        "/dashboard/delegates?which=inactive&days=-5",
        "/dashboard/delegates?which=inactive&days=abc",
        "/dashboard/delegates?which=zzz",
        "/dashboard/points/1?period=abc",
    ],
)
def test_bad_query_arguments_give_a_page(client, auth, data, url):
    auth.login("staff_city")
    assert client.get(url).status_code == 200


def test_bad_arguments_fall_back_to_something_sensible(client, auth, data):
    auth.login("staff_city")
    assert "2024年6月，对比上期 2024年5月" in get(client, "/dashboard/?period=abc")
    assert Page(get(client, f"{MAY}&delegation=xyz")).figure("activities") == "6"
    html = get(client, "/dashboard/delegates?which=inactive&days=-5")
    assert "近 7 天没有已通过记录的代表" in html
    assert 'value="7"' in html
    assert client.get("/dashboard/delegates?which=no_call&call=nope").status_code == 404


def test_month_picker_wins_over_the_period_it_came_with(client, auth, data):
    auth.login("staff_city")
    page = Page(get(client, "/dashboard/?period=2024-06&month=2024-05"))
    assert page.figure("activities") == "6"


def test_quick_links_keep_the_filters(client, auth, data):
    auth.login("staff_city")
    html = get(client, f"{MAY}&type=grassroots")
    bar = re.search(r'<nav class="period-bar.*?</nav>', html, re.S).group(0)
    quick = re.findall(r'href="([^"]+)"', bar)
    assert [query(h.replace("&amp;", "&")) for h in quick] == [
        {"period": "2024-06", "type": "grassroots"},
        {"period": "2024-05", "type": "grassroots"},
        {"period": "2024-04..2024-06", "type": "grassroots"},
        {"period": "2023-07..2024-06", "type": "grassroots"},
    ]


def test_no_inline_script_runs_on_the_dashboard(client, auth, data):
    """Chart data travels as JSON; only script files execute (ready for a CSP without inline
    script)."""
    auth.login("staff_city")
    html = get(client, MAY)
    tags = re.findall(r"<script\b[^>]*>", html)
    assert '<script type="application/json" id="dashboard-charts">' in tags
    assert [t for t in tags if "src=" not in t and 'type="application/json"' not in t] == []
    assert re.findall(r"<[^>]*\son[a-z]+=", html) == []  # no inline event handlers
    assert "/static/js/dashboard.js" in html and "/static/vendor/echarts.min.js" in html


def test_the_dashboard_renders_in_english_too(client, auth, data):
    """Dates and numbers follow the language (the new strings await their translations)."""
    auth.login("staff_city")
    client.post("/auth/language/en", data={"next": "/"})
    html = get(client, MAY)
    assert "May 2024" in html
    assert Page(html).figure("activities") == "6"
    assert 'id="result-count">Total: 6<' in get(client, "/dashboard/activities?period=2024-05")
