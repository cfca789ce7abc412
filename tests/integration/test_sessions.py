"""Sessions live on the server: signing out ends them for any copy of the cookie, they time out when idle and at
an absolute limit, people can end their other sessions, and signed-in pages are never cached."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from flask import g

from portal.auth import sessions
from portal.database import utcnow
from portal.extensions import db
from portal.models import AuditEvent, StaffRole, UserSession
from tests.factories import PASSWORD, create_member, create_organisation, create_user


def copy_cookies(source, target) -> None:
    for cookie in source._cookies.values():
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)


def sign_in_with_the_form(client, user) -> None:
    client.post_form("/sign-in", {"email": user.email, "password": PASSWORD})


def test_a_cookie_copied_before_signing_out_no_longer_works(client, app):
    user = create_member(create_organisation())
    sign_in_with_the_form(client, user)
    thief = app.test_client()
    copy_cookies(client, thief)
    assert thief.get("/account").status_code == 200

    client.post_form("/sign-out")

    assert thief.get("/account").headers["Location"] == "/sign-in?next=%2Faccount"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 0
    assert "auth.signed_out" in db.session.scalars(sa.select(AuditEvent.action)).all()


def test_staff_sessions_end_after_30_idle_minutes_and_others_after_2_hours(client, app):
    officer = create_user(staff_role=StaffRole.GRANT_OFFICER)
    member = create_member(create_organisation())
    officers_browser = app.test_client().sign_in(officer)
    members_browser = app.test_client().sign_in(member)

    with time_machine.travel(utcnow() + timedelta(minutes=29)):
        assert officers_browser.get("/account").status_code == 200  # in use, so the idle time starts again
    with time_machine.travel(utcnow() + timedelta(minutes=29 + 31)):
        assert officers_browser.get("/account").status_code == 302
        assert members_browser.get("/account").status_code == 200
    with time_machine.travel(utcnow() + timedelta(minutes=60 + 121)):
        assert members_browser.get("/account").status_code == 302


def test_a_session_ends_at_its_absolute_limit_however_busy(client, app):
    member = create_member(create_organisation())
    client.sign_in(member)
    start = utcnow()
    for hour in range(1, 12):
        with time_machine.travel(start + timedelta(hours=hour)):
            assert client.get("/account").status_code == 200
    with time_machine.travel(start + timedelta(hours=12, minutes=1)):
        assert client.get("/account").status_code == 302


def test_people_see_where_they_are_signed_in_and_can_end_their_other_sessions(client, app):
    member = create_member(create_organisation())
    laptop = app.test_client().sign_in(member)
    client.sign_in(member)

    page = client.get_page("/account/sessions")
    assert len(page.select("tbody tr")) == 2
    assert "This browser" in page.get_text()

    client.post_form("/account/sessions")

    assert laptop.get("/account").status_code == 302
    assert client.get("/account").status_code == 200
    assert len(client.get_page("/account/sessions").select("tbody tr")) == 1


def test_changing_the_password_ends_every_other_session(client, app):
    member = create_member(create_organisation())
    laptop = app.test_client().sign_in(member)
    client.sign_in(member)

    client.post_form(
        "/account/password",
        {
            "current_password": PASSWORD,
            "password": "kettle-orchard-violin-4",
            "confirm_password": "kettle-orchard-violin-4",
        },
    )

    assert laptop.get("/account").status_code == 302
    assert client.get("/account").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 1


def test_pages_for_signed_in_people_are_not_stored_by_browsers_or_caches(client):
    client.sign_in(create_user(staff_role=StaffRole.GRANT_OFFICER))

    assert client.get("/staff/").headers["Cache-Control"] == "no-store"
    assert client.get("/account").headers["Cache-Control"] == "no-store"


def test_the_remember_me_cookie_is_never_set(client):
    user = create_member(create_organisation())

    response = client.post_form("/sign-in", {"email": user.email, "password": PASSWORD, "remember": "y"})

    assert "remember_token" not in response.headers.get("Set-Cookie", "")
    assert all(cookie.key != "remember_token" for cookie in client._cookies.values())


@pytest.mark.commits
def test_two_requests_finding_the_session_stale_at_once_both_succeed(client, app):
    """Each request read the session before the other recorded its use: the second must not fail (on SQLite, a read
    overtaken by another writer cannot become a write) and the time is written once."""
    member = create_member(create_organisation())
    client.sign_in(member)
    user_session = db.session.scalar(sa.select(UserSession))
    session_id, started = user_session.id, user_session.last_seen_at
    db.session.commit()
    later = started + timedelta(minutes=5)

    with time_machine.travel(later), app.test_request_context("/account"):
        g.user_session = db.session.get(UserSession, session_id)  # this request has read it
        with db.engine.begin() as other:  # the other request records its use first
            other.execute(sa.update(UserSession).where(UserSession.id == session_id).values(last_seen_at=later))
        sessions.touch()

    db.session.expire_all()
    assert db.session.get(UserSession, session_id).last_seen_at == later
    with time_machine.travel(later + timedelta(minutes=2)):
        assert client.get("/account").status_code == 200
    db.session.expire_all()
    assert db.session.get(UserSession, session_id).last_seen_at > later
