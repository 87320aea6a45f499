"""What importing a roster would do: a plan, row by row, made before anything changes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ...enums import StationKind
from .words import text_key


class RowStatus(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass
class FieldChange:
    """One field of a delegate that the import changes, as shown to the administrator."""

    label: str
    old: str
    new: str


@dataclass
class RosterRow:
    """One data row of the file and what the import would do with it."""

    number: int  # the row number the spreadsheet shows
    cells: dict[str, str]
    status: RowStatus = RowStatus.ERROR
    messages: list[str] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)
    delegate_id: int | None = None
    values: dict[str, Any] = field(default_factory=dict)  # attributes to write
    new_station: tuple[int, str] | None = None  # key into RosterPlan.new_stations
    display: dict[str, str] = field(default_factory=dict)  # name, delegation … as shown


@dataclass
class NewStation:
    """A station named in the file that does not exist yet: created on apply."""

    delegation_id: int
    delegation_name: str
    name: str
    kind: StationKind
    rows: list[int] = field(default_factory=list)

    @property
    def key(self) -> tuple[int, str]:
        return (self.delegation_id, text_key(self.name))


@dataclass(frozen=True)
class RosterCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    stations: int = 0

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.errors


@dataclass
class RosterPlan:
    """What importing one file would do; nothing has changed yet."""

    filename: str
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # file-level: nothing can be imported
    new_stations: list[NewStation] = field(default_factory=list)
    header_row: int | None = None
    sheet: str | None = None
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def counts(self) -> RosterCounts:
        by_status = defaultdict(int)
        for row in self.rows:
            by_status[row.status] += 1
        return RosterCounts(
            created=by_status[RowStatus.CREATE],
            updated=by_status[RowStatus.UPDATE],
            unchanged=by_status[RowStatus.UNCHANGED],
            errors=by_status[RowStatus.ERROR],
            stations=len(self.new_stations),
        )

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(row.status == RowStatus.ERROR for row in self.rows)

    @property
    def can_apply(self) -> bool:
        return not self.has_errors and bool(self.rows)

    @property
    def has_changes(self) -> bool:
        return any(row.status in (RowStatus.CREATE, RowStatus.UPDATE) for row in self.rows)


class RosterPlanHasErrors(ValueError):
    """apply_plan was given a plan that still has errors."""
