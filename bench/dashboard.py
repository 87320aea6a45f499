"""The committee dashboard and the pages around it timed at several data sizes, on SQLite
and on PostgreSQL; the tracker under gunicorn loaded with wrk.

- ``history`` (primary, judged, the default): growing history at constant density. Every
  size has the same 2,000 delegates and 10,000 entries a month; the size decides how far back
  the history reaches (10,000 entries = 1 month, 100,000 = 10 months, 1,000,000 = 100 months,
  ending last month). The month measured holds the same entries at every size, so the ratio
  of the medians is what the target is about: at most 1.2, cost independent of history.
- ``density`` (secondary, reported, not judged; ``--scenario both``): denser months, the city
  grows. Every size covers the same 36 months.

For each scenario, database and size a fresh database is seeded by :mod:`bench.seed`, then:
every figure the dashboard shows, called as the page calls them; a GET of ``/dashboard/``,
the review queue, a drill-down list and a delegate's record through the test client logged in
as city staff; and the dashboard's own statements, captured with their parameters while the
page ran, replayed on a bare DBAPI connection (target: page ≤ 2 × its SQL). At the largest
size of the history scenario the tracker is also served by gunicorn and loaded with wrk
against a bare Flask app (:mod:`bench.web`). Medians are reported with the ratios of the
largest size to the smallest; the statements of the slowest figures with their plans.

    python -m bench.dashboard                  # history: 10k, 100k, 1M; SQLite and PostgreSQL; wrk
    python -m bench.dashboard --quick          # 10k and 100k, fewer repetitions, short wrk runs, no report file
    python -m bench.dashboard --scenario both --databases sqlite --sizes 10000,200000 --no-web

The results go to the terminal, to docs/performance.md (between its ``bench:results``
markers; the text around them is kept) and, as JSON, to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from bench.seed import (
    DATABASES,
    DELEGATE_USERNAME,
    MONTHLY,
    MONTHS,
    PG_ENV,
    SCENARIOS,
    STAFF_PASSWORD,
    STAFF_USERNAME,
    Layout,
    SeedReport,
    database_version,
    fresh_database,
    machine,
    make_app,
    postgres_base_url,
    postgres_unreachable,
    seed,
)
from tracker.campaign.loader import active_campaign
from tracker.dates import Period, local_today
from tracker.extensions import db
from tracker.models import User
from tracker.permissions import Scope
from tracker.reports import figures
from tracker.reports.filters import Filters

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "performance.md"
RESULTS = ROOT / "bench" / "results"
START, END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"
TARGET_RATIO = 1.2
TARGET_REPLAY = 2.0  # the page ÷ its own statements replayed
PAGES = ("dashboard", "review queue", "drill-down", "record, one month", "record, campaign")
JUDGED_PAGES = PAGES[:-1]  # a whole campaign's record grows with the history by design
TREND_MONTHS = 12
EXPLAINED = {"history": 3, "density": 2}  # slowest figures explained, at the largest size
TITLES = {
    "history": "Growing history at constant density (primary: judged against the target)",
    "density": "Denser months: the city grows (secondary: reported, not judged)",
}


# --- what the dashboard asks for --------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardRequest:
    """The city-wide dashboard for the latest full month, as a city staff member opens it."""

    scope: Scope
    period: Period
    trend: Period
    filters: Filters
    today: date
    campaign_id: int
    inactive_days: int


def latest_full_month(today: date) -> Period:
    """The month before ``today``'s."""
    return Period.month(today.year, today.month).previous()


def dashboard_request(app: Flask) -> DashboardRequest:
    """Scope, period and filters of the page for the whole city (inside an app context); the
    page restricts every figure to the active campaign, so this does too."""
    today = local_today()
    period = latest_full_month(today)
    campaign_id = active_campaign().id
    return DashboardRequest(
        scope=Scope(everything=True),
        period=period,
        trend=Period.months_to(period, TREND_MONTHS),
        filters=Filters(campaign_id=campaign_id),
        today=today,
        campaign_id=campaign_id,
        inactive_days=int(app.config["INACTIVE_DAYS"]),
    )


