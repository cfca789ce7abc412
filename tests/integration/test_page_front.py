"""Kept public pages answered in front of Flask from the process's memory: exactly the response Flask gave (every
header, the security headers included), only to visitors without a session, never after a public change, a new
day or the kept copy's lifetime, and not at all with the page cache turned off."""

import os
from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from flask import request_started

from portal.database import utcnow
from portal.extensions import db
from portal.page_front import HeldPage, PageFront
from tests.conftest import another_app
from tests.factories_reports import create_funding

SECURITY_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy")


@contextmanager
def reaching_flask(app):
    """The addresses of the requests that reached Flask (and were not answered in front of it) meanwhile."""
    reached: list[str] = []

    def note(_sender, **_extra):
        from flask import request

        reached.append(request.full_path)

    request_started.connect(note, app)
    try:
        yield reached
    finally:
        request_started.disconnect(note, app)


def without_date(response) -> list[tuple[str, str]]:
    """The headers in order, the Date (always now) aside."""
    return [(name, value) for name, value in response.headers.items() if name != "Date"]


def front(app) -> PageFront:
    return app.extensions["page_front"]


def test_a_kept_page_is_answered_in_front_of_flask_with_every_header_flask_gave_it(app, client):
    funding = create_funding()
    url = f"/services/{funding.advocacy.id}"
    with reaching_flask(app) as reached:
        made = client.get(url)
        answered = client.get(url)
    assert reached == [f"{url}?"]  # the second never reached Flask
    assert made.headers["X-Page-Cache"] == "miss" and answered.headers["X-Page-Cache"] == "hit"
    assert answered.status == made.status == "200 OK"
    assert answered.data == made.data
    assert without_date(answered) == [
        (name, "hit" if name == "X-Page-Cache" else value) for name, value in without_date(made)
    ]
    assert all(answered.headers[name] == made.headers[name] for name in SECURITY_HEADERS)
    assert "Date" in answered.headers

    front(app).pages.clear()  # as another process would: Flask serves the kept copy from the shared cache
    with reaching_flask(app) as reached:
        replayed = client.get(url)
    assert reached == [f"{url}?"]
    assert replayed.headers["X-Page-Cache"] == "hit"
    assert (replayed.status, without_date(replayed), replayed.data) == (
        answered.status,
        without_date(answered),
        answered.data,
    )


def test_conditional_requests_and_head_are_answered_as_flask_answers_them(app, client):
    funding = create_funding()
    url = f"/services/{funding.advocacy.id}"
    kept = client.get(url)
    conditional = {"If-None-Match": kept.headers["ETag"]}
    answered = {
        "unchanged": client.get(url, headers=conditional),
        "head": client.head(url),
        "other etag": client.get(url, headers={"If-None-Match": '"something-else"'}),
    }
    front(app).pages.clear()
    with reaching_flask(app) as reached:
        by_flask = {
            "unchanged": client.get(url, headers=conditional),
            "head": client.head(url),
            "other etag": client.get(url, headers={"If-None-Match": '"something-else"'}),
        }
    assert len(reached) == 3
    for case, response in answered.items():
        flask_response = by_flask[case]
        assert (response.status, without_date(response), response.data) == (
            flask_response.status,
            without_date(flask_response),
            flask_response.data,
        ), case
    assert answered["unchanged"].status_code == 304 and not answered["unchanged"].data
    assert "Content-Type" not in answered["unchanged"].headers
    assert answered["head"].status_code == 200 and not answered["head"].data
    assert answered["head"].headers["Content-Length"] == str(len(kept.data))
    assert answered["other etag"].data == kept.data


def test_a_visitor_with_a_session_cookie_always_reaches_flask(app, client):
    funding = create_funding()
    client.get("/services")
    client.sign_in(funding.officer)
    with reaching_flask(app) as reached:
        page = client.get("/services")
    assert reached == ["/services?"]
    assert "X-Page-Cache" not in page.headers and page.headers["Cache-Control"] == "no-store"


