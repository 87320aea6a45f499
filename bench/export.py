"""The monthly summary's XLSX export on a month of 100,000 approved entries, against the
same rows written by bare XlsxWriter, on SQLite and on PostgreSQL.

One fresh database per engine is seeded by :mod:`bench.seed` with 2,000 delegates and a
single month (last month) holding all the entries. Then, alternately and each in a fresh
Python process, so that every run's peak memory is its own:

- ``app``: ``write_export(ExportRequest(campaign, whole city, that month, today, "xlsx"))``
  into a temporary file, inside an app context: the summary (its queries, the cover sheet,
  one sheet per table) and the streamed entries sheet, exactly as the page's download does.
- ``bare``: the same ``entries_select(...)`` statement read with ``yield_per`` and each raw
  row given to ``worksheet.write_row`` (one sheet, a header row, no formats, no formula
  guard, no summary tables), with the workbook options the app uses (``constant_memory``,
  no string guessing): the floor any exporter of these rows has to pay.
- ``baseline``: imports the app, creates it and reads the active campaign, nothing more:
  what the interpreter and the app cost before any export begins.

Each child reports its own wall time for the export and its own ``ru_maxrss``. One warm-up
of each, then the timed repetitions, the order of ``app`` and ``bare`` swapping each time.
Targets: median ``app`` ÷ median ``bare`` ≤ 1.3, and the ``app`` child's peak resident
memory ≤ 150 MB, judged on the absolute peak (interpreter and app included).

    python -m bench.export                        # 100,000 entries, SQLite and PostgreSQL
    make bench BENCH_EXPORT_ARGS=--quick          # after the dashboard's benchmark
    python -m bench.export --quick                # 20,000 entries, 3 repetitions, no report
    python -m bench.export --databases sqlite --profile

The results go to the terminal, to docs/performance.md (between its ``bench:export``
markers; the text around them is kept) and, as JSON, to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "performance.md"
RESULTS = ROOT / "bench" / "results"
START, END = "<!-- bench:export:start -->", "<!-- bench:export:end -->"
ROWS, QUICK_ROWS = 100_000, 20_000
REPS, QUICK_REPS = 5, 3
TARGET_RATIO = 1.3
TARGET_RSS_MB = 150
MODES = ("app", "bare", "baseline")
CHILD_TIMEOUT = 900  # seconds; a child that takes longer is a failure, not a data point
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "in_memory": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
}


# --- the children: one export each, in a fresh process --------------------------------------------


def _ru_maxrss_kib() -> int:
    """``ru_maxrss`` of this process, in KiB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def _peak_rss_kib() -> int:
    """This process's own peak resident set, in KiB.

    On Linux ``ru_maxrss`` survives fork and exec: a child started by a process of 300 MB
    reports at least 300 MB whatever it does itself. ``VmHWM`` is the high-water mark of the
    child's own address space, i.e. what ``ru_maxrss`` says for a process started from a
    small shell; it is used where it exists.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return _ru_maxrss_kib()


def child(
    mode: str, url: str, month: str, out: Path, profile: Path | None = None
) -> dict[str, Any]:
    """Create the app, then do ``mode``'s work once; returns what it measured."""
    from bench.seed import make_app
    from tracker.campaign.loader import active_campaign
    from tracker.dates import Period, local_today
    from tracker.extensions import db
    from tracker.permissions import Scope
    from tracker.reports.filters import Filters

    app = make_app(url)
    with app.app_context():
        campaign = active_campaign()
        today = local_today()
        period = Period.parse(month, today)
        if period.to_arg() != month:
            raise SystemExit(f"cannot read the month {month!r}")
        before = _peak_rss_kib()
        rows, seconds = 0, 0.0
        if mode == "app":
            work = _app_export(campaign, Scope(everything=True), period, today, out)
        elif mode == "bare":
            work = _bare_export(
                Scope(everything=True), period, Filters(campaign_id=campaign.id), out
            )
        else:
            work = None
        if work is not None:
            profiler = None
            if profile is not None:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            started = time.perf_counter()
            rows = work()
            seconds = time.perf_counter() - started
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(profile)
        db.session.remove()
    return {
        "mode": mode,
        "seconds": seconds,
        "rows": rows,
        "bytes": out.stat().st_size if work is not None else 0,
        "rss_before_kib": before,
        "peak_rss_kib": _peak_rss_kib(),
        "ru_maxrss_kib": _ru_maxrss_kib(),
    }


def _app_export(campaign: Any, scope: Any, period: Any, today: Any, out: Path) -> Callable[[], int]:
    from tracker.summaries.services import ExportRequest, write_export

    def run() -> int:
        with out.open("wb") as handle:
            result = write_export(ExportRequest(campaign, scope, period, today, "xlsx"), handle)
        return result.rows

    return run