def dashboard_figures(r: DashboardRequest) -> list[tuple[str, Callable[[], Any]]]:
    """Every figure of the page, in the order it shows them."""
    s, p, fl = r.scope, r.period, r.filters
    return [
        ("participation", lambda: figures.participation(s, p, fl)),
        ("activity_totals", lambda: figures.activity_totals(s, p, fl)),
        ("activities_by_kind", lambda: figures.activities_by_kind(s, p, fl)),
        ("monthly_trend", lambda: figures.monthly_trend(s, r.trend, fl)),
        ("type_initiative_matrix", lambda: figures.type_initiative_matrix(s, p, fl)),
        ("by_delegation", lambda: figures.by_delegation(s, p, fl)),
        ("by_focus_area", lambda: figures.by_focus_area(s, p, fl)),
        ("proposal_figures", lambda: figures.proposal_figures(s, p, fl, r.today)),
        ("concern_period_figures", lambda: figures.concern_period_figures(s, p, fl)),
        ("type_call_progress", lambda: figures.type_call_progress(s, p, fl, r.campaign_id)),
        ("points_ranking", lambda: figures.points_ranking(s, p, fl, limit=10)),
        (
            "inactive_delegates",
            lambda: figures.inactive_delegate_count(s, fl, r.today, r.inactive_days),
        ),
    ]


# --- timing ---------------------------------------------------------------------------------------


@dataclass
class Explained:
    figure: str
    median_ms: float
    statement_ms: float
    sql: str
    parameters: str
    plan: str


@dataclass
class SizeResult:
    scenario: str
    database: str
    size: int
    seed: dict[str, Any]
    figures_ms: dict[str, float]  # median per figure
    total_ms: float  # median of the whole set, one pass per repetition
    month: str = ""
    month_entries: int = 0  # approved entries in the dashboard month
    page_ms: float | None = None
    page_note: str = ""
    pages_ms: dict[str, float] = field(default_factory=dict)  # median per page GET
    replay: dict[str, float] = field(default_factory=dict)  # page_ms, sql_ms, statements
    web: dict[str, Any] | None = None
    explained: list[Explained] = field(default_factory=list)


def _ms(seconds: Sequence[float]) -> float:
    return statistics.median(seconds) * 1000


def time_figures(app: Flask, reps: int, warmup: int) -> tuple[dict[str, float], float]:
    """Median per figure and of the whole set; each repetition is one fresh session, as a
    request would have."""
    with app.app_context():
        calls = dashboard_figures(dashboard_request(app))
        for _ in range(warmup):
            for _, call in calls:
                call()
            db.session.remove()
        per: dict[str, list[float]] = {name: [] for name, _ in calls}
        totals = []
        for _ in range(reps):
            started = time.perf_counter()
            for name, call in calls:
                t0 = time.perf_counter()
                call()
                per[name].append(time.perf_counter() - t0)
            totals.append(time.perf_counter() - started)
            db.session.remove()
    return {name: _ms(t) for name, t in per.items()}, _ms(totals)


def page_urls(app: Flask) -> dict[str, str]:
    """The pages timed, for the latest full month: the dashboard, the review queue, the list
    behind the month's entry count, and the record of the demo delegate ``daibiao`` for that
    month and for the whole campaign (the page's default)."""
    with app.app_context():
        month = latest_full_month(local_today()).to_arg()
        delegate_id = db.session.scalar(
            sa.select(User.delegate_id).where(User.username == DELEGATE_USERNAME)
        )
        db.session.remove()
    return {
        "dashboard": f"/dashboard/?period={month}",
        "review queue": "/review/",
        "drill-down": f"/dashboard/activities?period={month}",
        "record, one month": f"/delegates/{delegate_id}/record?period={month}",
        "record, campaign": f"/delegates/{delegate_id}/record",
    }


def staff_client(app: Flask) -> FlaskClient:
    """A test client logged in as city staff."""
    client = app.test_client()
    login = client.post(
        "/auth/login", data={"username": STAFF_USERNAME, "password": STAFF_PASSWORD}
    )
    if login.status_code != 302:
        raise RuntimeError(f"login answered {login.status_code}")
    return client


def time_pages(app: Flask, reps: int, warmup: int) -> tuple[dict[str, float], str]:
    """Median of a GET of each page as city staff, the pages taking turns."""
    urls = page_urls(app)
    client = staff_client(app)
    for _ in range(warmup):
        for name, url in urls.items():
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{name}: GET {url} answered {response.status_code}")
    times: dict[str, list[float]] = {name: [] for name in urls}
    sizes: dict[str, int] = {}
    for _ in range(reps):
        for name, url in urls.items():
            t0 = time.perf_counter()
            response = client.get(url)
            times[name].append(time.perf_counter() - t0)
            sizes[name] = len(response.data)
    note = f"GET {urls['dashboard']}, {sizes['dashboard'] / 1024:.0f} KiB"
    return {name: _ms(t) for name, t in times.items()}, note


