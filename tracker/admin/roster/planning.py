"""Planning an import: read the file, check each row, match it to a delegate on file and say
what would change. Nothing is written here; :mod:`.apply` writes a plan without errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from ...models import Delegate, Station
from .fields import CheckedRow, check_cells
from .files import (
    DEFAULT_MAX_ROWS,
    FileProblem,
    choose_sheet,
    open_sheets,
    read_data_rows,
    size_limit,
    size_text,
)
from .plan import FieldChange, NewStation, RosterPlan, RosterRow, RowStatus
from .registry import Registry
from .values import is_mobile, normalize_phone, station_kind_for
from .words import label, text_key


def plan_import(
    source_bytes: bytes,
    filename: str,
    *,
    max_rows: int | None = None,
    max_bytes: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> RosterPlan:
    """Read a roster file and say, row by row, what importing it would do. Changes nothing.

    ``progress`` is called with the number of data rows read, every 500 rows.
    """
    plan = RosterPlan(filename=filename)
    limit = size_limit(max_bytes)
    max_rows = max_rows or current_app.config.get("ROSTER_MAX_ROWS") or DEFAULT_MAX_ROWS
    if not source_bytes or not source_bytes.strip():
        plan.errors.append(_("文件是空的。"))
        return plan
    if len(source_bytes) > limit:
        plan.errors.append(_("文件超过 %(size)s，请拆分后分批导入。", size=size_text(limit)))
        return plan

    close: Callable[[], None] = lambda: None  # noqa: E731
    try:
        sheets, close = open_sheets(source_bytes, filename)
        sheet, header = choose_sheet(sheets)
        plan.sheet, plan.header_row = sheet.name, header.row
        plan.ignored_columns = header.ignored
        rows = read_data_rows(sheet, header, max_rows, progress)
        _plan_rows(plan, rows)
    except FileProblem as problem:
        plan.errors.append(str(problem))
        plan.rows = []
        plan.new_stations = []
    finally:
        close()
    return plan


class _RowProblem(Exception):
    """The row cannot be imported; the message says why."""


@dataclass
class _Seen:
    """What earlier rows of the same file claimed."""

    keys: dict[tuple[str, int, str], int] = field(default_factory=dict)
    delegates: dict[int, int] = field(default_factory=dict)
    mobiles: dict[str, tuple[int, str]] = field(default_factory=dict)


def _plan_rows(plan: RosterPlan, rows: list[tuple[int, dict[str, str]]]) -> None:
    registry = Registry()
    seen = _Seen()
    new_stations: dict[tuple[int, str], NewStation] = {}
    for number, cells in rows:
        row = RosterRow(number=number, cells=cells)
        _plan_row(row, registry, seen, new_stations)
        plan.rows.append(row)
    # A station only some erroneous rows asked for is not listed.
    wanted = {row.new_station for row in plan.rows if row.status != RowStatus.ERROR}
    plan.new_stations = [s for key, s in new_stations.items() if key in wanted]


def _plan_row(
    row: RosterRow,
    registry: Registry,
    seen: _Seen,
    new_stations: dict[tuple[int, str], NewStation],
) -> None:
    """Check the row's cells, then whether it repeats an earlier row or clashes with the
    delegates on file; a row without problems is planned as a new or an updated delegate."""
    checked = check_cells(row.cells, registry)
    row.messages.extend(checked.errors)
    row.display = checked.display()
    if row.messages:
        return
    try:
        _note_in_file(row, seen, checked)
        delegate = _delegate_on_file(row, registry, seen, checked)
        station, new_station = _station(row, registry, new_stations, checked)
    except _RowProblem as problem:
        row.messages.append(str(problem))
        return
    if delegate is None:
        _plan_create(row, checked, station, new_station)
    else:
        row.delegate_id = delegate.id
        _plan_update(row, registry, delegate, checked, station, new_station)


def _note_in_file(row: RosterRow, seen: _Seen, checked: CheckedRow) -> None:
    """Refuse the same person twice in one file, and one mobile number for two names."""
    name, phone = checked.values["name"], checked.values["phone"]
    key = (name, checked.values["delegation"].id, phone)
    if key in seen.keys:
        raise _RowProblem(_("与第 %(row)s 行重复。", row=seen.keys[key]))
    seen.keys[key] = row.number
    if phone and is_mobile(phone):
        earlier = seen.mobiles.get(phone)
        if earlier is not None and earlier[1] != name:
            raise _RowProblem(
                _("手机号与第 %(row)s 行（%(name)s）相同。", row=earlier[0], name=earlier[1])
            )
        seen.mobiles.setdefault(phone, (row.number, name))


def _delegate_on_file(
    row: RosterRow, registry: Registry, seen: _Seen, checked: CheckedRow
) -> Delegate | None:
    """The delegate the row updates (None: a new one). Two rows may not update the same
    delegate, and a new mobile number may not belong to someone else already."""
    name, phone = checked.values["name"], checked.values["phone"]
    delegate, problem = registry.find_delegate(name, checked.values["delegation"].id, phone)
    if problem:
        raise _RowProblem(problem)
    if delegate is not None:
        if delegate.id in seen.delegates:
            raise _RowProblem(_("与第 %(row)s 行是同一位代表。", row=seen.delegates[delegate.id]))
        seen.delegates[delegate.id] = row.number
    already_theirs = delegate is not None and normalize_phone(delegate.phone or "") == phone
    if phone and is_mobile(phone) and not already_theirs:
        owners = [
            d for d in registry.by_phone.get(phone, []) if delegate is None or d.id != delegate.id
        ]
        if owners:
            raise _RowProblem(
                _(
                    "手机号 %(phone)s 已登记给代表 %(name)s（%(delegation)s）。",
                    phone=phone,
                    name=owners[0].name,
                    delegation=registry.delegation_name(owners[0].delegation_id),
                )
            )
    return delegate


def _station(
    row: RosterRow,
    registry: Registry,
    new_stations: dict[tuple[int, str], NewStation],
    checked: CheckedRow,
) -> tuple[Station | None, NewStation | None]:
    """The station the row names, looked up within the delegation (or among city-wide ones);
    one not on file is planned as new, once for all the rows that name it."""
    station_name = checked.values["station"]
    if not station_name:
        return None, None
    delegation = checked.values["delegation"]
    station = registry.find_station(delegation.id, station_name)
    if station is not None and station.is_retired:
        raise _RowProblem(
            _("家站“%(value)s”已停用，请先在家站管理中恢复使用。", value=station.name)
        )
    if station is not None:
        return station, None
    new_station = new_stations.get((delegation.id, text_key(station_name)))
    if new_station is None:
        new_station = NewStation(
            delegation.id, delegation.name, station_name, station_kind_for(station_name)
        )
        new_stations[new_station.key] = new_station
    new_station.rows.append(row.number)
    row.new_station = new_station.key
    return None, new_station


def _plan_create(
    row: RosterRow, checked: CheckedRow, station: Station | None, new_station: NewStation | None
) -> None:
    values, work = checked.values, checked.work
    row.status = RowStatus.CREATE
    row.values = {
        "name": values["name"],
        "gender": values["gender"],
        "delegate_type": values["delegate_type"],
        "level": values["level"],
        "delegation_id": values["delegation"].id,
        "work_unit": work.get("work") or work.get("work_unit", ""),
        "job_title": "" if "work" in work else work.get("job_title", ""),
        "phone": values["phone"],
    }
    if new_station is None:  # apply_plan sets a new station once it exists
        row.values["station_id"] = station.id if station else None


def _plan_update(
    row: RosterRow,
    registry: Registry,
    delegate: Delegate,
    checked: CheckedRow,
    station: Station | None,
    new_station: NewStation | None,
) -> None:
    """The fields of ``delegate`` the row changes; a blank optional cell changes nothing."""
    values, work = checked.values, checked.work
    name, gender, phone = values["name"], values["gender"], values["phone"]
    delegate_type, level, delegation = (
        values["delegate_type"],
        values["level"],
        values["delegation"],
    )

    def change(attribute: str, column: str, new: Any, old_text: str, new_text: str) -> None:
        row.values[attribute] = new
        row.changes.append(FieldChange(label(column), old_text or "—", new_text or "—"))

    if delegate.name != name:
        change("name", "name", name, delegate.name, name)
    if gender is not None and delegate.gender != gender:
        change(
            "gender",
            "gender",
            gender,
            delegate.gender.label if delegate.gender else "",
            gender.label,
        )
    if delegate.delegate_type != delegate_type:
        change(
            "delegate_type",
            "delegate_type",
            delegate_type,
            delegate.delegate_type.label,
            delegate_type.label,
        )
    if delegate.level != level:
        change("level", "level", level, delegate.level.label, level.label)
    if delegate.delegation_id != delegation.id:
        change(
            "delegation_id",
            "delegation",
            delegation.id,
            registry.delegation_name(delegate.delegation_id),
            delegation.name,
        )

    if "work" in work:
        on_file = f"{delegate.work_unit}{delegate.job_title}"
        if "".join(on_file.split()) != "".join(work["work"].split()):
            old = " ".join(p for p in (delegate.work_unit, delegate.job_title) if p)
            change("work_unit", "work", work["work"], old, work["work"])
            row.values["job_title"] = ""
    for part in ("work_unit", "job_title"):
        if part in work and getattr(delegate, part) != work[part]:
            change(part, part, work[part], getattr(delegate, part), work[part])

    # The same number written differently on file ("138-0931-0000") is not a change.
    if phone and normalize_phone(delegate.phone or "") != phone:
        change("phone", "phone", phone, delegate.phone, phone)

    old_station = registry.station_name(delegate.station_id)
    if new_station is not None:  # apply_plan sets it once the station exists
        row.changes.append(
            FieldChange(label("station"), old_station, _("%(name)s（新建）", name=new_station.name))
        )
    elif station is not None and delegate.station_id != station.id:
        change("station_id", "station", station.id, old_station, station.name)
    elif (
        station is None
        and delegate.station_id is not None
        and (
            delegate.delegation_id != delegation.id
            and registry.stations[delegate.station_id].delegation_id not in (None, delegation.id)
        )
    ):
        # Moved to another delegation without a station named: the old one no longer fits.
        change("station_id", "station", None, old_station, "")

    row.status = RowStatus.UPDATE if row.changes else RowStatus.UNCHANGED
    if not row.changes:
        row.values = {}
