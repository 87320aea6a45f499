"""A proposal followed from submission to its end, through the app, with every refusal."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tracker import deadlines
from tracker.concurrency import StaleObjectError
from tracker.dates import add_months, local_today
from tracker.deadlines import DueFlag, due_flag
from tracker.enums import ActivityStatus, ProposalOutcome, ProposalStatus, Rating
from tracker.extensions import db
from tracker.models import (
    AuditEntry,
    Delegate,
    HandlingBody,
    Notification,
    Proposal,
    ProposalLabel,
    ProposalReply,
    ProposalUrging,
    User,
    utcnow,
)
from tracker.proposals.services import (
    ProposalActionNotAllowed,
    ProposalStateError,
    rate_reply,
    register_proposal,
)

from . import factories

# --- helpers -----------------------------------------------------------------------------------


def make_proposal(
    delegate_id: int,
    *,
    title: str = "关于增设伏龙坪公交线路的建议",
    status: ProposalStatus = ProposalStatus.SUBMITTED,
    activity_status: ActivityStatus = ActivityStatus.SUBMITTED,
    occurred_on: date = date(2023, 8, 25),
    label_code: str = "practical-measure",
    replies: int = 0,
    **fields,
) -> int:
    """A proposal entry of ``delegate_id``, in ``status``; returns the proposal's id."""
    delegate = db.session.get(Delegate, delegate_id)
    activity = factories.make_activity(
        delegate,
        kind_code="proposal",
        status=activity_status,
        occurred_on=occurred_on,
        title=title,
    )
    label = db.session.scalar(sa.select(ProposalLabel).where(ProposalLabel.code == label_code))
    proposal = Proposal(
        activity=activity,
        label=label,
        content="建议开通一条连接伏龙坪社区与东方红广场的公交线路。",
        suggested_handler="市交通运输局",
        status=status,
        **fields,
    )
    for n in range(1, replies + 1):
        proposal.replies.append(
            ProposalReply(
                round=n, text=f"第{n}轮答复", replied_on=date(2024, 6, n), outcome=ProposalOutcome.B
            )
        )
    db.session.add(proposal)
    db.session.flush()
    return proposal.id


def body_id(code: str) -> int:
    return db.session.scalar(sa.select(HandlingBody.id).where(HandlingBody.code == code))


def user_id(username: str) -> int:
    return db.session.scalar(sa.select(User.id).where(User.username == username))


def snapshot(app, proposal_id: int) -> tuple:
    """What a refused action must leave untouched."""
    with app.app_context():
        p = db.session.get(Proposal, proposal_id)
        return (
            p.status,
            p.version,
            p.round,
            p.due_on,
            p.rating,
            p.lead_handler_id,
            len(p.replies),
            len(p.urgings),
        )


def audit_rows(app, proposal_id: int) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(AuditEntry.action, AuditEntry.from_state, AuditEntry.to_state)
            .where(AuditEntry.object_type == "proposal", AuditEntry.object_id == proposal_id)
            .order_by(AuditEntry.id)
        )
        return [tuple(r) for r in rows]


def version_of(app, proposal_id: int) -> int:
    with app.app_context():
        return db.session.get(Proposal, proposal_id).version


def field_error(page: str, field_id: str) -> str:
    """The text of the error shown under one field."""
    match = re.search(rf'id="{re.escape(field_id)}-error">([^<]*)<', page)
    assert match, f"no error shown for {field_id}"
    return html_lib.unescape(match.group(1))


def listed_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="proposal-(\d+)"', page)]


class Actor:
    """Logs in as one user and posts proposal actions at a given version."""

    def __init__(self, app, client, auth):
        self.app, self.client, self.auth = app, client, auth

    def login(self, username: str) -> Actor:
        self.auth.logout()
        response = self.auth.login(username)
        assert response.status_code == 302
        return self

    def post(self, proposal_id: int, action: str, version: int | None = None, **data):
        if version is None:
            version = version_of(self.app, proposal_id)
        return self.client.post(
            f"/proposals/{proposal_id}/{action}", data={"version": str(version), **data}
        )


@pytest.fixture
def actor(app, client, auth, world):
    return Actor(app, client, auth)


@pytest.fixture
def proposal_a(app, world):
    """A submitted proposal of dele_a (城关区)."""
    with app.app_context():
        pid = make_proposal(world.delegate_a)
        db.session.commit()
        return pid


# --- the whole life, through the views -----------------------------------------------------------


