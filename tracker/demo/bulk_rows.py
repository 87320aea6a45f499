"""The rows of a load at scale: which columns each table's rows fill (:class:`Shape`), the
rollup rows counted as the entries are made (:class:`Rollups`), and the bulk writer on the
session's connection (:class:`Writer`).

Rows are plain tuples in their shape's column order, with values both sqlite3 and COPY take
as SQLAlchemy would have stored them. The rollup rows are built from the one definition of the
rollup key, :class:`tracker.activities.rollups.RollupKey`, so they are the rows
:func:`tracker.activities.rollups.rebuild` would write.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa

from ..activities.rollups import DELEGATE_CARRIED, DELEGATE_KEY, RollupKey
from ..extensions import db
from ..models import (
    Activity,
    ActivityRollup,
    Concern,
    DelegateRollup,
    FocusRollup,
    Proposal,
    ProposalReply,
    activity_focus_area,
)
from .bulk_people import Person

LOADED_TABLES = ("activity", "activity_focus_area", "proposal", "proposal_reply", "concern")
ROLLUP_TABLES = ("activity_rollup", "focus_rollup", "delegate_rollup")
ANALYZED_TABLES = (*LOADED_TABLES, *ROLLUP_TABLES, "delegate")


# --- plain values for bulk writers ----------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A value both sqlite3 and COPY take as SQLAlchemy would have stored it."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def stamp(day: date, hour: int, minute: int) -> str:
    """A naive-UTC timestamp in SQLAlchemy's SQLite storage format (PostgreSQL parses it too)."""
    return f"{day.isoformat()} {hour:02d}:{minute:02d}:00.000000"


class Shape:
    """The columns a bulk writer fills for ``table``: ours first, then every other column
    with its constant default (or NULL), so a column added later does not break the load."""

    def __init__(self, table: sa.Table, fields: Sequence[str]):
        unknown = set(fields) - set(table.columns.keys())
        if unknown:
            raise ValueError(f"{table.name} has no column {sorted(unknown)}")
        rest = [c for c in table.columns if c.name not in fields]
        self.table = table.name
        self.columns = [*fields, *(c.name for c in rest)]
        self.tail = tuple(_constant_default(c) for c in rest)


def _constant_default(column: sa.Column) -> Any:
    default = column.default
    if default is None:
        if column.nullable:
            return None
        raise ValueError(
            f"{column.table.name}.{column.name} needs a value in tracker/demo/bulk_rows.py"
        )
    if default.is_scalar:
        return _plain(default.arg)
    if default.is_callable:
        return _plain(default.arg(None))
    raise ValueError(f"{column.table.name}.{column.name}: unsupported default")


ACTIVITY = Shape(
    Activity.__table__,
    (
        "id",
        "campaign_id",
        "delegate_id",
        "delegation_id",
        "delegate_type",
        "level",
        "kind_id",
        "initiative_id",
        "call_id",
        "occurred_on",
        "station_id",
        "place",
        "people_reached",
        "title",
        "description",
        "outcome",
        "visit_target_kind",
        "visit_target",
        "research_topic",
        "research_findings",
        "status",
        "version",
        "created_by_id",
        "created_at",
        "updated_at",
        "submitted_at",
        "review_note",
        "reviewed_by_id",
        "reviewed_at",
        "approved_at",
    ),
)
FOCUS = Shape(activity_focus_area, ("activity_id", "focus_area_id"))
PROPOSAL = Shape(
    Proposal.__table__,
    (
        "id",
        "activity_id",
        "label_id",
        "content",
        "suggested_handler",
        "status",
        "decided_at",
        "not_registered_reason",
        "is_complex",
        "lead_handler_id",
        "assigned_on",
        "due_on",
        "round",
        "rating",
        "closed_at",
        "version",
        "created_at",
    ),
)
REPLY = Shape(
    ProposalReply.__table__,
    (
        "id",
        "proposal_id",
        "round",
        "text",
        "replied_on",
        "outcome",
        "recorded_by_id",
        "recorded_at",
        "rating",
        "rating_note",
        "rated_at",
    ),
)
CONCERN = Shape(
    Concern.__table__,
    (
        "id",
        "activity_id",
        "position",
        "category_id",
        "content",
        "raised_by_kind",
        "raised_by_name",
        "raised_by_phone",
        "status",
        "referred_to_id",
        "referred_at",
        "resolution",
        "resolution_note",
        "resolved_at",
        "feedback_note",
        "fed_back_at",
        "version",
        "created_at",
    ),
)
# The rollups' columns come from the rollup key's one definition: the key, then the counts.
ACTIVITY_ROLLUP = Shape(
    ActivityRollup.__table__, (*RollupKey._fields, "activities", "people_reached")
)
FOCUS_ROLLUP = Shape(FocusRollup.__table__, (*RollupKey._fields, "focus_area_id", "activities"))
DELEGATE_ROLLUP = Shape(DelegateRollup.__table__, (*DELEGATE_KEY, *DELEGATE_CARRIED, "activities"))
# where the month sits in a rollup row, by which a month's rows are written
_MONTH = RollupKey._fields.index("month")
_DELEGATE_MONTH = DELEGATE_KEY.index("month")


# --- writing on the session's connection -----------------------------------------------------------


