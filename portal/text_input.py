"""The one place text from a request is cleaned before anything reads it.

A NUL or another control character cannot be stored in a PostgreSQL text column and means nothing in a name, an
address or a reply, so it is dropped from every submitted form field and query-string value (and their names) as
the request is parsed. Tabs and line breaks are kept: people type them in longer answers. Everything that reads a
request (forms, ``request.form``, ``request.args``) sees the cleaned text, so no view can forget to clean it.
"""

import re
from typing import Any

from flask import Request, abort, request
from werkzeug.datastructures import ImmutableMultiDict, iter_multi_items

# C0 controls other than tab, line feed and carriage return; DEL; C1 controls; and lone surrogates, which cannot be
# written as UTF-8.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean(text: str) -> str:
    """``text`` without the characters that cannot be stored or shown."""
    return _UNSTORABLE.sub("", text)


def has_unstorable(text: str) -> bool:
    return _UNSTORABLE.search(text) is not None


def _cleaned(value: Any) -> Any:
    return clean(value) if isinstance(value, str) else value  # uploaded files are left as they are


class CleanedMultiDict(ImmutableMultiDict):
    """The request's form and query-string values, each cleaned as it is read in."""

    def __init__(self, mapping: Any = None) -> None:
        if mapping is None:
            super().__init__()
        else:
            super().__init__([(_cleaned(key), _cleaned(value)) for key, value in iter_multi_items(mapping)])


class PortalRequest(Request):
    parameter_storage_class = CleanedMultiDict


def refuse_unstorable_paths() -> None:
    """Run before each request: an address whose parts hold a control character names nothing here (404), rather
    than reaching the database with text it cannot compare."""
    for value in (request.view_args or {}).values():
        if isinstance(value, str) and has_unstorable(value):
            abort(404)