def test_a_proposal_goes_from_submission_to_closed_through_an_unsatisfied_round(
    app, client, actor, world, proposal_a
):
    pid = proposal_a
    with app.app_context():
        transport, urban = body_id("city-transport"), body_id("city-urban-management")

    actor.login("staff_a")
    listing = client.get("/proposals/").get_data(as_text=True)
    assert '<h1 class="h3 mb-0">建议办理</h1>' in listing
    assert listed_ids(listing) == [pid]
    page = client.get(f"/proposals/{pid}").get_data(as_text=True)
    assert f'action="/proposals/{pid}/register"' in page
    assert f'action="/proposals/{pid}/reject"' in page

    response = actor.post(pid, "register", version=1)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/proposals/{pid}"
    assert snapshot(app, pid)[:2] == (ProposalStatus.REGISTERED, 2)

    response = actor.post(
        pid,
        "assign",
        version=2,
        lead_handler=str(transport),
        co_handlers=[str(urban)],
        assigned_on="2024-11-30",
    )
    assert response.status_code == 302
    with app.app_context():
        p = db.session.get(Proposal, pid)
        assert p.status == ProposalStatus.ASSIGNED
        assert p.lead_handler.name == "市交通运输局"
        assert [b.name for b in p.co_handlers] == ["市城市管理局"]
        assert p.is_complex is False
        assert p.assigned_on == date(2024, 11, 30)
        assert p.due_on == date(2025, 2, 28)
        assert p.version == 3

    assert actor.post(pid, "start", version=3).status_code == 302
    assert snapshot(app, pid)[:2] == (ProposalStatus.HANDLING, 4)

    assert actor.post(pid, "urge", version=4, note="请加快办理").status_code == 302
    assert snapshot(app, pid)[:2] == (ProposalStatus.HANDLING, 4)  # urging bumps nothing

    response = actor.post(
        pid,
        "reply",
        version=4,
        text="已将线路纳入明年公交线网优化方案。",
        replied_on="2024-12-20",
        outcome="B",
    )
    assert response.status_code == 302
    with app.app_context():
        p = db.session.get(Proposal, pid)
        assert p.status == ProposalStatus.REPLIED
        assert [(r.round, r.replied_on, r.outcome, r.rating) for r in p.replies] == [
            (1, date(2024, 12, 20), ProposalOutcome.B, None)
        ]
        assert p.replies[0].recorded_by_id == user_id("staff_a")

    actor.login("dele_a")
    mine = client.get("/proposals/").get_data(as_text=True)
    assert '<h1 class="h3 mb-0">我的建议</h1>' in mine
    assert "待您评价" in mine
    assert listed_ids(mine) == [pid]
    page = client.get(f"/proposals/{pid}").get_data(as_text=True)
    assert f'action="/proposals/{pid}/rate"' in page
    assert f'action="/proposals/{pid}/register"' not in page

    response = actor.post(pid, "rate", version=5, rating="unsatisfied", note="没有给出开通时间")
    assert response.status_code == 302
    with app.app_context():
        p = db.session.get(Proposal, pid)
        assert p.status == ProposalStatus.HANDLING
        assert p.round == 2
        assert p.rating == Rating.UNSATISFIED
        assert p.due_on == deadlines.redo_due_on(local_today())
        assert p.due_on == add_months(local_today(), 1)
        assert p.closed_at is None
        assert (p.replies[0].rating, p.replies[0].rating_note) == (
            Rating.UNSATISFIED,
            "没有给出开通时间",
        )
        assert p.replies[0].rated_at is not None
        assert p.version == 6

    actor.login("staff_a")
    today = local_today_in(app)
    response = actor.post(
        pid,
        "reply",
        version=6,
        text="线路将于下月开通。",
        replied_on=today.isoformat(),
        outcome="A",
    )
    assert response.status_code == 302

    actor.login("dele_a")
    assert actor.post(pid, "rate", version=7, rating="satisfied").status_code == 302
    with app.app_context():
        p = db.session.get(Proposal, pid)
        assert p.status == ProposalStatus.CLOSED
        assert p.rating == Rating.SATISFIED
        assert p.closed_at is not None
        assert p.round == 2
        assert [(r.round, r.outcome, r.rating) for r in p.replies] == [
            (1, ProposalOutcome.B, Rating.UNSATISFIED),
            (2, ProposalOutcome.A, Rating.SATISFIED),
        ]
        assert p.version == 8

    assert audit_rows(app, pid) == [
        ("register", "submitted", "registered"),
        ("assign", "registered", "assigned"),
        ("start_handling", "assigned", "handling"),
        ("urge", "", ""),
        ("reply", "handling", "replied"),
        ("rate", "replied", "handling"),
        ("reply", "handling", "replied"),
        ("rate", "", ""),
        ("close", "replied", "closed"),
    ]

    with app.app_context():
        notes = db.session.execute(
            sa.select(
                Notification.kind, Notification.subject, Notification.detail, Notification.link
            )
            .where(Notification.user_id == user_id("dele_a"))
            .order_by(Notification.id)
        ).all()
        assert [n.kind for n in notes] == [
            "proposal_registered",
            "proposal_assigned",
            "proposal_replied",
            "proposal_replied",
            "proposal_closed",
        ]
        assert {n.subject for n in notes} == {"关于增设伏龙坪公交线路的建议"}
        assert {n.link for n in notes} == {f"/proposals/{pid}"}
        assert notes[1].detail == "市交通运输局主办，2025-02-28 前答复"
        # nobody else was told anything
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 5

    page = client.get(f"/proposals/{pid}").get_data(as_text=True)
    assert "已办结" in page
    assert "第 2 轮" in page
    assert "已将线路纳入明年公交线网优化方案。" in page
    assert "线路将于下月开通。" in page
    assert "没有给出开通时间" in page
    for label in ("立案", "交办", "开始办理", "督办", "答复", "评价", "办结"):
        assert f"<strong>{label}</strong>" in page
    assert f'action="/proposals/{pid}/rate"' not in page
    notices = client.get("/notifications/").get_data(as_text=True)
    assert "您的建议“关于增设伏龙坪公交线路的建议”已立案。" in html_lib.unescape(notices)


