import re
from datetime import timedelta

import sqlalchemy as sa
import time_machine
from flask import current_app

from portal.database import utcnow
from portal.extensions import db
from portal.models import User
from tests.client import error_messages, summary_errors
from tests.factories import PASSWORD, create_member, create_organisation, create_user

# Tests keep email addresses, not records: with Redis, run_jobs() ends the database session and detaches them.
EMAIL = "sam@example.org"
NEW_PASSWORD = "copper-harbour-meadow-42"
WEAK = "password123"


def new_password(password: str = NEW_PASSWORD) -> dict:
    return {"password": password, "confirm_password": password}


def reset_link(client, mailbox, run_jobs, email: str) -> str:
    client.post_form("/forgotten-password", {"email": email}, expected_status=200)
    run_jobs()
    match = re.search(r"http://portal\.test(/reset-password/\S+)", mailbox.last_to(email).get_content())
    assert match
    return match.group(1)


def can_sign_in(client, email: str, password: str) -> bool:
    response = client.post("/sign-in", data={"csrf_token": client.csrf_token(), "email": email, "password": password})
    client.sign_out()
    return response.status_code == 302


def test_a_known_address_is_sent_a_reset_link(client, mailbox, run_jobs):
    create_user(EMAIL)

    page = client.post_form("/forgotten-password", {"email": EMAIL}, expected_status=200)
    run_jobs()

    assert page.h1.get_text() == "Check your email"
    message = mailbox.last_to(EMAIL)
    assert message["Subject"] == "Reset your password"
    assert "http://portal.test/reset-password/" in message.get_content()


def test_an_unknown_address_sees_the_same_page_and_no_email_is_sent(client, mailbox, run_jobs):
    create_user("known@example.org")

    known = client.post_form("/forgotten-password", {"email": "known@example.org"}, expected_status=200)
    unknown = client.post_form("/forgotten-password", {"email": "unknown@example.org"}, expected_status=200)
    run_jobs()

    assert unknown.main.get_text().replace("unknown@", "known@") == known.main.get_text()
    assert [m["To"] for m in mailbox.messages] == ["known@example.org"]


def test_the_reset_link_sets_a_new_password(client, mailbox, run_jobs):
    create_user(EMAIL)
    link = reset_link(client, mailbox, run_jobs, EMAIL)
    assert client.get_page(link).h1.get_text() == "Choose a new password"

    response = client.post_form(link, new_password())
    run_jobs()

    assert response.headers["Location"] == "/sign-in"
    assert mailbox.last_to(EMAIL)["Subject"] == "Your password has been changed"
    assert can_sign_in(client, EMAIL, NEW_PASSWORD)
    assert not can_sign_in(client, EMAIL, PASSWORD)


def test_the_reset_link_confirms_an_unconfirmed_email_address(client, mailbox, run_jobs):
    create_member(create_organisation(), email=EMAIL, confirmed=False)
    link = reset_link(client, mailbox, run_jobs, EMAIL)

    client.post_form(link, new_password())

    assert db.session.scalar(sa.select(User.email_confirmed_at).where(User.email == EMAIL)) is not None


def test_a_reset_link_works_only_once(client, mailbox, run_jobs):
    create_user(EMAIL)
    link = reset_link(client, mailbox, run_jobs, EMAIL)
    client.post_form(link, new_password())

    page = client.get_page(link, expected_status=400)
    client.post_form(link, new_password("another-fresh-walrus-77"), expected_status=400)

    assert "This link has expired or has already been used" in page.main.get_text()
    assert can_sign_in(client, EMAIL, NEW_PASSWORD)


def test_an_expired_reset_link_is_refused(client, mailbox, run_jobs):
    create_user(EMAIL)
    link = reset_link(client, mailbox, run_jobs, EMAIL)

    later = utcnow() + timedelta(seconds=current_app.config["PASSWORD_RESET_MAX_AGE"] + 60)
    with time_machine.travel(later):
        client.get_page(link, expected_status=400)
        client.post_form(link, new_password(), expected_status=400)

    assert can_sign_in(client, EMAIL, PASSWORD)


def test_a_weak_new_password_is_refused_beside_the_field(client, mailbox, run_jobs):
    create_user(EMAIL)
    link = reset_link(client, mailbox, run_jobs, EMAIL)

    page = client.post_form(link, new_password(WEAK), expected_status=200)

    assert error_messages(page)["password"].startswith("Choose a stronger password")
    assert summary_errors(page) == [error_messages(page)["password"]]
    client.get_page(link)  # the link still works
    assert can_sign_in(client, EMAIL, PASSWORD)


def test_changing_the_password_needs_the_current_one(client):
    client.sign_in(create_user(EMAIL))

    page = client.post_form(
        "/account/password",
        {"current_password": "not-my-password", **new_password()},
        expected_status=200,
    )

    assert error_messages(page) == {"current_password": "Your current password is not right"}
    assert can_sign_in(client, EMAIL, PASSWORD)


def test_a_weak_password_is_refused_when_changing_it(client):
    client.sign_in(create_user(EMAIL))

    page = client.post_form(
        "/account/password", {"current_password": PASSWORD, **new_password(WEAK)}, expected_status=200
    )

    assert error_messages(page)["password"].startswith("Choose a stronger password")
    assert can_sign_in(client, EMAIL, PASSWORD)


def test_changing_the_password_signs_out_every_other_session(app, client, mailbox, run_jobs):
    user = create_user(EMAIL)
    elsewhere = app.test_client().sign_in(user)
    assert elsewhere.get("/account").status_code == 200
    client.sign_in(user)

    response = client.post_form("/account/password", {"current_password": PASSWORD, **new_password()})
    run_jobs()

    assert response.headers["Location"] == "/account"
    assert client.get("/account").status_code == 200
    assert elsewhere.get("/account").headers["Location"] == "/sign-in?next=%2Faccount"
    assert mailbox.last_to(EMAIL)["Subject"] == "Your password has been changed"
