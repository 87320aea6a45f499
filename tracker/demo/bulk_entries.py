"""The entries of a load at scale, as rows: each drawn from a small pool of texts per
delegation and kind (drawn from :mod:`.words` like the hand-shaped demo's), placed on the
calendar of a :class:`~.bulk_plan.Span`, reviewed, and followed up by their age; their
proposals, replies, concerns and focus areas with them, and their rollups counted as they come.
"""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass
from datetime import date, timedelta

from ..dates import add_months
from .bulk_people import Vocabulary
from .bulk_plan import (
    CONCERNS_PER_ENTRY,
    FOCUS_SHARE,
    PENDING_STATUSES,
    PROPOSAL_SHARE,
    SETTLED_CONCERN_DAYS,
    SETTLED_PROPOSAL_DAYS,
    ScaleReport,
    Span,
    cumulative,
    pick,
)
from .bulk_rows import ACTIVITY, CONCERN, FOCUS, PROPOSAL, REPLY, Rollups, Shape, stamp
from .words import (
    COMMUNITIES,
    CONCERNS,
    FIRMS,
    FOCUS_WEIGHTS,
    INDUSTRIES,
    KIND_WEIGHTS,
    LAWS,
    PLACES,
    PROJECTS,
    PROPOSAL_DESCRIPTIONS,
    PROPOSAL_FOCUS,
    PROPOSAL_OUTCOMES,
    PROPOSALS,
    REACH,
    REPLY_TEXTS,
    RESEARCH,
    RESEARCH_DESCRIPTIONS,
    RESEARCH_OUTCOMES,
    RESEARCH_TITLES,
    RETURN_REASONS,
    TEMPLATES,
    VILLAGES,
    VISIT_TARGETS,
    Place,
)

# a delegation the words do not know: an average share, a local crop and two streets
_ELSEWHERE = Place(8, "蔬菜", ["城区街道", "中心镇"])


class _Blank(dict):
    """Template values; a placeholder the generator does not know renders empty."""

    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True)
class _Text:
    title: str
    place: str
    description: str
    outcome: str
    at_station: bool = False
    visit_target_kind: str | None = None
    visit_target: str = ""
    research_topic: str = ""
    research_findings: str = ""
    proposal_content: str = ""
    handler: str = ""
    focus_code: str | None = None


def _context(rng: random.Random, code: str, name: str) -> _Blank:
    _, crop, streets = PLACES.get(code, _ELSEWHERE)
    s = rng.choice(streets)
    c, v = rng.choice(COMMUNITIES) + "社区", rng.choice(VILLAGES) + "村"
    ctx = _Blank(
        d=name,
        s=s,
        c=c,
        v=v,
        loc=s + (v if s[-1] in "镇乡" else c),
        crop=crop,
        e=f"兰州{rng.choice(FIRMS)}{rng.choice(INDUSTRIES)}有限公司",
        n=rng.randint(2, 9),
        law=rng.choice(LAWS),
        firm=rng.choice(FIRMS),
        rd=f"{name}人大常委会",
        gov=f"{name}人民政府",
        station=f"{name}{streets[0]}代表之家",
        people=rng.randint(5, 50),
        hh=rng.randint(2, 20),
    )
    ctx["p"] = rng.choice(PROJECTS).format_map(ctx)
    return ctx


def _text(
    rng: random.Random, kind_code: str, kind_name: str, kind_description: str, ctx: _Blank
) -> _Text:
    """One entry's text, drawn like the demo draws it."""
    if kind_code == "proposal":
        focus, title, handler, content = rng.choice(PROPOSALS)
        ctx["handler"] = handler = handler.format_map(ctx)
        return _Text(
            title.format_map(ctx),
            "",
            rng.choice(PROPOSAL_DESCRIPTIONS).format_map(ctx),
            rng.choice(PROPOSAL_OUTCOMES).format_map(ctx),
            proposal_content=content.format_map(ctx),
            handler=handler,
            focus_code=focus,
        )
    if kind_code == "research":
        focus, topic, findings = rng.choice(RESEARCH)
        ctx["topic"] = topic = topic.format_map(ctx)
        return _Text(
            rng.choice(RESEARCH_TITLES).format_map(ctx)[:200],
            "{d}".format_map(ctx),
            rng.choice(RESEARCH_DESCRIPTIONS).format_map(ctx),
            rng.choice(RESEARCH_OUTCOMES).format_map(ctx),
            research_topic=topic,
            research_findings=findings.format_map(ctx),
            focus_code=focus,
        )
    if kind_code in TEMPLATES:
        lines = TEMPLATES[kind_code]
        target_kind, target = None, ""
        if kind_code in ("visit", "enterprise-service"):
            letter, *line = rng.choice(lines)
            target_kind = VISIT_TARGETS[letter][0].value
            target = VISIT_TARGETS[letter][1].format_map(ctx)
        else:
            line = rng.choice(lines)
        title, place, description, outcome = line
        at_station = place == "{station}"
        return _Text(
            title.format_map(ctx)[:200],
            "" if at_station else place.format_map(ctx)[:200],
            description.format_map(ctx),
            outcome.format_map(ctx),
            at_station,
            target_kind,
            target[:200],
        )
    return _Text(f"{kind_name}活动", ctx["d"], kind_description, "")


