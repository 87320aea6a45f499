"""Properties checked on generated input (Hypothesis).

- The activity form, through the app: whatever is typed in, the answer is either the form again
  with Chinese messages or a stored entry holding exactly what was typed — never a 500 (a NUL
  character, which no keyboard types, is refused with the 400 page).
- The review of an entry, driven through its services in random order: the status is always a
  known one, the rollups always equal a recount of the approved entries, every change bumps the
  version by one, and a refused change raises the service's error and leaves everything as it
  was.
- The handling of a proposal, the same way.

One app and database per test; each state-machine run works inside one transaction that is
rolled back at its end, so runs start from the same committed rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tracker.activities.forms import MAX_PEOPLE_REACHED, TEXT_MAX, TITLE_MAX, ActivityInput
from tracker.activities.services import ActivityStateError, submit_activity, update_activity
from tracker.admin.accounts import create_user
from tracker.concurrency import StaleObjectError
from tracker.dates import local_today
from tracker.enums import ActivityStatus, ProposalOutcome, ProposalStatus, Rating, Role
from tracker.extensions import db
from tracker.models import (
    Activity,
    ActivityRollup,
    AuditEntry,
    Delegate,
    DelegateRollup,
    FocusRollup,
    HandlingBody,
    Notification,
    Proposal,
    ProposalLabel,
    User,
    activity_focus_area,
)
from tracker.proposals.services import (
    ProposalActionNotAllowed,
    ProposalStateError,
    assign_proposal,
    rate_reply,
    record_reply,
    register_proposal,
    reject_proposal,
    start_handling,
    urge_proposal,
)
from tracker.review.services import approve_activity, reopen_activity, return_activity

from . import factories

FORM_EXAMPLES = settings(
    max_examples=80,
    deadline=None,
    database=None,  # nothing written into the shared working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
MACHINE_RUNS = settings(
    max_examples=60,
    stateful_step_count=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

CJK = re.compile(r"[\u4e00-\u9fff]")
# WTForms' own English messages must never reach a user.
ENGLISH_DEFAULTS = ("Not a valid", "This field is required", "Field must be", "Invalid")


def user_named(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


# --- (a) the activity form ----------------------------------------------------------------------

EDGE_TEXTS = [
    "",
    " ",
    "\u3000",
    "\t\n",
    "a" * TITLE_MAX,
    "a" * (TITLE_MAX + 1),
    "标" * TITLE_MAX,
    " " + "b" * TITLE_MAX + " ",
    "\x00",
    "<script>alert(1)</script>",
    "=1+2",
    "😀" * 60,
]
# Each field is drawn from what a person would type about half the time, so that a fair share
# of examples is stored, and from anything at all the rest of the time.
titles = st.one_of(
    st.text(min_size=1, max_size=TITLE_MAX).filter(str.strip),
    st.text(max_size=130),
    st.sampled_from(EDGE_TEXTS),
)
descriptions = st.one_of(
    st.text(max_size=200),
    st.sampled_from(["", "x" * TEXT_MAX, "x" * (TEXT_MAX + 1), "\x00"]),
)
people = st.one_of(
    st.integers(min_value=0, max_value=MAX_PEOPLE_REACHED).map(str),
    st.integers(min_value=0, max_value=MAX_PEOPLE_REACHED).map(str),
    st.integers(min_value=-(10**6), max_value=10**6).map(str),
    st.integers().map(str),
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            str(MAX_PEOPLE_REACHED),
            str(MAX_PEOPLE_REACHED + 1),
            "-1",
            "1.5",
            "1e3",
            "+5",
            " 7 ",
            "0x10",
            "١٢",
            "1_000",
            "9" * 5000,
            "NaN",
        ]
    ),
)
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%Y年%m月%d日", "%Y-%m-%dT00:00"]
dates = st.one_of(
    st.dates(min_value=date(2023, 8, 24), max_value=date(2025, 12, 31)).map(date.isoformat),
    st.dates(min_value=date(2023, 8, 24), max_value=date(2025, 12, 31)).map(date.isoformat),
    st.builds(
        lambda day, fmt: day.strftime(fmt),
        st.dates(min_value=date(1000, 1, 1), max_value=date(2200, 12, 31)),
        st.sampled_from(DATE_FORMATS),
    ),
    st.dates(min_value=date(2023, 8, 1), max_value=date(2030, 1, 1)).map(date.isoformat),
    st.text(max_size=14),
    st.sampled_from(
        [
            "",
            "2024-02-30",
            "2024-13-01",
            "0000-01-01",
            "2024-5-1",
            "9999-12-31",
            " 2024-05-01",
            "2024-05-01 ",
        ]
    ),
)


@dataclass
class Expected:
    """What the form should make of one submission (None: refused)."""

    title: str
    description: str
    people_reached: int
    occurred_on: date


# Control characters other than tab, LF and CR are dropped where a request enters.
CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def expected_entry(title, description, people_text, day_text, starts_on, today) -> Expected | None:
    """The rules the form states, written independently of it."""
    title, description, people_text, day_text = (
        CONTROL.sub("", text) for text in (title, description, people_text, day_text)
    )
    title_kept, description_kept = title.strip(), description.strip()
    if not title_kept or len(title_kept) > TITLE_MAX or len(description_kept) > TEXT_MAX:
        return None
    if not people_text.strip():
        people_reached = 0
    else:
        try:
            people_reached = int(people_text)
        except ValueError:
            return None
        if not 0 <= people_reached <= MAX_PEOPLE_REACHED:
            return None
    try:
        occurred_on = datetime.strptime(day_text, "%Y-%m-%d").date()
    except ValueError:
        return None
    if not starts_on <= occurred_on <= today:
        return None
    return Expected(title_kept, description_kept, people_reached, occurred_on)


def error_messages(page: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", m).strip()
        for m in re.findall(r'class="invalid-feedback[^"]*"[^>]*>(.*?)</div>', page, re.S)
    ]


@pytest.fixture
def logged_in_delegate(app, world, client, auth):
    auth.login("dele_a")
    with app.app_context():
        campaign = factories.campaign()
        return {
            "initiative": factories.initiative(1).code,
            "starts_on": campaign.starts_on,
            "today": local_today(),
        }


def activity_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Activity))


@FORM_EXAMPLES
@given(title=titles, description=descriptions, people_text=people, day_text=dates)
def test_the_activity_form_answers_any_input_with_chinese_errors_or_a_stored_entry(
    app, client, logged_in_delegate, title, description, people_text, day_text
):
    before = activity_count(app)
    response = client.post(
        "/activities/new",
        data={
            "kind": "study",
            "initiative": logged_in_delegate["initiative"],
            "title": title,
            "description": description,
            "people_reached": people_text,
            "occurred_on": day_text,
            "save_draft": "保存草稿",
        },
    )
    expected = expected_entry(
        title,
        description,
        people_text,
        day_text,
        logged_in_delegate["starts_on"],
        logged_in_delegate["today"],
    )
    note(f"status {response.status_code}, expected {expected}")
    if any("\x00" in text for text in (title, description, people_text, day_text)):
        # No keyboard types a NUL and PostgreSQL can't store one: refused before the form.
        event("refused: NUL")
        assert response.status_code == 400
        assert "提交的内容含有无法保存的控制字符（如 NUL）" in response.get_data(as_text=True)
        assert activity_count(app) == before
        return
    assert response.status_code in (200, 302), response.status_code
    # A title of spaces only is let through by the form today (InputRequired looks at the
    # raw value): test_a_title_of_spaces_only_is_refused covers it; here anything goes.
    blank_title = bool(title) and not title.strip()

    event("stored" if response.status_code == 302 else "refused")
    if response.status_code == 302:
        match = re.fullmatch(r"/activities/(\d+)", response.headers["Location"])
        assert match, response.headers["Location"]
        assert activity_count(app) == before + 1
        if blank_title:
            return
        assert expected is not None, "stored although the input breaks a rule"
        with app.app_context():
            stored = db.session.get(Activity, int(match.group(1)))
            assert stored.status == ActivityStatus.DRAFT
            assert (
                stored.title,
                stored.description,
                stored.people_reached,
                stored.occurred_on,
            ) == (
                expected.title,
                expected.description,
                expected.people_reached,
                expected.occurred_on,
            )
        return

    page = response.get_data(as_text=True)
    assert activity_count(app) == before
    assert 'id="form-errors"' in page
    messages = error_messages(page)
    assert messages, "a refused form says what to change"
    for message in messages:
        assert CJK.search(message), message
        assert not any(english in message for english in ENGLISH_DEFAULTS), message
    assert blank_title or expected is None, f"refused valid input: {messages}"


def test_a_title_of_spaces_only_is_refused(app, client, logged_in_delegate):
    response = client.post(
        "/activities/new",
        data={
            "kind": "study",
            "initiative": logged_in_delegate["initiative"],
            "title": "   ",
            "occurred_on": "2024-05-01",
            "save_draft": "保存草稿",
        },
    )
    assert response.status_code == 200
    assert activity_count(app) == 0


# --- (b) the review of one entry ------------------------------------------------------------------

reasons = st.one_of(st.text(max_size=30), st.sampled_from(["", "   ", "请补充走访对象。"]))
# None: the version the caller read is the current one; a number: how far off a stale one is.
version_offsets = st.one_of(st.none(), st.none(), st.sampled_from([-2, -1, 1, 5]))


def rollup_totals() -> tuple[int, int, int, int]:
    """(activities, people) in ActivityRollup, activities in DelegateRollup and FocusRollup."""
    return (
        db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(ActivityRollup.activities), 0))),
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(ActivityRollup.people_reached), 0))
        ),
        db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(DelegateRollup.activities), 0))),
        db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(FocusRollup.activities), 0))),
    )


def recount() -> tuple[int, int, int, int]:
    """The same totals counted from the approved entries themselves."""
    approved = Activity.status == ActivityStatus.APPROVED
    count, people_reached = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Activity.people_reached), 0)).where(
            approved
        )
    ).one()
    focus = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(activity_focus_area)
        .join(Activity, Activity.id == activity_focus_area.c.activity_id)
        .where(approved)
    )
    return count, people_reached, count, focus


def rollups_by_month() -> dict[date, int]:
    rows = db.session.execute(
        sa.select(ActivityRollup.month, sa.func.sum(ActivityRollup.activities)).group_by(
            ActivityRollup.month
        )
    ).all()
    return {month: n for month, n in rows if n}


def activity_snapshot(activity_id: int) -> tuple:
    """Everything a refused change must leave as it was (read from the database)."""
    row = db.session.execute(
        sa.select(
            Activity.status,
            Activity.version,
            Activity.review_note,
            Activity.approved_at,
            Activity.reviewed_at,
            Activity.people_reached,
            Activity.occurred_on,
        ).where(Activity.id == activity_id)
    ).one()
    counts = tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (AuditEntry, Notification)
    )
    return (*row, *counts, rollup_totals())


@pytest.fixture
def review_case(app, world):
    """One submitted entry of delegate A, with a second, approved entry around it."""
    with app.test_request_context():
        delegate = db.session.get(Delegate, world.delegate_a)
        other = factories.make_activity(
            db.session.get(Delegate, world.delegate_b),
            status=ActivityStatus.SUBMITTED,
            people_reached=4,
        )
        approve_activity(other, user_named("staff_city"), expected_version=other.version)
        entry = factories.make_activity(delegate, status=ActivityStatus.SUBMITTED, people_reached=3)
        db.session.commit()
        campaign = factories.campaign()
        return {
            "activity_id": entry.id,
            "focus_ids": [f.id for f in campaign.focus_areas],
            "starts_on": campaign.starts_on,
        }


def test_review_in_any_order_keeps_its_invariants(app, review_case):
    activity_id = review_case["activity_id"]

    class ReviewMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.context = app.test_request_context()
            self.context.push()
            self.activity = db.session.get(Activity, activity_id)
            self.reviewer = user_named("staff_city")
            self.author = user_named("dele_a")
            self.model = ActivityStatus.SUBMITTED

        def teardown(self):
            db.session.rollback()
            self.context.pop()

        # -- helpers --

        def version(self, offset):
            return self.activity.version + (offset or 0)

        def attempt(self, change, allowed_from, to, offset, reason=None):
            """Run ``change``; it must succeed exactly when the model says so."""
            before = activity_snapshot(activity_id)
            state_ok = self.model in allowed_from
            reason_ok = reason is None or bool(reason.replace("\x00", "").strip())
            if state_ok and reason_ok and offset is None:
                change()
                after = db.session.get(Activity, activity_id)
                assert after.status == to
                assert after.version == before[1] + 1
                event(f"entry {self.model.value} -> {to.value}")
                self.model = to
                return
            expected = set()
            if not state_ok:
                expected.add(ActivityStateError)
            if not reason_ok:
                expected.add(ValueError)
            if offset is not None:
                expected.add(StaleObjectError)
            with pytest.raises(tuple(expected)) as raised:
                change()
            note(f"refused with {raised.type.__name__}")
            # the first problem found is reported; a stale version is found last
            if raised.type is StaleObjectError:
                assert expected == {StaleObjectError}
            assert activity_snapshot(activity_id) == before

        # -- the moves --

        @rule(offset=version_offsets)
        def approve(self, offset):
            self.attempt(
                lambda: approve_activity(
                    self.activity, self.reviewer, expected_version=self.version(offset)
                ),
                {ActivityStatus.SUBMITTED},
                ActivityStatus.APPROVED,
                offset,
            )

        @rule(reason=reasons, offset=version_offsets)
        def send_back(self, reason, offset):
            self.attempt(
                lambda: return_activity(
                    self.activity, self.reviewer, reason, expected_version=self.version(offset)
                ),
                {ActivityStatus.SUBMITTED},
                ActivityStatus.RETURNED,
                offset,
                reason,
            )

        @rule(reason=reasons, offset=version_offsets)
        def reopen(self, reason, offset):
            self.attempt(
                lambda: reopen_activity(
                    self.activity, self.reviewer, reason, expected_version=self.version(offset)
                ),
                {ActivityStatus.APPROVED},
                ActivityStatus.RETURNED,
                offset,
                reason,
            )

        @rule(offset=version_offsets)
        def resubmit(self, offset):
            self.attempt(
                lambda: submit_activity(
                    self.activity, self.author, expected_version=self.version(offset)
                ),
                {ActivityStatus.DRAFT, ActivityStatus.RETURNED},
                ActivityStatus.SUBMITTED,
                offset,
            )

        @rule(
            people_reached=st.integers(min_value=0, max_value=MAX_PEOPLE_REACHED),
            days_later=st.integers(min_value=0, max_value=400),
            focus=st.lists(st.sampled_from(review_case["focus_ids"]), max_size=3, unique=True),
            offset=version_offsets,
        )
        def edit(self, people_reached, days_later, focus, offset):
            """The delegate fixes the entry: other numbers, another month, other focus areas."""
            a = self.activity
            data = ActivityInput(
                kind_id=a.kind_id,
                initiative_id=a.initiative_id,
                call_id=None,
                occurred_on=review_case["starts_on"] + timedelta(days=days_later),
                station_id=None,
                place="",
                people_reached=people_reached,
                title=a.title,
                description="",
                outcome="",
                focus_area_ids=focus,
            )
            current = self.model
            self.attempt(
                lambda: update_activity(
                    a, data, self.author, expected_version=self.version(offset), submit=False
                ),
                {ActivityStatus.DRAFT, ActivityStatus.RETURNED},
                current,
                offset,
            )

        # -- always true --

        @invariant()
        def status_is_known_and_as_modelled(self):
            status = db.session.scalar(sa.select(Activity.status).where(Activity.id == activity_id))
            assert isinstance(status, ActivityStatus)
            assert status == self.model

        @invariant()
        def rollups_count_exactly_the_approved_entries(self):
            assert rollup_totals() == recount()
            # and each entry in the month it happened in
            expected: dict[date, int] = {}
            for day in db.session.scalars(
                sa.select(Activity.occurred_on).where(Activity.status == ActivityStatus.APPROVED)
            ):
                month = day.replace(day=1)
                expected[month] = expected.get(month, 0) + 1
            assert rollups_by_month() == expected

    run_state_machine_as_test(ReviewMachine, settings=MACHINE_RUNS)


# --- (c) the handling of one proposal -------------------------------------------------------------

ASSIGNED_ON = date(2024, 1, 10)
REPLIED_ON = date(2024, 2, 1)
TODAY = date(2024, 6, 1)
texts = st.one_of(st.text(max_size=20), st.sampled_from(["", "  ", "已答复"]))


def proposal_snapshot(proposal_id: int) -> tuple:
    p = db.session.execute(
        sa.select(
            Proposal.status,
            Proposal.version,
            Proposal.round,
            Proposal.due_on,
            Proposal.rating,
            Proposal.lead_handler_id,
            Proposal.closed_at,
            Proposal.not_registered_reason,
        ).where(Proposal.id == proposal_id)
    ).one()
    counts = tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (AuditEntry, Notification)
    )
    return (*p, *counts)


@pytest.fixture
def proposal_case(app, world):
    with app.app_context():
        create_user(
            username="staff_b",
            display_name="七里河区工作人员",
            role=Role.STAFF,
            password=factories.PASSWORD,
            delegation=factories.delegation("qilihe"),
        )
        activity = factories.make_activity(
            db.session.get(Delegate, world.delegate_a),
            kind_code="proposal",
            status=ActivityStatus.SUBMITTED,
        )
        label = db.session.scalar(sa.select(ProposalLabel).order_by(ProposalLabel.id).limit(1))
        proposal = Proposal(activity=activity, label=label, content="建议增设公交线路。")
        db.session.add(proposal)
        db.session.commit()
        bodies = [
            b.id
            for b in db.session.scalars(
                sa.select(HandlingBody)
                .where(HandlingBody.retired_at.is_(None))
                .order_by(HandlingBody.id)
            )
        ]
        assert len(bodies) >= 2
        return {"proposal_id": proposal.id, "bodies": bodies[:3]}


AWAITING_REPLY = {ProposalStatus.ASSIGNED, ProposalStatus.HANDLING}


def test_proposal_handling_in_any_order_keeps_its_invariants(app, proposal_case):
    proposal_id = proposal_case["proposal_id"]

    class ProposalMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.context = app.test_request_context()
            self.context.push()
            self.proposal = db.session.get(Proposal, proposal_id)
            self.staff = user_named("staff_a")
            self.delegate = user_named("dele_a")
            self.model = ProposalStatus.SUBMITTED
            self.replies = 0
            self.unsatisfied = 0
            self.urgings = 0

        def teardown(self):
            db.session.rollback()
            self.context.pop()

        def version(self, offset):
            return self.proposal.version + (offset or 0)

        def attempt(self, change, allowed_from, to, offset, *, text_ok=True):
            before = proposal_snapshot(proposal_id)
            state_ok = self.model in allowed_from
            if state_ok and text_ok and offset is None:
                change()
                after = proposal_snapshot(proposal_id)
                assert after[0] == to
                assert after[1] == before[1] + 1, "one change, one version"
                last = db.session.scalar(
                    sa.select(AuditEntry)
                    .where(
                        AuditEntry.object_type == "proposal", AuditEntry.object_id == proposal_id
                    )
                    .order_by(AuditEntry.id.desc())
                    .limit(1)
                )
                assert last.to_state == to.value
                event(f"proposal {self.model.value} -> {to.value}")
                self.model = to
                return True
            expected = set()
            if not state_ok:
                expected.add(ProposalStateError)
            if not text_ok:
                expected.add(ValueError)
            if offset is not None:
                expected.add(StaleObjectError)
            with pytest.raises(tuple(expected)) as raised:
                change()
            if raised.type is StaleObjectError:
                assert expected == {StaleObjectError}
            assert proposal_snapshot(proposal_id) == before
            return False

        @rule(offset=version_offsets)
        def register(self, offset):
            self.attempt(
                lambda: register_proposal(
                    self.proposal, self.staff, expected_version=self.version(offset)
                ),
                {ProposalStatus.SUBMITTED},
                ProposalStatus.REGISTERED,
                offset,
            )

        @rule(reason=texts, offset=version_offsets)
        def refuse(self, reason, offset):
            self.attempt(
                lambda: reject_proposal(
                    self.proposal, self.staff, reason, expected_version=self.version(offset)
                ),
                {ProposalStatus.SUBMITTED},
                ProposalStatus.NOT_REGISTERED,
                offset,
                text_ok=bool(reason.replace("\x00", "").strip()),
            )

        @rule(
            which=st.integers(min_value=0, max_value=2),
            is_complex=st.booleans(),
            offset=version_offsets,
        )
        def assign(self, which, is_complex, offset):
            bodies = proposal_case["bodies"]
            lead = db.session.get(HandlingBody, bodies[which % len(bodies)])
            self.attempt(
                lambda: assign_proposal(
                    self.proposal,
                    self.staff,
                    lead_handler=lead,
                    is_complex=is_complex,
                    assigned_on=ASSIGNED_ON,
                    expected_version=self.version(offset),
                ),
                {ProposalStatus.REGISTERED},
                ProposalStatus.ASSIGNED,
                offset,
            )

        @rule(offset=version_offsets)
        def start(self, offset):
            self.attempt(
                lambda: start_handling(
                    self.proposal, self.staff, expected_version=self.version(offset)
                ),
                {ProposalStatus.ASSIGNED},
                ProposalStatus.HANDLING,
                offset,
            )

        @rule(text=texts, outcome=st.sampled_from(list(ProposalOutcome)), offset=version_offsets)
        def reply(self, text, outcome, offset):
            if self.attempt(
                lambda: record_reply(
                    self.proposal,
                    self.staff,
                    text=text,
                    replied_on=REPLIED_ON,
                    outcome=outcome,
                    expected_version=self.version(offset),
                    today=TODAY,
                ),
                AWAITING_REPLY,
                ProposalStatus.REPLIED,
                offset,
                text_ok=bool(text.replace("\x00", "").strip()),
            ):
                self.replies += 1

        @rule(rating=st.sampled_from(list(Rating)), offset=version_offsets)
        def rate(self, rating, offset):
            to = ProposalStatus.CLOSED if rating != Rating.UNSATISFIED else ProposalStatus.HANDLING
            if (
                self.attempt(
                    lambda: rate_reply(
                        self.proposal,
                        self.delegate,
                        rating,
                        expected_version=self.version(offset),
                        today=TODAY,
                    ),
                    {ProposalStatus.REPLIED},
                    to,
                    offset,
                )
                and rating == Rating.UNSATISFIED
            ):
                self.unsatisfied += 1

        @rule(
            outcome=st.sampled_from(list(ProposalOutcome)),
            rating=st.sampled_from(list(Rating)),
            is_complex=st.booleans(),
        )
        def advance(self, outcome, rating, is_complex):
            """The next regular step from where the proposal stands, so that runs get deep."""
            step = {
                ProposalStatus.SUBMITTED: lambda: self.register(None),
                ProposalStatus.REGISTERED: lambda: self.assign(0, is_complex, None),
                ProposalStatus.ASSIGNED: lambda: self.start(None),
                ProposalStatus.HANDLING: lambda: self.reply("已答复", outcome, None),
                ProposalStatus.REPLIED: lambda: self.rate(rating, None),
            }.get(self.model, lambda: self.register(None))  # a final state refuses it
            step()

        @rule(note_text=texts)
        def urge(self, note_text):
            """督办 is recorded without changing the state or the version."""
            before = proposal_snapshot(proposal_id)
            if self.model in AWAITING_REPLY:
                urge_proposal(self.proposal, self.staff, note_text)
                self.urgings += 1
                after = proposal_snapshot(proposal_id)
                assert after[:8] == before[:8]
                assert after[8] == before[8] + 1  # one audit row
            else:
                with pytest.raises(ProposalStateError):
                    urge_proposal(self.proposal, self.staff, note_text)
                assert proposal_snapshot(proposal_id) == before

        @rule(
            action=st.sampled_from(["register", "rate", "start"]),
            who=st.sampled_from(["dele_b", "dele_a2", "staff_b"]),
        )
        def someone_else_tries(self, action, who):
            """Whatever the state, the wrong person is refused and nothing changes."""
            before = proposal_snapshot(proposal_id)
            user = user_named(who)
            change = {
                "register": lambda: register_proposal(
                    self.proposal, user, expected_version=self.proposal.version
                ),
                "rate": lambda: rate_reply(
                    self.proposal,
                    user,
                    Rating.SATISFIED,
                    expected_version=self.proposal.version,
                    today=TODAY,
                ),
                "start": lambda: start_handling(
                    self.proposal, user, expected_version=self.proposal.version
                ),
            }[action]
            with pytest.raises(ProposalActionNotAllowed):
                change()
            assert proposal_snapshot(proposal_id) == before

        @precondition(lambda self: self.model == ProposalStatus.HANDLING and self.replies)
        @rule(rating=st.sampled_from(list(Rating)))
        def staff_cannot_rate(self, rating):
            before = proposal_snapshot(proposal_id)
            with pytest.raises(ProposalActionNotAllowed):
                rate_reply(
                    self.proposal,
                    self.staff,
                    rating,
                    expected_version=self.proposal.version,
                    today=TODAY,
                )
            assert proposal_snapshot(proposal_id) == before

        @invariant()
        def state_and_history_agree(self):
            p = db.session.get(Proposal, proposal_id)
            assert isinstance(p.status, ProposalStatus)
            assert p.status == self.model
            assert len(p.replies) == self.replies
            assert len(p.urgings) == self.urgings
            assert p.round == 1 + self.unsatisfied
            assert all(r.round <= p.round for r in p.replies)
            latest = p.latest_reply
            # a reply waits for its rating exactly while the proposal is 'replied'
            assert (p.status == ProposalStatus.REPLIED) == (
                latest is not None and latest.rating is None
            )
            assert (p.closed_at is not None) == (p.status == ProposalStatus.CLOSED)
            if p.status not in (
                ProposalStatus.SUBMITTED,
                ProposalStatus.REGISTERED,
                ProposalStatus.NOT_REGISTERED,
            ):
                assert p.lead_handler_id is not None and p.due_on is not None

    run_state_machine_as_test(ProposalMachine, settings=MACHINE_RUNS)
