"""Dashboard figures on a fixed dataset, every number computed by hand."""

from datetime import date

import pytest
import sqlalchemy as sa

from tracker.activities import rollups
from tracker.enums import (
    ActivityStatus,
    ConcernResolution,
    ConcernStatus,
    DelegateType,
    Level,
    ProposalOutcome,
    ProposalStatus,
    Rating,
)
from tracker.extensions import db
from tracker.models import CallToAction, Delegate, FocusArea, Proposal, ProposalReply
from tracker.permissions import Scope
from tracker.reports import figures as f
from tracker.reports import selects
from tracker.reports.filters import Filters

from . import factories

MAY = f.Period.month(2024, 5)
EVERYTHING = Scope(everything=True)
NONE = Filters()


@pytest.fixture
def data(app, world):
    """Four delegates; May 2024 holds six approved entries and three that must not count."""
    with app.app_context():
        a = db.session.get(Delegate, world.delegate_a)  # 城关区, grassroots
        a2 = db.session.get(Delegate, world.delegate_a2)  # 城关区, entrepreneur
        b = db.session.get(Delegate, world.delegate_b)  # 七里河区, technical
        c = factories.make_delegate(
            "赵建军", "chengguan", DelegateType.GOVERNMENT, level=Level.COUNTY
        )
        area = {x.code: x for x in db.session.scalars(sa.select(FocusArea))}
        approved = ActivityStatus.APPROVED

        def add(delegate, day, kind, initiative=3, people=0, status=approved, focus=(), concerns=0):
            activity = factories.make_activity(
                delegate,
                kind_code=kind,
                initiative_number=initiative,
                occurred_on=day,
                people_reached=people,
                status=status,
                concerns=concerns,
            )
            activity.focus_areas = [area[code] for code in focus]
            return activity

        v1 = add(a, date(2024, 5, 3), "visit", people=10, focus=["city-capacity"], concerns=2)
        v1.concerns[0].status, v1.concerns[0].resolution = (
            ConcernStatus.FED_BACK,
            ConcernResolution.RESOLVED,
        )
        add(a, date(2024, 5, 20), "visit", people=5, focus=["city-capacity", "livelihood-security"])
        add(a2, date(2024, 5, 11), "enterprise-service", people=3)
        p1 = add(a2, date(2024, 5, 15), "proposal")
        p1.proposal = Proposal(
            content="建议一", status=ProposalStatus.CLOSED, rating=Rating.SATISFIED
        )
        p1.proposal.replies.append(
            ProposalReply(
                round=1,
                text="已办",
                replied_on=date(2024, 6, 1),
                outcome=ProposalOutcome.A,
                rating=Rating.SATISFIED,
            )
        )
        add(b, date(2024, 5, 7), "research", initiative=2, focus=["tech-innovation"])
        add(b, date(2024, 4, 28), "visit", people=7)  # April: the previous period
        add(a, date(2024, 5, 25), "visit", status=ActivityStatus.SUBMITTED, people=50, concerns=1)
        add(a2, date(2024, 5, 26), "visit", status=ActivityStatus.RETURNED, people=50)
        add(c, date(2024, 5, 2), "study", initiative=1, status=ActivityStatus.DRAFT)
        p2 = add(a2, date(2024, 5, 29), "proposal")
        p2.proposal = Proposal(
            content="建议二", status=ProposalStatus.HANDLING, due_on=date(2024, 6, 1)
        )
        rollups.rebuild()
        db.session.commit()
        return {"a": a.id, "a2": a2.id, "b": b.id, "c": c.id}


def kind_ids():
    return {k.code: k.id for k in db.session.scalars(sa.select(factories.ActivityKind))}


def test_headline_figures(ctx, data):
    assert f.activity_totals(EVERYTHING, MAY, NONE) == (6, 18)
    assert f.participation(EVERYTHING, MAY, NONE) == (4, 3)
    assert f.participation(EVERYTHING, MAY, NONE).rate == 0.75
    k = kind_ids()
    assert f.activities_by_kind(EVERYTHING, MAY, NONE) == {
        k["visit"]: 2,
        k["enterprise-service"]: 1,
        k["proposal"]: 2,
        k["research"]: 1,
    }
    assert f.activity_totals(EVERYTHING, MAY.previous(), NONE) == (1, 7)


