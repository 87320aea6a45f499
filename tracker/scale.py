"""Demo data at city and province scale: thousands of delegates, a million entries.

``flask demo --activities M`` and the benchmarks (``bench/seed.py``) both call
:func:`generate_at_scale`. On a migrated database with an active campaign and no delegates it
adds the stations (three a delegation), ``delegates`` delegates spread over the delegations as
in the demo, the demo accounts, and ``activities`` entries over the months of a :class:`Span`,
with their focus areas, proposals (followed to replies and ratings by their age) and concerns.
The texts are drawn from the hand-shaped demo's (:mod:`tracker.demo`), so a million entries
read like its hundreds. Entries of the span's last ``pending_days`` days are partly still
waiting for review (submitted), returned or drafts; every other entry is approved. Concerns
older than 90 days are concluded and proposals older than a year answered and rated, so what
waits for staff is the recent work, as in an office that keeps up, not a share of the history.

How it stays fast: rows are made as plain tuples and written with ``executemany`` (SQLite)
or ``COPY`` (PostgreSQL) on the session's own connection while the loaded tables' secondary
indexes are dropped; the indexes are built again from their own definitions afterwards. The
rollups are counted while the rows are made (entries come in date order, so a month's counts
are final once the next month starts) and written like the rows: the same numbers
:func:`tracker.activities.rollups.rebuild` would give, without reading the million entries back.

Everything happens in the caller's transaction: if anything fails, the rollback takes the
rows, the dropped indexes and the rollups back with it. SQLite keeps its journal; PostgreSQL
skips the foreign-key triggers for the load when the account may (a superuser), since every
id the generator writes was read from the database or written by it. Nothing here commits.

Not generated: audit rows, notifications, attachments, closed months and typical cases.
"""

from __future__ import annotations

import bisect
import itertools
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

import sqlalchemy as sa

from .campaigns.loader import active_campaign
from .dates import add_months
from .demo import (
    COMMUNITIES,
    CONCERNS,
    DEMO_PASSWORD,
    DEMO_USERNAMES,
    FEMALE_SHARE,
    FIRMS,
    FOCUS_WEIGHTS,
    INDUSTRIES,
    KIND_WEIGHTS,
    LABEL_WEIGHTS,
    LAWS,
    LEVEL_WEIGHTS,
    PLACES,
    PROJECTS,
    PROPOSAL_DESCRIPTIONS,
    PROPOSAL_FOCUS,
    PROPOSAL_OUTCOMES,
    PROPOSALS,
    REACH,
    REPLY_TEXTS,
    RESEARCH,
    RESEARCH_DESCRIPTIONS,
    RESEARCH_OUTCOMES,
    RESEARCH_TITLES,
    RETURN_REASONS,
    STATION_TEXT,
    SURNAMES,
    TEMPLATES,
    TYPE_SHARES,
    VILLAGES,
    VISIT_TARGETS,
    describe_account,
)
from .enums import DelegateType, Gender, Level, Role, StationKind
from .extensions import db
from .models import (
    Activity,
    ActivityKind,
    ActivityRollup,
    Concern,
    ConcernCategory,
    Delegate,
    DelegateRollup,
    Delegation,
    FocusArea,
    FocusRollup,
    HandlingBody,
    Proposal,
    ProposalLabel,
    ProposalReply,
    Station,
    User,
    activity_focus_area,
)
from .people.services import create_user

BATCH = 50_000  # entries made and written at a time
MONTHLY_PER_DELEGATE = 5  # entries a delegate logs in a month, idle ones included
IDLE_SHARE = 0.10  # delegates who never log anything, as in the demo
FOCUS_SHARE = 0.30
PROPOSAL_SHARE = 0.05
CONCERNS_PER_ENTRY = (60, 30, 10)  # weights of 0, 1, 2 concerns: 0.5 on average
PENDING_DAYS = 7
# Older than this, concerns are concluded and proposals answered and rated, as in an office
# that keeps up: what waits for staff is recent work, not a share of the whole history.
SETTLED_CONCERN_DAYS = 90
SETTLED_PROPOSAL_DAYS = 365
# Of the entries in the span's last PENDING_DAYS days: approved, submitted, returned, draft.
PENDING_STATUSES = {"approved": 35, "submitted": 50, "returned": 8, "draft": 7}
LOADED_TABLES = ("activity", "activity_focus_area", "proposal", "proposal_reply", "concern")
ROLLUP_TABLES = ("activity_rollup", "focus_rollup", "delegate_rollup")
ANALYZED_TABLES = (*LOADED_TABLES, *ROLLUP_TABLES, "delegate")

