"""Following a citizen's concern to its end. Services validate, change, audit and flush;
the view commits.

The life of a concern::

    open ──refer──▶ referred ──resolve──────────▶ resolved ─────┐
      │                 └──mark_unresolvable──▶ unresolvable ───┤
      ├──resolve (solved on the spot)──▶ resolved               ├──feed_back──▶ fed_back
      └──mark_unresolvable───────────▶ unresolvable ────────────┘

``resolution`` is set when the concern is concluded and kept after feedback, so the
resolution rate (办成率) is counted apart from feedback and from proposal satisfaction.
Only staff in scope act, and only on concerns of submitted or approved entries.
"""

from __future__ import annotations

from flask_babel import gettext as _

from ..audit import record
from ..concurrency import claim_version
from ..enums import ActivityStatus, ConcernResolution, ConcernStatus, Role
from ..extensions import db
from ..models import Concern, HandlingBody, User, utcnow
from ..notifications.services import notify
from ..permissions import can_handle_concern
from ..text import plain

MAX_NOTE_LENGTH = 2000
SUBJECT_LENGTH = 30

REFER = "refer"
RESOLVE = "resolve"
MARK_UNRESOLVABLE = "mark_unresolvable"
FEED_BACK = "feed_back"
# Not a state change: seeing the whole phone number of the person who raised a concern.
REVEAL_PHONE = "reveal_phone"

# Which actions each state allows.
TRANSITIONS: dict[ConcernStatus, frozenset[str]] = {
    ConcernStatus.OPEN: frozenset({REFER, RESOLVE, MARK_UNRESOLVABLE}),
    ConcernStatus.REFERRED: frozenset({RESOLVE, MARK_UNRESOLVABLE}),
    ConcernStatus.RESOLVED: frozenset({FEED_BACK}),
    ConcernStatus.UNRESOLVABLE: frozenset({FEED_BACK}),
    ConcernStatus.FED_BACK: frozenset(),
}

# A concern is followed only once its entry has been sent in, and not while it is back
# with its delegate for changes.
HANDLEABLE_ENTRY = (ActivityStatus.SUBMITTED, ActivityStatus.APPROVED)


class ConcernStateError(Exception):
    """The concern (or its entry) is not in a state that allows this action; nothing was written."""


class ConcernInputError(ValueError):
    """What was given for the action is not acceptable (no reason, unknown body, too long)."""

    def __init__(self, field: str, message: str = ""):
        super().__init__(message or field)
        self.field = field


class ConcernHandlingNotAllowed(Exception):
    """The user may not handle this concern."""


def allowed_actions(concern: Concern) -> frozenset[str]:
    """The actions the concern's current state allows, whoever asks."""
    if concern.activity is None or concern.activity.status not in HANDLEABLE_ENTRY:
        return frozenset()
    return TRANSITIONS.get(concern.status, frozenset())


def actions_for(user: User, concern: Concern) -> frozenset[str]:
    """The actions ``user`` may take on ``concern`` right now (none for a delegate)."""
    if not can_handle_concern(user, concern):
        return frozenset()
    return allowed_actions(concern)


def can_reveal_phone(user: User, concern: Concern) -> bool:
    """Staff who may handle the concern, and the delegate who recorded it, may see the whole
    phone number of the person who raised it; lists and pages show it masked to everyone."""
    if concern.activity is None:
        return False
    if can_handle_concern(user, concern):
        return True
    return (
        user.role == Role.DELEGATE
        and user.delegate_id is not None
        and user.delegate_id == concern.activity.delegate_id
    )


def reveal_phone(concern: Concern, actor: User) -> str:
    """The whole phone number of the person who raised ``concern``; every look is audited.

    Returns "" (and records nothing) when there is no number, or no longer one (anonymised).
    """
    if not can_reveal_phone(actor, concern):
        raise ConcernHandlingNotAllowed(f"user {actor.id} on concern {concern.id}")
    if not concern.raised_by_phone:
        return ""
    record(actor, concern, REVEAL_PHONE)
    db.session.flush()
    return concern.raised_by_phone


