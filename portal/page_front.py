"""Kept public pages answered in front of Flask, from each web process's memory.

Serving a kept page through Flask (:mod:`portal.page_cache`) still costs a whole request: the security and
permission checks, the session and sign-in machinery, two reads from the shared cache (the generation, then the
page) and every after-request step. This layer stands in front of all of it. When Flask has answered a GET with a
kept page, the layer holds the response as it went out (status, body and every header, the security headers
included) in this process's memory; the next request for the same address is answered from there before Flask
routes it, for one read of the generation from the shared cache. Its rules are the page cache's:

- **Only what Flask kept is held**, under the address exactly as asked for (scheme, host, forwarded scheme, path
  and query string) and the encodings the client accepts, so a request is answered here only where the same
  request reached a kept page in Flask, after every permission check. A request carrying a session or
  remember-me cookie is never answered here.
- **A change to any public record is seen at the next request.** Every answer first reads the generation from the
  shared cache; a page kept under another generation is not served, and pages of an old generation are let go.
  A cache that cannot be read is a miss: the request goes to Flask, which works the page out.
- **Nothing is held longer than its kept copy lives** (``PUBLIC_CACHE_SECONDS`` from when Flask made it) nor served
  on a later London day than it was made. ``PUBLIC_PAGE_CACHE`` off sends every request to Flask.
- A conditional request is answered as Flask answers it (``werkzeug``'s rules: 304 without the body's headers); a
  HEAD gets the headers alone. Only the ``Date`` differs, being now.

Each process holds at most ``PUBLIC_PAGE_MEMORY_MB`` of pages, letting the least recently served go first.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from werkzeug.http import http_date, is_resource_modified, parse_cookie, remove_entity_headers

from portal import page_cache
from portal.extensions import cache
from portal.periods import today_in_london

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask import Flask

# What names a page here: everything in the request that a kept page's body or headers may depend on. The cookie
# is judged apart (any session or remember-me cookie sends the request to Flask).
ADDRESS = (
    "wsgi.url_scheme",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "HTTP_X_FORWARDED_PROTO",  # read by the security headers (HTTPS redirects, Strict-Transport-Security)
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
    "HTTP_ACCEPT_ENCODING",  # the open-data files are sent gzipped to a client that accepts it
)
NOT_MODIFIED = "304 NOT MODIFIED"


@dataclass(frozen=True)
class HeldPage:
    """A kept page's response as it went out, and what it was kept for."""

    status: str
    headers: list[tuple[str, str]]
    date_at: int | None  # where the Date header is, so each answer can say now
    etag: str | None
    last_modified: str | None
    body: bytes
    generation: str
    day: date
    expires_at: float

    def headers_now(self) -> list[tuple[str, str]]:
        headers = list(self.headers)
        if self.date_at is not None:
            headers[self.date_at] = ("Date", _now_as_http_date())
        return headers


