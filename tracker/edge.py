"""The edge where input enters: every value is bounded before the app uses it.

One rule for text, however a request arrives (query string, url-encoded or multipart form,
JSON body, an uploaded file's name):

- a NUL character refuses the whole request (400): no keyboard types one, PostgreSQL cannot
  store one, and it has no meaning in any field;
- the other control characters (C0 and C1, but tab, line feed and carriage return) are
  dropped: they are invisible, they arrive by pasting from other programs, and XML-based
  exports (XLSX, Word) cannot hold them.

And one rule for numbers that name rows: an id, a page number or a version is ASCII digits
only and fits the database's integer column (PostgreSQL's ``integer``, 2^31 - 1). The app's
``int`` URL converter applies it to every ``<int:…>`` route, so an id out of range is a 404;
:func:`query_int` applies it to query-string numbers (``?page=``, ``?delegation=``), where a
bad value counts as absent.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Request, abort, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.formparser import FormDataParser
from werkzeug.routing import BaseConverter, ValidationError

# PostgreSQL's integer: every id, version and count column of the tracker.
MAX_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")
# C0 controls but tab, LF and CR; DEL; C1 controls.
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class BadInput(ValueError):
    """A value that no field can take (a NUL character)."""


def as_id(text: Any, *, maximum: int = MAX_ID) -> int | None:
    """``text`` as a row number when it is 1-10 ASCII digits within 0..``maximum``, else None.

    ``str.isdigit`` and ``int()`` accept other scripts' digits (٣, ², ३); ids are ASCII."""
    if not isinstance(text, str) or not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= maximum else None


def version_of(text: Any) -> int:
    """A posted row version: 0 when none was posted, -1 (which no row has, so the change is
    refused as stale) when it is not a version at all."""
    if not text:
        return 0
    version = as_id(text)
    return -1 if version is None else version


def clean_text(value: str) -> str:
    """``value`` with control characters dropped; a NUL raises :class:`BadInput`."""
    if "\x00" in value:
        raise BadInput("NUL character")
    return _CONTROL.sub("", value) if _CONTROL.search(value) else value


def clean_json(value: Any) -> Any:
    """Every string (keys too) of a parsed JSON document through :func:`clean_text`."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_json(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(k): clean_json(v) for k, v in value.items()}
    return value


def _clean_pairs(values: MultiDict) -> ImmutableMultiDict:
    return ImmutableMultiDict(
        [(clean_text(key), clean_text(value)) for key, value in values.items(multi=True)]
    )


def _clean_files(files: MultiDict) -> ImmutableMultiDict:
    cleaned = []
    for key, upload in files.items(multi=True):
        if upload.filename:
            upload.filename = clean_text(upload.filename)
        cleaned.append((clean_text(key), upload))
    return ImmutableMultiDict(cleaned)


class EdgeFormDataParser(FormDataParser):
    """Parses url-encoded and multipart forms as Werkzeug does, then applies the text rule to
    every field name, value and file name. It runs when a view first reads ``request.form``,
    after the view has set its own size limit for an upload."""

    def parse(self, *args: Any, **kwargs: Any) -> tuple[Any, MultiDict, MultiDict]:
        stream, form, files = super().parse(*args, **kwargs)
        try:
            return stream, _clean_pairs(form), _clean_files(files)
        except BadInput:
            abort(400)


class EdgeRequest(Request):
    """The app's request: forms and JSON bodies pass the text rule as they are read."""

    form_data_parser_class = EdgeFormDataParser

    def get_json(self, *args: Any, **kwargs: Any) -> Any:
        data = super().get_json(*args, **kwargs)
        try:
            return clean_json(data)
        except BadInput:
            abort(400)


class IdConverter(BaseConverter):
    """``<int:…>`` for the tracker: 1-10 ASCII digits within the integer column's range;
    anything else does not match the route (404)."""

    regex = r"[0-9]{1,10}"
    weight = 50

    def to_python(self, value: str) -> int:
        number = as_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


def query_int(name: str, default: int | None = None, *, maximum: int = MAX_ID) -> int | None:
    """A query-string number (``?page=3``): ``default`` when absent, not ASCII digits, or over
    ``maximum``."""
    value = as_id(request.args.get(name), maximum=maximum)
    return default if value is None else value


def refuse_nul_in_url() -> None:
    """Refuse (400) a NUL character in the path or the query string, before any view runs;
    other control characters there are left to the views, which ignore unknown values."""
    if "\x00" in request.path or any(
        "\x00" in key or any("\x00" in v for v in request.args.getlist(key)) for key in request.args
    ):
        abort(400)


def init_app(app: Flask) -> None:
    """Install the edge rules: the request class, the ``int`` converter (before any route is
    added) and the URL check."""
    app.request_class = EdgeRequest
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_nul_in_url)
