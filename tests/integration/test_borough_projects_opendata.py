"""The boroughs' LCPF projects in open data: the grant to each borough (its allocation) with the projects it
commissions as regrants in the 360Giving file, valid against the shipped schema; and every project as an Open
Referral UK service. Nothing from a plan that is not approved."""

import pytest
import time_machine

from portal.models import PlanStatus
from portal.opendata import files, validation
from tests.borough_projects_support import TODAY, commissioned, plan_in, report_two_quarters
from tests.directory_support import create_service
from tests.integration.test_opendata import package
from tests.integration.test_openreferral import assert_valid, get_json


@pytest.fixture(autouse=True)
def november_2026():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def lewisham():
    plan = plan_in("Lewisham", names=("Safer Streets mentoring", "Catford night safety patrols"))
    commissioned(plan.projects[0])
    report_two_quarters(plan.projects[0])
    plan_in("Lambeth", PlanStatus.QUERIED, names=("Queried Brixton project",))
    create_service("Victim support in Lewisham", boroughs=("Lewisham",))
    return plan


def test_the_360giving_file_has_each_allocation_as_a_regranting_grant_and_commissioned_projects_as_regrants(
    lewisham,
):
    files.regenerate()
    data = package()
    assert validation.errors(validation.threesixty_validator(), data) == []
    assert (
        validation.undeclared_fields(data, validation.threesixty_package_schema(), validation.threesixty_registry())
        == []
    )
    grants = {grant["id"]: grant for grant in data["grants"]}
    allocation = grants["360G-MOPAC-LCPF-LEW-2026"]
    assert allocation["recipientOrganization"] == [{"id": "GB-LAE-LEW", "name": "London Borough of Lewisham"}]
    assert allocation["amountAwarded"] == 900_000 and allocation["regrantType"] == "FRG070"
    assert allocation["plannedDates"][0]["startDate"] == "2026-04-01"
    assert allocation["beneficiaryLocation"][0]["geoCode"] == "E09000023"
    assert "Catford night safety patrols (£120,000)" in allocation["description"]  # run by the council itself
    assert "360G-MOPAC-LCPF-LEW-2027" in grants

    regrant = grants[f"360G-MOPAC-LCPF-LEW-P{lewisham.projects[0].id}"]
    assert regrant["title"] == "Safer Streets mentoring"
    assert regrant["fundingOrganization"] == [{"id": "GB-LAE-LEW", "name": "London Borough of Lewisham"}]
    assert regrant["recipientOrganization"] == [
        {"id": "GB-CHC-1123456", "name": "Lewisham Youth Trust", "charityNumber": "1123456"}
    ]
    assert regrant["amountAwarded"] == 240_000
    assert "360G-MOPAC-LCPF-LEW-2026, 360G-MOPAC-LCPF-LEW-2027" in regrant["description"]
    # The council's own project is not a grant to anyone; nothing of the queried plan is there.
    assert "Catford night safety patrols" not in {grant["title"] for grant in data["grants"]}
    assert not any("LAM" in grant["id"] or "Brixton" in grant["title"] for grant in data["grants"])

    rows = files.fetch_file(files.THREESIXTY_CSV).body
    assert "For Regrant Type" in rows.splitlines()[0] and "FRG070" in rows


def test_the_open_referral_feed_lists_every_public_project_with_the_awards_and_serves_each(client, lewisham):
    listing = get_json(client, "/openreferral/services")
    assert_valid("service_list", listing, page=True)
    names = [s["name"] for s in listing["contents"]]
    assert names == ["Catford night safety patrols", "Safer Streets mentoring", "Victim support in Lewisham"]
    assert listing["total_items"] == 3
    by_name = {s["name"]: s for s in listing["contents"]}
    assert by_name["Safer Streets mentoring"]["organization"]["name"] == "Lewisham Youth Trust"
    assert by_name["Catford night safety patrols"]["organization"]["name"] == "London Borough of Lewisham"

    full = get_json(client, f"/openreferral/services/{by_name['Safer Streets mentoring']['id']}")
    assert_valid("service", full)
    assert full["service_areas"][0]["uri"].endswith("E09000023")
    assert "Catford South, Rushey Green" in full["service_areas"][0]["service_area"]
    assert "London Crime Prevention Fund via the London Borough of Lewisham: £240,000" in full["funding"][0]["source"]
    assert full["organization"]["organization_identifiers"][0]["identifier"] == "1123456"
    own = get_json(client, f"/openreferral/services/{by_name['Catford night safety patrols']['id']}")
    assert_valid("service", own)
    assert own["organization"]["organization_identifiers"][0]["identifier_scheme"] == "GB-LAE"

    assert [s["name"] for s in get_json(client, "/openreferral/services?search=youth+trust")["contents"]] == [
        "Safer Streets mentoring"
    ]
    paged = get_json(client, "/openreferral/services?per_page=2&page=2")
    assert [s["name"] for s in paged["contents"]] == ["Victim support in Lewisham"]
    org = by_name["Catford night safety patrols"]["organization_id"]
    filtered = get_json(client, f"/openreferral/services?organization_id={org}")
    assert [s["name"] for s in filtered["contents"]] == ["Catford night safety patrols"]


def test_a_project_of_a_plan_that_is_not_approved_is_not_in_the_feed(client):
    from portal.opendata.openreferral_projects import service_id

    plan = plan_in("Lewisham", PlanStatus.SUBMITTED, names=("Awaiting review project",))
    assert get_json(client, "/openreferral/services")["total_items"] == 0
    get_json(client, f"/openreferral/services/{service_id(plan.projects[0].id)}", 404)