def replay_dashboard(app: Flask, reps: int, warmup: int) -> dict[str, float]:
    """The dashboard page against its own SQL: the statements one GET sends are captured with
    their parameters, then page GETs and replays of those statements on a bare DBAPI
    connection (execute, fetch every row, end the transaction) take turns."""
    url = page_urls(app)["dashboard"]
    client = staff_client(app)
    with app.app_context():
        engine = db.engine
    captured: list[tuple[str, Any, bool]] = []

    def capture(_conn, _cursor, statement, parameters, _context, executemany):
        captured.append((statement, parameters, executemany))

    client.get(url)
    event.listen(engine, "before_cursor_execute", capture)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    statements = list(captured)
    raw = engine.raw_connection()

    def replay() -> None:
        cursor = raw.cursor()
        for statement, parameters, many in statements:
            if many:
                cursor.executemany(statement, parameters)
            else:
                cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
        cursor.close()
        raw.rollback()

    try:
        for _ in range(warmup):
            replay()
            client.get(url)
        page_times, sql_times = [], []
        for _ in range(reps):
            t0 = time.perf_counter()
            client.get(url)
            t1 = time.perf_counter()
            replay()
            t2 = time.perf_counter()
            page_times.append(t1 - t0)
            sql_times.append(t2 - t1)
    finally:
        raw.close()
    page, sql = _ms(page_times), _ms(sql_times)
    return {"page_ms": page, "sql_ms": sql, "statements": len(statements), "ratio": page / sql}


def explain_slowest(app: Flask, medians: dict[str, float], count: int = 3) -> list[Explained]:
    """The slowest statement of each of the ``count`` slowest figures, with its plan."""
    out = []
    with app.app_context():
        calls = dict(dashboard_figures(dashboard_request(app)))
        engine = db.engine
        seen: list[tuple[str, Any, float]] = []

        def before(conn, _cursor, _statement, _parameters, _context, _many):
            conn.info["bench_t0"] = time.perf_counter()

        def after(conn, _cursor, statement, parameters, _context, _many):
            seen.append((statement, parameters, time.perf_counter() - conn.info.pop("bench_t0")))

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        try:
            for name in sorted(medians, key=medians.get, reverse=True)[:count]:
                seen.clear()
                calls[name]()
                statement, parameters, seconds = max(seen, key=lambda s: s[2])
                out.append(
                    Explained(
                        name,
                        medians[name],
                        seconds * 1000,
                        statement,
                        repr(parameters),
                        _plan(statement, parameters),
                    )
                )
        finally:
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)
            db.session.remove()
    return out


def _plan(statement: str, parameters: Any) -> str:
    conn = db.session.connection()
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        depth: dict[int, int] = {0: -1}
        lines = []
        for node, parent, _, detail in rows:
            depth[node] = depth.get(parent, -1) + 1
            lines.append("  " * depth[node] + detail)
        return "\n".join(lines)
    rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()
    return "\n".join(row[0] for row in rows)


# --- one database at one size ------------------------------------------------------------------------


def run_one(
    scenario: str,
    database: str,
    size: int,
    workdir: Path,
    reps: int,
    warmup: int,
    explain: int,
    say: Callable[[str], None],
    web_seconds: int = 0,
) -> tuple[SizeResult, str]:
    """Seed one database and time everything on it; ``web_seconds`` > 0 adds the wrk runs."""
    layout = Layout.of(scenario, size)
    with fresh_database(database, workdir) as url:
        app = make_app(url)
        say(f"  {scenario}, {database}, {size:,} entries over {layout.months} months: seeding")
        report: SeedReport = seed(app, size, layout=layout, progress=say)
        say(
            f"    seeded in {report.seconds:.1f} s ("
            + ", ".join(f"{k} {v:.1f} s" for k, v in report.stages.items())
            + ")"
        )
        version = database_version(app)
        with app.app_context():
            r = dashboard_request(app)
            month, month_entries = (
                r.period.to_arg(),
                figures.activity_totals(r.scope, r.period, r.filters).activities,
            )
            db.session.remove()
        say(f"    dashboard month {month}: {month_entries:,} approved entries")
        per, total = time_figures(app, reps, warmup)
        say(f"    figures: {total:.1f} ms median over {reps} repetitions")
        pages, note = time_pages(app, reps, warmup)
        say("    pages: " + ", ".join(f"{k} {v:.1f} ms" for k, v in pages.items()))
        result = SizeResult(
            scenario,
            database,
            size,
            _seed_summary(report),
            per,
            total,
            month,
            month_entries,
            pages["dashboard"],
            note,
            pages,
        )
        result.replay = replay_dashboard(app, reps, warmup)
        say(
            f"    dashboard {result.replay['page_ms']:.1f} ms against its "
            f"{result.replay['statements']:.0f} statements replayed {result.replay['sql_ms']:.1f} ms: "
            f"{result.replay['ratio']:.2f}"
        )
        if explain:
            result.explained = explain_slowest(app, per, explain)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if web_seconds:
            from bench.web import run_web

            say(f"    gunicorn -w 2 and wrk -c64, {web_seconds} s a run:")
            result.web = run_web(database, size, url, seconds=web_seconds, say=say).to_dict()
    return result, version


