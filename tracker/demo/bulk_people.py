"""The people of a load at scale: stations (three a delegation), delegates spread over the
delegations as in the hand-shaped demo, the demo accounts, and the :class:`Vocabulary` of ids
every entry refers to, read once from the database.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ..admin.accounts import create_user
from ..campaign.loader import active_campaign
from ..enums import DelegateType, Gender, Level, Role, StationKind
from ..extensions import db
from ..models import (
    ActivityKind,
    ConcernCategory,
    Delegate,
    Delegation,
    FocusArea,
    HandlingBody,
    ProposalLabel,
    Station,
    User,
)
from .accounts import DEMO_PASSWORD, DEMO_USERNAMES, describe_account
from .bulk_plan import ScaleReport, cumulative, pick
from .words import (
    FEMALE_SHARE,
    LABEL_WEIGHTS,
    LEVEL_WEIGHTS,
    PLACES,
    STATION_TEXT,
    STATION_WEIGHTS,
    SURNAMES,
    TYPE_SHARES,
    Place,
)

# a delegation the words do not know: an average share, three streets for its stations
_ELSEWHERE = Place(8, "", ["城区街道", "中心镇", "新城镇"])


@dataclass
class Person:
    """A delegate as the entries need them: what an entry copies from its delegate."""

    id: int
    delegation_id: int
    delegate_type: str
    level: str
    station_id: int | None


@dataclass
class Vocabulary:
    """Ids of everything an entry refers to, read once from the database."""

    campaign_id: int
    staff_id: int | None
    delegations: dict[int, tuple[str, str]]  # id → (code, name)
    home_station: dict[int, int]
    people: list[Person]
    kinds: dict[
        str, tuple[int, str, str, frozenset[str]]
    ]  # code → (id, name, description, sections)
    assign: dict[tuple[str, str], tuple[int, tuple[int, ...], int, tuple[int, ...], float]]
    focus: dict[str, int]
    labels: tuple[list[Any], list[float]]
    categories: dict[str, int]
    bodies: list[int]


def _call_choices(
    calls: list[Any], number: int, kind_code: str, delegate_type: str
) -> tuple[int, ...]:
    """The demo's rule: the call of the delegate's type, else any untyped call of the kind."""
    fitting = [
        c for c in calls if c.initiative.number == number and kind_code in (c.kind_codes or [])
    ]
    typed = [c.id for c in fitting if c.delegate_type == delegate_type]
    return tuple(typed[:1]) or tuple(c.id for c in fitting if c.delegate_type is None)


def _make_stations(
    delegations: list[Delegation], report: ScaleReport
) -> dict[int, dict[StationKind, int]]:
    """A 代表之家, a 联络站 and a 基层立法联系点 in each delegation (kept when they exist)."""
    existing = {s.code: s for s in db.session.scalars(sa.select(Station))}
    stations: dict[int, dict[StationKind, int]] = {}
    for delegation in delegations:
        streets = PLACES.get(delegation.code, _ELSEWHERE).streets
        for street, kind in zip(streets, StationKind, strict=False):
            noun, slug, building = STATION_TEXT[kind]
            code = f"{delegation.code}-{slug}-1"
            station = existing.get(code)
            if station is None:
                station = Station(
                    code=code,
                    name=f"{delegation.name}{street}{noun}",
                    kind=kind,
                    delegation_id=delegation.id,
                    address=f"兰州市{delegation.name}{street}{building}",
                )
                db.session.add(station)
                report.stations += 1
            stations.setdefault(delegation.id, {})[kind] = station
    db.session.flush()
    return {d: {k: s.id for k, s in kinds.items()} for d, kinds in stations.items()}


def make_people(rng: random.Random, total: int, report: ScaleReport) -> Vocabulary:
    """Stations and ``total`` delegates spread like the demo's; the campaign's vocabulary."""
    campaign = active_campaign()
    delegations = list(
        db.session.scalars(
            sa.select(Delegation)
            .where(Delegation.retired_at.is_(None))
            .order_by(Delegation.position)
        )
    )
    if not delegations:
        raise ValueError("the campaign has no delegations")
    stations = _make_stations(delegations, report)
    shares = list(itertools.accumulate(PLACES.get(d.code, _ELSEWHERE).share for d in delegations))
    types = cumulative(TYPE_SHARES)
    levels = cumulative(LEVEL_WEIGHTS)
    station_kinds = cumulative({StationKind(k): w for k, w in STATION_WEIGHTS.items()})
    surnames = cumulative(SURNAMES)
    joined = datetime.combine(campaign.starts_on - timedelta(days=30), datetime.min.time())
    first_id = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Delegate.id), 0))) + 1
    rows = []
    for i in range(total):
        delegation = delegations[bisect.bisect(shares, i * shares[-1] / total)]
        delegate_type = DelegateType(pick(rng, types))
        gender = Gender.FEMALE if rng.random() < FEMALE_SHARE[delegate_type] else Gender.MALE
        chars = (
            "秀兰芳娟丽敏静燕霞红梅玲" if gender == Gender.FEMALE else "建国伟军强斌涛鹏刚明辉勇"
        )
        station = None
        if rng.random() < 0.85:
            station = stations[delegation.id].get(pick(rng, station_kinds))
        rows.append(
            {
                "name": pick(rng, surnames) + "".join(rng.choices(chars, k=rng.choice((1, 2, 2)))),
                "gender": gender,
                "level": Level(pick(rng, levels)),
                "delegation_id": delegation.id,
                "delegate_type": delegate_type,
                "work_unit": f"{delegation.name}",
                "job_title": "",
                "phone": f"139{rng.randrange(10**8):08d}",
                "station_id": station,
                "created_at": joined,
            }
        )
    db.session.execute(sa.insert(Delegate), rows)
    report.delegates = total

    people = [
        Person(d.id, d.delegation_id, d.delegate_type.value, d.level.value, d.station_id)
        for d in db.session.scalars(
            sa.select(Delegate).where(Delegate.id >= first_id).order_by(Delegate.id)
        )
    ]
    kind_rows = list(
        db.session.scalars(
            sa.select(ActivityKind).where(
                ActivityKind.campaign_id == campaign.id, ActivityKind.retired_at.is_(None)
            )
        )
    )
    kinds = {k.code: (k.id, k.name, k.description, frozenset(k.sections or [])) for k in kind_rows}
    initiatives = {i.number: i.id for i in campaign.initiatives if i.retired_at is None}
    if not (kinds and initiatives):
        raise ValueError("the campaign needs activity kinds and initiatives")
    calls = [c for i in campaign.initiatives for c in i.calls if c.retired_at is None]
    assign = {}
    for kind in kind_rows:
        number = kind.default_initiative_number
        if number not in initiatives:
            number = min(initiatives)
        for delegate_type in DelegateType:
            # the kind's own initiative mostly; now and then 二, the delegate type's call
            second = _call_choices(calls, 2, kind.code, delegate_type.value)
            typed = any(c.id in second and c.delegate_type is not None for c in calls)
            chance = (0.3 if typed else 0.08) if second and 2 in initiatives else 0.0
            assign[(kind.code, delegate_type.value)] = (
                initiatives[number],
                _call_choices(calls, number, kind.code, delegate_type.value),
                initiatives.get(2, initiatives[number]),
                second,
                chance,
            )
    labels = {
        label.id: LABEL_WEIGHTS.get(label.code, 1)
        for label in db.session.scalars(
            sa.select(ProposalLabel).where(ProposalLabel.campaign_id == campaign.id)
        )
    }
    return Vocabulary(
        campaign_id=campaign.id,
        staff_id=None,
        delegations={d.id: (d.code, d.name) for d in delegations},
        home_station={d: s[StationKind.HOME] for d, s in stations.items() if StationKind.HOME in s},
        people=people,
        kinds=kinds,
        assign=assign,
        focus={
            f.code: f.id
            for f in db.session.scalars(
                sa.select(FocusArea).where(FocusArea.campaign_id == campaign.id)
            )
        },
        labels=cumulative(labels) if labels else ([None], [1.0]),
        categories={
            c.code: c.id
            for c in db.session.scalars(
                sa.select(ConcernCategory).where(ConcernCategory.campaign_id == campaign.id)
            )
        },
        bodies=list(
            db.session.scalars(
                sa.select(HandlingBody.id)
                .where(HandlingBody.retired_at.is_(None))
                .order_by(HandlingBody.position)
            )
        ),
    )


def make_accounts(vocab: Vocabulary, idle: set[int], report: ScaleReport) -> None:
    """The demo's five accounts (an account made by hand keeps its own password): 代表
    ``daibiao`` is a grassroots delegate of 城关区 who logs entries, ``qiye`` an entrepreneur."""
    taken = set(
        db.session.scalars(sa.select(User.username).where(User.username.in_(DEMO_USERNAMES)))
    )
    chengguan = next(
        (d for d, (code, _) in vocab.delegations.items() if code == "chengguan"),
        next(iter(vocab.delegations)),
    )
    active = [p for i, p in enumerate(vocab.people) if i not in idle]

    def first(rule: Callable[[Person], bool]) -> Delegate | None:
        person = next((p for p in active if rule(p)), None)
        return db.session.get(Delegate, person.id) if person else None

    daibiao = first(
        lambda p: p.delegation_id == chengguan and p.delegate_type == "grassroots"
    ) or first(lambda p: True)
    qiye = first(lambda p: p.delegate_type == "entrepreneur" and p.id != (daibiao and daibiao.id))
    accounts = [
        ("admin", "系统管理员", Role.ADMIN, None, None),
        ("staff", "市人大常委会代表工委", Role.STAFF, None, None),
        (
            "staff_cg",
            f"{vocab.delegations[chengguan][1]}人大常委会选联工委",
            Role.STAFF,
            None,
            db.session.get(Delegation, chengguan),
        ),
    ]
    accounts += [
        (name, d.name, Role.DELEGATE, d, None)
        for name, d in (("daibiao", daibiao), ("qiye", qiye))
        if d is not None
    ]
    for username, display_name, role, delegate, delegation in accounts:
        if username in taken:
            continue
        user = create_user(
            username=username,
            display_name=display_name,
            role=role,
            password=DEMO_PASSWORD,
            delegate=delegate,
            delegation=delegation,
        )
        report.users += 1
        report.logins.append((username, DEMO_PASSWORD, describe_account(user)))
    vocab.staff_id = db.session.scalar(sa.select(User.id).where(User.username == "staff"))
