"""Fresh tracker databases seeded at scale for the benchmarks.

A fresh database (a SQLite file in a temporary folder, or a PostgreSQL database created
next to ``TRACKER_BENCH_DATABASE_URL``'s and dropped afterwards) is built by the migrations,
gets the packaged campaign, and then :func:`tracker.demo.bulk.generate_at_scale` (the generator
``flask demo --activities`` runs) adds 2,000 delegates over the nine delegations, the demo
accounts and N entries in the whole months that end with last month, with their rollups.

Two layouts of those N entries (see :class:`Layout`):

- ``history`` (growing history at constant density): every month holds the same number of
  entries (10,000 by default, ~5 per delegate), and N decides how many months back the
  history reaches: 10,000 entries are one month, 1,000,000 are 100 months. Months before the
  campaign's start get entries too: the figures do not look at the campaign's dates, and the
  point is only a long history.
- ``density`` (denser months: the city grows): the entries are spread evenly over the days
  of the same 36 months at every size, so a bigger N means busier months.

Entries of the last week of the span are partly still waiting for review (submitted),
returned or drafts, as in a live database; everything before is approved.

    python -m bench.seed 100000                      # history: 10 months of 10,000, SQLite
    python -m bench.seed 100000 --scenario density   # 36 months of ~2,800
    python -m bench.seed 100000 --database postgresql --keep
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import make_url

from tracker import create_app
from tracker.campaign.loader import load_campaign
from tracker.dates import local_today
from tracker.demo.accounts import DEMO_PASSWORD
from tracker.demo.bulk import generate_at_scale, tidy_after_load
from tracker.demo.bulk_plan import PENDING_DAYS, ScaleReport, Span
from tracker.extensions import db

PG_ENV = "TRACKER_BENCH_DATABASE_URL"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DATABASES = ("sqlite", "postgresql")
MONTHS = 36  # the density layout's span
MONTHLY = 10_000  # the history layout's entries a month (~5 per delegate)
SCENARIOS = ("history", "density")
DELEGATES = 2_000
# The generator's demo accounts: city staff, and a delegate of 城关区 who logs entries.
STAFF_USERNAME = "staff"
DELEGATE_USERNAME = "daibiao"
STAFF_PASSWORD = DEMO_PASSWORD
# argon2 with its defaults costs ~50 ms a hash; the benchmarks log in many times.
FAST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


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


def create_postgres_database() -> str:
    """A new empty PostgreSQL database next to :func:`postgres_base_url`'s; its URL."""
    base = make_url(postgres_base_url())
    name = f"tracker_bench_{uuid.uuid4().hex[:10]}"
    url = base.set(database=name).render_as_string(hide_password=False)
    admin = _admin_engine(url)
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    admin.dispose()
    return url


def drop_postgres_database(url: str) -> None:
    admin = _admin_engine(url)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


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
    url = create_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(url)


def bench_config(url: str) -> dict:
    """The settings of a benchmark app over ``url`` (CSRF off for the test client)."""
    return {
        "SECRET_KEY": "bench-secret-key-for-a-throwaway-database-0000",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "ARGON2_PARAMS": FAST_ARGON2,
    }


def make_app(url: str) -> Flask:
    """The tracker over ``url``, configured as a deployment would be (CSRF off for the test client)."""
    return create_app(bench_config(url))


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
    def of(
        cls, scenario: str, activities: int, *, monthly: int = MONTHLY, months: int = MONTHS
    ) -> Layout:
        """``history``: ``monthly`` entries in each month, as many months as N fills;
        ``density``: the same ``months`` at every size."""
        if scenario == "history":
            return cls("history", max(1, round(activities / monthly)), True)
        if scenario == "density":
            return cls("density", months, False)
        raise ValueError(f"unknown scenario {scenario!r}; choose from {', '.join(SCENARIOS)}")

    def span(self, today: date) -> Span:
        return Span.whole_months(self.months, today, monthly=self.equal_months)


# --- what a seed made ------------------------------------------------------------------------------


@dataclass
class SeedReport(ScaleReport):
    """What the generator made (:class:`tracker.demo.bulk_plan.ScaleReport`), the stages before and
    after it included, and where the layout put it."""

    first_month: date | None = None
    last_month: date | None = None
    months: int = 0
    layout: str = ""


# --- the whole seed ---------------------------------------------------------------------------------