def _bare_export(scope: Any, period: Any, filters: Any, out: Path) -> Callable[[], int]:
    import xlsxwriter

    from tracker.extensions import db
    from tracker.reports.exports import entries_select, entry_headers

    def run() -> int:
        book = xlsxwriter.Workbook(str(out), WORKBOOK_OPTIONS)
        sheet = book.add_worksheet("entries")
        sheet.write_row(0, 0, entry_headers())
        stmt = entries_select(scope, period, filters)
        row = 0
        for row, values in enumerate(
            db.session.execute(stmt.execution_options(yield_per=2000)), start=1
        ):
            sheet.write_row(row, 0, values)
        book.close()
        return row

    return run


def spawn(
    mode: str, url: str, month: str, out: Path, profile: Path | None = None
) -> dict[str, Any]:
    """Run one child and read its report (the last line it prints)."""
    command = [
        sys.executable,
        "-m",
        "bench.export",
        "--child",
        mode,
        "--url",
        url,
        "--month",
        month,
        "--out",
        str(out),
    ]
    if profile is not None:
        command += ["--profile-to", str(profile)]
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"the {mode} child failed ({done.returncode}):\n{tail}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    report["process_seconds"] = elapsed
    out.unlink(missing_ok=True)
    return report


# --- one database ------------------------------------------------------------------------------------


@dataclass
class DatabaseResult:
    database: str
    version: str
    month: str
    rows: int
    seed_seconds: float
    runs: list[dict[str, Any]] = field(default_factory=list)  # timed runs, in the order made
    warmup: list[dict[str, Any]] = field(default_factory=list)

    def of(self, mode: str) -> list[dict[str, Any]]:
        return [r for r in self.runs if r["mode"] == mode]

    def median(self, mode: str, key: str) -> float:
        return statistics.median(r[key] for r in self.of(mode))

    @property
    def ratio(self) -> float:
        return self.median("app", "seconds") / self.median("bare", "seconds")

    def peak_mb(self, mode: str) -> float:
        """Median of the peak resident memory of ``mode``'s children, in MB (10⁶ bytes)."""
        return self.median(mode, "peak_rss_kib") * 1024 / 1e6

    def max_peak_mb(self, mode: str) -> float:
        return max(r["peak_rss_kib"] for r in self.of(mode)) * 1024 / 1e6

    def summary(self) -> dict[str, Any]:
        return {
            "app_s": self.median("app", "seconds"),
            "bare_s": self.median("bare", "seconds"),
            "ratio": self.ratio,
            "ratio_met": self.ratio <= TARGET_RATIO,
            "app_peak_mb": self.peak_mb("app"),
            "app_max_peak_mb": self.max_peak_mb("app"),
            "bare_peak_mb": self.peak_mb("bare"),
            "baseline_mb": self.peak_mb("baseline"),
            "memory_met": self.max_peak_mb("app") <= TARGET_RSS_MB,
            "app_bytes": self.of("app")[0]["bytes"],
            "bare_bytes": self.of("bare")[0]["bytes"],
        }


def run_database(
    database: str, rows: int, reps: int, workdir: Path, profile: bool, say: Callable[[str], None]
) -> tuple[DatabaseResult, str | None]:
    """Seed a fresh database with one month of ``rows`` entries, then run the children."""
    from bench.dashboard import latest_full_month
    from bench.seed import Layout, database_version, fresh_database, make_app, seed
    from tracker.dates import local_today
    from tracker.extensions import db

    with fresh_database(database, workdir) as url:
        app = make_app(url)
        say(f"  {database}: seeding {rows:,} entries into one month")
        # every entry approved (no week waiting for review), so the month holds ``rows``
        report = seed(
            app, rows, layout=Layout.of("history", rows, monthly=rows), pending_days=0, progress=say
        )
        version = database_version(app)
        with app.app_context():
            month = latest_full_month(local_today()).to_arg()
            db.session.remove()
            db.engine.dispose()
        say(f"    seeded in {report.seconds:.1f} s; month {month}, {report.activities:,} entries")
        result = DatabaseResult(database, version, month, rows, report.seconds)
        out = workdir / f"export-{database}.xlsx"
        for mode in ("app", "bare"):
            run = spawn(mode, url, month, out)
            result.warmup.append(run)
            say(
                f"    warm-up {mode:<4} {run['seconds']:6.2f} s, peak {_mb(run['peak_rss_kib']):5.1f} MB"
            )
        for rep in range(reps):
            order = ("app", "bare", "baseline") if rep % 2 == 0 else ("bare", "app", "baseline")
            for mode in order:
                run = spawn(mode, url, month, out)
                if mode != "baseline" and run["rows"] != rows:
                    raise AssertionError(f"{mode} wrote {run['rows']:,} rows, expected {rows:,}")
                result.runs.append(run)
                say(
                    f"    {rep + 1}/{reps} {mode:<8} {run['seconds']:6.2f} s, "
                    f"peak {_mb(run['peak_rss_kib']):5.1f} MB, {run['rows']:,} rows"
                )
        profiled = None
        if profile:
            path = workdir / f"export-{database}.prof"
            spawn("app", url, month, out, profile=path)
            profiled = _profile_text(path)
            say(profiled)
    return result, profiled


