"""Proposal state changes, and the managed list of handling bodies.

They validate, change, audit and flush; the view commits. The life of a proposal::

    submitted ──register──▶ registered ──assign──▶ assigned ──start──▶ handling
        │                                             │                   │
        └─not_register─▶ not_registered (final)       └──────reply────────┤
                                                                          ▼
         handling ◀──rate 不满意 (round + 1, new due date)────────── replied
                                                                          │
                                              rate 满意 / 基本满意 ──▶ closed

Staff in the proposal's scope do everything but the rating, which only the delegate who
made the proposal gives. A proposal enters the workflow only once its entry is submitted
or approved. Every change names the version it read (see :mod:`tracker.concurrency`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from .. import deadlines
from ..audit import record
from ..concurrency import claim_version
from ..dates import local_today
from ..enums import ActivityStatus, ProposalOutcome, ProposalStatus, Rating
from ..extensions import db
from ..models import HandlingBody, Proposal, ProposalReply, ProposalUrging, User, utcnow
from ..notifications.services import notify
from ..permissions import can_handle_proposal, can_manage_handling_bodies, can_rate_proposal
from ..text import plain

MAX_NOTE_LENGTH = 2000
MAX_REPLY_LENGTH = 5000

# The states each action starts from.
ALLOWED_FROM: dict[str, tuple[ProposalStatus, ...]] = {
    "register": (ProposalStatus.SUBMITTED,),
    "not_register": (ProposalStatus.SUBMITTED,),
    "assign": (ProposalStatus.REGISTERED,),
    "start_handling": (ProposalStatus.ASSIGNED,),
    "reply": deadlines.AWAITING_REPLY,
    "urge": deadlines.AWAITING_REPLY,
    "rate": (ProposalStatus.REPLIED,),
}
STAFF_ACTIONS = ("register", "not_register", "assign", "start_handling", "reply", "urge")
# Only an entry that has been sent for review (or approved) puts its proposal in the workflow.
ENTRY_STATES = (ActivityStatus.SUBMITTED, ActivityStatus.APPROVED)
SATISFIED = (Rating.SATISFIED, Rating.BASICALLY_SATISFIED)


class ProposalStateError(Exception):
    """The proposal is not in a state that allows this change; nothing was written."""


class ProposalActionNotAllowed(Exception):
    """The user may not do this to the proposal (or to the list of handling bodies)."""


class HandlingBodyCodeTaken(ValueError):
    """Another handling body already has this code."""


# --- who may do what, now ------------------------------------------------------------------------


def is_allowed_now(proposal: Proposal, action: str) -> bool:
    """Whether the proposal's state lets ``action`` happen, whoever asks."""
    if proposal.status not in ALLOWED_FROM[action]:
        return False
    if action in ("register", "not_register"):
        return proposal.activity.status in ENTRY_STATES
    return True


def available_actions(user: User, proposal: Proposal) -> set[str]:
    """The actions ``user`` may take on ``proposal`` in its current state."""
    actions: set[str] = set()
    if can_handle_proposal(user, proposal):
        actions.update(a for a in STAFF_ACTIONS if is_allowed_now(proposal, a))
    if can_rate_proposal(user, proposal) and is_allowed_now(proposal, "rate"):
        actions.add("rate")
    return actions


def _check(actor: User, proposal: Proposal, action: str) -> ProposalStatus:
    """Refuse a change the actor may not make or the state does not allow; return the state."""
    allowed = can_rate_proposal if action == "rate" else can_handle_proposal
    if not allowed(actor, proposal):
        raise ProposalActionNotAllowed(action)
    if not is_allowed_now(proposal, action):
        raise ProposalStateError(f"{action} from {proposal.status}")
    return proposal.status


def _notify_owner(proposal: Proposal, kind: str, detail: str = "") -> None:
    owner = proposal.activity.delegate.user
    notify(
        owner.id if owner else None,
        kind,
        "proposals.detail",
        subject=proposal.activity.title,
        detail=detail,
        proposal_id=proposal.id,
    )


def _clean(text: str | None, limit: int, *, required: bool = False) -> str:
    text = plain(text)
    if required and not text:
        raise ValueError("text is required")
    return text[:limit]


# --- the workflow -----------------------------------------------------------------------------


