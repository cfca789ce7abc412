"""A funded service's public contact details: kept by its provider, approved by an officer, and only then shown on
the service page; a change stays private until it is approved, and a person's own email address is refused."""

import pytest

from portal.extensions import db
from portal.models import AuditEvent, ContactStatus, MembershipRole, ServiceContact
from portal.service_contacts import services
from tests.client import error_messages
from tests.directory_support import create_service
from tests.factories import create_member, create_organisation, create_user
from tests.factories_assessment import create_officer

FORM = {
    "website": "https://safer.example.org/help",
    "phone": "020 7946 0000",
    "email": "referrals@safer.example.org",
    "referral": "Schools and youth workers refer by phone; young people may refer themselves.",
    "eligibility": "Young people at risk of exploitation",
    "minimum_age": "11",
    "maximum_age": "25",
    "languages": ["en", "so"],
    "borough_codes": ["E09000028"],
    "postcode_districts": "se5, SE22",
}


@pytest.fixture
def provider():
    organisation = create_organisation("Safer Youth Trust")
    owner = create_member(organisation, email="owner@safer.example.org")
    award = create_service("Safer routes for young people", organisation=organisation, boroughs=("Southwark",))
    return organisation, owner, award


def url(award) -> str:
    return f"/organisations/{award.organisation_id}/awards/{award.id}/contact-details"


def send(client, award, **changes):
    return client.post_form(url(award), {**FORM, **changes, "send": "Send for approval"})


def test_a_provider_sends_details_and_nothing_is_public_until_an_officer_approves(client, provider):
    _, owner, award = provider
    client.sign_in(owner)
    page = client.get_page(url(award))
    assert page.select_one("#website") is not None
    send(client, award)
    working = services.working_copy(award)
    assert working.status is ContactStatus.SUBMITTED
    assert working.postcode_districts == ["SE5", "SE22"]
    assert working.languages == ["en", "so"]

    client.sign_out()
    public = client.get_page(f"/services/{award.id}").get_text()
    assert "referrals@safer.example.org" not in public
    assert "020 7946 0000" not in public
    assert "has not published how to reach this service" in public

    officer = create_officer()
    client.sign_in(officer)
    assert "Safer routes for young people" in client.get_page("/staff/service-contacts").get_text()
    client.post_form(
        f"/staff/service-contacts/{working.id}",
        {"approve-csrf_token": client.csrf_token(), "approve-approve": "Approve and publish"},
    )
    client.sign_out()
    public = client.get_page(f"/services/{award.id}")
    text = public.select_one("#contact").get_text(" ", strip=True)
    assert "referrals@safer.example.org" in text
    assert "020 7946 0000" in text
    assert "Young people at risk of exploitation" in text
    assert "11 to 25" in text
    assert "English, Somali" in text
    assert "Across Southwark; and in postcode districts SE5, SE22" in text
    events = db.session.query(AuditEvent).order_by(AuditEvent.id)
    actions = [e.action for e in events if e.action.startswith("service_contact")]
    assert actions == ["service_contact.saved", "service_contact.submitted", "service_contact.approved"]


def test_a_change_stays_private_until_approved_and_then_replaces_the_published_details(client, provider):
    _, owner, award = provider
    officer = create_officer()
    client.sign_in(owner)
    send(client, award)
    services.approve(services.working_copy(award).id, officer)

    client.post_form(url(award), {**FORM, "phone": "020 7946 1111", "save_draft": "Save as draft"})
    assert services.working_copy(award).status is ContactStatus.DRAFT
    send(client, award, phone="020 7946 1111")
    client.sign_out()
    text = client.get_page(f"/services/{award.id}").select_one("#contact").get_text()
    assert "020 7946 0000" in text and "020 7946 1111" not in text

    services.approve(services.working_copy(award).id, officer)
    text = client.get_page(f"/services/{award.id}").select_one("#contact").get_text()
    assert "020 7946 1111" in text and "020 7946 0000" not in text
    assert db.session.query(ServiceContact).filter_by(award_id=award.id).count() == 1


