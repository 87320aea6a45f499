"""Every table of the tracker, as typed SQLAlchemy 2 models, one module per subject.

Models hold columns, relationships and tiny properties; state changes live in the services
of each area, and read-only queries in :mod:`tracker.reports`. Import models from here
(``from tracker.models import Activity``): the modules below are how the file is cut, not
an interface.
"""

from .activities import (
    Activity,
    Attachment,
    Concern,
    HandlingBody,
    Proposal,
    ProposalReply,
    ProposalUrging,
    activity_focus_area,
    activity_participant,
    proposal_co_handler,
)
from .base import RetirableMixin, enum_column, utcnow
from .campaign import (
    ActivityKind,
    CallToAction,
    Campaign,
    ConcernCategory,
    FocusArea,
    Initiative,
    ProposalLabel,
)
from .people import Delegate, User
from .places import Delegation, Station
from .records import AuditEntry, MonthClose, Notification
from .rollups import ActivityRollup, DelegateRollup, FocusRollup

__all__ = [
    "Activity",
    "ActivityKind",
    "ActivityRollup",
    "Attachment",
    "AuditEntry",
    "CallToAction",
    "Campaign",
    "Concern",
    "ConcernCategory",
    "Delegate",
    "DelegateRollup",
    "Delegation",
    "FocusArea",
    "FocusRollup",
    "HandlingBody",
    "Initiative",
    "MonthClose",
    "Notification",
    "Proposal",
    "ProposalLabel",
    "ProposalReply",
    "ProposalUrging",
    "RetirableMixin",
    "Station",
    "User",
    "activity_focus_area",
    "activity_participant",
    "enum_column",
    "proposal_co_handler",
    "utcnow",
]