def local_today_in(app) -> date:
    with app.app_context():
        return local_today()


def test_an_assigned_proposal_can_be_replied_without_a_start_record(app, actor, world):
    with app.app_context():
        pid = make_proposal(
            world.delegate_a,
            status=ProposalStatus.ASSIGNED,
            assigned_on=date(2024, 1, 10),
            due_on=date(2024, 4, 10),
            lead_handler_id=body_id("city-transport"),
        )
        db.session.commit()
    actor.login("staff_a")
    response = actor.post(
        pid, "reply", version=1, text="已答复。", replied_on="2024-03-01", outcome="C"
    )
    assert response.status_code == 302
    assert snapshot(app, pid)[:2] == (ProposalStatus.REPLIED, 2)
    assert audit_rows(app, pid) == [("reply", "assigned", "replied")]


def test_basically_satisfied_also_closes(app, actor, world):
    with app.app_context():
        pid = make_proposal(world.delegate_a, status=ProposalStatus.REPLIED, replies=1)
        db.session.commit()
    actor.login("dele_a")
    assert actor.post(pid, "rate", rating="basically_satisfied").status_code == 302
    with app.app_context():
        p = db.session.get(Proposal, pid)
        assert (p.status, p.rating, p.round) == (
            ProposalStatus.CLOSED,
            Rating.BASICALLY_SATISFIED,
            1,
        )
    assert audit_rows(app, pid) == [("rate", "", ""), ("close", "replied", "closed")]


def test_not_registered_keeps_the_reason_and_tells_the_delegate(app, actor, proposal_a):
    actor.login("staff_a")
    response = actor.post(
        proposal_a, "reject", version=1, reason="属于区级事权，请向城关区人大提出。"
    )
    assert response.status_code == 302
    with app.app_context():
        p = db.session.get(Proposal, proposal_a)
        assert p.status == ProposalStatus.NOT_REGISTERED
        assert p.not_registered_reason == "属于区级事权，请向城关区人大提出。"
        assert p.decided_at is not None
        note = db.session.scalar(sa.select(Notification))
        assert (note.user_id, note.kind, note.detail) == (
            user_id("dele_a"),
            "proposal_not_registered",
            "属于区级事权，请向城关区人大提出。",
        )
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.object_type == "proposal"))
        assert entry.note == "属于区级事权，请向城关区人大提出。"
    assert audit_rows(app, proposal_a) == [("not_register", "submitted", "not_registered")]

    # final: it can be neither registered nor assigned afterwards
    before = snapshot(app, proposal_a)
    assert actor.post(proposal_a, "register").status_code == 409
    assert snapshot(app, proposal_a) == before
    assert len(audit_rows(app, proposal_a)) == 1


# --- refusals ----------------------------------------------------------------------------------


def test_not_registering_needs_a_reason(app, client, actor, proposal_a):
    actor.login("staff_a")
    response = actor.post(proposal_a, "reject", version=1, reason="   ")
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "reason") == "请写明不予立案的理由。"
    assert snapshot(app, proposal_a)[:2] == (ProposalStatus.SUBMITTED, 1)
    assert audit_rows(app, proposal_a) == []


