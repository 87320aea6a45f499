"""Managed lists kept by administrators: delegate stations (代表家站) and delegations (代表团).

Services validate, change, flush and write an audit row; they never commit. A row that
anything refers to is retired instead of deleted, so history keeps its places.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ..audit import record
from ..enums import DelegationKind, StationKind
from ..extensions import db
from ..models import (
    Activity,
    ActivityRollup,
    Delegate,
    DelegateRollup,
    Delegation,
    FocusRollup,
    MonthClose,
    Station,
    User,
    utcnow,
)
from ..permissions import can_administer

STATION_NAME_MAX = 120
STATION_CODE_MAX = 60
STATION_ADDRESS_MAX = 200
DELEGATION_NAME_MAX = 60
DELEGATION_CODE_MAX = 40
CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# The middle part of a generated station code, as the demo data writes them.
STATION_CODE_SLUGS = {
    StationKind.HOME: "home",
    StationKind.LIAISON: "liaison",
    StationKind.LEGISLATIVE_POINT: "legislative",
}


class ListChangeNotAllowed(Exception):
    """Only administrators change the managed lists."""


class CodeTaken(ValueError):
    """Another row of the same list already has this code."""


class DelegationNotAvailable(ValueError):
    """The delegation does not exist, or it is retired and takes no new stations."""


class Removal(enum.StrEnum):
    """What a request to delete did: deleted the row, or retired it because it is in use."""

    DELETED = "deleted"
    RETIRED = "retired"


@dataclass(frozen=True)
class StationUsage:
    delegates: int = 0
    activities: int = 0

    @property
    def in_use(self) -> bool:
        return bool(self.delegates or self.activities)


@dataclass(frozen=True)
class DelegationUsage:
    delegates: int = 0
    activities: int = 0
    stations: int = 0
    users: int = 0
    # In a dashboard rollup or a closed month's snapshot (a snapshot has a part for every
    # delegation in use when the month was closed), so deleting it would break a summary
    # already handed out.
    history: bool = False

    @property
    def in_use(self) -> bool:
        return bool(
            self.delegates or self.activities or self.stations or self.users or self.history
        )


def _require_admin(actor: User) -> None:
    if not can_administer(actor):
        raise ListChangeNotAllowed()


def _clean(value: str | None, limit: int, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValueError("a value is required")
    if len(text) > limit:
        raise ValueError(f"longer than {limit} characters")
    return text


def _clean_code(value: str | None, limit: int) -> str:
    code = _clean(value, limit, required=True).lower()
    if not CODE_PATTERN.match(code):
        raise ValueError(f"not a code: {code!r}")
    return code


def _edit(actor: User, row: Station | Delegation, values: dict[str, object]) -> None:
    """Apply ``values`` to ``row``; one audit row notes each change as 'field: old → new'."""
    notes = []
    for key, new in values.items():
        old = getattr(row, key)
        if old != new:
            setattr(row, key, new)
            notes.append(f"{key}: {_plain(old)} → {_plain(new)}")
    if notes:
        record(actor, row, "edit", note="; ".join(notes), object_type=type(row).__name__.lower())
    db.session.flush()


def _plain(value: object) -> str:
    if isinstance(value, Delegation):
        return value.code
    if value is None:
        return "-"
    return str(getattr(value, "value", value))


def _set_retired(row: Station | Delegation, actor: User, retired: bool) -> None:
    """Retire or restore ``row`` and audit it; nothing happens if it is already so."""
    _require_admin(actor)
    if row.is_retired == retired:
        return
    row.retired_at = utcnow() if retired else None
    record(
        actor,
        row,
        "retire" if retired else "restore",
        from_state="active" if retired else "retired",
        to_state="retired" if retired else "active",
        object_type=type(row).__name__.lower(),
    )
    db.session.flush()


# --- stations ---------------------------------------------------------------------------------


def _open_delegation(
    delegation_id: int | None, *, keep: Delegation | None = None
) -> Delegation | None:
    """The delegation a station may be put in: an existing one, not retired unless unchanged."""
    if delegation_id is None:
        return None
    delegation = db.session.get(Delegation, delegation_id)
    if delegation is None or (delegation.is_retired and delegation is not keep):
        raise DelegationNotAvailable(delegation_id)
    return delegation


def free_station_code(delegation_code: str, kind: StationKind, taken: set[str]) -> str:
    """The first code like ``chengguan-home-3`` (delegation, kind, number) not in ``taken``;
    it is added to ``taken``, so codes handed out one after another differ."""
    prefix = f"{delegation_code}-{STATION_CODE_SLUGS[kind]}-"
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    taken.add(f"{prefix}{n}")
    return f"{prefix}{n}"


def next_station_code(delegation: Delegation | None, kind: StationKind) -> str:
    """A free code like ``chengguan-home-3``: delegation (``city`` for none), kind, then the
    first unused number."""
    delegation_code = delegation.code if delegation else "city"
    prefix = f"{delegation_code}-{STATION_CODE_SLUGS[kind]}-"
    taken = set(db.session.scalars(sa.select(Station.code).where(Station.code.startswith(prefix))))
    return free_station_code(delegation_code, kind, taken)


def create_station(
    actor: User,
    *,
    name: str,
    kind: StationKind,
    delegation_id: int | None,
    address: str = "",
    code: str = "",
) -> Station:
    """Add a station; a blank code is generated from its delegation and kind."""
    _require_admin(actor)
    name = _clean(name, STATION_NAME_MAX, required=True)
    address = _clean(address, STATION_ADDRESS_MAX)
    kind = StationKind(kind)
    delegation = _open_delegation(delegation_id)
    code = (
        _clean_code(code, STATION_CODE_MAX)
        if (code or "").strip()
        else next_station_code(delegation, kind)
    )
    if db.session.scalar(sa.select(Station.id).where(Station.code == code)):
        raise CodeTaken(code)
    station = Station(code=code, name=name, kind=kind, delegation=delegation, address=address)
    db.session.add(station)
    db.session.flush()
    record(
        actor, station, "create", to_state="active", note=f"{code} {name}", object_type="station"
    )
    db.session.flush()
    return station


def update_station(
    station: Station,
    actor: User,
    *,
    name: str,
    kind: StationKind,
    delegation_id: int | None,
    address: str = "",
) -> Station:
    """Edit a station's name, kind, address or delegation; its code never changes.

    Activities already logged there keep pointing at it and so show the new name.
    """
    _require_admin(actor)
    values = {
        "name": _clean(name, STATION_NAME_MAX, required=True),
        "kind": StationKind(kind),
        "address": _clean(address, STATION_ADDRESS_MAX),
        "delegation": _open_delegation(delegation_id, keep=station.delegation),
    }
    _edit(actor, station, values)
    return station


def set_station_retired(station: Station, actor: User, retired: bool) -> Station:
    """Retire a station (no longer offered for new entries; history keeps it) or restore it."""
    _set_retired(station, actor, retired)
    return station


def station_usage() -> dict[int, StationUsage]:
    """Delegates and activities that name each station, by station id (unused ones absent)."""
    delegates = dict(
        db.session.execute(
            sa.select(Delegate.station_id, sa.func.count())
            .where(Delegate.station_id.is_not(None))
            .group_by(Delegate.station_id)
        ).all()
    )
    activities = dict(
        db.session.execute(
            sa.select(Activity.station_id, sa.func.count())
            .where(Activity.station_id.is_not(None))
            .group_by(Activity.station_id)
        ).all()
    )
    return {
        sid: StationUsage(delegates.get(sid, 0), activities.get(sid, 0))
        for sid in delegates.keys() | activities.keys()
    }


def is_station_in_use(station: Station) -> bool:
    """Whether any delegate or activity refers to the station."""
    return _referenced(station.id, (Delegate.station_id, Activity.station_id))


def delete_or_retire_station(station: Station, actor: User) -> Removal:
    """Delete a station nothing refers to; retire one that is in use instead."""
    return _delete_or_retire(station, actor, is_station_in_use(station))


def _referenced(row_id: int, columns: tuple[Any, ...]) -> bool:
    """Whether any of ``columns`` holds ``row_id`` (one indexed probe per column)."""
    return any(
        db.session.scalar(sa.select(sa.literal(1)).where(column == row_id).limit(1))
        for column in columns
    )


def _delete_or_retire(row: Station | Delegation, actor: User, in_use: bool) -> Removal:
    """Retire a row that history refers to; delete (and audit) one nothing refers to."""
    _require_admin(actor)
    if in_use:
        _set_retired(row, actor, True)
        return Removal.RETIRED
    record(
        actor,
        row,
        "delete",
        from_state="retired" if row.is_retired else "active",
        note=f"{row.code} {row.name}",
        object_type=type(row).__name__.lower(),
    )
    db.session.delete(row)
    db.session.flush()
    return Removal.DELETED


# --- delegations ------------------------------------------------------------------------------


def create_delegation(
    actor: User,
    *,
    code: str,
    name: str,
    kind: DelegationKind,
    position: int | None = None,
) -> Delegation:
    """Add a delegation; without a position it goes to the end of the list."""
    _require_admin(actor)
    code = _clean_code(code, DELEGATION_CODE_MAX)
    name = _clean(name, DELEGATION_NAME_MAX, required=True)
    if db.session.scalar(sa.select(Delegation.id).where(Delegation.code == code)):
        raise CodeTaken(code)
    if position is None:
        position = (db.session.scalar(sa.select(sa.func.max(Delegation.position))) or 0) + 1
    delegation = Delegation(code=code, name=name, kind=DelegationKind(kind), position=position)
    db.session.add(delegation)
    db.session.flush()
    record(
        actor,
        delegation,
        "create",
        to_state="active",
        note=f"{code} {name}",
        object_type="delegation",
    )
    db.session.flush()
    return delegation


def update_delegation(
    delegation: Delegation,
    actor: User,
    *,
    name: str,
    kind: DelegationKind,
    position: int,
) -> Delegation:
    """Edit a delegation's name, kind or position in lists; its code never changes."""
    _require_admin(actor)
    values = {
        "name": _clean(name, DELEGATION_NAME_MAX, required=True),
        "kind": DelegationKind(kind),
        "position": int(position),
    }
    _edit(actor, delegation, values)
    return delegation


