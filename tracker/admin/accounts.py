"""Accounts (账号): opening them for staff, admins and every delegate at once, changing role and
scope, deactivating and one-time passwords. Services flush and never commit.

Every account comes into being through :func:`create_user`: the admin pages (through
:func:`create_account`, which adds the rules and the audit row), ``flask users``, and the demo
and test data.

A one-time password exists in plain text only in the return value of the service that made it:
the caller shows it once (a page, a downloaded list, the terminal) and it is never stored, logged
or audited. Its holder must replace it at first login (``must_change_password``).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import IO

import sqlalchemy as sa
import xlsxwriter
from argon2 import PasswordHasher
from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager, selectinload

from ..audit import record
from ..auth.passwords import hash_password
from ..auth.services import end_sessions, set_password, unlock_account
from ..enums import Role
from ..extensions import db
from ..models import Delegate, Delegation, User
from ..reports.exports import looks_like_formula

# --- one-time passwords --------------------------------------------------------------------------

# Letters and digits that cannot be misread when copied from paper: no 0/O, 1/l/I.
UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
LOWER = "abcdefghijkmnopqrstuvwxyz"
DIGITS = "23456789"
PASSWORD_ALPHABET = UPPER + LOWER + DIGITS
PASSWORD_LENGTH = 12  # 56 symbols, 12 places: about 70 bits

# OWASP's minimum argon2id configuration (19 MiB, 2 passes, 1 lane), for the hashes of one-time
# passwords made in bulk. The app's own parameters (argon2's recommended 64 MiB, 3 passes,
# 4 lanes) exist to slow the guessing of passwords people choose; a random 70-bit password
# cannot be guessed at either cost, and it lives only until its first use. Each hash carries its
# parameters, so the normal verification accepts it, and the first login stores the hash again
# with the app's parameters (``needs_rehash``), as does the password change that follows.
ONE_TIME_ARGON2_PARAMS = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}
MAX_HASH_WORKERS = 8


def generate_password(length: int = PASSWORD_LENGTH) -> str:
    """A random password from :data:`PASSWORD_ALPHABET` with an upper-case letter, a lower-case
    letter and a digit, so it meets the password policy of the password-change form."""
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))
        if all(any(c in kind for c in password) for kind in (UPPER, LOWER, DIGITS)):
            return password


@lru_cache(maxsize=4)
def _one_time_hasher(params: tuple[tuple[str, int], ...]) -> PasswordHasher:
    return PasswordHasher(**dict(params))


def one_time_hasher() -> PasswordHasher:
    """The hasher for bulk one-time passwords; ``ARGON2_ONE_TIME_PARAMS`` in the config overrides
    :data:`ONE_TIME_ARGON2_PARAMS`."""
    params = current_app.config.get("ARGON2_ONE_TIME_PARAMS") if has_app_context() else None
    return _one_time_hasher(tuple(sorted((params or ONE_TIME_ARGON2_PARAMS).items())))


def hash_one_time_passwords(passwords: Sequence[str]) -> list[str]:
    """argon2id hashes of ``passwords``, in order, computed on every CPU (argon2 releases the GIL
    while it hashes)."""
    if not passwords:
        return []
    hasher = one_time_hasher()
    workers = max(1, min(len(passwords), os.cpu_count() or 1, MAX_HASH_WORKERS))
    if workers == 1:
        return [hasher.hash(p) for p in passwords]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="argon2") as pool:
        return list(pool.map(hasher.hash, passwords))


# --- refusals ------------------------------------------------------------------------------------


class AccountError(Exception):
    """A change the rules refuse. ``code`` names the rule, ``field`` the form field it concerns;
    the views put the translated message next to that field."""

    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.code = code
        self.field = field


USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{2,60}$")


def _named(username: str) -> sa.ColumnElement[bool]:
    # Login ignores case and surrounding spaces, so every look-up by name does too.
    return sa.func.lower(User.username) == username.strip().lower()


def is_username_taken(username: str, *, except_user: User | None = None) -> bool:
    """Whether another account has this name; login ignores case, so this does too."""
    stmt = sa.select(User.id).where(_named(username))
    if except_user is not None:
        stmt = stmt.where(User.id != except_user.id)
    return db.session.scalar(stmt.limit(1)) is not None


def user_by_username(username: str) -> User | None:
    """The account with this name, ignoring case as login does, or None."""
    return db.session.scalar(sa.select(User).where(_named(username)))


def active_admin_count() -> int:
    """How many active administrator accounts there are."""
    return (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(User).where(User.role == Role.ADMIN, User.active)
        )
        or 0
    )


def _is_last_active_admin(user: User) -> bool:
    return user.role == Role.ADMIN and user.active and active_admin_count() <= 1


def _check_links(role: Role, delegation: Delegation | None, delegate: Delegate | None) -> None:
    if delegation is not None and role != Role.STAFF:
        raise AccountError("scope_not_staff", "delegation")
    if role == Role.DELEGATE and delegate is None:
        raise AccountError("delegate_missing", "delegate")
    if delegate is not None and role != Role.DELEGATE:
        raise AccountError("delegate_not_delegate", "delegate")


# --- one account ---------------------------------------------------------------------------------


def _new_user(
    *,
    username: str,
    display_name: str,
    role: Role,
    password_hash: str,
    delegate: Delegate | None,
    delegation: Delegation | None,
    must_change_password: bool,
) -> User:
    """An account not yet added to the session; only staff keep a delegation scope."""
    return User(
        username=username,
        display_name=display_name,
        role=role,
        password_hash=password_hash,
        delegate=delegate,
        delegation=delegation if role == Role.STAFF else None,
        must_change_password=must_change_password,
    )


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
    """Add an account with the password given. A delegate account is tied to its delegate;
    staff may be scoped to a delegation. Writes no audit row: :func:`create_account` adds the
    rules and the audit row for the admin pages."""
    if role == Role.DELEGATE and delegate is None:
        raise ValueError("a delegate account needs a delegate")
    user = _new_user(
        username=username,
        display_name=display_name,
        role=role,
        password_hash=hash_password(password),
        delegate=delegate,
        delegation=delegation,
        must_change_password=must_change_password,
    )
    db.session.add(user)
    db.session.flush()
    return user


def create_account(
    actor: User | None,
    *,
    username: str,
    display_name: str,
    role: Role,
    delegation: Delegation | None = None,
    delegate: Delegate | None = None,
) -> tuple[User, str]:
    """Open one account with a one-time password; returns the account and that password, which
    the caller shows once. Staff may be scoped to a delegation; a delegate account is tied to a
    delegate that has no account yet."""
    username = username.strip()
    display_name = display_name.strip()
    if not USERNAME_PATTERN.match(username):
        raise AccountError("username_invalid", "username")
    if is_username_taken(username):
        raise AccountError("username_taken", "username")
    if not display_name:
        raise AccountError("name_missing", "display_name")
    _check_links(role, delegation, delegate)
    if delegate is not None and (delegate.user is not None or delegate.is_retired):
        raise AccountError("delegate_unavailable", "delegate")
    password = generate_password()
    user = create_user(
        username=username,
        display_name=display_name,
        role=role,
        password=password,
        delegate=delegate,
        delegation=delegation,
        must_change_password=True,
    )
    record(actor, user, "create", to_state=role, note=username)
    db.session.flush()
    return user, password


def update_account(
    actor: User | None,
    user: User,
    *,
    display_name: str,
    role: Role,
    delegation: Delegation | None,
) -> bool:
    """Change the name, role and staff scope of ``user``. A change of role or scope ends every
    session of the account, so its rights change at once. Returns whether anything changed.

    A delegate account stays a delegate account (its history hangs off the delegate), and no
    other account becomes one; an admin does not change their own role, and the last active
    admin stays an admin."""
    display_name = display_name.strip()
    if not display_name:
        raise AccountError("name_missing", "display_name")
    if (user.role == Role.DELEGATE) != (role == Role.DELEGATE):
        raise AccountError("role_fixed", "role")
    if role != user.role:
        if actor is not None and actor.id == user.id:
            raise AccountError("own_role", "role")
        if _is_last_active_admin(user):
            raise AccountError("last_admin", "role")
    if delegation is not None and role != Role.STAFF:
        raise AccountError("scope_not_staff", "delegation")

    changed = False
    if display_name != user.display_name:
        record(actor, user, "edit", note=f"{user.display_name} → {display_name}")
        user.display_name = display_name
        changed = True
    rights_changed = False
    if role != user.role:
        record(actor, user, "change_role", from_state=user.role, to_state=role)
        user.role = role
        rights_changed = True
    new_delegation_id = delegation.id if delegation is not None else None
    if new_delegation_id != user.delegation_id:
        record(
            actor,
            user,
            "change_scope",
            from_state=user.delegation.code if user.delegation is not None else "",
            to_state=delegation.code if delegation is not None else "",
        )
        user.delegation = delegation
        rights_changed = True
    if rights_changed:
        end_sessions(user)
    db.session.flush()
    return changed or rights_changed


def deactivate_account(actor: User | None, user: User) -> None:
    """Stop ``user`` from logging in and end their open sessions at once. Nobody deactivates
    themselves, and the last active admin stays."""
    if not user.active:
        return
    if actor is not None and actor.id == user.id:
        raise AccountError("deactivate_self")
    if _is_last_active_admin(user):
        raise AccountError("last_admin")
    user.active = False
    end_sessions(user)
    record(actor, user, "deactivate", from_state="active", to_state="inactive")
    db.session.flush()


def reactivate_account(actor: User | None, user: User) -> None:
    """Let a deactivated account log in again (with its old password)."""
    if user.active:
        return
    user.active = True
    unlock_account(user)
    record(actor, user, "reactivate", from_state="inactive", to_state="active")
    db.session.flush()


def reset_password(actor: User | None, user: User) -> str:
    """Give ``user`` a new one-time password, to be changed at first login, and end their open
    sessions; returns the password for the caller to show once. Admins change their own password
    on the password page instead."""
    if actor is not None and actor.id == user.id:
        raise AccountError("reset_self")
    password = generate_password()
    set_password(user, password, must_change=True)
    record(actor, user, "reset_password")
    db.session.flush()
    return password


# --- every delegate at once ----------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedAccount:
    """A new delegate account and its one-time password, for the list handed out once."""

    user_id: int
    delegation: str
    name: str
    username: str
    password: str


MOBILE = re.compile(r"^1[3-9]\d{9}$")


def mobile_number(phone: str | None) -> str | None:
    """The 11-digit mainland mobile number in ``phone`` (spaces, dashes and +86 allowed), else
    None."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if MOBILE.match(digits) else None


