"""In a real browser at phone width: nothing typed on the activity form is lost.

What is typed is kept in the browser (localStorage) under a key naming the account and the
form, put back when the form is opened again (after a lost signal, a reload or a login that
timed out), and removed only once the server holds it or the account logs out.
"""

import contextlib
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tracker.dates import local_today
from tracker.enums import ActivityStatus, RaisedByKind, VisitTargetKind
from tracker.extensions import db
from tracker.models import Activity, User

from .browser import assert_no_sideways_scroll, login
from .factories import PASSWORD

pytestmark = pytest.mark.browser

NOTICE = re.compile(r"^已恢复您上次未提交的内容（保存于 \d{2}:\d{2}）。$")

TITLE = "走访伏龙坪社区老旧小区住户"
PLACE = "伏龙坪社区广场"
VISIT_TARGET = "伏龙坪社区3号楼"
DESCRIPTION = "上午九点到十一点，和社区干部一起\n挨家挨户走访了 3 号楼。"
FIRST_CONCERN = "小区门口公交站台没有遮雨棚"
FIRST_NAME = "王大爷"
FIRST_PHONE = "138 0931 0000"
SECOND_CONCERN = "3号楼楼道灯坏了半年，晚上上下楼看不见"
SECOND_NAME = "伏龙坪便民超市"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def errors(phone):
    """Script errors on the page: there must be none."""
    seen = []
    phone.on("pageerror", lambda error: seen.append(str(error)))
    return seen


def user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(User.id).where(User.username == username))


def new_form_key(app, username: str = "dele_a") -> str:
    return f"tracker-draft:{user_id(app, username)}:activity-new"


def stored_draft(page, key: str):
    raw = page.evaluate("key => window.localStorage.getItem(key)", key)
    return json.loads(raw) if raw else None


def draft_keys(page) -> list[str]:
    return page.evaluate(
        "() => Object.keys(window.localStorage).filter(k => k.startsWith('tracker-draft:')).sort()"
    )


def settled_draft_keys(page, expected: list[str]) -> list[str]:
    """The kept draft keys once the page's script has had its chance to settle them (on a
    busy machine it may run a moment after the load event); the caller asserts on them."""
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            """(expected) => JSON.stringify(Object.keys(window.localStorage)
                 .filter(k => k.startsWith('tracker-draft:')).sort()) === JSON.stringify(expected)""",
            arg=sorted(expected),
            timeout=5000,
        )
    return draft_keys(page)


def wait_for_draft(page, key: str, field: str, value: str) -> None:
    """Wait until the kept draft holds ``value`` in ``field`` (saving waits for a pause in
    typing)."""
    page.wait_for_function(
        """([key, field, value]) => {
             const draft = JSON.parse(window.localStorage.getItem(key) || 'null');
             return !!draft && draft.state.fields[field] === value;
           }""",
        arg=[key, field, value],
    )


def fill_visit(page, occurred_on: str) -> str:
    """Fill the form as the visit's delegate would; return the station chosen."""
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("日期").fill(occurred_on)
    station = page.locator("#station option").nth(2).get_attribute("value")
    page.locator("#station").select_option(station)
    page.get_by_label("其他地点（选填）").fill(PLACE)
    page.locator("label[for=visit_target_kind-0]").click()  # 住户
    page.get_by_label("走访了谁（住户、企业或项目名称）").fill(VISIT_TARGET)
    page.locator("#concerns-0-category").select_option(label="交通出行")
    page.locator("#concerns-0-content").fill(FIRST_CONCERN)
    page.locator("#concerns-0-raised_by_name").fill(FIRST_NAME)
    page.locator("#concerns-0-raised_by_phone").fill(FIRST_PHONE)
    page.get_by_role("button", name="再加一条诉求").click()
    page.locator("#concerns-1-category").select_option(label="社区治理与安全")
    page.locator("#concerns-1-content").fill(SECOND_CONCERN)
    page.locator("label[for=concerns-1-raised_by_kind-1]").click()  # 企业
    page.locator("#concerns-1-raised_by_name").fill(SECOND_NAME)
    page.get_by_label("联系群众人数").fill("12")
    page.get_by_text("更多内容（选填）").click()
    page.locator("label:has-text('民生保障')").click()
    page.get_by_label("情况说明（选填）").fill(DESCRIPTION)
    return station


