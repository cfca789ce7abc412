import re

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import (
    AuditEvent,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationStatus,
    OrganisationType,
    User,
)
from tests.client import error_messages, summary_errors
from tests.factories import PASSWORD, create_organisation, create_user, local_authority

EMAIL = "priya@brixtonyouth.org.uk"


def registration(**changes) -> dict:
    """What a registered charity in Lambeth types into the form, with ``changes``."""
    form = {
        "name": "Brixton Youth Forum",
        "organisation_type": OrganisationType.CHARITY.value,
        "charity_number": "1123456",
        "company_number": "",
        "local_authority_id": "",
        "address_line_1": "12 Acre Lane",
        "town": "London",
        "postcode": "SW2 5SG",
        "borough_ids": [str(local_authority("Lambeth").id)],
        "full_name": "Priya Shah",
        "email": EMAIL,
        "password": PASSWORD,
        "confirm_password": PASSWORD,
    }
    form.update(changes)
    return form


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def link_in(message, path: str) -> str:
    match = re.search(rf"http://portal\.test({re.escape(path)}\S+)", message.get_content())
    assert match, f"no {path} link in:\n{message.get_content()}"
    return match.group(1)


def test_a_charity_registers_and_its_first_user_becomes_the_owner(client, mailbox, run_jobs):
    response = client.post_form("/register", registration())

    assert response.headers["Location"] == "/register/check-your-email"
    page = client.get_page("/register/check-your-email")
    assert f"We have sent an email to {EMAIL}" in " ".join(page.get_text(" ").split())
    organisation = db.session.scalar(sa.select(Organisation))
    assert organisation.name == "Brixton Youth Forum"
    assert organisation.status is OrganisationStatus.ACTIVE
    assert [la.name for la in organisation.boroughs_served] == ["Lambeth"]
    membership = db.session.scalar(sa.select(Membership))
    assert (membership.user.email, membership.organisation, membership.role) == (
        EMAIL,
        organisation,
        MembershipRole.OWNER,
    )
    actions = set(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.organisation_id == organisation.id)))
    assert actions == {"organisation.registered", "membership.created"}


def test_registering_sends_a_link_that_confirms_the_email_address(client, mailbox, run_jobs):
    client.post_form("/register", registration())
    run_jobs()

    message = mailbox.last_to(EMAIL)
    assert message["Subject"] == "Confirm your email address"
    user = db.session.scalar(sa.select(User).where(User.email == EMAIL))
    assert user.email_confirmed_at is None

    response = client.get(link_in(message, "/confirm-email/"))

    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in"  # registering does not sign in: the address is proved first
    db.session.refresh(user)
    assert user.email_confirmed_at is not None


def test_a_tampered_confirmation_link_is_refused(client):
    client.post_form("/register", registration())

    page = client.get_page("/confirm-email/not-a-real-token", expected_status=400)

    assert "This link has expired or is not valid" in page.get_text()


@pytest.mark.parametrize(
    "organisation_type", [OrganisationType.BOROUGH, OrganisationType.SNB, OrganisationType.STATUTORY_BODY]
)
def test_councils_boards_and_statutory_bodies_wait_for_verification(client, organisation_type):
    lambeth = local_authority("Lambeth")
    client.post_form(
        "/register",
        registration(organisation_type=organisation_type.value, charity_number="", local_authority_id=str(lambeth.id)),
    )

    organisation = db.session.scalar(sa.select(Organisation))
    assert organisation.status is OrganisationStatus.AWAITING_VERIFICATION
    assert organisation.local_authority == (lambeth if organisation_type.represents_a_borough else None)


def test_a_company_number_is_padded_to_eight_characters(client):
    client.post_form(
        "/register",
        registration(organisation_type=OrganisationType.COMPANY.value, charity_number="", company_number="4325234"),
    )

    assert db.session.scalar(sa.select(Organisation.company_number)) == "04325234"


