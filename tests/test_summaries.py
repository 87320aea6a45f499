"""月度通报: the summary's numbers on a fixed dataset, the XLSX and CSV files opened back,
formula-looking text kept inert, closing a month, 补录, and who may do what."""

import csv
import io
from datetime import date, datetime

import openpyxl
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
from tracker.models import (
    Activity,
    AuditEntry,
    Delegate,
    Delegation,
    MonthClose,
    Proposal,
    ProposalReply,
    User,
)
from tracker.permissions import Scope
from tracker.reports import bulletin as B
from tracker.reports import exports, selects
from tracker.reports import figures as f
from tracker.reports import summary as S
from tracker.reports.filters import Filters
from tracker.review.services import approve_activity
from tracker.summaries.closing import MonthAlreadyClosed, MonthNotOver, close_month

from . import factories

MAY = f.Period.month(2024, 5)
TODAY = date(2024, 6, 10)
EVERYTHING = Scope(everything=True)
FORMULAS = ["=1+1", "＠SUM(A1)", "\t=cmd|' /C calc'!A0", "-2+3"]
READABLE = ["+86 138 0931 0000", "-5"]
MENTION = "@张三"


@pytest.fixture
def data(app, world):
    """May 2024: five approved entries by three delegates of four, 18 people reached; April has
    one entry; a submitted, a returned and a draft entry must not count."""
    with app.app_context():
        a = db.session.get(Delegate, world.delegate_a)  # 城关区, grassroots
        a2 = db.session.get(Delegate, world.delegate_a2)  # 城关区, entrepreneur
        b = db.session.get(Delegate, world.delegate_b)  # 七里河区, technical
        c = factories.make_delegate(
            "赵建军", "chengguan", DelegateType.GOVERNMENT, level=Level.COUNTY
        )
        approved = ActivityStatus.APPROVED

        def add(delegate, day, kind, title, initiative=3, people=0, status=approved, concerns=0):
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
            if status == approved:
                activity.approved_at = datetime(2024, 6, 1, 2, 0)
            return activity

        v1 = add(a, date(2024, 5, 3), "visit", "走访东岗街道", people=10, concerns=2)
        v1.place = MENTION  # a place named as people write it, not a formula
        v1.concerns[0].status, v1.concerns[0].resolution = (
            ConcernStatus.FED_BACK,
            ConcernResolution.RESOLVED,
        )
        v1.concerns[1].status, v1.concerns[1].resolution = (
            ConcernStatus.RESOLVED,
            ConcernResolution.UNRESOLVABLE,
        )
        v2 = add(a, date(2024, 5, 20), "visit", FORMULAS[0], people=5)
        v2.exemplary, v2.exemplary_note = True, "诉求转办及时"
        v2.description = "入户走访独居老人\n记录诉求三件"
        add(a2, date(2024, 5, 11), "enterprise-service", READABLE[0], people=3)
        p1 = add(a2, date(2024, 5, 15), "proposal", READABLE[1])
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
        add(b, date(2024, 5, 7), "research", FORMULAS[1], initiative=2)
        add(b, date(2024, 4, 28), "visit", "四月走访", people=7)
        add(a, date(2024, 5, 25), "visit", FORMULAS[2], status=ActivityStatus.SUBMITTED, people=50)
        add(a2, date(2024, 5, 26), "visit", FORMULAS[3], status=ActivityStatus.RETURNED, people=50)
        add(c, date(2024, 5, 2), "study", "草稿", initiative=1, status=ActivityStatus.DRAFT)
        rollups.rebuild()
        db.session.commit()
        return {"a": a.id, "a2": a2.id, "b": b.id, "c": c.id, "v2": v2.id}


def campaign():
    return factories.campaign()


def delegation_id(code):
    return db.session.scalar(sa.select(Delegation.id).where(Delegation.code == code))


def texts(table):
    return [[cell.text for cell in row] for row in B.word_table(table).all_rows]


# --- the numbers ---------------------------------------------------------------------------------