def register_proposal(proposal: Proposal, actor: User, *, expected_version: int) -> Proposal:
    """立案: accept a submitted proposal for handling."""
    previous = _check(actor, proposal, "register")
    claim_version(proposal, expected_version)
    proposal.status = ProposalStatus.REGISTERED
    proposal.decided_at = utcnow()
    proposal.not_registered_reason = ""
    record(actor, proposal, "register", from_state=previous, to_state=ProposalStatus.REGISTERED)
    _notify_owner(proposal, "proposal_registered")
    db.session.flush()
    return proposal


def reject_proposal(
    proposal: Proposal, actor: User, reason: str, *, expected_version: int
) -> Proposal:
    """不予立案: refuse a submitted proposal, with the reason the delegate will read. Final."""
    previous = _check(actor, proposal, "not_register")
    reason = _clean(reason, MAX_NOTE_LENGTH, required=True)
    claim_version(proposal, expected_version)
    proposal.status = ProposalStatus.NOT_REGISTERED
    proposal.decided_at = utcnow()
    proposal.not_registered_reason = reason
    record(
        actor,
        proposal,
        "not_register",
        from_state=previous,
        to_state=ProposalStatus.NOT_REGISTERED,
        note=reason,
    )
    _notify_owner(proposal, "proposal_not_registered", reason)
    db.session.flush()
    return proposal


def assign_proposal(
    proposal: Proposal,
    actor: User,
    *,
    lead_handler: HandlingBody,
    co_handlers: Sequence[HandlingBody] = (),
    is_complex: bool = False,
    assigned_on: date | None = None,
    expected_version: int,
) -> Proposal:
    """交办: hand a registered proposal to a lead body (and co-handlers); the reply is due
    three months later, six for a complex one."""
    previous = _check(actor, proposal, "assign")
    assigned_on = assigned_on or local_today()
    if lead_handler.is_retired or any(b.is_retired for b in co_handlers):
        raise ValueError("a retired handling body cannot be assigned")
    claim_version(proposal, expected_version)
    proposal.status = ProposalStatus.ASSIGNED
    proposal.lead_handler = lead_handler
    proposal.co_handlers = [b for b in co_handlers if b.id != lead_handler.id]
    proposal.is_complex = is_complex
    proposal.assigned_on = assigned_on
    proposal.due_on = deadlines.reply_due_on(assigned_on, is_complex=is_complex)
    detail = _(
        "%(body)s主办，%(day)s 前答复", body=lead_handler.name, day=proposal.due_on.isoformat()
    )
    record(
        actor,
        proposal,
        "assign",
        from_state=previous,
        to_state=ProposalStatus.ASSIGNED,
        note=detail,
    )
    _notify_owner(proposal, "proposal_assigned", detail)
    db.session.flush()
    return proposal


def start_handling(proposal: Proposal, actor: User, *, expected_version: int) -> Proposal:
    """Record that the handling body has started work on an assigned proposal."""
    previous = _check(actor, proposal, "start_handling")
    claim_version(proposal, expected_version)
    proposal.status = ProposalStatus.HANDLING
    record(actor, proposal, "start_handling", from_state=previous, to_state=ProposalStatus.HANDLING)
    db.session.flush()
    return proposal


def record_reply(
    proposal: Proposal,
    actor: User,
    *,
    text: str,
    replied_on: date,
    outcome: ProposalOutcome,
    expected_version: int,
    today: date | None = None,
) -> ProposalReply:
    """答复: record the handling body's reply for the current round; the delegate rates it."""
    previous = _check(actor, proposal, "reply")
    text = _clean(text, MAX_REPLY_LENGTH, required=True)
    if replied_on > (today or local_today()):
        raise ValueError("a reply cannot be dated in the future")
    if proposal.assigned_on is not None and replied_on < proposal.assigned_on:
        raise ValueError("a reply cannot come before the assignment")
    claim_version(proposal, expected_version)
    reply = ProposalReply(
        round=proposal.round,
        text=text,
        replied_on=replied_on,
        outcome=ProposalOutcome(outcome),
        recorded_by_id=actor.id,
    )
    proposal.replies.append(reply)
    proposal.status = ProposalStatus.REPLIED
    record(
        actor,
        proposal,
        "reply",
        from_state=previous,
        to_state=ProposalStatus.REPLIED,
        note=reply.outcome.label,
    )
    _notify_owner(proposal, "proposal_replied")
    db.session.flush()
    return reply


