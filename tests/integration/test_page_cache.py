"""Whole public pages kept for visitors without a session: served again without running the view, made stale at
once by any change a public page could show, and never kept for signed-in people, for pages that write or for
pages with a form."""

import sqlalchemy as sa

from portal import audit
from portal.extensions import db
from portal.models import Award
from tests.factories_reports import create_funding


def _get(client, url="/services", **headers):
    return client.get(url, headers=headers)


def test_a_public_page_is_kept_and_served_again_with_an_etag(client):
    create_funding()
    first = _get(client)
    assert first.status_code == 200 and first.headers["X-Page-Cache"] == "miss"
    second = _get(client)
    assert second.headers["X-Page-Cache"] == "hit"
    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]
    assert "public" in second.headers["Cache-Control"] and "max-age=0" in second.headers["Cache-Control"]
    assert "Cookie" in second.headers["Vary"]
    assert "Set-Cookie" not in first.headers

    unchanged = _get(client, **{"If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304 and not unchanged.data


def test_the_address_is_normalised_so_the_same_question_is_kept_once(client):
    create_funding()
    assert _get(client, "/services?borough=Lambeth&area=victim_support").headers["X-Page-Cache"] == "miss"
    assert _get(client, "/services?area=victim_support&borough=Lambeth").headers["X-Page-Cache"] == "hit"
    assert _get(client, "/services?area=victim_support").headers["X-Page-Cache"] == "miss"


def test_a_change_a_public_page_could_show_is_there_at_the_next_request(client):
    funding = create_funding()
    _get(client, f"/services/{funding.advocacy.id}")
    assert _get(client, f"/services/{funding.advocacy.id}").headers["X-Page-Cache"] == "hit"

    funding.advocacy.title = "Southwark and Lambeth advocacy, renamed"
    db.session.commit()
    renamed = _get(client, f"/services/{funding.advocacy.id}")
    assert renamed.headers["X-Page-Cache"] == "miss"
    assert b"Southwark and Lambeth advocacy, renamed" in renamed.data

    db.session.execute(sa.update(Award).where(Award.id == funding.advocacy.id).values(title="Changed in bulk"))
    db.session.commit()
    assert b"Changed in bulk" in _get(client, f"/services/{funding.advocacy.id}").data


def test_writing_only_private_records_leaves_kept_pages_alone(client):
    funding = create_funding()
    _get(client)
    audit.record("something_private", funding.officer, actor=funding.officer)
    db.session.commit()
    assert _get(client).headers["X-Page-Cache"] == "hit"


def test_a_change_that_is_rolled_back_leaves_kept_pages_alone(client):
    funding = create_funding()
    _get(client)
    funding.advocacy.title = "Never saved"
    db.session.flush()
    db.session.rollback()
    kept = _get(client)
    assert kept.headers["X-Page-Cache"] == "hit" and b"Never saved" not in kept.data


def test_signed_in_people_are_never_served_a_kept_page(client):
    funding = create_funding()
    _get(client)
    client.sign_in(funding.officer)
    page = _get(client)
    assert "X-Page-Cache" not in page.headers
    assert page.headers["Cache-Control"] == "no-store"
    assert b"Signed in as Tom Brennan" in page.data


def test_pages_with_a_form_and_the_healthcheck_are_never_kept(client):
    for url in ("/sign-in", "/healthcheck"):
        _get(client, url)
        assert "X-Page-Cache" not in _get(client, url).headers, url
        client.delete_cookie("session")


def test_the_cache_can_be_turned_off(app, client):
    create_funding()
    app.config["PUBLIC_PAGE_CACHE"] = False
    try:
        _get(client)
        assert "X-Page-Cache" not in _get(client).headers
    finally:
        app.config["PUBLIC_PAGE_CACHE"] = True


def test_the_healthcheck_answers_with_or_without_redis(app, client):
    health = client.get("/healthcheck")
    assert health.status_code == 200
    assert health.get_json()["database"] == "ok"
    assert ("redis" in health.get_json()) == bool(app.config["REDIS_URL"])