class PageFront:
    """The WSGI layer: answers from the pages held here, otherwise hands the request to Flask and holds what Flask
    says is a kept page."""

    def __init__(self, app: Flask, wsgi_app: WSGIApplication) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.pages: OrderedDict[tuple[Any, ...], HeldPage] = OrderedDict()
        self.held_bytes = 0
        self.generation: str | None = None  # the last generation read: every page held belongs to it or is stale
        self.lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        config = self.app.config
        if not config["PUBLIC_PAGE_CACHE"] or environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        address = tuple(environ.get(name) for name in ADDRESS)
        page = self.pages.get(address)
        if (
            page is not None
            and not self._has_session_cookie(environ)
            and "HTTP_IF_MATCH" not in environ  # answered 412 by Flask: rare enough to leave to it
            and page.expires_at > time.time()
            and page.day == today_in_london()
            and page.generation == self._current_generation()
        ):
            with self.lock:
                if address in self.pages:
                    self.pages.move_to_end(address)
            return self._answer(page, environ, start_response)
        return self._through_flask(address, environ, start_response)

    # Answering -------------------------------------------------------------------------------------------------

    def _answer(self, page: HeldPage, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        conditional = "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ
        if conditional and not is_resource_modified(environ, page.etag, last_modified=page.last_modified):
            headers = page.headers_now()
            remove_entity_headers(headers)
            start_response(NOT_MODIFIED, headers)
            return []
        start_response(page.status, page.headers_now())
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [page.body]

    def _has_session_cookie(self, environ: WSGIEnvironment) -> bool:
        if "HTTP_COOKIE" not in environ:
            return False
        cookies = parse_cookie(environ)
        names = (self.app.config["SESSION_COOKIE_NAME"], self.app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))
        return any(name in cookies for name in names)

    def _current_generation(self) -> str | None:
        """The generation in the shared cache now; None when it has none or cannot be reached."""
        try:
            generation: str | None = self.app.extensions["cache"][cache].get(page_cache.GENERATION_KEY)
        except Exception:
            return None  # Flask reads it again, finds the cache down and works the page out
        if generation != self.generation:
            with self.lock:
                self.generation = generation
                self._let_go(lambda held: held.generation != generation)
        return generation

    # Holding what Flask kept -----------------------------------------------------------------------------------

    def _through_flask(
        self, address: tuple[Any, ...], environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        sent: list[Any] = []

        def start_and_note(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[..., Any]:
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, start_and_note)
        kept_for = environ.get(page_cache.KEPT_ENVIRON)
        if kept_for is None or environ["REQUEST_METHOD"] != "GET" or not sent or not sent[0].startswith("200 "):
            return body
        status, headers = sent
        names = [name.lower() for name, _ in headers]
        length = next((int(value) for name, value in headers if name.lower() == "content-length"), None)
        budget = self.app.config["PUBLIC_PAGE_MEMORY_MB"] * 1024 * 1024
        if "set-cookie" in names or length is None or length > budget:
            return body
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        if len(data) == length:
            self._hold(address, HeldPage(status, *_replayable(headers), data, *kept_for), budget)
        return [data]

    def _hold(self, address: tuple[Any, ...], page: HeldPage, budget: int) -> None:
        with self.lock:
            previous = self.pages.pop(address, None)
            if previous is not None:
                self.held_bytes -= len(previous.body)
            self.pages[address] = page
            self.held_bytes += len(page.body)
            while self.held_bytes > budget:
                _, oldest = self.pages.popitem(last=False)
                self.held_bytes -= len(oldest.body)

    def _let_go(self, stale: Callable[[HeldPage], bool]) -> None:
        for address in [address for address, held in self.pages.items() if stale(held)]:
            self.held_bytes -= len(self.pages.pop(address).body)


def _replayable(
    headers: list[tuple[str, str]],
) -> tuple[list[tuple[str, str]], int | None, str | None, str | None]:
    """The headers to send again (a hit's, as Flask sends it), where the Date is, the ETag and Last-Modified."""
    replayed = [(name, "hit" if name.lower() == "x-page-cache" else value) for name, value in headers]
    found = {name.lower(): (index, value) for index, (name, value) in enumerate(replayed)}
    date_at = found["date"][0] if "date" in found else None
    etag = found["etag"][1] if "etag" in found else None
    last_modified = found["last-modified"][1] if "last-modified" in found else None
    return replayed, date_at, etag, last_modified


@lru_cache(maxsize=1)
def _http_date(second: int) -> str:
    return http_date(second)


def _now_as_http_date() -> str:
    """The Date header for now, worked out once a second."""
    return _http_date(int(time.time()))


def install(app: Flask) -> None:
    """Put the layer in front of the app's WSGI callable (inside any proxy fix, so it sees the request as Flask
    does)."""
    front = PageFront(app, app.wsgi_app)
    app.extensions["page_front"] = front
    # Flask documents wrapping wsgi_app like this; its types declare wsgi_app a method, so mypy refuses it.
    app.wsgi_app = front  # type: ignore[method-assign]
