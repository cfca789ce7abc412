"""Whole public pages, kept for people who are not signed in.

A public page is the same for every visitor without a session, so the rendered response is kept in the shared
cache (Redis when configured) under its normalised address and served again without running the view. Three
rules keep it truthful:

- **Only pure reads of public pages by visitors without a session are kept**: a GET of a view marked ``@public``,
  from a request that carries no session or remember-me cookie, answered 200 without setting a cookie, and during
  which nothing was written to the database. A page with a form for visitors (sign-in, registration) sets a
  session cookie for its CSRF token, so it is never kept.
- **Any change that a public page could show makes every kept page stale at once.** Kept pages are filed under a
  *generation*; every commit that adds, changes or deletes a record of a kind that can appear in public (anything
  but the private records listed in :data:`PRIVATE_RECORDS`) starts a new generation. So a rating accepted or a
  round published is on the public pages at the next request, on every web process.
- **Nothing lives longer than** ``PUBLIC_CACHE_SECONDS``, so whatever depends on the date alone (a round that has
  just closed, say) is at most that old. ``PUBLIC_PAGE_CACHE`` turns the whole thing off.

Every public page also carries an ``ETag`` and answers a conditional request with 304, and says
``Cache-Control: public, max-age=0, s-maxage=…`` with ``Vary: Cookie``: browsers check back every time (cheaply),
while a reverse proxy or CDN may serve it for ``PUBLIC_PROXY_SECONDS``. A cache that cannot be reached is a miss.

A kept page is replayed with every header the view gave it, so a page served again is the page first served. Each
web process also holds the pages it has just served, whole, and answers the next request for one before Flask
routes it (:mod:`portal.page_front`); Flask tells it which responses are kept pages through the request's WSGI
environment (:data:`KEPT_ENVIRON`), so only what the rules above let Flask keep is ever answered there.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from datetime import date
from typing import NamedTuple
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, has_app_context, has_request_context, request, session
from sqlalchemy.orm import ORMExecuteState, Session

from portal import caching
from portal.periods import today_in_london

GENERATION_KEY = "page-generation"
NEVER_KEPT = {"main.healthcheck"}  # must always say how things are now
# Worked out again for each response, so never kept with a page's headers.
NOT_REPLAYED = frozenset({"content-length", "set-cookie", "date"})
# Where Flask tells the layer in front of it (portal.page_front) that its response is a kept page: a KeptFor.
KEPT_ENVIRON = "portal.page_cache.kept"

# Records that never appear on a public page, so writing them (sign-ins, emails, audit events, reviewers' scores)
# leaves the kept pages as they are. Anything not named here starts a new generation: a record missed here costs
# a little caching, never a stale page.
PRIVATE_RECORDS = frozenset(
    {
        "User",
        "UserSession",
        "RecoveryCode",
        "Invitation",
        "Membership",
        "AuditEvent",
        "OutboundMessage",
        "JobHandover",
        "ReminderSent",
        "AlertSubscription",
        "AlertSent",
        "ScreeningCheck",
        "ReviewAssignment",
        "Score",
        "Moderation",
        "ReturnQuery",
        # Worked out from public records, whose own change started a generation; the job that works them out
        # starts another when it is done (workers/dashboards.py).
        "DashboardFigures",
        # The open-data files' parts and the changes they wait for: a public change writes the one, and the files
        # (public records) are stored with the other.
        "OpenDataChange",
        "OpenDataGrant",
    }
)


def init_app(app: Flask) -> None:
    with app.app_context():
        new_generation()  # pages kept by the code that ran before this start are not this code's pages
    app.before_request(serve_kept_page)
    app.after_request(keep_page)
    for event, listener in (
        ("after_flush", _note_flushed_changes),
        ("do_orm_execute", _note_bulk_changes),
        ("after_commit", _start_new_generation),
        ("after_soft_rollback", _forget_changes),
    ):
        if not sa.event.contains(Session, event, listener):  # once per process, however many apps are made
            sa.event.listen(Session, event, listener)


# Noticing changes ----------------------------------------------------------------------------------------------


def _is_public_record(class_name: str) -> bool:
    return class_name not in PRIVATE_RECORDS


def _note_flushed_changes(session: Session, _context: object) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if changed:
        session.info["wrote"] = True
    if any(_is_public_record(type(record).__name__) for record in changed):
        session.info["public_changed"] = True


def _note_bulk_changes(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    state.session.info["wrote"] = True
    mapper = state.bind_mapper
    if mapper is None or _is_public_record(mapper.class_.__name__):
        state.session.info["public_changed"] = True


def _forget_changes(session: Session, _previous_transaction: object) -> None:
    session.info.pop("public_changed", None)
    session.info.pop("wrote", None)


def _start_new_generation(session: Session) -> None:
    wrote = session.info.pop("wrote", False)
    public_changed = session.info.pop("public_changed", False)
    if wrote and has_request_context():
        g.page_cache_wrote = True
    if public_changed and has_app_context():
        new_generation()


def new_generation() -> str:
    generation = uuid.uuid4().hex
    caching.set(GENERATION_KEY, generation, timeout=0)
    return generation


def _generation() -> str | None:
    return caching.get(GENERATION_KEY) or new_generation()


def current_generation() -> str | None:
    """The generation now (starting one if the cache has none); None when the cache cannot be reached."""
    generation = _generation()
    return generation if caching.get(GENERATION_KEY) == generation else None


# Serving and keeping pages -------------------------------------------------------------------------------------


def _may_use_cache() -> bool:
    if not current_app.config["PUBLIC_PAGE_CACHE"] or request.method not in ("GET", "HEAD"):
        return False
    if request.endpoint is None or request.endpoint == "static" or request.endpoint in NEVER_KEPT:
        return False
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "permission_policy", None) != "public":
        return False
    cookies = (
        current_app.config["SESSION_COOKIE_NAME"],
        current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"),
    )
    return not any(name in request.cookies for name in cookies)


class KeptFor(NamedTuple):
    """What a kept page was kept for: the generation and London's day in its key, and when its kept copy expires
    (seconds since the epoch)."""

    generation: str
    day: date
    expires_at: float


def _key(generation: str, day: date) -> str:
    query = urlencode(sorted(request.args.items(multi=True)))
    # Filed under London's date too, so whatever a page says because of the day alone changes at midnight.
    return f"page:{generation}:{day.isoformat()}:{request.path}?{query}"


def serve_kept_page() -> Response | None:
    g.page_cache = None
    if not _may_use_cache():
        return None
    generation = _generation()
    if generation is None:  # the cache cannot be reached: work the page out
        return None
    day = today_in_london()
    g.page_cache = (_key(generation, day), generation, day)
    kept = caching.get(g.page_cache[0])
    if kept is None:
        return None
    body, headers, etag, kept_at = kept
    response = Response(body, status=200, headers=headers)
    _public_headers(response, etag)
    response.headers["X-Page-Cache"] = "hit"
    response.make_conditional(request)
    request.environ[KEPT_ENVIRON] = KeptFor(generation, day, kept_at + current_app.config["PUBLIC_CACHE_SECONDS"])
    return response


def keep_page(response: Response) -> Response:
    kept_for = g.get("page_cache")
    if kept_for is None or response.headers.get("X-Page-Cache") == "hit":
        return response
    kept = (
        request.method == "GET"
        and response.status_code == 200
        and not response.direct_passthrough
        and not response.is_streamed
        and "Set-Cookie" not in response.headers
        and not session  # a session begun here (a form's CSRF token) becomes a cookie after this point
        and "no-store" not in response.headers.get("Cache-Control", "")
        and not g.get("page_cache_wrote", False)
        # The key names the address alone, so a page that differs by another of the request's headers is not kept.
        and all(name.lower() == "cookie" for name in response.vary)
    )
    if not kept:
        return response
    key, generation, day = kept_for
    body = response.get_data()
    etag = hashlib.sha256(body).hexdigest()[:32]
    headers = [(name, value) for name, value in response.headers.items() if name.lower() not in NOT_REPLAYED]
    kept_at, seconds = time.time(), current_app.config["PUBLIC_CACHE_SECONDS"]
    caching.set(key, (body, headers, etag, kept_at), timeout=seconds)
    _public_headers(response, etag)
    response.headers["X-Page-Cache"] = "miss"
    response.make_conditional(request)
    request.environ[KEPT_ENVIRON] = KeptFor(generation, day, kept_at + seconds)
    return response


def let_front_hold() -> None:
    """Let the layer in front of Flask hold this request's response in its process's memory though it is not kept
    in the shared cache: a stored open-data file, too big to copy there, that the view sends with its own ETag.
    The page cache's rules still decide: only a request the shared cache could have answered (a public GET
    without a session, the cache reachable) during which nothing was written, held under the generation read at its
    start, so a file stored since is a new generation and is read again."""
    kept_for = g.get("page_cache")
    if kept_for is None or request.method != "GET" or g.get("page_cache_wrote", False):
        return
    _, generation, day = kept_for
    expires_at = time.time() + current_app.config["PUBLIC_CACHE_SECONDS"]
    request.environ[KEPT_ENVIRON] = KeptFor(generation, day, expires_at)


def _public_headers(response: Response, etag: str) -> None:
    """An ETag, and caching rules for browsers and proxies unless the view chose its own (a published version's
    CSV, which never changes, may be kept for an hour)."""
    response.set_etag(etag)
    if "Cache-Control" not in response.headers:
        seconds = current_app.config["PUBLIC_PROXY_SECONDS"]
        response.headers["Cache-Control"] = f"public, max-age=0, s-maxage={seconds}"
    response.vary.add("Cookie")