Progress = Callable[[int, int], None]


# --- where the entries fall on the calendar -----------------------------------------------------


@dataclass(frozen=True)
class Span:
    """The days entries fall on: ``first`` up to the day before ``end``. ``monthly`` puts the
    same number of entries in every calendar month of the span (each month's spread over its
    days); otherwise they are spread evenly over all the days."""

    first: date
    end: date
    monthly: bool = False

    @classmethod
    def months_to_today(cls, months: int, today: date) -> Span:
        """``months`` calendar months up to yesterday, yesterday's month included."""
        last = (today - timedelta(days=1)).replace(day=1)
        return cls(add_months(last, -(months - 1)), today)

    @classmethod
    def whole_months(cls, months: int, today: date, *, monthly: bool = True) -> Span:
        """``months`` whole calendar months ending with last month."""
        end = today.replace(day=1)
        return cls(add_months(end, -months), end, monthly)

    @property
    def days(self) -> int:
        return (self.end - self.first).days

    @property
    def months(self) -> int:
        return (
            (self.end.year - self.first.year) * 12
            + self.end.month
            - self.first.month
            + (1 if self.end.day > 1 else 0)
        )


def months_for(activities: int, delegates: int) -> int:
    """How many months ``activities`` fill at ~5 entries a delegate a month (at least one)."""
    return max(1, round(activities / max(1, delegates * MONTHLY_PER_DELEGATE)))


# --- what was made --------------------------------------------------------------------------------


@dataclass
class ScaleReport:
    """Rows written, how long each stage took (seconds) and the demo accounts."""

    delegates: int = 0
    stations: int = 0
    users: int = 0
    activities: int = 0
    approved: int = 0
    focus_links: int = 0
    proposals: int = 0
    replies: int = 0
    concerns: int = 0
    rollup_rows: int = 0
    first_day: date | None = None
    last_day: date | None = None
    stages: dict[str, float] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(self.stages.values())


class _Stopwatch:
    def __init__(self, report: ScaleReport):
        self.report, self.last = report, time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.report.stages[stage] = self.report.stages.get(stage, 0.0) + now - self.last
        self.last = now


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


def _stamp(day: date, hour: int, minute: int) -> str:
    """A naive-UTC timestamp in SQLAlchemy's SQLite storage format (PostgreSQL parses it too)."""
    return f"{day.isoformat()} {hour:02d}:{minute:02d}:00.000000"


class _Shape:
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
        raise ValueError(f"{column.table.name}.{column.name} needs a value in tracker/scale.py")
    if default.is_scalar:
        return _plain(default.arg)
    if default.is_callable:
        return _plain(default.arg(None))
    raise ValueError(f"{column.table.name}.{column.name}: unsupported default")


