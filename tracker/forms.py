"""Pieces every area's forms share."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField


def strip(value):
    """Filter: trim surrounding spaces from text input."""
    return value.strip() if isinstance(value, str) else value


class VersionedForm(FlaskForm):
    """Carries the version of the object its user read; the change is refused if it moved."""

    version = HiddenField()

    def read_version(self) -> int:
        try:
            return int(self.version.data or 0)
        except ValueError:
            return 0
