"""Demo data at city and province scale: thousands of delegates, a million entries.

``flask demo --activities M`` and the benchmarks (``bench/seed.py``) both call
:func:`generate_at_scale`. On a migrated database with an active campaign and no delegates it
adds the stations (three a delegation), ``delegates`` delegates spread over the delegations as
in the demo, the demo accounts, and ``activities`` entries over the months of a :class:`Span`,
with their focus areas, proposals (followed to replies and ratings by their age) and concerns.
The texts are drawn from the hand-shaped demo's words (:mod:`.words`), so a million entries
read like its hundreds. Entries of the span's last ``pending_days`` days are partly still
waiting for review (submitted), returned or drafts; every other entry is approved. Concerns
older than 90 days are concluded and proposals older than a year answered and rated, so what
waits for staff is the recent work, as in an office that keeps up, not a share of the history.

How it stays fast: rows are made as plain tuples and written with ``executemany`` (SQLite)
or ``COPY`` (PostgreSQL) on the session's own connection while the loaded tables' secondary
indexes are dropped; the indexes are built again from their own definitions afterwards. The
rollups are counted while the rows are made (entries come in date order, so a month's counts
are final once the next month starts) and written like the rows, keyed by the rollup key's one
definition (:class:`tracker.activities.rollups.RollupKey`): the same numbers
:func:`tracker.activities.rollups.rebuild` would give, without reading the million entries back.

Everything happens in the caller's transaction: if anything fails, the rollback takes the
rows, the dropped indexes and the rollups back with it. SQLite keeps its journal; PostgreSQL
skips the foreign-key triggers for the load when the account may (a superuser), since every
id the generator writes was read from the database or written by it. Nothing here commits.

Not generated: audit rows, notifications, attachments, closed months and typical cases.

The parts, each used only by those after it: :mod:`.bulk_plan` (the settings, the :class:`Span`
and the :class:`ScaleReport`), :mod:`.bulk_people` (stations, delegates, accounts and the ids
entries refer to), :mod:`.bulk_rows` (row shapes, rollup rows, the writer), :mod:`.bulk_entries`
(the entries' rows), and this module, which runs them in order.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta

import sqlalchemy as sa

from ..campaign.loader import active_campaign
from ..extensions import db
from ..models import Delegate
from .bulk_entries import Entries
from .bulk_people import make_accounts, make_people
from .bulk_plan import BATCH, IDLE_SHARE, PENDING_DAYS, Progress, ScaleReport, Span
from .bulk_rows import ANALYZED_TABLES, LOADED_TABLES, ROLLUP_TABLES, Writer


class _Stopwatch:
    """Seconds per stage, added up in the report."""

    def __init__(self, report: ScaleReport):
        self.report, self.last = report, time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.report.stages[stage] = self.report.stages.get(stage, 0.0) + now - self.last
        self.last = now


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

    vocab = make_people(rng, delegates, report)
    idle = set(rng.sample(range(len(vocab.people)), int(len(vocab.people) * IDLE_SHARE)))
    make_accounts(vocab, idle, report)
    db.session.flush()
    watch.lap("delegates and accounts")

    writer = Writer()
    writer.skip_foreign_key_checks()
    first_ids = {
        t: writer.next_id(t) for t in ("activity", "proposal", "proposal_reply", "concern")
    }
    indexes = writer.drop_indexes((*LOADED_TABLES, *ROLLUP_TABLES))
    entries = Entries(vocab, rng, span, max(activities, 1), today, idle, first_ids, pending_days)
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