def rate_reply(
    proposal: Proposal,
    actor: User,
    rating: Rating,
    note: str = "",
    *,
    expected_version: int,
    today: date | None = None,
) -> ProposalReply:
    """The delegate rates the latest reply: 满意 or 基本满意 closes the proposal; 不满意 sends
    it back for another round, due ``PROPOSAL_REDO_MONTHS`` after the rating."""
    previous = _check(actor, proposal, "rate")
    rating = Rating(rating)
    note = _clean(note, MAX_NOTE_LENGTH)
    reply = proposal.latest_reply
    if reply is None or reply.rating is not None:
        raise ProposalStateError("no reply waits for a rating")
    claim_version(proposal, expected_version)
    now = utcnow()
    reply.rating = rating
    reply.rating_note = note
    reply.rated_at = now
    proposal.rating = rating
    audit_note = f"{rating.label}：{note}" if note else rating.label
    if rating in SATISFIED:
        proposal.status = ProposalStatus.CLOSED
        proposal.closed_at = now
        record(actor, proposal, "rate", note=audit_note)
        record(actor, proposal, "close", from_state=previous, to_state=ProposalStatus.CLOSED)
        _notify_owner(proposal, "proposal_closed")
    else:
        proposal.status = ProposalStatus.HANDLING
        proposal.round += 1
        proposal.due_on = deadlines.redo_due_on(today or local_today())
        # No account follows a proposal on the staff side: the due flag on their lists shows it.
        record(
            actor,
            proposal,
            "rate",
            from_state=previous,
            to_state=ProposalStatus.HANDLING,
            note=audit_note,
        )
    db.session.flush()
    return reply


def urge_proposal(proposal: Proposal, actor: User, note: str = "") -> ProposalUrging:
    """督办: record that staff pressed the handling body. The state and version stay as they are."""
    _check(actor, proposal, "urge")
    note = _clean(note, MAX_NOTE_LENGTH)
    urging = ProposalUrging(urged_by=actor, urged_at=utcnow(), note=note)
    proposal.urgings.append(urging)
    # Not a transition: the row says who urged and when, without a from → to.
    record(actor, proposal, "urge", note=note)
    db.session.flush()
    return urging


# --- handling bodies ------------------------------------------------------------------------


def _require_manager(actor: User) -> None:
    if not can_manage_handling_bodies(actor):
        raise ProposalActionNotAllowed("handling bodies")


def create_handling_body(actor: User, *, name: str, code: str) -> HandlingBody:
    """Add a handling body at the end of the list; codes are unique."""
    _require_manager(actor)
    name = _clean(name, 120, required=True)
    code = _clean(code, 60, required=True).lower()
    if db.session.scalar(sa.select(HandlingBody.id).where(HandlingBody.code == code)):
        raise HandlingBodyCodeTaken(code)
    last = db.session.scalar(sa.select(sa.func.max(HandlingBody.position))) or 0
    body = HandlingBody(code=code, name=name, position=last + 1)
    db.session.add(body)
    db.session.flush()
    record(actor, body, "create", to_state="active", note=name, object_type="handling_body")
    db.session.flush()
    return body


def rename_handling_body(body: HandlingBody, actor: User, name: str) -> HandlingBody:
    """Change a body's name; proposals and concerns already assigned follow the new name."""
    _require_manager(actor)
    name = _clean(name, 120, required=True)
    if name == body.name:
        return body
    old = body.name
    body.name = name
    record(actor, body, "edit", note=f"{old} → {name}", object_type="handling_body")
    db.session.flush()
    return body


def set_handling_body_retired(body: HandlingBody, actor: User, retired: bool) -> HandlingBody:
    """Retire a body (no new assignments; history keeps it) or bring it back. Never deletes."""
    _require_manager(actor)
    if body.is_retired == retired:
        return body
    body.retired_at = utcnow() if retired else None
    record(
        actor,
        body,
        "retire" if retired else "restore",
        from_state="active" if retired else "retired",
        to_state="retired" if retired else "active",
        object_type="handling_body",
    )
    db.session.flush()
    return body