BAD_INPUT = {
    "weak password": (
        {"password": "password123", "confirm_password": "password123"},
        "password",
        "Choose a stronger password",
    ),
    "malformed charity number": (
        {"charity_number": "12AB"},
        "charity_number",
        "Enter a charity number in the correct format, like 1123456",
    ),
    "malformed company number": (
        {"organisation_type": OrganisationType.COMPANY.value, "charity_number": "", "company_number": "ZZ123456"},
        "company_number",
        "Enter a company number in the correct format",
    ),
    "postcode in an unknown format": ({"postcode": "ABC"}, "postcode", "Enter a real postcode, like SE15 4QQ"),
    "charity without a charity number": ({"charity_number": ""}, "charity_number", "Enter your charity number"),
    "no boroughs and not London-wide": (
        {"borough_ids": []},
        "borough_ids",
        "Select the boroughs you work in, or London-wide",
    ),
    "council without a borough": (
        {"organisation_type": OrganisationType.BOROUGH.value, "charity_number": "", "borough_ids": []},
        "local_authority_id",
        "Select the borough your organisation covers",
    ),
}


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_explained_beside_the_field_and_nothing_is_saved(client, changes, field, message):
    page = client.post_form("/register", registration(**changes), expected_status=200)

    assert_refused(page, field, message)
    assert count(Organisation) == 0
    assert count(User) == 0


def test_registering_with_an_address_that_has_an_account_reveals_nothing_and_tells_its_owner(client, mailbox, app):
    create_user(EMAIL)
    newcomer = app.test_client()

    taken = client.post_form("/register", registration(email=EMAIL.upper()))
    fresh = newcomer.post_form("/register", registration(email="someone.new@brixtonyouth.org.uk"))

    assert taken.headers["Location"] == fresh.headers["Location"] == "/register/check-your-email"
    taken_page = client.get_page("/register/check-your-email").get_text(" ")
    fresh_page = newcomer.get_page("/register/check-your-email").get_text(" ")
    assert taken_page.replace(EMAIL.upper(), "ADDRESS") == fresh_page.replace(
        "someone.new@brixtonyouth.org.uk", "ADDRESS"
    )
    assert mailbox.last_to(EMAIL)["Subject"] == "Someone tried to register with your email address"
    assert count(Organisation) == 1 and count(User) == 2  # only the newcomer's


def test_a_password_from_breaches_or_with_the_organisations_name_is_refused(client):
    breached = client.post_form(
        "/register", registration(password="password123", confirm_password="password123"), expected_status=200
    )
    named = client.post_form(
        "/register",
        registration(password="brixton-lantern-orchard", confirm_password="brixton-lantern-orchard"),
        expected_status=200,
    )

    assert "among the most common in published data breaches" in error_messages(breached)["password"]
    assert "must not contain your name, email address or organisation's name" in error_messages(named)["password"]
    assert count(Organisation) == 0


def test_registering_is_rate_limited_per_address(client):
    for number in range(5):
        client.post_form(
            "/register",
            registration(
                email=f"person{number}@brixtonyouth.org.uk", name=f"Forum {number}", charity_number=f"112345{number}"
            ),
        )

    response = client.post("/register", data={"csrf_token": client.csrf_token(), **registration(email="x@y.org")})

    assert response.status_code == 429


def test_a_second_council_for_the_same_borough_is_refused(client):
    create_organisation("Lambeth Council", organisation_type=OrganisationType.BOROUGH, borough="Lambeth")
    lambeth = local_authority("Lambeth")

    page = client.post_form(
        "/register",
        registration(
            organisation_type=OrganisationType.BOROUGH.value, charity_number="", local_authority_id=str(lambeth.id)
        ),
        expected_status=200,
    )

    assert_refused(page, "local_authority_id", "This borough's london borough council is already registered")
    assert count(Organisation) == 1
    assert count(User) == 0


def assert_refused(page, field: str, message: str) -> None:
    """The message is beside the field and in the summary, and what was typed is still in the form."""
    assert message in error_messages(page).get(field, ""), error_messages(page)
    assert any(message in error for error in summary_errors(page)), summary_errors(page)
    assert page.find("input", attrs={"name": "name"})["value"] == "Brixton Youth Forum"
    assert page.find("input", attrs={"name": "full_name"})["value"] == "Priya Shah"


def test_every_problem_with_a_registration_is_shown_at_once(client):
    from tests.client import error_messages

    page = client.post_form(
        "/register",
        {
            "name": "Camberwell Night Watch",
            "organisation_type": "charity",
            "charity_number": "12AB",
            "address_line_1": "1 Church Street",
            "town": "London",
            "postcode": "ABC",
            "works_pan_london": "y",
            "full_name": "Jo Bloggs",
            "email": "jo@example.org",
            "password": "password123",
            "confirm_password": "password123",
        },
        expected_status=200,
    )
    assert {"charity_number", "postcode", "password"} <= set(error_messages(page))
