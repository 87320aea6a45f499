"""Before and after each fix the benchmarks led to, measured on one seeded database.

Every fix is timed both ways on the same database in the same process, the two ways taking
turns: an index dropped and made again, or the code as it was (kept here, and only here, to
measure against) and as it is.

- ``ix_activity_delegate_occurred_id`` (migration 0008): 我的履职 of the demo delegate;
- ``ix_activity_rollup_trend`` (migration 0008): the dashboard's 12-month trend, and the page;
- ``type_call_progress`` as four statements instead of one query per call and three per call;
- the activity form's fellow delegates read as (id, name) rows instead of whole objects:
  the form page (GET) of the demo delegate.

    python -m bench.seed 1000000 --keep                     # prints the database's URL
    python -m bench.fixes sqlite:////tmp/tracker-bench-…/bench.sqlite3
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask

from bench.dashboard import dashboard_request, latest_full_month, page_urls
from bench.seed import DELEGATE_USERNAME, STAFF_PASSWORD, STAFF_USERNAME, make_app
from tracker.dates import local_today
from tracker.extensions import db
from tracker.models import ActivityKind, CallToAction, Delegate, DelegateRollup, Station
from tracker.reports import figures
from tracker.reports.filters import restrict

REPS = 25


def _median_ms(run: Callable[[], Any], reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def alternate(
    before: Callable[[], None],
    after: Callable[[], None],
    measure: dict[str, Callable],
    reps: int = REPS,
    rounds: int = 3,
) -> dict[str, dict[str, float]]:
    """Median of each measurement with ``before`` applied, then with ``after``, in turns."""
    out: dict[str, dict[str, list[float]]] = {k: {"before": [], "after": []} for k in measure}
    for _ in range(rounds):
        for label, setup in (("before", before), ("after", after)):
            setup()
            for name, run in measure.items():
                run()  # warm
                out[name][label].append(_median_ms(run, reps // rounds or 1))
    return {k: {label: statistics.median(v) for label, v in d.items()} for k, d in out.items()}


# --- the code as it was -------------------------------------------------------------------------


def type_call_progress_before(scope, period, filters, campaign_id):
    """``type_call_progress`` before: per call, a count of the type's delegates, the call's
    kind ids and the progress statement (1 + 3 × calls statements)."""
    calls = db.session.scalars(
        sa.select(CallToAction)
        .where(
            CallToAction.campaign_id == campaign_id,
            CallToAction.delegate_type.is_not(None),
            CallToAction.retired_at.is_(None),
        )
        .order_by(CallToAction.position)
    ).all()
    out = []
    for call in calls:
        delegates = figures.delegate_count(scope, filters.but(delegate_type=call.delegate_type))
        kind_ids = list(
            db.session.scalars(
                sa.select(ActivityKind.id).where(
                    ActivityKind.campaign_id == call.campaign_id,
                    ActivityKind.code.in_(call.kind_codes or []),
                )
            )
        )
        stmt = sa.select(
            DelegateRollup.delegate_id, sa.func.sum(DelegateRollup.activities).label("n")
        ).where(
            DelegateRollup.kind_id.in_(kind_ids), DelegateRollup.delegate_type == call.delegate_type
        )
        per = (
            restrict(
                stmt,
                DelegateRollup,
                scope,
                period,
                filters.but(
                    delegate_type=None, kind_id=None, initiative_id=None, focus_area_id=None
                ),
            )
            .group_by(DelegateRollup.delegate_id)
            .subquery()
        )
        expected = figures.expected_for(call, period)
        answered, met, total = db.session.execute(
            sa.select(
                sa.func.count(), sa.func.count().filter(per.c.n >= expected), sa.func.sum(per.c.n)
            ).where(per.c.n > 0)
        ).one()
        out.append(
            figures.CallProgress(
                call, delegates, met or 0, delegates - (answered or 0), int(total or 0)
            )
        )
    return out


def form_context_before(delegate, campaign, formdata=None, obj_data=None):
    """The activity form's context before: the fellow delegates as whole ORM objects."""
    from tracker.activities.forms import ActivityForm

    stations = db.session.scalars(
        sa.select(Station)
        .where(Station.retired_at.is_(None))
        .order_by((Station.delegation_id != delegate.delegation_id), Station.id)
    ).all()
    co_delegates = db.session.scalars(
        sa.select(Delegate)
        .where(
            Delegate.delegation_id == delegate.delegation_id,
            Delegate.id != delegate.id,
            Delegate.retired_at.is_(None),
        )
        .order_by(Delegate.name)
    ).all()
    kwargs = dict(
        campaign=campaign, today=local_today(), stations=stations, co_delegates=co_delegates
    )
    if obj_data is not None:
        return ActivityForm(formdata=None, data=obj_data, **kwargs)
    return ActivityForm(**kwargs)