def _seed_summary(report: SeedReport) -> dict[str, Any]:
    out = asdict(report)
    del out["logins"]  # the demo accounts' passwords: not results
    out["seconds"] = report.seconds
    out["first_month"] = f"{report.first_month:%Y-%m}"
    out["last_month"] = f"{report.last_month:%Y-%m}"
    return out


# --- the report ----------------------------------------------------------------------------------------


def _rows(results: list[SizeResult], scenario: str, database: str) -> list[SizeResult]:
    return sorted(
        (r for r in results if r.scenario == scenario and r.database == database),
        key=lambda r: r.size,
    )


def ratio(
    results: list[SizeResult],
    scenario: str,
    database: str,
    key: Callable[[SizeResult], float | None],
) -> float | None:
    """Median at the largest size ÷ median at the smallest, for one scenario and database."""
    rows = _rows(results, scenario, database)
    if len(rows) < 2 or key(rows[0]) in (None, 0) or key(rows[-1]) is None:
        return None
    return key(rows[-1]) / key(rows[0])


def verdict(value: float | None, judged: bool = True) -> str:
    """'1.07 (met)', '3.10 (NOT met)', or just the ratio for a scenario that is not judged."""
    if value is None:
        return "-"
    if not judged:
        return f"{value:.2f}"
    return f"{value:.2f} ({'met' if value <= TARGET_RATIO else 'NOT met'})"


def _judged(scenario: str) -> bool:
    return scenario == "history"


def _scenarios(results: list[SizeResult]) -> list[str]:
    present = {r.scenario for r in results}
    return [s for s in SCENARIOS if s in present]


def render_table(results: list[SizeResult], scenario: str) -> str:
    judged = _judged(scenario)
    lines = [
        TITLES[scenario],
        f"{'database':<11} {'entries':>10} {'months':>6} {'in month':>9} {'seed':>8} "
        f"{'figures':>10} {'page':>10}",
    ]
    for database in dict.fromkeys(r.database for r in results if r.scenario == scenario):
        for r in _rows(results, scenario, database):
            page = f"{r.page_ms:.1f} ms" if r.page_ms is not None else "-"
            lines.append(
                f"{database:<11} {r.size:>10,} {r.seed['months']:>6} {r.month_entries:>9,} "
                f"{r.seed['seconds']:>6.1f} s {r.total_ms:>7.1f} ms {page:>10}"
            )
        total = verdict(ratio(results, scenario, database, lambda r: r.total_ms), judged)
        page = verdict(ratio(results, scenario, database, lambda r: r.page_ms), judged)
        lines.append(f"{'':<11} {'ratio':>10} {'':>6} {'':>9} {'':>8} {total:>10} {page:>10}")
    return "\n".join(lines)


def render_breakdown(results: list[SizeResult], scenario: str) -> str:
    """Per figure: median ms at each database and size, slowest first."""
    runs = [r for r in results if r.scenario == scenario]
    names = sorted(runs[0].figures_ms, key=lambda n: -max(r.figures_ms[n] for r in runs))
    head = f"{scenario + ' (ms)':<24}" + "".join(
        f"{r.database[:6] + ' ' + _short(r.size):>14}" for r in runs
    )
    lines = [head]
    for name in names:
        lines.append(f"{name:<24}" + "".join(f"{r.figures_ms[name]:>14.2f}" for r in runs))
    return "\n".join(lines)


