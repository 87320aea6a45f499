"""The demo accounts: their user names and password, and how the demo's login table describes
them. The hand-shaped demo and the bulk load make the same five accounts."""

from __future__ import annotations

from flask_babel import force_locale

from ..enums import Role
from ..models import User

DEMO_PASSWORD = "Demo@2023"  # noqa: S105 - printed on purpose: it only guards demo data
DEMO_USERNAMES = ("admin", "staff", "staff_cg", "daibiao", "qiye")


def describe_account(user: User) -> str:
    """Who a demo account is, as the demo login table says it."""
    if user.role == Role.ADMIN:
        return "系统管理员"
    if user.role == Role.STAFF:
        return f"{user.display_name}（{user.delegation.name if user.delegation else '全市'}）"
    delegate = user.delegate
    with force_locale("zh"):
        kind = str(delegate.delegate_type.label)
    return f"{kind}（{delegate.delegation.name}）{delegate.name}"
