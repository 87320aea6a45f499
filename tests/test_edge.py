"""Input is bounded where it enters: text however it is posted, ids, dates, partial posts,
campaign files, and what a server error looks like. Each cause the route fuzzer found has its
own exact case here."""

from __future__ import annotations

import io
import json
import logging
import threading

import pytest
import sqlalchemy as sa

from tracker.campaign.loader import MAX_NESTING, load_campaign, nesting_depth
from tracker.edge import MAX_ID, as_id, clean_json, clean_text, version_of
from tracker.enums import ActivityStatus, VisitTargetKind
from tracker.extensions import db
from tracker.models import Activity, Campaign, Delegate, Station

from . import factories

# --- text: one rule however it arrives -------------------------------------------------------


def test_control_characters_are_dropped_and_nul_refused():
    assert clean_text("走访\x0b社区\x0c\x1b[31m\x7f\x85") == "走访社区[31m"
    assert clean_text("第一行\r\n第二行\t缩进") == "第一行\r\n第二行\t缩进"
    with pytest.raises(ValueError):
        clean_text("a\x00b")
    assert clean_json({"标题\x01": ["a\x02", 3, {"b": "c\x1f"}]}) == {"标题": ["a", 3, {"b": "c"}]}


@pytest.mark.parametrize("multipart", [False, True], ids=["url-encoded", "multipart"])
def test_a_nul_in_the_login_form_is_refused_however_it_is_posted(client, world, multipart):
    data = {"username": "dele_a\x00", "password": factories.PASSWORD}
    response = client.post(
        "/auth/login",
        data=data,
        content_type="multipart/form-data" if multipart else "application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "提交的内容含有无法保存的控制字符（如 NUL）" in response.get_data(as_text=True)


def new_visit(**changes) -> dict:
    data = {
        "kind": "visit",
        "initiative": "i3",
        "title": "走访东岗街道",
        "occurred_on": "2024-05-10",
        "station": "",
        "place": "",
        "visit_target_kind": "households",
        "visit_target": "东岗街道",
        "people_reached": "5",
        "description": "",
        "outcome": "",
        "save_draft": "1",
    }
    data.update(changes)
    return data


def test_control_characters_posted_as_multipart_never_reach_the_database(app, client, auth, world):
    auth.login("dele_a")
    response = client.post(
        "/activities/new",
        data=new_visit(title="走访\x0b东岗\x1b街道", visit_target="东岗\x0c街道"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        activity = db.session.scalar(sa.select(Activity))
        assert (activity.title, activity.visit_target) == ("走访东岗街道", "东岗街道")


def test_an_uploaded_files_name_loses_its_control_characters_nul_included(
    app, client, auth, world, tmp_path
):
    app.config["ATTACHMENT_FOLDER"] = str(tmp_path)
    with app.app_context():
        delegate = db.session.get(Delegate, world.delegate_a)
        activity_id = factories.make_activity(delegate, status=ActivityStatus.DRAFT).id
        db.session.commit()
    auth.login("dele_a")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

    def upload(name: str):
        return client.post(
            f"/attachments/activity/{activity_id}",
            data={"file": (io.BytesIO(pdf), name)},
            content_type="multipart/form-data",
        )

    assert upload("报告\x00一.pdf").status_code == 302
    assert upload("报告\x1b\x07二.pdf").status_code == 302
    with app.app_context():
        names = db.session.scalars(sa.text("select original_name from attachment")).all()
    assert sorted(names) == ["报告一.pdf", "报告二.pdf"]


def test_json_bodies_pass_the_same_rule(app):
    with app.test_request_context(
        "/", method="POST", data=json.dumps({"t": "a\x0bb"}), content_type="application/json"
    ):
        from flask import request

        assert request.get_json() == {"t": "ab"}
    with app.test_request_context(
        "/", method="POST", data=json.dumps({"t": "a\x00b"}), content_type="application/json"
    ):
        from flask import request
        from werkzeug.exceptions import BadRequest

        with pytest.raises(BadRequest):
            request.get_json()


# --- numbers that name rows --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["2147483648", "9223372036854775808", "9" * 30, "٣", "²", "३", "-1", "1.0", " 1", "", "0x1"],
)
def test_only_ascii_digits_in_range_are_ids(text):
    assert as_id(text) is None


def test_ids_in_range_are_ids():
    assert (as_id("0"), as_id("42"), as_id(str(MAX_ID))) == (0, 42, MAX_ID)
    assert (version_of(""), version_of("7"), version_of("9" * 20), version_of("٣")) == (
        0,
        7,
        -1,
        -1,
    )


@pytest.mark.parametrize("segment", [str(2**31), str(2**63), str(2**64), "٣", "²", "0001"])
def test_an_id_out_of_range_or_in_other_digits_is_not_found(client, auth, world, segment):
    auth.login("staff_city")
    assert client.get(f"/activities/{segment}").status_code == 404
    assert client.post(f"/review/{segment}/approve").status_code == 404


@pytest.mark.parametrize("value", [str(2**31), str(2**64), "٣", "-3", "9" * 40])
def test_query_string_numbers_out_of_range_are_ignored(client, auth, world, value):
    auth.login("staff_city")
    for url in (
        f"/activities/?page={value}",
        f"/proposals/?delegation={value}&handler={value}",
        f"/concerns/?delegation={value}",
        f"/summaries/?delegation={value}",
        f"/dashboard/delegates?which=inactive&days={value}",
    ):
        assert client.get(url).status_code == 200, url


def test_a_stale_or_absurd_version_is_a_conflict_and_changes_nothing(app, client, auth, world):
    with app.app_context():
        delegate = db.session.get(Delegate, world.delegate_a)
        activity_id = factories.make_activity(delegate).id
        db.session.commit()
    auth.login("staff_city")
    for version in (str(2**63), "٣", "-1"):
        response = client.post(f"/review/{activity_id}/approve", data={"version": version})
        assert response.status_code == 409
    with app.app_context():
        assert db.session.get(Activity, activity_id).status == ActivityStatus.SUBMITTED


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["0001-01", "9999-12", "9999-12..0001-01", "0001-01..0001-02", "1" * 500]
)
def test_periods_outside_the_calendar_fall_back_and_say_so(client, auth, world, value):
    auth.login("staff_city")
    for url in (
        f"/dashboard/?period={value}",
        f"/summaries/?period={value}",
        f"/activities/?month={value}",
        f"/review/?month={value}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert "不是有效的月份或期间（年份须在 2000 至 2100 之间）" in page, url


def test_an_empty_month_filter_is_no_filter_and_says_nothing(client, auth, world):
    auth.login("staff_city")
    page = client.get("/activities/?month=&kind=").get_data(as_text=True)
    assert "不是有效的月份" not in page


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("0024-05-10", "日期不能早于主题活动开始之日（2023年8月24日）。"),
        ("9999-12-31", "日期不能晚于今天。"),
    ],
)
def test_a_date_far_outside_the_campaign_is_refused_next_to_its_field(
    app, client, auth, world, day, message
):
    auth.login("dele_a")
    response = client.post("/activities/new", data=new_visit(occurred_on=day))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert f'value="{day}"' in page  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 0


