"""Who sees and changes which activity. Another's record is a 404, never a hint."""

import pytest
import sqlalchemy as sa

from tracker.enums import ActivityStatus
from tracker.extensions import db
from tracker.models import Activity, Delegate

from . import factories
from .test_activities_flow import visit_form


def make(app, delegate_id, **kwargs):
    with app.app_context():
        activity = factories.make_activity(db.session.get(Delegate, delegate_id), **kwargs)
        db.session.commit()
        return activity.id, activity.version


def load(app, activity_id):
    with app.app_context():
        activity = db.session.get(Activity, activity_id)
        if activity is None:
            return None
        db.session.expunge(activity)
        return activity


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/activities/{id}"),
        ("GET", "/activities/{id}/edit"),
        ("POST", "/activities/{id}/edit"),
        ("POST", "/activities/{id}/submit"),
        ("POST", "/activities/{id}/delete"),
    ],
)
def test_delegate_gets_404_for_another_delegates_activity(app, client, auth, world, method, path):
    activity_id, version = make(
        app, world.delegate_a2, status=ActivityStatus.DRAFT, title="别人的草稿"
    )
    auth.login("dele_a")
    response = client.open(
        path.format(id=activity_id),
        method=method,
        data={**visit_form(title="改掉"), "version": version},
    )
    assert response.status_code == 404
    assert "别人的草稿" not in response.get_data(as_text=True)
    after = load(app, activity_id)
    assert after.title == "别人的草稿"
    assert after.status == ActivityStatus.DRAFT


def test_missing_activity_is_404(client, auth, world):
    auth.login("dele_a")
    assert client.get("/activities/999999").status_code == 404


def test_staff_of_one_delegation_get_404_for_anothers_activity(app, client, auth, world):
    own, _ = make(app, world.delegate_a, title="城关区的记录")
    other, _ = make(app, world.delegate_b, title="七里河区的记录")
    auth.login("staff_a")
    assert client.get(f"/activities/{own}").status_code == 200
    assert client.get(f"/activities/{other}").status_code == 404
    listing = client.get("/activities/").get_data(as_text=True)
    assert "城关区的记录" in listing
    assert "七里河区的记录" not in listing
    assert "共 1 条" in listing


def test_staff_scoped_to_one_delegation_cannot_widen_it_with_a_filter(app, client, auth, world):
    make(app, world.delegate_b, title="七里河区的记录")
    auth.login("staff_a")
    with app.app_context():
        qilihe = factories.delegation("qilihe").id
    listing = client.get(f"/activities/?delegation={qilihe}").get_data(as_text=True)
    assert "七里河区的记录" not in listing
    assert "共 0 条" in listing


def test_city_staff_see_every_delegation_but_no_drafts(app, client, auth, world):
    make(app, world.delegate_a, title="城关区已提交")
    make(app, world.delegate_b, title="七里河区已提交")
    draft, _ = make(app, world.delegate_b, title="七里河区草稿", status=ActivityStatus.DRAFT)
    auth.login("staff_city")
    listing = client.get("/activities/").get_data(as_text=True)
    assert "城关区已提交" in listing and "七里河区已提交" in listing
    assert "七里河区草稿" not in listing
    assert "共 2 条" in listing
    assert client.get(f"/activities/{draft}").status_code == 404
    assert client.get("/activities/?status=draft").get_data(as_text=True).count("七里河区草稿") == 0


def test_staff_cannot_log_or_edit_activities(app, client, auth, world):
    activity_id, version = make(app, world.delegate_a, status=ActivityStatus.SUBMITTED)
    auth.login("staff_city")
    assert client.get("/activities/new").status_code == 403
    assert client.post("/activities/new", data=visit_form()).status_code == 403
    assert client.post(f"/activities/{activity_id}/edit", data=visit_form()).status_code == 403
    assert client.get("/activities/mine").status_code == 403


def test_delegate_cannot_open_the_staff_list(client, auth, world):
    auth.login("dele_a")
    assert client.get("/activities/").status_code == 403


def test_submitted_entry_can_no_longer_be_edited_by_its_delegate(app, client, auth, world):
    activity_id, version = make(
        app, world.delegate_a, status=ActivityStatus.SUBMITTED, title="已提交"
    )
    auth.login("dele_a")
    assert client.get(f"/activities/{activity_id}").status_code == 200
    assert client.get(f"/activities/{activity_id}/edit").status_code == 403
    assert (
        client.post(
            f"/activities/{activity_id}/edit",
            data={**visit_form(title="偷偷改"), "version": version},
        ).status_code
        == 403
    )
    assert client.post(f"/activities/{activity_id}/delete").status_code == 403
    assert load(app, activity_id).title == "已提交"


def test_posted_status_and_owner_fields_are_ignored(app, client, auth, world):
    auth.login("dele_a")
    data = visit_form(save_draft="1", submit_entry=None)
    data.update(
        status="approved",
        delegate_id=str(world.delegate_b),
        delegation_id="1",
        version="99",
        created_by_id="1",
    )
    response = client.post("/activities/new", data=data)
    assert response.status_code == 302
    with app.app_context():
        activity = db.session.scalar(sa.select(Activity))
        assert activity.status == ActivityStatus.DRAFT
        assert activity.delegate_id == world.delegate_a
        assert activity.delegation_id == factories.delegation("chengguan").id
        assert activity.version == 1