def _mb(kib: float) -> float:
    return kib * 1024 / 1e6


def _profile_text(path: Path, lines: int = 25) -> str:
    import io
    import pstats

    text = io.StringIO()
    stats = pstats.Stats(str(path), stream=text)
    stats.sort_stats("tottime").print_stats(lines)
    stats.sort_stats("cumulative").print_stats(lines)
    return text.getvalue()


# --- the report ------------------------------------------------------------------------------------------


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def render_table(results: list[DatabaseResult]) -> str:
    lines = [
        f"{'database':<11} {'rows':>8} {'app':>8} {'bare':>8} {'ratio':>14} {'app peak':>10} "
        f"{'bare peak':>10} {'baseline':>9} {'app file':>9} {'bare file':>9}"
    ]
    for r in results:
        s = r.summary()
        lines.append(
            f"{r.database:<11} {r.rows:>8,} {s['app_s']:>6.2f} s {s['bare_s']:>6.2f} s "
            f"{s['ratio']:>5.2f} {'(' + _met(s['ratio_met']) + ')':>8} {s['app_peak_mb']:>7.1f} MB "
            f"{s['bare_peak_mb']:>7.1f} MB {s['baseline_mb']:>6.1f} MB "
            f"{s['app_bytes'] / 1e6:>6.1f} MB {s['bare_bytes'] / 1e6:>6.1f} MB"
        )
    return "\n".join(lines)


def render_markdown(
    results: list[DatabaseResult], info: dict[str, str], settings: dict[str, Any]
) -> str:
    out = [
        f"Measured {settings['when']}: month {results[0].month}, whole city, "
        f"{results[0].rows:,} approved entries in the month; {settings['reps']} timed runs of "
        "each exporter after one warm-up each, interleaved, every run in a fresh process; "
        f"medians. The whole benchmark took {settings['total_s']:.0f} s.",
        "",
        f"Machine: {info['cpus']} CPUs ({info['cpu']}), {info['memory']} memory, {info['os']}; "
        f"Python {info['python']}, XlsxWriter {settings['xlsxwriter']}, SQLAlchemy "
        f"{settings['sqlalchemy']}, SQLite {info['sqlite']}, {info['postgresql']}. Load average "
        f"(1 / 5 / 15 min) {info['load']} at the start, {settings['load_after']} at the end.",
        "",
    ]
    if settings.get("skipped"):
        out += [f"Not run: {settings['skipped']}.", ""]
    out += [
        "| database | app export | bare XlsxWriter | ratio (≤ 1.3) | app peak RSS (≤ 150 MB) "
        "| app above baseline | bare peak RSS | baseline | rows | app file | bare file |",
        "|---|---:|---:|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        s = r.summary()
        out.append(
            f"| {r.database} | {s['app_s']:.2f} s | {s['bare_s']:.2f} s | {s['ratio']:.2f} "
            f"({_met(s['ratio_met'])}) | {s['app_peak_mb']:.1f} MB, max {s['app_max_peak_mb']:.1f} "
            f"({_met(s['memory_met'])}) | {s['app_peak_mb'] - s['baseline_mb']:.1f} MB "
            f"| {s['bare_peak_mb']:.1f} MB | {s['baseline_mb']:.1f} MB | {r.rows:,} "
            f"| {s['app_bytes'] / 1e6:.1f} MB | {s['bare_bytes'] / 1e6:.1f} MB |"
        )
    out += [
        "",
        "Peak RSS is each child's own high-water mark (`VmHWM`, what `ru_maxrss` reports for a "
        "process started from a shell; MB = 10⁶ bytes), median of the runs; the memory target is "
        "judged on the largest absolute peak of the app's runs, interpreter and app included. "
        "*Above baseline* subtracts the median peak of a child that only imports and creates the "
        "app and reads the campaign. Both exporters wrote every entry of the month (checked on "
        "each run).",
        "",
        "| database | run | app | bare |",
        "|---|---|---:|---:|",
    ]
    for r in results:
        apps, bares = r.of("app"), r.of("bare")
        for i, (a, b) in enumerate(zip(apps, bares, strict=True), start=1):
            out.append(
                f"| {r.database} | {i} | {a['seconds']:.2f} s, {_mb(a['peak_rss_kib']):.1f} MB "
                f"| {b['seconds']:.2f} s, {_mb(b['peak_rss_kib']):.1f} MB |"
            )
    return "\n".join(out) + "\n"


INTRO = """\
## Monthly export (XLSX)

The monthly summary's XLSX (cover sheet, one sheet per summary table, and the month's approved
entries streamed in XlsxWriter's `constant_memory` mode) for the whole city and a month holding
100,000 approved entries, against the same rows written by bare XlsxWriter: the statement
`entries_select(...)` read with `yield_per=2000` and each raw row given to `write_row`, in one
sheet with a header row, no formats, no formula guard, no summary tables, with the app's workbook
options. Each run is a fresh Python process that reports its own wall time for the export and its
own peak resident memory (`VmHWM` from `/proc/self/status`: on Linux a child's `ru_maxrss` keeps
the size of the process that started it, here the benchmark with its seeding); a third kind of
process only imports and creates the app, for the memory the interpreter and the app take before
any export. **Targets: median app ÷ median bare ≤ 1.3, and the app's peak RSS ≤ 150 MB, judged
on the absolute peak.**

```sh
make bench                                          # the dashboard, then this: SQLite and PostgreSQL
make bench BENCH_EXPORT_ARGS="--databases sqlite"   # arguments for this part only
.venv/bin/python -m bench.export                    # this part alone, 100,000 entries
.venv/bin/python -m bench.export --quick            # 20,000 entries, 3 runs, this page left alone
.venv/bin/python -m bench.export --databases sqlite --profile   # adds a cProfile of one app run
```

The database is seeded by `bench/seed.py` (2,000 delegates, one month, last month, holding all
the entries); PostgreSQL as for the dashboard above. The section between the `bench:export`
markers is rewritten by each full run, the raw numbers go to `bench/results/export-*.json`.

"""


def write_report(path: Path, generated: str) -> None:
    """Put ``generated`` between the export markers of ``path``, keeping the text around them;
    the first time, add the section (its introduction and the markers) at the end."""
    block = f"{START}\n{generated}{END}"
    text = path.read_text() if path.exists() else "# Performance\n\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        path.write_text(before + block + rest.split(END, 1)[1])
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip("\n") + "\n\n" + INTRO + block + "\n")


