"""The tracker under gunicorn, loaded with wrk, against a bare Flask app in the same run.

On a seeded database (:mod:`bench.seed`), for each measured request:

- the tracker under ``gunicorn -w 2`` on a loopback port, logged in as the demo delegate
  ``daibiao`` with a session cookie obtained first: 我的履职 (``GET /activities/mine``) and
  记一笔 (``POST /activities/new``, a visit with one concern, submitted for review). The form's
  CSRF token is tied to the session (Flask-WTF keeps its secret in the session and signs the
  token with a time limit of ``WTF_CSRF_TIME_LIMIT``, 8 hours), so one token read from the
  form page serves every request of the run; wrk sends the same body and cookie each time;
- the bare app (:mod:`bench.bare`) under the same gunicorn settings: one indexed SELECT of a
  delegate's 20 latest entries, one INSERT of an entry;
- to show where the tracker's time goes, not judged: the same SELECT and INSERT behind the
  tracker's own login, session, CSRF check and headers, and the SELECT's rows in its page
  layout (``bench.bare:create_stack_app()``), logged in the same way.

Each is loaded with ``wrk -t2 -c64 -d10s --timeout 10s`` after a short warm-up; the ratio
is the tracker's requests per second ÷ the bare app's (target ≥ 0.5) and the target wants 0
errors (socket errors, and answers other than the expected status: 200 for the GETs, 302
for the tracker's POST, 201 for the bare insert). The login throttle is switched off for the
run (``TRACKER_RATELIMIT_ENABLED=false``); nothing else of the tracker's configuration
changes (CSRF on, sessions as configured).

``python -m bench.web --two-servers`` is the measured run of docs/deployment.md: one
PostgreSQL database, two tracker instances (two ports, two workers each, login throttling
shared through Redis), wrk against both at the same time.

    python -m bench.web --database sqlite --size 100000      # seeds, then the seven runs
    python -m bench.web --two-servers --size 100000          # PostgreSQL, two instances
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
WRK = os.environ.get("WRK", "wrk")
CONNECTIONS, DURATION, QUICK_DURATION, WARMUP = 64, 10, 3, 2
TARGET_RATIO = 0.5
# the layers of the tracker's cost, measured with bench.bare.create_stack_app()
STACK_GET = "tracker stack: one indexed SELECT"
LAYOUT_GET = "tracker stack + layout: one SELECT"
STACK_POST = "tracker stack: one INSERT"
# Flask-Login's "strong" session protection ties a login to the browser's address and
# User-Agent: wrk must send the User-Agent the login was made with.
USER_AGENT = "tracker-bench"
SECRET = "bench-secret-key-for-a-throwaway-database-0000"  # noqa: S105 - throwaway database
VISIT = {
    "kind": "visit",
    "initiative": "i3",
    "title": "走访伏龙坪社区老旧小区住户",
    "station": "",
    "place": "伏龙坪社区",
    "people_reached": "12",
    "visit_target_kind": "households",
    "visit_target": "伏龙坪社区3号楼住户",
    "description": "入户了解加装电梯意见。",
    "outcome": "",
    "concerns-0-category": "transport",
    "concerns-0-content": "小区门口公交站台没有遮雨棚",
    "concerns-0-raised_by_kind": "citizen",
    "concerns-0-raised_by_name": "",
    "concerns-0-raised_by_phone": "",
    "submit_entry": "1",
}
STATUS_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do total[k] = (total[k] or 0) + v end
  end
  for k, v in pairs(total) do io.write(string.format("status %d %d\\n", k, v)) end
  io.write(string.format("latency p50 %d p99 %d\\n", latency:percentile(50), latency:percentile(99)))
end
"""


