"""Officers list, create and edit funds, and see every round with its status."""

import pytest

from portal.extensions import db
from portal.models import MembershipRole, StaffRole
from portal.models.funding import Fund, ServiceArea
from tests.client import error_messages, summary_errors
from tests.factories import create_member, create_organisation, create_user
from tests.factories_funding import create_application, create_fund, create_round
from tests.integration.rounds_support import (
    audit_actions,
    closed_round,
    count,
    create_officer,
    draft_round,
    last_audit,
    upcoming_round,
)

FUND_FORM = {
    "name": "Victims' services",
    "code": "vs",
    "purpose": "Support for victims of crime to cope and recover.",
    "service_areas": ["victim_support", "vawg"],
}


def test_an_officer_creates_a_fund_with_its_code_and_service_areas(client):
    client.sign_in(create_officer())

    response = client.post_form("/staff/funds/new", FUND_FORM)

    fund = db.session.scalar(db.select(Fund))
    assert response.location == f"/staff/funds/{fund.id}"
    assert fund.code == "VS"
    assert set(fund.service_areas) == {ServiceArea.VICTIM_SUPPORT, ServiceArea.VAWG}
    assert audit_actions(fund) == ["fund.created"]
    page = client.get_page(f"/staff/funds/{fund.id}")
    assert page.h1.get_text(strip=True) == "Victims' services"
    assert "Victim support, Violence against women and girls" in page.get_text()


def test_a_fund_needs_a_name_a_code_a_purpose_and_a_service_area(client):
    client.sign_in(create_officer())

    page = client.post_form("/staff/funds/new", {"name": "", "code": "", "purpose": ""}, expected_status=200)

    assert summary_errors(page) == [
        "Enter the fund's name",
        "Enter a short code for the fund",
        "Enter the fund's purpose",
    ]
    page = client.post_form("/staff/funds/new", {**FUND_FORM, "service_areas": []}, expected_status=200)
    assert summary_errors(page) == ["Select at least one service area"]
    assert count(Fund) == 0


def test_fund_codes_are_letters_and_numbers_and_unique_whatever_their_case(client):
    create_fund("London Crime Prevention Fund", code="LCPF")
    client.sign_in(create_officer())

    taken = client.post_form("/staff/funds/new", {**FUND_FORM, "code": "lcpf"}, expected_status=200)
    odd = client.post_form("/staff/funds/new", {**FUND_FORM, "code": "V-S"}, expected_status=200)

    assert error_messages(taken)["code"] == "Another fund already uses this code"
    assert error_messages(odd)["code"] == "The code must be 2 to 12 letters or numbers, like LCPF or VRU"
    assert taken.find("input", {"name": "name"})["value"] == "Victims' services"
    assert count(Fund) == 1


def test_editing_a_fund_changes_its_service_areas_and_is_audited(client):
    fund = create_fund("Hate crime small grants", code="HATE", service_areas=(ServiceArea.HATE_CRIME,))
    client.sign_in(create_officer())

    client.post_form(
        f"/staff/funds/{fund.id}/edit",
        {
            "name": "Hate crime small grants",
            "code": "HATE",
            "purpose": "Small grants.",
            "service_areas": ["hate_crime", "community_engagement"],
        },
    )

    db.session.refresh(fund)
    assert set(fund.service_areas) == {ServiceArea.HATE_CRIME, ServiceArea.COMMUNITY_ENGAGEMENT}
    event = last_audit("fund.updated")
    assert event.after["service_areas"] == "community_engagement, hate_crime"


def test_a_funds_code_cannot_change_once_bids_carry_it(client):
    fund = create_fund("VRU programmes", code="VRU")
    create_application(create_round(fund), create_organisation())
    client.sign_in(create_officer())

    page = client.post_form(
        f"/staff/funds/{fund.id}/edit",
        {"name": "VRU programmes", "code": "VRP", "purpose": "Violence reduction.", "service_areas": ["vawg"]},
        expected_status=200,
    )

    assert "carry its code in their references" in error_messages(page)["code"]
    db.session.refresh(fund)
    assert fund.code == "VRU"


def test_the_funds_page_lists_every_round_with_its_status_and_bids(client):
    fund = create_fund("LCPF co-commissioning fund", code="LCPF")
    open_round = create_round(fund, title="Open round")
    draft_round(fund, title="Draft round")
    upcoming_round(fund, title="Upcoming round")
    closed_round(fund, title="Closed round")
    create_application(open_round, create_organisation())
    client.sign_in(create_officer())

    page = client.get_page("/staff/funds/")

    rows = {row.td.get_text(strip=True): row for row in page.select("tbody tr") if row.td}
    assert rows["LCPF co-commissioning fund"].select("td")[-1].get_text(strip=True) == (
        "1 draft, 1 upcoming, 1 open, 1 closed"
    )
    statuses = {
        cells[0].get_text(strip=True): cells[2].get_text(strip=True)
        for cells in (row.select("td") for row in page.select("tbody tr"))
        if len(cells) == 6
    }
    assert statuses == {
        "Open round": "Open",
        "Draft round": "Draft",
        "Upcoming round": "Upcoming",
        "Closed round": "Closed",
    }
    assert "0 submitted, 1 started" in rows["Open round"].get_text()


def test_rounds_can_be_filtered_by_status(client):
    create_round(title="Open round")
    draft_round(title="Draft round")
    client.sign_in(create_officer())

    page = client.get_page("/staff/funds/?status=draft")

    titles = [a.get_text(strip=True) for a in page.select("tbody a[href^='/staff/funds/rounds/']")]
    assert titles == ["Draft round"]
    assert page.find("strong", attrs={"aria-current": "page"}).get_text(strip=True) == "Draft (1)"


def test_with_no_funds_the_page_says_how_to_start(client):
    client.sign_in(create_officer())
    page = client.get_page("/staff/funds/")
    assert "There are no funds yet. Create a fund, then add rounds to it." in page.get_text()
    assert "There are no rounds here yet." in page.get_text()


@pytest.mark.parametrize(
    ("who", "expected"),
    [("reviewer", 403), ("admin", 403), ("organisation owner", 403), ("anonymous", 302), ("officer", 200)],
)
def test_only_staff_who_manage_funds_can_see_the_funds_pages(client, who, expected):
    fund = create_fund()
    round_ = draft_round(fund)
    user = {
        "reviewer": lambda: create_user(staff_role=StaffRole.REVIEWER),
        "admin": lambda: create_user(staff_role=StaffRole.ADMIN),
        "organisation owner": lambda: create_member(create_organisation(), MembershipRole.OWNER),
        "anonymous": lambda: None,
        "officer": create_officer,
    }[who]()
    if user:
        client.sign_in(user)

    for url in (
        "/staff/funds/",
        f"/staff/funds/{fund.id}",
        f"/staff/funds/rounds/{round_.id}",
        f"/staff/funds/rounds/{round_.id}/questions",
        "/staff/funds/questions",
        f"/staff/funds/rounds/{round_.id}/criteria",
        f"/staff/funds/rounds/{round_.id}/preview/full",
    ):
        assert client.get(url).status_code == expected, url


def test_an_unknown_fund_or_round_is_not_found(client):
    client.sign_in(create_officer())
    client.get_page("/staff/funds/999", 404)
    client.get_page("/staff/funds/rounds/999", 404)
    client.get_page("/staff/funds/rounds/999/questions", 404)
