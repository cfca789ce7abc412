from urllib.parse import quote

import pytest

from portal.auth.second_factor import current_code
from portal.auth.services import fetch_user_by_email
from portal.extensions import db
from portal.models import Membership, MembershipRole, StaffRole
from tests.client import error_messages, summary_errors
from tests.factories import PASSWORD, create_member, create_organisation, create_user

WRONG = "Enter a correct email address and password"


def sign_in(client, email: str, password: str = PASSWORD, *, next_url: str | None = None, expected_status=302):
    """Sign in through the form, giving the code from the authenticator app when it is asked for."""
    url = f"/sign-in?next={quote(next_url, safe='')}" if next_url else "/sign-in"
    response = client.post_form(url, {"email": email, "password": password}, expected_status=expected_status)
    if expected_status == 302 and response.headers["Location"] == "/sign-in/security-code":
        user = fetch_user_by_email(email)
        return client.post_form("/sign-in/security-code", {"code": current_code(user.totp_secret)})
    return response


def is_signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_staff_go_to_the_staff_home_after_signing_in(client):
    user = create_user(staff_role=StaffRole.GRANT_OFFICER)

    assert sign_in(client, user.email).headers["Location"] == "/staff/"


def test_a_member_of_one_organisation_goes_to_that_organisation_after_signing_in(client):
    organisation = create_organisation()
    user = create_member(organisation)

    assert sign_in(client, user.email).headers["Location"] == f"/organisations/{organisation.id}"


def test_a_member_of_several_organisations_chooses_one_after_signing_in(client):
    user = create_member(create_organisation())
    db.session.add(Membership(user=user, organisation=create_organisation(), role=MembershipRole.EDITOR))
    db.session.commit()

    assert sign_in(client, user.email).headers["Location"] == "/organisations"


def test_someone_who_has_not_confirmed_their_email_is_asked_to_confirm_it_after_signing_in(client):
    user = create_member(create_organisation(), confirmed=False)

    assert sign_in(client, user.email).headers["Location"] == "/confirm-email"


def test_sign_in_is_case_insensitive_about_the_email_address(client):
    user = create_user("sam@example.org", staff_role=StaffRole.ADMIN)

    assert sign_in(client, "Sam@Example.ORG").headers["Location"] == "/staff/"
    assert user.last_signed_in_at is not None


def test_a_wrong_password_does_not_reveal_whether_the_account_exists(client):
    user = create_user()

    wrong_password = sign_in(client, user.email, "not-the-password-at-all", expected_status=200)
    no_account = sign_in(client, "nobody@example.org", "not-the-password-at-all", expected_status=200)

    assert error_messages(wrong_password) == error_messages(no_account) == {"email": WRONG}
    assert summary_errors(wrong_password) == summary_errors(no_account) == [WRONG]
    assert not is_signed_in(client)


@pytest.mark.parametrize("next_url", ["https://evil.example", "//evil.example", "/\\evil.example"])
def test_a_next_address_on_another_site_is_ignored(client, next_url):
    user = create_user(staff_role=StaffRole.ADMIN)

    assert sign_in(client, user.email, next_url=next_url).headers["Location"] == "/staff/"


def test_a_next_address_on_this_site_is_followed(client):
    user = create_user(staff_role=StaffRole.ADMIN)

    assert sign_in(client, user.email, next_url="/account/password").headers["Location"] == "/account/password"


def test_a_page_that_needs_sign_in_sends_people_back_to_it_afterwards(client):
    organisation = create_organisation()
    user = create_member(organisation)

    response = client.get(f"/organisations/{organisation.id}/members")
    assert response.headers["Location"] == f"/sign-in?next=%2Forganisations%2F{organisation.id}%2Fmembers"

    response = client.post_form(response.headers["Location"], {"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == f"/organisations/{organisation.id}/members"


def test_signing_out_ends_the_session(client):
    user = create_user()
    sign_in(client, user.email)
    assert is_signed_in(client)

    response = client.post_form("/sign-out")

    assert response.headers["Location"] == "/sign-in"
    assert not is_signed_in(client)


def test_more_than_ten_attempts_a_minute_from_one_address_are_refused(client):
    user = create_user()
    form = {"csrf_token": client.csrf_token(), "email": user.email, "password": "not-the-password-at-all"}
    for _ in range(10):
        assert client.post("/sign-in", data=form).status_code == 200

    response = client.post("/sign-in", data={**form, "password": PASSWORD})

    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert not is_signed_in(client)


def test_a_deactivated_user_cannot_sign_in(client):
    user = create_user()
    user.active = False
    db.session.commit()

    page = sign_in(client, user.email, expected_status=200)

    assert error_messages(page) == {"email": WRONG}
    assert not is_signed_in(client)


def test_deactivating_a_user_ends_their_session(client):
    user = create_user()
    sign_in(client, user.email)

    user.active = False
    db.session.commit()

    assert not is_signed_in(client)


def test_an_unconfirmed_user_cannot_see_their_organisation_yet(client):
    organisation = create_organisation()
    client.sign_in(create_member(organisation, confirmed=False))

    page = client.get_page(f"/organisations/{organisation.id}", expected_status=403)

    assert page.find("a", href="/confirm-email").get_text() == "confirm your email address"


def test_an_unconfirmed_user_can_ask_for_the_confirmation_link_again(client, mailbox, run_jobs):
    client.sign_in(create_member(create_organisation(), email="sam@example.org", confirmed=False))
    client.get_page("/confirm-email")

    response = client.post_form("/confirm-email")
    run_jobs()

    assert response.headers["Location"] == "/confirm-email"
    message = mailbox.last_to("sam@example.org")
    assert message["Subject"] == "Confirm your email address"
    assert "http://portal.test/confirm-email/" in message.get_content()
