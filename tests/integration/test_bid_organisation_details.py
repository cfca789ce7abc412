"""Tell us once: the bid's copy of the organisation's details, who to contact, and keeping them up to date."""

import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEvent
from tests.bids import bidding_setup, fill, form_data, start_bid
from tests.client import error_messages, summary_errors


def reload(application):
    db.session.expire_all()
    return application


def test_the_organisation_details_are_shown_from_the_profile_and_confirmed_with_one_button(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    page = client.get_page(
        f"/organisations/{application.organisation_id}/applications/{application.id}/organisation-details"
    )
    rows = {
        row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(" ", strip=True)
        for row in page.select(".govuk-summary-list__row")
    }
    assert rows["Organisation"] == "Peckham Street Mentors CIC"
    assert rows["Charity number"] == "1123456"
    assert rows["Where it works"] == "Lambeth, Southwark"
    assert page.select_one("input[name=contact_name]")["value"] == "Kwame Asante"

    fill(
        client,
        f"/organisations/{application.organisation_id}/applications/{application.id}/organisation-details",
        {},
        action="continue",
    )
    assert reload(application).organisation_confirmed_at is not None
    task_list = client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}")
    assert task_list.select_one("#about-1-status").get_text(strip=True) == "Completed"


def test_the_contact_can_be_changed_and_a_bad_email_address_is_refused(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    url = f"/organisations/{application.organisation_id}/applications/{application.id}/organisation-details"
    page = fill(client, url, {"contact_email": "not an email"}, expected_status=200)
    assert (
        error_messages(page)["contact_email"] == "Enter an email address in the correct format, like name@example.com"
    )
    assert page.select_one("input[name=contact_email]")["value"] == "not an email"
    fill(client, url, {"contact_name": "Ama Boateng", "contact_email": "Ama@PeckhamMentors.org.uk"})
    assert reload(application).contact_name == "Ama Boateng"
    assert application.contact_email == "ama@peckhammentors.org.uk"


def test_confirming_needs_a_contact_but_saving_for_later_does_not(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    url = f"/organisations/{application.organisation_id}/applications/{application.id}/organisation-details"
    page = fill(client, url, {"contact_name": ""}, expected_status=200)
    assert summary_errors(page) == ["Enter the name of the person we should contact about this bid"]
    assert reload(application).organisation_confirmed_at is None
    fill(client, url, {"contact_name": ""}, action="later")
    assert reload(application).contact_name is None


def change_profile(client, organisation, **changes):
    url = f"/organisations/{organisation.id}/profile"
    data = form_data(client.get_page(url)) | {name: [value] for name, value in changes.items()}
    response = client.post(url, data=data)
    assert response.status_code == 302, summary_errors(client.get_page(url))


def test_a_profile_change_after_the_bid_started_is_offered_not_applied_silently(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    change_profile(client, setup.organisation, name="Peckham Street Mentors", postcode="SE15 4QQ")

    assert reload(application).organisation_snapshot["name"] == "Peckham Street Mentors CIC"
    task_list = client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}")
    banner = task_list.select_one("#profile-changes")
    assert "Your organisation's details have changed since you started this bid" in banner.get_text()
    changes = [[cell.get_text(" ", strip=True) for cell in row.select("th, td")] for row in banner.select("tbody tr")]
    assert changes == [
        ["Organisation name", "Peckham Street Mentors CIC", "Peckham Street Mentors"],
        ["Address", "1 Test Street, London, SE1 1AA", "1 Test Street, London, SE15 4QQ"],
    ]

    form = banner.select_one("form")
    response = client.post(form["action"], data=form_data(task_list, "#profile-changes form"))
    assert response.status_code == 302
    assert reload(application).organisation_snapshot["name"] == "Peckham Street Mentors"
    assert application.organisation_snapshot["postcode"] == "SE15 4QQ"
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "application.organisation_details_updated")
    )
    assert event.after == {"name": "Peckham Street Mentors", "address": "1 Test Street, London, SE15 4QQ"}
    assert (
        client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}").select_one(
            "#profile-changes"
        )
        is None
    )


def test_a_profile_that_changes_again_before_the_click_is_not_applied(client):
    setup = bidding_setup()
    application = start_bid(client, setup)
    change_profile(client, setup.organisation, name="Peckham Street Mentors")
    task_list = client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}")
    change_profile(client, setup.organisation, name="Peckham Mentors")

    form = task_list.select_one("#profile-changes form")
    client.post(form["action"], data=form_data(task_list, "#profile-changes form"))

    assert reload(application).organisation_snapshot["name"] == "Peckham Street Mentors CIC"
    page = client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}")
    assert "Your organisation's details have changed again" in page.get_text()