def test_summary_numbers_on_the_fixed_dataset(ctx, data):
    summary = S.build(campaign(), EVERYTHING, MAY, TODAY)
    h = summary.headline
    assert (h["activities"], h["people_reached"]) == (5, 18)
    assert (h["delegates"], h["active"], h["participation_rate"]) == (4, 3, 0.75)
    assert (
        h["proposals"],
        h["proposals_registered"],
        h["proposals_replied"],
        h["proposals_satisfied"],
        h["satisfaction_rate"],
    ) == (1, 1, 1, 1, 1.0)
    assert (
        h["concerns"],
        h["concerns_resolved"],
        h["concerns_unresolvable"],
        h["concerns_fed_back"],
        h["resolution_rate"],
    ) == (2, 1, 1, 1, 0.5)
    assert (h["exemplary"], h["late"]) == (1, 0)
    # 赵建军 has no approved entry at all; the others were active within 60 days of 31 May
    assert h["inactive"] == 1
    assert summary.previous["activities"] == 1 and summary.previous["people_reached"] == 7
    assert texts(summary.tables["by_delegation"]) == [
        ["七里河区", "1", "1", "100%", "1"],
        ["城关区", "3", "2", "66.7%", "4"],
        ["合计", "4", "3", "75%", "5"],
    ]
    assert texts(summary.tables["by_type"]) == [
        ["党政机关代表", "1", "0", "0%", "0", "0"],
        ["企业家代表", "1", "1", "100%", "2", "3"],
        ["专业技术代表", "1", "1", "100%", "1", "0"],
        ["基层代表", "1", "1", "100%", "2", "15"],
        ["合计", "4", "3", "75%", "5", "18"],
    ]
    kinds = {row[0]: row[1:] for row in texts(summary.tables["kind_initiative"])}
    assert B.word_table(summary.tables["kind_initiative"]).headers[:4] == [
        "活动类型",
        "倡议一",
        "倡议二",
        "倡议三",
    ]
    assert kinds["走访"] == ["0", "0", "2", "2", "15"]
    assert kinds["调研"] == ["0", "1", "0", "1", "0"]
    assert kinds["合计"] == ["0", "1", "4", "5", "18"]
    assert texts(summary.tables["exemplary"]) == [
        [
            "2024-05-20",
            "马秀兰",
            "城关区",
            "走访",
            "=1+1",
            "入户走访独居老人\n记录诉求三件",
            "诉求转办及时",
        ]
    ]
    assert texts(summary.tables["inactive"]) == [["赵建军", "城关区", "党政机关代表", "—"]]


def test_summary_figures_are_the_dashboards(ctx, data):
    """Each headline number is the dashboard function's, for the city and for one delegation."""
    for delegation in (None, delegation_id("chengguan")):
        filters = Filters(campaign_id=campaign().id, delegation_id=delegation)
        h = S.build(campaign(), EVERYTHING, MAY, TODAY, delegation).headline
        assert (h["activities"], h["people_reached"]) == tuple(
            f.activity_totals(EVERYTHING, MAY, filters)
        )
        assert h["active"] == f.active_delegate_count(EVERYTHING, MAY, filters)
        assert h["activities"] == selects.count_of(
            selects.approved_activity_select(EVERYTHING, MAY, filters)
        )
        assert h["proposals"] == f.proposal_figures(EVERYTHING, MAY, filters, TODAY).submitted
        assert h["concerns"] == f.concern_period_figures(EVERYTHING, MAY, filters).raised


def test_a_delegations_scope_is_applied_inside(ctx, data):
    own = S.build(campaign(), Scope(delegation_id=delegation_id("chengguan")), MAY, TODAY)
    assert own.area == "城关区"
    assert (
        own.headline["activities"],
        own.headline["people_reached"],
        own.headline["delegates"],
    ) == (4, 18, 3)
    assert [r[0] for r in texts(own.tables["by_delegation"])] == ["城关区", "合计"]


def test_the_snapshot_round_trips_through_json(ctx, data):
    import json

    summary = S.build(campaign(), EVERYTHING, MAY, TODAY)
    again = S.Summary.from_json(json.loads(json.dumps(summary.to_json(), ensure_ascii=False)))
    assert again.headline == summary.headline
    assert [B.word_table(t).all_rows for t in again.tables.values()] == [
        B.word_table(t).all_rows for t in summary.tables.values()
    ]
    assert B.paragraphs(again) == B.paragraphs(summary)