# --- servers ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tracker_env(url: str, **extra: str) -> dict[str, str]:
    """The environment of a benchmark tracker: its database, a fixed key, no login throttle."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update(
        {
            "TRACKER_DATABASE_URL": url,
            "TRACKER_SECRET_KEY": SECRET,
            "TRACKER_RATELIMIT_ENABLED": "false",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra)
    return env


@contextmanager
def gunicorn(
    app_spec: str,
    env: dict[str, str],
    *,
    workers: int = 2,
    port: int | None = None,
    probe: str = "/",
) -> Iterator[str]:
    """``gunicorn -w workers`` serving ``app_spec`` on a loopback port; yields the base URL and
    stops the server (the process this started, by its id) afterwards."""
    port = port or free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen(  # noqa: S603 - our own command line
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            app_spec,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"gunicorn {app_spec} stopped:\n{log.read().decode()[-3000:]}")
            try:
                urllib.request.urlopen(base + probe, timeout=5).close()  # noqa: S310 - loopback
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn {app_spec} did not answer on {base}") from None
                time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


# --- a logged-in browser, as far as wrk needs one ----------------------------------------------------


_CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')


def _csrf(page: str) -> str:
    tag = _CSRF.search(page)
    if tag is None:
        raise RuntimeError("no CSRF token on the page")
    return re.search(r'value="([^"]+)"', tag.group(0)).group(1)


@dataclass
class Login:
    cookie: str  # the Cookie header
    csrf: str  # a token of this session for the activity form


def log_in(base: str, username: str, password: str) -> Login:
    """Log in as a browser would (form, CSRF token, session cookie); the cookie header and a
    CSRF token read from the activity form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    token = _csrf(opener.open(base + "/auth/login").read().decode())
    body = urllib.parse.urlencode(
        {"csrf_token": token, "username": username, "password": password}
    ).encode()
    opener.open(base + "/auth/login", data=body).read()
    form = opener.open(base + "/activities/new")
    if "/auth/login" in form.geturl():
        raise RuntimeError(f"could not log in as {username}")
    token = _csrf(form.read().decode())
    return Login("; ".join(f"{c.name}={c.value}" for c in jar), token)


def drain(url: str) -> None:
    """Wait until the server has answered every request still queued from an earlier run
    (a sync worker takes queued connections in order, so one more request comes back last)."""
    with contextlib.suppress(urllib.error.HTTPError):
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
        urllib.request.urlopen(  # noqa: S310 - loopback
            request,
            timeout=300,
        ).close()
    time.sleep(0.5)


# --- wrk ----------------------------------------------------------------------------------------


@dataclass
class WrkRun:
    """One wrk run: throughput, latency, and what went wrong."""

    name: str
    url: str
    method: str
    expected: int
    connections: int
    seconds: int
    requests: int = 0
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    socket_errors: dict[str, int] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    created: int | None = None  # rows a POST run added, counted in the database

    @property
    def errors(self) -> int:
        """Socket errors plus answers other than the expected status."""
        wrong = sum(n for status, n in self.statuses.items() if status != self.expected)
        return sum(self.socket_errors.values()) + wrong


def _script(method: str, cookie: str, body: str) -> str:
    """A wrk Lua script: method, body and cookie, and the status counter."""
    script = STATUS_SCRIPT
    if method != "GET":
        script = (
            f"wrk.method = {json.dumps(method)}\nwrk.body = {json.dumps(body)}\n"
            'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n' + script
        )
    if cookie:
        script = f'wrk.headers["Cookie"] = {json.dumps(cookie)}\n' + script
    script = f'wrk.headers["User-Agent"] = "{USER_AGENT}"\n' + script
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    return handle.name


def _command(url: str, script: str, connections: int, seconds: int, threads: int) -> list[str]:
    return [
        WRK,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        script,
        url,
    ]


def wrk(
    name: str,
    url: str,
    *,
    method: str = "GET",
    cookie: str = "",
    body: str = "",
    expected: int = 200,
    connections: int = CONNECTIONS,
    seconds: int = DURATION,
    threads: int = 2,
) -> WrkRun:
    """Load ``url`` with wrk; statuses are counted by a small Lua script."""
    script = _script(method, cookie, body)
    try:
        out = subprocess.run(  # noqa: S603 - our own command line
            _command(url, script, connections, seconds, threads),
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        os.unlink(script)
    return _parse(name, url, method, expected, connections, seconds, out)


def _parse(
    name: str, url: str, method: str, expected: int, connections: int, seconds: int, out: str
) -> WrkRun:
    run = WrkRun(name, url, method, expected, connections, seconds)
    run.requests = int(re.search(r"(\d+) requests in", out).group(1))
    run.rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    if errors := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    ):
        run.socket_errors = dict(
            zip(("connect", "read", "write", "timeout"), map(int, errors.groups()), strict=True)
        )
    run.statuses = {int(s): int(n) for s, n in re.findall(r"^status (\d+) (\d+)$", out, re.M)}
    if latency := re.search(r"^latency p50 (\d+) p99 (\d+)$", out, re.M):
        run.p50_ms, run.p99_ms = int(latency.group(1)) / 1000, int(latency.group(2)) / 1000
    return run