def assert_visit_shown(page, occurred_on: str, station: str) -> None:
    """Every value fill_visit typed is on the form again, exactly."""
    assert page.get_by_label("标题").input_value() == TITLE
    assert page.get_by_label("日期").input_value() == occurred_on
    assert page.locator("#station").input_value() == station
    assert page.get_by_label("其他地点（选填）").input_value() == PLACE
    assert page.locator("input[name=kind]:checked").get_attribute("value") == "visit"
    assert page.locator("input[name=initiative]:checked").get_attribute("value") == "i3"
    assert (
        page.locator("input[name=visit_target_kind]:checked").get_attribute("value") == "households"
    )
    assert page.locator("section[data-section=visit]").is_visible()
    assert page.get_by_label("走访了谁（住户、企业或项目名称）").input_value() == VISIT_TARGET
    assert page.locator("[data-concern-row]").count() == 2
    assert page.locator("[data-concern-number]").all_text_contents() == ["1", "2"]
    rows = page.locator("[data-concern-row]")
    first, second = rows.nth(0), rows.nth(1)
    assert first.locator("select").input_value() == "transport"
    assert first.locator("textarea").input_value() == FIRST_CONCERN
    assert first.locator("input[type=radio]:checked").get_attribute("value") == "citizen"
    assert first.locator("input[name$=raised_by_name]").input_value() == FIRST_NAME
    assert first.locator("input[name$=raised_by_phone]").input_value() == FIRST_PHONE
    assert second.locator("select").input_value() == "community"
    assert second.locator("textarea").input_value() == SECOND_CONCERN
    assert second.locator("input[type=radio]:checked").get_attribute("value") == "enterprise"
    assert second.locator("input[name$=raised_by_name]").input_value() == SECOND_NAME
    assert second.locator("input[name$=raised_by_phone]").input_value() == ""
    assert page.get_by_label("联系群众人数").input_value() == "12"
    assert page.locator("details.more-fields").get_attribute("open") is not None
    assert [
        box.get_attribute("value") for box in page.locator("input[name=focus_areas]:checked").all()
    ] == ["livelihood-security"]
    assert page.get_by_label("情况说明（选填）").input_value() == DESCRIPTION
    assert page.get_by_label("取得成效（选填）").input_value() == ""


def assert_visit_saved(app, occurred_on: str, station: str) -> Activity:
    with app.app_context():
        activities = db.session.scalars(sa.select(Activity)).all()
        assert len(activities) == 1
        activity = activities[0]
        assert activity.status == ActivityStatus.SUBMITTED
        assert activity.title == TITLE
        assert activity.occurred_on.isoformat() == occurred_on
        assert str(activity.station_id) == station
        assert activity.place == PLACE
        assert activity.kind.code == "visit"
        assert activity.initiative.code == "i3"
        assert activity.visit_target_kind == VisitTargetKind.HOUSEHOLDS
        assert activity.visit_target == VISIT_TARGET
        assert activity.people_reached == 12
        assert [f.code for f in activity.focus_areas] == ["livelihood-security"]
        # a browser sends a textarea's line breaks as CRLF, and they are stored as sent
        assert activity.description == DESCRIPTION.replace("\n", "\r\n")
        assert activity.outcome == ""
        concerns = [
            (c.category.code, c.content, c.raised_by_kind, c.raised_by_name, c.raised_by_phone)
            for c in activity.concerns
        ]
        assert concerns == [
            ("transport", FIRST_CONCERN, RaisedByKind.CITIZEN, FIRST_NAME, FIRST_PHONE),
            ("community", SECOND_CONCERN, RaisedByKind.ENTERPRISE, SECOND_NAME, ""),
        ]
        return activity


