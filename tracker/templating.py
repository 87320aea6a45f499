"""Template globals: permission predicates, enum labels, formatting."""

from __future__ import annotations

from flask import Flask, request, url_for
from flask_babel import get_locale

from . import enums, permissions


def url_with(**changes) -> str:
    """The current URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict(flat=True)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def mask_phone(value: str | None) -> str:
    """13912345678 → 139****5678; short numbers keep only their last two digits."""
    digits = "".join(c for c in (value or "") if c.isdigit())
    if not digits:
        return ""
    if len(digits) >= 7:
        return digits[:3] + "****" + digits[-4:]
    return "*" * (len(digits) - 2) + digits[-2:]


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        can_view_activity=permissions.can_view_activity,
        can_edit_activity=permissions.can_edit_activity,
        can_log_activity=permissions.can_log_activity,
        can_view_all_activities=permissions.can_view_all_activities,
        ActivityStatus=enums.ActivityStatus,
        url_with=url_with,
    )
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["mask_phone"] = mask_phone
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