def span_for(today: date, months: int = MONTHS) -> tuple[date, date]:
    """First day of the span and first day after it: ``months`` whole months ending last month."""
    span = Span.whole_months(months, today)
    return span.first, span.end


def seed(
    app: Flask,
    activities: int,
    *,
    layout: Layout | None = None,
    delegates: int = DELEGATES,
    seed: int = 2023,
    today: date | None = None,
    pending_days: int = PENDING_DAYS,
    progress: Callable[[str], None] | None = None,
) -> SeedReport:
    """Migrate the empty database behind ``app``, load the campaign, and let
    :func:`tracker.demo.bulk.generate_at_scale` add ``delegates`` delegates and ``activities``
    entries placed as ``layout`` says (default: the history layout); commit, then analyze."""
    from flask_migrate import upgrade

    say = progress or (lambda _line: None)
    stages: dict[str, float] = {}
    started = time.perf_counter()
    layout = layout or Layout.of("history", activities)
    with app.app_context():
        upgrade()
        load_campaign(app.config["DEFAULT_CAMPAIGN_FILE"])
        db.session.commit()
        stages["schema and campaign"] = time.perf_counter() - started
        today = today or local_today()
        span = layout.span(today)
        step = max(activities // 10, 1)
        t0 = time.perf_counter()

        def show(done: int, total: int) -> None:
            if done and (done == total or done % step < 50_000):
                elapsed = time.perf_counter() - t0
                say(
                    f"    {done:>9,} / {total:,} entries written  ({elapsed:5.1f} s, "
                    f"{done / elapsed if elapsed else 0:,.0f}/s)"
                )

        made = generate_at_scale(
            activities=activities,
            delegates=delegates,
            span=span,
            today=today,
            seed=seed,
            pending_days=pending_days,
            progress=show,
        )
        t1 = time.perf_counter()
        db.session.commit()
        made.stages["commit"] = time.perf_counter() - t1
        t1 = time.perf_counter()
        tidy_after_load()
        made.stages[
            "vacuum analyze" if db.engine.dialect.name == "postgresql" else "checkpoint"
        ] = time.perf_counter() - t1
        db.session.remove()
        db.engine.dispose()
    made_so_far = {f.name: getattr(made, f.name) for f in fields(ScaleReport)}
    return SeedReport(
        **{**made_so_far, "stages": {**stages, **made.stages}},
        first_month=span.first,
        last_month=(span.end - timedelta(days=1)).replace(day=1),
        months=layout.months,
        layout=layout.scenario,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Seed one fresh database and say what went in; ``--keep`` leaves it for a closer look."""
    parser = argparse.ArgumentParser(prog="python -m bench.seed", description=main.__doc__)
    parser.add_argument("activities", type=int, help="entries to write, e.g. 1000000")
    parser.add_argument("--database", choices=DATABASES, default="sqlite")
    parser.add_argument(
        "--scenario",
        choices=SCENARIOS,
        default="history",
        help=f"history: {MONTHLY:,} entries a month, as many months as N fills "
        f"(default); density: N spread over {MONTHS} months",
    )
    parser.add_argument(
        "--monthly",
        type=int,
        default=MONTHLY,
        help=f"entries a month in the history layout (default {MONTHLY:,})",
    )
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
        print(
            f"seeding {args.activities:,} entries into {make_url(url).render_as_string()}",
            flush=True,
        )
        layout = Layout.of(args.scenario, args.activities, monthly=args.monthly)
        report = seed(
            app,
            args.activities,
            layout=layout,
            delegates=args.delegates,
            progress=lambda line: print(line, flush=True),
        )
        print(
            f"done in {report.seconds:.1f} s: {report.delegates:,} delegates, "
            f"{report.activities:,} entries ({report.approved:,} approved; {report.layout}: "
            f"{report.months} months, {report.first_month:%Y-%m}…{report.last_month:%Y-%m}), "
            f"{report.focus_links:,} focus links, {report.proposals:,} proposals, "
            f"{report.replies:,} replies, {report.concerns:,} concerns"
        )
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
    yield create_postgres_database()


if __name__ == "__main__":
    raise SystemExit(main())


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    memory = cpu = "?"
    try:
        meminfo = Path("/proc/meminfo").read_text()
        kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))
        memory = f"{kib / 1024 / 1024:.1f} GiB"
        cpu = (
            re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text()).group(1).strip()
        )
    except (OSError, AttributeError):
        pass
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "memory": memory,
        "load": load,
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": "not run",
    }
