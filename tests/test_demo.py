"""`flask demo`: a realistic dataset on an empty database, never twice."""

from datetime import date

import sqlalchemy as sa

from tracker.enums import ActivityStatus, ConcernStatus, DelegateType, Level, ProposalStatus, Role
from tracker.extensions import db
from tracker.models import Activity, Concern, Delegate, Delegation, Proposal, Station, User


def table_counts():
    return {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
            for m in (Delegate, Station, User, Activity, Concern, Proposal)}


def test_demo_fills_an_empty_database_and_refuses_to_run_twice(app, runner):
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "daibiao" in result.output and "Demo@2023" in result.output

    with app.app_context():
        counts = table_counts()
        assert counts["Delegate"] == 120
        assert counts["Station"] == 27
        assert counts["User"] == 5
        assert counts["Activity"] > 1000
        assert counts["Concern"] > 300
        assert counts["Proposal"] > 50
        assert set(db.session.scalars(sa.select(Delegate.delegate_type).distinct())) == set(DelegateType)
        assert set(db.session.scalars(sa.select(Delegate.level).distinct())) == set(Level)
        used = db.session.scalar(sa.select(sa.func.count(sa.distinct(Delegate.delegation_id))))
        assert used == db.session.scalar(sa.select(sa.func.count()).select_from(Delegation)) == 9
        assert set(db.session.scalars(sa.select(Activity.status).distinct())) == set(ActivityStatus)
        # proposals and concerns are at every stage of their follow-up
        assert set(db.session.scalars(sa.select(Proposal.status).distinct())) == set(ProposalStatus)
        assert set(db.session.scalars(sa.select(Concern.status).distinct())) == set(ConcernStatus)
        returned = db.session.scalars(
            sa.select(Activity.review_note).where(Activity.status == ActivityStatus.RETURNED)).all()
        assert returned and all(returned)
        roles = dict(db.session.execute(sa.select(User.username, User.role)).all())
        assert roles == {"admin": Role.ADMIN, "staff": Role.STAFF, "staff_cg": Role.STAFF,
                         "daibiao": Role.DELEGATE, "qiye": Role.DELEGATE}
        # six months up to today, nothing in the future or before the campaign
        first, last = db.session.execute(sa.select(sa.func.min(Activity.occurred_on),
                                                   sa.func.max(Activity.occurred_on))).one()
        assert last <= date.today()
        assert first >= date(2023, 8, 24)
        assert (last - first).days > 150

    again = runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0
    assert "演示数据已存在，未做改动。" in again.output
    refused = runner.invoke(args=["demo"])
    assert refused.exit_code != 0
    with app.app_context():
        assert table_counts() == counts


def test_demo_delegate_can_log_in_and_sees_their_activities(app, runner, client):
    assert runner.invoke(args=["demo", "--if-empty"]).exit_code == 0
    client.post("/auth/login", data={"username": "daibiao", "password": "Demo@2023"})
    page = client.get("/activities/mine").get_data(as_text=True)
    assert "马秀兰" in page
    assert "共 15 条" in page


def test_demo_is_the_same_for_the_same_seed(app):
    from tracker.demo import generate_demo

    with app.app_context():
        first = generate_demo(seed=7, today=date(2024, 6, 30), delegates=30, months=3)
        titles = db.session.scalars(sa.select(Activity.title).order_by(Activity.id)).all()
        db.session.rollback()
        second = generate_demo(seed=7, today=date(2024, 6, 30), delegates=30, months=3)
        assert second.activities == first.activities
        assert db.session.scalars(sa.select(Activity.title).order_by(Activity.id)).all() == titles
        db.session.rollback()