def activity_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Activity))


def a_few_days_ago(app) -> str:
    with app.app_context():
        return (local_today() - timedelta(days=3)).isoformat()


def accept_dialogs(page) -> None:
    page.on("dialog", lambda dialog: dialog.accept())


def log_out(page) -> None:
    """Log out through the menu, as a person on a phone would."""
    page.get_by_role("button", name="菜单").click()
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/auth/login")
    page.wait_for_load_state()


# --- the tests ---------------------------------------------------------------------------------


def test_a_visit_typed_offline_comes_back_and_is_saved_exactly(app, phone, base_url, errors):
    page = phone
    key = new_form_key(app)
    day = a_few_days_ago(app)
    login(page, base_url, "dele_a")
    page.goto(f"{base_url}/activities/new")
    assert page.locator("#draft-notice").is_hidden()
    station = fill_visit(page, day)

    # the signal goes: the form cannot be sent
    page.context.set_offline(True)
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url(lambda url: not url.startswith(base_url))  # the browser's error page
    assert activity_count(app) == 0

    # the signal is back: the draft is there, and the form shows everything typed
    page.context.set_offline(False)
    page.goto(f"{base_url}/activities/mine")
    assert stored_draft(page, key)["state"]["fields"]["title"] == TITLE
    page.goto(f"{base_url}/activities/new")
    notice = page.locator("#draft-notice")
    assert notice.is_visible()
    assert NOTICE.match(notice.locator("span.flex-grow-1").inner_text().strip())
    assert notice.get_by_role("button", name="清除草稿").is_visible()
    assert_visit_shown(page, day, station)
    assert_no_sideways_scroll(page)

    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url(re.compile(r".*/activities/\d+$"))
    assert page.get_by_text("已提交，等待审核。").is_visible()
    assert_visit_saved(app, day, station)
    assert stored_draft(page, key) is None
    assert draft_keys(page) == []

    # the next new entry starts empty
    page.goto(f"{base_url}/activities/new")
    assert page.locator("#draft-notice").is_hidden()
    assert page.get_by_label("标题").input_value() == ""
    assert errors == []


def test_a_save_whose_next_page_never_arrives_leaves_no_draft_to_send_twice(
    app, phone, base_url, errors
):
    page = phone
    key = new_form_key(app)
    login(page, base_url, "dele_a")
    page.goto(f"{base_url}/activities/new")
    page.get_by_label("标题").fill("走访伏龙坪社区")
    page.locator("label[for=visit_target_kind-0]").click()
    wait_for_draft(page, key, "title", "走访伏龙坪社区")

    # the server saves it and its answer (a redirect) updates the session cookie, but the
    # signal goes before the entry's page arrives
    def saved_but_answer_lost(route):
        if route.request.method == "POST":
            route.fetch(max_redirects=0)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/activities/new", saved_but_answer_lost)
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url(lambda url: not url.startswith(base_url))
    page.unroute("**/activities/new")
    assert activity_count(app) == 1

    page.goto(f"{base_url}/activities/new")
    assert page.locator("#draft-notice").is_hidden()
    assert page.get_by_label("标题").input_value() == ""
    assert stored_draft(page, key) is None
    assert errors == []