@pytest.mark.parametrize(
    ("status", "username", "action", "data", "code"),
    [
        # register twice
        (ProposalStatus.REGISTERED, "staff_a", "register", {}, 409),
        (ProposalStatus.REGISTERED, "staff_a", "reject", {"reason": "重复"}, 409),
        # reply before assignment
        (
            ProposalStatus.SUBMITTED,
            "staff_a",
            "reply",
            {"text": "答复", "replied_on": "2024-01-01", "outcome": "A"},
            409,
        ),
        (
            ProposalStatus.REGISTERED,
            "staff_a",
            "reply",
            {"text": "答复", "replied_on": "2024-01-01", "outcome": "A"},
            409,
        ),
        (ProposalStatus.REGISTERED, "staff_a", "start", {}, 409),
        (ProposalStatus.SUBMITTED, "staff_a", "urge", {"note": "快"}, 409),
        (ProposalStatus.CLOSED, "staff_a", "urge", {"note": "快"}, 409),
        (
            ProposalStatus.HANDLING,
            "staff_a",
            "assign",
            {"lead_handler": "1", "assigned_on": "2024-01-01"},
            409,
        ),
        # rate before reply
        (ProposalStatus.HANDLING, "dele_a", "rate", {"rating": "satisfied"}, 409),
        (ProposalStatus.CLOSED, "dele_a", "rate", {"rating": "unsatisfied"}, 409),
        # someone else's proposal: not even shown
        (ProposalStatus.REPLIED, "dele_a2", "rate", {"rating": "unsatisfied"}, 404),
        (ProposalStatus.REPLIED, "dele_b", "rate", {"rating": "unsatisfied"}, 404),
        # staff see it but do not rate
        (ProposalStatus.REPLIED, "staff_a", "rate", {"rating": "satisfied"}, 403),
        (ProposalStatus.REPLIED, "staff_city", "rate", {"rating": "satisfied"}, 403),
        (ProposalStatus.REPLIED, "admin", "rate", {"rating": "satisfied"}, 403),
        # the delegate sees it but does not handle it
        (ProposalStatus.SUBMITTED, "dele_a", "register", {}, 403),
        (ProposalStatus.SUBMITTED, "dele_a", "reject", {"reason": "不要了"}, 403),
        (ProposalStatus.HANDLING, "dele_a", "urge", {}, 403),
        (ProposalStatus.SUBMITTED, "dele_b", "register", {}, 404),
    ],
)
def test_an_illegal_action_changes_nothing_and_writes_no_audit_row(
    app, actor, world, status, username, action, data, code
):
    with app.app_context():
        extra = {}
        if status in (ProposalStatus.HANDLING, ProposalStatus.REPLIED, ProposalStatus.CLOSED):
            extra = {
                "assigned_on": date(2024, 1, 10),
                "due_on": date(2024, 4, 10),
                "lead_handler_id": body_id("city-transport"),
            }
        pid = make_proposal(
            world.delegate_a,
            status=status,
            replies=1 if status in (ProposalStatus.REPLIED, ProposalStatus.CLOSED) else 0,
            **extra,
        )
        db.session.commit()
    before = snapshot(app, pid)
    actor.login(username)
    response = actor.post(pid, action, **data)
    assert response.status_code == code
    if code == 409:
        assert "您的操作没有执行" in response.get_data(as_text=True)
    assert snapshot(app, pid) == before
    assert audit_rows(app, pid) == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("register", {}),
        ("reject", {"reason": "不予立案"}),
        ("assign", {"lead_handler": "1", "assigned_on": "2024-01-01"}),
        ("start", {}),
        ("reply", {"text": "答复", "replied_on": "2024-01-01", "outcome": "A"}),
        ("urge", {"note": "快"}),
        ("rate", {"rating": "satisfied"}),
    ],
)
def test_district_staff_cannot_touch_another_districts_proposal(
    app, client, actor, world, action, data
):
    with app.app_context():
        pid = make_proposal(world.delegate_b, title="七里河区的建议")
        db.session.commit()
    actor.login("staff_a")
    assert client.get(f"/proposals/{pid}").status_code == 404
    assert listed_ids(client.get("/proposals/").get_data(as_text=True)) == []
    before = snapshot(app, pid)
    assert actor.post(pid, action, **data).status_code == 404
    assert snapshot(app, pid) == before
    assert audit_rows(app, pid) == []


def test_city_staff_handle_every_districts_proposal(app, actor, world):
    with app.app_context():
        pid = make_proposal(world.delegate_b, title="七里河区的建议")
        db.session.commit()
    actor.login("staff_city")
    assert actor.post(pid, "register", version=1).status_code == 302
    assert audit_rows(app, pid) == [("register", "submitted", "registered")]


def test_a_returned_entry_cannot_be_registered_and_a_draft_is_not_shown(app, client, actor, world):
    with app.app_context():
        returned = make_proposal(world.delegate_a, activity_status=ActivityStatus.RETURNED)
        draft = make_proposal(
            world.delegate_a, activity_status=ActivityStatus.DRAFT, title="草稿建议"
        )
        approved = make_proposal(world.delegate_a, activity_status=ActivityStatus.APPROVED)
        db.session.commit()
    actor.login("staff_a")
    page = client.get(f"/proposals/{returned}").get_data(as_text=True)
    assert f'action="/proposals/{returned}/register"' not in page
    assert "代表重新提交后才能立案" in page
    assert actor.post(returned, "register", version=1).status_code == 409
    assert actor.post(returned, "reject", version=1, reason="不符合").status_code == 409
    assert snapshot(app, returned)[:2] == (ProposalStatus.SUBMITTED, 1)
    assert client.get(f"/proposals/{draft}").status_code == 404
    assert actor.post(draft, "register", version=1).status_code == 404
    assert audit_rows(app, returned) == audit_rows(app, draft) == []
    assert actor.post(approved, "register", version=1).status_code == 302

    actor.login("dele_a")
    assert client.get(f"/proposals/{draft}").status_code == 404


# --- concurrency ----------------------------------------------------------------------------------