def delegate_username(delegate: Delegate, taken: set[str]) -> str:
    """The delegate's mobile number, or ``d`` + the zero-padded delegate id when there is none or
    it is taken; never one of ``taken`` (lower-cased names), to which the result is added."""
    candidates = []
    mobile = mobile_number(delegate.phone)
    if mobile:
        candidates.append(mobile)
    fallback = f"d{delegate.id:06d}"
    candidates.append(fallback)
    n = 2
    while True:
        for candidate in candidates:
            if candidate.lower() not in taken:
                taken.add(candidate.lower())
                return candidate
        candidates = [f"{fallback}-{n}"]
        n += 1


def delegates_without_account_select(delegation_id: int | None = None) -> sa.Select:
    """Serving delegates (not retired) that no account is tied to, by delegation then id."""
    stmt = (
        sa.select(Delegate)
        .join(Delegate.delegation)
        .outerjoin(User, User.delegate_id == Delegate.id)
        .where(User.id.is_(None), Delegate.retired_at.is_(None))
        .options(contains_eager(Delegate.delegation))
        .order_by(Delegation.position, Delegation.id, Delegate.id)
    )
    if delegation_id is not None:
        stmt = stmt.where(Delegate.delegation_id == delegation_id)
    return stmt


def delegates_without_account_counts() -> dict[int, int]:
    """delegation id → how many of its serving delegates have no account (only non-zero)."""
    rows = db.session.execute(
        sa.select(Delegate.delegation_id, sa.func.count())
        .outerjoin(User, User.delegate_id == Delegate.id)
        .where(User.id.is_(None), Delegate.retired_at.is_(None))
        .group_by(Delegate.delegation_id)
    )
    return {delegation_id: count for delegation_id, count in rows}