class Writer:
    """Bulk statements on the DBAPI connection under the session's transaction."""

    def __init__(self) -> None:
        connection = db.session.connection()
        self.backend = connection.dialect.name
        self.dbapi = connection.connection.driver_connection

    def execute(self, statement: str, parameters: Any = ()) -> list[tuple]:
        """Run one statement; its rows, if it returns any."""
        cursor = self.dbapi.cursor()
        try:
            cursor.execute(statement, parameters)
            return cursor.fetchall() if cursor.description else []
        finally:
            cursor.close()

    def skip_foreign_key_checks(self) -> bool:
        """PostgreSQL, as a superuser: no foreign-key triggers until the transaction ends."""
        if self.backend != "postgresql":
            return False
        if not self.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")[0][0]:
            return False
        self.execute("SET LOCAL session_replication_role = replica")
        return True

    def drop_indexes(self, tables: Sequence[str]) -> list[str]:
        """Drop the secondary indexes of ``tables``; returns the statements that make them again."""
        if self.backend == "sqlite":
            # Made again in name order. Without statistics SQLite breaks ties between equally
            # good indexes by creation order (the last made wins); a fixed order keeps the plans.
            marks = ", ".join("?" for _ in tables)
            found = self.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "  # noqa: S608
                f"AND tbl_name IN ({marks}) ORDER BY name",
                tuple(tables),
            )
        else:
            found = self.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = ANY(%s) AND indexname NOT IN (SELECT conname FROM pg_constraint) "
                "ORDER BY indexname",
                (list(tables),),
            )
        for name, _ in found:
            self.execute(f'DROP INDEX "{name}"')
        return [statement for _, statement in found]

    def create_indexes(self, statements: Sequence[str]) -> None:
        """Make the dropped indexes again (PostgreSQL: with room to sort)."""
        if self.backend == "postgresql":
            self.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for statement in statements:
            self.execute(statement)

    def write(self, shape: Shape, rows: list[tuple]) -> None:
        """Insert ``rows``, in ``shape``'s column order: executemany on SQLite, COPY on
        PostgreSQL."""
        if not rows:
            return
        columns = ", ".join(f'"{c}"' for c in shape.columns)
        if self.backend == "sqlite":
            marks = ", ".join("?" for _ in shape.columns)
            self.dbapi.executemany(
                f'INSERT INTO "{shape.table}" ({columns}) VALUES ({marks})', rows
            )  # noqa: S608
            return
        with (
            self.dbapi.cursor() as cursor,
            cursor.copy(f'COPY "{shape.table}" ({columns}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def next_id(self, table: str) -> int:
        """The first id free in ``table``."""
        return self.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')[0][0]  # noqa: S608

    def reset_sequences(self, tables: Sequence[str]) -> None:
        """PostgreSQL: the id sequences continue after the ids written."""
        if self.backend != "postgresql":
            return
        for table in tables:
            self.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f'COALESCE((SELECT max(id) FROM "{table}"), 0) + 1, false)'
            )


class Rollups:
    """The rollup rows of the approved entries made so far, by month: a month's rows are
    final (and written) once entries of a later month come."""

    def __init__(self) -> None:
        self.activity: dict[RollupKey, list[int]] = {}
        self.focus: dict[tuple, int] = {}
        self.delegate: dict[tuple, int] = {}
        self.rows = 0

    def count(
        self,
        campaign_id: int,
        month: str,
        person: Person,
        initiative_id: int,
        kind_id: int,
        people_reached: int,
        focus_id: int | None,
    ) -> None:
        """Count one approved entry of ``person`` into the three rollups."""
        key = RollupKey(
            campaign_id=campaign_id,
            month=month,
            delegation_id=person.delegation_id,
            delegate_type=person.delegate_type,
            level=person.level,
            initiative_id=initiative_id,
            kind_id=kind_id,
        )
        counts = self.activity.setdefault(key, [0, 0])
        counts[0] += 1
        counts[1] += people_reached
        if focus_id is not None:
            focus_key = (*key, focus_id)
            self.focus[focus_key] = self.focus.get(focus_key, 0) + 1
        # a delegate's carried fields are the same for all their entries, so the whole row
        # (key and carried fields) names one per-delegate row
        row = key.for_delegate(person.id)
        self.delegate[row] = self.delegate.get(row, 0) + 1

    def flush(self, writer: Writer, before: str | None = None) -> None:
        """Write the rows of the months before ``before`` (every row when None), in key order."""

        def due(month: str) -> bool:
            return before is None or month < before

        activity = sorted(k for k in self.activity if due(k.month))
        writer.write(
            ACTIVITY_ROLLUP, [(*k, *self.activity.pop(k), *ACTIVITY_ROLLUP.tail) for k in activity]
        )
        focus = sorted(k for k in self.focus if due(k[_MONTH]))
        writer.write(FOCUS_ROLLUP, [(*k, self.focus.pop(k), *FOCUS_ROLLUP.tail) for k in focus])
        delegate = sorted(k for k in self.delegate if due(k[_DELEGATE_MONTH]))
        writer.write(
            DELEGATE_ROLLUP, [(*k, self.delegate.pop(k), *DELEGATE_ROLLUP.tail) for k in delegate]
        )
        self.rows += len(activity) + len(focus) + len(delegate)
