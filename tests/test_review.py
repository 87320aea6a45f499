"""Review: staff approve or return submitted entries; every change is audited."""

import pytest
import sqlalchemy as sa

from tracker.audit import AuditLogIsAppendOnly
from tracker.enums import ActivityStatus
from tracker.extensions import db
from tracker.models import Activity, AuditEntry, Delegate, Notification

from . import factories
from .test_activities_flow import visit_form


def make(app, delegate_id, **kwargs):
    with app.app_context():
        activity = factories.make_activity(db.session.get(Delegate, delegate_id), **kwargs)
        db.session.commit()
        return activity.id, activity.version


def state(app, activity_id):
    with app.app_context():
        a = db.session.get(Activity, activity_id)
        return a.status, a.version, a.review_note


def audit_rows(app, activity_id):
    with app.app_context():
        return [
            (e.action, e.from_state, e.to_state, e.note, e.actor.username if e.actor else None)
            for e in db.session.scalars(
                sa.select(AuditEntry)
                .where(AuditEntry.object_type == "activity", AuditEntry.object_id == activity_id)
                .order_by(AuditEntry.id)
            )
        ]


def test_queue_lists_submitted_entries_in_scope_oldest_first(app, client, auth, world):
    first, _ = make(app, world.delegate_a, title="城关先提交")
    make(app, world.delegate_a2, title="城关后提交")
    make(app, world.delegate_b, title="七里河提交")
    make(app, world.delegate_a, title="城关草稿", status=ActivityStatus.DRAFT)
    make(app, world.delegate_a, title="城关已通过", status=ActivityStatus.APPROVED)
    auth.login("staff_a")
    page = client.get("/review/").get_data(as_text=True)
    assert "共 2 条待审核" in page
    assert page.index("城关先提交") < page.index("城关后提交")
    for absent in ("七里河提交", "城关草稿", "城关已通过"):
        assert absent not in page
    auth.logout()
    auth.login("staff_city")
    assert "共 3 条待审核" in client.get("/review/").get_data(as_text=True)


def test_approve_then_the_delegate_can_no_longer_edit(app, client, auth, world):
    activity_id, version = make(app, world.delegate_a)
    auth.login("staff_a")
    response = client.post(f"/review/{activity_id}/approve", data={"version": version})
    assert response.status_code == 302
    assert state(app, activity_id)[:2] == (ActivityStatus.APPROVED, version + 1)
    assert audit_rows(app, activity_id) == [("approve", "submitted", "approved", "", "staff_a")]
    auth.logout()
    auth.login("dele_a")
    assert client.get(f"/activities/{activity_id}/edit").status_code == 403


def test_return_with_reason_then_fix_and_resubmit_then_approve(app, client, auth, world):
    activity_id, version = make(app, world.delegate_a, title="原标题")
    auth.login("staff_a")
    response = client.post(
        f"/review/{activity_id}/return", data={"version": version, "reason": "请补充走访对象和人数"}
    )
    assert response.status_code == 302
    status, version, note = state(app, activity_id)
    assert (status, note) == (ActivityStatus.RETURNED, "请补充走访对象和人数")
    auth.logout()

    auth.login("dele_a")
    assert "1 条记录被退回" in client.get("/activities/mine").get_data(as_text=True)
    detail = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    assert "请补充走访对象和人数" in detail
    with app.app_context():
        notes = db.session.scalars(sa.select(Notification)).all()
        assert [(n.kind, n.subject, n.detail) for n in notes] == [
            ("activity_returned", "原标题", "请补充走访对象和人数")
        ]
    assert "1</span>" in client.get("/activities/mine").get_data(as_text=True)  # unread badge
    response = client.post(
        f"/activities/{activity_id}/edit",
        data={**visit_form(title="补充后的标题"), "version": version},
    )
    assert response.status_code == 302
    status, version, _ = state(app, activity_id)
    assert status == ActivityStatus.SUBMITTED
    auth.logout()

    auth.login("staff_a")
    assert (
        client.post(f"/review/{activity_id}/approve", data={"version": version}).status_code == 302
    )
    assert [row[0] for row in audit_rows(app, activity_id)] == [
        "return",
        "edit",
        "resubmit",
        "approve",
    ]


def test_returning_needs_a_reason(app, client, auth, world):
    activity_id, version = make(app, world.delegate_a)
    auth.login("staff_a")
    response = client.post(
        f"/review/{activity_id}/return", data={"version": version, "reason": "  "}
    )
    assert response.status_code == 200
    assert "请写明原因，代表会按此修改。" in response.get_data(as_text=True)
    assert state(app, activity_id)[0] == ActivityStatus.SUBMITTED
    assert audit_rows(app, activity_id) == []


