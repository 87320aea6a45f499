"""No input reaches a server error: every route, as every role, with hostile input.

Over the demo data (every kind of row at every step), the walk in :mod:`tests.fuzz` sends each
route of the URL map ids out of range and in other scripts' digits, hostile query arguments,
and the forms its pages really offer with one field at a time made hostile, posted four ways.
It passes when no response is a 5xx and no NUL or control character was stored. The seed is
fixed, so a failure repeats; the figures of the run are printed with ``-s``.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tracker.demo.accounts import DEMO_PASSWORD
from tracker.demo.builder import generate_demo
from tracker.extensions import db
from tracker.models import (
    Activity,
    Attachment,
    Campaign,
    Concern,
    Delegate,
    Delegation,
    HandlingBody,
    Notification,
    Proposal,
    Station,
    User,
)

from .fuzz import stored_control_characters, walk

SEED = 15
BUDGET = 28  # hostile values per POST form, spread over its fields
ROLES = (None, "daibiao", "staff_cg", "staff", "admin")  # admin last: it may retire the others


def _ids(session, role: str | None) -> dict[str, list[str]]:
    """Real ids for a route's arguments, the ones this role can use first."""
    user = session.scalar(sa.select(User).where(User.username == (role or "admin")))

    def ids(stmt) -> list[str]:
        return [str(i) for i in session.scalars(stmt.limit(3))]

    def first(condition):
        return sa.case((condition, 0), else_=1)

    mine = first(Activity.delegate_id == (user.delegate_id or 0))
    in_scope = first(Activity.delegation_id == (user.delegation_id or Activity.delegation_id))
    activities = ids(sa.select(Activity.id).order_by(mine, in_scope, Activity.status, Activity.id))
    return {
        "activity_id": activities,
        "proposal_id": ids(
            sa.select(Proposal.id).join(Activity).order_by(mine, Proposal.status, Proposal.id)
        ),
        "concern_id": ids(
            sa.select(Concern.id).join(Activity).order_by(mine, Concern.status, Concern.id)
        ),
        "attachment_id": ids(sa.select(Attachment.id)) or ["1"],
        "notification_id": ids(sa.select(Notification.id).where(Notification.user_id == user.id))
        or ["1"],
        "user_id": ids(sa.select(User.id).where(User.username.in_(("qiye", "staff_cg")))),
        "station_id": ids(sa.select(Station.id)),
        "delegation_id": ids(sa.select(Delegation.id)),
        "body_id": ids(sa.select(HandlingBody.id)),
        "campaign_id": ids(sa.select(Campaign.id)),
        "delegate_id": [str(user.delegate_id)] if user.delegate_id else ids(sa.select(Delegate.id)),
        "code": ["zh", "en", session.scalar(sa.select(Campaign.code))],
        "aid": ["large", "eye"],
        "token": ["0" * 32],
    }


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": False}])
def test_no_route_answers_a_server_error_to_hostile_input(app, app_config, capsys):
    with app.app_context():
        generate_demo(seed=7, today=date(2024, 6, 20), delegates=30, months=4)
        db.session.commit()

    def login(client, role):
        client.post("/auth/logout")
        if role:
            response = client.post(
                "/auth/login", data={"username": role, "password": DEMO_PASSWORD}
            )
            assert response.status_code == 302, role

    def ids_for(role):
        with app.app_context():
            return _ids(db.session, role)

    report = walk(app, app.test_client, ROLES, login, ids_for, seed=SEED, budget=BUDGET)
    with capsys.disabled():
        print(
            f"\nroute fuzzer: {len(report.routes)} route×method, {report.roles} roles, "
            f"{report.values} hostile values in {report.requests} requests, "
            f"{report.seconds:.0f} s, {len(report.failures)} server errors"
        )
    causes = report.causes()
    with app.app_context():
        stored = stored_control_characters(db)
    problems = [
        f"{route} as {f.role} ({f.how}): {f.status} {error}"
        for (route, error), f in sorted(causes.items())
    ] + [f"stored: {column}" for column in stored]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