@pytest.mark.parametrize("day", ["1999-12-31", "2101-01-01", "9999-12-31"])
def test_a_date_field_says_which_years_it_takes(app, day):
    from flask_wtf import FlaskForm

    from tracker.forms import LocalDateField

    class OneDate(FlaskForm):
        day = LocalDateField()

    with app.test_request_context("/", method="POST", data={"day": day}):
        form = OneDate()
        assert not form.validate()
        assert form.day.errors == ["日期须在 2000 年至 2100 年之间。"]
        assert form.day.data is None


@pytest.mark.parametrize("period", ["0001-01", "9999-12", "2024-05..9999-12"])
def test_closing_a_month_outside_the_calendar_closes_nothing(app, client, auth, world, period):
    from tracker.models import MonthClose

    auth.login("staff_city")
    response = client.post("/summaries/close", data={"period": period})
    assert response.status_code in (302, 400)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthClose)) == 0


# --- a field missing from a post keeps what was stored -------------------------------------------


def form_values(html: str, action: str) -> dict[str, str]:
    from .fuzz import forms_of

    form = next(f for f in forms_of(html, action) if f.action.endswith(action))
    return {
        name: value
        for name, value in form.fields
        if form.names.get(name) not in ("checkbox", "submit")
    }


def test_an_edit_posted_without_some_fields_keeps_their_stored_values(app, client, auth, world):
    """Posting back the edit form minus one field, whichever, leaves what the form shows as it
    was: nothing is silently emptied or reset to 0."""
    with app.app_context():
        delegate = db.session.get(Delegate, world.delegate_a)
        activity = factories.make_activity(delegate, status=ActivityStatus.DRAFT, people_reached=7)
        activity.place = "东岗街道"
        activity.description = "入户十户"
        activity.visit_target_kind = VisitTargetKind.HOUSEHOLDS
        activity.visit_target = "东岗街道住户"
        db.session.commit()
        activity_id = activity.id
    auth.login("dele_a")
    edit = f"/activities/{activity_id}/edit"
    before = form_values(client.get(edit).get_data(as_text=True), edit)
    assert before["people_reached"] == "7" and before["place"] == "东岗街道"
    # the form as shown saves: each case below is the same post with one field left out
    assert client.post(edit, data={**before, "save_draft": "1"}).status_code == 302
    for left_out in sorted(set(before) - {"csrf_token", "version"}):
        shown = form_values(client.get(edit).get_data(as_text=True), edit)
        posted = {k: v for k, v in shown.items() if k != left_out}
        posted["save_draft"] = "1"
        response = client.post(edit, data=posted)
        assert response.status_code in (200, 302, 409), left_out
        after = form_values(client.get(edit).get_data(as_text=True), edit)
        after.pop("version"), before.pop("version", None)
        assert after == {k: v for k, v in before.items() if k != "version"}, left_out