def test_staff_can_reopen_an_approved_entry_with_a_reason(app, client, auth, world):
    activity_id, version = make(app, world.delegate_a, status=ActivityStatus.APPROVED)
    auth.login("staff_city")
    response = client.post(
        f"/review/{activity_id}/reopen", data={"version": version, "reason": "日期有误"}
    )
    assert response.status_code == 302
    assert state(app, activity_id)[::2] == (ActivityStatus.RETURNED, "日期有误")
    assert audit_rows(app, activity_id) == [
        ("reopen", "approved", "returned", "日期有误", "staff_city")
    ]


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (ActivityStatus.DRAFT, "approve"),
        (ActivityStatus.APPROVED, "approve"),
        (ActivityStatus.RETURNED, "approve"),
        (ActivityStatus.RETURNED, "return"),
        (ActivityStatus.SUBMITTED, "reopen"),
    ],
)
def test_illegal_transitions_are_refused_without_an_audit_row(
    app, client, auth, world, status, action
):
    activity_id, version = make(app, world.delegate_a, status=status)
    auth.login("staff_city")
    response = client.post(
        f"/review/{activity_id}/{action}", data={"version": version, "reason": "x"}
    )
    assert response.status_code in (404, 409)
    assert state(app, activity_id)[:2] == (status, version)
    assert audit_rows(app, activity_id) == []


def test_double_approval_is_refused(app, client, auth, world):
    activity_id, version = make(app, world.delegate_a)
    auth.login("staff_a")
    assert (
        client.post(f"/review/{activity_id}/approve", data={"version": version}).status_code == 302
    )
    second = client.post(f"/review/{activity_id}/approve", data={"version": version + 1})
    assert second.status_code == 409
    assert len(audit_rows(app, activity_id)) == 1


def test_two_staff_at_once_the_second_sees_a_fresh_copy(app, client, auth, world):
    activity_id, version = make(app, world.delegate_a)
    other = app.test_client()
    other.post("/auth/login", data={"username": "staff_city", "password": factories.PASSWORD})
    auth.login("staff_a")
    # both read version N; staff_a returns it first
    assert (
        client.post(
            f"/review/{activity_id}/return", data={"version": version, "reason": "先退回"}
        ).status_code
        == 302
    )
    response = other.post(f"/review/{activity_id}/approve", data={"version": version})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "刚刚已被他人处理或修改" in page
    assert "已退回" in page
    assert state(app, activity_id)[::2] == (ActivityStatus.RETURNED, "先退回")
    assert [row[0] for row in audit_rows(app, activity_id)] == ["return"]


def test_delegates_cannot_review_even_their_own_entries(app, client, auth, world):
    activity_id, version = make(app, world.delegate_a)
    auth.login("dele_a")
    assert client.get("/review/").status_code == 403
    assert client.get(f"/review/{activity_id}").status_code == 404
    assert (
        client.post(f"/review/{activity_id}/approve", data={"version": version}).status_code == 404
    )
    assert state(app, activity_id)[0] == ActivityStatus.SUBMITTED


def test_staff_of_another_delegation_get_404(app, client, auth, world):
    activity_id, version = make(app, world.delegate_b)
    auth.login("staff_a")
    assert client.get(f"/review/{activity_id}").status_code == 404
    assert (
        client.post(f"/review/{activity_id}/approve", data={"version": version}).status_code == 404
    )
    assert (
        client.post(
            f"/review/{activity_id}/return", data={"version": version, "reason": "x"}
        ).status_code
        == 404
    )
    assert state(app, activity_id)[0] == ActivityStatus.SUBMITTED


def test_batch_approve_skips_what_changed_or_is_out_of_scope(app, client, auth, world):
    a1, v1 = make(app, world.delegate_a)
    a2, v2 = make(app, world.delegate_a2)
    stale, vs = make(app, world.delegate_a)
    outside, vo = make(app, world.delegate_b)
    with app.app_context():  # someone else changed this one after the queue was read
        db.session.get(Activity, stale).version = vs + 1
        db.session.commit()
    auth.login("staff_a")
    response = client.post(
        "/review/batch-approve",
        data={"activity": [f"{a1}:{v1}", f"{a2}:{v2}", f"{stale}:{vs}", f"{outside}:{vo}", "junk"]},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "已批量通过 2 条。" in page
    assert "有 2 条未通过" in page
    assert [state(app, i)[0] for i in (a1, a2, stale, outside)] == [
        ActivityStatus.APPROVED,
        ActivityStatus.APPROVED,
        ActivityStatus.SUBMITTED,
        ActivityStatus.SUBMITTED,
    ]
    assert audit_rows(app, stale) == [] and audit_rows(app, outside) == []


def test_a_posted_status_cannot_approve_an_entry(app, client, auth, world):
    activity_id, version = make(app, world.delegate_a, status=ActivityStatus.RETURNED)
    auth.login("dele_a")
    client.post(
        f"/activities/{activity_id}/edit",
        data={
            **visit_form(save_draft="1", submit_entry=None),
            "version": version,
            "status": "approved",
            "reviewed_by_id": "1",
        },
    )
    assert state(app, activity_id)[0] == ActivityStatus.RETURNED


def test_the_audit_log_cannot_be_changed_or_deleted(ctx, world):
    delegate = db.session.get(Delegate, world.delegate_a)
    from tracker.audit import record

    entry = record(
        None,
        factories.make_activity(delegate),
        "approve",
        from_state="submitted",
        to_state="approved",
    )
    db.session.commit()
    entry.note = "tampered"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id).note == ""


def test_the_history_is_shown_on_the_entry(app, client, auth, world):
    activity_id, version = make(app, world.delegate_a)
    auth.login("staff_a")
    client.post(
        f"/review/{activity_id}/return", data={"version": version, "reason": "请补充照片说明"}
    )
    page = client.get(f"/review/{activity_id}").get_data(as_text=True)
    assert "处理记录" in page
    assert "退回" in page and "请补充照片说明" in page and "城关区工作人员" in page