def test_the_same_address_with_another_host_or_scheme_reaches_flask(app, client):
    create_funding()
    client.get("/services")
    with reaching_flask(app) as reached:
        client.get("/services")
        client.get("/services", base_url="http://portal.example")
        client.get("/services", headers={"X-Forwarded-Proto": "https"})
    assert reached == ["/services?", "/services?"]


def test_a_public_change_is_there_at_the_next_request(app, client):
    funding = create_funding()
    url = f"/services/{funding.advocacy.id}"
    client.get(url)
    with reaching_flask(app) as reached:
        client.get(url)
        funding.advocacy.title = "Advocacy, renamed"
        db.session.commit()
        renamed = client.get(url)
    assert reached == [f"{url}?"]
    assert renamed.headers["X-Page-Cache"] == "miss" and b"Advocacy, renamed" in renamed.data
    assert all(held.generation == front(app).generation for held in front(app).pages.values())


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="processes share the generation through Redis")
def test_a_public_change_made_by_one_process_is_there_at_the_next_request_to_another(app, client):
    funding = create_funding()
    url = f"/services/{funding.advocacy.id}"
    with another_app(app, SECRET_KEY=app.config["SECRET_KEY"]) as other:
        other_client = other.test_client()
        other_client.get(url)
        with reaching_flask(other) as reached:
            assert other_client.get(url).headers["X-Page-Cache"] == "hit"
        assert reached == []

        funding.advocacy.title = "Advocacy, renamed elsewhere"
        db.session.commit()  # in this process: the other holds the old page in its memory
        renamed = other_client.get(url)
        assert renamed.headers["X-Page-Cache"] == "miss"
        assert b"Advocacy, renamed elsewhere" in renamed.data


def test_a_page_is_not_answered_after_its_kept_copy_expires_nor_on_the_next_day(app, client):
    create_funding()
    client.get("/services")
    seconds = app.config["PUBLIC_CACHE_SECONDS"]
    with time_machine.travel(utcnow() + timedelta(seconds=seconds + 1), tick=False), reaching_flask(app) as reached:
        client.get("/services")
    assert reached == ["/services?"]

    # Kept for three days: still not answered once London's day has changed.
    app.config["PUBLIC_CACHE_SECONDS"] = 3 * 24 * 60 * 60
    try:
        front(app).pages.clear()
        client.get("/services")
        with time_machine.travel(utcnow() + timedelta(days=1), tick=False), reaching_flask(app) as reached:
            client.get("/services")
    finally:
        app.config["PUBLIC_CACHE_SECONDS"] = seconds
    assert reached == ["/services?"]


def test_with_the_page_cache_off_every_request_reaches_flask(app, client):
    create_funding()
    client.get("/services")
    app.config["PUBLIC_PAGE_CACHE"] = False
    try:
        with reaching_flask(app) as reached:
            page = client.get("/services")
    finally:
        app.config["PUBLIC_PAGE_CACHE"] = True
    assert reached == ["/services?"] and "X-Page-Cache" not in page.headers


def test_pages_that_were_not_kept_are_never_held(app, client):
    funding = create_funding()
    front(app).pages.clear()  # pages held by earlier tests, of generations gone
    for url in ("/sign-in", "/healthcheck", "/services/999999"):
        client.get(url)
        client.delete_cookie("session")
    client.sign_in(funding.officer)
    client.get("/services")
    assert front(app).pages == {}


def test_each_process_holds_no_more_than_its_share_of_memory():
    held = PageFront(app=None, wsgi_app=None)  # type: ignore[arg-type]
    today = utcnow().date()

    def page(size: int) -> HeldPage:
        return HeldPage("200 OK", [], None, None, None, b"x" * size, "generation", today, 0.0)

    for number in range(5):
        held._hold(("address", number), page(40), budget=100)
    assert list(held.pages) == [("address", 3), ("address", 4)] and held.held_bytes == 80
    held._hold(("address", 3), page(10), budget=100)  # served again: the newest
    assert list(held.pages) == [("address", 4), ("address", 3)] and held.held_bytes == 50