def test_returned_details_are_not_published_and_the_provider_sees_why(client, provider):
    _, owner, award = provider
    officer = create_officer()
    client.sign_in(owner)
    send(client, award)
    contact = services.working_copy(award)
    client.sign_in(officer)
    page = client.post_form(
        f"/staff/service-contacts/{contact.id}",
        {"return-csrf_token": client.csrf_token(), "return-send_back": "Return to the provider", "return-reason": ""},
        expected_status=400,
    )
    assert "Say what the provider needs to change" in page.get_text()
    client.post_form(
        f"/staff/service-contacts/{contact.id}",
        {"return-csrf_token": client.csrf_token(), "return-send_back": "Return", "return-reason": "Use a team phone"},
    )
    db.session.refresh(contact)
    assert contact.status is ContactStatus.RETURNED
    assert services.published_copy(award.id) is None
    client.sign_in(owner)
    home = client.get_page(f"/organisations/{award.organisation_id}").get_text(" ", strip=True)
    assert "1 service's contact details with changes asked for" in home
    assert "Use a team phone" in client.get_page(url(award)).get_text()
    send(client, award, phone="020 7946 2222")
    assert services.working_copy(award).status is ContactStatus.SUBMITTED


def test_an_approval_twice_is_harmless(client, provider):
    _, owner, award = provider
    officer = create_officer()
    client.sign_in(owner)
    send(client, award)
    contact_id = services.working_copy(award).id
    services.approve(contact_id, officer)
    with pytest.raises(Exception, match="already been decided"):
        services.approve(contact_id, officer)
    assert db.session.query(ServiceContact).filter_by(award_id=award.id).count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "owner@safer.example.org"}, "email", "email address of a person with an account"),
        ({"email": "OWNER@Safer.example.org"}, "email", "email address of a person with an account"),
        ({"email": "not an email"}, "email", "correct format"),
        ({"website": "safer.example.org"}, "website", "starting with https://"),
        ({"website": "javascript:alert(1)"}, "website", "starting with https://"),
        ({"phone": "call us"}, "phone", "UK phone number"),
        ({"website": "", "phone": "", "email": ""}, "website", "at least one way"),
        ({"referral": "  "}, "referral", "how someone is referred"),
        ({"eligibility": ""}, "eligibility", "who the service is for"),
        ({"minimum_age": "30", "maximum_age": "12"}, "maximum_age", "same as or more"),
        ({"minimum_age": "ten"}, "minimum_age", "whole number"),
        ({"postcode_districts": "ZZ9"}, "postcode_districts", "not a London postcode district"),
        ({"postcode_districts": "HA1"}, "postcode_districts", "not in a borough this service is funded for"),
        ({"postcode_districts": "SE15 4AB"}, "postcode_districts", "not a postcode district"),
        ({"borough_codes": [], "postcode_districts": ""}, "borough_codes", "where the service is delivered"),
        ({"borough_codes": ["E09000001"]}, "borough_codes", "Not a valid choice"),
    ],
)
def test_bad_details_are_refused_beside_their_field_and_nothing_is_saved(client, provider, changes, field, message):
    _, owner, award = provider
    client.sign_in(owner)
    page = client.post_form(url(award), {**FORM, **changes, "send": "Send for approval"}, expected_status=200)
    errors = error_messages(page)
    assert message.lower() in errors.get(field, "").lower(), errors
    assert services.working_copy(award) is None
    kept = {"website": page.select_one("#website")["value"], "phone": page.select_one("#phone")["value"]}
    assert kept["website"] == changes.get("website", FORM["website"])