def test_a_station_posted_without_its_address_keeps_it(app, client, auth, world):
    with app.app_context():
        station = db.session.get(Station, world.station_a)
        station.address = "东岗西路 1 号"
        db.session.commit()
        station_id, name = station.id, station.name
    auth.login("admin")
    prefix = f"station-{station_id}"
    page = client.get(f"/admin/stations?edit={station_id}").get_data(as_text=True)
    values = form_values(page, f"/admin/stations/{station_id}")
    values.pop(f"{prefix}-address")
    values[f"{prefix}-action"] = "update"
    assert client.post(f"/admin/stations/{station_id}", data=values).status_code in (200, 302)
    with app.app_context():
        station = db.session.get(Station, station_id)
        assert (station.name, station.address) == (name, "东岗西路 1 号")


# --- campaign files -------------------------------------------------------------------------------


def test_nesting_is_measured_outside_strings_and_comments():
    text = 'a = "[[[[" # [[[[\nb = [[1, [2]], {x = [3]}]\nc = """ ]]] \\""" [[ """\n'
    assert nesting_depth(text) == 3
    assert nesting_depth("x = " + "[" * 5000 + "]" * 5000) == 5000


def test_a_campaign_file_nested_too_deep_is_refused_with_the_loaders_message(ctx, tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text('[campaign]\ncode = "x"\nitems = ' + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ValueError) as refused:
        load_campaign(path)
    assert f"nested more than {MAX_NESTING} levels deep" in str(refused.value)


def test_uploading_a_campaign_file_nested_too_deep_answers_with_the_message(client, auth, world):
    auth.login("admin")
    deep = b'[campaign]\ncode = "x"\nitems = ' + b"[" * 5000 + b"]" * 5000 + b"\n"
    response = client.post(
        "/admin/campaigns",
        data={"file": (io.BytesIO(deep), "deep.toml")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 400)
    assert f"nested more than {MAX_NESTING} levels deep" in response.get_data(as_text=True)


# --- at most one active campaign ------------------------------------------------------------------


def test_the_database_refuses_a_second_active_campaign(app):
    with app.app_context():
        first = db.session.scalar(sa.select(Campaign))
        assert first.is_active
        db.session.add(
            Campaign(
                code="other",
                title="另一个",
                full_title="另一个",
                issuer="x",
                signed_on=first.signed_on,
                starts_on=first.starts_on,
                is_active=True,
            )
        )
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_two_admins_activating_two_campaigns_at_once_leave_exactly_one_active(app):
    from tracker.campaign.loader import set_active_campaign

    with app.app_context():
        first = db.session.scalar(sa.select(Campaign))
        for code in ("second", "third"):
            db.session.add(
                Campaign(
                    code=code,
                    title=code,
                    full_title=code,
                    issuer="x",
                    signed_on=first.signed_on,
                    starts_on=first.starts_on,
                )
            )
        db.session.commit()
    with app.app_context():
        # On PostgreSQL both read before either writes, as two requests at the same moment do.
        # SQLite lets one writer at a time (the first takes the write lock as it begins), so
        # the two run one after the other there.
        concurrent = db.engine.dialect.name == "postgresql"
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def activate(code: str) -> None:
        with app.app_context():
            try:
                campaign = db.session.scalar(sa.select(Campaign).where(Campaign.code == code))
                db.session.scalar(sa.select(Campaign).where(Campaign.is_active))  # reads first
                if concurrent:
                    barrier.wait(timeout=10)
                set_active_campaign(campaign)
                db.session.commit()
                outcomes.append("activated")
            except (sa.exc.IntegrityError, sa.exc.OperationalError):
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=activate, args=(c,)) for c in ("second", "third")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    with app.app_context():
        active = db.session.scalars(sa.select(Campaign.code).where(Campaign.is_active)).all()
    assert len(active) == 1, (active, outcomes)
    assert "activated" in outcomes


# --- a server error -------------------------------------------------------------------------------


def test_a_server_errors_log_line_names_the_route_the_exception_and_the_request(
    app, client, auth, world, caplog
):
    def boom(activity_id: int):
        raise RuntimeError("something broke")

    app.add_url_rule("/__boom/<int:activity_id>", "boom", boom)
    auth.login("dele_a")
    with caplog.at_level(logging.ERROR, logger="tracker.errors"):
        response = client.get("/__boom/7", headers={"X-Request-Id": "req-777"})
    assert response.status_code == 500
    assert "req-777" in response.get_data(as_text=True)
    logged = [r.getMessage() for r in caplog.records if r.name == "tracker.errors"]
    assert logged == [
        "unhandled RuntimeError on GET /__boom/7 (route /__boom/<int:activity_id>), "
        "request req-777: something broke"
    ]


def test_a_server_error_page_needs_no_database_and_keeps_its_request_id(
    app, client, auth, world, caplog, monkeypatch
):
    """With the database gone, a logged-in request still gets the error page, in Chinese,
    with its request id; nothing on the page is read from the database."""
    auth.login("dele_a")  # a logged-in page: the usual layout would read the account
    with app.app_context():
        engine = db.engine
        db.session.remove()
        engine.dispose()

    def no_database(*args, **kwargs):
        raise sa.exc.OperationalError("connect", {}, Exception("database is down"))

    monkeypatch.setattr(engine, "connect", no_database)
    monkeypatch.setattr(engine, "raw_connection", no_database)
    with caplog.at_level(logging.ERROR, logger="tracker.errors"):
        response = client.get("/activities/mine", headers={"X-Request-Id": "req-12345"})
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "系统出了点问题" in page
    assert "req-12345" in page
    assert response.headers["X-Request-Id"] == "req-12345"
    logged = [r.getMessage() for r in caplog.records if r.name == "tracker.errors"]
    assert any("OperationalError on GET /activities/mine" in line for line in logged), logged
    assert any("request req-12345" in line for line in logged), logged
