"""Who may see and change what. Views, lists and templates all ask these predicates.

Another user's object is answered with 404, not 403, so its existence is not revealed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from .enums import ActivityStatus, Role
from .models import Activity, Concern, Delegate, Proposal, User


@dataclass(frozen=True)
class Scope:
    """The rows a viewer may see: one delegate's, one delegation's, or the whole city's."""

    delegate_id: int | None = None
    delegation_id: int | None = None
    everything: bool = False

    def restrict(self, stmt: sa.Select, model: Any = Activity) -> sa.Select:
        """Restrict a select over ``model`` to this scope: the entries, a rollup table (they
        carry the delegation, and the per-delegate one the delegate) or the delegates. A
        delegate's scope over a table that does not name the delegate sees nothing."""
        if self.everything:
            return stmt
        if self.delegate_id is not None:
            column = model.id if model is Delegate else getattr(model, "delegate_id", None)
            return stmt.where(sa.false() if column is None else column == self.delegate_id)
        if self.delegation_id is not None:
            return stmt.where(model.delegation_id == self.delegation_id)
        return stmt.where(sa.false())


def scope_for(user: User) -> Scope:
    """The data scope of ``user``; a delegate account without a delegate sees nothing."""
    if user.role == Role.DELEGATE:
        return Scope(delegate_id=user.delegate_id) if user.delegate_id else Scope()
    if user.role == Role.STAFF and user.delegation_id is not None:
        return Scope(delegation_id=user.delegation_id)
    if user.role in (Role.STAFF, Role.ADMIN):
        return Scope(everything=True)
    return Scope()


def can_view_activity(user: User, activity: Activity) -> bool:
    """Delegates see their own entries; staff see entries in their delegation or the city."""
    if user.role == Role.DELEGATE:
        return user.delegate_id is not None and activity.delegate_id == user.delegate_id
    if user.role == Role.STAFF and user.delegation_id is not None:
        return (
            activity.delegation_id == user.delegation_id and activity.status != ActivityStatus.DRAFT
        )
    if user.role in (Role.STAFF, Role.ADMIN):
        return activity.status != ActivityStatus.DRAFT
    return False


def can_edit_activity(user: User, activity: Activity) -> bool:
    """Only the owning delegate edits, and only while the entry is a draft or returned."""
    return (
        user.role == Role.DELEGATE
        and user.delegate_id is not None
        and activity.delegate_id == user.delegate_id
        and activity.status in (ActivityStatus.DRAFT, ActivityStatus.RETURNED)
    )


def can_log_activity(user: User) -> bool:
    """Only an account tied to a delegate logs activities."""
    return user.role == Role.DELEGATE and user.delegate_id is not None


def can_view_all_activities(user: User) -> bool:
    """Staff and admins see the activity list of their scope."""
    return user.role in (Role.STAFF, Role.ADMIN)


def is_staff_in_scope(user: User, delegation_id: int | None) -> bool:
    """Staff or admin whose scope covers ``delegation_id`` (city staff cover every one)."""
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.STAFF:
        return False
    return user.delegation_id is None or user.delegation_id == delegation_id


def can_review_activity(user: User, activity: Activity) -> bool:
    """Staff in scope review; nobody reviews an entry of their own."""
    return (
        is_staff_in_scope(user, activity.delegation_id)
        and activity.status != ActivityStatus.DRAFT
        and not (user.delegate_id is not None and user.delegate_id == activity.delegate_id)
    )


def can_view_proposal(user: User, proposal: Proposal) -> bool:
    """Whoever may see the proposal's activity may see the proposal."""
    return can_view_activity(user, proposal.activity)


def can_handle_proposal(user: User, proposal: Proposal) -> bool:
    """Staff in scope register, assign, record replies and urge."""
    return is_staff_in_scope(user, proposal.activity.delegation_id) and (
        proposal.activity.status != ActivityStatus.DRAFT
    )


def can_rate_proposal(user: User, proposal: Proposal) -> bool:
    """Only the delegate who made the proposal rates the reply."""
    return user.role == Role.DELEGATE and (
        user.delegate_id is not None and user.delegate_id == proposal.activity.delegate_id
    )


def can_view_concern(user: User, concern: Concern) -> bool:
    """A concern is seen by whoever may see the activity it was raised on."""
    return concern.activity is not None and can_view_activity(user, concern.activity)


def can_handle_concern(user: User, concern: Concern) -> bool:
    """Staff in scope refer, resolve and record feedback on concerns of submitted or approved
    entries (not while the entry is back with its delegate)."""
    return (
        concern.activity is not None
        and concern.activity.status in (ActivityStatus.SUBMITTED, ActivityStatus.APPROVED)
        and is_staff_in_scope(user, concern.activity.delegation_id)
    )


def can_view_delegate_record(user: User, delegate: Delegate) -> bool:
    """A delegate sees their own record; staff see the records of delegates in their scope."""
    if user.role == Role.DELEGATE:
        return user.delegate_id is not None and user.delegate_id == delegate.id
    return is_staff_in_scope(user, delegate.delegation_id)


def can_administer(user: User) -> bool:
    """Administrators keep the roster, accounts, campaigns and managed lists."""
    return user.role == Role.ADMIN


def can_close_month(user: User) -> bool:
    """City staff and admins close a month for the whole city (staff of one delegation don't)."""
    return user.role == Role.ADMIN or (user.role == Role.STAFF and user.delegation_id is None)


def can_manage_handling_bodies(user: User) -> bool:
    """Admins and city-wide staff keep the list of handling bodies."""
    return user.role == Role.ADMIN or (user.role == Role.STAFF and user.delegation_id is None)


def require(allowed: bool, status: int = 404) -> None:
    """Abort unless ``allowed``; 404 hides other people's objects."""
    if not allowed:
        abort(status)


def role_required(*roles: Role) -> Callable:
    """Decorator: the current user must hold one of ``roles`` (403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated or current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