def create_delegate_accounts(
    actor: User | None, delegation: Delegation | None = None
) -> list[IssuedAccount]:
    """Open an account for every serving delegate without one (of one delegation, or all), each
    with a one-time password to change at first login; returns them for the list handed out
    once. Running it again opens none."""
    delegates = list(
        db.session.scalars(
            delegates_without_account_select(delegation.id if delegation is not None else None)
        )
    )
    if not delegates:
        return []
    taken = {name.lower() for name in db.session.scalars(sa.select(User.username))}
    usernames = [delegate_username(d, taken) for d in delegates]
    passwords = [generate_password() for _ in delegates]
    hashes = hash_one_time_passwords(passwords)
    users = [
        _new_user(
            username=username,
            display_name=delegate.name,
            role=Role.DELEGATE,
            password_hash=password_hash,
            delegate=delegate,
            delegation=None,
            must_change_password=True,
        )
        for delegate, username, password_hash in zip(delegates, usernames, hashes, strict=True)
    ]
    db.session.add_all(users)
    db.session.flush()
    for user in users:
        record(actor, user, "create", to_state=Role.DELEGATE, note=user.username)
    db.session.flush()
    return [
        IssuedAccount(
            user_id=user.id,
            delegation=delegate.delegation.name,
            name=delegate.name,
            username=user.username,
            password=password,
        )
        for user, delegate, password in zip(users, delegates, passwords, strict=True)
    ]


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def password_list_filename(day: date, delegation: Delegation | None = None) -> str:
    """``delegate-accounts[-<delegation code>]-<date>.xlsx``."""
    middle = f"-{delegation.code}" if delegation is not None else ""
    return f"delegate-accounts{middle}-{day.isoformat()}.xlsx"