def test_a_reload_while_typing_keeps_everything_and_discarding_empties_the_form(
    app, phone, base_url, errors
):
    page = phone
    key = new_form_key(app)
    accept_dialogs(page)
    login(page, base_url, "dele_a")
    page.goto(f"{base_url}/activities/new")
    today = page.get_by_label("日期").input_value()
    page.get_by_label("标题").fill("到社区听取群众意见")
    page.locator("#concerns-0-category").select_option(label="交通出行")
    page.locator("#concerns-0-content").fill(FIRST_CONCERN)
    page.get_by_label("情况说明（选填）").fill("还没写完")
    # reloaded at once, before the pause in typing that saves: leaving the page saves
    page.reload()

    assert page.locator("#draft-notice").is_visible()
    assert page.get_by_label("标题").input_value() == "到社区听取群众意见"
    assert page.locator("#concerns-0-category").input_value() == "transport"
    assert page.locator("#concerns-0-content").input_value() == FIRST_CONCERN
    assert page.get_by_label("情况说明（选填）").input_value() == "还没写完"
    assert stored_draft(page, key)["state"]["fields"]["description"] == "还没写完"

    page.get_by_role("button", name="清除草稿").click()
    assert page.locator("#draft-notice").is_hidden()
    assert stored_draft(page, key) is None
    assert page.get_by_label("标题").input_value() == ""
    assert page.get_by_label("日期").input_value() == today
    assert page.locator("input[name=kind]:checked").get_attribute("value") == "visit"
    assert page.locator("[data-concern-row]").count() == 1
    assert page.locator("#concerns-0-category").input_value() == ""
    assert page.locator("#concerns-0-content").input_value() == ""
    assert page.get_by_label("情况说明（选填）").input_value() == ""

    # nothing comes back after the discard
    page.reload()
    assert page.locator("#draft-notice").is_hidden()
    assert page.get_by_label("标题").input_value() == ""
    assert errors == []


def test_typing_back_what_the_server_rendered_keeps_no_draft(app, phone, base_url):
    page = phone
    key = new_form_key(app)
    login(page, base_url, "dele_a")
    page.goto(f"{base_url}/activities/new")
    page.get_by_label("标题").fill("走")
    wait_for_draft(page, key, "title", "走")
    page.get_by_label("标题").fill("")
    page.wait_for_function("key => window.localStorage.getItem(key) === null", arg=key)
    page.reload()
    assert page.locator("#draft-notice").is_hidden()


def test_a_timed_out_login_keeps_the_draft_through_logging_in_again(app, phone, base_url, errors):
    page = phone
    key = new_form_key(app)
    day = a_few_days_ago(app)
    login(page, base_url, "dele_a")
    page.goto(f"{base_url}/activities/new")
    station = fill_visit(page, day)
    wait_for_draft(page, key, "description", DESCRIPTION)

    # the session ends (idle timeout, the browser dropping its cookie)
    page.context.clear_cookies()
    page.goto(f"{base_url}/activities/new")
    page.wait_for_url("**/auth/login?next=*")
    assert page.locator("#activity-form").count() == 0
    assert stored_draft(page, key) is not None  # the login page keeps it
    page.get_by_label("用户名").fill("dele_a")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/activities/new")

    assert page.locator("#draft-notice").is_visible()
    assert_visit_shown(page, day, station)
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url(re.compile(r".*/activities/\d+$"))
    assert_visit_saved(app, day, station)
    assert stored_draft(page, key) is None
    assert errors == []


def test_sending_the_form_after_the_idle_timeout_loses_nothing(
    app, phone, base_url, errors, monkeypatch
):
    from datetime import UTC, datetime

    from tracker.auth import clock

    later = timedelta()
    monkeypatch.setattr(clock, "now", lambda: datetime.now(UTC) + later)
    page = phone
    key = new_form_key(app)
    day = a_few_days_ago(app)
    login(page, base_url, "dele_a")
    page.goto(f"{base_url}/activities/new")
    station = fill_visit(page, day)

    # 31 minutes pass on the server before the delegate taps 提交
    later = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url("**/auth/login?next=*")
    assert page.get_by_text("登录已超时，请重新登录").is_visible()
    assert page.locator("[data-draft-forget]").count() == 0
    assert activity_count(app) == 0
    assert stored_draft(page, key)["state"]["fields"]["title"] == TITLE

    page.get_by_label("用户名").fill("dele_a")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/activities/new")
    assert page.locator("#draft-notice").is_visible()
    assert_visit_shown(page, day, station)
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url(re.compile(r".*/activities/\d+$"))
    assert_visit_saved(app, day, station)
    assert stored_draft(page, key) is None
    assert errors == []


