"""Bulk seeding of a fresh tracker database for the benchmarks.

A fresh database (a SQLite file in a temporary folder, or a PostgreSQL database created
next to ``TRACKER_BENCH_DATABASE_URL``'s and dropped afterwards) is built by the migrations,
gets the packaged campaign, ~2,000 delegates over the nine delegations and N approved
activities in the whole months that end with last month; then the rollups are rebuilt.

Two layouts of those N entries (see :class:`Layout`):

- ``history`` (growing history at constant density): every month holds the same number of
  entries (10,000 by default, ~5 per delegate), and N decides how many months back the
  history reaches: 10,000 entries are one month, 1,000,000 are 100 months. Months before the
  campaign's start get entries too: the figures do not look at the campaign's dates, and the
  point is only a long history.
- ``density`` (denser months: the city grows): the entries are spread evenly over the days
  of the same 36 months at every size, so a bigger N means busier months.

The rows read like the demo data (same kinds per delegate type, initiatives, calls, focus
areas, texts): ~30 % carry one focus area, ~5 % are proposals followed to varied statuses
with replies and ratings, entries with a concerns section bring back 0.5 concerns on average.
They are written with plain ``executemany`` (SQLite) or ``COPY`` (PostgreSQL) while the
tables' secondary indexes are dropped, then the indexes are built again from their own
definitions. SQLite runs without journal or fsync during the load and PostgreSQL without
foreign-key triggers: acceptable only because the database is thrown away afterwards.

    python -m bench.seed 100000                      # history: 10 months of 10,000, SQLite
    python -m bench.seed 100000 --scenario density   # 36 months of ~2,800
    python -m bench.seed 100000 --database postgresql --keep
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import make_url

from tracker import create_app
from tracker.campaigns.loader import active_campaign, load_campaign
from tracker.demo import (
    COMMUNITIES,
    CONCERNS,
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
    STATION_TEXT,
    SURNAMES,
    TEMPLATES,
    TYPE_SHARES,
    VILLAGES,
    VISIT_TARGETS,
)
from tracker.enums import DelegateType, Gender, Level, Role, StationKind
from tracker.extensions import db
from tracker.models import (
    Activity,
    ActivityKind,
    Concern,
    ConcernCategory,
    Delegate,
    Delegation,
    FocusArea,
    HandlingBody,
    Proposal,
    ProposalLabel,
    ProposalReply,
    Station,
    activity_focus_area,
)
from tracker.people.services import create_user
from tracker.proposals.deadlines import add_months
from tracker.reports import rollups
from tracker.timeutil import local_today

PG_ENV = "TRACKER_BENCH_DATABASE_URL"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DATABASES = ("sqlite", "postgresql")
MONTHS = 36  # the density layout's span
MONTHLY = 10_000  # the history layout's entries a month (~5 per delegate)
SCENARIOS = ("history", "density")
DELEGATES = 2_000
BATCH = 50_000
IDLE_SHARE = 0.10  # delegates with no entry at all, as in the demo
FOCUS_SHARE = 0.30
PROPOSAL_SHARE = 0.05
CONCERNS_PER_ENTRY = (60, 30, 10)  # weights of 0, 1, 2 concerns: 0.5 on average
STAFF_USERNAME = "bench_staff"
STAFF_PASSWORD = "Bench@2026-city-staff"  # noqa: S105 - a throwaway database's only login
# argon2 with its defaults costs ~50 ms a hash; one account is made per database.
FAST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
LOADED_TABLES = ("activity", "activity_focus_area", "proposal", "proposal_reply", "concern")


# --- databases and apps --------------------------------------------------------------------------


def postgres_base_url() -> str:
    """The server the PostgreSQL benchmark databases are created on (``TRACKER_BENCH_DATABASE_URL``)."""
    url = make_url(os.environ.get(PG_ENV) or DEFAULT_PG_URL)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def postgres_unreachable(base_url: str) -> str | None:
    """Why the PostgreSQL server cannot be used, or None when it answers."""
    try:
        engine = sa.create_engine(base_url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "skip PostgreSQL"
        return str(exc).strip().splitlines()[0]
    return None


def _admin_engine(url: str) -> sa.Engine:
    return sa.create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


@contextmanager
def fresh_database(kind: str, workdir: Path) -> Iterator[str]:
    """A new empty database, removed afterwards: a SQLite file in ``workdir``, or a
    PostgreSQL database created next to :func:`postgres_base_url`'s."""
    if kind == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:8]}.sqlite3"
        try:
            yield f"sqlite:///{path}"
        finally:
            for leftover in workdir.glob(path.name + "*"):
                leftover.unlink()
        return
    base = make_url(postgres_base_url())
    name = f"tracker_bench_{uuid.uuid4().hex[:10]}"
    url = base.set(database=name).render_as_string(hide_password=False)
    admin = _admin_engine(url)
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def make_app(url: str) -> Flask:
    """The tracker over ``url``, configured as a deployment would be (CSRF off for the test client)."""
    return create_app({
        "SECRET_KEY": "bench-secret-key-for-a-throwaway-database-0000",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "ARGON2_PARAMS": FAST_ARGON2,
    })


