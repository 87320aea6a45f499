"""Small builders for test data. They add and flush; the test decides when to commit."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from tracker.admin.accounts import create_user
from tracker.enums import ActivityStatus, DelegateType, Gender, Level, Role, StationKind
from tracker.extensions import db
from tracker.models import (
    Activity,
    ActivityKind,
    Campaign,
    Concern,
    ConcernCategory,
    Delegate,
    Delegation,
    Initiative,
    Station,
)

PASSWORD = "Test-pass-2023"
_seq = itertools.count(1)


def delegation(code: str) -> Delegation:
    return db.session.scalar(sa.select(Delegation).where(Delegation.code == code))


def campaign() -> Campaign:
    return db.session.scalar(sa.select(Campaign).where(Campaign.is_active))


def kind(code: str) -> ActivityKind:
    return db.session.scalar(sa.select(ActivityKind).where(ActivityKind.code == code))


def initiative(number: int) -> Initiative:
    return db.session.scalar(sa.select(Initiative).where(Initiative.number == number))


def category(code: str = "transport") -> ConcernCategory:
    return db.session.scalar(sa.select(ConcernCategory).where(ConcernCategory.code == code))


def make_station(delegation_code: str, kind: StationKind = StationKind.HOME) -> Station:
    n = next(_seq)
    station = Station(
        code=f"{delegation_code}-station-{n}",
        name=f"测试家站{n}",
        kind=kind,
        delegation=delegation(delegation_code),
    )
    db.session.add(station)
    db.session.flush()
    return station


def make_delegate(
    name: str = "张三",
    delegation_code: str = "chengguan",
    delegate_type: DelegateType = DelegateType.GRASSROOTS,
    level: Level = Level.CITY,
    station: Station | None = None,
) -> Delegate:
    delegate = Delegate(
        name=name,
        gender=Gender.FEMALE,
        level=level,
        delegation=delegation(delegation_code),
        delegate_type=delegate_type,
        work_unit="测试单位",
        job_title="职务",
        phone="13900000000",
        station=station,
    )
    db.session.add(delegate)
    db.session.flush()
    return delegate


def make_activity(
    delegate: Delegate,
    *,
    kind_code: str = "visit",
    initiative_number: int = 3,
    status: ActivityStatus = ActivityStatus.SUBMITTED,
    occurred_on: date = date(2024, 5, 10),
    title: str | None = None,
    people_reached: int = 5,
    concerns: int = 0,
) -> Activity:
    activity = Activity(
        campaign_id=campaign().id,
        delegate_id=delegate.id,
        delegation_id=delegate.delegation_id,
        delegate_type=delegate.delegate_type,
        level=delegate.level,
        kind_id=kind(kind_code).id,
        initiative_id=initiative(initiative_number).id,
        occurred_on=occurred_on,
        title=title or f"测试活动{next(_seq)}",
        people_reached=people_reached,
        status=status,
    )
    for i in range(concerns):
        activity.concerns.append(
            Concern(position=i + 1, category_id=category().id, content=f"诉求{i + 1}")
        )
    db.session.add(activity)
    db.session.flush()
    return activity


@dataclass
class World:
    delegate_a: int  # 城关区, grassroots, account dele_a
    delegate_a2: int  # 城关区, entrepreneur, account dele_a2
    delegate_b: int  # 七里河区, technical, account dele_b
    station_a: int
    station_b: int


def make_world() -> World:
    station_a = make_station("chengguan")
    station_b = make_station("qilihe", StationKind.LIAISON)
    a = make_delegate("马秀兰", "chengguan", DelegateType.GRASSROOTS, station=station_a)
    a2 = make_delegate("王建国", "chengguan", DelegateType.ENTREPRENEUR)
    b = make_delegate("李文华", "qilihe", DelegateType.TECHNICAL, station=station_b)
    create_user(
        username="dele_a", display_name=a.name, role=Role.DELEGATE, password=PASSWORD, delegate=a
    )
    create_user(
        username="dele_a2", display_name=a2.name, role=Role.DELEGATE, password=PASSWORD, delegate=a2
    )
    create_user(
        username="dele_b", display_name=b.name, role=Role.DELEGATE, password=PASSWORD, delegate=b
    )
    create_user(
        username="staff_a",
        display_name="城关区工作人员",
        role=Role.STAFF,
        password=PASSWORD,
        delegation=delegation("chengguan"),
    )
    create_user(
        username="staff_city", display_name="市代表工委", role=Role.STAFF, password=PASSWORD
    )
    create_user(username="admin", display_name="管理员", role=Role.ADMIN, password=PASSWORD)
    return World(a.id, a2.id, b.id, station_a.id, station_b.id)


def make_bulletin_month(world: World) -> None:
    """May 2024: three approved entries, two of them typical cases, one submitted entry that
    must not count; earlier months give the trend some history."""
    a = db.session.get(Delegate, world.delegate_a)  # 城关区, grassroots
    a2 = db.session.get(Delegate, world.delegate_a2)  # 城关区, entrepreneur
    b = db.session.get(Delegate, world.delegate_b)  # 七里河区, technical
    approved = ActivityStatus.APPROVED
    visit = make_activity(
        a, occurred_on=date(2024, 5, 3), status=approved, people_reached=10, title="入户走访听民意"
    )
    visit.description = "走访十户居民，了解路灯损坏情况。"
    visit.outcome = "协调街道修复路灯六盏。"
    visit.exemplary, visit.exemplary_note = True, "问题发现及时，跟踪解决到位"
    research = make_activity(
        b,
        kind_code="research",
        initiative_number=2,
        occurred_on=date(2024, 5, 7),
        status=approved,
        title="黄河沿岸生态调研",
    )
    research.research_findings = "沿岸绿化带养护经费不足。"
    research.exemplary, research.exemplary_note = True, "调研扎实"
    make_activity(
        a2,
        kind_code="enterprise-service",
        occurred_on=date(2024, 5, 11),
        status=approved,
        people_reached=3,
    )
    make_activity(a, occurred_on=date(2024, 5, 25), people_reached=50)  # submitted
    for month in (9, 10, 11):
        make_activity(b, occurred_on=date(2023, month, 8), status=approved)
    from tracker.activities import rollups

    rollups.rebuild()
