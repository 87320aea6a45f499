"""The route fuzzer's parts: hostile values, the forms a page offers, and a walk over every route.

:func:`walk` takes every rule of the app's URL map and every method it answers, as each role,
and sends it hostile input: ids out of range or in other scripts' digits in the path, hostile
query arguments, and for every POST route the form its page really offers (field names and
values read from the HTML) with one field at a time replaced, posted url-encoded, as
multipart with a file, as JSON, and with every field repeated. A random generator with a fixed
seed picks the values, so a run is repeatable, and the budget per route is bounded.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import BytesIO
from typing import Any
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa
from werkzeug.routing import Rule

# --- hostile values --------------------------------------------------------------------------

TEXT = [
    "",
    " ",
    "\x00",
    "走访\x00记录",
    "a\x0bb\x0cc\x1b[31m\x7f\x85",
    "\u202e\ufeff\u200b",
    "𠮷" * 300,
    "长" * 30_000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "=cmd|' /C calc'!A0",
    "@张三",
    "../../etc/passwd",
    "%00%0a",
    "\r\n\r\n",
    "😀" * 40,
]
NUMBERS = [
    "0",
    "-1",
    "1e309",
    "NaN",
    "9" * 25,
    str(2**31),
    str(2**63),
    str(2**64),
    "٣٤",
    "²",
    "1.5",
    " 12 ",
    "0x10",
    "+5",
]
DATES = [
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2024-02-30",
    "2024-13-01",
    "٢٠٢٤-٠٥-٠١",
    "1-1-1",
]
MONTHS = [
    "0001-01",
    "9999-12",
    "9999-12..0001-01",
    "2024-05..9999-12",
    "0001-01..0001-02",
    "1" * 500,
    "2024-5",
    "２０２４-０５",
]
CATALOGUE = TEXT + NUMBERS + DATES + MONTHS
PATH_IDS = [str(2**31), str(2**63), str(2**64), "9" * 30, "٣", "²", "0", "000000000001"]
QUERY_NAMES = [
    "page", "per_page", "month", "period", "start", "end", "delegation", "type", "level",
    "kind", "initiative", "focus", "call", "status", "due", "label", "handler", "category",
    "which", "days", "q", "edit", "c", "format", "table", "next", "stage",
]  # fmt: skip
# What a file field receives: a cut PNG, a TOML nested far too deep, text files with NUL and
# control characters, nothing at all; each under a hostile name.
DEEP_TOML = b'[campaign]\ncode = "x"\nitems = ' + b"[" * 5000 + b"]" * 5000 + b"\n"
FILES = [
    ("照片\x00.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"),
    ("campaign.toml", DEEP_TOML, "application/toml"),
    ("名册\x1b.csv", "姓名,代表团\n张\x00三,城关区\n".encode(), "text/csv"),
    ("../../x.xlsx", b"PK\x03\x04" + b"\xff" * 100, "application/octet-stream"),
    ("", b"", "application/octet-stream"),
]


# --- the forms a page offers ------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # as a browser would send
    names: dict[str, str] = field(default_factory=dict)  # name -> input type
    files: list[str] = field(default_factory=list)
    multipart: bool = False


class _FormParser(HTMLParser):
    """Collects the forms of a page, with what a browser would post for each."""

    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._textarea: tuple[str, list[str]] | None = None
        self._option: list[Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            action = a.get("action") or self.page_url
            self._form = Form(
                action=action,
                method=(a.get("method") or "get").lower(),
                multipart="multipart" in a.get("enctype", ""),
            )
            self.forms.append(self._form)
        form = self._form
        if form is None or "disabled" in a:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            form.names.setdefault(name, kind)
            if kind == "file":
                form.files.append(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.fields.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset"):
                form.fields.append((name, a.get("value", "")))
            elif kind == "submit" and name:
                form.names[name] = "submit"
        elif tag == "button" and name:
            form.names.setdefault(name, "submit")
        elif tag == "select" and name:
            form.names.setdefault(name, "select")
            self._select = (name, [])
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]
        elif tag == "textarea" and name:
            form.names.setdefault(name, "textarea")
            self._textarea = (name, [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)
        if self._option is not None:
            self._option[2] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select is not None:
            value, selected, text = self._option
            self._select[1].append((text.strip() if value is None else value, selected))
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options = self._select
            chosen = [v for v, s in options if s] or [v for v, _s in options[:1]]
            self._form.fields.extend((name, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, parts = self._textarea
            self._form.fields.append((name, "".join(parts).lstrip("\n")))
            self._textarea = None
        elif tag == "form":
            self._form = None


def forms_of(html: str, page_url: str) -> list[Form]:
    parser = _FormParser(page_url)
    parser.feed(html)
    return parser.forms


# --- the walk ----------------------------------------------------------------------------------


@dataclass
class Failure:
    role: str
    method: str
    url: str
    how: str
    status: int
    error: str


@dataclass
class Report:
    requests: int = 0
    routes: set[tuple[str, str]] = field(default_factory=set)
    roles: int = 0
    values: int = 0
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0

    def causes(self) -> dict[tuple[str, str], Failure]:
        """One failure per (route, error kind): the distinct causes found."""
        out: dict[tuple[str, str], Failure] = {}
        for f in self.failures:
            key = (f"{f.method} {re.sub(r'/[0-9٣²]+', '/<id>', urlsplit(f.url).path)}", f.error)
            out.setdefault(key, f)
        return out


class Walker:
    """Sends the requests of one role and records every 5xx."""

    def __init__(self, app, client, role: str, rng: random.Random, report: Report, errors: list):
        self.app, self.client, self.role, self.rng = app, client, role, rng
        self.report, self.errors = report, errors

    def send(self, method: str, url: str, how: str, **kwargs: Any) -> Any:
        self.errors.clear()
        response = self.client.open(url, method=method, **kwargs)
        self.report.requests += 1
        if response.status_code >= 500:
            error = self.errors[-1] if self.errors else response.status
            self.report.failures.append(
                Failure(self.role, method, url[:200], how, response.status_code, error)
            )
        return response

    def pick(self, values: list[str], k: int) -> list[str]:
        return self.rng.sample(values, min(k, len(values)))


def route_urls(app, rule: Rule, ids: dict[str, list[str]]) -> Iterator[tuple[str, str]]:
    """(url, what it is) for a rule: with real ids, then with hostile ones for each number."""
    adapter = app.url_map.bind("localhost")
    args = sorted(rule.arguments)
    real = {a: ids.get(a, ["1"])[:2] for a in args}
    for i in range(max((len(v) for v in real.values()), default=1)):
        values = {a: real[a][min(i, len(real[a]) - 1)] for a in args}
        try:
            yield adapter.build(rule.endpoint, values, force_external=False), "real ids"
        except Exception:  # noqa: S112 - a string argument the rule refuses: nothing to send
            continue
    for a in args:
        for hostile in PATH_IDS:
            path = rule.rule
            for b in args:
                path = re.sub(rf"<(?:[^:>]+:)?{b}>", hostile if b == a else real[b][0], path)
            yield path, f"{a}={hostile!r}"


def body_variants(walker: Walker, form: Form, budget: int) -> Iterator[tuple[str, dict]]:
    """(how, request kwargs) for posting ``form`` with hostile values."""
    base = [(n, v) for n, v in form.fields]
    names = [n for n, t in form.names.items() if t not in ("submit",)]
    names = walker.pick(names, 14)
    for name in names:
        for value in walker.pick(CATALOGUE, max(1, budget // max(len(names), 1))):
            fields = [(n, value if n == name else v) for n, v in base]
            if name not in dict(base):
                fields.append((name, value))
            multipart = walker.rng.random() < 0.5 or form.multipart
            if multipart:
                data: dict[str, Any] = {}
                for n, v in fields:
                    data.setdefault(n, []).append(v)
                for f in form.files:
                    filename, content, ctype = walker.rng.choice(FILES)
                    data[f] = (BytesIO(content), filename, ctype)
                yield (
                    f"multipart {name}={value[:40]!r}",
                    {
                        "data": data,
                        "content_type": "multipart/form-data",
                    },
                )
            else:
                yield (
                    f"form {name}={value[:40]!r}",
                    {
                        "data": urlencode(fields).encode(),
                        "content_type": "application/x-www-form-urlencoded",
                    },
                )
    # a field missing, every field repeated with other values, a JSON body, raw bytes
    for name in names[:3]:
        yield (
            f"without {name}",
            {
                "data": urlencode([(n, v) for n, v in base if n != name]).encode(),
                "content_type": "application/x-www-form-urlencoded",
            },
        )
    polluted = base + [(n, walker.rng.choice(CATALOGUE)) for n, _v in base]
    yield (
        "repeated fields",
        {
            "data": urlencode(polluted).encode(),
            "content_type": "application/x-www-form-urlencoded",
        },
    )
    yield (
        "json",
        {
            "data": json.dumps({n: walker.rng.choice(CATALOGUE) for n in names}),
            "content_type": "application/json",
        },
    )
    yield (
        "invalid bytes",
        {
            "data": b"title=\xff\xfe\x00&kind=\xc3\x28&" + b"%ff" * 10,
            "content_type": "application/x-www-form-urlencoded",
        },
    )


def walk(app, client_factory, roles, login, ids_for, *, seed: int, budget: int) -> Report:
    """Walk every route as each role; return what was sent and every 5xx."""
    import logging

    report = Report(roles=len(roles))
    errors: list[str] = []

    class _Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.exc_info and record.exc_info[1] is not None:
                exc = record.exc_info[1]
                errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}")

    catcher = _Catch()
    logging.getLogger("tracker.errors").addHandler(catcher)
    started = time.perf_counter()
    rules = [
        r for r in app.url_map.iter_rules() if not r.endpoint.endswith("static")
    ]  # the app's own routes, not Bootstrap's files
    try:
        for role in roles:
            rng = random.Random(f"{seed}-{role}")
            client = client_factory()
            walker = Walker(app, client, role or "anonymous", rng, report, errors)
            ids = ids_for(role)
            forms: dict[str, list[Form]] = {}
            login(client, role)
            # 1. every GET route, with real ids then hostile ones; the forms of each page
            for rule in rules:
                if "GET" not in rule.methods:
                    continue
                for url, how in route_urls(app, rule, ids):
                    response = walker.send("GET", url, how)
                    report.routes.add((rule.endpoint, "GET"))
                    if (
                        how == "real ids"
                        and response.status_code == 200
                        and (response.mimetype == "text/html")
                    ):
                        for form in forms_of(response.get_data(as_text=True), url):
                            if form.method == "post":
                                forms.setdefault(urlsplit(form.action).path, []).append(form)
                if not rule.arguments:
                    for name in QUERY_NAMES:
                        for value in walker.pick(CATALOGUE, 1) + [rng.choice(MONTHS + NUMBERS)]:
                            url = f"{rule.rule}?{urlencode({name: value})}"
                            walker.send("GET", url, f"?{name}")
                            report.values += 1
            # 2. every POST route: its page's real form, field by field
            for rule in rules:
                if "POST" not in rule.methods:
                    continue
                for url, how in route_urls(app, rule, ids):
                    report.routes.add((rule.endpoint, "POST"))
                    if how != "real ids":
                        walker.send("POST", url, how, data={})
                        continue
                    found = forms.get(urlsplit(url).path) or [Form(action=url, method="post")]
                    for variant_how, kwargs in body_variants(walker, found[0], budget):
                        walker.send("POST", url, variant_how, **kwargs)
                        report.values += 1
                    login(client, role)  # a step may have logged the role out
    finally:
        logging.getLogger("tracker.errors").removeHandler(catcher)
        report.seconds = time.perf_counter() - started
    return report


# --- what reached the database -------------------------------------------------------------------

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def stored_control_characters(db) -> list[str]:
    """table.column and a sample of every stored text holding a NUL or control character."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, sa.String | sa.Text):
                continue
            rows = db.session.execute(sa.select(column).where(column.is_not(None))).scalars()
            for value in rows:
                if isinstance(value, str) and CONTROL.search(value):
                    found.append(f"{table.name}.{column.name}: {value[:40]!r}")
                    break
    return found