def refer_concern(
    concern: Concern, actor: User, body: HandlingBody | None, *, expected_version: int
) -> Concern:
    """Refer an open concern to a handling body still in use (转办)."""
    _check(concern, actor, REFER)
    if body is None or body.is_retired:
        raise ConcernInputError("handling_body", "unknown or retired handling body")
    claim_version(concern, expected_version)
    previous = concern.status
    concern.status = ConcernStatus.REFERRED
    concern.referred_to_id = body.id
    concern.referred_to = body
    concern.referred_at = utcnow()
    record(actor, concern, REFER, from_state=previous, to_state=concern.status, note=body.name)
    _notify_delegate(concern, "concern_referred", body.name)
    db.session.flush()
    return concern


def resolve_concern(
    concern: Concern, actor: User, note: str = "", *, expected_version: int
) -> Concern:
    """Record that an open or referred concern was solved; ``note`` says how (optional)."""
    _check(concern, actor, RESOLVE)
    note = _clean(note, "resolution_note", required=False)
    claim_version(concern, expected_version)
    return _conclude(concern, actor, ConcernResolution.RESOLVED, note, RESOLVE)


def mark_unresolvable(
    concern: Concern, actor: User, reason: str, *, expected_version: int
) -> Concern:
    """Record that an open or referred concern cannot be solved; the reason is required."""
    _check(concern, actor, MARK_UNRESOLVABLE)
    reason = _clean(reason, "reason", required=True)
    claim_version(concern, expected_version)
    return _conclude(concern, actor, ConcernResolution.UNRESOLVABLE, reason, MARK_UNRESOLVABLE)


def feed_back(concern: Concern, actor: User, note: str, *, expected_version: int) -> Concern:
    """Record what the person who raised a concluded concern was told (反馈群众).

    The resolution stays as it was, so the concern still counts as resolved or not.
    """
    _check(concern, actor, FEED_BACK)
    note = _clean(note, "feedback_note", required=True)
    claim_version(concern, expected_version)
    previous = concern.status
    concern.status = ConcernStatus.FED_BACK
    concern.feedback_note = note
    concern.fed_back_at = utcnow()
    record(actor, concern, FEED_BACK, from_state=previous, to_state=concern.status, note=note)
    _notify_delegate(concern, "concern_fed_back", note)
    db.session.flush()
    return concern


# --- helpers ---------------------------------------------------------------------------------


def _check(concern: Concern, actor: User, action: str) -> None:
    if not can_handle_concern(actor, concern):
        raise ConcernHandlingNotAllowed(f"user {actor.id} on concern {concern.id}")
    if action not in allowed_actions(concern):
        raise ConcernStateError(f"{action} from {concern.status}")


def _clean(text: str | None, field: str, *, required: bool) -> str:
    text = plain(text)
    if required and not text:
        raise ConcernInputError(field, "required")
    if len(text) > MAX_NOTE_LENGTH:
        raise ConcernInputError(field, "too long")
    return text


def _conclude(
    concern: Concern, actor: User, resolution: ConcernResolution, note: str, action: str
) -> Concern:
    previous = concern.status
    concern.status = ConcernStatus(resolution.value)
    concern.resolution = resolution
    concern.resolution_note = note
    concern.resolved_at = utcnow()
    record(actor, concern, action, from_state=previous, to_state=concern.status, note=note)
    # One kind for both outcomes, so the detail names which one it was.
    detail = (
        _("%(outcome)s：%(note)s", outcome=resolution.label, note=note)
        if note
        else resolution.label
    )
    _notify_delegate(concern, "concern_resolved", detail)
    db.session.flush()
    return concern


def _notify_delegate(concern: Concern, kind: str, detail: str) -> None:
    """Tell the delegate who logged the concern; a delegate without an account is skipped."""
    owner = concern.activity.delegate.user if concern.activity is not None else None
    notify(
        owner.id if owner is not None else None,
        kind,
        "concerns.detail",
        subject=concern.content[:SUBJECT_LENGTH],
        detail=detail,
        concern_id=concern.id,
    )
