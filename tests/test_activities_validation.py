"""Bad input comes back to the form with a Chinese message at the field and nothing lost."""

import html as html_lib
import re

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Activity, Concern

from .test_activities_flow import visit_form


def activity_rows(app):
    with app.app_context():
        return (
            db.session.scalar(sa.select(sa.func.count()).select_from(Activity)),
            db.session.scalar(sa.select(sa.func.count()).select_from(Concern)),
        )


def field_error(page: str, field_id: str) -> str:
    """The text of the error shown under one field."""
    match = re.search(rf'id="{re.escape(field_id)}-error">([^<]*)<', page)
    assert match, f"no error shown for {field_id}"
    return html_lib.unescape(match.group(1))


@pytest.fixture
def logged_in(client, auth, world):
    auth.login("dele_a")
    return client


@pytest.mark.parametrize(
    ("overrides", "field_id", "message"),
    [
        ({"occurred_on": "2099-01-01"}, "occurred_on", "日期不能晚于今天。"),
        (
            {"occurred_on": "0001-01-01"},
            "occurred_on",
            "日期不能早于主题活动开始之日（2023年8月24日）。",
        ),
        (
            {"occurred_on": "2023-08-23"},
            "occurred_on",
            "日期不能早于主题活动开始之日（2023年8月24日）。",
        ),
        ({"occurred_on": "2024-02-30"}, "occurred_on", "请填写有效日期，格式如 2024-05-01。"),
        ({"occurred_on": "昨天"}, "occurred_on", "请填写有效日期，格式如 2024-05-01。"),
        ({"occurred_on": ""}, "occurred_on", "请填写日期。"),
        ({"people_reached": "-3"}, "people_reached", "人数应在 0 到 100000 之间。"),
        ({"people_reached": "99999999999"}, "people_reached", "人数应在 0 到 100000 之间。"),
        ({"people_reached": "十二"}, "people_reached", "请填写整数，例如 12。"),
        ({"people_reached": "1.5"}, "people_reached", "请填写整数，例如 12。"),
        ({"title": ""}, "title", "请填写标题，一句话说清做了什么。"),
        ({"title": "字" * 101}, "title", "标题最多 100 字。"),
        ({"description": "长" * 10_000}, "description", "最多 5000 字。"),
        ({"station": "99999"}, "station", "所选项不在可选范围内，请重新选择。"),
        ({"initiative": "i9"}, "initiative", "所选项不在可选范围内，请重新选择。"),
        (
            {"visit_target_kind": "aliens"},
            "visit_target_kind",
            "所选项不在可选范围内，请重新选择。",
        ),
        ({"visit_target_kind": None}, "visit_target_kind", "请选择走访对象。"),
        ({"call": "i1-study"}, "call", "所选号召不属于所选倡议，请重新选择。"),
        ({"concerns-0-content": ""}, "concerns-0-content", "请填写群众反映的问题，或清空这一条。"),
        (
            {"concerns-0-category": "weather"},
            "concerns-0-category",
            "所选项不在可选范围内，请重新选择。",
        ),
        (
            {"concerns-0-raised_by_phone": "call me"},
            "concerns-0-raised_by_phone",
            "电话只能包含数字、空格、“-”和“+”。",
        ),
    ],
)
def test_bad_input_is_explained_at_the_field_and_nothing_is_saved(
    app, logged_in, overrides, field_id, message
):
    before = activity_rows(app)
    form = visit_form(**overrides)
    if overrides.get("visit_target_kind", "") is None:
        form.pop("visit_target_kind", None)
    response = logged_in.post("/activities/new", data=form)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_error(page, field_id) == message
    assert "您填写的内容都还在" in page
    # everything typed is still there
    assert 'value="走访伏龙坪社区老旧小区住户"' in page or overrides.get("title") is not None
    assert "小区门口公交站台没有遮雨棚" in page or "concerns-0-content" in overrides
    assert activity_rows(app) == before


def test_unknown_kind_is_refused(app, logged_in):
    response = logged_in.post("/activities/new", data=visit_form(kind="party"))
    assert (
        field_error(response.get_data(as_text=True), "kind") == "所选项不在可选范围内，请重新选择。"
    )
    assert activity_rows(app) == (0, 0)


def test_missing_kind_is_refused(app, logged_in):
    data = visit_form()
    data.pop("kind")
    page = logged_in.post("/activities/new", data=data).get_data(as_text=True)
    assert field_error(page, "kind") == "请选择活动类型。"