def test_the_second_of_two_staff_gets_409_and_changes_nothing(app, client, auth, world, proposal_a):
    other = app.test_client()
    other.post("/auth/login", data={"username": "staff_city", "password": factories.PASSWORD})
    auth.login("staff_a")
    # both read version 1
    assert 'name="version" type="hidden" value="1"' in client.get(
        f"/proposals/{proposal_a}"
    ).get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in other.get(
        f"/proposals/{proposal_a}"
    ).get_data(as_text=True)

    assert (
        client.post(f"/proposals/{proposal_a}/register", data={"version": "1"}).status_code == 302
    )

    for action, data in (("reject", {"reason": "不予立案"}), ("register", {})):
        response = other.post(f"/proposals/{proposal_a}/{action}", data={"version": "1", **data})
        assert response.status_code == 409
        page = response.get_data(as_text=True)
        assert (
            "这条建议的状态刚刚已有变化（可能已被他人处理），您的操作没有执行。下面是最新状态。"
            in page
        )
        assert "已立案" in page  # the fresh copy
        assert 'name="version" type="hidden" value="2"' in page

    with app.app_context():
        p = db.session.get(Proposal, proposal_a)
        assert (p.status, p.version, p.not_registered_reason) == (ProposalStatus.REGISTERED, 2, "")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 1
    assert audit_rows(app, proposal_a) == [("register", "submitted", "registered")]


def test_a_stale_version_is_refused_even_when_the_state_would_allow_it(app, client, auth, world):
    with app.app_context():
        pid = make_proposal(
            world.delegate_a,
            status=ProposalStatus.ASSIGNED,
            assigned_on=date(2024, 1, 10),
            due_on=date(2024, 4, 10),
            lead_handler_id=body_id("city-transport"),
        )
        db.session.commit()
    other = app.test_client()
    other.post("/auth/login", data={"username": "staff_city", "password": factories.PASSWORD})
    auth.login("staff_a")
    assert client.post(f"/proposals/{pid}/start", data={"version": "1"}).status_code == 302
    # handling still allows a reply, but staff_city read version 1
    response = other.post(
        f"/proposals/{pid}/reply",
        data={"version": "1", "text": "答复", "replied_on": "2024-02-01", "outcome": "A"},
    )
    assert response.status_code == 409
    assert snapshot(app, pid)[:2] + snapshot(app, pid)[6:] == (ProposalStatus.HANDLING, 2, 0, 0)
    assert audit_rows(app, pid) == [("start_handling", "assigned", "handling")]


def test_the_service_refuses_a_stale_version_before_writing(app, world, proposal_a):
    with app.test_request_context():
        p = db.session.get(Proposal, proposal_a)
        staff = db.session.get(User, user_id("staff_a"))
        with pytest.raises(StaleObjectError):
            register_proposal(p, staff, expected_version=7)
        db.session.rollback()
        assert db.session.get(Proposal, proposal_a).status == ProposalStatus.SUBMITTED
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


def test_the_services_refuse_the_wrong_person_and_the_wrong_state(app, world):
    with app.test_request_context():
        pid = make_proposal(world.delegate_a, status=ProposalStatus.REPLIED, replies=1)
        p = db.session.get(Proposal, pid)
        for username in ("dele_a2", "dele_b", "staff_a"):
            with pytest.raises(ProposalActionNotAllowed):
                rate_reply(
                    p, db.session.get(User, user_id(username)), Rating.SATISFIED, expected_version=1
                )
        with pytest.raises(ProposalActionNotAllowed):
            register_proposal(p, db.session.get(User, user_id("dele_a")), expected_version=1)
        with pytest.raises(ProposalStateError):
            register_proposal(p, db.session.get(User, user_id("staff_a")), expected_version=1)
        assert (p.status, p.version, p.replies[0].rating) == (ProposalStatus.REPLIED, 1, None)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


# --- due dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("assigned_on", "is_complex", "due_on"),
    [
        ("2024-11-30", False, date(2025, 2, 28)),
        ("2023-08-31", True, date(2024, 2, 29)),
        ("2024-01-31", False, date(2024, 4, 30)),
        ("2023-08-31", False, date(2023, 11, 30)),
    ],
)
def test_the_reply_is_due_three_months_after_assignment_six_if_complex(
    app, actor, world, assigned_on, is_complex, due_on
):
    with app.app_context():
        pid = make_proposal(world.delegate_a, status=ProposalStatus.REGISTERED)
        lead = body_id("city-ndrc")
        db.session.commit()
    actor.login("staff_city")
    data = {"lead_handler": str(lead), "assigned_on": assigned_on}
    if is_complex:
        data["is_complex"] = "y"
    assert actor.post(pid, "assign", version=1, **data).status_code == 302
    with app.app_context():
        p = db.session.get(Proposal, pid)
        assert (p.assigned_on.isoformat(), p.is_complex, p.due_on) == (
            assigned_on,
            is_complex,
            due_on,
        )