def database_version(app: Flask) -> str:
    """'SQLite 3.40.1' or 'PostgreSQL 15.2', as the server reports it."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            return "SQLite " + db.session.scalar(sa.text("SELECT sqlite_version()"))
        version = db.session.scalar(sa.text("SHOW server_version"))
        db.session.remove()
        return "PostgreSQL " + version.split()[0]


# --- how the entries fall on the calendar ---------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Where N entries go: ``months`` whole months ending with last month, either the same
    number in every month (``equal_months``) or evenly over the span's days."""

    scenario: str
    months: int
    equal_months: bool

    @classmethod
    def of(cls, scenario: str, activities: int, *, monthly: int = MONTHLY,
           months: int = MONTHS) -> Layout:
        """``history``: ``monthly`` entries in each month, as many months as N fills;
        ``density``: the same ``months`` at every size."""
        if scenario == "history":
            return cls("history", max(1, round(activities / monthly)), True)
        if scenario == "density":
            return cls("density", months, False)
        raise ValueError(f"unknown scenario {scenario!r}; choose from {', '.join(SCENARIOS)}")


# --- what a seed made ------------------------------------------------------------------------------


@dataclass
class SeedReport:
    """Rows written and how long each stage took (seconds)."""

    activities: int = 0
    delegates: int = 0
    focus_links: int = 0
    proposals: int = 0
    replies: int = 0
    concerns: int = 0
    first_month: date | None = None
    last_month: date | None = None
    months: int = 0
    layout: str = ""
    stages: dict[str, float] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return sum(self.stages.values())


class _Stopwatch:
    def __init__(self, report: SeedReport):
        self.report, self.last = report, time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.report.stages[stage] = self.report.stages.get(stage, 0.0) + now - self.last
        self.last = now


