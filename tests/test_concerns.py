"""Citizens' concerns followed to their end: refer, resolve or not, feed back; who may see
and act; conflicts; the phone number kept masked; and the figures with the 办成率."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from tracker.concerns.services import (
    ConcernHandlingNotAllowed,
    ConcernInputError,
    ConcernStateError,
    feed_back,
    mark_unresolvable,
    refer_concern,
    resolve_concern,
)
from tracker.enums import ActivityStatus, ConcernResolution, ConcernStatus
from tracker.extensions import db
from tracker.models import (
    AuditEntry,
    Concern,
    Delegate,
    HandlingBody,
    Notification,
    User,
    utcnow,
)
from tracker.permissions import Scope, scope_for
from tracker.reports.queries import ConcernFigures, ConcernFilters, concern_figures

from . import factories

PHONE = "13912345678"
MASKED = "139****5678"
LONG_CONTENT = (
    "小区门口公交站台没有遮雨棚，老人和孩子下雨天等车全身湿透，希望尽快加装并增加夜间照明"
)
CONFLICT_MESSAGE = "这条诉求刚刚已被他人处理或状态已变化，您的操作没有执行。"


# --- helpers ---------------------------------------------------------------------------------


def user(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def first_body() -> HandlingBody:
    return db.session.scalar(
        sa.select(HandlingBody).order_by(HandlingBody.position, HandlingBody.id).limit(1)
    )


def make_concerns(
    delegate_id: int,
    statuses: list[ConcernStatus | tuple[ConcernStatus, ConcernResolution]],
    *,
    activity_status: ActivityStatus = ActivityStatus.SUBMITTED,
    phone: str = "",
) -> list[int]:
    """One activity of ``delegate_id`` with one concern per entry of ``statuses``, each put
    straight into that state (a fed-back one names its resolution). Returns their ids."""
    activity = factories.make_activity(
        db.session.get(Delegate, delegate_id), status=activity_status, concerns=len(statuses)
    )
    body = first_body()
    now = utcnow()
    for concern, wanted in zip(activity.concerns, statuses, strict=True):
        status, resolution = wanted if isinstance(wanted, tuple) else (wanted, None)
        concern.content = LONG_CONTENT if concern.position == 1 else f"诉求{concern.position}"
        concern.raised_by_phone = phone
        concern.status = status
        if status != ConcernStatus.OPEN:
            concern.referred_to_id = body.id
            concern.referred_at = now
        if status in (ConcernStatus.RESOLVED, ConcernStatus.UNRESOLVABLE):
            resolution = ConcernResolution(status.value)
        if resolution is not None:
            concern.resolution = resolution
            concern.resolved_at = now
            concern.resolution_note = (
                "" if resolution == ConcernResolution.RESOLVED else "无法解决的原因"
            )
        if status == ConcernStatus.FED_BACK:
            concern.feedback_note = "已电话告知"
            concern.fed_back_at = now
    db.session.flush()
    return [c.id for c in activity.concerns]


def one_concern(app, delegate_id: int, status=ConcernStatus.OPEN, **kwargs) -> int:
    with app.app_context():
        (concern_id,) = make_concerns(delegate_id, [status], **kwargs)
        db.session.commit()
        return concern_id


def audit_rows(concern_id: int) -> list[tuple]:
    return [
        (e.actor.username, e.action, e.from_state, e.to_state, e.note)
        for e in db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.object_type == "concern", AuditEntry.object_id == concern_id)
            .order_by(AuditEntry.id)
        )
    ]


def audit_count() -> int:
    """Audit rows about concerns and entries (logins and denials are audited apart)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.object_type != "auth")
    )


def notifications_of(username: str) -> list[tuple]:
    return [
        (n.kind, n.subject, n.detail, n.link)
        for n in db.session.scalars(
            sa.select(Notification)
            .where(Notification.user_id == user(username).id)
            .order_by(Notification.id)
        )
    ]


def snapshot(concern_id: int) -> tuple:
    """The stored state of a concern, read from the database, not the session."""
    db.session.expire_all()
    c = db.session.get(Concern, concern_id)
    return (
        c.status,
        c.resolution,
        c.referred_to_id,
        c.resolution_note,
        c.feedback_note,
        c.fed_back_at is not None,
        c.version,
    )


def page_version(html: str) -> list[str]:
    return re.findall(r'name="version" value="(\d+)"', html)


# --- the legal paths, through the pages ------------------------------------------------------