def test_another_account_on_the_same_phone_never_sees_the_draft_and_logout_clears_it(
    app, phone, base_url, errors
):
    page = phone
    key_a = new_form_key(app, "dele_a")
    key_b = new_form_key(app, "dele_b")
    login(page, base_url, "dele_a")
    page.goto(f"{base_url}/activities/new")
    page.get_by_label("标题").fill("甲代表的走访")
    wait_for_draft(page, key_a, "title", "甲代表的走访")

    # dele_a's login runs out; dele_b picks up the same phone
    page.context.clear_cookies()
    login(page, base_url, "dele_b")
    page.goto(f"{base_url}/activities/new")
    assert page.locator("#draft-notice").is_hidden()
    assert page.get_by_label("标题").input_value() == ""
    page.get_by_label("标题").fill("乙代表的调研")
    wait_for_draft(page, key_b, "title", "乙代表的调研")
    assert draft_keys(page) == sorted([key_a, key_b])

    # dele_b logs out: dele_b's draft goes, dele_a's stays
    log_out(page)
    assert settled_draft_keys(page, [key_a]) == [key_a]
    assert stored_draft(page, key_a)["state"]["fields"]["title"] == "甲代表的走访"

    # dele_a finds it, then logs out on purpose: it goes too
    login(page, base_url, "dele_a")
    page.goto(f"{base_url}/activities/new")
    assert page.locator("#draft-notice").is_visible()
    assert page.get_by_label("标题").input_value() == "甲代表的走访"
    log_out(page)
    assert settled_draft_keys(page, []) == []
    assert page.get_by_text("已退出登录。").is_visible()

    login(page, base_url, "dele_a")
    page.goto(f"{base_url}/activities/new")
    assert page.locator("#draft-notice").is_hidden()
    assert page.get_by_label("标题").input_value() == ""
    assert errors == []


def test_when_the_server_refuses_the_form_its_values_win_and_become_the_draft(
    app, phone, base_url, errors
):
    page = phone
    key = new_form_key(app)
    with app.app_context():
        tomorrow = (local_today() + timedelta(days=1)).isoformat()
    day = a_few_days_ago(app)
    login(page, base_url, "dele_a")
    page.goto(f"{base_url}/activities/new")
    page.get_by_label("标题").fill("走访七里河区敬老院")
    page.get_by_label("日期").fill(tomorrow)
    page.locator("label[for=visit_target_kind-1]").click()  # 企业
    page.get_by_label("联系群众人数").fill("30")
    page.get_by_label("情况说明（选填）").fill("和院长谈了冬季供暖")
    wait_for_draft(page, key, "description", "和院长谈了冬季供暖")
    # an older copy of the form (another tab, say) wrote something else meanwhile
    page.evaluate(
        """key => {
             const draft = JSON.parse(window.localStorage.getItem(key));
             draft.state.fields.title = '别的标题';
             draft.state.fields.description = '别的内容';
             window.localStorage.setItem(key, JSON.stringify(draft));
           }""",
        key,
    )

    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("#form-errors").is_visible()
    assert page.locator("#occurred_on-error").inner_text() == "日期不能晚于今天。"
    assert page.locator("#draft-notice").is_hidden()
    assert page.get_by_label("标题").input_value() == "走访七里河区敬老院"
    assert page.get_by_label("日期").input_value() == tomorrow
    assert page.get_by_label("情况说明（选填）").input_value() == "和院长谈了冬季供暖"
    draft = stored_draft(page, key)["state"]["fields"]
    assert (
        draft["title"],
        draft["occurred_on"],
        draft["people_reached"],
        draft["description"],
        draft["visit_target_kind"],
    ) == ("走访七里河区敬老院", tomorrow, "30", "和院长谈了冬季供暖", "enterprise")
    assert "csrf_token" not in draft and "version" not in draft
    assert activity_count(app) == 0

    # the signal drops now: opening the form again brings the posted values back
    page.goto(f"{base_url}/activities/new")
    assert page.locator("#draft-notice").is_visible()
    assert page.get_by_label("标题").input_value() == "走访七里河区敬老院"
    assert page.get_by_label("日期").input_value() == tomorrow
    page.get_by_label("日期").fill(day)
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url(re.compile(r".*/activities/\d+$"))
    with app.app_context():
        activity = db.session.scalar(sa.select(Activity))
        assert (activity.title, activity.occurred_on.isoformat(), activity.people_reached) == (
            "走访七里河区敬老院",
            day,
            30,
        )
        assert activity.description == "和院长谈了冬季供暖"
        assert activity.visit_target_kind == VisitTargetKind.ENTERPRISE
    assert stored_draft(page, key) is None
    assert errors == []