class Entries:
    """Rows for entries ``lo``…``hi``: entry ``i`` falls on day ``i × days ÷ n`` of the span
    (or, for a monthly span, in month ``i × months ÷ n``), so ids follow the calendar as they
    do in a live database."""

    POOL = 8  # texts drawn per delegation and kind

    def __init__(
        self,
        vocab: Vocabulary,
        rng: random.Random,
        span: Span,
        total: int,
        today: date,
        idle: set[int],
        first_ids: dict[str, int],
        pending_days: int,
    ):
        self.v, self.rng, self.first, self.total, self.today = vocab, rng, span.first, total, today
        self.days = span.days
        self.pending_from = span.end - timedelta(days=pending_days)
        self.pending = cumulative(PENDING_STATUSES)
        self.month_starts: list[int] = []
        self.month_days: list[tuple[int, int]] = []  # (offset of the month's first day, its days)
        if span.monthly:
            months = span.months
            self.month_starts = [-(-k * total // months) for k in range(months + 1)]
            offset, month = 0, span.first
            for _ in range(months):
                following = add_months(month, 1)
                self.month_days.append((offset, (following - month).days))
                offset += (following - month).days
                month = following
        yesterday = today - timedelta(days=1)
        self.day_values = []
        for offset in range(self.days):
            day = span.first + timedelta(days=offset)
            approved = min(day + timedelta(days=2), yesterday)
            self.day_values.append(
                (
                    day,
                    day.isoformat(),
                    stamp(day, 12, 20),
                    stamp(day, 12, 45),
                    stamp(approved, 2, 10),
                    day.replace(day=1).isoformat(),
                )
            )
        weights = [
            0.0 if i in idle else rng.gammavariate(2.5, 1.0) for i in range(len(vocab.people))
        ]
        self.people = (vocab.people, list(itertools.accumulate(weights)))
        self.kinds_by_type = {
            t: cumulative(
                {k: w for k, w in KIND_WEIGHTS[t].items() if k in vocab.kinds and k != "proposal"}
                or {k: 1 for k in vocab.kinds}
            )
            for t in KIND_WEIGHTS
        }
        self.focus_by_type = {
            t: cumulative({k: w for k, w in FOCUS_WEIGHTS[t].items() if k in vocab.focus})
            for t in KIND_WEIGHTS
        }
        self.proposal_focus = {
            t: [vocab.focus[c] for c in PROPOSAL_FOCUS[t] if c in vocab.focus] for t in KIND_WEIGHTS
        }
        self.texts: dict[tuple[int, str], list[_Text]] = {}
        for delegation_id, (code, name) in vocab.delegations.items():
            for kind_code, (_, kind_name, description, _) in vocab.kinds.items():
                self.texts[(delegation_id, kind_code)] = [
                    _text(rng, kind_code, kind_name, description, _context(rng, code, name))
                    for _ in range(self.POOL)
                ]
        self.concern_texts = {
            d: [
                (c[0], c[1].format_map(_context(rng, code, name)))
                for c in CONCERNS
                if c[0] in vocab.categories
            ]
            for d, (code, name) in vocab.delegations.items()
        }
        self.concern_counts = cumulative(dict(enumerate(CONCERNS_PER_ENTRY)))
        self.first_activity = first_ids["activity"]
        self.next_proposal = first_ids["proposal"]
        self.next_reply = first_ids["proposal_reply"]
        self.next_concern = first_ids["concern"]
        self.rollups = Rollups()
        self.report = ScaleReport()

    def rows(self, lo: int, hi: int) -> dict[Shape, list[tuple]]:
        """The rows of entries ``lo``…``hi`` by shape; their rollups are counted on the way."""
        rng, v = self.rng, self.v
        out: dict[Shape, list[tuple]] = {
            ACTIVITY: [],
            FOCUS: [],
            PROPOSAL: [],
            REPLY: [],
            CONCERN: [],
        }
        people, cum = self.people
        top = cum[-1]
        has_proposal = "proposal" in v.kinds
        for i in range(lo, hi):
            activity_id = self.first_activity + i
            day, occurred, created, submitted, approved, month = self.day_values[self.day_of(i)]
            person = people[bisect.bisect(cum, rng.random() * top)]
            dtype = person.delegate_type
            if has_proposal and rng.random() < PROPOSAL_SHARE:
                kind_code = "proposal"
            else:
                kind_code = pick(rng, self.kinds_by_type[dtype])
            kind_id, _, _, sections = v.kinds[kind_code]
            initiative_id, calls, second_id, second_calls, chance = v.assign[(kind_code, dtype)]
            if chance and rng.random() < chance:
                initiative_id, calls = second_id, second_calls
            call_id = (calls[0] if len(calls) == 1 else rng.choice(calls)) if calls else None
            text = rng.choice(self.texts[(person.delegation_id, kind_code)])
            low, high = REACH.get(kind_code, (0, 0))
            people_reached = rng.randint(min(low, 50), min(high, 50)) if high else 0
            station_id = (
                (person.station_id or v.home_station.get(person.delegation_id))
                if text.at_station
                else None
            )
            status = "approved" if day < self.pending_from else pick(rng, self.pending)
            if status == "approved":
                review = (2, approved, submitted, "", v.staff_id, approved, approved)
            elif status == "submitted":
                review = (1, submitted, submitted, "", None, None, None)
            elif status == "returned":
                review = (
                    2,
                    approved,
                    submitted,
                    rng.choice(RETURN_REASONS),
                    v.staff_id,
                    approved,
                    None,
                )
            else:
                review = (1, created, None, "", None, None, None)
            version, updated, submitted_at, note, reviewer, reviewed_at, approved_at = review
            out[ACTIVITY].append(
                (
                    activity_id,
                    v.campaign_id,
                    person.id,
                    person.delegation_id,
                    dtype,
                    person.level,
                    kind_id,
                    initiative_id,
                    call_id,
                    occurred,
                    station_id,
                    text.place,
                    people_reached,
                    text.title,
                    text.description,
                    text.outcome,
                    text.visit_target_kind,
                    text.visit_target,
                    text.research_topic,
                    text.research_findings,
                    status,
                    version,
                    None,
                    created,
                    updated,
                    submitted_at,
                    note,
                    reviewer,
                    reviewed_at,
                    approved_at,
                    *ACTIVITY.tail,
                )
            )
            focus_id = None
            if rng.random() < FOCUS_SHARE:
                focus_id = self.focus_for(text, dtype, kind_code)
                if focus_id is not None:
                    out[FOCUS].append((activity_id, focus_id, *FOCUS.tail))
            live = status == "approved"
            if kind_code == "proposal":
                self.proposal(out, activity_id, day, created, text, live)
            if "concerns" in sections and v.categories:
                for position in range(1, pick(rng, self.concern_counts) + 1):
                    self.concern(
                        out, activity_id, person.delegation_id, position, day, created, live
                    )
            if live:
                self.report.approved += 1
                self.rollups.count(
                    v.campaign_id, month, person, initiative_id, kind_id, people_reached, focus_id
                )
        self.report.activities += hi - lo
        self.report.focus_links += len(out[FOCUS])
        self.report.proposals += len(out[PROPOSAL])
        self.report.replies += len(out[REPLY])
        self.report.concerns += len(out[CONCERN])
        return out

    def month_of(self, i: int) -> str:
        """The first day of entry ``i``'s month, as ISO text."""
        return self.day_values[self.day_of(i)][5]

    def day_of(self, i: int) -> int:
        """Offset from the span's first day of entry ``i``'s date."""
        if not self.month_starts:
            return i * self.days // self.total
        k = bisect.bisect_right(self.month_starts, i) - 1
        lo, hi = self.month_starts[k], self.month_starts[k + 1]
        offset, days = self.month_days[k]
        return offset + (i - lo) * days // (hi - lo)

    def focus_for(self, text: _Text, dtype: str, kind_code: str) -> int | None:
        """The entry's focus area: its text's mostly, else one its delegate type favours."""
        v, rng = self.v, self.rng
        if text.focus_code in v.focus and rng.random() < 0.7:
            return v.focus[text.focus_code]
        if kind_code == "proposal" and self.proposal_focus[dtype]:
            return rng.choice(self.proposal_focus[dtype])
        table = self.focus_by_type[dtype]
        return v.focus[pick(rng, table)] if table[0] else None

    def proposal(
        self, out: dict, activity_id: int, day: date, created: str, text: _Text, live: bool
    ) -> None:
        """Registered a week later, assigned soon after, answered and rated as time allows;
        the proposal of an entry not approved (yet) waits as submitted."""
        rng, v, today = self.rng, self.v, self.today
        proposal_id = self.next_proposal
        self.next_proposal += 1
        age = (today - day).days
        label_id = pick(rng, v.labels)
        decided = assigned = due = closed = rating = None
        lead, is_complex, round_, status, reason = None, False, 1, "submitted", ""
        roll = rng.random()
        if not live:
            pass
        elif age < 14:
            status = "submitted" if roll < 0.6 else "registered"
        elif roll < 0.06:
            status, reason = "not_registered", "所提事项属于个案诉求，已转有关部门按诉求办理。"
            decided = stamp(day + timedelta(days=7), 2, 0)
        else:
            assigned_day = day + timedelta(days=rng.randint(7, 20))
            if assigned_day >= today:
                status = "registered"
            else:
                is_complex = rng.random() < 0.15
                lead = rng.choice(v.bodies) if v.bodies else None
                decided = stamp(assigned_day - timedelta(days=3), 2, 0)
                assigned = assigned_day.isoformat()
                due = add_months(assigned_day, 6 if is_complex else 3).isoformat()
                status = "handling" if rng.random() < 0.7 else "assigned"
                replied = assigned_day + timedelta(days=rng.randint(20, 110))
                # a year on, every proposal has been answered and rated: the work still open
                # is the recent work, however long the history
                settled = age > SETTLED_PROPOSAL_DAYS
                if replied < today and (settled or rng.random() >= 0.2):
                    status = "replied"
                    outcome = rng.choices("ABCD", weights=(45, 30, 15, 10))[0]
                    rated = replied + timedelta(days=rng.randint(3, 20))
                    reply_rating = rated_at = None
                    if rated < today and (settled or rng.random() >= 0.15):
                        reply_rating = rating = rng.choices(
                            ("satisfied", "basically_satisfied", "unsatisfied"),
                            weights=(65, 27, 0 if settled else 8),
                        )[0]
                        rated_at = stamp(rated, 12, 0)
                        if rating == "unsatisfied":
                            status, round_ = "handling", 2
                            due = add_months(rated, 1).isoformat()
                        else:
                            status, closed = "closed", rated_at
                    out[REPLY].append(
                        (
                            self.next_reply,
                            proposal_id,
                            1,
                            rng.choice(REPLY_TEXTS),
                            replied.isoformat(),
                            outcome,
                            v.staff_id,
                            stamp(replied, 8, 0),
                            reply_rating,
                            "",
                            rated_at,
                            *REPLY.tail,
                        )
                    )
                    self.next_reply += 1
        out[PROPOSAL].append(
            (
                proposal_id,
                activity_id,
                label_id,
                text.proposal_content or text.title,
                text.handler[:120],
                status,
                decided,
                reason,
                is_complex,
                lead,
                assigned,
                due,
                round_,
                rating,
                closed,
                1,
                created,
                *PROPOSAL.tail,
            )
        )

    def concern(
        self,
        out: dict,
        activity_id: int,
        delegation_id: int,
        position: int,
        day: date,
        created: str,
        live: bool,
    ) -> None:
        """One concern of an entry, concluded as far as its age and the draws allow."""
        rng, v = self.rng, self.v
        code, content = rng.choice(self.concern_texts[delegation_id])
        if not live:
            status = "open"
        elif (self.today - day).days > SETTLED_CONCERN_DAYS:  # long concluded, mostly fed back
            status = rng.choices(("resolved", "unresolvable", "fed_back"), weights=(35, 10, 55))[0]
        else:
            status = rng.choices(
                ("open", "referred", "resolved", "unresolvable", "fed_back"),
                weights=(15, 20, 40, 8, 17),
            )[0]
        referred_to = referred_at = resolution = resolved_at = fed_back_at = None
        resolution_note = feedback_note = ""
        if status != "open":
            referred_to = rng.choice(v.bodies) if v.bodies else None
            referred_at = stamp(day + timedelta(days=2), 3, 0)
        if status in ("resolved", "unresolvable", "fed_back"):
            resolution = "unresolvable" if status == "unresolvable" else "resolved"
            resolution_note = (
                "已协调解决。" if resolution == "resolved" else "涉及规划调整，近期无法解决。"
            )
            resolved_at = stamp(day + timedelta(days=20), 7, 0)
        if status == "fed_back":
            feedback_note, fed_back_at = (
                "已电话告知反映人办理结果。",
                stamp(day + timedelta(days=23), 2, 0),
            )
        out[CONCERN].append(
            (
                self.next_concern,
                activity_id,
                position,
                v.categories[code],
                content,
                "enterprise" if code == "enterprise" else "citizen",
                "",
                "",
                status,
                referred_to,
                referred_at,
                resolution,
                resolution_note,
                resolved_at,
                feedback_note,
                fed_back_at,
                1,
                created,
                *CONCERN.tail,
            )
        )
        self.next_concern += 1
