"""`flask demo`: a realistic dataset on an empty database, never twice."""

from datetime import date, timedelta

import sqlalchemy as sa

from tracker.enums import ActivityStatus, ConcernStatus, DelegateType, Level, ProposalStatus, Role
from tracker.extensions import db
from tracker.models import Activity, Concern, Delegate, Delegation, Proposal, Station, User


def table_counts():
    return {
        m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (Delegate, Station, User, Activity, Concern, Proposal)
    }


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
        assert set(db.session.scalars(sa.select(Delegate.delegate_type).distinct())) == set(
            DelegateType
        )
        assert set(db.session.scalars(sa.select(Delegate.level).distinct())) == set(Level)
        used = db.session.scalar(sa.select(sa.func.count(sa.distinct(Delegate.delegation_id))))
        assert used == db.session.scalar(sa.select(sa.func.count()).select_from(Delegation)) == 9
        assert set(db.session.scalars(sa.select(Activity.status).distinct())) == set(ActivityStatus)
        # proposals and concerns are at every stage of their follow-up
        assert set(db.session.scalars(sa.select(Proposal.status).distinct())) == set(ProposalStatus)
        assert set(db.session.scalars(sa.select(Concern.status).distinct())) == set(ConcernStatus)
        returned = db.session.scalars(
            sa.select(Activity.review_note).where(Activity.status == ActivityStatus.RETURNED)
        ).all()
        assert returned and all(returned)
        roles = dict(db.session.execute(sa.select(User.username, User.role)).all())
        assert roles == {
            "admin": Role.ADMIN,
            "staff": Role.STAFF,
            "staff_cg": Role.STAFF,
            "daibiao": Role.DELEGATE,
            "qiye": Role.DELEGATE,
        }
        # six months up to today, nothing in the future or before the campaign
        first, last = db.session.execute(
            sa.select(sa.func.min(Activity.occurred_on), sa.func.max(Activity.occurred_on))
        ).one()
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
    from tracker.demo.builder import generate_demo

    with app.app_context():
        first = generate_demo(seed=7, today=date(2024, 6, 30), delegates=30, months=3)
        titles = db.session.scalars(sa.select(Activity.title).order_by(Activity.id)).all()
        db.session.rollback()
        second = generate_demo(seed=7, today=date(2024, 6, 30), delegates=30, months=3)
        assert second.activities == first.activities
        assert db.session.scalars(sa.select(Activity.title).order_by(Activity.id)).all() == titles
        db.session.rollback()


# --- at scale: `flask demo --activities M` ------------------------------------------------------

SCALE_ARGS = ["demo", "--activities", "900", "--delegates", "40", "--months", "3", "--seed", "11"]


def rollup_rows() -> dict[str, list[tuple]]:
    from tracker.models import ActivityRollup, DelegateRollup, FocusRollup

    return {
        m.__tablename__: sorted(
            tuple(r) for r in db.session.execute(sa.select(*m.__table__.columns))
        )
        for m in (ActivityRollup, FocusRollup, DelegateRollup)
    }


def test_demo_at_scale_writes_exactly_what_was_asked_with_rollups_as_a_rebuild_gives(app, runner):
    from tracker.activities import rollups
    from tracker.models import ActivityRollup

    result = runner.invoke(args=SCALE_ARGS)
    assert result.exit_code == 0, result.output
    assert "履职活动 900 条" in result.stdout and "代表 40 名" in result.stdout
    assert "daibiao" in result.stdout and "Demo@2023" in result.stdout
    # progress goes to stderr, a line at every tenth when it is not a terminal
    progress = [line for line in result.stderr.splitlines() if line.startswith("写入履职活动")]
    assert progress[0].startswith("写入履职活动 0 / 900（0%")
    assert progress[-1].startswith("写入履职活动 900 / 900（100%")
    assert len(progress) == 2  # one batch: nothing in between

    with app.app_context():
        counts = table_counts()
        assert counts == {
            "Delegate": 40,
            "Station": 27,
            "User": 5,
            "Activity": 900,
            "Concern": counts["Concern"],
            "Proposal": counts["Proposal"],
        }
        assert counts["Concern"] > 100 and counts["Proposal"] > 10
        approved = db.session.scalar(
            sa.select(sa.func.count()).where(Activity.status == ActivityStatus.APPROVED)
        )
        assert db.session.scalar(sa.select(sa.func.sum(ActivityRollup.activities))) == approved
        # three calendar months up to yesterday; the last week partly waits for review
        from tracker.dates import local_today
        from tracker.demo.bulk_plan import Span

        span = Span.months_to_today(3, local_today())
        first, last = db.session.execute(
            sa.select(sa.func.min(Activity.occurred_on), sa.func.max(Activity.occurred_on))
        ).one()
        assert (first, last) == (span.first, local_today() - timedelta(days=1))
        assert first.day == 1 and span.months == 3
        waiting = set(
            db.session.scalars(
                sa.select(Activity.status)
                .distinct()
                .where(Activity.occurred_on < last - timedelta(days=7))
            )
        )
        assert waiting == {ActivityStatus.APPROVED}
        assert {ActivityStatus.SUBMITTED, ActivityStatus.APPROVED} <= set(
            db.session.scalars(sa.select(Activity.status).distinct())
        )
        # the rollups hold what rollups.rebuild() recounts from the entries, row for row
        written = rollup_rows()
        assert all(written.values())
        rollups.rebuild()
        assert rollup_rows() == written
        db.session.rollback()


def test_demo_at_scale_refuses_a_database_with_delegates_unless_told_to_skip(app, runner, world):
    with app.app_context():
        before = table_counts()
    refused = runner.invoke(args=SCALE_ARGS)
    assert refused.exit_code == 1
    assert "数据库中已有代表数据" in refused.output
    skipped = runner.invoke(args=[*SCALE_ARGS, "--if-empty"])
    assert skipped.exit_code == 0
    assert "演示数据已存在，未做改动。" in skipped.output
    with app.app_context():
        assert table_counts() == before


def test_demo_at_scale_gives_the_same_rows_for_the_same_seed(app, runner):
    from tracker.demo.bulk import generate_at_scale
    from tracker.demo.bulk_plan import Span

    with app.app_context():
        today = date(2024, 6, 30)
        span = Span.months_to_today(2, today)
        runs = []
        for _ in range(2):
            report = generate_at_scale(activities=300, delegates=20, span=span, today=today, seed=5)
            # ids drawn from a PostgreSQL sequence are not given back by a rollback: compare
            # delegates by their place in the run
            first = db.session.scalar(sa.select(sa.func.min(Delegate.id)))
            rows = rollup_rows()
            rows["delegate_rollup"] = [
                (*r[:2], r[2] - first, *r[3:]) for r in rows["delegate_rollup"]
            ]
            runs.append(
                (
                    report.approved,
                    db.session.execute(
                        sa.select(Activity.title, Activity.occurred_on, Activity.status).order_by(
                            Activity.id
                        )
                    ).all(),
                    rows,
                )
            )
            db.session.rollback()
        assert runs[0] == runs[1]
        assert len(runs[0][1]) == 300
        assert span == Span(date(2024, 5, 1), today)


def test_the_scale_demo_accounts_work(app, runner, client):
    assert runner.invoke(args=SCALE_ARGS).exit_code == 0
    client.post("/auth/login", data={"username": "daibiao", "password": "Demo@2023"})
    page = client.get("/activities/mine")
    assert page.status_code == 200
    client.post("/auth/logout")
    client.post("/auth/login", data={"username": "staff", "password": "Demo@2023"})
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/review/").status_code == 200