def test_editing_a_returned_entry_keeps_its_own_draft(app, phone, base_url, world, errors):
    from tracker.enums import ConcernStatus
    from tracker.models import Concern, Delegate

    from . import factories

    with app.app_context():
        activity = factories.make_activity(
            db.session.get(Delegate, world.delegate_a),
            title="走访记录待补充",
            status=ActivityStatus.RETURNED,
        )
        db.session.commit()
        activity_id = activity.id
    key = f"tracker-draft:{user_id(app, 'dele_a')}:activity-{activity_id}"

    page = phone
    login(page, base_url, "dele_a")
    page.goto(f"{base_url}/activities/{activity_id}/edit")
    assert page.locator("#draft-notice").is_hidden()
    page.get_by_label("标题").fill("走访记录已补充走访对象")
    page.locator("label[for=visit_target_kind-2]").click()  # 项目
    page.locator("#concerns-0-category").select_option(label="交通出行")
    page.locator("#concerns-0-content").fill(FIRST_CONCERN)
    wait_for_draft(page, key, "title", "走访记录已补充走访对象")
    assert stored_draft(page, new_form_key(app)) is None  # the new-entry form's key is its own

    page.goto(f"{base_url}/activities/new")
    assert page.locator("#draft-notice").is_hidden()
    page.goto(f"{base_url}/activities/{activity_id}/edit")
    assert page.locator("#draft-notice").is_visible()
    assert page.get_by_label("标题").input_value() == "走访记录已补充走访对象"
    assert page.locator("#concerns-0-content").input_value() == FIRST_CONCERN
    assert page.locator("input[name=visit_target_kind]:checked").get_attribute("value") == "project"
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url(f"**/activities/{activity_id}")
    assert stored_draft(page, key) is None
    with app.app_context():
        saved = db.session.get(Activity, activity_id)
        assert saved.title == "走访记录已补充走访对象"
        assert [
            (c.content, c.status)
            for c in db.session.scalars(
                sa.select(Concern).where(Concern.activity_id == activity_id)
            )
        ] == [(FIRST_CONCERN, ConcernStatus.OPEN)]
    assert errors == []


def test_without_storage_the_form_still_works(app, phone, base_url, errors):
    page = phone
    page.context.add_init_script(
        "Object.defineProperty(window, 'localStorage', {get() {"
        " throw new DOMException('denied', 'SecurityError'); }});"
    )
    login(page, base_url, "dele_a")
    page.goto(f"{base_url}/activities/new")
    assert page.locator("script[src$='/js/draft.js']").count() == 1
    assert page.locator("#draft-notice").is_hidden()
    page.get_by_label("标题").fill("没有本地存储也能记")
    page.locator("label[for=visit_target_kind-0]").click()
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url(re.compile(r".*/activities/\d+$"))
    assert page.get_by_text("已提交，等待审核。").is_visible()
    with app.app_context():
        assert db.session.scalar(sa.select(Activity.title)) == "没有本地存储也能记"
    assert errors == []
