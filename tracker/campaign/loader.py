"""Load a campaign definition file (the letter as data) into the database, idempotently.

Rows are matched by their stable codes. Loading the same file twice changes nothing;
edited text updates rows in place; a row missing from the file is deleted when nothing
refers to it and retired when something does, so history keeps its meaning.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..enums import DelegateType, DelegationKind
from ..extensions import db
from ..models import (
    Activity,
    ActivityKind,
    CallToAction,
    Campaign,
    Concern,
    ConcernCategory,
    Delegation,
    FocusArea,
    HandlingBody,
    Initiative,
    Proposal,
    ProposalLabel,
    activity_focus_area,
    utcnow,
)

CAMPAIGN_DIR = Path(__file__).resolve().parent
SECTIONS = {"visit", "concerns", "proposal", "research"}


class CampaignFileError(ValueError):
    """The file cannot be loaded; ``problems`` lists every reason found."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class LoadReport:
    """What a load did, counted per table and per action."""

    campaign_code: str = ""
    counts: Counter = field(default_factory=Counter)

    def add(self, table: str, action: str) -> None:
        self.counts[(table, action)] += 1

    def total(self, action: str) -> int:
        return sum(n for (_, a), n in self.counts.items() if a == action)

    @property
    def changed(self) -> bool:
        return any(self.total(a) for a in ("created", "updated", "retired", "deleted", "restored"))

    def lines(self) -> list[str]:
        tables = sorted({t for t, _ in self.counts})
        out = []
        for table in tables:
            parts = [
                f"{a} {self.counts[(table, a)]}"
                for a in ("created", "updated", "unchanged", "restored", "retired", "deleted")
                if self.counts[(table, a)]
            ]
            out.append(f"{table}: " + ", ".join(parts))
        return out


def resolve_campaign_file(name: str | Path) -> Path:
    """A path as given, or a file name inside the package's campaign folder."""
    path = Path(name)
    if path.exists():
        return path
    packaged = CAMPAIGN_DIR / path.name
    if packaged.exists():
        return packaged
    raise CampaignFileError([f"file not found: {name}"])


# A campaign file is a few hundred lines nested three levels deep; a file much larger or
# deeper is not one, and the TOML parser recurses once per level of nesting.
MAX_FILE_BYTES = 1024 * 1024
MAX_NESTING = 16


def nesting_depth(text: str) -> int:
    """How deep arrays and inline tables nest in TOML ``text`` (strings and comments aside)."""
    depth = deepest = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else ch
            end = text.find(quote, i + len(quote))
            while quote[0] == '"' and end > 0 and _escaped(text, end):
                end = text.find(quote, end + 1)
            i = n if end < 0 else end + len(quote)
            continue
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(0, depth - 1)
        i += 1
    return deepest


