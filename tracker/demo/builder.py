"""The hand-shaped demo: stations, delegates, accounts and months of activities that read like
Lanzhou, the small world the README's screenshots show.

Everything is drawn from ``random.Random(seed)`` and the given ``today``, so a seed always
gives the same dataset. :func:`generate_demo` flushes; ``flask demo`` commits. The words come
from :mod:`.words`; what staff did with the entries afterwards (reviews, follow-up, typical
cases, closed months) is :mod:`.follow_up`.
"""

from __future__ import annotations

import random
from calendar import monthrange
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from ..activities import rollups
from ..admin.accounts import create_user
from ..campaign.loader import active_campaign
from ..dates import local_today
from ..enums import (
    ActivityStatus,
    DelegateType,
    Gender,
    Level,
    RaisedByKind,
    Role,
    StationKind,
    VisitTargetKind,
)
from ..extensions import db
from ..models import Activity, Concern, Delegate, Delegation, Proposal, Station, User
from .accounts import DEMO_PASSWORD, DEMO_USERNAMES, describe_account
from .follow_up import close_past_months, follow_up, mark_typical_cases
from .words import (
    CITIZEN_SUFFIXES,
    CONCERN_COUNTS,
    ENTERPRISE_CONCERN_CATEGORIES,
    ENTREPRENEUR_TITLES,
    FEMALE_SHARE,
    FOCUS_WEIGHTS,
    GRASSROOTS_JOBS_STREET,
    GRASSROOTS_JOBS_VILLAGE,
    JOBS,
    KIND_WEIGHTS,
    LABEL_WEIGHTS,
    LEVEL_WEIGHTS,
    PROPOSAL_DESCRIPTIONS,
    PROPOSAL_FOCUS,
    PROPOSAL_OUTCOMES,
    PROPOSALS,
    REACH,
    RESEARCH,
    RESEARCH_DESCRIPTIONS,
    RESEARCH_OUTCOMES,
    RESEARCH_PLACES,
    RESEARCH_TITLES,
    SHOWCASE,
    STATION_TEXT,
    STATION_WEIGHTS,
    SURNAMES,
    TARGET_WEIGHTS,
    TEMPLATES,
    TYPE_SHARES,
    VISIT_TARGETS,
)
from .world import DemoReport, DemoWorld, is_township

BATCH_SIZE = 500  # entries added to the session at a time


def generate_demo(
    *, seed: int = 2023, today: date | None = None, delegates: int = 120, months: int = 6
) -> DemoReport:
    """Create stations, delegates, demo accounts and `months` months of activities; flush, never commit."""
    campaign = active_campaign()
    if campaign is None:
        raise ValueError("no active campaign: load one first")
    if delegates < 2 or months < 1:
        raise ValueError("the demo needs at least 2 delegates and 1 month")
    builder = _DemoBuilder(random.Random(seed), campaign, today or local_today())
    return builder.run(delegates, months)