def test_due_flags(app, ctx):
    due = date(2025, 2, 28)
    assert app.config["DUE_SOON_DAYS"] == 14
    for status in (ProposalStatus.ASSIGNED, ProposalStatus.HANDLING):
        assert due_flag(status, due, date(2025, 3, 1)) == DueFlag.OVERDUE
        assert due_flag(status, due, date(2025, 2, 28)) == DueFlag.DUE_SOON
        assert due_flag(status, due, date(2025, 2, 14)) == DueFlag.DUE_SOON
        assert due_flag(status, due, date(2025, 2, 13)) is None
        assert due_flag(status, None, date(2025, 3, 1)) is None
    for status in (
        ProposalStatus.REPLIED,
        ProposalStatus.CLOSED,
        ProposalStatus.SUBMITTED,
        ProposalStatus.REGISTERED,
        ProposalStatus.NOT_REGISTERED,
    ):
        assert due_flag(status, due, date(2025, 3, 1)) is None
        assert due_flag(status, due, date(2025, 2, 28)) is None
    app.config["DUE_SOON_DAYS"] = 30
    assert due_flag(ProposalStatus.HANDLING, due, date(2025, 1, 29)) == DueFlag.DUE_SOON
    assert due_flag(ProposalStatus.HANDLING, due, date(2025, 1, 28)) is None


@pytest.fixture
def four_proposals(app, world):
    """Overdue, due soon, due later, and replied after its due date; all of dele_a."""
    with app.app_context():
        today = local_today()
        lead = body_id("city-transport")
        common = {"assigned_on": date(2023, 9, 1), "lead_handler_id": lead}
        ids = {
            "overdue": make_proposal(
                world.delegate_a,
                title="已超期的建议",
                status=ProposalStatus.HANDLING,
                due_on=today - timedelta(days=1),
                **common,
            ),
            "due_soon": make_proposal(
                world.delegate_a,
                title="快到期的建议",
                status=ProposalStatus.ASSIGNED,
                due_on=today + timedelta(days=5),
                label_code="golden-idea",
                **common,
            ),
            "later": make_proposal(
                world.delegate_a,
                title="还早的建议",
                status=ProposalStatus.HANDLING,
                due_on=today + timedelta(days=60),
                **common,
            ),
            "replied": make_proposal(
                world.delegate_a,
                title="已答复的建议",
                status=ProposalStatus.REPLIED,
                due_on=today - timedelta(days=10),
                replies=1,
                **common,
            ),
        }
        db.session.commit()
        return ids


def test_the_list_filters_by_due_flag_status_and_label(app, client, auth, four_proposals):
    ids = four_proposals
    auth.login("staff_a")
    overdue = client.get("/proposals/?due=overdue").get_data(as_text=True)
    assert listed_ids(overdue) == [ids["overdue"]]
    assert "共 1 条" in overdue
    assert "已超期</span>" in overdue
    due_soon = client.get("/proposals/?due=due_soon").get_data(as_text=True)
    assert listed_ids(due_soon) == [ids["due_soon"]]
    assert "即将到期</span>" in due_soon
    everything = client.get("/proposals/").get_data(as_text=True)
    # the most urgent first
    assert listed_ids(everything) == [ids["replied"], ids["overdue"], ids["due_soon"], ids["later"]]
    assert everything.count("due-overdue") == 1  # the replied one owes nothing
    assert listed_ids(client.get("/proposals/?status=replied").get_data(as_text=True)) == [
        ids["replied"]
    ]
    assert listed_ids(client.get("/proposals/?label=golden-idea").get_data(as_text=True)) == [
        ids["due_soon"]
    ]
    # unknown values are ignored, not errors
    assert (
        len(listed_ids(client.get("/proposals/?due=tomorrow&status=xx").get_data(as_text=True)))
        == 4
    )
    page = client.get(f"/proposals/{ids['overdue']}").get_data(as_text=True)
    assert "已超期</span>" in page


def test_staff_filter_by_delegation_and_delegates_see_only_their_own(app, client, auth, world):
    with app.app_context():
        mine = make_proposal(world.delegate_a, title="马秀兰的建议")
        colleague = make_proposal(world.delegate_a2, title="王建国的建议")
        qilihe = make_proposal(world.delegate_b, title="李文华的建议")
        qilihe_id = factories.delegation("qilihe").id
        db.session.commit()
    auth.login("staff_city")
    assert listed_ids(client.get("/proposals/").get_data(as_text=True)) == [qilihe, colleague, mine]
    assert listed_ids(client.get(f"/proposals/?delegation={qilihe_id}").get_data(as_text=True)) == [
        qilihe
    ]
    auth.logout()
    auth.login("staff_a")
    assert listed_ids(client.get("/proposals/").get_data(as_text=True)) == [colleague, mine]
    auth.logout()
    auth.login("dele_a")
    page = client.get(f"/proposals/?delegation={qilihe_id}").get_data(as_text=True)
    assert '<h1 class="h3 mb-0">我的建议</h1>' in page
    assert listed_ids(page) == [mine]
    assert client.get(f"/proposals/{colleague}").status_code == 404


# --- bad input comes back to the form ---------------------------------------------------------------


