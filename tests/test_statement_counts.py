"""SQL statements per page: a count, not a time, and the same count at two data sizes.

Each main page is requested over a database holding a few rows and ten times as many (five
and fifty delegates, their entries, proposals and concerns), and every statement the request
sends is counted (``before_cursor_execute`` on the engine). A page that loads what a row shows
one row at a time sends more statements at the larger size; the tests assert the exact count
and that it is the same at both sizes. Logging in happens before counting starts.

The pages list what the bigger size makes bigger: 我的履职 and the drill-downs more entries,
proposals and concerns, the review queue more submitted entries, the record more approved
entries and proposals, the proposal and concern lists more rows, the roster more delegates;
the entry shown on the detail pages has more concerns, participants and history rows by more
actors. The activity POST is sent over both databases with the same form. A page's list is
set to show every row (PAGE_SIZE 100), so the bigger size really renders ten times the rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from tracker.activities import rollups
from tracker.audit import record as audit_record
from tracker.enums import (
    ActivityStatus,
    ConcernResolution,
    ConcernStatus,
    DelegateType,
    ProposalOutcome,
    ProposalStatus,
    Rating,
    StationKind,
)
from tracker.extensions import db
from tracker.models import (
    Concern,
    ConcernCategory,
    Delegate,
    FocusArea,
    HandlingBody,
    Proposal,
    ProposalLabel,
    ProposalReply,
    ProposalUrging,
    User,
)

from . import factories

SIZES = (5, 50)
MONTH = "2024-05"
TYPES = list(DelegateType)
KINDS = ("visit", "station-reception", "research", "study", "publicity", "inspection")
DELEGATIONS = ("chengguan", "chengguan", "qilihe", "xigu", "anning")


@pytest.fixture
def app_config():
    # every row of the lists on one page, so the bigger size really shows ten times the rows
    return {"PAGE_SIZE": 100}


@dataclass
class Data:
    delegate_a: int  # dele_a's delegate: 我的履职, the record
    shown: int  # dele_a's approved entry with the most concerns, participants and history
    submitted: int  # an entry of another delegate waiting for review, as big as ``shown``
    co_delegates: list[int]  # dele_a's fellow delegates of 城关区


def _by(model, code):
    return db.session.scalar(sa.select(model).where(model.code == code))


def build(world: factories.World, n: int) -> Data:
    """``n`` more delegates (two in five of 城关区, dele_a's delegation, the rest elsewhere),
    each with an approved entry (a concern, a focus area, dele_a along when of 城关区), a
    proposal at one of four stages of its handling, and a submitted entry with a concern;
    dele_a gets ``n`` approved entries, ``n`` in other states and ``n`` proposals. Kinds,
    initiatives, stations, concern categories and handling bodies vary from row to row. Every
    approved entry falls in May 2024; one in three is a typical case."""
    approved = ActivityStatus.APPROVED
    bodies = list(db.session.scalars(sa.select(HandlingBody).order_by(HandlingBody.id)))
    labels = list(db.session.scalars(sa.select(ProposalLabel).order_by(ProposalLabel.id)))
    areas = list(db.session.scalars(sa.select(FocusArea).order_by(FocusArea.id)))
    categories = list(db.session.scalars(sa.select(ConcernCategory).order_by(ConcernCategory.id)))
    staff = db.session.scalar(sa.select(User).where(User.username == "staff_city"))
    a = db.session.get(Delegate, world.delegate_a)
    concern_states = [
        (ConcernStatus.OPEN, None),
        (ConcernStatus.REFERRED, None),
        (ConcernStatus.RESOLVED, ConcernResolution.RESOLVED),
        (ConcernStatus.FED_BACK, ConcernResolution.RESOLVED),
        (ConcernStatus.UNRESOLVABLE, ConcernResolution.UNRESOLVABLE),
    ]

    def follow(concern: Concern, i: int) -> None:
        status, resolution = concern_states[i % len(concern_states)]
        concern.status, concern.resolution = status, resolution
        concern.category_id = categories[i % len(categories)].id
        concern.raised_by_phone = "13912345678"
        if status != ConcernStatus.OPEN:
            concern.referred_to_id = bodies[i % len(bodies)].id
            concern.referred_at = datetime(2024, 5, 20, 2, 0)

    def entry(delegate, i, *, status=approved, kind_code=None, concerns=1, initiative=None):
        activity = factories.make_activity(
            delegate,
            kind_code=kind_code or KINDS[i % len(KINDS)],
            status=status,
            concerns=concerns,
            occurred_on=date(2024, 5, 1 + i % 28),
            initiative_number=initiative or 1 + i % 3,
            people_reached=i % 7,
            title=f"{delegate.name}的第{i + 1}条记录",
        )
        activity.station_id = delegate.station_id if i % 2 else None
        activity.focus_areas.append(areas[i % len(areas)])
        for j, concern in enumerate(activity.concerns):
            follow(concern, i + j)
        if status != ActivityStatus.DRAFT:
            activity.submitted_at = datetime(2024, 5, 28, 2, 0)
        if status in (approved, ActivityStatus.RETURNED):
            activity.reviewed_by_id, activity.reviewed_at = staff.id, datetime(2024, 5, 29, 2, 0)
        if status == approved:
            activity.approved_at = activity.reviewed_at
            activity.exemplary = i % 3 == 0
            activity.exemplary_note = "做法可复制" if activity.exemplary else ""
        if status == ActivityStatus.RETURNED:
            activity.review_note = "请补充走访对象。"
        return activity

    def proposal(delegate, i):
        activity = entry(delegate, i, kind_code="proposal", concerns=0, initiative=2)
        stage = i % 4
        p = Proposal(
            activity=activity,
            label=labels[i % len(labels)],
            content="建议内容",
            status=ProposalStatus.SUBMITTED,
        )
        if stage >= 1:
            p.status, p.decided_at = ProposalStatus.HANDLING, datetime(2024, 6, 1, 2, 0)
            p.lead_handler_id = bodies[i % len(bodies)].id
            p.co_handlers = [bodies[(i + 1) % len(bodies)]]
            p.assigned_on, p.due_on = date(2024, 6, 1), date(2024, 9, 1)
            p.urgings.append(ProposalUrging(urged_by_id=staff.id, note="请加快办理"))
        if stage >= 2:
            p.status = ProposalStatus.REPLIED
            p.replies.append(
                ProposalReply(
                    round=1,
                    text="已答复",
                    replied_on=date(2024, 7, 1),
                    outcome=ProposalOutcome.B,
                    recorded_by_id=staff.id,
                )
            )
        if stage >= 3:
            p.status, p.rating = ProposalStatus.CLOSED, Rating.SATISFIED
            p.replies[0].rating = Rating.SATISFIED
        db.session.add(p)

    others = []
    for i in range(n):
        code = DELEGATIONS[i % len(DELEGATIONS)]
        d = factories.make_delegate(
            f"代表{i:02d}",
            code,
            TYPES[i % len(TYPES)],
            station=factories.make_station(code, StationKind.HOME),
        )
        others.append(d)
        visit = entry(d, i)
        if code == "chengguan":
            visit.participants.append(a)
        proposal(d, i)
        entry(d, i, status=ActivityStatus.SUBMITTED)
    other_states = [ActivityStatus.SUBMITTED, ActivityStatus.RETURNED, ActivityStatus.DRAFT]
    for i in range(n):
        entry(a, i)
        entry(a, i, status=other_states[i % len(other_states)])
        proposal(a, i)

    # the entries the detail pages show: n // 5 concerns, participants and history rows
    k = n // 5
    shown = entry(a, 0, concerns=k)
    submitted = entry(others[0], 0, status=ActivityStatus.SUBMITTED, concerns=k)
    fellows = [d for d in others if d.delegation_id == a.delegation_id]
    for activity in (shown, submitted):
        activity.participants.extend(
            fellows[1 : k + 1] if activity is shown else [a, *fellows[2 : k + 1]]
        )
        for j in range(k):
            actor = db.session.scalar(
                sa.select(User).where(User.username == ("staff_city", "admin")[j % 2])
            )
            audit_record(
                actor,
                activity,
                "edit",
                from_state="submitted",
                to_state="submitted",
                note=f"第{j + 1}次修改",
            )
    rollups.rebuild()
    db.session.commit()
    return Data(a.id, shown.id, submitted.id, [world.delegate_a2, *(d.id for d in fellows)])


class Counter:
    """Counts the statements sent to the database while a request runs."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.statements: list[str] = []

    def _count(self, _conn, _cursor, statement, *_args):
        self.statements.append(statement)

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        self.statements = []
        sa.event.listen(self.engine, "before_cursor_execute", self._count)
        try:
            yield self.statements
        finally:
            sa.event.remove(self.engine, "before_cursor_execute", self._count)


def visit_form(data: Data, concerns: int = 3) -> dict:
    """记一笔 as a delegate sends it: a visit with ``concerns`` concerns, two focus areas and
    three fellow delegates along."""
    form = {
        "kind": "visit",
        "initiative": "i3",
        "title": "走访伏龙坪社区老旧小区住户",
        "occurred_on": "2024-05-10",
        "station": "",
        "place": "伏龙坪社区",
        "people_reached": "12",
        "visit_target_kind": "households",
        "visit_target": "伏龙坪社区3号楼住户",
        "description": "",
        "outcome": "",
        "submit_entry": "1",
        "focus_areas": ["city-capacity", "livelihood-security"],
        "participants": [str(i) for i in data.co_delegates[:3]],
    }
    for i in range(concerns):
        form.update(
            {
                f"concerns-{i}-category": "transport",
                f"concerns-{i}-content": f"第{i + 1}条诉求",
                f"concerns-{i}-raised_by_kind": "citizen",
                f"concerns-{i}-raised_by_name": "",
                f"concerns-{i}-raised_by_phone": "",
            }
        )
    return form


def count_pages(client, auth, counter: Counter, data: Data) -> dict[str, int]:
    """Statements sent by each page, logged in as the user who opens it."""
    counts: dict[str, int] = {}

    def count(name: str, url: str, method: str = "GET", expect: int = 200, **kwargs) -> None:
        with counter.counting() as seen:
            response = client.open(url, method=method, **kwargs)
        assert response.status_code == expect, (name, response.status_code)
        counts[name] = len(seen)

    auth.login("dele_a")
    count("我的履职", "/activities/mine")
    count("activity form", "/activities/new")
    count("activity detail", f"/activities/{data.shown}")
    count("activity POST", "/activities/new", "POST", 302, data=visit_form(data))
    auth.logout()
    auth.login("staff_city")
    count("review queue", "/review/")
    count("review detail", f"/review/{data.submitted}")
    count("dashboard", f"/dashboard/?period={MONTH}")
    count("drill-down: entries", f"/dashboard/activities?period={MONTH}")
    count("drill-down: proposals", f"/dashboard/proposals?period={MONTH}&which=submitted")
    count("drill-down: concerns", f"/dashboard/concerns?period={MONTH}&which=raised")
    count("delegate record", f"/delegates/{data.delegate_a}/record")
    count("proposals", "/proposals/")
    count("concerns", "/concerns/")
    count("summary", f"/summaries/?period={MONTH}")
    count("delegate roster", "/delegates/")
    return counts


# Statements per page, whatever the number of rows. Each includes the login's user lookup and
# the unread-notification count of the navigation bar. Lists of entries join each row's kind,
# initiative and delegate into the list's own statement and count the page's concerns in one
# more; a delegate's to-do counts are one statement. The form loads the campaign with its
# choices (one statement per collection). The POST also inserts the entry, its concerns, focus
# areas, fellow delegates and audit rows; on SQLite each of its three concerns and two audit
# rows is an INSERT of its own (see the test below), on PostgreSQL each table gets one.
EXPECTED = {
    "我的履职": 9,
    "activity form": 12,
    "activity detail": 15,
    "activity POST": {"sqlite": 26, "postgresql": 23},
    "review queue": 12,
    "review detail": 15,
    "dashboard": 34,
    "drill-down: entries": 8,
    "drill-down: proposals": 12,
    "drill-down: concerns": 12,
    "delegate record": 18,
    "proposals": 17,
    "concerns": 13,
    "summary": 46,
    "delegate roster": 9,
}


def expected_for(app) -> dict[str, int]:
    with app.app_context():
        backend = db.engine.dialect.name
    return {k: v[backend] if isinstance(v, dict) else v for k, v in EXPECTED.items()}


@pytest.mark.parametrize("size", SIZES, ids=[f"{n}-delegates" for n in SIZES])
def test_every_main_page_sends_the_same_number_of_statements_at_both_sizes(
    app, client, auth, world, size
):
    with app.app_context():
        data = build(world, size)
    assert count_pages(client, auth, Counter(app), data) == expected_for(app)


def test_logging_an_activity_inserts_its_concerns_together_where_the_database_allows(
    app, client, auth, world
):
    """PostgreSQL gets a form's concerns in one INSERT. SQLite cannot say which new id belongs
    to which row of a multi-row INSERT, so SQLAlchemy sends one INSERT per concern there: the
    statements grow with the concerns typed into one form (at most 30), never with the data."""
    with app.app_context():
        data = build(world, 5)
        backend = db.engine.dialect.name
    counter = Counter(app)
    auth.login("dele_a")
    sent = {}
    for concerns in (1, 10):
        with counter.counting() as seen:
            response = client.post("/activities/new", data=visit_form(data, concerns))
        assert response.status_code == 302
        sent[concerns] = len(seen)
    assert sent[10] - sent[1] == (9 if backend == "sqlite" else 0)