# --- plain values for bulk writers -----------------------------------------------------------------


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
    with its constant default (or NULL), so a column added later does not break the seed."""

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
        raise ValueError(f"{column.table.name}.{column.name} needs a value in bench/seed.py")
    if default.is_scalar:
        return _plain(default.arg)
    if default.is_callable:
        return _plain(default.arg(None))
    raise ValueError(f"{column.table.name}.{column.name}: unsupported default")


ACTIVITY = _Shape(Activity.__table__, (
    "id", "campaign_id", "delegate_id", "delegation_id", "delegate_type", "level", "kind_id",
    "initiative_id", "call_id", "occurred_on", "station_id", "place", "people_reached", "title",
    "description", "outcome", "visit_target_kind", "visit_target", "research_topic",
    "research_findings", "status", "version", "created_by_id", "created_at", "updated_at",
    "submitted_at", "review_note", "reviewed_by_id", "reviewed_at", "approved_at",
))
FOCUS = _Shape(activity_focus_area, ("activity_id", "focus_area_id"))
PROPOSAL = _Shape(Proposal.__table__, (
    "id", "activity_id", "label_id", "content", "suggested_handler", "status", "decided_at",
    "not_registered_reason", "is_complex", "lead_handler_id", "assigned_on", "due_on", "round",
    "rating", "closed_at", "version", "created_at",
))
REPLY = _Shape(ProposalReply.__table__, (
    "id", "proposal_id", "round", "text", "replied_on", "outcome", "recorded_by_id", "recorded_at",
    "rating", "rating_note", "rated_at",
))
CONCERN = _Shape(Concern.__table__, (
    "id", "activity_id", "position", "category_id", "content", "raised_by_kind", "raised_by_name",
    "raised_by_phone", "status", "referred_to_id", "referred_at", "resolution", "resolution_note",
    "resolved_at", "feedback_note", "fed_back_at", "version", "created_at",
))


# --- writers ----------------------------------------------------------------------------------------


class _SqliteWriter:
    """executemany on a private sqlite3 connection: no journal, no fsync, big page cache."""

    def __init__(self, path: str):
        self.con = sqlite3.connect(path, isolation_level=None)
        self.con.execute("PRAGMA journal_mode=OFF")
        for pragma in ("synchronous=OFF", "foreign_keys=OFF", "cache_size=-524288", "temp_store=MEMORY"):
            self.con.execute(f"PRAGMA {pragma}")
        self.con.execute("BEGIN")

    def drop_indexes(self, tables: Sequence[str]) -> list[str]:
        # Rebuilt in name order. Without statistics SQLite breaks ties between equally good
        # indexes by creation order (the last created wins), and the migrations' batch mode
        # recreates the activity indexes in an order that differs from run to run; a fixed
        # order keeps the plans, and so the timings, the same from one bench run to the next.
        marks = ", ".join("?" for _ in tables)
        found = self.con.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "  # noqa: S608
            f"AND tbl_name IN ({marks}) ORDER BY name", tuple(tables)).fetchall()
        for name, _ in found:
            self.con.execute(f'DROP INDEX "{name}"')
        return [sql for _, sql in found]

    def create_indexes(self, statements: Sequence[str]) -> None:
        for statement in statements:
            self.con.execute(statement)

    def write(self, shape: _Shape, rows: list[tuple]) -> None:
        if not rows:
            return
        columns = ", ".join(f'"{c}"' for c in shape.columns)
        marks = ", ".join("?" for _ in shape.columns)
        self.con.executemany(f'INSERT INTO "{shape.table}" ({columns}) VALUES ({marks})', rows)  # noqa: S608

    def commit(self) -> None:
        self.con.execute("COMMIT")
        self.con.execute("BEGIN")

    def close(self) -> None:
        self.con.execute("COMMIT")
        self.con.execute("PRAGMA journal_mode=WAL")  # as the app leaves its databases
        self.con.close()


class _PostgresWriter:
    """COPY on a private psycopg connection, foreign-key triggers off for the load."""

    def __init__(self, url: str):
        import psycopg

        conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.con = psycopg.connect(conninfo)
        try:
            self.con.execute("SET session_replication_role = replica")
        except psycopg.Error:
            self.con.rollback()  # not a superuser: the foreign keys are checked, just slower
        self.con.execute("SET maintenance_work_mem = '512MB'")

    def drop_indexes(self, tables: Sequence[str]) -> list[str]:
        found = self.con.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s) AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            (list(tables),)).fetchall()
        for name, _ in found:
            self.con.execute(f'DROP INDEX "{name}"')
        return [sql for _, sql in found]

    def create_indexes(self, statements: Sequence[str]) -> None:
        for statement in statements:
            self.con.execute(statement)

    def write(self, shape: _Shape, rows: list[tuple]) -> None:
        if not rows:
            return
        columns = ", ".join(f'"{c}"' for c in shape.columns)
        with self.con.cursor() as cur, cur.copy(f'COPY "{shape.table}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)

    def commit(self) -> None:
        self.con.commit()

    def close(self) -> None:
        for table in ("activity", "proposal", "proposal_reply", "concern"):
            self.con.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"COALESCE((SELECT max(id) FROM \"{table}\"), 0) + 1, false)")
        self.con.commit()
        self.con.close()


def _writer_for(url: str) -> _SqliteWriter | _PostgresWriter:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _SqliteWriter(parsed.database)
    return _PostgresWriter(url)


def _vacuum_analyze(url: str) -> None:
    """What autovacuum would soon do after a bulk load; done now so every run plans alike."""
    import psycopg

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as con:
        con.execute("VACUUM ANALYZE")


# --- the people and the vocabulary ------------------------------------------------------------------


class _Blank(dict):
    """Template values; a placeholder the bench does not know renders empty."""

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
    """Ids of everything an entry refers to, read once from the seeded database."""

    campaign_id: int
    staff_id: int
    delegations: dict[int, tuple[str, str]]  # id → (code, name)
    home_station: dict[int, int]
    people: list[_Person]
    kinds: dict[str, tuple[int, str, str, frozenset[str]]]  # code → (id, name, description, sections)
    assign: dict[tuple[str, str], tuple[int, tuple[int, ...], int, tuple[int, ...], float]]
    focus: dict[str, int]
    labels: tuple[list[int], list[float]]
    categories: dict[str, int]
    bodies: list[int]


def _call_choices(calls: list[Any], number: int, kind_code: str, delegate_type: str) -> tuple[int, ...]:
    """The demo's rule: the call of the delegate's type, else any untyped call of the kind."""
    fitting = [c for c in calls if c.initiative.number == number and kind_code in (c.kind_codes or [])]
    typed = [c.id for c in fitting if c.delegate_type == delegate_type]
    return tuple(typed[:1]) or tuple(c.id for c in fitting if c.delegate_type is None)


def _make_people(rng: random.Random, total: int) -> _Vocabulary:
    """Stations, ``total`` delegates spread like the demo's, and one city staff account."""
    campaign = active_campaign()
    delegations = list(db.session.scalars(
        sa.select(Delegation).where(Delegation.retired_at.is_(None)).order_by(Delegation.position)))
    stations: dict[int, dict[StationKind, int]] = {}
    for delegation in delegations:
        streets = PLACES.get(delegation.code, ("8", "", "城区街道 中心镇 新城镇"))[2].split()
        for street, kind in zip(streets, StationKind, strict=False):
            noun, slug, building = STATION_TEXT[kind]
            station = Station(code=f"{delegation.code}-{slug}-1", name=f"{delegation.name}{street}{noun}",
                              kind=kind, delegation_id=delegation.id,
                              address=f"兰州市{delegation.name}{street}{building}")
            db.session.add(station)
            db.session.flush()
            stations.setdefault(delegation.id, {})[kind] = station.id

    shares = list(itertools.accumulate(int(PLACES.get(d.code, ("8",))[0]) for d in delegations))
    types = _cumulative(TYPE_SHARES)
    levels = _cumulative(LEVEL_WEIGHTS)
    station_kinds = _cumulative({StationKind.HOME: 50, StationKind.LIAISON: 35,
                                 StationKind.LEGISLATIVE_POINT: 15})
    surnames = _cumulative(SURNAMES)
    joined = datetime.combine(campaign.starts_on - timedelta(days=30), datetime.min.time())
    rows = []
    for i in range(total):
        delegation = delegations[bisect.bisect(shares, i * shares[-1] / total)]
        delegate_type = DelegateType(_pick(rng, types))
        gender = Gender.FEMALE if rng.random() < FEMALE_SHARE[delegate_type] else Gender.MALE
        chars = "秀兰芳娟丽敏静燕霞红梅玲" if gender == Gender.FEMALE else "建国伟军强斌涛鹏刚明辉勇"
        station = None
        if rng.random() < 0.85:
            station = stations[delegation.id].get(_pick(rng, station_kinds))
        rows.append({
            "name": _pick(rng, surnames) + "".join(rng.choices(chars, k=rng.choice((1, 2, 2)))),
            "gender": gender, "level": Level(_pick(rng, levels)), "delegation_id": delegation.id,
            "delegate_type": delegate_type, "work_unit": f"{delegation.name}", "job_title": "",
            "phone": f"139{rng.randrange(10**8):08d}", "station_id": station, "created_at": joined,
        })
    db.session.execute(sa.insert(Delegate), rows)
    staff = create_user(username=STAFF_USERNAME, display_name="市人大常委会代表工委",
                        role=Role.STAFF, password=STAFF_PASSWORD)
    db.session.commit()

    people = [_Person(d.id, d.delegation_id, d.delegate_type.value, d.level.value, d.station_id)
              for d in db.session.scalars(sa.select(Delegate).order_by(Delegate.id))]
    kind_rows = list(db.session.scalars(sa.select(ActivityKind).where(
        ActivityKind.campaign_id == campaign.id, ActivityKind.retired_at.is_(None))))
    kinds = {k.code: (k.id, k.name, k.description, frozenset(k.sections or [])) for k in kind_rows}
    initiatives = {i.number: i.id for i in campaign.initiatives if i.retired_at is None}
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
                initiatives[number], _call_choices(calls, number, kind.code, delegate_type.value),
                initiatives.get(2, initiatives[number]), second, chance)
    labels = {label.id: LABEL_WEIGHTS.get(label.code, 1) for label in db.session.scalars(
        sa.select(ProposalLabel).where(ProposalLabel.campaign_id == campaign.id))}
    return _Vocabulary(
        campaign_id=campaign.id, staff_id=staff.id,
        delegations={d.id: (d.code, d.name) for d in delegations},
        home_station={d: s[StationKind.HOME] for d, s in stations.items() if StationKind.HOME in s},
        people=people, kinds=kinds, assign=assign,
        focus={f.code: f.id for f in db.session.scalars(
            sa.select(FocusArea).where(FocusArea.campaign_id == campaign.id))},
        labels=_cumulative(labels) if labels else ([None], [1.0]),
        categories={c.code: c.id for c in db.session.scalars(
            sa.select(ConcernCategory).where(ConcernCategory.campaign_id == campaign.id))},
        bodies=list(db.session.scalars(sa.select(HandlingBody.id).order_by(HandlingBody.position))),
    )


