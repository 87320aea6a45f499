"""The words of the demo data, read once from ``words.toml`` next to this module.

Names, places, firms, the texts of entries, proposals and concerns, and the weights that shape
them. The hand-shaped demo (:mod:`.builder`) and the bulk load (:mod:`.bulk`) both draw from
them, so a million bulk entries read like the demo's hundreds. Every list and table keeps the
file's order: the demo draws by position, so the same seed gives the same data only while the
order stays.
"""

from __future__ import annotations

import tomllib
from importlib.resources import files
from typing import Any, NamedTuple

from ..enums import ActivityStatus, StationKind, VisitTargetKind

_WORDS: dict[str, Any] = tomllib.loads(
    files(__package__).joinpath("words.toml").read_text(encoding="utf-8")
)


class Place(NamedTuple):
    """Where a delegation is: its share of the city's delegates, its local specialty, and its
    streets and townships (the first three hold its stations)."""

    share: int
    specialty: str
    streets: list[str]


# --- places --------------------------------------------------------------------------------------
PLACES: dict[str, Place] = {
    code: Place(place["share"], place["specialty"], place["streets"])
    for code, place in _WORDS["places"].items()
}
# per station kind: name suffix, code part, where in the street's service centre
STATION_TEXT: dict[StationKind, tuple[str, str, str]] = {
    StationKind(kind): (text["noun"], text["slug"], text["building"])
    for kind, text in _WORDS["stations"].items()
}
COMMUNITIES: list[str] = _WORDS["local"]["communities"]
VILLAGES: list[str] = _WORDS["local"]["villages"]
PROJECTS: list[str] = _WORDS["local"]["projects"]
LAWS: list[str] = _WORDS["local"]["laws"]

# --- people --------------------------------------------------------------------------------------
SURNAMES: dict[str, int] = _WORDS["people"]["surnames"]
MALE_CHARS: str = _WORDS["people"]["male_chars"]
FEMALE_CHARS: str = _WORDS["people"]["female_chars"]
PHONE_PREFIXES: list[str] = _WORDS["people"]["phone_prefixes"]
FIRMS: list[str] = _WORDS["people"]["firms"]
INDUSTRIES: list[str] = _WORDS["people"]["industries"]
ENTREPRENEUR_TITLES: list[str] = _WORDS["people"]["entrepreneur_titles"]
CITIZEN_SUFFIXES: list[str] = _WORDS["people"]["citizen_suffixes"]
TYPE_SHARES: dict[str, int] = _WORDS["people"]["type_shares"]
FEMALE_SHARE: dict[str, float] = _WORDS["people"]["female_share"]
LEVEL_WEIGHTS: dict[str, int] = _WORDS["people"]["levels"]
STATION_WEIGHTS: dict[str, int] = _WORDS["people"]["stations"]
# [work unit, job title] per delegate type; grassroots delegates' by street or township
JOBS: dict[str, list[list[str]]] = _WORDS["jobs"]
GRASSROOTS_JOBS_STREET: list[list[str]] = _WORDS["grassroots_jobs"]["street"]
GRASSROOTS_JOBS_VILLAGE: list[list[str]] = _WORDS["grassroots_jobs"]["village"]

# --- texts ---------------------------------------------------------------------------------------
# per kind: [title, place, description, outcome], led by the target for visits and enterprise
# services (h households, e an enterprise, p a project); a place of {station} means the station
TEMPLATES: dict[str, list[list[str]]] = _WORDS["templates"]
# [focus area, title, suggested handler, content]
PROPOSALS: list[list[str]] = _WORDS["proposals"]["lines"]
PROPOSAL_DESCRIPTIONS: list[str] = _WORDS["proposals"]["descriptions"]
PROPOSAL_OUTCOMES: list[str] = _WORDS["proposals"]["outcomes"]
# [focus area, topic, findings]
RESEARCH: list[list[str]] = _WORDS["research"]["topics"]
RESEARCH_TITLES: list[str] = _WORDS["research"]["titles"]
RESEARCH_PLACES: list[str] = _WORDS["research"]["places"]
RESEARCH_DESCRIPTIONS: list[str] = _WORDS["research"]["descriptions"]
RESEARCH_OUTCOMES: list[str] = _WORDS["research"]["outcomes"]
# [category, content], category by category in the file's order
CONCERNS: list[list[str]] = [
    [code, text] for code, texts in _WORDS["concerns"]["texts"].items() for text in texts
]
ENTERPRISE_CONCERN_CATEGORIES: frozenset[str] = frozenset(
    _WORDS["concerns"]["enterprise_categories"]
)
RETURN_REASONS: list[str] = _WORDS["review"]["return_reasons"]
REPLY_TEXTS: list[str] = _WORDS["review"]["reply_texts"]
TYPICAL_CASE_NOTES: list[str] = _WORDS["review"]["typical_case_notes"]

# --- how each delegate type spends its time ------------------------------------------------------
KIND_WEIGHTS: dict[str, dict[str, int]] = _WORDS["kind_weights"]
FOCUS_WEIGHTS: dict[str, dict[str, int]] = _WORDS["focus_weights"]
PROPOSAL_FOCUS: dict[str, list[str]] = _WORDS["proposal_focus"]
TARGET_WEIGHTS: dict[str, dict[str, int]] = _WORDS["target_weights"]
# per target letter: the target's kind and how the entry names it
VISIT_TARGETS: dict[str, tuple[VisitTargetKind, str]] = {
    letter: (VisitTargetKind(kind), text)
    for letter, (kind, text) in _WORDS["visit_targets"].items()
}
REACH: dict[str, list[int]] = _WORDS["reach"]
CONCERN_COUNTS: dict[str, list[int]] = _WORDS["concern_counts"]
LABEL_WEIGHTS: dict[str, int] = _WORDS["label_weights"]
# the demo delegate's own record, oldest first
SHOWCASE: list[tuple[str, ActivityStatus]] = [
    (kind, ActivityStatus(status)) for kind, status in _WORDS["showcase"]["record"]
]
