"""One run of the hand-shaped demo: the campaign's vocabularies, the random source, what was
made so far, and the small helpers that draw times, phones, enterprises, names and the places a
text is about. :mod:`.builder` makes the demo on top of it; :mod:`.follow_up` moves its entries
along as staff would have.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from ..enums import DelegationKind, Gender, StationKind
from ..extensions import db
from ..models import Campaign, Delegation, Station
from .words import (
    COMMUNITIES,
    CONCERNS,
    FEMALE_CHARS,
    FIRMS,
    INDUSTRIES,
    LAWS,
    MALE_CHARS,
    PHONE_PREFIXES,
    PLACES,
    PROJECTS,
    SURNAMES,
    VILLAGES,
    Place,
)


def _live(rows: list) -> list:
    return [row for row in rows if row.retired_at is None]


def is_township(street: str) -> bool:
    """A township (镇, 乡) rather than a city street (街道)."""
    return street[-1] in "镇乡"


def _street_offices(street: str) -> tuple[str, str, str]:
    """The office of a street or township, its head, and its party committee."""
    if not is_township(street):
        return "办事处", "主任", "党工委"
    return "人民政府", "乡长" if street.endswith("乡") else "镇长", "党委"


@dataclass
class DemoReport:
    """What the hand-shaped demo created, and the demo accounts to log in with."""

    delegates: int = 0
    users: int = 0
    stations: int = 0
    activities: int = 0
    concerns: int = 0
    proposals: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)


class DemoWorld:
    """One run of the hand-shaped demo: the campaign's vocabularies, the random source, the
    counts, and the delegations' places, stations, names and accounts made so far."""

    def __init__(self, rng: random.Random, campaign: Campaign, today: date):
        self.rng, self.campaign, self.today = rng, campaign, today
        self.zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
        self.cutoff = self.at(today, 0, 0) - timedelta(minutes=1)  # earlier than any "now" today
        self.joined = self.at(campaign.starts_on - timedelta(days=30), 9, 0)
        self.report = DemoReport()
        query = sa.select(Delegation).where(Delegation.retired_at.is_(None))
        self.delegations = list(
            db.session.scalars(query.order_by(Delegation.position, Delegation.id))
        )
        self.kinds = {k.code: k for k in _live(campaign.kinds)}
        self.initiatives = {i.number: i for i in _live(campaign.initiatives)}
        if not (self.delegations and self.kinds and self.initiatives):
            raise ValueError("the campaign needs delegations, activity kinds and initiatives")
        self.calls = {n: _live(i.calls) for n, i in self.initiatives.items()}
        self.focus = {f.code: f for f in _live(campaign.focus_areas)}
        self.labels = _live(campaign.proposal_labels)
        self.categories = {c.code: c for c in _live(campaign.concern_categories)}
        self.concern_pool = [c for c in CONCERNS if c[0] in self.categories] or [
            [code, "群众反映的实际困难"] for code in self.categories
        ]
        # a delegation the words do not know gets a place of its own all the same
        fallback = Place(8, "蔬菜", ["城区街道", "中心镇", "新城镇"])
        self.places: dict[int, Place] = {
            d.id: PLACES.get(d.code, fallback) for d in self.delegations
        }
        self.stations: dict[int, dict[StationKind, Station]] = {}
        self.used_names: set[str] = set()
        self.user_ids: dict[int, int] = {}

    # -- small helpers ----------------------------------------------------------------------------
    def at(self, day: date, hour: int, minute: int) -> datetime:
        """A local wall-clock time as the naive UTC that timestamp columns store."""
        moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.zone)
        return moment.astimezone(UTC).replace(tzinfo=None)

    def pick(self, weights: dict) -> Any:
        """One key of ``weights``, drawn by weight."""
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def phone(self) -> str:
        """A mobile number."""
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def enterprise(self, delegation: Delegation) -> str:
        """An enterprise's name, mostly of Lanzhou, sometimes of the province or the county."""
        rng, place = self.rng, "兰州"
        if rng.random() < 0.25:
            place = "甘肃"
        elif delegation.kind == DelegationKind.COUNTY and rng.random() < 0.5:
            place = delegation.name[:-1]
        suffix = rng.choice(("有限公司", "有限公司", "有限责任公司", "集团有限公司"))
        return f"{place}{rng.choice(FIRMS)}{rng.choice(INDUSTRIES)}{suffix}"

    def context(self, delegation: Delegation) -> dict[str, Any]:
        """The names a template may use, drawn afresh around one place of the delegation."""
        rng, name = self.rng, delegation.name
        _, crop, streets = self.places[delegation.id]
        s = rng.choice(streets)
        c, v = rng.choice(COMMUNITIES) + "社区", rng.choice(VILLAGES) + "村"
        office, head, party = _street_offices(s)
        new_area = delegation.kind == DelegationKind.NEW_AREA
        return {
            "d": name,
            "s": s,
            "c": c,
            "v": v,
            "loc": s + (v if is_township(s) else c),
            "crop": crop,
            "e": self.enterprise(delegation),
            "n": rng.randint(2, 9),
            "p": rng.choice(PROJECTS).format(d=name, s=s),
            "law": rng.choice(LAWS),
            "firm": rng.choice(FIRMS),
            "s_unit": office,
            "s_head": head,
            "s_party": party,
            "rd": "兰州新区人大工委" if new_area else f"{name}人大常委会",
            "gov": "兰州新区管委会" if new_area else f"{name}人民政府",
            "vice": {"district": "副区长", "county": "副县长"}.get(delegation.kind, "副主任"),
        }

    def unique_name(self, gender: Gender) -> str:
        """A name not given to any delegate of this run yet."""
        chars = FEMALE_CHARS if gender == Gender.FEMALE else MALE_CHARS
        while True:
            given = "".join(self.rng.choices(chars, k=1 if self.rng.random() < 0.3 else 2))
            name = self.pick(SURNAMES) + given
            if name not in self.used_names and len(set(given)) == len(given):
                self.used_names.add(name)
                return name

    @staticmethod
    def quotas(weights: list[float], total: int) -> list[int]:
        """Split ``total`` in proportion to ``weights`` (largest remainders round up)."""
        exact = [total * w / sum(weights) for w in weights]
        counts = [int(x) for x in exact]
        by_remainder = sorted(range(len(exact)), key=lambda i: counts[i] - exact[i])
        for i in by_remainder[: total - sum(counts)]:
            counts[i] += 1
        return counts
