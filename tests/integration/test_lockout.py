"""Guessing passwords: after five failures in a row an account pauses for a minute, twice as long after each
further failure up to a quarter of an hour, and its owner is told; it never locks for longer."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from portal.auth.second_factor import current_code
from portal.database import utcnow
from portal.extensions import db, limiter
from portal.models import AuditEvent, StaffRole
from tests.client import error_messages
from tests.factories import PASSWORD, create_member, create_organisation, create_user

WRONG = "Enter a correct email address and password"


@pytest.fixture
def without_address_limits():
    """The per-address limit on signing in has tests of its own: these count one account's failures alone."""
    limiter.enabled = False
    yield
    limiter.enabled = True


def attempt(client, email: str, password: str):
    return client.post_form("/sign-in", {"email": email, "password": password}, expected_status=None)


def post(client, email, password):
    return client.post("/sign-in", data={"csrf_token": client.csrf_token(), "email": email, "password": password})


def test_five_wrong_passwords_pause_the_account_and_tell_its_owner(client, mailbox, without_address_limits):
    user = create_member(create_organisation())
    for _ in range(5):
        assert post(client, user.email, "not-the-password-at-all").status_code == 200

    response = post(client, user.email, PASSWORD)  # even the right password waits

    assert response.status_code == 200
    assert "Wait 1 minute, then try again" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302
    assert mailbox.last_to(user.email)["Subject"] == "Sign-in to your account was paused"
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert actions.count("auth.sign_in_failed") == 5 and "auth.sign_in_paused" in actions

    with time_machine.travel(utcnow() + timedelta(minutes=1, seconds=5)):
        assert (
            post(client, user.email, PASSWORD).headers["Location"]
            == f"/organisations/{user.memberships[0].organisation_id}"
        )


def test_the_pause_doubles_with_each_further_failure_but_never_exceeds_15_minutes(client, without_address_limits):
    user = create_member(create_organisation())
    now = utcnow()
    pauses = []
    for _ in range(10):
        now += timedelta(minutes=16)  # after any pause has passed
        with time_machine.travel(now, tick=False):
            post(client, user.email, "not-the-password-at-all")
            db.session.refresh(user)
            if user.sign_in_locked_until:
                pauses.append(round((user.sign_in_locked_until - now).total_seconds() / 60))
    assert pauses == [1, 2, 4, 8, 15, 15]


def test_wrong_security_codes_count_too(client, without_address_limits):
    officer = create_user(staff_role=StaffRole.GRANT_OFFICER)
    post(client, officer.email, PASSWORD)
    for _ in range(5):
        client.post("/sign-in/security-code", data={"csrf_token": client.csrf_token(), "code": "000000"})

    page = client.post_form("/sign-in/security-code", {"code": current_code(officer.totp_secret)}, expected_status=200)

    assert error_messages(page)["code"].startswith("There have been too many attempts to sign in to this account")
    assert client.get("/staff/").status_code == 302


def test_two_people_behind_one_proxy_have_limits_of_their_own(client, app):
    """Behind a reverse proxy every request comes from the proxy's address; the limit is on the client's."""
    user = create_member(create_organisation())
    first = {"X-Forwarded-For": "203.0.113.10"}
    second = {"X-Forwarded-For": "203.0.113.20"}
    form = {"csrf_token": client.csrf_token(), "email": user.email, "password": "not-the-password-at-all"}
    for _ in range(10):
        assert client.post("/sign-in", data=form, headers=first).status_code == 200
    assert client.post("/sign-in", data=form, headers=first).status_code == 429

    assert client.post("/sign-in", data=form, headers=second).status_code == 200
