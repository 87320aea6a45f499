"""The floor for the web benchmark: a bare Flask app over the same database, with one route
that reads one delegate's latest entries through an index (one statement) and one that
inserts one entry (one statement), and nothing else: no login, no session, no CSRF, no
templates, no ORM. Served by gunicorn exactly like the tracker (:mod:`bench.web`).

    gunicorn -w 2 -b 127.0.0.1:8001 'bench.bare:create_bare_app()'   # BENCH_DATABASE_URL=...
"""

from __future__ import annotations

import html
import os
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask, request

LIST = sa.text(
    "SELECT id, title, occurred_on, status FROM activity WHERE delegate_id = :delegate "
    "ORDER BY occurred_on DESC, id DESC LIMIT 20"
)


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
    templates: dict[int, dict[str, Any]] = {}

    def entry_template(delegate_id: int) -> dict[str, Any]:
        # one of the delegate's entries: a new row differs only in its title, status and times
        if delegate_id not in templates:
            with engine.connect() as conn:
                row = conn.execute(sa.text(
                    "SELECT * FROM activity WHERE delegate_id = :d ORDER BY id LIMIT 1"),
                    {"d": delegate_id}).mappings().one()
            templates[delegate_id] = {k: v for k, v in row.items() if k != "id"}
        return templates[delegate_id]

    @app.get("/list/<int:delegate_id>")
    def latest(delegate_id: int):
        with engine.connect() as conn:
            rows = conn.execute(LIST, {"delegate": delegate_id}).all()
        items = "".join(f"<li>{r.occurred_on} {html.escape(r.title)} {r.status}</li>" for r in rows)
        return f"<!doctype html><title>latest</title><ul>{items}</ul>"

    @app.post("/insert/<int:delegate_id>")
    def insert(delegate_id: int):
        values = dict(entry_template(delegate_id))
        now = datetime.now(UTC).replace(tzinfo=None)
        values.update(title=request.form.get("title", "bare")[:200],
                      status="submitted", created_at=now, updated_at=now, submitted_at=now)
        columns = ", ".join(values)
        marks = ", ".join(f":{k}" for k in values)
        with engine.begin() as conn:
            new_id = conn.execute(
                sa.text(f"INSERT INTO activity ({columns}) VALUES ({marks}) RETURNING id"),  # noqa: S608
                values).scalar_one()
        return f"created {new_id}", 201

    return app