# --- command line ---------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Seed, run the children, report; the exit status is 0 even when a target is not met."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.export", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--rows", type=int, help=f"entries in the month (default {ROWS:,}, --quick {QUICK_ROWS:,})"
    )
    parser.add_argument(
        "--reps",
        type=int,
        help=f"timed runs of each exporter (default {REPS}, --quick {QUICK_REPS})",
    )
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="sqlite,postgresql (default both)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_ROWS:,} entries, {QUICK_REPS} runs, nothing written unless --write",
    )
    parser.add_argument(
        "--write",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"update {REPORT.relative_to(ROOT)} and bench/results/ (default: yes, "
        "except with --quick)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="after the timed runs, one more app run under cProfile, printed",
    )
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--month", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        report = child(args.child, args.url, args.month, args.out, args.profile_to)
        print(json.dumps(report), flush=True)
        return 0
    return _bench(parser, args)


def _bench(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    import sqlalchemy
    import xlsxwriter

    from bench.seed import DATABASES, PG_ENV, machine, postgres_base_url, postgres_unreachable

    rows = args.rows or (QUICK_ROWS if args.quick else ROWS)
    reps = args.reps or (QUICK_REPS if args.quick else REPS)
    write = args.write if args.write is not None else not args.quick
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    if unknown := set(databases) - set(DATABASES):
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
    results: list[DatabaseResult] = []
    profiles: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="tracker-bench-export-") as tmp:
        for database in databases:
            result, profiled = run_database(database, rows, reps, Path(tmp), args.profile, say)
            results.append(result)
            if profiled:
                profiles[database] = profiled
            if database == "postgresql":
                info["postgresql"] = result.version
    total = time.perf_counter() - started
    say("")
    say(render_table(results))
    say(
        f"\nTotal {total:.0f} s. Targets: app ÷ bare ≤ {TARGET_RATIO}; app peak RSS ≤ "
        f"{TARGET_RSS_MB} MB (absolute)."
    )
    if write and results:
        settings = {
            "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "rows": rows,
            "reps": reps,
            "total_s": total,
            "load_after": machine()["load"],
            "skipped": skipped,
            "xlsxwriter": xlsxwriter.__version__,
            "sqlalchemy": sqlalchemy.__version__,
        }
        write_report(REPORT, render_markdown(results, info, settings))
        RESULTS.mkdir(parents=True, exist_ok=True)
        raw = RESULTS / f"export-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
        raw.write_text(
            json.dumps(
                {
                    "machine": info,
                    "settings": settings,
                    "results": [{**asdict(r), "summary": r.summary()} for r in results],
                    "profiles": profiles,
                },
                ensure_ascii=False,
                indent=1,
                default=str,
            )
        )
        say(f"Wrote {REPORT.relative_to(ROOT)} and {raw.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
