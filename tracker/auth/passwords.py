"""Password hashing with argon2id, and the password policy."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import gettext as _

# A user name shorter than this is not looked for inside the password: two letters of pinyin
# ("li") would forbid far too many passwords while protecting nothing.
MIN_USERNAME_TO_CHECK = 3


@lru_cache(maxsize=4)
def _hasher_for(params: tuple[tuple[str, int], ...]) -> PasswordHasher:
    return PasswordHasher(**dict(params))


def _hasher() -> PasswordHasher:
    """argon2's recommended parameters, unless the config lowers them (the test suite does)."""
    params = current_app.config.get("ARGON2_PARAMS") if has_app_context() else None
    return _hasher_for(tuple(sorted((params or {}).items())))


@lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches. An unknown user still costs one verification,
    so the answer takes as long as for a wrong password."""
    hasher = _hasher()
    try:
        ok = hasher.verify(password_hash or _dummy_hash(hasher), password)
    except (VerificationError, InvalidHashError):
        return False
    return ok and password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than today's."""
    return _hasher().check_needs_rehash(password_hash)


def character_classes(password: str) -> int:
    """How many of the four kinds of character ``password`` uses: a-z, A-Z, 0-9 and anything
    else (symbols, spaces, Chinese characters)."""
    lower = any("a" <= c <= "z" for c in password)
    upper = any("A" <= c <= "Z" for c in password)
    digit = any("0" <= c <= "9" for c in password)
    other = any(not ("a" <= c <= "z" or "A" <= c <= "Z" or "0" <= c <= "9") for c in password)
    return lower + upper + digit + other


def password_problems(password: str, username: str | None = None) -> list[str]:
    """Why ``password`` does not meet the policy, one message per rule broken (empty when it
    does): at least PASSWORD_MIN_LENGTH characters, PASSWORD_MIN_CLASSES of the four kinds
    (:func:`character_classes`), and not containing ``username``, whatever the case. Comparing
    with the current password is the caller's job: only it knows that password."""
    config = current_app.config
    min_length = config["PASSWORD_MIN_LENGTH"]
    min_classes = config["PASSWORD_MIN_CLASSES"]
    problems = []
    if len(password) < min_length:
        problems.append(_("密码至少 %(n)s 位。", n=min_length))
    if character_classes(password) < min_classes:
        problems.append(
            _(
                "密码须包含小写字母、大写字母、数字、其他符号这四类中的至少 %(n)s 类。",
                n=min_classes,
            )
        )
    name = (username or "").strip().lower()
    if len(name) >= MIN_USERNAME_TO_CHECK and name in password.lower():
        problems.append(_("密码不能包含用户名。"))
    return problems