def _short(size: int) -> str:
    return f"{size // 1_000_000}M" if size % 1_000_000 == 0 else f"{size // 1000}k"


INTRO = {
    "history": (
        f"Every size: the same 2,000 delegates and {MONTHLY:,} entries a month; the size "
        "decides how many months back the history reaches. The dashboard month (the "
        "latest, whose last week partly waits for review) holds the same entries at "
        "every size."
    ),
    "density": (
        f"Every size covers the same {MONTHS} months, so the entries a month grow with "
        "the size. Shown for what it says about busier months; the target is not about "
        "this case."
    ),
}


def _summary_table(
    results: list[SizeResult], scenario: str, databases: list[str], sizes: list[int]
) -> list[str]:
    judged = _judged(scenario)
    out = [
        "| database | entries | months | approved in the month | seeding | dashboard figures "
        "| ratio | page GET | ratio |",
        "|---|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for database in databases:
        rows = _rows(results, scenario, database)
        if not rows:
            continue
        first = rows[0]
        for r in rows:
            page = f"{r.page_ms:.1f} ms" if r.page_ms is not None else f"– ({r.page_note})"
            last = r is rows[-1]
            figures_ratio = (
                verdict(r.total_ms / first.total_ms, judged and last) if r is not first else ""
            )
            page_ratio = (
                verdict(r.page_ms / first.page_ms, judged and last)
                if r is not first and r.page_ms and first.page_ms
                else ""
            )
            out.append(
                f"| {database} | {r.size:,} | {r.seed['months']} | {r.month_entries:,} | "
                f"{r.seed['seconds']:.1f} s | {r.total_ms:.1f} ms | {figures_ratio} "
                f"| {page} | {page_ratio} |"
            )
    small, large = sizes[0], sizes[-1]
    tail = (
        f"judged at {large:,} against the target ≤ {TARGET_RATIO}."
        if judged
        else "not judged against the target."
    )
    return out + ["", f"Ratio = median at that size ÷ median at {small:,}; {tail}", ""]


def _replay_table(results: list[SizeResult], databases: list[str]) -> list[str]:
    out = [
        "| database | entries | statements | page GET | its SQL replayed | ratio (≤ 2) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for database in databases:
        for r in _rows(results, "history", database):
            if not r.replay:
                continue
            x = r.replay
            met = "met" if x["ratio"] <= TARGET_REPLAY else "NOT met"
            out.append(
                f"| {database} | {r.size:,} | {x['statements']:.0f} | {x['page_ms']:.1f} ms | "
                f"{x['sql_ms']:.1f} ms | {x['ratio']:.2f} ({met}) |"
            )
    return out + [""]


def _pages_table(results: list[SizeResult], databases: list[str], sizes: list[int]) -> list[str]:
    header = (
        ["database", "page"] + [f"{s:,}" for s in sizes] + [f"ratio {sizes[-1]:,} ÷ {sizes[0]:,}"]
    )
    out = ["| " + " | ".join(header) + " |", "|---|---" + "|---:" * len(sizes) + "|---|"]
    for database in databases:
        rows = {r.size: r for r in _rows(results, "history", database)}
        if not rows:
            continue
        for page in PAGES[1:]:
            cells = [
                f"{rows[s].pages_ms[page]:.1f} ms"
                if s in rows and page in rows[s].pages_ms
                else "-"
                for s in sizes
            ]
            first, last = rows.get(sizes[0]), rows.get(sizes[-1])
            value = (
                last.pages_ms[page] / first.pages_ms[page]
                if first and last and page in first.pages_ms
                else None
            )
            cells.append(verdict(value, page in JUDGED_PAGES))
            out.append(f"| {database} | {page} | " + " | ".join(cells) + " |")
    return out + [""]


def _web_table(results: list[SizeResult]) -> list[str]:
    out = [
        "| database | entries | request | req/s | p50 | p99 | requests | errors | "
        "the bare app | ratio (≥ 0.5) | 0 errors |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        if not r.web:
            continue
        runs = {run["name"]: run for run in r.web["runs"]}
        pairs = (
            ("tracker: 我的履职 GET", "bare: one indexed SELECT", "get"),
            ("tracker: 记一笔 POST", "bare: one INSERT", "post"),
        )
        for app_name, bare_name, key in pairs:
            for name in (app_name, bare_name):
                run = runs[name]
                extra = f", {run['created']:,} added" if run.get("created") is not None else ""
                is_app = name == app_name
                ratio_cell = ""
                if is_app:
                    value = r.web["ratios"][key]
                    ratio_cell = f"{value:.2f} ({'met' if value >= 0.5 else 'NOT met'})"
                errors_cell = ("met" if run["errors"] == 0 else "NOT met") if is_app else ""
                out.append(
                    f"| {r.database} | {r.size:,} | {name} | {run['rps']:.1f} | {run['p50_ms']:.0f} ms | "
                    f"{run['p99_ms']:.0f} ms | {run['requests']:,}{extra} | {run['errors']} | "
                    f"{runs[bare_name]['rps']:.1f} req/s | {ratio_cell} | {errors_cell} |"
                    if is_app
                    else f"| {r.database} | {r.size:,} | {name} | {run['rps']:.1f} | {run['p50_ms']:.0f} ms | "
                    f"{run['p99_ms']:.0f} ms | {run['requests']:,}{extra} | {run['errors']} |  |  |  |"
                )
    return out + [""]


def _layers_table(results: list[SizeResult]) -> list[str]:
    """The tracker's cost in layers (bench.bare.create_stack_app()), each against the bare app."""
    from bench.web import LAYOUT_GET, STACK_GET, STACK_POST

    out = [
        "| database | request | req/s | p50 | errors | share of the bare app's req/s |",
        "|---|---|---:|---:|---:|---:|",
    ]
    rows = (
        ("bare: one indexed SELECT", None),
        (STACK_GET, "stack_get"),
        (LAYOUT_GET, "layout_get"),
        ("tracker: 我的履职 GET", "get"),
        ("bare: one INSERT", None),
        (STACK_POST, "stack_post"),
        ("tracker: 记一笔 POST", "post"),
    )
    for r in results:
        if not r.web:
            continue
        runs = {run["name"]: run for run in r.web["runs"]}
        for name, key in rows:
            if name not in runs:
                continue
            run = runs[name]
            share = f"{r.web['ratios'][key]:.2f}" if key else "1"
            out.append(
                f"| {r.database} | {name} | {run['rps']:.1f} | {run['p50_ms']:.0f} ms | "
                f"{run['errors']} | {share} |"
            )
    return out + [""]


def _figure_table(
    results: list[SizeResult], scenario: str, databases: list[str], sizes: list[int]
) -> list[str]:
    by = {(r.database, r.size): r for r in results if r.scenario == scenario}
    large = sizes[-1]
    header = (
        ["figure"]
        + [f"{d} {s:,}" for d in databases for s in sizes]
        + [f"{d} ratio" for d in databases]
    )
    out = ["| " + " | ".join(header) + " |", "|---" + "|---:" * (len(header) - 1) + "|"]
    names = list(next(iter(by.values())).figures_ms)

    def worst(name: str) -> float:
        return max(
            (by[(d, large)].figures_ms[name] for d in databases if (d, large) in by), default=0
        )

    for name in sorted(names, key=worst, reverse=True):
        cells = [
            f"{by[(d, s)].figures_ms[name]:.2f}" if (d, s) in by else "-"
            for d in databases
            for s in sizes
        ]
        for d in databases:
            value = ratio(results, scenario, d, lambda r, n=name: r.figures_ms[n])
            cells.append(f"{value:.2f}" if value is not None else "-")
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return out + [""]


def render_markdown(
    results: list[SizeResult], info: dict[str, str], settings: dict[str, Any]
) -> str:
    databases = list(dict.fromkeys(r.database for r in results))
    scenarios = _scenarios(results)
    out = [
        f"Measured {settings['when']} (dashboard month {settings['month']}, city scope, "
        f"trend {TREND_MONTHS} months), {settings['reps']} repetitions after {settings['warmup']} "
        f"warm-up passes; medians. The whole run took {settings.get('seconds', 0) / 60:.0f} min.",
        "",
        f"Machine: {info['cpus']} CPUs ({info['cpu']}), {info['memory']} memory, {info['os']}; "
        f"Python {info['python']}, SQLite {info['sqlite']}, {info['postgresql']}. "
        f"Load average (1 / 5 / 15 min) {info['load']} at the start, {settings['load_after']} "
        "at the end: other work on the machine shows up in the timings.",
        "",
    ]
    if settings.get("skipped"):
        out += [f"Not run: {settings['skipped']}.", ""]
    for scenario in scenarios:
        sizes = sorted({r.size for r in results if r.scenario == scenario})
        out += [f"### {TITLES[scenario]}", "", INTRO[scenario], ""]
        out += _summary_table(results, scenario, databases, sizes)
    if "history" in scenarios:
        sizes = sorted({r.size for r in results if r.scenario == "history"})
        out += [
            "### The dashboard against its own SQL",
            "",
            "The statements one GET of the dashboard sends, captured with their parameters, "
            "replayed on a bare DBAPI connection (execute, fetch every row, end the "
            "transaction), page and replay taking turns. Target: the page ≤ 2 × its SQL.",
            "",
        ]
        out += _replay_table(results, databases)
        out += [
            "### Other pages as the history grows",
            "",
            "GETs through the test client as city staff, medians, history scenario. The "
            "record of the demo delegate for the dashboard month is judged like the "
            f"dashboard (≤ {TARGET_RATIO}); for the whole campaign (the page's default) it "
            "lists every month of the campaign the history reaches, so it grows by design "
            "and is reported only.",
            "",
        ]
        out += _pages_table(results, databases, sizes)
        if any(r.web for r in results):
            out += [
                "### Under gunicorn, loaded with wrk",
                "",
                f"`gunicorn -w 2` (sync workers) on a loopback port, `wrk -t2 -c64 "
                f"-d{settings.get('web_seconds', 10)}s --timeout 10s` after a 2-second warm-up, "
                "on the largest history database. The tracker logged in as the demo delegate "
                "(session cookie, one CSRF token for the run, login throttle off); the bare "
                "app is `bench/bare.py` on the same database. Errors are socket errors and "
                "answers other than 200 (GET), 302 (the tracker's POST) or 201 (the bare "
                "insert). Targets: the tracker ≥ 0.5 × the bare app's requests per second, "
                "0 errors.",
                "",
            ]
            out += _web_table(results)
            out += [
                "Where the tracker's time goes, not judged: in the same run, "
                "`bench.bare:create_stack_app()` (the tracker with the bare app's SELECT and "
                "INSERT as routes behind its login, session, CSRF check and headers, and the "
                "SELECT's rows in its page layout) under the same gunicorn and wrk settings, "
                "logged in as the same delegate.",
                "",
            ]
            out += _layers_table(results)
    for scenario in scenarios:
        sizes = sorted({r.size for r in results if r.scenario == scenario})
        out += [f"### Per figure, {scenario} (median ms)", ""]
        out += _figure_table(results, scenario, databases, sizes)

    largest = [
        r for r in results if r.size == max(x.size for x in results if x.scenario == r.scenario)
    ]
    if largest:
        out += ["### Seeding the largest size", ""]
        for r in largest:
            s = r.seed
            out.append(
                f"- {r.scenario}, {r.database}, {r.size:,} entries ({s['approved']:,} approved): "
                f"{s['seconds']:.1f} s ("
                + ", ".join(f"{k} {v:.1f} s" for k, v in s["stages"].items())
                + f"); {s['delegates']:,} delegates, {s['focus_links']:,} focus links, "
                f"{s['proposals']:,} proposals, {s['replies']:,} replies, "
                f"{s['concerns']:,} concerns, {s['first_month']}…{s['last_month']} "
                f"({s['months']} months)."
            )
        out.append("")

    explained = [r for r in largest if r.explained]
    if explained:
        out += ["### Slowest figures at the largest size: their slowest statement and its plan", ""]
        for r in explained:
            for e in r.explained:
                out += [
                    f"<details><summary>{r.scenario}, {r.database}, {r.size:,}: <b>{e.figure}</b> "
                    f"{e.median_ms:.1f} ms (statement {e.statement_ms:.1f} ms)</summary>",
                    "",
                    "```sql",
                    e.sql.strip(),
                    "```",
                    "",
                    f"Parameters: `{e.parameters}`",
                    "",
                    "```",
                    e.plan,
                    "```",
                    "",
                    "</details>",
                    "",
                ]
    return "\n".join(out).rstrip() + "\n"


def write_report(path: Path, generated: str) -> None:
    """Put ``generated`` between the markers of ``path``, keeping the text around them."""
    block = f"{START}\n{generated}{END}"
    if path.exists() and START in (text := path.read_text()) and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        path.write_text(before + block + after)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Dashboard performance\n\nReproduce with `make bench` "
        "(`python -m bench.dashboard`).\n\n## Results\n\n" + block + "\n"
    )


# --- command line ---------------------------------------------------------------------------------------


def _sizes(value: str) -> list[int]:
    sizes = sorted({int(part.replace("_", "")) for part in value.split(",") if part.strip()})
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes are positive numbers, e.g. 10000,1000000")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    """Seed, time and report; the exit status is 0 even when a target is not met."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.dashboard", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--scenario",
        choices=(*SCENARIOS, "both"),
        default="history",
        help=f"history: {MONTHLY:,} entries a month, the size sets how many months "
        f"(primary, judged; the default); density: the size spread over "
        f"{MONTHS} months (secondary); both",
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        help="entries per database (default 10000,100000,1000000; --quick: 10000,100000)",
    )
    parser.add_argument(
        "--databases", default=",".join(DATABASES), help="sqlite,postgresql (default both)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="10k and 100k, 5 repetitions, 3-second wrk runs, nothing written unless --write",
    )
    parser.add_argument("--reps", type=int, help="timed repetitions (default 15, --quick 5)")
    parser.add_argument("--warmup", type=int, help="untimed passes first (default 3, --quick 1)")
    parser.add_argument(
        "--web",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="gunicorn and wrk at the largest size of the history scenario "
        "(default: yes; needs wrk)",
    )
    parser.add_argument("--web-seconds", type=int, help="each wrk run (default 10, --quick 3)")
    parser.add_argument(
        "--write",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"update {REPORT.relative_to(ROOT)} and bench/results/ (default: yes, "
        "except with --quick)",
    )
    args = parser.parse_args(argv)
    scenarios = list(SCENARIOS) if args.scenario == "both" else [args.scenario]
    sizes = args.sizes or ([10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000])
    reps = args.reps or (5 if args.quick else 15)
    warmup = args.warmup if args.warmup is not None else (1 if args.quick else 3)
    write = args.write if args.write is not None else not args.quick
    web_seconds = (args.web_seconds or (3 if args.quick else 10)) if args.web else 0
    if web_seconds and shutil.which(os.environ.get("WRK", "wrk")) is None:
        print("wrk is not installed (apt-get install wrk): the web runs are left out.", flush=True)
        web_seconds = 0
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(databases) - set(DATABASES)
    if unknown:
        parser.error(
            f"unknown database {', '.join(sorted(unknown))}; choose from {', '.join(DATABASES)}"
        )

    def say(line: str) -> None:
        print(line, flush=True)

    info = machine()
    skipped = ""
    if "postgresql" in databases and (why := postgres_unreachable(postgres_base_url())):
        skipped = f"PostgreSQL (server unreachable: {why}; set {PG_ENV})"
        say(f"Skipping {skipped}.")
        databases.remove("postgresql")
    started = time.perf_counter()
    results: list[SizeResult] = []
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        for scenario in scenarios:
            for database in databases:
                for size in sizes:
                    largest = size == sizes[-1]
                    result, version = run_one(
                        scenario,
                        database,
                        size,
                        Path(tmp),
                        reps,
                        warmup,
                        explain=EXPLAINED[scenario] if largest else 0,
                        say=say,
                        web_seconds=web_seconds if largest and scenario == "history" else 0,
                    )
                    results.append(result)
                    if database == "postgresql":
                        info["postgresql"] = version
    for scenario in _scenarios(results):
        say("")
        say(render_breakdown(results, scenario))
        say("")
        say(render_table(results, scenario))
    say(
        f"\nTotal {time.perf_counter() - started:.0f} s. Target (history scenario): ratio ≤ {TARGET_RATIO}."
    )
    if write and results:
        settings = {
            "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "month": results[0].month,
            "load_after": machine()["load"],
            "scenarios": scenarios,
            "sizes": sizes,
            "reps": reps,
            "warmup": warmup,
            "skipped": skipped,
            "web_seconds": web_seconds,
            "seconds": round(time.perf_counter() - started),
        }
        write_report(REPORT, render_markdown(results, info, settings))
        RESULTS.mkdir(parents=True, exist_ok=True)
        raw = RESULTS / f"dashboard-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
        raw.write_text(
            json.dumps(
                {"machine": info, "settings": settings, "results": [asdict(r) for r in results]},
                ensure_ascii=False,
                indent=1,
                default=str,
            )
        )
        say(f"Wrote {REPORT.relative_to(ROOT)} and {raw.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
