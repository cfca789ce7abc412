"""Direct awards: made by an officer with no bid, for a commissioned contract, then approved as any award is."""

from datetime import date

import sqlalchemy as sa
import time_machine

from portal.extensions import db
from portal.models import AuditEvent, Award, AwardStatus, MembershipRole, Return, ServiceArea
from tests.client import error_messages, summary_errors
from tests.factories import create_member, create_organisation, local_authority
from tests.factories_assessment import create_officer, create_reviewer
from tests.factories_funding import create_fund

NOW = "2026-05-01 10:00:00+01:00"


def the_form(fund, organisation, **changes) -> dict:
    form = {
        "fund_id": str(fund.id),
        "organisation_id": str(organisation.id),
        "title": "London Victims and Witnesses Service",
        "description": "Support for victims and witnesses of crime across London.",
        "start_date": ["1", "4", "2026"],
        "end_date": ["31", "3", "2028"],
        "amount_2026": "45,000",
        "amount_2027": "45000",
        "borough_ids": [str(local_authority("Lewisham").id), str(local_authority("Southwark").id)],
        "service_areas": [ServiceArea.VICTIM_SUPPORT.value],
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


def the_award() -> Award:
    db.session.expire_all()
    return db.session.scalar(sa.select(Award))


@time_machine.travel(NOW, tick=False)
def test_an_officer_makes_a_direct_award_which_is_approved_and_asks_the_owners_to_accept_it(client, mailbox, run_jobs):
    officer, fund = create_officer(), create_fund()
    provider = create_organisation("Victim Support")
    create_member(provider, MembershipRole.OWNER, email="owner@example.org", full_name="Helen Price")
    create_member(provider, MembershipRole.EDITOR, email="editor@example.org")
    client.sign_in(officer)
    page = client.get_page("/staff/awards/new")
    assert [o.get_text() for o in page.select("#organisation_id option")][:2] == [
        "Select an organisation",
        "Victim Support",
    ]

    response = client.post_form("/staff/awards/new", the_form(fund, provider))
    run_jobs()

    award = the_award()
    assert response.location == f"/staff/awards/{award.id}"
    assert award.application_id is None and award.status is AwardStatus.APPROVED
    assert (award.fund_id, award.organisation_id, award.approved_by_id) == (fund.id, provider.id, officer.id)
    assert [(y.financial_year, y.amount_pence) for y in award.years] == [(2026, 45_000_00), (2027, 45_000_00)]
    assert (award.start_date, award.end_date) == (date(2026, 4, 1), date(2028, 3, 31))
    assert [la.name for la in award.boroughs] == ["Lewisham", "Southwark"]
    assert list(award.service_areas) == [ServiceArea.VICTIM_SUPPORT]
    assert award.reference.startswith(f"{fund.code}-A-2026-")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Return).where(Return.award_id == award.id)) == 8
    created = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "award.created"))
    assert created.after["direct"] is True and created.after["total_pence"] == 90_000_00
    email = mailbox.last_to("owner@example.org")
    assert email["Subject"] == f"Award {award.reference} approved: accept your grant agreement"
    assert f"/organisations/{provider.id}/awards/{award.id}/agreement" in email.get_content()
    assert not mailbox.to("editor@example.org")
    page = client.get_page(f"/staff/awards/{award.id}")
    assert "Direct award" in page.get_text()
    assert "Waiting for Victim Support to accept the grant agreement" in page.get_text()


@time_machine.travel(NOW, tick=False)
def test_a_direct_award_over_100000_needs_a_second_officer(client, mailbox, run_jobs):
    first, second, fund = create_officer("Tom Brennan"), create_officer("Priya Shah"), create_fund()
    provider = create_organisation("Safer London")
    create_member(provider, MembershipRole.OWNER, email="owner@example.org")
    client.sign_in(first)
    client.post_form("/staff/awards/new", the_form(fund, provider, amount_2026="60000", amount_2027="60000"))
    award = the_award()
    assert award.status is AwardStatus.AWAITING_SECOND_APPROVAL
    assert not mailbox.to("owner@example.org")
    client.post_form(f"/staff/awards/{award.id}/second-approval")
    assert the_award().status is AwardStatus.AWAITING_SECOND_APPROVAL

    client.sign_in(second)
    client.post_form(f"/staff/awards/{award.id}/second-approval")
    run_jobs()
    assert the_award().status is AwardStatus.APPROVED
    assert mailbox.last_to("owner@example.org")["Subject"].endswith("accept your grant agreement")


@time_machine.travel(NOW, tick=False)
def test_every_problem_is_shown_beside_its_field_and_nothing_typed_is_lost(client):
    officer = create_officer()
    client.sign_in(officer)
    page = client.post_form(
        "/staff/awards/new",
        {
            "title": "",
            "amount_2026": "ten thousand",
            "start_date": ["31", "2", "2026"],
        },
        expected_status=200,
    )
    errors = error_messages(page)
    assert errors["amount_2026"] == "Enter an amount in pounds, like 25000"
    assert errors["start_date"].startswith("Enter the start date as a real date")
    assert page.select_one("#amount_2026")["value"] == "ten thousand"
    assert not db.session.scalar(sa.select(Award))

    page = client.post_form("/staff/awards/new", {"title": "A service"}, expected_status=200)
    errors = error_messages(page)
    assert errors["fund_id"] == "Select the fund the award is paid from"
    assert errors["organisation_id"] == "Select the organisation the award is made to"
    assert errors["description"] == "Describe what the award pays for"
    assert errors["start_date"] == "Enter the start date"
    assert errors["end_date"] == "Enter the end date"
    assert errors["service_areas"] == "Select at least one service area"
    assert "Select the boroughs the award covers, or across London" in summary_errors(page)
    assert page.select_one("#title")["value"] == "A service"


@time_machine.travel(NOW, tick=False)
def test_a_direct_award_must_end_after_it_starts_and_be_paid_within_its_dates(client):
    officer, fund, provider = create_officer(), create_fund(), create_organisation()
    client.sign_in(officer)
    page = client.post_form(
        "/staff/awards/new",
        the_form(fund, provider, end_date=["31", "3", "2025"]),
        expected_status=200,
    )
    assert error_messages(page)["end_date"] == "The end date must be after the start date"
    page = client.post_form(
        "/staff/awards/new",
        the_form(fund, provider, end_date=["31", "3", "2027"], amount_2028="1000"),
        expected_status=200,
    )
    assert error_messages(page)["amount_2028"].startswith("2028/29 is outside the award's dates")
    assert not db.session.scalar(sa.select(Award))


def test_only_grant_officers_may_make_direct_awards(client):
    organisation = create_organisation()
    for user in (create_member(organisation), create_reviewer()):
        client.sign_in(user)
        client.get_page("/staff/awards/new", expected_status=403)
        client.post_form("/staff/awards/new", {"title": "x"}, expected_status=403)
