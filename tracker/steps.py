"""One POSTed step on an object (approve, refer, reply …), the same way on every page.

Review, proposals and concerns each change an object through a service that raises when
someone acted first or the object's state no longer allows the step. :func:`take_step` runs
the service and turns its outcome into the response: the change committed with a notice, or
nothing written and the fresh page shown with a warning (409), or 404/403 for a person who
may not act. Nothing half-done is ever committed: every refusal rolls the session back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import abort, flash, redirect
from werkzeug.wrappers import Response

from .extensions import db

Handler = Callable[[Exception], Any]


def refused(message: str, render: Callable[[], Any], status: int = 409) -> Any:
    """Nothing was written: roll back, say why, and show the page as it is now."""
    db.session.rollback()
    flash(message, "warning")
    page = render()
    if isinstance(page, tuple):  # a view's (body, status)
        page = page[0]
    return page, status


def take_step(
    perform: Callable[[], object],
    *,
    done: str,
    then: str,
    conflicts: tuple[type[Exception], ...],
    on_conflict: Callable[[], Any],
    not_allowed: tuple[type[Exception], ...] = (),
    not_allowed_status: int = 404,
    handlers: Sequence[tuple[type[Exception], Handler]] = (),
) -> Any:
    """Run ``perform`` (which calls the service), then commit, flash ``done`` and redirect to
    ``then``. A ``conflicts`` exception gives ``on_conflict()`` (usually :func:`refused`), a
    ``not_allowed`` one aborts with ``not_allowed_status``, and ``handlers`` answer the other
    outcomes a page knows (each rolls back itself); anything else is a bug and is raised."""
    try:
        perform()
    except Exception as error:
        if isinstance(error, conflicts):
            return on_conflict()
        for kind, handle in handlers:
            if isinstance(error, kind):
                return handle(error)
        if isinstance(error, not_allowed):
            db.session.rollback()
            abort(not_allowed_status)
        raise
    db.session.commit()
    flash(done, "success")
    response: Response = redirect(then)
    return response