# --- the entries ----------------------------------------------------------------------------------


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
        d=name, s=s, c=c, v=v, loc=s + (v if s[-1] in "镇乡" else c), crop=crop,
        e=f"兰州{rng.choice(FIRMS)}{rng.choice(INDUSTRIES)}有限公司", n=rng.randint(2, 9),
        law=rng.choice(LAWS), firm=rng.choice(FIRMS), rd=f"{name}人大常委会", gov=f"{name}人民政府",
        station=f"{name}{streets[0]}代表之家", people=rng.randint(5, 50), hh=rng.randint(2, 20),
    )
    ctx["p"] = rng.choice(PROJECTS).format_map(ctx)
    return ctx


def _text(rng: random.Random, kind_code: str, kind_name: str, kind_description: str,
          ctx: _Blank) -> _Text:
    """One entry's text, drawn like the demo draws it."""
    if kind_code == "proposal":
        focus, title, handler, content = rng.choice(PROPOSALS)
        ctx["handler"] = handler = handler.format_map(ctx)
        return _Text(title.format_map(ctx), "", rng.choice(PROPOSAL_DESCRIPTIONS).format_map(ctx),
                     rng.choice(PROPOSAL_OUTCOMES).format_map(ctx),
                     proposal_content=content.format_map(ctx), handler=handler, focus_code=focus)
    if kind_code == "research":
        focus, topic, findings = rng.choice(RESEARCH)
        ctx["topic"] = topic = topic.format_map(ctx)
        return _Text(rng.choice(RESEARCH_TITLES).format_map(ctx)[:200], "{d}".format_map(ctx),
                     rng.choice(RESEARCH_DESCRIPTIONS).format_map(ctx),
                     rng.choice(RESEARCH_OUTCOMES).format_map(ctx), research_topic=topic,
                     research_findings=findings.format_map(ctx), focus_code=focus)
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
        return _Text(title.format_map(ctx)[:200], "" if at_station else place.format_map(ctx)[:200],
                     description.format_map(ctx), outcome.format_map(ctx), at_station,
                     target_kind, target[:200])
    return _Text(f"{kind_name}活动", ctx["d"], kind_description, "")