def test_bad_assignment_input_is_shown_at_the_field_and_kept(app, actor, world):
    with app.app_context():
        pid = make_proposal(world.delegate_a, status=ProposalStatus.REGISTERED)
        transport = body_id("city-transport")
        db.session.commit()
    actor.login("staff_a")
    response = actor.post(pid, "assign", version=1, lead_handler="", assigned_on="2024-11-30")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_error(page, "lead_handler") == "请选择主办单位。"
    assert 'value="2024-11-30"' in page

    future = (local_today_in(app) + timedelta(days=1)).isoformat()
    page = actor.post(
        pid, "assign", version=1, lead_handler=str(transport), assigned_on=future
    ).get_data(as_text=True)
    assert field_error(page, "assigned_on") == "交办日期不能晚于今天。"
    assert f'<option selected value="{transport}">' in page

    page = actor.post(
        pid, "assign", version=1, lead_handler=str(transport), assigned_on="2023-08-24"
    ).get_data(as_text=True)
    assert field_error(page, "assigned_on") == "交办日期不能早于建议提出的日期。"

    page = actor.post(
        pid,
        "assign",
        version=1,
        lead_handler=str(transport),
        co_handlers=[str(transport)],
        assigned_on="2024-11-30",
    ).get_data(as_text=True)
    assert field_error(page, "co_handlers") == "主办单位不必再选为协办单位。"

    assert snapshot(app, pid)[:2] == (ProposalStatus.REGISTERED, 1)
    assert audit_rows(app, pid) == []


