"""People and accounts: state changes that flush and never commit."""

from __future__ import annotations

from ..auth.passwords import hash_password
from ..enums import Role
from ..extensions import db
from ..models import Delegate, Delegation, User


def create_user(
    *,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    delegate: Delegate | None = None,
    delegation: Delegation | None = None,
    must_change_password: bool = False,
) -> User:
    """Create an account; a delegate account is tied to its delegate, staff may be scoped."""
    if role == Role.DELEGATE and delegate is None:
        raise ValueError("a delegate account needs a delegate")
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        password_hash=hash_password(password),
        delegate=delegate,
        delegation=delegation if role == Role.STAFF else None,
        must_change_password=must_change_password,
    )
    db.session.add(user)
    db.session.flush()
    return user
