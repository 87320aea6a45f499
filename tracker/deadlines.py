"""Due dates for proposal replies, and the flags lists and figures show.

Shared by the proposal screens, the figures and the demo data, so a reply is due on the same
day and counted overdue from the same day everywhere.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from flask import current_app

from .dates import add_months
from .enums import ProposalStatus

# Statuses in which a handling body owes a reply.
AWAITING_REPLY = (ProposalStatus.ASSIGNED, ProposalStatus.HANDLING)


class DueFlag(StrEnum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


def reply_due_on(assigned_on: date, *, is_complex: bool) -> date:
    """Three months from assignment, six for a complex proposal (configurable)."""
    key = "PROPOSAL_COMPLEX_DUE_MONTHS" if is_complex else "PROPOSAL_DUE_MONTHS"
    return add_months(assigned_on, int(current_app.config[key]))


def redo_due_on(rated_on: date) -> date:
    """When the next round's reply is due after a 不满意 rating."""
    return add_months(rated_on, int(current_app.config["PROPOSAL_REDO_MONTHS"]))


def due_soon_from(today: date) -> date:
    """Proposals due on or before this day (and not yet overdue) are due soon."""
    return today + timedelta(days=int(current_app.config["DUE_SOON_DAYS"]))


def due_flag(status: ProposalStatus, due_on: date | None, today: date) -> DueFlag | None:
    """OVERDUE after the due day, DUE_SOON within DUE_SOON_DAYS of it, while a reply is owed."""
    if due_on is None or status not in AWAITING_REPLY:
        return None
    if today > due_on:
        return DueFlag.OVERDUE
    if due_on <= due_soon_from(today):
        return DueFlag.DUE_SOON
    return None
