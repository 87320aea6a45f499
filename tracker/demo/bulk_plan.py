"""How a load at scale is laid out: how many entries of what, on which days, and the report of
what was made. The settings here shape :mod:`.bulk`'s data; the rest of the bulk load only
carries them out.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ..dates import add_months

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
        """How many days entries fall on."""
        return (self.end - self.first).days

    @property
    def months(self) -> int:
        """How many calendar months the span touches."""
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
        """The stages' seconds together."""
        return sum(self.stages.values())


# --- weighted draws -------------------------------------------------------------------------------


def cumulative(weights: dict[Any, float]) -> tuple[list[Any], list[float]]:
    """``weights`` as its keys and their running totals, for :func:`pick`."""
    keys = list(weights)
    return keys, list(itertools.accumulate(weights[k] for k in keys))


def pick(rng: random.Random, table: tuple[list[Any], list[float]]) -> Any:
    """One key of a :func:`cumulative` table, drawn by weight with one ``rng.random()``."""
    keys, cum = table
    return keys[bisect.bisect(cum, rng.random() * cum[-1])]