def test_bad_reply_input_is_shown_at_the_field_and_kept(app, actor, world):
    with app.app_context():
        pid = make_proposal(
            world.delegate_a,
            status=ProposalStatus.HANDLING,
            assigned_on=date(2024, 11, 30),
            due_on=date(2025, 2, 28),
            lead_handler_id=body_id("city-transport"),
        )
        db.session.commit()
    actor.login("staff_a")
    response = actor.post(
        pid, "reply", version=1, text="已纳入计划。", replied_on="2024-11-29", outcome="C"
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_error(page, "replied_on") == "答复日期不能早于交办日期。"
    assert "已纳入计划。</textarea>" in page
    assert 'value="C" autocomplete="off" checked' in page

    future = (local_today_in(app) + timedelta(days=1)).isoformat()
    page = actor.post(pid, "reply", version=1, text="", replied_on=future).get_data(as_text=True)
    assert field_error(page, "text") == "请填写答复内容。"
    assert field_error(page, "replied_on") == "答复日期不能晚于今天。"
    assert field_error(page, "outcome") == "请选择办理结果。"
    assert snapshot(app, pid)[:2] == (ProposalStatus.HANDLING, 1)
    assert audit_rows(app, pid) == []


def test_a_rating_must_be_chosen(app, actor, world):
    with app.app_context():
        pid = make_proposal(world.delegate_a, status=ProposalStatus.REPLIED, replies=1)
        db.session.commit()
    actor.login("dele_a")
    response = actor.post(pid, "rate", version=1, note="还行")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_error(page, "rating") == "请选择满意、基本满意或不满意。"
    assert "还行</textarea>" in page
    assert snapshot(app, pid)[:2] == (ProposalStatus.REPLIED, 1)


def test_a_retired_body_is_not_offered_and_cannot_be_assigned(app, client, actor, world):
    with app.app_context():
        pid = make_proposal(world.delegate_a, status=ProposalStatus.REGISTERED)
        water = db.session.get(HandlingBody, body_id("city-water"))
        water.retired_at = utcnow()
        db.session.commit()
        water_id = water.id
    actor.login("staff_a")
    page = client.get(f"/proposals/{pid}").get_data(as_text=True)
    assert "市交通运输局" in page
    assert "市水务局" not in page
    page = actor.post(
        pid, "assign", version=1, lead_handler=str(water_id), assigned_on="2024-11-30"
    ).get_data(as_text=True)
    assert field_error(page, "lead_handler") == "所选项不在可选范围内，请重新选择。"
    assert snapshot(app, pid)[:2] == (ProposalStatus.REGISTERED, 1)


# --- urging --------------------------------------------------------------------------------------


def test_urging_records_who_and_when_and_changes_no_state(app, client, actor, world):
    with app.app_context():
        pid = make_proposal(
            world.delegate_a,
            status=ProposalStatus.ASSIGNED,
            assigned_on=date(2024, 1, 10),
            due_on=date(2024, 4, 10),
            lead_handler_id=body_id("city-transport"),
        )
        db.session.commit()
    actor.login("staff_a")
    assert actor.post(pid, "urge", version=1, note="已电话督促市交通运输局").status_code == 302
    actor.login("staff_city")
    assert actor.post(pid, "urge", version=1).status_code == 302
    with app.app_context():
        urgings = db.session.scalars(sa.select(ProposalUrging).order_by(ProposalUrging.id)).all()
        assert [(u.urged_by_id, u.note) for u in urgings] == [
            (user_id("staff_a"), "已电话督促市交通运输局"),
            (user_id("staff_city"), ""),
        ]
        now = utcnow()
        assert all(now - timedelta(minutes=1) <= u.urged_at <= now for u in urgings)
    assert snapshot(app, pid)[:2] == (ProposalStatus.ASSIGNED, 1)
    assert audit_rows(app, pid) == [("urge", "", ""), ("urge", "", "")]
    page = client.get(f"/proposals/{pid}").get_data(as_text=True)
    assert "督办记录" in page
    assert "城关区工作人员" in page
    assert "市代表工委" in page
    assert "已电话督促市交通运输局" in page


# --- handling bodies -------------------------------------------------------------------------------


def handling_body_audit(app) -> list[tuple[str, str, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(
                AuditEntry.action, AuditEntry.from_state, AuditEntry.to_state, AuditEntry.note
            )
            .where(AuditEntry.object_type == "handling_body")
            .order_by(AuditEntry.id)
        )
        return [tuple(r) for r in rows]


def test_city_staff_add_rename_retire_and_restore_a_handling_body(app, client, auth, world):
    auth.login("staff_city")
    page = client.get("/proposals/handlers").get_data(as_text=True)
    assert "市交通运输局" in page
    response = client.post(
        "/proposals/handlers", data={"name": "市林业局", "code": "City-Forestry"}
    )
    assert response.status_code == 302
    with app.app_context():
        body = db.session.scalar(
            sa.select(HandlingBody).where(HandlingBody.code == "city-forestry")
        )
        assert body.name == "市林业局"
        last = db.session.scalar(sa.select(sa.func.max(HandlingBody.position)))
        assert body.position == last
        forestry = body.id

    # the same code again is refused at the field, with what was typed kept
    response = client.post("/proposals/handlers", data={"name": "林业局", "code": "city-forestry"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_error(page, "code") == "这个代码已被其他单位使用，请换一个。"
    assert 'value="林业局"' in page
    page = client.post("/proposals/handlers", data={"name": "", "code": "有中文"}).get_data(
        as_text=True
    )
    assert field_error(page, "name") == "请填写单位名称。"
    assert field_error(page, "code") == "代码只能包含英文小写字母、数字和“-”，例如 city-transport。"

    assert (
        client.post(
            f"/proposals/handlers/{forestry}", data={"name": "市林业和草原局", "action": "rename"}
        ).status_code
        == 302
    )
    page = client.post(
        f"/proposals/handlers/{forestry}", data={"name": "", "action": "rename"}
    ).get_data(as_text=True)
    assert field_error(page, f"name-{forestry}") == "请填写单位名称。"
    assert (
        client.post(
            f"/proposals/handlers/{forestry}", data={"name": "市林业和草原局", "action": "retire"}
        ).status_code
        == 302
    )
    with app.app_context():
        body = db.session.get(HandlingBody, forestry)
        assert (body.name, body.is_retired) == ("市林业和草原局", True)
    assert "已停用" in client.get("/proposals/handlers").get_data(as_text=True)
    assert (
        client.post(
            f"/proposals/handlers/{forestry}", data={"name": "市林业和草原局", "action": "restore"}
        ).status_code
        == 302
    )
    with app.app_context():
        assert db.session.get(HandlingBody, forestry).is_retired is False

    assert handling_body_audit(app) == [
        ("create", "", "active", "市林业局"),
        ("edit", "", "", "市林业局 → 市林业和草原局"),
        ("retire", "active", "retired", ""),
        ("restore", "retired", "active", ""),
    ]


@pytest.mark.parametrize("username", ["staff_a", "dele_a", "dele_b"])
def test_handling_bodies_are_managed_only_by_admins_and_city_staff(
    app, client, auth, world, username
):
    with app.app_context():
        transport = body_id("city-transport")
        count = db.session.scalar(sa.select(sa.func.count()).select_from(HandlingBody))
    auth.login(username)
    assert client.get("/proposals/handlers").status_code == 403
    assert (
        client.post(
            "/proposals/handlers", data={"name": "市林业局", "code": "forestry"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/proposals/handlers/{transport}", data={"name": "改名", "action": "rename"}
        ).status_code
        == 403
    )
    assert (
        client.post(f"/proposals/handlers/{transport}", data={"action": "retire"}).status_code
        == 403
    )
    with app.app_context():
        body = db.session.get(HandlingBody, transport)
        assert (body.name, body.is_retired) == ("市交通运输局", False)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(HandlingBody)) == count
    assert handling_body_audit(app) == []
    assert "管理承办单位" not in client.get("/proposals/").get_data(as_text=True)


def test_an_admin_manages_handling_bodies(app, client, auth, world):
    auth.login("admin")
    assert "管理承办单位" in client.get("/proposals/").get_data(as_text=True)
    assert client.get("/proposals/handlers").status_code == 200
    assert (
        client.post(
            "/proposals/handlers", data={"name": "市林业局", "code": "forestry"}
        ).status_code
        == 302
    )
    assert client.post("/proposals/handlers/999999", data={"action": "retire"}).status_code == 404
