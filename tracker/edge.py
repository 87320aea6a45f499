"""The edge where input enters: every value is bounded before the app uses it.

One rule for text, however a request arrives (query string, url-encoded or multipart form,
JSON body, an uploaded file's name):

- a NUL character refuses the whole request (400): no keyboard types one, PostgreSQL cannot
  store one, and it has no meaning in any field (in an uploaded file's name, which the app
  rewrites anyway, it is dropped like the others);
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

from flask import Flask, Request, current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.formparser import FormDataParser
from werkzeug.routing import BaseConverter, ValidationError

# PostgreSQL's integer: every id, version and count column of the tracker.
MAX_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")
# C0 controls but tab, LF and CR; DEL; C1 controls.
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class BadInput(ValueError):
    """A value that no field can take (a NUL character)."""


class ControlCharacterRefused(BadRequest):
    """400, with words for the page: the request carried a character no field can hold."""

    message = _l(
        "提交的内容含有无法保存的控制字符（如 NUL），请删除后再提交。您填写的内容仍在上一页。"
    )


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
    # A file's name is only a label the app rewrites anyway, so every control character in
    # it, NUL included, is dropped rather than losing the file (the photo) for it.
    cleaned = []
    for key, upload in files.items(multi=True):
        if upload.filename:
            upload.filename = clean_text(upload.filename.replace("\x00", ""))
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
            raise ControlCharacterRefused() from None


class EdgeRequest(Request):
    """The app's request: forms and JSON bodies pass the text rule as they are read."""

    form_data_parser_class = EdgeFormDataParser

    def get_json(self, *args: Any, **kwargs: Any) -> Any:
        data = super().get_json(*args, **kwargs)
        try:
            return clean_json(data)
        except BadInput:
            raise ControlCharacterRefused() from None


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
        raise ControlCharacterRefused()


# Forms are read (and so checked) before any view runs, as the CSRF check reads them; a view
# that sets its own size limit first (an upload) is marked with reads_own_body.
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def reads_own_body(view: Any) -> Any:
    """Mark a view that reads its request body itself, after its own checks and size limit."""
    view.reads_own_body = True
    return view


def read_form_first() -> None:
    """Read a posted form before the view: a NUL in it is refused (400) whatever the view
    would have done first (a redirect, a permission check)."""
    if request.method not in WRITE_METHODS or request.mimetype not in FORM_TYPES:
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and getattr(view, "reads_own_body", False):
        return
    request.form  # noqa: B018 - parsing applies the text rule


def init_app(app: Flask) -> None:
    """Install the edge rules: the request class, the ``int`` converter (before any route is
    added), the URL check and the early form read."""
    app.request_class = EdgeRequest
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_nul_in_url)
    app.before_request(read_form_first)
