"""Rollups stay equal to a recount of the approved entries, through approvals and reopenings."""

from datetime import date

import sqlalchemy as sa

from tracker.activities import rollups
from tracker.enums import ActivityStatus
from tracker.extensions import db
from tracker.models import (
    Activity,
    ActivityRollup,
    Delegate,
    DelegateRollup,
    FocusArea,
    FocusRollup,
)

from . import factories


def snapshot():
    out = {}
    for model in (ActivityRollup, FocusRollup, DelegateRollup):
        table = model.__table__
        rows = db.session.execute(sa.select(table).where(table.c.activities != 0)).all()
        out[model.__name__] = sorted(tuple(str(v) for v in row) for row in rows)
    return out


def test_rollups_follow_approvals_and_reopenings(app, client, auth, world):
    with app.app_context():
        a = db.session.get(Delegate, world.delegate_a)
        b = db.session.get(Delegate, world.delegate_a2)
        areas = db.session.scalars(sa.select(FocusArea).order_by(FocusArea.position).limit(2)).all()
        ids = []
        for delegate, day, kind, people in (
            (a, date(2024, 5, 3), "visit", 10),
            (a, date(2024, 5, 30), "visit", 4),
            (b, date(2024, 5, 9), "research", 0),
            (a, date(2024, 6, 1), "visit", 7),
        ):
            activity = factories.make_activity(
                delegate, occurred_on=day, kind_code=kind, people_reached=people
            )
            activity.focus_areas = areas
            ids.append((activity.id, activity.version))
        db.session.commit()

    auth.login("staff_a")
    for activity_id, version in ids:
        assert (
            client.post(f"/review/{activity_id}/approve", data={"version": version}).status_code
            == 302
        )
    # reopen the second: it stops counting
    assert (
        client.post(
            f"/review/{ids[1][0]}/reopen", data={"version": ids[1][1] + 1, "reason": "日期有误"}
        ).status_code
        == 302
    )

    with app.app_context():
        visit = factories.kind("visit").id
        may = db.session.execute(
            sa.select(ActivityRollup.activities, ActivityRollup.people_reached).where(
                ActivityRollup.month == date(2024, 5, 1), ActivityRollup.kind_id == visit
            )
        ).all()
        assert may == [(1, 10)]
        june = db.session.scalar(
            sa.select(sa.func.sum(ActivityRollup.activities)).where(
                ActivityRollup.month == date(2024, 6, 1)
            )
        )
        assert june == 1
        focus = db.session.scalar(sa.select(sa.func.sum(FocusRollup.activities)))
        assert focus == 3 * 2
        per_delegate = dict(
            db.session.execute(
                sa.select(
                    DelegateRollup.delegate_id, sa.func.sum(DelegateRollup.activities)
                ).group_by(DelegateRollup.delegate_id)
            ).all()
        )
        assert per_delegate == {world.delegate_a: 2, world.delegate_a2: 1}

        kept = snapshot()
        rollups.rebuild()
        db.session.commit()
        assert snapshot() == kept


def test_rebuild_counts_only_approved_entries(ctx, world):
    a = db.session.get(Delegate, world.delegate_a)
    for status in ActivityStatus:
        factories.make_activity(a, status=status, occurred_on=date(2024, 7, 2))
    rollups.rebuild()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.sum(ActivityRollup.activities))) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 4
