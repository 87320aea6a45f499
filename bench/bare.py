"""The floors for the web benchmark (:mod:`bench.web`), served by gunicorn exactly like the
tracker.

``create_bare_app()``: a bare Flask app over the same database, with one route that reads one
delegate's latest entries through an index (one statement) and one that inserts one entry
(one statement), and nothing else: no login, no session, no CSRF, no templates, no ORM. This
is the baseline the targets name.

``create_stack_app()``: the tracker itself, as ``tracker.create_app()`` makes it, with the same
two statements added as routes behind its own login, session, CSRF check and headers, and one
more that puts the SELECT's rows into the tracker's page layout. Measured in the same run, they
split a page's cost into what the tracker's request handling costs before any page, what its
layout (navigation, footer, translations) adds, and what the page itself adds. They exist only
here: the tracker's own URL map does not have them.

    gunicorn -w 2 -b 127.0.0.1:8001 'bench.bare:create_bare_app()'   # BENCH_DATABASE_URL=...
    gunicorn -w 2 -b 127.0.0.1:8002 'bench.bare:create_stack_app()'  # TRACKER_DATABASE_URL=...
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask, request

LIST = sa.text(
    "SELECT id, title, occurred_on, status FROM activity WHERE delegate_id = :delegate "
    "ORDER BY occurred_on DESC, id DESC LIMIT 20"
)
LAYOUT = """{% extends "base.html" %}{% block title %}latest{% endblock %}
{% block content %}<ul>{% for r in rows %}<li>{{ r.occurred_on }} {{ r.title }} {{ r.status }}</li>
{% endfor %}</ul>{% endblock %}"""


def _items(rows: Sequence[Any]) -> str:
    items = "".join(f"<li>{r.occurred_on} {html.escape(r.title)} {r.status}</li>" for r in rows)
    return f"<!doctype html><title>latest</title><ul>{items}</ul>"


class _Inserts:
    """One INSERT of an entry for a delegate: a copy of one of their entries with a new title,
    status and times (the copied row is read once per delegate and process)."""

    def __init__(self) -> None:
        self.rows: dict[int, dict[str, Any]] = {}

    def insert(self, conn: sa.Connection, delegate_id: int, title: str) -> int:
        if delegate_id not in self.rows:
            row = (
                conn.execute(
                    sa.text("SELECT * FROM activity WHERE delegate_id = :d ORDER BY id LIMIT 1"),
                    {"d": delegate_id},
                )
                .mappings()
                .one()
            )
            self.rows[delegate_id] = {k: v for k, v in row.items() if k != "id"}
        values = dict(self.rows[delegate_id])
        now = datetime.now(UTC).replace(tzinfo=None)
        values.update(
            title=title[:200], status="submitted", created_at=now, updated_at=now, submitted_at=now
        )
        columns = ", ".join(values)
        marks = ", ".join(f":{k}" for k in values)
        return conn.execute(
            sa.text(f"INSERT INTO activity ({columns}) VALUES ({marks}) RETURNING id"),  # noqa: S608
            values,
        ).scalar_one()


def create_bare_app(url: str | None = None) -> Flask:
    """The bare app over ``url`` (default: the ``BENCH_DATABASE_URL`` environment variable)."""
    url = url or os.environ["BENCH_DATABASE_URL"]
    engine = sa.create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if url.startswith("sqlite"):

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA busy_timeout=10000")
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    app = Flask(__name__)
    inserts = _Inserts()

    @app.get("/list/<int:delegate_id>")
    def latest(delegate_id: int):
        with engine.connect() as conn:
            rows = conn.execute(LIST, {"delegate": delegate_id}).all()
        return _items(rows)

    @app.post("/insert/<int:delegate_id>")
    def insert(delegate_id: int):
        with engine.begin() as conn:
            new_id = inserts.insert(conn, delegate_id, request.form.get("title", "bare"))
        return f"created {new_id}", 201

    return app


def create_stack_app() -> Flask:
    """The tracker with the bare app's statements as routes behind its login (the signed-in
    account's session, as for any page), CSRF check and headers; configured like the tracker,
    from the ``TRACKER_*`` environment."""
    from tracker import create_app
    from tracker.extensions import db

    app = create_app()
    inserts = _Inserts()
    layout = app.jinja_env.from_string(LAYOUT)  # compiled once, as the tracker's own templates

    @app.get("/_bench/list/<int:delegate_id>")
    def stack_latest(delegate_id: int):
        return _items(db.session.execute(LIST, {"delegate": delegate_id}).all())

    @app.get("/_bench/layout/<int:delegate_id>")
    def stack_layout(delegate_id: int):
        context = {"rows": db.session.execute(LIST, {"delegate": delegate_id}).all()}
        app.update_template_context(context)  # what render_template adds: request, user, ...
        return layout.render(context)

    @app.post("/_bench/insert/<int:delegate_id>")
    def stack_insert(delegate_id: int):
        new_id = inserts.insert(
            db.session.connection(), delegate_id, request.form.get("title", "bare")
        )
        db.session.commit()
        return f"created {new_id}", 201

    return app