def test_paragraphs_are_written_from_the_numbers(ctx, data):
    words = B.paragraphs(S.build(campaign(), EVERYTHING, MAY, TODAY))
    assert words[0] == (
        "2024年5月，全市各级人大代表共登记并经审核通过履职活动 5 次，较上期增加 4（+400%）；"
        "联系群众 18 人次。"
    )
    assert "参与率 75%" in words[1]
    assert "满意率 100%" in words[2]
    assert "办成率 50%" in words[3]
    assert "典型案例 1 件" in words[4]


# --- formulas never run ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        *FORMULAS,
        '=HYPERLINK("http://x")',
        "+SUM(1)",
        "@x",
        "＝1",
        "－1+1",
        "＋A1",
        "\r=1",
        "@张三(1)",  # a mention that calls something is a formula
        "@张三|cmd",
        "@张三=1",
    ],
)
def test_formula_looking_text_is_neutralised(text):
    assert exports.looks_like_formula(text)
    assert exports.neutralise(text) == "'" + text


@pytest.mark.parametrize(
    "text",
    [
        *READABLE,
        "+86-931-8888888",
        "-5.5",
        "（0931）8888888",
        "走访",
        "",
        "a=b",
        "@张三",
        "＠李四 你好",
    ],
)
def test_numbers_phones_names_and_plain_text_stay_as_they_are(text):
    assert not exports.looks_like_formula(text)
    assert exports.neutralise(text) == text


# --- the files, through the app --------------------------------------------------------------------


def download(client, **args):
    response = client.get("/summaries/export", query_string={"period": "2024-05", **args})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Cache-Control"] == "no-store"
    return response


