"""Applying a plan: new stations, new delegates and changed fields in one flush, with one
audit row. The caller commits, so an import is one transaction: all of it or none."""

from __future__ import annotations

import sqlalchemy as sa

from ...audit import record
from ...extensions import db
from ...models import Delegate, Station, User
from ..lists import free_station_code
from ..lookups import delegations_by_id
from .plan import RosterCounts, RosterPlan, RosterPlanHasErrors, RowStatus


def apply_plan(plan: RosterPlan, actor: User | None) -> RosterCounts:
    """Write a plan without errors: new stations, new delegates and the changed fields, in one
    flush, with one audit row. The caller commits. A plan with any error is refused whole."""
    if plan.has_errors:
        raise RosterPlanHasErrors("the roster plan has errors; nothing was imported")
    counts = plan.counts

    stations: dict[tuple[int, str], Station] = {}
    if plan.new_stations:
        codes = set(db.session.scalars(sa.select(Station.code)))
        delegations = delegations_by_id()
        for new in plan.new_stations:
            code = free_station_code(delegations[new.delegation_id].code, new.kind, codes)
            station = Station(
                code=code, name=new.name, kind=new.kind, delegation_id=new.delegation_id
            )
            db.session.add(station)
            stations[new.key] = station

    ids = [row.delegate_id for row in plan.rows if row.status == RowStatus.UPDATE]
    delegates: dict[int, Delegate] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        delegates.update(
            (d.id, d) for d in db.session.scalars(sa.select(Delegate).where(Delegate.id.in_(chunk)))
        )

    for row in plan.rows:
        if row.status == RowStatus.CREATE:
            delegate = Delegate(**row.values)
            db.session.add(delegate)
        elif row.status == RowStatus.UPDATE:
            delegate = delegates[row.delegate_id]
            for attribute, value in row.values.items():
                setattr(delegate, attribute, value)
        else:
            continue
        if row.new_station is not None:
            delegate.station = stations[row.new_station]

    record(
        actor,
        None,
        "roster_import",
        object_type="roster",
        note=f"created={counts.created} updated={counts.updated} "
        f"stations={counts.stations} file={plan.filename}",
    )
    db.session.flush()
    return counts