def test_a_wrong_value_is_shown_back_to_be_fixed(logged_in):
    page = logged_in.post("/activities/new", data=visit_form(people_reached="十二")).get_data(
        as_text=True
    )
    assert 'value="十二"' in page


def test_html_typed_into_text_is_shown_as_text(app, logged_in):
    response = logged_in.post(
        "/activities/new",
        data=visit_form(title="<script>alert('x')</script>走访", description="<b>粗体</b>"),
    )
    assert response.status_code == 302
    page = logged_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;走访" in page
    assert "&lt;b&gt;粗体&lt;/b&gt;" in page


def test_emoji_and_rare_characters_are_stored_and_shown_intact(app, logged_in):
    title = "走访𠮷野家小区😀"
    concern = "老人反映𠮷字打不出来🙏"
    response = logged_in.post(
        "/activities/new", data=visit_form(title=title, **{"concerns-0-content": concern})
    )
    assert response.status_code == 302
    with app.app_context():
        activity = db.session.scalar(sa.select(Activity))
        assert activity.title == title
        assert activity.concerns[0].content == concern
    page = logged_in.get(response.headers["Location"]).get_data(as_text=True)
    assert title in page and concern in page


def test_blank_concern_rows_are_ignored(app, logged_in):
    data = visit_form(
        **{
            "concerns-0-content": "",
            "concerns-0-raised_by_name": "",
            "concerns-0-raised_by_phone": "",
            "concerns-0-category": "",
        }
    )
    response = logged_in.post("/activities/new", data=data)
    assert response.status_code == 302
    assert activity_rows(app) == (1, 0)


def test_several_concern_rows_with_gaps_keep_their_order(app, logged_in):
    data = visit_form()
    data.update(
        {
            "concerns-3-category": "education",
            "concerns-3-content": "第二条：学校门口拥堵",
            "concerns-3-raised_by_kind": "citizen",
            "concerns-7-category": "enterprise",
            "concerns-7-content": "第三条：企业用电报装慢",
            "concerns-7-raised_by_kind": "enterprise",
        }
    )
    assert logged_in.post("/activities/new", data=data).status_code == 302
    with app.app_context():
        activity = db.session.scalar(sa.select(Activity))
        assert [(c.position, c.content, c.raised_by_kind.value) for c in activity.concerns] == [
            (1, "小区门口公交站台没有遮雨棚", "citizen"),
            (2, "第二条：学校门口拥堵", "citizen"),
            (3, "第三条：企业用电报装慢", "enterprise"),
        ]


def test_parts_of_other_kinds_are_not_stored(app, logged_in):
    data = visit_form(
        research_topic="不该保存", proposal_content="也不该保存", proposal_label="golden-idea"
    )
    assert logged_in.post("/activities/new", data=data).status_code == 302
    with app.app_context():
        activity = db.session.scalar(sa.select(Activity))
        assert activity.research_topic == ""
        assert activity.proposal is None


def test_a_proposal_needs_its_content_and_label(app, logged_in):
    data = {
        "kind": "proposal",
        "initiative": "i3",
        "title": "关于增设公交线路的建议",
        "occurred_on": "2024-05-10",
        "people_reached": "0",
        "submit_entry": "1",
    }
    page = logged_in.post("/activities/new", data=data).get_data(as_text=True)
    assert field_error(page, "proposal_content") == "请填写建议内容。"
    assert field_error(page, "proposal_label") == "请选择建议类别。"
    data.update(
        proposal_content="建议增设一条连接和平镇与城区的公交线路。",
        proposal_label="practical-measure",
        suggested_handler="市交通运输局",
    )
    assert logged_in.post("/activities/new", data=data).status_code == 302
    with app.app_context():
        activity = db.session.scalar(sa.select(Activity))
        assert activity.proposal.label.name == "务实策"
        assert activity.proposal.suggested_handler == "市交通运输局"


def test_research_needs_a_topic(app, logged_in):
    data = {
        "kind": "research",
        "initiative": "i3",
        "title": "调研",
        "occurred_on": "2024-05-10",
        "submit_entry": "1",
    }
    page = logged_in.post("/activities/new", data=data).get_data(as_text=True)
    assert field_error(page, "research_topic") == "请填写调研题目。"


def test_a_field_shows_one_message_under_one_id(app, logged_in):
    # "十二" fails the whole-number check; the range check would add a second message.
    page = logged_in.post("/activities/new", data=visit_form(people_reached="十二")).get_data(
        as_text=True
    )
    assert page.count('id="people_reached-error"') == 1
    assert "人数应在" not in page