def test_type_by_initiative_matrix(ctx, data):
    i = {n: factories.initiative(n).id for n in (1, 2, 3)}
    assert f.type_initiative_matrix(EVERYTHING, MAY, NONE) == {
        (DelegateType.GRASSROOTS, i[3]): 2,
        (DelegateType.ENTREPRENEUR, i[3]): 3,
        (DelegateType.TECHNICAL, i[2]): 1,
    }


def test_delegations_ranked_by_participation(ctx, data):
    cg, ql = factories.delegation("chengguan").id, factories.delegation("qilihe").id
    assert f.by_delegation(EVERYTHING, MAY, NONE) == [(ql, 1, 1, 1), (cg, 3, 2, 5)]


def test_focus_areas(ctx, data):
    area = {x.code: x.id for x in db.session.scalars(sa.select(FocusArea))}
    assert f.by_focus_area(EVERYTHING, MAY, NONE) == {
        area["city-capacity"]: 2,
        area["livelihood-security"]: 1,
        area["tech-innovation"]: 1,
    }


def test_monthly_trend(ctx, data):
    k = kind_ids()
    trend = f.monthly_trend(EVERYTHING, f.Period(date(2024, 4, 1), date(2024, 6, 1)), NONE)
    assert trend == {
        (date(2024, 4, 1), k["visit"]): 1,
        (date(2024, 5, 1), k["visit"]): 2,
        (date(2024, 5, 1), k["enterprise-service"]): 1,
        (date(2024, 5, 1), k["proposal"]): 2,
        (date(2024, 5, 1), k["research"]): 1,
    }


def test_proposals_and_concerns(ctx, data):
    p = f.proposal_figures(EVERYTHING, MAY, NONE, today=date(2024, 7, 1))
    assert (p.submitted, p.registered, p.replied, p.overdue) == (2, 2, 1, 1)
    assert (p.satisfied, p.basically_satisfied, p.unsatisfied, p.satisfaction_rate) == (
        1,
        0,
        0,
        1.0,
    )
    assert p.by_status == {ProposalStatus.CLOSED: 1, ProposalStatus.HANDLING: 1}
    c = f.concern_period_figures(EVERYTHING, MAY, NONE)
    assert c == (2, 1, 0, 1)
    assert c.resolution_rate == 1.0


def test_scope_of_one_delegation(ctx, data):
    scope = Scope(delegation_id=factories.delegation("chengguan").id)
    assert f.activity_totals(scope, MAY, NONE) == (5, 18)
    assert f.participation(scope, MAY, NONE) == (3, 2)
    # a filter cannot widen the scope
    other = NONE.but(delegation_id=factories.delegation("qilihe").id)
    assert f.activity_totals(scope, MAY, other) == (0, 0)
    assert f.approved_activity_count(scope, MAY, other) == 0


def test_every_figure_drills_down_to_as_many_entries(ctx, data):
    k = kind_ids()
    for kind_id, n in f.activities_by_kind(EVERYTHING, MAY, NONE).items():
        assert f.approved_activity_count(EVERYTHING, MAY, NONE.but(kind_id=kind_id)) == n
    for (delegate_type, initiative_id), n in f.type_initiative_matrix(
        EVERYTHING, MAY, NONE
    ).items():
        filters = NONE.but(delegate_type=delegate_type, initiative_id=initiative_id)
        assert f.approved_activity_count(EVERYTHING, MAY, filters) == n
        assert f.activity_totals(EVERYTHING, MAY, filters).activities == n
    for row in f.by_delegation(EVERYTHING, MAY, NONE):
        assert (
            f.approved_activity_count(EVERYTHING, MAY, NONE.but(delegation_id=row.delegation_id))
            == row.activities
        )
        active = db.session.scalars(
            selects.active_delegate_select(
                EVERYTHING, MAY, NONE.but(delegation_id=row.delegation_id)
            )
        ).all()
        assert len(active) == row.active
    for area_id, n in f.by_focus_area(EVERYTHING, MAY, NONE).items():
        assert f.approved_activity_count(EVERYTHING, MAY, NONE.but(focus_area_id=area_id)) == n
        assert f.activity_totals(EVERYTHING, MAY, NONE.but(focus_area_id=area_id)).activities == n
    assert f.approved_activity_count(EVERYTHING, MAY, NONE) == 6
    assert f.approved_activity_count(EVERYTHING, MAY, NONE.but(kind_id=k["study"])) == 0