def set_delegation_retired(delegation: Delegation, actor: User, retired: bool) -> Delegation:
    """Retire a delegation (left out of choices and filters; history keeps it) or restore it."""
    _set_retired(delegation, actor, retired)
    return delegation


def _count_by(column: sa.Column) -> dict[int, int]:
    return dict(
        db.session.execute(
            sa.select(column, sa.func.count()).where(column.is_not(None)).group_by(column)
        ).all()
    )


def _snapshot_delegation_ids() -> set[int]:
    """Delegations that have their own part in a closed month's snapshot."""
    ids: set[int] = set()
    for snapshot in db.session.scalars(sa.select(MonthClose.snapshot)):
        ids.update(int(key) for key in (snapshot or {}) if key.isdigit())
    return ids


def _in_rollups(delegation_id: int) -> bool:
    for model in (ActivityRollup, FocusRollup, DelegateRollup):
        stmt = sa.select(sa.literal(1)).where(model.delegation_id == delegation_id).limit(1)
        if db.session.scalar(stmt):
            return True
    return False


def delegation_usage() -> dict[int, DelegationUsage]:
    """What refers to each delegation, by delegation id (unused ones absent)."""
    delegates = _count_by(Delegate.delegation_id)
    activities = _count_by(Activity.delegation_id)
    stations = _count_by(Station.delegation_id)
    users = _count_by(User.delegation_id)
    counted = delegates.keys() | activities.keys() | stations.keys() | users.keys()
    # Summaries only matter for a delegation nothing else refers to: usually none, so the
    # rollups and snapshots are read only when there is one to decide about.
    candidates = set(db.session.scalars(sa.select(Delegation.id))) - counted
    history = {did for did in candidates if _in_rollups(did)}
    if candidates - history:
        history |= (candidates - history) & _snapshot_delegation_ids()
    return {
        did: DelegationUsage(
            delegates.get(did, 0),
            activities.get(did, 0),
            stations.get(did, 0),
            users.get(did, 0),
            did in history,
        )
        for did in counted | history
    }


def is_delegation_in_use(delegation: Delegation) -> bool:
    """Whether a delegate, activity, station, staff account or summary refers to it."""
    columns = (
        Delegate.delegation_id,
        Activity.delegation_id,
        Station.delegation_id,
        User.delegation_id,
    )
    return (
        _referenced(delegation.id, columns)
        or _in_rollups(delegation.id)
        or delegation.id in _snapshot_delegation_ids()
    )


def delete_or_retire_delegation(delegation: Delegation, actor: User) -> Removal:
    """Delete a delegation nothing refers to; retire one that is in use instead."""
    return _delete_or_retire(delegation, actor, is_delegation_in_use(delegation))