# --- the benchmark --------------------------------------------------------------------------------


@dataclass
class WebResult:
    database: str
    size: int
    runs: list[WrkRun]
    ratios: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "size": self.size,
            "ratios": self.ratios,
            "runs": [{**asdict(r), "errors": r.errors} for r in self.runs],
        }


def _ids(url: str) -> tuple[int, int]:
    """The delegates of the accounts ``daibiao`` (the tracker's runs) and ``qiye`` (the bare
    insert, so the tracker's list is not touched)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            ids = dict(
                conn.execute(
                    sa.text(
                        "SELECT username, delegate_id FROM user_account WHERE username IN ('daibiao', 'qiye')"
                    )
                ).all()
            )
    finally:
        engine.dispose()
    return ids["daibiao"], ids["qiye"]


def count_entries(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM activity")).scalar_one()
    finally:
        engine.dispose()


def run_web(
    database: str, size: int, url: str, *, seconds: int = DURATION, say: Any = print
) -> WebResult:
    """The four wrk runs on the database at ``url`` (seeded with the demo accounts)."""
    from bench.seed import DELEGATE_USERNAME, STAFF_PASSWORD

    delegate_id, other_id = _ids(url)
    runs: list[WrkRun] = []

    def load(name: str, target: str, **kwargs: Any) -> WrkRun:
        wrk(name, target, seconds=WARMUP, **kwargs)  # warm-up: pools, caches, imports
        drain(target)
        before = count_entries(url) if kwargs.get("method") == "POST" else None
        run = wrk(name, target, seconds=seconds, **kwargs)
        if before is not None:
            run.created = count_entries(url) - before
        runs.append(run)
        say(
            f"    {name:<28} {run.rps:8.1f} req/s, p50 {run.p50_ms:6.1f} ms, p99 "
            f"{run.p99_ms:7.1f} ms, {run.requests:,} requests, {run.errors} errors"
            + (f", {run.created:,} entries added" if run.created is not None else "")
        )
        return run

    with gunicorn("tracker:create_app()", tracker_env(url), probe="/auth/login") as base:
        login = log_in(base, DELEGATE_USERNAME, STAFF_PASSWORD)
        body = urllib.parse.urlencode(
            {**VISIT, "csrf_token": login.csrf, "occurred_on": _yesterday(url)}
        )
        mine = load("tracker: 我的履职 GET", base + "/activities/mine", cookie=login.cookie)
        post = load(
            "tracker: 记一笔 POST",
            base + "/activities/new",
            method="POST",
            cookie=login.cookie,
            body=body,
            expected=302,
        )
    env = {**tracker_env(url), "BENCH_DATABASE_URL": url}
    with gunicorn("bench.bare:create_bare_app()", env, probe=f"/list/{delegate_id}") as base:
        bare_get = load("bare: one indexed SELECT", f"{base}/list/{delegate_id}")
        bare_post = load(
            "bare: one INSERT",
            f"{base}/insert/{other_id}",
            method="POST",
            body="title=bare",
            expected=201,
        )
    # where the tracker's time goes: its request handling alone, then with its page layout
    with gunicorn("bench.bare:create_stack_app()", tracker_env(url), probe="/auth/login") as base:
        login = log_in(base, DELEGATE_USERNAME, STAFF_PASSWORD)
        stack_get = load(STACK_GET, f"{base}/_bench/list/{delegate_id}", cookie=login.cookie)
        layout_get = load(LAYOUT_GET, f"{base}/_bench/layout/{delegate_id}", cookie=login.cookie)
        stack_post = load(
            STACK_POST,
            f"{base}/_bench/insert/{other_id}",
            method="POST",
            cookie=login.cookie,
            expected=201,
            body=urllib.parse.urlencode({"csrf_token": login.csrf, "title": "stack"}),
        )

    def share(run: WrkRun, baseline: WrkRun) -> float:
        return run.rps / baseline.rps if baseline.rps else 0.0

    ratios = {
        "get": share(mine, bare_get),
        "post": share(post, bare_post),
        "stack_get": share(stack_get, bare_get),
        "layout_get": share(layout_get, bare_get),
        "stack_post": share(stack_post, bare_post),
    }
    return WebResult(database, size, runs, ratios)


def _yesterday(url: str) -> str:
    """A date the activity form accepts (not in the future, within the campaign)."""
    from datetime import timedelta

    from bench.seed import make_app
    from tracker.dates import local_today

    with make_app(url).app_context():
        return (local_today() - timedelta(days=1)).isoformat()


# --- two app servers on one database (docs/deployment.md) ---------------------------------------------

DEPLOYMENT = ROOT / "docs" / "deployment.md"
TWO_START, TWO_END = "<!-- bench:two-servers:start -->", "<!-- bench:two-servers:end -->"


def run_two_servers(url: str, size: int, redis_url: str, seconds: int, say: Any = print) -> dict:
    """Two tracker instances (two ports, two workers each) on the database at ``url``, login
    throttling shared through Redis: wrk against both at the same time, 我的履职 then 记一笔."""
    from bench.seed import DELEGATE_USERNAME, STAFF_PASSWORD

    env = tracker_env(url, TRACKER_REDIS_URL=redis_url, TRACKER_RATELIMIT_ENABLED="true")
    results: dict[str, Any] = {"size": size, "seconds": seconds, "servers": {}}
    with ExitStack() as stack:
        bases = [
            stack.enter_context(gunicorn("tracker:create_app()", env, probe="/auth/login"))
            for _ in range(2)
        ]
        logins = [log_in(b, DELEGATE_USERNAME, STAFF_PASSWORD) for b in bases]
        body = [
            urllib.parse.urlencode({**VISIT, "csrf_token": x.csrf, "occurred_on": _yesterday(url)})
            for x in logins
        ]
        for phase, path, method, expected in (
            ("我的履职 GET", "/activities/mine", "GET", 200),
            ("记一笔 POST", "/activities/new", "POST", 302),
        ):
            for i, base in enumerate(bases):  # warm-up, one after the other
                wrk(
                    phase,
                    base + path,
                    method=method,
                    cookie=logins[i].cookie,
                    body=body[i],
                    expected=expected,
                    connections=32,
                    seconds=WARMUP,
                )
                drain(base + path)
            # first one server alone with all 64 connections, for comparison in the same run
            alone = wrk(
                phase,
                bases[0] + path,
                method=method,
                cookie=logins[0].cookie,
                body=body[0],
                expected=expected,
                connections=64,
                seconds=seconds,
                threads=1,
            )
            drain(bases[0] + path)
            results.setdefault("alone", []).append({**asdict(alone), "errors": alone.errors})
            say(
                f"    one server alone {phase:<10} {alone.rps:8.1f} req/s, p50 {alone.p50_ms:6.1f} ms, "
                f"p99 {alone.p99_ms:7.1f} ms, {alone.errors} errors"
            )
            before = count_entries(url)
            procs = []
            for i, base in enumerate(bases):
                procs.append(_spawn_wrk(base + path, method, logins[i].cookie, body[i], seconds))
            for i, (proc, script) in enumerate(procs):
                out, _ = proc.communicate(timeout=seconds + 60)
                os.unlink(script)
                run = _parse(phase, bases[i] + path, method, expected, 32, seconds, out)
                results["servers"].setdefault(bases[i], []).append(
                    {**asdict(run), "errors": run.errors}
                )
                say(
                    f"    server {i + 1} {phase:<10} {run.rps:8.1f} req/s, p50 {run.p50_ms:6.1f} ms, "
                    f"p99 {run.p99_ms:7.1f} ms, {run.errors} errors"
                )
            if method == "POST":
                results["created"] = count_entries(url) - before
    return results


def _spawn_wrk(url: str, method: str, cookie: str, body: str, seconds: int) -> tuple:
    script = _script(method, cookie, body)
    proc = subprocess.Popen(  # noqa: S603 - ours
        _command(url, script, 32, seconds, 1),
        stdout=subprocess.PIPE,
        text=True,
    )
    return proc, script


def render_two_servers(results: dict, info: dict[str, str]) -> str:
    lines = [
        f"Measured {results['when']}: one PostgreSQL database ({info['postgresql']}) seeded with "
        f"{results['size']:,} entries by `bench/seed.py`; two tracker instances, each "
        f"`gunicorn -w 2` on its own loopback port, login throttling shared through Redis "
        f"(`TRACKER_REDIS_URL`); `wrk -t1 -c32 -d{results['seconds']}s` against each at the "
        "same time, logged in as the demo delegate on each, right after the same load with 64 "
        "connections on server 1 alone; 我的履职 first, then 记一笔. "
        f"Machine: {info['cpus']} CPUs ({info['cpu']}), load average {info['load']} before the run. "
        "Both servers, both wrk processes and PostgreSQL share the machine's 2 cores, so the "
        "sum is what one machine gives, not what two machines would.",
        "",
        "| request | one server alone (64 connections) | server 1 | server 2 | both together | errors | "
        "p50 / p99 (server 1) | p50 / p99 (server 2) |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    servers = list(results["servers"].values())
    for k in range(len(servers[0])):
        a, b, alone = servers[0][k], servers[1][k], results["alone"][k]
        lines.append(
            f"| {a['name']} | {alone['rps']:.1f} req/s | {a['rps']:.1f} req/s | "
            f"{b['rps']:.1f} req/s | {a['rps'] + b['rps']:.1f} req/s | "
            f"{a['errors'] + b['errors'] + alone['errors']} | "
            f"{a['p50_ms']:.0f} / {a['p99_ms']:.0f} ms | {b['p50_ms']:.0f} / {b['p99_ms']:.0f} ms |"
        )
    errors = sum(r["errors"] for runs in (*servers, results["alone"]) for r in runs)
    lines += [
        "",
        f"The POST runs at once added {results.get('created', 0):,} entries to the shared "
        "database. "
        + (
            "Every answer was the expected one (200 for the GETs, a redirect to "
            "the new entry for the POSTs), with no socket errors."
            if errors == 0
            else f"{errors} answers were errors."
        ),
    ]
    return "\n".join(lines) + "\n"


def write_between(path: Path, start: str, end: str, generated: str) -> None:
    text = path.read_text()
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    path.write_text(before + start + "\n" + generated + end + after)


def main(argv: list[str] | None = None) -> int:
    """Seed a database, then load the tracker and the bare app with wrk (or, with
    --two-servers, two tracker instances at once)."""
    from bench.seed import (
        Layout,
        database_version,
        fresh_database,
        machine,
        make_app,
        postgres_base_url,
        postgres_unreachable,
        seed,
    )

    parser = argparse.ArgumentParser(prog="python -m bench.web", description=main.__doc__)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=DURATION)
    parser.add_argument(
        "--two-servers",
        action="store_true",
        help="PostgreSQL, two instances at once; writes docs/deployment.md",
    )
    parser.add_argument(
        "--redis", default=os.environ.get("TRACKER_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    database = "postgresql" if args.two_servers else args.database
    if database == "postgresql" and (why := postgres_unreachable(postgres_base_url())):
        print(f"PostgreSQL is unreachable ({why}).", file=sys.stderr)
        return 2
    info = machine()
    with (
        tempfile.TemporaryDirectory(prefix="tracker-web-") as tmp,
        fresh_database(database, Path(tmp)) as url,
    ):
        app = make_app(url)
        print(f"seeding {args.size:,} entries ({database})", flush=True)
        report = seed(
            app,
            args.size,
            layout=Layout.of("history", args.size),
            progress=lambda line: print(line, flush=True),
        )
        print(f"  seeded in {report.seconds:.1f} s", flush=True)
        info["postgresql"] = database_version(app) if database == "postgresql" else "-"
        if args.two_servers:
            results = run_two_servers(url, args.size, args.redis, args.seconds)
            results["when"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
            if not args.no_write:
                write_between(DEPLOYMENT, TWO_START, TWO_END, render_two_servers(results, info))
                print(f"Wrote {DEPLOYMENT.relative_to(ROOT)}.")
            return 0
        result = run_web(database, args.size, url, seconds=args.seconds)
        print(json.dumps(result.ratios))
    return 0


if __name__ == "__main__":
    sys.exit(main())