# --- the measurements ----------------------------------------------------------------------------


def _client(app: Flask, username: str):
    client = app.test_client()
    assert (
        client.post(
            "/auth/login", data={"username": username, "password": STAFF_PASSWORD}
        ).status_code
        == 302
    )
    return client


def _index(app: Flask, name: str, table: str, columns: str) -> tuple[Callable, Callable]:
    def drop() -> None:
        with app.app_context():
            db.session.execute(sa.text(f'DROP INDEX IF EXISTS "{name}"'))
            db.session.commit()
            _analyze(table)

    def make() -> None:
        with app.app_context():
            db.session.execute(
                sa.text(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns})')
            )
            db.session.commit()
            _analyze(table)

    return drop, make


def _analyze(table: str) -> None:
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text(f'ANALYZE "{table}"'))
        db.session.commit()


def measure(url: str, reps: int = REPS) -> dict[str, Any]:
    app = make_app(url)
    staff, delegate = _client(app, STAFF_USERNAME), _client(app, DELEGATE_USERNAME)
    urls = page_urls(app)
    results: dict[str, Any] = {}

    drop, make = _index(
        app, "ix_activity_delegate_occurred_id", "activity", "delegate_id, occurred_on, id"
    )
    results["ix_activity_delegate_occurred_id"] = alternate(
        drop,
        make,
        {
            "我的履职 GET": lambda: delegate.get("/activities/mine"),
        },
        reps,
    )

    with app.app_context():
        r = dashboard_request(app)
        month = latest_full_month(local_today())
        db.session.remove()

    def trend() -> None:
        with app.app_context():
            figures.monthly_trend(r.scope, r.trend, r.filters)
            db.session.remove()

    drop, make = _index(
        app,
        "ix_activity_rollup_trend",
        "activity_rollup",
        "campaign_id, month, kind_id, activities",
    )
    results["ix_activity_rollup_trend"] = alternate(
        drop,
        make,
        {
            "monthly_trend (12 months)": trend,
            "dashboard GET": lambda: staff.get(urls["dashboard"]),
        },
        reps,
    )

    current = figures.type_call_progress

    def progress() -> None:
        with app.app_context():
            figures.type_call_progress(r.scope, month, r.filters, r.campaign_id)
            db.session.remove()

    def old_progress() -> None:
        figures.type_call_progress = type_call_progress_before

    def new_progress() -> None:
        figures.type_call_progress = current

    with app.app_context():
        same = type_call_progress_before(r.scope, month, r.filters, r.campaign_id) == current(
            r.scope, month, r.filters, r.campaign_id
        )
        db.session.remove()
    results["type_call_progress"] = alternate(
        old_progress,
        new_progress,
        {
            "type_call_progress": progress,
            "dashboard GET": lambda: staff.get(urls["dashboard"]),
        },
        reps,
    )
    results["type_call_progress"]["same result"] = same
    new_progress()

    import tracker.activities.views as views

    current_form = views._form_context

    def old_form() -> None:
        views._form_context = form_context_before

    def new_form() -> None:
        views._form_context = current_form

    results["form fellow delegates"] = alternate(
        old_form,
        new_form,
        {
            "activity form GET": lambda: delegate.get("/activities/new"),
        },
        reps,
    )
    new_form()
    with app.app_context():
        results["backend"] = db.engine.dialect.name
        results["fellow delegates"] = db.session.scalar(
            sa.text(
                "SELECT count(*) FROM delegate WHERE delegation_id = (SELECT delegation_id FROM delegate "
                "WHERE id = (SELECT delegate_id FROM user_account WHERE username = 'daibiao'))"
            )
        )
        db.session.remove()
        db.engine.dispose()
    return results


def main(argv: list[str] | None = None) -> int:
    """Time each fix both ways on the database at URL (seeded by bench.seed --keep)."""
    parser = argparse.ArgumentParser(prog="python -m bench.fixes", description=main.__doc__)
    parser.add_argument("url")
    parser.add_argument("--reps", type=int, default=REPS)
    args = parser.parse_args(argv)
    results = measure(args.url, args.reps)
    print(json.dumps(results, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