def test_another_organisation_and_the_public_cannot_reach_the_details(client, provider):
    _, owner, award = provider
    client.sign_in(owner)
    send(client, award)
    contact = services.working_copy(award)
    other = create_member(create_organisation("Another Trust"), email="someone@another.example.org")
    client.sign_in(other)
    assert client.get(url(award)).status_code == 403
    client.post_form(url(award), {**FORM, "send": "Send"}, expected_status=403)
    assert client.get(f"/staff/service-contacts/{contact.id}").status_code == 403
    assert client.get("/staff/service-contacts").status_code == 403
    reader = create_member(award.organisation, role=MembershipRole.EDITOR, email="editor@safer.example.org")
    client.sign_in(reader)
    assert client.get(url(award)).status_code == 200
    client.sign_out()
    assert client.get(url(award)).status_code == 302
    assert client.get("/staff/service-contacts").status_code == 302


def test_details_waiting_for_approval_cannot_be_changed(client, provider):
    _, owner, award = provider
    client.sign_in(owner)
    send(client, award)
    page = client.get_page(url(award))
    assert page.select_one("#website") is None
    assert "Waiting for approval" in page.get_text() or "waiting for approval" in page.get_text()
    client.post_form(url(award), {**FORM, "phone": "020 7946 3333", "send": "Send"}, expected_status=200)
    assert services.working_copy(award).phone == "020 7946 0000"


def test_a_member_email_that_is_not_this_organisations_is_refused_too(client, provider):
    _, owner, award = provider
    create_user("someone.else@example.org")
    client.sign_in(owner)
    data = {**FORM, "email": "someone.else@example.org", "send": "Send"}
    page = client.post_form(url(award), data, expected_status=200)
    assert "person with an account" in error_messages(page)["email"]


def test_the_demo_publishes_contact_details_once_and_leaves_other_awards_alone(client):
    from portal.demo import service_contacts as demo
    from portal.demo.seed import load_all_demo_data

    load_all_demo_data()
    real = create_service("Youth workers in Major Trauma Centres", organisation=create_organisation("Real Trust"))
    before = {(c.award_id, c.status, c.phone) for c in db.session.query(ServiceContact)}
    assert len(before) == 4
    assert demo.load() == "Service contact details demo: 0 sets of contact details added."
    assert {(c.award_id, c.status, c.phone) for c in db.session.query(ServiceContact)} == before
    assert services.published_copy(real.id) is None and services.working_copy(real) is None
    published = [c for c in db.session.query(ServiceContact) if c.published]
    text = client.get_page(f"/services/{published[0].award_id}").select_one("#contact").get_text()
    assert published[0].phone in text


def test_the_officer_hears_of_details_to_approve_and_the_providers_editors_of_the_decision(client, provider):
    from portal.models import OutboundMessage

    organisation, owner, award = provider
    officer = create_officer(email="officer.contacts@example.org")
    award.approved_by = officer
    reader = create_member(organisation, role=MembershipRole.EDITOR, email="editor@safer.example.org")
    db.session.commit()
    client.sign_in(owner)
    send(client, award)
    [to_officer] = db.session.query(OutboundMessage).all()
    assert to_officer.to_address == "officer.contacts@example.org"
    assert "Safer routes for young people" in to_officer.subject
    contact_id = services.working_copy(award).id
    assert f"/staff/service-contacts/{contact_id}" in to_officer.body

    services.return_to_provider(contact_id, "Give the team's shared phone", officer)
    returned = db.session.query(OutboundMessage).filter(OutboundMessage.id != to_officer.id).all()
    assert sorted(m.to_address for m in returned) == sorted([owner.email, reader.email])
    assert all("Give the team's shared phone" in m.body for m in returned)
    assert all(m.subject.startswith("Changes asked for") for m in returned)

    send(client, award)
    services.approve(services.working_copy(award).id, officer)
    messages = db.session.query(OutboundMessage)
    published = messages.filter(OutboundMessage.subject.startswith("Contact details published"))
    assert sorted(m.to_address for m in published) == sorted([owner.email, reader.email])