def write_password_list(accounts: Sequence[IssuedAccount], out: str | IO[bytes]) -> None:
    """The one-time passwords as an XLSX sheet: 代表团, 姓名, 账号, 初始密码, 说明, one row per
    account. Built in memory (no temporary file holds the passwords); every cell is text."""
    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    header = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    text = book.add_format({"border": 1, "valign": "vcenter"})
    quoted = book.add_format({"border": 1, "valign": "vcenter", "quote_prefix": True})
    code = book.add_format(
        {"border": 1, "valign": "vcenter", "font_name": "Consolas", "font_size": 12}
    )
    sheet = book.add_worksheet(_("初始密码"))
    headers = [_("代表团"), _("姓名"), _("用户名"), _("初始密码"), _("说明")]
    for col, (title, width) in enumerate(zip(headers, (14, 12, 16, 16, 22), strict=True)):
        sheet.write_string(0, col, title, header)
        sheet.set_column(col, col, width)
    note = _("首次登录须修改密码")
    for row, account in enumerate(accounts, start=1):
        for col, value in enumerate((account.delegation, account.name)):
            sheet.write_string(row, col, value, quoted if looks_like_formula(value) else text)
        sheet.write_string(row, 2, account.username, code)
        sheet.write_string(row, 3, account.password, code)
        sheet.write_string(row, 4, note, text)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(accounts), 1), len(headers) - 1)
    sheet.repeat_rows(0)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    book.close()


# --- the list of accounts ------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountFilters:
    """What the account list is narrowed to."""

    q: str = ""
    role: Role | None = None
    active: bool | None = None
    must_change: bool = False


ROLE_ORDER = sa.case({Role.ADMIN.value: 0, Role.STAFF.value: 1}, value=User.role, else_=2)


def account_list_select(filters: AccountFilters) -> sa.Select:
    """Accounts matching ``filters``: admins, then staff, then delegates, oldest first. ``q``
    matches the name shown or the username, ignoring case."""
    stmt = sa.select(User).options(
        selectinload(User.delegation),
        selectinload(User.delegate).selectinload(Delegate.delegation),
    )
    if filters.q:
        needle = filters.q.lower()
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(User.display_name).contains(needle, autoescape=True),
                sa.func.lower(User.username).contains(needle, autoescape=True),
            )
        )
    if filters.role is not None:
        stmt = stmt.where(User.role == filters.role)
    if filters.active is not None:
        stmt = stmt.where(User.active == filters.active)
    if filters.must_change:
        stmt = stmt.where(User.must_change_password == sa.true())
    return stmt.order_by(ROLE_ORDER, User.id)