def test_inactive_delegates(ctx, data):
    rows = db.session.execute(
        selects.inactive_delegate_select(EVERYTHING, NONE, date(2024, 6, 10), 30)
    ).all()
    assert [(d.id, last) for d, last in rows] == [(data["c"], None), (data["b"], date(2024, 5, 7))]
    rows = db.session.execute(
        selects.inactive_delegate_select(EVERYTHING, NONE, date(2024, 7, 1), 30)
    ).all()
    assert len(rows) == 4


def test_points_and_their_lines(ctx, data):
    assert f.points_ranking(EVERYTHING, MAY, NONE) == [
        (data["a2"], 4 + 5 + 5, 3),
        (data["a"], 3 + 3, 2),
        (data["b"], 4, 1),
    ]
    lines = selects.points_lines(EVERYTHING, MAY, data["a2"])
    assert [(line.kind.code, line.points) for line in lines] == [
        ("enterprise-service", 4),
        ("proposal", 5),
        ("proposal", 5),
    ]
    assert sum(line.points for line in lines) == 14
    # another delegation's staff cannot expand them
    assert (
        selects.points_lines(
            Scope(delegation_id=factories.delegation("qilihe").id), MAY, data["a2"]
        )
        == []
    )


def test_the_letters_type_calls_as_targets(ctx, data):
    quarter = f.Period.quarter_of(date(2024, 5, 10))
    assert (quarter.start, quarter.end) == (date(2024, 4, 1), date(2024, 7, 1))
    campaign_id = factories.campaign().id
    progress = {
        p.call.code: (p.delegates, p.met, p.none, p.activities)
        for p in f.type_call_progress(EVERYTHING, quarter, NONE, campaign_id)
    }
    assert progress == {
        "i2-government": (1, 0, 1, 0),
        "i2-entrepreneur": (1, 1, 0, 3),
        "i2-technical": (1, 0, 0, 1),
        "i2-grassroots": (1, 0, 0, 2),
    }
    call = db.session.scalar(sa.select(CallToAction).where(CallToAction.code == "i2-government"))
    assert [
        d.id
        for d in db.session.scalars(
            selects.delegates_without_call_select(EVERYTHING, quarter, NONE, call)
        )
    ] == [data["c"]]


def test_period_parsing():
    today = date(2024, 5, 17)
    assert f.Period.parse(None, today) == MAY
    assert f.Period.parse("2024-02..2024-04", today) == f.Period(date(2024, 2, 1), date(2024, 5, 1))
    assert f.Period.parse("2024-13", today) == MAY
    assert f.Period.parse("2024-05..2024-01", today) == MAY
    assert MAY.previous() == f.Period.month(2024, 4)
    assert f.Period.parse("2024-02..2024-04", today).to_arg() == "2024-02..2024-04"


def test_proposal_and_concern_figures_drill_down_to_as_many(ctx, data):
    today = date(2024, 7, 1)
    p = f.proposal_figures(EVERYTHING, MAY, NONE, today)
    expected = {
        "submitted": p.submitted,
        "registered": p.registered,
        "replied": p.replied,
        "overdue": p.overdue,
        "rated": p.rated,
        "satisfied": p.satisfied + p.basically_satisfied,
    }
    for which, n in expected.items():
        assert (
            selects.count_of(selects.proposal_period_select(EVERYTHING, MAY, NONE, today, which))
            == n
        ), which
    for status, n in p.by_status.items():
        assert (
            selects.count_of(
                selects.proposal_period_select(
                    EVERYTHING, MAY, NONE, today, f"status:{status.value}"
                )
            )
            == n
        )
    c = f.concern_period_figures(EVERYTHING, MAY, NONE)
    for which, n in {
        "raised": c.raised,
        "resolved": c.resolved,
        "unresolvable": c.unresolvable,
        "concluded": c.resolved + c.unresolvable,
        "fed_back": c.fed_back,
    }.items():
        assert selects.count_of(selects.concern_period_select(EVERYTHING, MAY, NONE, which)) == n, (
            which
        )
    assert f.inactive_delegate_count(EVERYTHING, NONE, date(2024, 6, 10), 30) == 2