def test_staff_refers_resolves_and_feeds_back_an_open_concern(app, client, auth, world):
    concern_id = one_concern(app, world.delegate_a)
    with app.app_context():
        body_id, body_name = first_body().id, first_body().name
    auth.login("staff_a")

    response = client.post(
        f"/concerns/{concern_id}/refer", data={"version": "1", "handling_body": str(body_id)}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/concerns/{concern_id}"
    with app.app_context():
        concern = db.session.get(Concern, concern_id)
        assert concern.status == ConcernStatus.REFERRED
        assert concern.referred_to_id == body_id
        assert concern.referred_at is not None
        assert concern.resolution is None
        assert concern.version == 2

    response = client.post(
        f"/concerns/{concern_id}/resolve",
        data={"version": "2", "resolution_note": "  已加装遮雨棚  "},
    )
    assert response.status_code == 302
    with app.app_context():
        concern = db.session.get(Concern, concern_id)
        assert concern.status == ConcernStatus.RESOLVED
        assert concern.resolution == ConcernResolution.RESOLVED
        assert concern.resolution_note == "已加装遮雨棚"
        assert concern.resolved_at is not None
        assert concern.referred_to_id == body_id
        assert concern.version == 3

    response = client.post(
        f"/concerns/{concern_id}/feedback",
        data={"version": "3", "feedback_note": "已电话告知王大爷"},
    )
    assert response.status_code == 302
    with app.app_context():
        concern = db.session.get(Concern, concern_id)
        assert concern.status == ConcernStatus.FED_BACK
        # the resolution stays, so it still counts as resolved
        assert concern.resolution == ConcernResolution.RESOLVED
        assert concern.feedback_note == "已电话告知王大爷"
        assert concern.fed_back_at is not None
        assert concern.version == 4

        assert audit_rows(concern_id) == [
            ("staff_a", "refer", "open", "referred", body_name),
            ("staff_a", "resolve", "referred", "resolved", "已加装遮雨棚"),
            ("staff_a", "feed_back", "resolved", "fed_back", "已电话告知王大爷"),
        ]
        link = f"/concerns/{concern_id}"
        subject = LONG_CONTENT[:30]
        assert len(subject) == 30
        assert notifications_of("dele_a") == [
            ("concern_referred", subject, body_name, link),
            ("concern_resolved", subject, "已解决：已加装遮雨棚", link),
            ("concern_fed_back", subject, "已电话告知王大爷", link),
        ]
        assert notifications_of("dele_a2") == []

    page = client.get(f"/concerns/{concern_id}").get_data(as_text=True)
    assert "已加装遮雨棚" in page
    assert "已电话告知王大爷" in page
    assert body_name in page
    assert "转办" in page and "反馈群众" in page  # the history's action names
    assert f"/concerns/{concern_id}/" not in page  # no action forms are left


def test_open_concern_marked_unresolvable_with_a_reason_then_fed_back(app, client, auth, world):
    concern_id = one_concern(app, world.delegate_a)
    auth.login("staff_city")

    response = client.post(
        f"/concerns/{concern_id}/unresolvable",
        data={"version": "1", "reason": "该路段已列入明年改造计划"},
    )
    assert response.status_code == 302
    response = client.post(
        f"/concerns/{concern_id}/feedback", data={"version": "2", "feedback_note": "已当面说明原因"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert snapshot(concern_id) == (
            ConcernStatus.FED_BACK,
            ConcernResolution.UNRESOLVABLE,
            None,
            "该路段已列入明年改造计划",
            "已当面说明原因",
            True,
            3,
        )
        assert audit_rows(concern_id) == [
            ("staff_city", "mark_unresolvable", "open", "unresolvable", "该路段已列入明年改造计划"),
            ("staff_city", "feed_back", "unresolvable", "fed_back", "已当面说明原因"),
        ]
        assert [(k, d) for k, _s, d, _l in notifications_of("dele_a")] == [
            ("concern_resolved", "无法解决：该路段已列入明年改造计划"),
            ("concern_fed_back", "已当面说明原因"),
        ]


def test_open_concern_resolved_on_the_spot(app, client, auth, world):
    concern_id = one_concern(app, world.delegate_a)
    auth.login("staff_a")
    response = client.post(f"/concerns/{concern_id}/resolve", data={"version": "1"})
    assert response.status_code == 302
    with app.app_context():
        assert snapshot(concern_id) == (
            ConcernStatus.RESOLVED,
            ConcernResolution.RESOLVED,
            None,
            "",
            "",
            False,
            2,
        )
        assert audit_rows(concern_id) == [("staff_a", "resolve", "open", "resolved", "")]
        assert [(k, d) for k, _s, d, _l in notifications_of("dele_a")] == [
            ("concern_resolved", "已解决"),
        ]


# --- illegal transitions are refused and leave no trace -------------------------------------


def _refused(app, concern_id: int, action, exception) -> None:
    """Run ``action`` as staff_a and check it raised, changed nothing and audited nothing."""
    with app.test_request_context():
        before = snapshot(concern_id)
        audits, notes = (
            audit_count(),
            db.session.scalar(sa.select(sa.func.count()).select_from(Notification)),
        )
        concern = db.session.get(Concern, concern_id)
        with pytest.raises(exception):
            action(concern, user("staff_a"))
        # counted through the same session: anything the service added would be flushed
        assert audit_count() == audits
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == notes
        db.session.rollback()
        assert snapshot(concern_id) == before


def test_feedback_on_an_open_concern_is_refused(app, world):
    concern_id = one_concern(app, world.delegate_a)
    _refused(
        app,
        concern_id,
        lambda c, u: feed_back(c, u, "已告知", expected_version=c.version),
        ConcernStateError,
    )


def test_resolving_twice_is_refused(app, world):
    concern_id = one_concern(app, world.delegate_a)
    with app.test_request_context():
        concern = db.session.get(Concern, concern_id)
        resolve_concern(concern, user("staff_a"), "已解决", expected_version=1)
        db.session.commit()
    _refused(
        app,
        concern_id,
        lambda c, u: resolve_concern(c, u, "再来一次", expected_version=c.version),
        ConcernStateError,
    )
    with app.app_context():
        assert [row[1] for row in audit_rows(concern_id)] == ["resolve"]


def test_referring_a_fed_back_concern_is_refused(app, world):
    concern_id = one_concern(
        app, world.delegate_a, (ConcernStatus.FED_BACK, ConcernResolution.RESOLVED)
    )
    _refused(
        app,
        concern_id,
        lambda c, u: refer_concern(c, u, first_body(), expected_version=c.version),
        ConcernStateError,
    )


def test_referring_to_a_retired_body_is_refused(app, world):
    concern_id = one_concern(app, world.delegate_a)
    with app.app_context():
        first_body().retired_at = utcnow()
        db.session.commit()
    _refused(
        app,
        concern_id,
        lambda c, u: refer_concern(c, u, first_body(), expected_version=c.version),
        ConcernInputError,
    )


def test_marking_unresolvable_needs_a_reason(app, world):
    concern_id = one_concern(app, world.delegate_a)
    _refused(
        app,
        concern_id,
        lambda c, u: mark_unresolvable(c, u, "   ", expected_version=c.version),
        ConcernInputError,
    )


def test_concern_of_a_returned_entry_is_not_handled(app, world):
    concern_id = one_concern(app, world.delegate_a, activity_status=ActivityStatus.RETURNED)
    _refused(
        app,
        concern_id,
        lambda c, u: resolve_concern(c, u, "", expected_version=c.version),
        ConcernHandlingNotAllowed,
    )


def test_concern_of_a_draft_is_not_handled(app, world):
    concern_id = one_concern(app, world.delegate_a, activity_status=ActivityStatus.DRAFT)
    _refused(
        app,
        concern_id,
        lambda c, u: resolve_concern(c, u, "", expected_version=c.version),
        ConcernHandlingNotAllowed,
    )


def test_staff_of_another_delegation_cannot_handle(app, world):
    concern_id = one_concern(app, world.delegate_b)
    _refused(
        app,
        concern_id,
        lambda c, u: resolve_concern(c, u, "", expected_version=c.version),
        ConcernHandlingNotAllowed,
    )


def test_illegal_transitions_through_the_pages_answer_409(app, client, auth, world):
    open_id = one_concern(app, world.delegate_a)
    fed_back_id = one_concern(
        app, world.delegate_a, (ConcernStatus.FED_BACK, ConcernResolution.RESOLVED)
    )
    with app.app_context():
        body_id = first_body().id
        before = snapshot(open_id), snapshot(fed_back_id)
    auth.login("staff_a")

    response = client.post(
        f"/concerns/{open_id}/feedback", data={"version": "1", "feedback_note": "已告知"}
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert CONFLICT_MESSAGE in html
    assert f'action="/concerns/{open_id}/refer"' in html  # the fresh page with what is possible

    response = client.post(
        f"/concerns/{fed_back_id}/refer", data={"version": "1", "handling_body": str(body_id)}
    )
    assert response.status_code == 409
    assert CONFLICT_MESSAGE in response.get_data(as_text=True)

    with app.app_context():
        assert (snapshot(open_id), snapshot(fed_back_id)) == before
        assert audit_count() == 0

    assert client.post(f"/concerns/{open_id}/resolve", data={"version": "1"}).status_code == 302
    response = client.post(f"/concerns/{open_id}/resolve", data={"version": "2"})
    assert response.status_code == 409
    with app.app_context():
        assert [row[1] for row in audit_rows(open_id)] == ["resolve"]
        assert snapshot(open_id)[-1] == 2


# --- bad input comes back next to the field, as typed ----------------------------------------


def test_unresolvable_without_a_reason_shows_the_error_next_to_the_field(app, client, auth, world):
    concern_id = one_concern(app, world.delegate_a)
    auth.login("staff_a")
    response = client.post(
        f"/concerns/{concern_id}/unresolvable", data={"version": "1", "reason": "  "}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<div class="invalid-feedback d-block" id="reason-error">请写明无法解决的原因' in html
    with app.app_context():
        assert snapshot(concern_id)[0] == ConcernStatus.OPEN
        assert snapshot(concern_id)[-1] == 1
        assert audit_count() == 0


def test_text_over_2000_characters_is_refused_and_kept(app, client, auth, world):
    concern_id = one_concern(app, world.delegate_a)
    typed = "原因" * 1000 + "末"
    auth.login("staff_a")
    response = client.post(
        f"/concerns/{concern_id}/unresolvable", data={"version": "1", "reason": typed}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<div class="invalid-feedback d-block" id="reason-error">最多 2000 字。</div>' in html
    assert typed in html
    with app.app_context():
        assert snapshot(concern_id)[0] == ConcernStatus.OPEN
        assert audit_count() == 0


@pytest.mark.parametrize("which", ["retired", "unknown", "empty"])
def test_refer_to_an_unknown_or_retired_body_shows_the_error(app, client, auth, world, which):
    concern_id = one_concern(app, world.delegate_a)
    with app.app_context():
        body = first_body()
        body.retired_at = utcnow()
        retired_id = body.id
        db.session.commit()
    value = {"retired": str(retired_id), "unknown": "99999", "empty": ""}[which]
    auth.login("staff_a")
    response = client.post(
        f"/concerns/{concern_id}/refer", data={"version": "1", "handling_body": value}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    expected = (
        "请选择承办单位。" if which == "empty" else "所选承办单位不存在或已停用，请重新选择。"
    )
    assert (
        f'<div class="invalid-feedback d-block" id="handling_body-error">{expected}</div>' in html
    )
    assert f'<option value="{retired_id}"' not in html  # a retired body is never offered
    with app.app_context():
        assert snapshot(concern_id)[0] == ConcernStatus.OPEN
        assert audit_count() == 0


# --- who may see and act ---------------------------------------------------------------------


def test_staff_of_one_delegation_get_404_for_another_delegations_concern(app, client, auth, world):
    concern_id = one_concern(app, world.delegate_b)
    auth.login("staff_a")
    assert client.get(f"/concerns/{concern_id}").status_code == 404
    assert client.post(f"/concerns/{concern_id}/resolve", data={"version": "1"}).status_code == 404
    with app.app_context():
        assert snapshot(concern_id)[0] == ConcernStatus.OPEN
    auth.logout()
    auth.login("staff_city")
    assert client.get(f"/concerns/{concern_id}").status_code == 200


def test_delegate_sees_own_concern_but_not_anothers_and_cannot_act(app, client, auth, world):
    own = one_concern(app, world.delegate_a)
    other = one_concern(app, world.delegate_b)
    with app.app_context():
        body_id = first_body().id
    auth.login("dele_a")
    assert client.get(f"/concerns/{other}").status_code == 404
    assert client.post(f"/concerns/{other}/resolve", data={"version": "1"}).status_code == 404

    page = client.get(f"/concerns/{own}")
    assert page.status_code == 200
    assert f"/concerns/{own}/" not in page.get_data(as_text=True)  # no action forms
    for url, data in (
        ("refer", {"handling_body": str(body_id)}),
        ("resolve", {}),
        ("unresolvable", {"reason": "无"}),
        ("feedback", {"feedback_note": "已告知"}),
    ):
        assert (
            client.post(f"/concerns/{own}/{url}", data={"version": "1", **data}).status_code == 403
        )
    with app.app_context():
        assert snapshot(own)[0] == ConcernStatus.OPEN
        assert snapshot(own)[-1] == 1
        assert audit_count() == 0


def test_delegate_list_shows_only_their_own_concerns(app, client, auth, world):
    with app.app_context():
        make_concerns(world.delegate_a, [ConcernStatus.OPEN])
        a2 = factories.make_activity(db.session.get(Delegate, world.delegate_a2), concerns=1)
        a2.concerns[0].content = "王代表记录的诉求"
        b = factories.make_activity(db.session.get(Delegate, world.delegate_b), concerns=1)
        b.concerns[0].content = "七里河区的诉求"
        db.session.commit()
    auth.login("dele_a")
    html = client.get("/concerns/").get_data(as_text=True)
    assert LONG_CONTENT[:20] in html
    assert "王代表记录的诉求" not in html
    assert "七里河区的诉求" not in html
    assert '<div class="fs-3 fw-bold" id="fig-raised">1</div>' in html
    assert 'name="delegation"' not in html  # the delegation filter is for staff


def test_staff_list_is_limited_to_their_delegation(app, client, auth, world):
    with app.app_context():
        make_concerns(world.delegate_a, [ConcernStatus.OPEN])
        b = factories.make_activity(db.session.get(Delegate, world.delegate_b), concerns=1)
        b.concerns[0].content = "七里河区的诉求"
        db.session.commit()
    auth.login("staff_a")
    html = client.get("/concerns/").get_data(as_text=True)
    assert LONG_CONTENT[:20] in html
    assert "七里河区的诉求" not in html
    auth.logout()
    auth.login("staff_city")
    html = client.get("/concerns/").get_data(as_text=True)
    assert "七里河区的诉求" in html and LONG_CONTENT[:20] in html


def test_list_filters_by_status_category_and_delegation(app, client, auth, world):
    with app.app_context():
        make_concerns(world.delegate_a, [ConcernStatus.OPEN, ConcernStatus.RESOLVED])
        b = factories.make_activity(db.session.get(Delegate, world.delegate_b), concerns=1)
        b.concerns[0].content = "七里河区的诉求"
        b.concerns[0].category_id = factories.category("education").id
        chengguan_id = factories.delegation("chengguan").id
        db.session.commit()
    auth.login("staff_city")
    html = client.get("/concerns/?status=resolved").get_data(as_text=True)
    assert "诉求2" in html and LONG_CONTENT[:20] not in html and "七里河区的诉求" not in html
    html = client.get("/concerns/?category=education").get_data(as_text=True)
    assert "七里河区的诉求" in html and "诉求2" not in html
    html = client.get(f"/concerns/?delegation={chengguan_id}").get_data(as_text=True)
    assert "七里河区的诉求" not in html and "诉求2" in html
    assert '<p class="small text-body-secondary" id="result-count">共 2 条</p>' in html


# --- the conflict ----------------------------------------------------------------------------


def test_second_staff_acting_on_a_stale_version_gets_409_and_nothing_changes(app, auth, world):
    concern_id = one_concern(app, world.delegate_a)
    with app.app_context():
        body_id = first_body().id
    first, second = app.test_client(), app.test_client()
    first.post("/auth/login", data={"username": "staff_a", "password": factories.PASSWORD})
    second.post("/auth/login", data={"username": "staff_city", "password": factories.PASSWORD})
    assert set(page_version(first.get(f"/concerns/{concern_id}").get_data(as_text=True))) == {"1"}
    assert set(page_version(second.get(f"/concerns/{concern_id}").get_data(as_text=True))) == {"1"}

    response = first.post(
        f"/concerns/{concern_id}/refer", data={"version": "1", "handling_body": str(body_id)}
    )
    assert response.status_code == 302
    response = second.post(
        f"/concerns/{concern_id}/resolve", data={"version": "1", "resolution_note": "现场已解决"}
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert CONFLICT_MESSAGE in html
    assert set(page_version(html)) == {"2"}  # the fresh copy, ready to act on
    assert "已转办" in html

    with app.app_context():
        assert snapshot(concern_id) == (ConcernStatus.REFERRED, None, body_id, "", "", False, 2)
        assert [row[:2] for row in audit_rows(concern_id)] == [("staff_a", "refer")]
        assert [n[0] for n in notifications_of("dele_a")] == ["concern_referred"]


# --- the phone number stays masked ----------------------------------------------------------


@pytest.mark.parametrize("username", ["staff_a", "dele_a"])
def test_phone_is_masked_in_list_and_detail(app, client, auth, world, username):
    concern_id = one_concern(app, world.delegate_a, phone=PHONE)
    auth.login(username)
    for url in ("/concerns/", f"/concerns/{concern_id}"):
        html = client.get(url).get_data(as_text=True)
        assert MASKED in html
        assert PHONE not in html


# --- drafts stay out -------------------------------------------------------------------------


def test_concerns_of_drafts_are_never_listed_counted_or_shown(app, client, auth, world):
    with app.app_context():
        make_concerns(world.delegate_a, [ConcernStatus.OPEN])
        draft = factories.make_activity(
            db.session.get(Delegate, world.delegate_a), status=ActivityStatus.DRAFT, concerns=2
        )
        draft.concerns[0].content = "草稿里的诉求"
        draft_concern_id = draft.concerns[0].id
        db.session.commit()
        for who in ("dele_a", "staff_a", "staff_city"):
            figures = concern_figures(scope_for(user(who)), ConcernFilters())
            assert figures.raised == 1
    for who in ("dele_a", "staff_a"):
        auth.login(who)
        html = client.get("/concerns/").get_data(as_text=True)
        assert "草稿里的诉求" not in html
        assert '<div class="fs-3 fw-bold" id="fig-raised">1</div>' in html
        assert client.get(f"/concerns/{draft_concern_id}").status_code == 404
        auth.logout()


# --- the figures -----------------------------------------------------------------------------

FIXED_SET = [
    ConcernStatus.RESOLVED,
    (ConcernStatus.FED_BACK, ConcernResolution.RESOLVED),
    ConcernStatus.UNRESOLVABLE,
    ConcernStatus.REFERRED,
    ConcernStatus.OPEN,
    ConcernStatus.OPEN,
]


def test_concern_figures_on_a_fixed_set(app, ctx, world):
    make_concerns(world.delegate_a, FIXED_SET)
    make_concerns(world.delegate_b, [ConcernStatus.OPEN, ConcernStatus.RESOLVED])
    make_concerns(
        world.delegate_a,
        [ConcernStatus.RESOLVED, ConcernStatus.OPEN],
        activity_status=ActivityStatus.DRAFT,
    )
    db.session.commit()

    figures = concern_figures(scope_for(user("staff_a")), ConcernFilters())
    assert figures == ConcernFigures(
        raised=6,
        open=2,
        referred=1,
        resolved=2,
        unresolvable=1,
        fed_back=1,
        concluded=3,
        resolution_rate=2 / 3,
        feedback_rate=1 / 3,
    )
    city = concern_figures(scope_for(user("staff_city")), ConcernFilters())
    assert city == ConcernFigures(
        raised=8,
        open=3,
        referred=1,
        resolved=3,
        unresolvable=1,
        fed_back=1,
        concluded=4,
        resolution_rate=3 / 4,
        feedback_rate=1 / 4,
    )
    assert concern_figures(scope_for(user("dele_b")), ConcernFilters()).raised == 2
    only_open = concern_figures(Scope(everything=True), ConcernFilters(status=ConcernStatus.OPEN))
    assert (only_open.raised, only_open.concluded, only_open.resolution_rate) == (3, 0, None)
    nothing = concern_figures(Scope(), ConcernFilters())
    assert nothing == ConcernFigures(0, 0, 0, 0, 0, 0, 0, None, None)


def test_concern_figures_is_one_query(app, ctx, world):
    make_concerns(world.delegate_a, FIXED_SET)
    db.session.commit()
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        concern_figures(Scope(everything=True), ConcernFilters())
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert "GROUP BY" in statements[0] and "count(" in statements[0].lower()


def test_list_shows_the_figures_and_the_resolution_rate(app, client, auth, world):
    with app.app_context():
        make_concerns(world.delegate_a, FIXED_SET)
        db.session.commit()
    auth.login("staff_a")
    html = client.get("/concerns/").get_data(as_text=True)
    for figure_id, value in (
        ("raised", "6"),
        ("resolved", "2"),
        ("unresolvable", "1"),
        ("fed-back", "1"),
        ("rate", "66.7%"),
    ):
        assert f'<div class="fs-3 fw-bold" id="fig-{figure_id}">{value}</div>' in html
    assert "办成率 = 已解决 ÷ 已办结" in html
    assert "与建议答复的满意度分开统计" in html