class _Entries:
    """Rows for entries ``lo``…``hi``: entry ``i`` falls on day ``i × days ÷ n`` of the span
    (or, with ``months``, in month ``i × months ÷ n``), so ids follow the calendar as they do
    in a live database."""

    POOL = 8  # texts drawn per delegation and kind

    def __init__(self, vocab: _Vocabulary, rng: random.Random, first: date, days: int,
                 total: int, today: date, months: int = 0):
        self.v, self.rng, self.first, self.days, self.total = vocab, rng, first, days, total
        self.today = today
        # months > 0: the same number of entries in each of the span's months (entry i in
        # month i × months ÷ n, spread over that month's days); otherwise evenly over the days.
        self.month_starts: list[int] = []
        self.month_days: list[tuple[int, int]] = []  # (offset of the month's first day, its days)
        if months:
            self.month_starts = [-(-k * total // months) for k in range(months + 1)]
            offset, month = 0, first
            for _ in range(months):
                following = add_months(month, 1)
                self.month_days.append((offset, (following - month).days))
                offset += (following - month).days
                month = following
        yesterday = today - timedelta(days=1)
        self.day_values = []
        for offset in range(days):
            day = first + timedelta(days=offset)
            approved = min(day + timedelta(days=2), yesterday)
            self.day_values.append((day, day.isoformat(), _stamp(day, 12, 20), _stamp(day, 12, 45),
                                    _stamp(approved, 2, 10)))
        idle = set(rng.sample(range(len(vocab.people)), int(len(vocab.people) * IDLE_SHARE)))
        weights = [0.0 if i in idle else rng.gammavariate(2.5, 1.0) for i in range(len(vocab.people))]
        self.people = (vocab.people, list(itertools.accumulate(weights)))
        core = {k: w for k, w in KIND_WEIGHTS.items()}
        self.kinds_by_type = {
            t: _cumulative({k: w for k, w in core[t].items() if k in vocab.kinds and k != "proposal"})
            for t in core
        }
        self.focus_by_type = {
            t: _cumulative({k: w for k, w in FOCUS_WEIGHTS[t].items() if k in vocab.focus}) for t in core
        }
        self.proposal_focus = {t: [vocab.focus[c] for c in PROPOSAL_FOCUS[t] if c in vocab.focus]
                               for t in core}
        self.texts: dict[tuple[int, str], list[_Text]] = {}
        for delegation_id, (code, name) in vocab.delegations.items():
            for kind_code, (_, kind_name, description, _) in vocab.kinds.items():
                self.texts[(delegation_id, kind_code)] = [
                    _text(rng, kind_code, kind_name, description, _context(rng, code, name))
                    for _ in range(self.POOL)
                ]
        self.concern_texts = {
            d: [(c[0], c[1].format_map(_context(rng, code, name))) for c in CONCERNS
                if c[0] in vocab.categories]
            for d, (code, name) in vocab.delegations.items()
        }
        self.concern_counts = _cumulative(dict(enumerate(CONCERNS_PER_ENTRY)))
        self.next_proposal = self.next_reply = self.next_concern = 1
        self.report = SeedReport()

    def rows(self, lo: int, hi: int) -> dict[_Shape, list[tuple]]:
        rng, v = self.rng, self.v
        out: dict[_Shape, list[tuple]] = {ACTIVITY: [], FOCUS: [], PROPOSAL: [], REPLY: [], CONCERN: []}
        people, cum = self.people
        top = cum[-1]
        has_proposal = "proposal" in v.kinds
        for i in range(lo, hi):
            activity_id = i + 1
            day, occurred, created, submitted, approved = self.day_values[self.day_of(i)]
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
            station_id = (person.station_id or v.home_station.get(person.delegation_id)) \
                if text.at_station else None
            out[ACTIVITY].append((
                activity_id, v.campaign_id, person.id, person.delegation_id, dtype, person.level,
                kind_id, initiative_id, call_id, occurred, station_id, text.place, people_reached,
                text.title, text.description, text.outcome, text.visit_target_kind, text.visit_target,
                text.research_topic, text.research_findings, "approved", 2, None, created, approved,
                submitted, "", v.staff_id, approved, approved, *ACTIVITY.tail,
            ))
            if rng.random() < FOCUS_SHARE:
                focus_id = self.focus_for(text, dtype, kind_code)
                if focus_id is not None:
                    out[FOCUS].append((activity_id, focus_id, *FOCUS.tail))
            if kind_code == "proposal":
                self.proposal(out, activity_id, day, created, text)
            if "concerns" in sections and v.categories:
                for position in range(1, _pick(rng, self.concern_counts) + 1):
                    self.concern(out, activity_id, person.delegation_id, position, day, created)
        self.report.activities += hi - lo
        self.report.focus_links += len(out[FOCUS])
        self.report.proposals += len(out[PROPOSAL])
        self.report.replies += len(out[REPLY])
        self.report.concerns += len(out[CONCERN])
        return out

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

    def proposal(self, out: dict, activity_id: int, day: date, created: str, text: _Text) -> None:
        """Registered a week later, assigned soon after, answered and rated as time allows."""
        rng, v, today = self.rng, self.v, self.today
        proposal_id = self.next_proposal
        self.next_proposal += 1
        age = (today - day).days
        label_id = _pick(rng, v.labels)
        decided = assigned = due = closed = rating = None
        lead, is_complex, round_, status, reason = None, False, 1, "submitted", ""
        roll = rng.random()
        if age < 14:
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
                if replied < today and rng.random() >= 0.2:
                    status = "replied"
                    outcome = rng.choices("ABCD", weights=(45, 30, 15, 10))[0]
                    rated = replied + timedelta(days=rng.randint(3, 20))
                    reply_rating = rated_at = None
                    if rated < today and rng.random() >= 0.15:
                        reply_rating = rating = rng.choices(
                            ("satisfied", "basically_satisfied", "unsatisfied"), weights=(65, 27, 8))[0]
                        rated_at = _stamp(rated, 12, 0)
                        if rating == "unsatisfied":
                            status, round_ = "handling", 2
                            due = add_months(rated, 1).isoformat()
                        else:
                            status, closed = "closed", rated_at
                    out[REPLY].append((
                        self.next_reply, proposal_id, 1, rng.choice(REPLY_TEXTS), replied.isoformat(),
                        outcome, v.staff_id, _stamp(replied, 8, 0), reply_rating, "", rated_at,
                        *REPLY.tail,
                    ))
                    self.next_reply += 1
        out[PROPOSAL].append((
            proposal_id, activity_id, label_id, text.proposal_content or text.title,
            text.handler[:120], status, decided, reason, is_complex, lead, assigned, due, round_,
            rating, closed, 1, created, *PROPOSAL.tail,
        ))

    def concern(self, out: dict, activity_id: int, delegation_id: int, position: int, day: date,
                created: str) -> None:
        rng, v = self.rng, self.v
        code, content = rng.choice(self.concern_texts[delegation_id])
        status = rng.choices(("open", "referred", "resolved", "unresolvable", "fed_back"),
                             weights=(15, 20, 40, 8, 17))[0]
        referred_to = referred_at = resolution = resolved_at = fed_back_at = None
        resolution_note = feedback_note = ""
        if status != "open":
            referred_to = rng.choice(v.bodies) if v.bodies else None
            referred_at = _stamp(day + timedelta(days=2), 3, 0)
        if status in ("resolved", "unresolvable", "fed_back"):
            resolution = "unresolvable" if status == "unresolvable" else "resolved"
            resolution_note = "已协调解决。" if resolution == "resolved" else "涉及规划调整，近期无法解决。"
            resolved_at = _stamp(day + timedelta(days=20), 7, 0)
        if status == "fed_back":
            feedback_note, fed_back_at = "已电话告知反映人办理结果。", _stamp(day + timedelta(days=23), 2, 0)
        out[CONCERN].append((
            self.next_concern, activity_id, position, v.categories[code], content,
            "enterprise" if code == "enterprise" else "citizen", "", "", status, referred_to,
            referred_at, resolution, resolution_note, resolved_at, feedback_note, fed_back_at, 1,
            created, *CONCERN.tail,
        ))
        self.next_concern += 1


# --- the whole seed ---------------------------------------------------------------------------------


def span_for(today: date, months: int = MONTHS) -> tuple[date, date]:
    """First day of the span and first day after it: ``months`` whole months ending last month."""
    end = today.replace(day=1)
    index = end.year * 12 + end.month - 1 - months
    return date(index // 12, index % 12 + 1, 1), end


def seed(app: Flask, activities: int, *, layout: Layout | None = None, delegates: int = DELEGATES,
         seed: int = 2023, today: date | None = None,
         progress: Callable[[str], None] | None = None) -> SeedReport:
    """Migrate the empty database behind ``app``, load the campaign, add ``delegates``
    delegates and ``activities`` approved entries placed as ``layout`` says (default: the
    history layout), rebuild the rollups and commit."""
    from flask_migrate import upgrade

    say = progress or (lambda _line: None)
    rng = random.Random(seed)
    report = SeedReport()
    watch = _Stopwatch(report)
    with app.app_context():
        upgrade()
        load_campaign(app.config["DEFAULT_CAMPAIGN_FILE"])
        db.session.commit()
        today = today or local_today()
        watch.lap("schema and campaign")
        vocab = _make_people(rng, delegates)
        report.delegates = len(vocab.people)
        url = db.engine.url.render_as_string(hide_password=False)
        db.session.remove()
        db.engine.dispose()  # the writer works on its own connection
        watch.lap("delegates")

    layout = layout or Layout.of("history", activities)
    first, end = span_for(today, layout.months)
    report.first_month, report.last_month = first, (end - timedelta(days=1)).replace(day=1)
    report.months, report.layout = layout.months, layout.scenario
    entries = _Entries(vocab, rng, first, (end - first).days, max(activities, 1), today,
                       layout.months if layout.equal_months else 0)
    writer = _writer_for(url)
    indexes = writer.drop_indexes(LOADED_TABLES)
    started = time.perf_counter()
    step = max(activities // 10, BATCH)
    for lo in range(0, activities, BATCH):
        hi = min(lo + BATCH, activities)
        for shape, rows in entries.rows(lo, hi).items():
            writer.write(shape, rows)
        writer.commit()
        if hi == activities or hi % step < BATCH:
            elapsed = time.perf_counter() - started
            say(f"    {hi:>9,} / {activities:,} entries written  ({elapsed:5.1f} s, "
                f"{hi / elapsed if elapsed else 0:,.0f}/s)")
    watch.lap("entries")
    writer.create_indexes(indexes)
    writer.close()
    watch.lap("indexes")
    for name in ("activities", "focus_links", "proposals", "replies", "concerns"):
        setattr(report, name, getattr(entries.report, name))

    with app.app_context():
        rollups.rebuild()
        db.session.commit()
        db.session.remove()
        backend = db.engine.dialect.name
        db.engine.dispose()
    watch.lap("rollups")
    if backend == "postgresql":
        _vacuum_analyze(url)
        watch.lap("vacuum analyze")
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Seed one fresh database and say what went in; ``--keep`` leaves it for a closer look."""
    parser = argparse.ArgumentParser(prog="python -m bench.seed", description=main.__doc__)
    parser.add_argument("activities", type=int, help="approved entries to write, e.g. 1000000")
    parser.add_argument("--database", choices=DATABASES, default="sqlite")
    parser.add_argument("--scenario", choices=SCENARIOS, default="history",
                        help=f"history: {MONTHLY:,} entries a month, as many months as N fills "
                             f"(default); density: N spread over {MONTHS} months")
    parser.add_argument("--monthly", type=int, default=MONTHLY,
                        help=f"entries a month in the history layout (default {MONTHLY:,})")
    parser.add_argument("--delegates", type=int, default=DELEGATES)
    parser.add_argument("--keep", action="store_true", help="do not remove the database afterwards")
    args = parser.parse_args(argv)
    if args.database == "postgresql" and (why := postgres_unreachable(postgres_base_url())):
        print(f"PostgreSQL is unreachable ({why}); set {PG_ENV}.", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    try:
        return _seed_one(args, workdir)
    finally:
        if not (args.keep and args.database == "sqlite"):
            shutil.rmtree(workdir, ignore_errors=True)


def _seed_one(args: argparse.Namespace, workdir: Path) -> int:
    with _maybe_kept(args.database, workdir, args.keep) as url:
        app = make_app(url)
        print(f"seeding {args.activities:,} entries into {make_url(url).render_as_string()}", flush=True)
        layout = Layout.of(args.scenario, args.activities, monthly=args.monthly)
        report = seed(app, args.activities, layout=layout, delegates=args.delegates,
                      progress=lambda line: print(line, flush=True))
        print(f"done in {report.seconds:.1f} s: {report.delegates:,} delegates, "
              f"{report.activities:,} entries ({report.layout}: {report.months} months, "
              f"{report.first_month:%Y-%m}…{report.last_month:%Y-%m}), "
              f"{report.focus_links:,} focus links, {report.proposals:,} proposals, "
              f"{report.replies:,} replies, {report.concerns:,} concerns")
        print("  " + ", ".join(f"{k} {v:.1f} s" for k, v in report.stages.items()))
        if args.keep:
            print(f"kept: {url}")
    return 0


@contextmanager
def _maybe_kept(kind: str, workdir: Path, keep: bool) -> Iterator[str]:
    if not keep:
        with fresh_database(kind, workdir) as url:
            yield url
        return
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    base = make_url(postgres_base_url())
    name = f"tracker_bench_{uuid.uuid4().hex[:10]}"
    url = base.set(database=name).render_as_string(hide_password=False)
    with _admin_engine(url).connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    yield url


if __name__ == "__main__":
    raise SystemExit(main())
