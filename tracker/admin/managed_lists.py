"""Managed lists (代表家站, 代表团, 承办单位): what a list's row buttons do, once for all of them.

Each list is a :class:`ManagedList` naming its page, the anchor of its rows, its retire and
delete services and its messages. A view loads the row and checks permission as usual, then
lets the list carry out a retire, restore or delete (:meth:`ManagedList.change_state`) and
finish the request (:meth:`ManagedList.done`: commit, flash, back to the row). The template
side is ``templates/macros/managed_list.html``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, url_for
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import db
from .lists import Removal


@dataclass(frozen=True)
class RowMessages:
    """What the page says after a row button; each message has a ``%(name)s`` for the row."""

    retired: LazyString
    restored: LazyString = _l("已恢复使用：%(name)s")
    deleted: LazyString | None = None
    # A delete refused because something refers to the row: it was retired already, or is now.
    kept_retired: LazyString | None = None
    now_retired: LazyString | None = None


@dataclass(frozen=True)
class Outcome:
    """A row button's result: the message, its flash category, and whether the row is gone."""

    message: str
    category: str = "success"
    deleted: bool = False


def _say(message: LazyString | None, name: str) -> str:
    # The same as gettext(message, name=name): translate, then fill in the row's name.
    return str(message) % {"name": name}


@dataclass(frozen=True)
class ManagedList:
    """One managed list: its page, its rows' anchors, its services and its messages."""

    endpoint: str  # the page the list is on, where every button returns
    anchor: str | None  # rows are #<anchor>-<id> on the page; None: the page's top
    set_retired: Callable[[Any, Any, bool], Any]  # (row, actor, retired)
    messages: RowMessages
    delete_or_retire: Callable[[Any, Any], Removal] | None = None  # (row, actor)

    def row_anchor(self, row_id: int | None) -> str | None:
        """The anchor of a row on the page, or None to land at the top."""
        if self.anchor is None or row_id is None:
            return None
        return f"{self.anchor}-{row_id}"

    def row_form(self, form_class: type, row: Any, shown: dict[str, Any], **kwargs: Any):
        """The edit form of one row, its fields prefixed with the row's anchor (the page's
        row buttons name theirs the same way); ``shown`` gives each field's stored value."""
        # ``shown`` is the form's data: shown as it is without form data, and kept for any
        # field a post leaves out (a script, not a browser), never emptied.
        return form_class(prefix=self.row_anchor(row.id), data=shown, **kwargs)

    def change_state(self, row: Any, action: str) -> Outcome:
        """Retire, restore or delete ``row`` as the button pressed says. A row in use is
        retired instead of deleted (the delete service decides)."""
        name = row.name
        if action == "delete" and self.delete_or_retire is not None:
            was_retired = row.is_retired
            if self.delete_or_retire(row, current_user) is Removal.DELETED:
                return Outcome(_say(self.messages.deleted, name), deleted=True)
            refused = self.messages.kept_retired if was_retired else self.messages.now_retired
            return Outcome(_say(refused, name), "warning")
        if action not in ("retire", "restore"):  # the forms let no other action through
            raise ValueError(f"not a row action of this list: {action!r}")
        retire = action == "retire"
        self.set_retired(row, current_user, retire)
        return Outcome(_say(self.messages.retired if retire else self.messages.restored, name))

    def refuse(self, field: Any, message: str | LazyString) -> None:
        """A service refused the form: undo its changes and show why next to ``field``."""
        db.session.rollback()
        field.errors.append(str(message))

    def done(self, outcome: Outcome, row_id: int | None = None, **args: str):
        """Commit, say what happened, and go back to the page (at the row, unless deleted);
        ``args`` carry the page's filters."""
        db.session.commit()
        flash(outcome.message, outcome.category)
        anchor = None if outcome.deleted else self.row_anchor(row_id)
        return redirect(url_for(self.endpoint, **args, _anchor=anchor))