class _DemoBuilder(DemoWorld):
    """Makes the demo: stations, delegates, accounts, then each delegate's entries."""

    def run(self, delegates: int, months: int) -> DemoReport:
        self.make_stations()
        people = self.make_delegates(delegates)
        self.make_accounts(people)
        self.make_activities(people, months)
        follow_up(self)
        rollups.rebuild()
        mark_typical_cases(self)
        close_past_months(self)
        return self.report

    # -- stations, delegates, accounts --------------------------------------------------------------
    def make_stations(self) -> None:
        existing = {s.code: s for s in db.session.scalars(sa.select(Station))}
        for delegation in self.delegations:
            streets = self.places[delegation.id].streets
            for street, kind in zip(streets, StationKind, strict=False):
                noun, slug, building = STATION_TEXT[kind]
                station = existing.get(f"{delegation.code}-{slug}-1")
                if station is None:
                    station = Station(
                        code=f"{delegation.code}-{slug}-1",
                        name=f"{delegation.name}{street}{noun}",
                        kind=kind,
                        delegation_id=delegation.id,
                        address=f"兰州市{delegation.name}{street}{building}",
                    )
                    db.session.add(station)
                    self.report.stations += 1
                self.stations.setdefault(delegation.id, {})[kind] = station
        db.session.flush()

    def make_delegates(self, total: int) -> list[Delegate]:
        shares = [self.places[d.id].share for d in self.delegations]
        slots = [
            d
            for d, n in zip(self.delegations, self.quotas(shares, total), strict=True)
            for _ in range(n)
        ]
        type_counts = self.quotas(list(TYPE_SHARES.values()), total)
        types = [t for t, n in zip(TYPE_SHARES, type_counts, strict=True) for _ in range(n)]
        self.rng.shuffle(types)
        if "entrepreneur" not in types:
            types[-1] = "entrepreneur"
        pairs = list(zip(slots, types, strict=True))
        showcase = next(
            (i for i, (d, t) in enumerate(pairs) if d.code == "chengguan" and t == "grassroots"), 0
        )
        self.used_names.add("马秀兰")
        created = []
        for i, (delegation, type_code) in enumerate(pairs):
            ctx = self.context(delegation)
            if i == showcase:
                delegate = Delegate(
                    name="马秀兰",
                    gender=Gender.FEMALE,
                    level=Level.CITY,
                    delegation=delegation,
                    delegate_type=DelegateType.GRASSROOTS,
                    job_title="党委书记",
                    work_unit=f"{delegation.name}{self.places[delegation.id].streets[0]}宏安社区",
                    station=self.stations[delegation.id].get(StationKind.HOME),
                )
            else:
                delegate = self.random_delegate(delegation, DelegateType(type_code), ctx)
            delegate.phone, delegate.created_at = self.phone(), self.joined
            created.append(delegate)
        db.session.add_all(created)
        db.session.flush()
        self.showcase = created[showcase]
        self.report.delegates = len(created)
        return created

    def random_delegate(
        self, delegation: Delegation, delegate_type: DelegateType, ctx: dict
    ) -> Delegate:
        rng = self.rng
        gender = Gender.FEMALE if rng.random() < FEMALE_SHARE[delegate_type] else Gender.MALE
        level = Level(self.pick(LEVEL_WEIGHTS))
        streets = self.places[delegation.id].streets
        if level == Level.TOWNSHIP and not any(map(is_township, streets)):
            level = Level.COUNTY
        if delegate_type == DelegateType.ENTREPRENEUR:
            unit, title = ctx["e"], rng.choice(ENTREPRENEUR_TITLES)
        else:
            pool = JOBS.get(delegate_type) or (
                GRASSROOTS_JOBS_VILLAGE if is_township(ctx["s"]) else GRASSROOTS_JOBS_STREET
            )
            unit, title = (part.format_map(ctx) for part in rng.choice(pool))
        station = None
        if rng.random() < 0.85:
            station = self.stations[delegation.id].get(StationKind(self.pick(STATION_WEIGHTS)))
        return Delegate(
            name=self.unique_name(gender),
            gender=gender,
            level=level,
            delegation=delegation,
            delegate_type=delegate_type,
            work_unit=unit,
            job_title=title,
            station=station,
        )

    def make_accounts(self, delegates: list[Delegate]) -> None:
        chengguan = next(
            (d for d in self.delegations if d.code == "chengguan"), self.delegations[0]
        )
        entrepreneurs = [d for d in delegates if d.delegate_type == DelegateType.ENTREPRENEUR]
        self.qiye = min(entrepreneurs, key=lambda d: (d.level != Level.CITY, d.id), default=None)
        accounts = (
            ("admin", "系统管理员", Role.ADMIN, None, None),
            ("staff", "市人大常委会代表工委", Role.STAFF, None, None),
            ("staff_cg", f"{chengguan.name}人大常委会选联工委", Role.STAFF, None, chengguan),
            ("daibiao", self.showcase.name, Role.DELEGATE, self.showcase, None),
        ) + ((("qiye", self.qiye.name, Role.DELEGATE, self.qiye, None),) if self.qiye else ())
        taken = set(
            db.session.scalars(sa.select(User.username).where(User.username.in_(DEMO_USERNAMES)))
        )
        for username, display_name, role, delegate, delegation in accounts:
            if username in taken:
                continue  # an account made by hand keeps its own password
            user = create_user(
                username=username,
                display_name=display_name,
                role=role,
                password=DEMO_PASSWORD,
                delegate=delegate,
                delegation=delegation,
            )
            user.created_at = self.joined
            if delegate is not None:
                self.user_ids[delegate.id] = user.id
            self.report.users += 1
            self.report.logins.append((username, DEMO_PASSWORD, describe_account(user)))

    # -- activities ---------------------------------------------------------------------------------
    def make_activities(self, delegates: list[Delegate], months: int) -> None:
        rng, today = self.rng, self.today
        year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
        start = date(year, month + 1, min(today.day, monthrange(year, month + 1)[1]))
        start = max(self.campaign.starts_on, start + timedelta(days=1))
        end = today - timedelta(days=1)  # an entry is logged after its day
        if self.campaign.ends_on is not None:
            end = min(end, self.campaign.ends_on)
        if end < start:
            raise ValueError("the campaign has no days between its start and today")
        span = (end - start).days + 1
        mean = 2.1 / 0.9 * span / 30.4  # ≈12.6 a delegate over six months, idle ones included
        keep = {self.showcase.id, self.qiye and self.qiye.id}
        idle = set(rng.sample([d.id for d in delegates if d.id not in keep], len(delegates) // 10))
        active = [d for d in delegates if d.id not in idle]
        batch: list[Activity] = []
        for delegate in active:
            peers = [
                p for p in active if p.delegation_id == delegate.delegation_id and p is not delegate
            ]
            if delegate is self.showcase and all(kind in self.kinds for kind, _ in SHOWCASE):
                for i, (kind_code, status) in enumerate(SHOWCASE):
                    offset = int(span * (i + 0.5) / len(SHOWCASE)) + rng.randint(-3, 3)
                    day = start + timedelta(days=min(span - 1, max(0, offset)))
                    batch.append(
                        self.build_activity(
                            delegate,
                            kind_code,
                            day,
                            status,
                            peers,
                            1 if kind_code == "visit" else 0,
                        )
                    )
                continue
            weights = {
                k: w for k, w in KIND_WEIGHTS[delegate.delegate_type].items() if k in self.kinds
            }
            count = max(1, round(rng.gammavariate(2.5, mean / 2.5)))
            for day in sorted(self.random_day(start, span) for _ in range(count)):
                kind_code = self.pick(weights or dict.fromkeys(self.kinds, 1))
                status = self.random_status((end - day).days < 30)
                batch.append(self.build_activity(delegate, kind_code, day, status, peers))
            if len(batch) >= BATCH_SIZE:
                db.session.add_all(batch)
                db.session.flush()
                batch.clear()
        db.session.add_all(batch)
        db.session.flush()

    def random_day(self, start: date, span: int) -> date:
        day = start + timedelta(days=self.rng.randrange(span))
        if day.weekday() >= 5 and self.rng.random() < 0.5:  # fewer entries at weekends
            day = start + timedelta(days=self.rng.randrange(span))
        return day

    def random_status(self, recent: bool) -> ActivityStatus:
        weights = (30, 55, 5, 10) if recent else (90, 1.5, 5, 3.5)
        statuses = (
            ActivityStatus.APPROVED,
            ActivityStatus.SUBMITTED,
            ActivityStatus.RETURNED,
            ActivityStatus.DRAFT,
        )
        return self.rng.choices(statuses, weights=weights)[0]

    def build_activity(
        self,
        delegate: Delegate,
        kind_code: str,
        day: date,
        status: ActivityStatus,
        peers: list[Delegate],
        min_concerns: int = 0,
    ) -> Activity:
        rng, kind = self.rng, self.kinds[kind_code]
        ctx = self.context(delegate.delegation)
        station = self.station_for(delegate, kind_code)
        people = rng.randint(*REACH.get(kind_code, (0, 0)))
        hh = max(2, people // rng.choice((2, 3)))
        ctx.update(station=station.name, station_id=station.id, people=people, hh=hh)
        activity = Activity(
            campaign_id=self.campaign.id,
            delegate_id=delegate.id,
            kind_id=kind.id,
            delegation_id=delegate.delegation_id,
            delegate_type=delegate.delegate_type,
            level=delegate.level,
            occurred_on=day,
            people_reached=people,
            status=status,
            created_by_id=self.user_ids.get(delegate.id),
        )
        focus_code = self.fill_text(activity, kind_code, ctx, delegate.delegate_type)
        self.assign_initiative(activity, kind_code, delegate.delegate_type)
        activity.focus_areas = self.focus_areas(focus_code, delegate.delegate_type)
        if kind.has_section("concerns") and self.categories:
            activity.concerns = self.concerns_for(activity, kind_code, ctx, min_concerns)
        if peers and kind_code not in ("proposal", "study") and rng.random() < 0.18:
            chosen = rng.sample(peers, min(len(peers), rng.choice((1, 1, 2))))
            activity.participants = sorted(chosen, key=lambda d: d.id)
        self.stamp(activity)
        self.report.activities += 1
        self.report.concerns += len(activity.concerns)
        self.report.proposals += activity.proposal is not None
        return activity

    def fill_text(
        self, activity: Activity, kind_code: str, ctx: dict, delegate_type: DelegateType
    ) -> str | None:
        """Title, place, description and outcome, plus the kind's own fields; the focus hint."""
        rng, focus_code, rural = self.rng, None, ctx["loc"].endswith("村")
        if kind_code == "proposal":
            liked = [r for r in PROPOSALS if r[0] in PROPOSAL_FOCUS[delegate_type]]
            focus_code, title, handler, content = rng.choice(
                liked if rng.random() < 0.7 else PROPOSALS
            )
            ctx["handler"] = handler = handler.format_map(ctx)
            weights = {label: LABEL_WEIGHTS.get(label.code, 1) for label in self.labels}
            label = self.pick(weights) if weights else None
            activity.proposal = Proposal(
                label_id=label and label.id,
                content=content.format_map(ctx),
                suggested_handler=handler,
            )
            place, description = "", rng.choice(PROPOSAL_DESCRIPTIONS)
            outcome = rng.choice(PROPOSAL_OUTCOMES)
        elif kind_code == "research":
            liked = [r for r in RESEARCH if r[0] in FOCUS_WEIGHTS[delegate_type]]
            focus_code, topic, findings = rng.choice(liked if rng.random() < 0.7 else RESEARCH)
            ctx["topic"] = activity.research_topic = topic.format_map(ctx)
            activity.research_findings = findings.format_map(ctx)
            title, place = rng.choice(RESEARCH_TITLES), rng.choice(RESEARCH_PLACES)
            description, outcome = rng.choice(RESEARCH_DESCRIPTIONS), rng.choice(RESEARCH_OUTCOMES)
        elif kind_code in TEMPLATES:
            lines = TEMPLATES[kind_code]
            if kind_code in ("visit", "enterprise-service"):
                target = self.pick(
                    TARGET_WEIGHTS[delegate_type if kind_code == "visit" else kind_code]
                )
                fits = [t for t in lines if t[0] == target and (rural or "{crop}" not in t[1])]
                _, *line = rng.choice(fits)
                activity.visit_target_kind = VISIT_TARGETS[target][0]
                activity.visit_target = VISIT_TARGETS[target][1].format_map(ctx)
            else:
                line = rng.choice([t for t in lines if rural or "{crop}" not in t[0]])
            title, place, description, outcome = line
        else:
            kind = self.kinds[kind_code]
            title, place, description, outcome = f"{kind.name}活动", "{d}", kind.description, ""
        activity.title = title.format_map(ctx)[:200]
        activity.description = description.format_map(ctx)
        activity.outcome = outcome.format_map(ctx)
        if place == "{station}":
            activity.station_id = ctx["station_id"]
        else:
            activity.place = place.format_map(ctx)
        return focus_code

    def station_for(self, delegate: Delegate, kind_code: str) -> Station:
        stations, own = self.stations[delegate.delegation_id], delegate.station
        if kind_code == "legislative-input":
            return stations.get(StationKind.LEGISLATIVE_POINT) or next(iter(stations.values()))
        if own is not None and not (
            kind_code == "station-reception" and own.kind == StationKind.LEGISLATIVE_POINT
        ):
            return own
        return stations.get(StationKind.HOME) or next(iter(stations.values()))

    def call_for(self, number: int, kind_code: str, delegate_type: DelegateType) -> Any:
        calls = [c for c in self.calls.get(number, []) if kind_code in (c.kind_codes or [])]
        typed = [c for c in calls if c.delegate_type == delegate_type]
        untyped = [c for c in calls if c.delegate_type is None]
        return typed[0] if typed else (self.rng.choice(untyped) if untyped else None)

    def assign_initiative(
        self, activity: Activity, kind_code: str, delegate_type: DelegateType
    ) -> None:
        """The kind's own initiative mostly; now and then 二, the delegate type's call."""
        number = self.kinds[kind_code].default_initiative_number
        if number not in self.initiatives:
            number = min(self.initiatives)
        second = self.call_for(2, kind_code, delegate_type)
        if second is not None and self.rng.random() < (0.3 if second.delegate_type else 0.08):
            number = 2
        call = self.call_for(number, kind_code, delegate_type)
        activity.initiative_id = self.initiatives[number].id
        activity.call_id = call.id if call else None

    def focus_areas(self, focus_code: str | None, delegate_type: DelegateType) -> list:
        if not self.focus:
            return []
        weights = {k: w for k, w in FOCUS_WEIGHTS[delegate_type].items() if k in self.focus}
        first = self.focus.get(focus_code) or (
            self.focus[self.pick(weights)]
            if weights
            else self.rng.choice(list(self.focus.values()))
        )
        areas = [first]
        others = [f for f in self.focus.values() if f.group == first.group and f is not first]
        if others and self.rng.random() < 0.4:
            areas.append(self.rng.choice(others))
        return areas

    def concerns_for(
        self, activity: Activity, kind_code: str, ctx: dict[str, Any], minimum: int
    ) -> list[Concern]:
        rng = self.rng
        weights = CONCERN_COUNTS.get(kind_code, [30, 40, 20, 10])
        count = max(minimum, rng.choices(range(len(weights)), weights=weights)[0])
        business = kind_code == "enterprise-service" or (
            activity.visit_target_kind == VisitTargetKind.ENTERPRISE
        )
        rural = ctx["loc"].endswith("村")
        if business:
            pool = [c for c in self.concern_pool if c[0] in ENTERPRISE_CONCERN_CATEGORIES]
        else:
            pool = [
                c
                for c in self.concern_pool
                if c[0] != "enterprise" and (rural or c[0] != "agriculture")
            ]
        concerns = []
        for position, (code, text) in enumerate(rng.sample(pool or self.concern_pool, count), 1):
            by_firm = code == "enterprise" or (business and rng.random() < 0.5)
            if by_firm:
                name = ctx["e"] if rng.random() < 0.7 else ""
            else:
                name = (
                    self.pick(SURNAMES) + rng.choice(CITIZEN_SUFFIXES) if rng.random() < 0.4 else ""
                )
            concerns.append(
                Concern(
                    position=position,
                    category_id=self.categories[code].id,
                    content=text.format_map(ctx),
                    raised_by_kind=RaisedByKind.ENTERPRISE if by_firm else RaisedByKind.CITIZEN,
                    raised_by_name=name,
                    raised_by_phone=self.phone() if rng.random() < 0.08 else "",
                )
            )
        return concerns

    def stamp(self, activity: Activity) -> None:
        """Logged that evening or a day or two later, reviewed a few days after; all before today."""
        rng, day, status = self.rng, activity.occurred_on, activity.status
        yesterday = self.today - timedelta(days=1)
        later = min(day + timedelta(days=rng.choice((0, 0, 1, 1, 2))), yesterday)
        logged = self.at(later, rng.randint(19, 22), rng.randint(0, 59))
        activity.created_at = activity.updated_at = logged - timedelta(minutes=rng.randint(5, 90))
        activity.version = 1
        if status != ActivityStatus.DRAFT:
            activity.submitted_at = activity.updated_at = logged
        if status in (ActivityStatus.APPROVED, ActivityStatus.RETURNED):
            reviewed = logged + timedelta(days=rng.randint(1, 4), hours=rng.randint(-2, 2))
            if reviewed > self.cutoff:  # reviewed some time between logging and now
                minutes = (self.cutoff - logged) // timedelta(minutes=1)
                reviewed = logged + timedelta(minutes=rng.randint(0, minutes))
            activity.updated_at = reviewed
            activity.version = 2
        for row in [*activity.concerns, activity.proposal]:
            if row is not None:
                row.created_at = activity.created_at