def _escaped(text: str, at: int) -> bool:
    backslashes = 0
    while at - 1 - backslashes >= 0 and text[at - 1 - backslashes] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def read_campaign_file(path: Path) -> dict[str, Any]:
    """Parse and check a campaign file; raise :class:`CampaignFileError` listing every problem.

    Size and nesting are bounded before the file is parsed."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise CampaignFileError(
            [
                f"{path.name}: larger than {MAX_FILE_BYTES // 1024} KB; a campaign file is far smaller"
            ]
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CampaignFileError([f"{path.name}: not a valid TOML file: {exc}"]) from exc
    if nesting_depth(text) > MAX_NESTING:
        raise CampaignFileError(
            [f"{path.name}: arrays or tables nested more than {MAX_NESTING} levels deep"]
        )
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise CampaignFileError([f"{path.name}: not a valid TOML file: {exc}"]) from exc
    problems = validate_campaign_data(data)
    if problems:
        raise CampaignFileError(problems)
    return data


def validate_campaign_data(data: dict[str, Any]) -> list[str]:
    """Every problem that would stop a load, in plain words."""
    problems: list[str] = []
    campaign = data.get("campaign")
    if not isinstance(campaign, dict):
        return ["missing [campaign] table"]
    for key in ("code", "title", "full_title", "issuer"):
        if not isinstance(campaign.get(key), str) or not campaign.get(key).strip():
            problems.append(f"campaign.{key} is required")
    for key in ("signed_on", "starts_on"):
        if not isinstance(campaign.get(key), date):
            problems.append(f"campaign.{key} must be a date (YYYY-MM-DD)")
    ends_on = campaign.get("ends_on")
    if ends_on is not None and (
        not isinstance(ends_on, date) or ends_on < campaign.get("starts_on", ends_on)
    ):
        problems.append("campaign.ends_on must be a date after starts_on")

    def check_codes(section: str, items: list[dict], required: Iterable[str]) -> None:
        seen = set()
        for i, item in enumerate(items, 1):
            for key in required:
                if item.get(key) in (None, ""):
                    problems.append(f"{section}[{i}].{key} is required")
            code = item.get("code")
            if code in seen:
                problems.append(f"{section}: code {code!r} appears twice")
            seen.add(code)

    kinds = data.get("kinds", [])
    check_codes("kinds", kinds, ("code", "name"))
    kind_codes = {k.get("code") for k in kinds}
    for kind in kinds:
        unknown = set(kind.get("sections", [])) - SECTIONS
        if unknown:
            problems.append(f"kinds.{kind.get('code')}: unknown sections {sorted(unknown)}")
        if not isinstance(kind.get("points", 0), int) or kind.get("points", 0) < 0:
            problems.append(f"kinds.{kind.get('code')}: points must be a whole number ≥ 0")

    initiatives = data.get("initiatives", [])
    if not initiatives:
        problems.append("at least one [[initiatives]] is required")
    check_codes("initiatives", initiatives, ("code", "number", "headline"))
    numbers = {i.get("number") for i in initiatives}
    for kind in kinds:
        default = kind.get("default_initiative")
        if default is not None and default not in numbers:
            problems.append(
                f"kinds.{kind.get('code')}: default_initiative {default} is not an initiative"
            )
    calls = [c for i in initiatives for c in i.get("calls", [])]
    check_codes("calls", calls, ("code", "title"))
    for call in calls:
        unknown = set(call.get("kinds", [])) - kind_codes
        if unknown:
            problems.append(f"calls.{call.get('code')}: unknown kinds {sorted(unknown)}")
        delegate_type = call.get("delegate_type")
        if delegate_type is not None and delegate_type not in DelegateType._value2member_map_:
            problems.append(f"calls.{call.get('code')}: unknown delegate_type {delegate_type!r}")
    check_codes("focus_areas", data.get("focus_areas", []), ("code", "name"))
    check_codes("proposal_labels", data.get("proposal_labels", []), ("code", "name"))
    check_codes("concern_categories", data.get("concern_categories", []), ("code", "name"))
    check_codes("delegations", data.get("delegations", []), ("code", "name", "kind"))
    check_codes("handling_bodies", data.get("handling_bodies", []), ("code", "name"))
    for item in data.get("delegations", []):
        if item.get("kind") not in DelegationKind._value2member_map_:
            problems.append(f"delegations.{item.get('code')}: unknown kind {item.get('kind')!r}")
    return problems


def load_campaign(path: str | Path, *, activate: bool | None = None) -> LoadReport:
    """Load the campaign in ``path`` and flush; the caller commits.

    ``activate`` None makes the campaign active only when no campaign is active yet.
    """
    data = read_campaign_file(resolve_campaign_file(path))
    report = LoadReport(campaign_code=data["campaign"]["code"])
    loader = _Loader(report)
    loader.load_delegations(data.get("delegations", []))
    loader.load_handling_bodies(data.get("handling_bodies", []))
    campaign = loader.load_campaign_row(data["campaign"])
    loader.load_children(campaign, data)
    if activate or (
        activate is None
        and not db.session.scalar(
            sa.select(sa.func.count()).select_from(Campaign).where(Campaign.is_active)
        )
    ):
        set_active_campaign(campaign)
    db.session.flush()
    return report


def set_active_campaign(campaign: Campaign) -> None:
    """Make ``campaign`` the one new activities are logged under (flushes).

    The others are turned off before this one is turned on: the database holds at most one
    active campaign (a partial unique index), so of two concurrent activations the second
    fails with an IntegrityError and its caller rolls back."""
    db.session.execute(
        sa.update(Campaign)
        .where(Campaign.is_active, Campaign.id != campaign.id)
        .values(is_active=False)
    )
    campaign.is_active = True
    db.session.flush()


def active_campaign(*, with_choices: bool = False) -> Campaign | None:
    """The campaign new activities are logged under. ``with_choices`` loads, in the same go,
    what the activity form offers (kinds, initiatives and their calls, focus areas, proposal
    labels, concern categories): one statement per collection instead of one per initiative."""
    stmt = sa.select(Campaign).where(Campaign.is_active).limit(1)
    if with_choices:
        stmt = stmt.options(
            selectinload(Campaign.kinds),
            selectinload(Campaign.initiatives).selectinload(Initiative.calls),
            selectinload(Campaign.focus_areas),
            selectinload(Campaign.proposal_labels),
            selectinload(Campaign.concern_categories),
        )
    return db.session.scalar(stmt)


class _Loader:
    def __init__(self, report: LoadReport):
        self.report = report

    def apply(self, table: str, row: Any, values: dict[str, Any], created: bool) -> None:
        changed = False
        for key, value in values.items():
            if getattr(row, key) != value:
                setattr(row, key, value)
                changed = True
        if getattr(row, "retired_at", None) is not None:
            row.retired_at = None
            self.report.add(table, "restored")
        elif created:
            self.report.add(table, "created")
        else:
            self.report.add(table, "updated" if changed else "unchanged")

    def load_delegations(self, items: list[dict]) -> None:
        existing = {d.code: d for d in db.session.scalars(sa.select(Delegation))}
        for position, item in enumerate(items, 1):
            row = existing.get(item["code"])
            created = row is None
            if created:
                row = Delegation(code=item["code"])
                db.session.add(row)
            self.apply(
                "delegation",
                row,
                {
                    "name": item["name"],
                    "kind": DelegationKind(item["kind"]),
                    "position": item.get("position", position),
                },
                created,
            )

    def load_handling_bodies(self, items: list[dict]) -> None:
        """Upsert by code; bodies are a managed list, so ones the file lacks are left alone."""
        existing = {b.code: b for b in db.session.scalars(sa.select(HandlingBody))}
        for position, item in enumerate(items, 1):
            row = existing.get(item["code"])
            created = row is None
            if created:
                row = HandlingBody(code=item["code"])
                db.session.add(row)
            self.apply(
                "handling_body",
                row,
                {
                    "name": item["name"],
                    "position": item.get("position", position),
                },
                created,
            )

    def load_campaign_row(self, item: dict) -> Campaign:
        row = db.session.scalar(sa.select(Campaign).where(Campaign.code == item["code"]))
        created = row is None
        if created:
            row = Campaign(code=item["code"])
            db.session.add(row)
        self.apply(
            "campaign",
            row,
            {
                "title": item["title"],
                "full_title": item["full_title"],
                "issuer": item["issuer"],
                "addressees": item.get("addressees", ""),
                "signed_on": item["signed_on"],
                "published_on": item.get("published_on"),
                "starts_on": item["starts_on"],
                "ends_on": item.get("ends_on"),
                "source": item.get("source", ""),
                "preamble": item.get("preamble", "").strip(),
                "closing": item.get("closing", "").strip(),
                "work_lines": list(item.get("work_lines", [])),
                "slogans": list(item.get("slogans", [])),
            },
            created,
        )
        db.session.flush()
        return row

    def sync(
        self,
        table: str,
        model: type,
        campaign: Campaign,
        items: list[dict],
        values: Callable[[dict, int], dict[str, Any]],
        in_use: Callable[[Any], bool] | None,
    ) -> dict[str, Any]:
        """Upsert ``items`` by code; delete or retire rows the file no longer has."""
        existing = {
            r.code: r
            for r in db.session.scalars(sa.select(model).where(model.campaign_id == campaign.id))
        }
        kept = {}
        for position, item in enumerate(items, 1):
            row = existing.pop(item["code"], None)
            created = row is None
            if created:
                row = model(code=item["code"], campaign_id=campaign.id)
                db.session.add(row)
            self.apply(table, row, values(item, position), created)
            kept[item["code"]] = row
        db.session.flush()
        self.leftovers = list(existing.values())
        if in_use is not None:
            self.remove_missing(table, self.leftovers, in_use)
        return kept

    def remove_missing(self, table: str, rows: list[Any], in_use: Callable[[Any], bool]) -> None:
        for row in rows:
            if in_use(row):
                if row.retired_at is None:
                    row.retired_at = utcnow()
                    self.report.add(table, "retired")
            else:
                db.session.delete(row)
                self.report.add(table, "deleted")
        db.session.flush()

    def load_children(self, campaign: Campaign, data: dict) -> None:
        def used(column: sa.Column) -> Callable[[Any], bool]:
            def check(row: Any) -> bool:
                stmt = sa.select(sa.literal(1)).where(column == row.id).limit(1)
                return db.session.scalar(stmt) is not None

            return check

        self.sync(
            "activity_kind",
            ActivityKind,
            campaign,
            data.get("kinds", []),
            lambda item, pos: {
                "name": item["name"],
                "description": item.get("description", ""),
                "is_core": bool(item.get("core", False)),
                "points": int(item.get("points", 0)),
                "default_initiative_number": item.get("default_initiative"),
                "sections": list(item.get("sections", [])),
                "position": item.get("position", pos),
            },
            used(Activity.kind_id),
        )
        self.sync(
            "focus_area",
            FocusArea,
            campaign,
            data.get("focus_areas", []),
            lambda item, pos: {
                "name": item["name"],
                "group": item.get("group", ""),
                "position": item.get("position", pos),
            },
            used(activity_focus_area.c.focus_area_id),
        )
        self.sync(
            "proposal_label",
            ProposalLabel,
            campaign,
            data.get("proposal_labels", []),
            lambda item, pos: {
                "name": item["name"],
                "hint": item.get("hint", ""),
                "position": item.get("position", pos),
            },
            used(Proposal.label_id),
        )
        self.sync(
            "concern_category",
            ConcernCategory,
            campaign,
            data.get("concern_categories", []),
            lambda item, pos: {"name": item["name"], "position": item.get("position", pos)},
            used(Concern.category_id),
        )

        initiatives_data = data.get("initiatives", [])
        initiatives = self.sync(
            "initiative",
            Initiative,
            campaign,
            initiatives_data,
            lambda item, pos: {
                "number": int(item["number"]),
                "numeral": item.get("numeral", str(item["number"])),
                "headline": item["headline"],
                "text": item.get("text", "").strip(),
            },
            None,
        )
        missing_initiatives = self.leftovers
        calls = []
        for item in initiatives_data:
            for call in item.get("calls", []):
                calls.append({**call, "_initiative": initiatives[item["code"]]})
        self.sync(
            "call_to_action",
            CallToAction,
            campaign,
            calls,
            lambda item, pos: {
                "initiative_id": item["_initiative"].id,
                "title": item["title"],
                "text": item.get("text", "").strip(),
                "kind_codes": list(item.get("kinds", [])),
                "delegate_type": DelegateType(item["delegate_type"])
                if item.get("delegate_type")
                else None,
                "expected_per_quarter": item.get("expected_per_quarter"),
                "position": item.get("position", pos),
            },
            used(Activity.call_id),
        )
        # Calls go first, so an initiative whose calls were all deleted can be deleted too.
        self.remove_missing("initiative", missing_initiatives, _initiative_in_use)


def _initiative_in_use(row: Initiative) -> bool:
    for column in (Activity.initiative_id, CallToAction.initiative_id):
        stmt = sa.select(sa.literal(1)).where(column == row.id).limit(1)
        if db.session.scalar(stmt) is not None:
            return True
    return False
