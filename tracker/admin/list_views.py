"""Managed lists: delegate stations (代表家站) and delegations (代表团).

Each list has a page that shows it and adds to it, and one POST URL per row that edits,
retires, restores or deletes; a row in use is retired instead of deleted. Administrators
only (the blueprint refuses everyone else).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..edge import as_id, query_int
from ..enums import DelegationKind, StationKind
from ..extensions import db
from ..models import Delegation, Station
from .blueprint import bp
from .list_forms import (
    NO_DELEGATION,
    DelegationForm,
    DelegationUpdateForm,
    StationForm,
    StationUpdateForm,
)
from .lists import (
    CodeTaken,
    DelegationNotAvailable,
    create_delegation,
    create_station,
    delegation_usage,
    delete_or_retire_delegation,
    delete_or_retire_station,
    set_delegation_retired,
    set_station_retired,
    station_usage,
    update_delegation,
    update_station,
)
from .lookups import delegation_list
from .managed_lists import ManagedList, Outcome, RowMessages

STATUSES = ("active", "retired")
DELEGATION_NOT_AVAILABLE = _l("所选代表团不存在或已停用，请重新选择。")

STATIONS = ManagedList(
    endpoint="admin.stations",
    anchor="station",
    set_retired=set_station_retired,
    delete_or_retire=delete_or_retire_station,
    messages=RowMessages(
        retired=_l("已停用：%(name)s。新记录中不再出现，历史记录保留。"),
        deleted=_l("已删除：%(name)s"),
        kept_retired=_l("“%(name)s”已有代表或履职记录引用，不能删除，仍保持停用。"),
        now_retired=_l(
            "“%(name)s”已有代表或履职记录引用，不能删除，已改为停用：新记录中不再出现，历史记录保留。"
        ),
    ),
)
DELEGATIONS = ManagedList(
    endpoint="admin.delegations",
    anchor="delegation",
    set_retired=set_delegation_retired,
    delete_or_retire=delete_or_retire_delegation,
    messages=RowMessages(
        retired=_l("已停用代表团：%(name)s。筛选和新选择中不再出现，历史记录保留。"),
        deleted=_l("已删除代表团：%(name)s"),
        kept_retired=_l("“%(name)s”已有代表、履职记录、家站或账号引用，不能删除，仍保持停用。"),
        now_retired=_l(
            "“%(name)s”已有代表、履职记录、家站或账号引用，不能删除，已改为停用：筛选和新选择中不再出现，历史记录保留。"
        ),
    ),
)


def _open_delegations(keep: Delegation | None = None) -> list[Delegation]:
    """Delegations a station can be put in: the ones in use, plus its current one."""
    return [d for d in delegation_list(retired_last=True) if not d.is_retired or d is keep]


# --- stations -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StationFilters:
    delegation: str = ""  # a delegation id, "none", or "" for all
    kind: str = ""
    status: str = ""

    @classmethod
    def from_args(cls) -> StationFilters:
        args = request.args
        delegation = args.get("delegation", "")
        if delegation != NO_DELEGATION and as_id(delegation) is None:
            delegation = ""
        kind = args.get("kind", "")
        status = args.get("status", "")
        return cls(
            delegation=delegation,
            kind=kind if kind in StationKind._value2member_map_ else "",
            status=status if status in STATUSES else "",
        )

    def args(self) -> dict[str, str]:
        """The non-empty filters, to carry through a form's action URL and the redirect."""
        return {k: v for k, v in self.__dict__.items() if v}

    def apply(self, stmt: sa.Select) -> sa.Select:
        if self.delegation == NO_DELEGATION:
            stmt = stmt.where(Station.delegation_id.is_(None))
        elif self.delegation:
            stmt = stmt.where(Station.delegation_id == int(self.delegation))
        if self.kind:
            stmt = stmt.where(Station.kind == StationKind(self.kind))
        if self.status == "active":
            stmt = stmt.where(Station.retired_at.is_(None))
        elif self.status == "retired":
            stmt = stmt.where(Station.retired_at.is_not(None))
        return stmt


def _station_groups(filters: StationFilters) -> list[tuple[Delegation | None, list[Station]]]:
    """Stations grouped by delegation in list order; city-level ones (no delegation) last."""
    stations = db.session.scalars(
        filters.apply(sa.select(Station)).order_by(
            Station.retired_at.is_not(None),
            # 代表之家, 代表联络站, 基层立法联系点: the order the enum (and the letter) gives them
            sa.case({kind: i for i, kind in enumerate(StationKind)}, value=Station.kind),
            Station.name,
            Station.id,
        )
    ).all()
    groups: dict[int | None, list[Station]] = {}
    for station in stations:
        groups.setdefault(station.delegation_id, []).append(station)
    ordered = [(d, groups[d.id]) for d in delegation_list(retired_last=True) if d.id in groups]
    if None in groups:
        ordered.append((None, groups[None]))
    return ordered


def _render_stations(
    form: StationForm | None = None,
    edit_id: int | None = None,
    edit_form: StationUpdateForm | None = None,
):
    filters = StationFilters.from_args()
    groups = _station_groups(filters)
    if edit_id is not None and edit_form is None:
        station = db.session.get(Station, edit_id)
        if station is not None:
            edit_form = _station_edit_form(station, formdata=None)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Station))
    return render_template(
        "admin/stations.html",
        groups=groups,
        shown=sum(len(stations) for _, stations in groups),
        total=total,
        usage=station_usage(),
        filters=filters,
        delegations=delegation_list(retired_last=True),
        kinds=list(StationKind),
        form=form or StationForm(formdata=None, delegations=_open_delegations()),
        edit_id=edit_id,
        edit_form=edit_form,
        NO_DELEGATION=NO_DELEGATION,
    )