def test_xlsx_opens_back_with_every_table_and_the_entries(app, client, auth, data):
    auth.login("staff_city")
    response = download(client, format="xlsx")
    assert "attachment" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    with app.app_context():
        summary = S.build(campaign(), EVERYTHING, MAY, TODAY)
        titles = [B.table_title(key) for key in summary.tables]
    assert book.sheetnames == ["通报", *titles, "履职记录"]
    sheet = book["各代表团参与情况"]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == ["代表团", "代表数", "参与代表", "参与率", "已通过记录"]
    assert [c.value for c in sheet[3]] == ["城关区", 3, 2, pytest.approx(2 / 3), 4]
    assert sheet["D3"].number_format == "0.0%"
    assert [c.value for c in sheet[4]] == ["合计", 4, 3, 0.75, 5]
    assert sheet.column_dimensions["A"].width >= 8

    entries = book["履职记录"]
    assert entries.freeze_panes == "A2"
    rows = list(entries.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 5
    assert [r[1] for r in rows] == [datetime(2024, 5, d) for d in (3, 7, 11, 15, 20)]
    assert sum(r[10] for r in rows) == 18
    assert rows[0][2:4] == ("马秀兰", "城关区")
    assert entries.cell(2, 2).is_date


def test_no_cell_becomes_a_formula(app, client, auth, data):
    auth.login("staff_city")
    book = openpyxl.load_workbook(io.BytesIO(download(client, format="xlsx").data))
    cells = {c.value: c for row in book["履职记录"].iter_rows(min_row=2) for c in row}
    for text in [FORMULAS[0], FORMULAS[1]]:
        assert cells[text].data_type == "s"
        assert cells[text].quotePrefix
    for text in [*READABLE, MENTION]:
        assert cells[text].data_type == "s" and not cells[text].quotePrefix
    case = book["典型案例"]
    assert case["E2"].value == "=1+1" and case["E2"].data_type == "s"

    raw = download(client, format="csv").data.decode("utf-8-sig")
    values = {v for row in csv.reader(io.StringIO(raw)) for v in row}
    assert {"'=1+1", "'＠SUM(A1)", *READABLE, MENTION} <= values
    assert "=1+1" not in values


def test_csv_of_one_table_has_a_bom_and_the_same_numbers(client, auth, data):
    auth.login("staff_city")
    response = download(client, format="csv", table="by_type")
    assert response.data.startswith("\ufeff".encode())
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["代表类型", "代表数", "参与代表", "参与率", "已通过记录", "联系群众（人次）"]
    assert rows[2] == ["企业家代表", "1", "1", "100.0%", "2", "3"]
    assert rows[-1] == ["合计", "4", "3", "75.0%", "5", "18"]


def test_entries_csv_lists_the_approved_entries(client, auth, data):
    auth.login("staff_a")
    rows = list(csv.reader(io.StringIO(download(client, format="csv").data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["记录编号", "日期", "代表"]
    assert [r[1] for r in rows[1:]] == ["2024-05-03", "2024-05-11", "2024-05-15", "2024-05-20"]


def test_every_export_is_audited(app, client, auth, data):
    auth.login("staff_city")
    download(client, format="xlsx")
    download(client, format="csv", table="by_delegation")
    with app.app_context():
        rows = db.session.execute(
            sa.select(AuditEntry.action, AuditEntry.to_state, AuditEntry.note, User.username)
            .join(User, User.id == AuditEntry.actor_id)
            .where(AuditEntry.object_type == "summary")
            .order_by(AuditEntry.id)
        ).all()
    assert rows == [
        ("export", "xlsx", "2024-05 · 全市 · all · rows=5", "staff_city"),
        ("export", "csv", "2024-05 · 全市 · by_delegation · rows=3", "staff_city"),
    ]


def test_unknown_format_or_table_is_404(client, auth, data):
    auth.login("staff_city")
    assert client.get("/summaries/export?period=2024-05&format=exe").status_code == 404
    assert client.get("/summaries/export?period=2024-05&format=csv&table=nope").status_code == 404


# --- who may see and do what -------------------------------------------------------------------------


def test_delegates_may_not_see_or_export_summaries(client, auth, data):
    auth.login("dele_a")
    assert client.get("/summaries/?period=2024-05").status_code == 403
    assert client.get("/summaries/export?period=2024-05&format=xlsx").status_code == 403
    assert client.post("/summaries/close", data={"period": "2024-05"}).status_code == 403


def test_delegation_staff_see_their_own_delegation_only(client, auth, data, app):
    auth.login("staff_a")
    with app.app_context():
        other = delegation_id("qilihe")
    page = client.get(f"/summaries/?period=2024-05&delegation={other}").get_data(as_text=True)
    assert "城关区人大代表履职情况通报（2024年5月）" in page
    assert "七里河区" not in page
    assert client.post("/summaries/close", data={"period": "2024-05"}).status_code == 403


def test_the_page_shows_the_numbers_and_links_them_to_their_lists(client, auth, data):
    auth.login("staff_city")
    page = client.get("/summaries/?period=2024-05").get_data(as_text=True)
    assert "全市人大代表履职情况通报（2024年5月）" in page
    assert "/dashboard/activities?period=2024-05" in page
    assert "结账：2024年5月" in page
    assert "入户走访独居老人" in page


def test_a_bad_period_falls_back_to_last_month(client, auth, data):
    auth.login("staff_city")
    for bad in ("2024-13", "abc", "2024-05..2023-01", "9999-01"):
        response = client.get(f"/summaries/?period={bad}")
        assert response.status_code == 200


# --- closing a month ------------------------------------------------------------------------------------


def close(client, month="2024-05"):
    return client.post("/summaries/close", data={"period": month}, follow_redirects=True)


def test_a_closed_month_reproduces_after_later_changes(app, client, auth, data):
    auth.login("staff_city")
    before = download(client, format="xlsx").data
    page = close(client).get_data(as_text=True)
    assert "已结账：2024年5月，共 5 条已通过记录" in page
    with app.app_context():
        # later: a May entry is approved, a typical case unflagged, a concern concluded
        late = factories.make_activity(
            db.session.get(Delegate, data["b"]),
            occurred_on=date(2024, 5, 30),
            people_reached=40,
            title="补录的走访",
        )
        approve_activity(
            late,
            db.session.scalar(sa.select(User).where(User.username == "staff_city")),
            expected_version=late.version,
        )
        db.session.get(Activity, data["v2"]).exemplary = False
        db.session.commit()
        assert late.late is True
        live = S.build(campaign(), EVERYTHING, MAY, date.today())
        assert live.headline["activities"] == 6  # the dashboard counts it in May
    after = openpyxl.load_workbook(io.BytesIO(download(client, format="xlsx").data))
    first = openpyxl.load_workbook(io.BytesIO(before))
    for name in first.sheetnames:
        if name == "通报":
            continue
        assert list(after[name].values) == list(first[name].values), name
    page = client.get("/summaries/?period=2024-05").get_data(as_text=True)
    assert "已结账" in page and "结账后又有 1 条本月记录审核通过（补录）" in page
    # the month it was approved in lists it
    with app.app_context():
        this_month = f.Period.month(date.today().year, date.today().month)
        listed = S.build(campaign(), EVERYTHING, this_month, date.today())
        assert [row[-1] for row in texts(listed.tables["late"])] == ["补录的走访"]
        assert listed.headline["late"] == 1


def test_an_entry_a_closed_month_counted_cannot_be_reopened(app, client, auth, data):
    auth.login("staff_city")
    close(client)
    with app.app_context():
        activity = db.session.get(Activity, data["v2"])
        version = activity.version
    response = client.post(
        f"/review/{data['v2']}/reopen", data={"version": version, "reason": "日期错"}
    )
    assert response.status_code == 409
    assert "所在月份已经结账" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Activity, data["v2"]).status == ActivityStatus.APPROVED


def test_closing_rules(app, client, auth, data):
    auth.login("staff_city")
    this_month = f"{date.today():%Y-%m}"
    assert "还没有结束" in close(client, this_month).get_data(as_text=True)
    close(client)
    assert "2024年5月 已经结账" in close(client).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthClose)) == 1
        user = db.session.scalar(sa.select(User).where(User.username == "staff_city"))
        with pytest.raises(MonthAlreadyClosed):
            close_month(campaign(), MAY, user, TODAY)
        with pytest.raises(MonthNotOver):
            close_month(campaign(), f.Period.month(2024, 6), user, TODAY)
        with pytest.raises(MonthNotOver):
            close_month(campaign(), f.Period(date(2024, 4, 1), date(2024, 6, 1)), user, TODAY)


def test_closed_snapshot_serves_each_delegation(app, client, auth, data):
    auth.login("staff_city")
    close(client)
    auth.logout()
    auth.login("staff_a")
    rows = list(
        csv.reader(
            io.StringIO(
                download(client, format="csv", table="by_delegation").data.decode("utf-8-sig")
            )
        )
    )
    assert rows[1:] == [["城关区", "3", "2", "66.7%", "4"], ["合计", "3", "2", "66.7%", "4"]]


# --- typical cases --------------------------------------------------------------------------------------


def test_staff_flag_a_typical_case_from_the_review_page(app, client, auth, data):
    with app.app_context():
        target = db.session.scalar(sa.select(Activity.id).where(Activity.title == READABLE[0]))
    auth.login("dele_a2")
    assert client.post(f"/review/{target}/exemplary", data={"exemplary": "y"}).status_code in (
        403,
        404,
    )
    auth.logout()
    auth.login("staff_a")
    response = client.post(
        f"/review/{target}/exemplary", data={"exemplary": "y", "note": "惠企服务到位"}
    )
    assert response.status_code == 302
    with app.app_context():
        activity = db.session.get(Activity, target)
        assert (activity.exemplary, activity.exemplary_note) == (True, "惠企服务到位")
        assert S.build(campaign(), EVERYTHING, MAY, TODAY).headline["exemplary"] == 2
    auth.logout()
    auth.login("staff_a")
    with app.app_context():
        other = db.session.scalar(sa.select(Activity.id).where(Activity.title == FORMULAS[1]))
    assert client.post(f"/review/{other}/exemplary", data={"exemplary": "y"}).status_code == 404


# --- the command line ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_cli_writes_the_spreadsheets(runner, data, tmp_path, fmt):
    out = tmp_path / f"may.{fmt}"
    result = runner.invoke(
        args=["summary", "export", "--month", "2024-05", "--format", fmt, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "5 rows" in result.output
    if fmt == "xlsx":
        assert openpyxl.load_workbook(out)["履职记录"].max_row == 6
    else:
        assert len(out.read_text("utf-8-sig").splitlines()) == 6


def test_cli_for_one_delegation(runner, data, tmp_path):
    out = tmp_path / "cg.csv"
    result = runner.invoke(
        args=[
            "summary",
            "export",
            "--month",
            "2024-05",
            "--format",
            "csv",
            "--table",
            "by_delegation",
            "--delegation",
            "chengguan",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    assert out.read_text("utf-8-sig").splitlines()[1] == "城关区,3,2,66.7%,4"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2024-13"], "is not a month"),
        (["--month", "May"], "is not a month"),
        (["--month", "2099-01"], "has not begun"),
        (["--month", "2999-01"], "years 2000 to 2100"),
        (["--month", "0001-01"], "years 2000 to 2100"),
        (["--month", "2024-05", "--delegation", "nowhere"], "no delegation"),
        (["--month", "2024-05", "--table", "nope"], "no table"),
    ],
)
def test_cli_fails_cleanly_on_bad_arguments(runner, data, tmp_path, args, message):
    out = tmp_path / "x.csv"
    result = runner.invoke(args=["summary", "export", "--format", "csv", "--out", str(out), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


def test_cli_fails_cleanly_on_a_bad_path(runner, data, tmp_path):
    result = runner.invoke(
        args=[
            "summary",
            "export",
            "--month",
            "2024-05",
            "--format",
            "xlsx",
            "--out",
            str(tmp_path / "missing" / "x.xlsx"),
        ]
    )
    assert result.exit_code == 2 and "does not exist" in result.output
    result = runner.invoke(
        args=["summary", "export", "--month", "2024-05", "--format", "xlsx", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2 and "is a directory" in result.output
    assert list(tmp_path.iterdir()) == []


def test_cli_closes_a_month(runner, data):
    result = runner.invoke(args=["summary", "close", "--month", "2024-05", "--user", "staff_city"])
    assert result.exit_code == 0 and "5 approved entries" in result.output
    again = runner.invoke(args=["summary", "close", "--month", "2024-05", "--user", "staff_city"])
    assert again.exit_code == 1 and "already closed" in again.output
    refused = runner.invoke(args=["summary", "close", "--month", "2024-04", "--user", "staff_a"])
    assert refused.exit_code == 2


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_cli_writes_the_bulletin(runner, data, tmp_path, fmt):
    import docx

    from .test_summary_pdf import poppler

    out = tmp_path / f"may.{fmt}"
    result = runner.invoke(
        args=["summary", "export", "--month", "2024-05", "--format", fmt, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    if fmt == "docx":
        text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    else:
        text = poppler("pdftotext", "-layout", str(out), "-")
    assert "全市人大代表履职情况通报（2024年5月）" in text
    assert "履职活动 5 次" in text
    assert [p.name for p in tmp_path.iterdir()] == [f"may.{fmt}"]


def test_cli_fails_cleanly_without_a_chinese_font(runner, data, tmp_path, monkeypatch):
    from tracker.reports import fonts

    monkeypatch.setattr(fonts, "_installed", lambda: ())
    out = tmp_path / "may.pdf"
    result = runner.invoke(
        args=["summary", "export", "--month", "2024-05", "--format", "pdf", "--out", str(out)]
    )
    assert result.exit_code == 1
    assert "fonts-noto-cjk" in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_page_says_which_package_is_missing_instead_of_a_pdf_of_boxes(
    client, auth, data, monkeypatch
):
    from tracker.reports import fonts

    monkeypatch.setattr(fonts, "_installed", lambda: ())
    auth.login("staff_city")
    response = client.get("/summaries/export?period=2024-05&format=pdf", follow_redirects=True)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "apt-get install fonts-noto-cjk" in response.get_data(as_text=True)