def test_draft_edit_then_submit(app, client, auth, world):
    auth.login("dele_a")
    response = client.post("/activities/new", data=visit_form(save_draft="1", submit_entry=None))
    activity_id = int(response.headers["Location"].rsplit("/", 1)[1])
    activity = load(app, activity_id)
    assert activity.status == ActivityStatus.DRAFT

    form_page = client.get(f"/activities/{activity_id}/edit").get_data(as_text=True)
    assert "小区门口公交站台没有遮雨棚" in form_page
    response = client.post(
        f"/activities/{activity_id}/edit",
        data={
            **visit_form(title="改过的标题", save_draft="1", submit_entry=None),
            "version": activity.version,
        },
    )
    assert response.status_code == 302
    activity = load(app, activity_id)
    assert (activity.title, activity.status, activity.version) == (
        "改过的标题",
        ActivityStatus.DRAFT,
        2,
    )

    response = client.post(f"/activities/{activity_id}/submit", data={"version": 2})
    assert response.status_code == 302
    activity = load(app, activity_id)
    assert activity.status == ActivityStatus.SUBMITTED
    assert activity.submitted_at is not None


def test_an_edit_made_from_a_stale_copy_is_refused_with_409(app, client, auth, world):
    activity_id, version = make(app, world.delegate_a, status=ActivityStatus.DRAFT, title="原标题")
    auth.login("dele_a")
    first = client.post(
        f"/activities/{activity_id}/edit",
        data={
            **visit_form(title="第一次修改", save_draft="1", submit_entry=None),
            "version": version,
        },
    )
    assert first.status_code == 302
    second = client.post(
        f"/activities/{activity_id}/edit",
        data={
            **visit_form(title="第二次基于旧版本的修改", save_draft="1", submit_entry=None),
            "version": version,
        },
    )
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "您的改动没有保存" in page
    assert 'value="第一次修改"' in page  # the fresh copy
    assert load(app, activity_id).title == "第一次修改"


def test_delete_a_draft(app, client, auth, world):
    activity_id, _ = make(app, world.delegate_a, status=ActivityStatus.DRAFT, concerns=2)
    auth.login("dele_a")
    assert client.post(f"/activities/{activity_id}/delete").status_code == 302
    assert load(app, activity_id) is None


def test_returned_entry_can_be_fixed_and_resubmitted(app, client, auth, world):
    activity_id, version = make(app, world.delegate_a, status=ActivityStatus.RETURNED)
    auth.login("dele_a")
    page = client.get(f"/activities/{activity_id}/edit").get_data(as_text=True)
    assert "这条记录被退回了" in page
    response = client.post(
        f"/activities/{activity_id}/edit", data={**visit_form(), "version": version}
    )
    assert response.status_code == 302
    assert load(app, activity_id).status == ActivityStatus.SUBMITTED
    assert client.post(f"/activities/{activity_id}/delete").status_code == 403


def test_editing_keeps_concerns_already_followed_up(app, client, auth, world):
    from tracker.enums import ConcernStatus
    from tracker.models import Concern

    activity_id, version = make(app, world.delegate_a, status=ActivityStatus.RETURNED, concerns=2)
    with app.app_context():
        followed, still_open = db.session.scalars(
            sa.select(Concern).where(Concern.activity_id == activity_id).order_by(Concern.position)
        ).all()
        followed.status = ConcernStatus.REFERRED
        db.session.commit()
        followed_id, open_id = followed.id, still_open.id
    auth.login("dele_a")
    page = client.get(f"/activities/{activity_id}/edit").get_data(as_text=True)
    assert "已在跟踪办理，不能修改" in page
    assert f'name="concerns-0-concern_id" type="hidden" value="{open_id}"' in page
    assert f'concern_id" type="hidden" value="{followed_id}"' not in page
    data = visit_form(save_draft="1", submit_entry=None)
    data.update(
        {
            "version": version,
            "concerns-0-concern_id": str(open_id),
            "concerns-0-content": "改过的诉求",
            # a forged row pointing at the followed-up concern changes nothing
            "concerns-1-concern_id": str(followed_id),
            "concerns-1-category": "transport",
            "concerns-1-content": "篡改",
            "concerns-1-raised_by_kind": "citizen",
        }
    )
    assert client.post(f"/activities/{activity_id}/edit", data=data).status_code == 302
    with app.app_context():
        rows = db.session.scalars(
            sa.select(Concern).where(Concern.activity_id == activity_id).order_by(Concern.position)
        ).all()
        assert [(c.id, c.content, c.status) for c in rows] == [
            (followed_id, "诉求1", ConcernStatus.REFERRED),
            (open_id, "改过的诉求", ConcernStatus.OPEN),
        ]