def _station_edit_form(station: Station, **kwargs) -> StationUpdateForm:
    shown = {
        "name": station.name,
        "kind": station.kind.value,
        "delegation": str(station.delegation_id) if station.delegation_id else NO_DELEGATION,
        "address": station.address,
    }
    delegations = _open_delegations(keep=station.delegation)
    return STATIONS.row_form(StationUpdateForm, station, shown, delegations=delegations, **kwargs)


@bp.route("/stations", methods=["GET", "POST"])
def stations():
    """代表之家、代表联络站、基层立法联系点: the list by delegation, and a form to add one."""
    if request.method == "GET":
        return _render_stations(edit_id=query_int("edit"))
    form = StationForm(delegations=_open_delegations())
    if not form.validate_on_submit():
        return _render_stations(form)
    try:
        station = create_station(
            current_user,
            name=form.name.data,
            kind=StationKind(form.kind.data),
            delegation_id=form.delegation_id,
            address=form.address.data,
            code=form.code.data,
        )
    except CodeTaken:
        STATIONS.refuse(form.code, _("这个代码已被其他家站使用，请换一个或留空自动生成。"))
        return _render_stations(form)
    except DelegationNotAvailable:
        STATIONS.refuse(form.delegation, DELEGATION_NOT_AVAILABLE)
        return _render_stations(form)
    added = _("已添加：%(name)s（代码 %(code)s）", name=station.name, code=station.code)
    return STATIONS.done(Outcome(added), station.id, **StationFilters.from_args().args())


@bp.route("/stations/<int:station_id>", methods=["POST"])
def station_update(station_id: int):
    """Edit, retire, restore or delete one station."""
    station = db.get_or_404(Station, station_id)
    form = _station_edit_form(station)
    if not form.validate_on_submit():
        return _render_stations(edit_id=station.id, edit_form=form)
    back = StationFilters.from_args().args()
    if form.action.data != "update":
        return STATIONS.done(STATIONS.change_state(station, form.action.data), station_id, **back)
    try:
        update_station(
            station,
            current_user,
            name=form.name.data,
            kind=StationKind(form.kind.data),
            delegation_id=form.delegation_id,
            address=form.address.data,
        )
    except DelegationNotAvailable:
        STATIONS.refuse(form.delegation, DELEGATION_NOT_AVAILABLE)
        return _render_stations(edit_id=station.id, edit_form=form)
    return STATIONS.done(Outcome(_("已保存：%(name)s", name=station.name)), station_id, **back)


# --- delegations --------------------------------------------------------------------------------


def _delegation_edit_form(delegation: Delegation, **kwargs) -> DelegationUpdateForm:
    shown = {
        "name": delegation.name,
        "kind": delegation.kind.value,
        "position": delegation.position,
    }
    return DELEGATIONS.row_form(DelegationUpdateForm, delegation, shown, **kwargs)


def _render_delegations(
    form: DelegationForm | None = None,
    edit_id: int | None = None,
    edit_form: DelegationUpdateForm | None = None,
):
    delegations = delegation_list(retired_last=True)
    if edit_id is not None and edit_form is None:
        editing = next((d for d in delegations if d.id == edit_id), None)
        if editing is not None:
            edit_form = _delegation_edit_form(editing, formdata=None)
    return render_template(
        "admin/delegations.html",
        delegations=delegations,
        usage=delegation_usage(),
        form=form or DelegationForm(formdata=None),
        edit_id=edit_id,
        edit_form=edit_form,
    )


@bp.route("/delegations", methods=["GET", "POST"])
def delegations():
    """代表团: the list, and a form to add one."""
    if request.method == "GET":
        return _render_delegations(edit_id=query_int("edit"))
    form = DelegationForm()
    if not form.validate_on_submit():
        return _render_delegations(form)
    try:
        delegation = create_delegation(
            current_user,
            code=form.code.data,
            name=form.name.data,
            kind=DelegationKind(form.kind.data),
            position=form.position.data,
        )
    except CodeTaken:
        DELEGATIONS.refuse(form.code, _("这个代码已被其他代表团使用，请换一个。"))
        return _render_delegations(form)
    added = _("已添加代表团：%(name)s", name=delegation.name)
    return DELEGATIONS.done(Outcome(added), delegation.id)


@bp.route("/delegations/<int:delegation_id>", methods=["POST"])
def delegation_update(delegation_id: int):
    """Edit, retire, restore or delete one delegation."""
    delegation = db.get_or_404(Delegation, delegation_id)
    form = _delegation_edit_form(delegation)
    if not form.validate_on_submit():
        return _render_delegations(edit_id=delegation.id, edit_form=form)
    if form.action.data != "update":
        outcome = DELEGATIONS.change_state(delegation, form.action.data)
        return DELEGATIONS.done(outcome, delegation_id)
    update_delegation(
        delegation,
        current_user,
        name=form.name.data,
        kind=DelegationKind(form.kind.data),
        position=form.position.data,
    )
    saved = _("已保存：%(name)s", name=delegation.name)
    return DELEGATIONS.done(Outcome(saved), delegation_id)