ACTIVITY = _Shape(
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
FOCUS = _Shape(activity_focus_area, ("activity_id", "focus_area_id"))
PROPOSAL = _Shape(
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
REPLY = _Shape(
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
CONCERN = _Shape(
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
DIMENSIONS = (
    "campaign_id",
    "month",
    "delegation_id",
    "delegate_type",
    "level",
    "initiative_id",
    "kind_id",
)
ACTIVITY_ROLLUP = _Shape(ActivityRollup.__table__, (*DIMENSIONS, "activities", "people_reached"))
FOCUS_ROLLUP = _Shape(FocusRollup.__table__, (*DIMENSIONS, "focus_area_id", "activities"))
DELEGATE_ROLLUP = _Shape(
    DelegateRollup.__table__,
    (
        "campaign_id",
        "month",
        "delegate_id",
        "initiative_id",
        "kind_id",
        "delegation_id",
        "delegate_type",
        "level",
        "activities",
    ),
)


# --- writing on the session's connection -----------------------------------------------------------


class _Writer:
    """Bulk statements on the DBAPI connection under the session's transaction."""

    def __init__(self) -> None:
        connection = db.session.connection()
        self.backend = connection.dialect.name
        self.dbapi = connection.connection.driver_connection

    def execute(self, statement: str, parameters: Any = ()) -> list[tuple]:
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
        if self.backend == "postgresql":
            self.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for statement in statements:
            self.execute(statement)

    def write(self, shape: _Shape, rows: list[tuple]) -> None:
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


def tidy_after_load() -> None:
    """After the commit: statistics and the visibility map on PostgreSQL (what autovacuum
    would do a little later; index-only scans need it), the write-ahead log folded back into
    the SQLite file."""
    db.session.remove()
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            tables = ", ".join(f'"{t}"' for t in ANALYZED_TABLES)
            connection.exec_driver_sql(f"VACUUM ANALYZE {tables}")
        return
    # outside any transaction, which the engine's connections always begin
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


# --- the people and the vocabulary ------------------------------------------------------------------


class _Blank(dict):
    """Template values; a placeholder the generator does not know renders empty."""

    def __missing__(self, key: str) -> str:
        return ""


def _cumulative(weights: dict[Any, float]) -> tuple[list[Any], list[float]]:
    keys = list(weights)
    return keys, list(itertools.accumulate(weights[k] for k in keys))


def _pick(rng: random.Random, table: tuple[list[Any], list[float]]) -> Any:
    keys, cum = table
    return keys[bisect.bisect(cum, rng.random() * cum[-1])]


@dataclass
class _Person:
    id: int
    delegation_id: int
    delegate_type: str
    level: str
    station_id: int | None


@dataclass
class _Vocabulary:
    """Ids of everything an entry refers to, read once from the database."""

    campaign_id: int
    staff_id: int | None
    delegations: dict[int, tuple[str, str]]  # id → (code, name)
    home_station: dict[int, int]
    people: list[_Person]
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
        streets = PLACES.get(delegation.code, ("8", "", "城区街道 中心镇 新城镇"))[2].split()
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


def _make_people(rng: random.Random, total: int, report: ScaleReport) -> _Vocabulary:
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
    shares = list(itertools.accumulate(int(PLACES.get(d.code, ("8",))[0]) for d in delegations))
    types = _cumulative(TYPE_SHARES)
    levels = _cumulative(LEVEL_WEIGHTS)
    station_kinds = _cumulative(
        {StationKind.HOME: 50, StationKind.LIAISON: 35, StationKind.LEGISLATIVE_POINT: 15}
    )
    surnames = _cumulative(SURNAMES)
    joined = datetime.combine(campaign.starts_on - timedelta(days=30), datetime.min.time())
    first_id = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Delegate.id), 0))) + 1
    rows = []
    for i in range(total):
        delegation = delegations[bisect.bisect(shares, i * shares[-1] / total)]
        delegate_type = DelegateType(_pick(rng, types))
        gender = Gender.FEMALE if rng.random() < FEMALE_SHARE[delegate_type] else Gender.MALE
        chars = (
            "秀兰芳娟丽敏静燕霞红梅玲" if gender == Gender.FEMALE else "建国伟军强斌涛鹏刚明辉勇"
        )
        station = None
        if rng.random() < 0.85:
            station = stations[delegation.id].get(_pick(rng, station_kinds))
        rows.append(
            {
                "name": _pick(rng, surnames) + "".join(rng.choices(chars, k=rng.choice((1, 2, 2)))),
                "gender": gender,
                "level": Level(_pick(rng, levels)),
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
        _Person(d.id, d.delegation_id, d.delegate_type.value, d.level.value, d.station_id)
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
    return _Vocabulary(
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
        labels=_cumulative(labels) if labels else ([None], [1.0]),
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


def _make_accounts(vocab: _Vocabulary, idle: set[int], report: ScaleReport) -> None:
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

    def first(rule: Callable[[_Person], bool]) -> Delegate | None:
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


# --- the entries -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Text:
    title: str
    place: str
    description: str
    outcome: str
    at_station: bool = False
    visit_target_kind: str | None = None
    visit_target: str = ""
    research_topic: str = ""
    research_findings: str = ""
    proposal_content: str = ""
    handler: str = ""
    focus_code: str | None = None


def _context(rng: random.Random, code: str, name: str) -> _Blank:
    _, crop, streets = PLACES.get(code, ("8", "蔬菜", "城区街道 中心镇"))
    streets = streets.split()
    s = rng.choice(streets)
    c, v = rng.choice(COMMUNITIES) + "社区", rng.choice(VILLAGES) + "村"
    ctx = _Blank(
        d=name,
        s=s,
        c=c,
        v=v,
        loc=s + (v if s[-1] in "镇乡" else c),
        crop=crop,
        e=f"兰州{rng.choice(FIRMS)}{rng.choice(INDUSTRIES)}有限公司",
        n=rng.randint(2, 9),
        law=rng.choice(LAWS),
        firm=rng.choice(FIRMS),
        rd=f"{name}人大常委会",
        gov=f"{name}人民政府",
        station=f"{name}{streets[0]}代表之家",
        people=rng.randint(5, 50),
        hh=rng.randint(2, 20),
    )
    ctx["p"] = rng.choice(PROJECTS).format_map(ctx)
    return ctx


def _text(
    rng: random.Random, kind_code: str, kind_name: str, kind_description: str, ctx: _Blank
) -> _Text:
    """One entry's text, drawn like the demo draws it."""
    if kind_code == "proposal":
        focus, title, handler, content = rng.choice(PROPOSALS)
        ctx["handler"] = handler = handler.format_map(ctx)
        return _Text(
            title.format_map(ctx),
            "",
            rng.choice(PROPOSAL_DESCRIPTIONS).format_map(ctx),
            rng.choice(PROPOSAL_OUTCOMES).format_map(ctx),
            proposal_content=content.format_map(ctx),
            handler=handler,
            focus_code=focus,
        )
    if kind_code == "research":
        focus, topic, findings = rng.choice(RESEARCH)
        ctx["topic"] = topic = topic.format_map(ctx)
        return _Text(
            rng.choice(RESEARCH_TITLES).format_map(ctx)[:200],
            "{d}".format_map(ctx),
            rng.choice(RESEARCH_DESCRIPTIONS).format_map(ctx),
            rng.choice(RESEARCH_OUTCOMES).format_map(ctx),
            research_topic=topic,
            research_findings=findings.format_map(ctx),
            focus_code=focus,
        )
    if kind_code in TEMPLATES:
        lines = TEMPLATES[kind_code]
        target_kind, target = None, ""
        if kind_code in ("visit", "enterprise-service"):
            letter, *line = rng.choice(lines)
            target_kind = VISIT_TARGETS[letter][0].value
            target = VISIT_TARGETS[letter][1].format_map(ctx)
        else:
            line = rng.choice(lines)
        title, place, description, outcome = line
        at_station = place == "{station}"
        return _Text(
            title.format_map(ctx)[:200],
            "" if at_station else place.format_map(ctx)[:200],
            description.format_map(ctx),
            outcome.format_map(ctx),
            at_station,
            target_kind,
            target[:200],
        )
    return _Text(f"{kind_name}活动", ctx["d"], kind_description, "")


class _Rollups:
    """The rollup rows of the approved entries made so far, by month: a month's rows are
    final (and written) once entries of a later month come."""

    def __init__(self) -> None:
        self.activity: dict[tuple, list[int]] = {}
        self.focus: dict[tuple, int] = {}
        self.delegate: dict[tuple, list] = {}
        self.rows = 0

    def count(
        self,
        campaign_id: int,
        month: str,
        person: _Person,
        initiative_id: int,
        kind_id: int,
        people_reached: int,
        focus_id: int | None,
    ) -> None:
        dims = (
            campaign_id,
            month,
            person.delegation_id,
            person.delegate_type,
            person.level,
            initiative_id,
            kind_id,
        )
        counts = self.activity.setdefault(dims, [0, 0])
        counts[0] += 1
        counts[1] += people_reached
        if focus_id is not None:
            key = (*dims, focus_id)
            self.focus[key] = self.focus.get(key, 0) + 1
        key = (campaign_id, month, person.id, initiative_id, kind_id)
        row = self.delegate.get(key)
        if row is None:
            self.delegate[key] = [person.delegation_id, person.delegate_type, person.level, 1]
        else:
            row[3] += 1

    def flush(self, writer: _Writer, before: str | None = None) -> None:
        """Write the rows of the months before ``before`` (every row when None), in key order."""

        def due(key: tuple) -> bool:
            return before is None or key[1] < before

        activity = sorted(k for k in self.activity if due(k))
        writer.write(
            ACTIVITY_ROLLUP, [(*k, *self.activity.pop(k), *ACTIVITY_ROLLUP.tail) for k in activity]
        )
        focus = sorted(k for k in self.focus if due(k))
        writer.write(FOCUS_ROLLUP, [(*k, self.focus.pop(k), *FOCUS_ROLLUP.tail) for k in focus])
        delegate = sorted(k for k in self.delegate if due(k))
        writer.write(
            DELEGATE_ROLLUP, [(*k, *self.delegate.pop(k), *DELEGATE_ROLLUP.tail) for k in delegate]
        )
        self.rows += len(activity) + len(focus) + len(delegate)


class _Entries:
    """Rows for entries ``lo``…``hi``: entry ``i`` falls on day ``i × days ÷ n`` of the span
    (or, for a monthly span, in month ``i × months ÷ n``), so ids follow the calendar as they
    do in a live database."""

    POOL = 8  # texts drawn per delegation and kind

    def __init__(
        self,
        vocab: _Vocabulary,
        rng: random.Random,
        span: Span,
        total: int,
        today: date,
        idle: set[int],
        first_ids: dict[str, int],
        pending_days: int,
    ):
        self.v, self.rng, self.first, self.total, self.today = vocab, rng, span.first, total, today
        self.days = span.days
        self.pending_from = span.end - timedelta(days=pending_days)
        self.pending = _cumulative(PENDING_STATUSES)
        self.month_starts: list[int] = []
        self.month_days: list[tuple[int, int]] = []  # (offset of the month's first day, its days)
        if span.monthly:
            months = span.months
            self.month_starts = [-(-k * total // months) for k in range(months + 1)]
            offset, month = 0, span.first
            for _ in range(months):
                following = add_months(month, 1)
                self.month_days.append((offset, (following - month).days))
                offset += (following - month).days
                month = following
        yesterday = today - timedelta(days=1)
        self.day_values = []
        for offset in range(self.days):
            day = span.first + timedelta(days=offset)
            approved = min(day + timedelta(days=2), yesterday)
            self.day_values.append(
                (
                    day,
                    day.isoformat(),
                    _stamp(day, 12, 20),
                    _stamp(day, 12, 45),
                    _stamp(approved, 2, 10),
                    day.replace(day=1).isoformat(),
                )
            )
        weights = [
            0.0 if i in idle else rng.gammavariate(2.5, 1.0) for i in range(len(vocab.people))
        ]
        self.people = (vocab.people, list(itertools.accumulate(weights)))
        self.kinds_by_type = {
            t: _cumulative(
                {k: w for k, w in KIND_WEIGHTS[t].items() if k in vocab.kinds and k != "proposal"}
                or {k: 1 for k in vocab.kinds}
            )
            for t in KIND_WEIGHTS
        }
        self.focus_by_type = {
            t: _cumulative({k: w for k, w in FOCUS_WEIGHTS[t].items() if k in vocab.focus})
            for t in KIND_WEIGHTS
        }
        self.proposal_focus = {
            t: [vocab.focus[c] for c in PROPOSAL_FOCUS[t] if c in vocab.focus] for t in KIND_WEIGHTS
        }
        self.texts: dict[tuple[int, str], list[_Text]] = {}
        for delegation_id, (code, name) in vocab.delegations.items():
            for kind_code, (_, kind_name, description, _) in vocab.kinds.items():
                self.texts[(delegation_id, kind_code)] = [
                    _text(rng, kind_code, kind_name, description, _context(rng, code, name))
                    for _ in range(self.POOL)
                ]
        self.concern_texts = {
            d: [
                (c[0], c[1].format_map(_context(rng, code, name)))
                for c in CONCERNS
                if c[0] in vocab.categories
            ]
            for d, (code, name) in vocab.delegations.items()
        }
        self.concern_counts = _cumulative(dict(enumerate(CONCERNS_PER_ENTRY)))
        self.first_activity = first_ids["activity"]
        self.next_proposal = first_ids["proposal"]
        self.next_reply = first_ids["proposal_reply"]
        self.next_concern = first_ids["concern"]
        self.rollups = _Rollups()
        self.report = ScaleReport()

    def rows(self, lo: int, hi: int) -> dict[_Shape, list[tuple]]:
        rng, v = self.rng, self.v
        out: dict[_Shape, list[tuple]] = {
            ACTIVITY: [],
            FOCUS: [],
            PROPOSAL: [],
            REPLY: [],
            CONCERN: [],
        }
        people, cum = self.people
        top = cum[-1]
        has_proposal = "proposal" in v.kinds
        for i in range(lo, hi):
            activity_id = self.first_activity + i
            day, occurred, created, submitted, approved, month = self.day_values[self.day_of(i)]
            person = people[bisect.bisect(cum, rng.random() * top)]
            dtype = person.delegate_type
            if has_proposal and rng.random() < PROPOSAL_SHARE:
                kind_code = "proposal"
            else:
                kind_code = _pick(rng, self.kinds_by_type[dtype])
            kind_id, _, _, sections = v.kinds[kind_code]
            initiative_id, calls, second_id, second_calls, chance = v.assign[(kind_code, dtype)]
            if chance and rng.random() < chance:
                initiative_id, calls = second_id, second_calls
            call_id = (calls[0] if len(calls) == 1 else rng.choice(calls)) if calls else None
            text = rng.choice(self.texts[(person.delegation_id, kind_code)])
            low, high = REACH.get(kind_code, (0, 0))
            people_reached = rng.randint(min(low, 50), min(high, 50)) if high else 0
            station_id = (
                (person.station_id or v.home_station.get(person.delegation_id))
                if text.at_station
                else None
            )
            status = "approved" if day < self.pending_from else _pick(rng, self.pending)
            if status == "approved":
                review = (2, approved, submitted, "", v.staff_id, approved, approved)
            elif status == "submitted":
                review = (1, submitted, submitted, "", None, None, None)
            elif status == "returned":
                review = (
                    2,
                    approved,
                    submitted,
                    rng.choice(RETURN_REASONS),
                    v.staff_id,
                    approved,
                    None,
                )
            else:
                review = (1, created, None, "", None, None, None)
            version, updated, submitted_at, note, reviewer, reviewed_at, approved_at = review
            out[ACTIVITY].append(
                (
                    activity_id,
                    v.campaign_id,
                    person.id,
                    person.delegation_id,
                    dtype,
                    person.level,
                    kind_id,
                    initiative_id,
                    call_id,
                    occurred,
                    station_id,
                    text.place,
                    people_reached,
                    text.title,
                    text.description,
                    text.outcome,
                    text.visit_target_kind,
                    text.visit_target,
                    text.research_topic,
                    text.research_findings,
                    status,
                    version,
                    None,
                    created,
                    updated,
                    submitted_at,
                    note,
                    reviewer,
                    reviewed_at,
                    approved_at,
                    *ACTIVITY.tail,
                )
            )
            focus_id = None
            if rng.random() < FOCUS_SHARE:
                focus_id = self.focus_for(text, dtype, kind_code)
                if focus_id is not None:
                    out[FOCUS].append((activity_id, focus_id, *FOCUS.tail))
            live = status == "approved"
            if kind_code == "proposal":
                self.proposal(out, activity_id, day, created, text, live)
            if "concerns" in sections and v.categories:
                for position in range(1, _pick(rng, self.concern_counts) + 1):
                    self.concern(
                        out, activity_id, person.delegation_id, position, day, created, live
                    )
            if live:
                self.report.approved += 1
                self.rollups.count(
                    v.campaign_id, month, person, initiative_id, kind_id, people_reached, focus_id
                )
        self.report.activities += hi - lo
        self.report.focus_links += len(out[FOCUS])
        self.report.proposals += len(out[PROPOSAL])
        self.report.replies += len(out[REPLY])
        self.report.concerns += len(out[CONCERN])
        return out

    def month_of(self, i: int) -> str:
        return self.day_values[self.day_of(i)][5]

    def day_of(self, i: int) -> int:
        """Offset from the span's first day of entry ``i``'s date."""
        if not self.month_starts:
            return i * self.days // self.total
        k = bisect.bisect_right(self.month_starts, i) - 1
        lo, hi = self.month_starts[k], self.month_starts[k + 1]
        offset, days = self.month_days[k]
        return offset + (i - lo) * days // (hi - lo)

    def focus_for(self, text: _Text, dtype: str, kind_code: str) -> int | None:
        v, rng = self.v, self.rng
        if text.focus_code in v.focus and rng.random() < 0.7:
            return v.focus[text.focus_code]
        if kind_code == "proposal" and self.proposal_focus[dtype]:
            return rng.choice(self.proposal_focus[dtype])
        table = self.focus_by_type[dtype]
        return v.focus[_pick(rng, table)] if table[0] else None

    def proposal(
        self, out: dict, activity_id: int, day: date, created: str, text: _Text, live: bool
    ) -> None:
        """Registered a week later, assigned soon after, answered and rated as time allows;
        the proposal of an entry not approved (yet) waits as submitted."""
        rng, v, today = self.rng, self.v, self.today
        proposal_id = self.next_proposal
        self.next_proposal += 1
        age = (today - day).days
        label_id = _pick(rng, v.labels)
        decided = assigned = due = closed = rating = None
        lead, is_complex, round_, status, reason = None, False, 1, "submitted", ""
        roll = rng.random()
        if not live:
            pass
        elif age < 14:
            status = "submitted" if roll < 0.6 else "registered"
        elif roll < 0.06:
            status, reason = "not_registered", "所提事项属于个案诉求，已转有关部门按诉求办理。"
            decided = _stamp(day + timedelta(days=7), 2, 0)
        else:
            assigned_day = day + timedelta(days=rng.randint(7, 20))
            if assigned_day >= today:
                status = "registered"
            else:
                is_complex = rng.random() < 0.15
                lead = rng.choice(v.bodies) if v.bodies else None
                decided = _stamp(assigned_day - timedelta(days=3), 2, 0)
                assigned = assigned_day.isoformat()
                due = add_months(assigned_day, 6 if is_complex else 3).isoformat()
                status = "handling" if rng.random() < 0.7 else "assigned"
                replied = assigned_day + timedelta(days=rng.randint(20, 110))
                # a year on, every proposal has been answered and rated: the work still open
                # is the recent work, however long the history
                settled = age > SETTLED_PROPOSAL_DAYS
                if replied < today and (settled or rng.random() >= 0.2):
                    status = "replied"
                    outcome = rng.choices("ABCD", weights=(45, 30, 15, 10))[0]
                    rated = replied + timedelta(days=rng.randint(3, 20))
                    reply_rating = rated_at = None
                    if rated < today and (settled or rng.random() >= 0.15):
                        reply_rating = rating = rng.choices(
                            ("satisfied", "basically_satisfied", "unsatisfied"),
                            weights=(65, 27, 0 if settled else 8),
                        )[0]
                        rated_at = _stamp(rated, 12, 0)
                        if rating == "unsatisfied":
                            status, round_ = "handling", 2
                            due = add_months(rated, 1).isoformat()
                        else:
                            status, closed = "closed", rated_at
                    out[REPLY].append(
                        (
                            self.next_reply,
                            proposal_id,
                            1,
                            rng.choice(REPLY_TEXTS),
                            replied.isoformat(),
                            outcome,
                            v.staff_id,
                            _stamp(replied, 8, 0),
                            reply_rating,
                            "",
                            rated_at,
                            *REPLY.tail,
                        )
                    )
                    self.next_reply += 1
        out[PROPOSAL].append(
            (
                proposal_id,
                activity_id,
                label_id,
                text.proposal_content or text.title,
                text.handler[:120],
                status,
                decided,
                reason,
                is_complex,
                lead,
                assigned,
                due,
                round_,
                rating,
                closed,
                1,
                created,
                *PROPOSAL.tail,
            )
        )

    def concern(
        self,
        out: dict,
        activity_id: int,
        delegation_id: int,
        position: int,
        day: date,
        created: str,
        live: bool,
    ) -> None:
        rng, v = self.rng, self.v
        code, content = rng.choice(self.concern_texts[delegation_id])
        if not live:
            status = "open"
        elif (self.today - day).days > SETTLED_CONCERN_DAYS:  # long concluded, mostly fed back
            status = rng.choices(("resolved", "unresolvable", "fed_back"), weights=(35, 10, 55))[0]
        else:
            status = rng.choices(
                ("open", "referred", "resolved", "unresolvable", "fed_back"),
                weights=(15, 20, 40, 8, 17),
            )[0]
        referred_to = referred_at = resolution = resolved_at = fed_back_at = None
        resolution_note = feedback_note = ""
        if status != "open":
            referred_to = rng.choice(v.bodies) if v.bodies else None
            referred_at = _stamp(day + timedelta(days=2), 3, 0)
        if status in ("resolved", "unresolvable", "fed_back"):
            resolution = "unresolvable" if status == "unresolvable" else "resolved"
            resolution_note = (
                "已协调解决。" if resolution == "resolved" else "涉及规划调整，近期无法解决。"
            )
            resolved_at = _stamp(day + timedelta(days=20), 7, 0)
        if status == "fed_back":
            feedback_note, fed_back_at = (
                "已电话告知反映人办理结果。",
                _stamp(day + timedelta(days=23), 2, 0),
            )
        out[CONCERN].append(
            (
                self.next_concern,
                activity_id,
                position,
                v.categories[code],
                content,
                "enterprise" if code == "enterprise" else "citizen",
                "",
                "",
                status,
                referred_to,
                referred_at,
                resolution,
                resolution_note,
                resolved_at,
                feedback_note,
                fed_back_at,
                1,
                created,
                *CONCERN.tail,
            )
        )
        self.next_concern += 1


# --- the whole load ------------------------------------------------------------------------------


def generate_at_scale(
    *,
    activities: int,
    delegates: int,
    span: Span,
    today: date,
    seed: int = 2023,
    pending_days: int = PENDING_DAYS,
    progress: Progress | None = None,
) -> ScaleReport:
    """Add stations, ``delegates`` delegates, the demo accounts and ``activities`` entries
    over ``span`` to a database without delegates, with their rollups; never commits.

    Entries of the span's last ``pending_days`` days are partly submitted, returned or drafts;
    the rest are approved. ``progress(done, total)`` is called as the entries are written.
    """
    campaign = active_campaign()
    if campaign is None:
        raise ValueError("no active campaign: load one first")
    if delegates < 1 or activities < 0:
        raise ValueError("the load needs at least one delegate and no negative number of entries")
    if span.days < 1 or span.end > today:
        raise ValueError("the span needs at least one day, all before today")
    if db.session.scalar(sa.select(Delegate.id).limit(1)) is not None:
        raise ValueError("the database already holds delegates")
    rng = random.Random(seed)
    report = ScaleReport(first_day=span.first, last_day=span.end - timedelta(days=1))
    watch = _Stopwatch(report)

    vocab = _make_people(rng, delegates, report)
    idle = set(rng.sample(range(len(vocab.people)), int(len(vocab.people) * IDLE_SHARE)))
    _make_accounts(vocab, idle, report)
    db.session.flush()
    watch.lap("delegates and accounts")

    writer = _Writer()
    writer.skip_foreign_key_checks()
    first_ids = {
        t: writer.next_id(t) for t in ("activity", "proposal", "proposal_reply", "concern")
    }
    indexes = writer.drop_indexes((*LOADED_TABLES, *ROLLUP_TABLES))
    entries = _Entries(vocab, rng, span, max(activities, 1), today, idle, first_ids, pending_days)
    if progress:
        progress(0, activities)
    for lo in range(0, activities, BATCH):
        hi = min(lo + BATCH, activities)
        for shape, rows in entries.rows(lo, hi).items():
            writer.write(shape, rows)
        if hi < activities:
            entries.rollups.flush(writer, before=entries.month_of(hi))
        if progress:
            progress(hi, activities)
    entries.rollups.flush(writer)
    watch.lap("entries and rollups")
    writer.create_indexes(indexes)
    writer.reset_sequences(("activity", "proposal", "proposal_reply", "concern"))
    watch.lap("indexes")

    for name in ("activities", "approved", "focus_links", "proposals", "replies", "concerns"):
        setattr(report, name, getattr(entries.report, name))
    report.rollup_rows = entries.rollups.rows
    return report
