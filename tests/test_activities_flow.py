"""Logging an activity end to end through the app."""

import sqlalchemy as sa

from tracker.enums import ActivityStatus
from tracker.extensions import db
from tracker.models import Activity


def visit_form(**overrides):
    data = {
        "kind": "visit",
        "initiative": "i3",
        "title": "走访伏龙坪社区老旧小区住户",
        "occurred_on": "2024-05-10",
        "station": "",
        "place": "伏龙坪社区",
        "people_reached": "12",
        "visit_target_kind": "households",
        "visit_target": "伏龙坪社区3号楼住户",
        "concerns-0-category": "transport",
        "concerns-0-content": "小区门口公交站台没有遮雨棚",
        "concerns-0-raised_by_kind": "citizen",
        "concerns-0-raised_by_name": "王大爷",
        "concerns-0-raised_by_phone": "13912345678",
        "description": "",
        "outcome": "",
        "submit_entry": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_delegate_logs_a_visit_with_a_concern_and_staff_see_it(app, client, auth, world):
    auth.login("dele_a")
    page = client.get("/activities/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "记一笔" in html

    response = client.post("/activities/new", data=visit_form())
    assert response.status_code == 302, response.get_data(as_text=True)

    with app.app_context():
        activity = db.session.scalar(sa.select(Activity))
        assert activity.status == ActivityStatus.SUBMITTED
        assert activity.delegate_id == world.delegate_a
        assert activity.people_reached == 12
        assert activity.initiative.number == 3
        assert [c.content for c in activity.concerns] == ["小区门口公交站台没有遮雨棚"]
        activity_id = activity.id

    mine = client.get("/activities/mine").get_data(as_text=True)
    assert "走访伏龙坪社区老旧小区住户" in mine
    assert "共 1 条" in mine
    detail = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    assert "139****5678" in detail
    assert "13912345678" not in detail

    auth.logout()
    auth.login("staff_a")
    listing = client.get("/activities/").get_data(as_text=True)
    assert "走访伏龙坪社区老旧小区住户" in listing
    assert "已提交" in listing
