"""The Open Referral UK API: services and their organisations, each response valid against the UK profile's
compiled schemas shipped with the portal, with stable ids, pagination, filters and 404s."""

import uuid
from datetime import date

import pytest
import time_machine

from portal.models import AwardStatus, ServiceArea
from portal.opendata import openreferral, validation
from tests.factories_monitoring import create_award
from tests.opendata_support import london_awards


def assert_valid(item_schema: str, body: dict, *, page: bool = False) -> None:
    if page:
        validator = validation.open_referral_page_validator(item_schema)
        schema = {
            "properties": {
                **validation.open_referral_page_schema()["properties"],
                "contents": {"type": "array", "items": validation.open_referral_schema(item_schema)},
            }
        }
    else:
        validator = validation.open_referral_validator(item_schema)
        schema = validation.open_referral_schema(item_schema)
    assert validation.errors(validator, body) == []
    undeclared = validation.undeclared_fields(body, schema)
    assert [field for field in undeclared if not validation.is_hsds_field(field)] == []


def get_json(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return response.get_json()


def test_the_services_list_and_every_service_are_valid_against_the_uk_profile(client):
    london_awards()
    listing = get_json(client, "/openreferral/services")
    assert_valid("service_list", listing, page=True)
    assert listing["total_items"] == 5
    assert [s["name"] for s in listing["contents"]] == sorted(s["name"] for s in listing["contents"])
    for summary in listing["contents"]:
        full = get_json(client, f"/openreferral/services/{summary['id']}")
        assert_valid("service", full)
        assert full["id"] == summary["id"]


def test_a_service_carries_its_boroughs_organisation_identifiers_funding_and_service_areas(client):
    london = london_awards()
    award = london.witness_care
    service = get_json(client, f"/openreferral/services/{openreferral.service_id(award.id)}")

    assert service["id"] == str(uuid.uuid5(openreferral.NAMESPACE, f"service/{award.id}"))
    assert service["name"] == "Witness care in south London"
    assert [(a["name"], a["uri"]) for a in service["service_areas"]] == [
        ("Lambeth", "http://statistics.data.gov.uk/id/statistical-geography/E09000022"),
        ("Southwark", "http://statistics.data.gov.uk/id/statistical-geography/E09000028"),
    ]
    organisation = service["organization"]
    assert organisation["id"] == openreferral.organization_id(london.charity.id)
    assert organisation["name"] == "Victim Support"
    assert {(i["identifier_scheme"], i["identifier"]) for i in organisation["organization_identifiers"]} == {
        ("GB-CHC", "298028"),
        ("GB-COH", "02158780"),
    }
    assert "£115,500.50" in service["funding"][0]["source"]
    assert [a["taxonomy_term"]["name"] for a in service["attributes"]] == [
        "Victim support",
        "Violence against women and girls",
    ]

    pan_london = get_json(client, f"/openreferral/services/{openreferral.service_id(london.pan_london.id)}")
    assert [a["name"] for a in pan_london["service_areas"]] == ["London"]
    assert pan_london["service_areas"][0]["uri"].endswith("E12000007")
    council = get_json(client, f"/openreferral/services/{openreferral.service_id(london.council_award.id)}")
    assert [(i["identifier_scheme"], i["identifier"]) for i in council["organization"]["organization_identifiers"]] == [
        ("GB-LAE", "LEW")
    ]


def test_a_services_status_follows_its_dates(client):
    london = london_awards()
    later = create_award(title="Starts next year", start=date(2027, 4, 1), end=date(2029, 3, 31), with_schedule=False)

    def status(award) -> str:
        return get_json(client, f"/openreferral/services/{openreferral.service_id(award.id)}")["status"]

    with time_machine.travel("2026-01-10 12:00:00+00:00", tick=False):
        assert (status(london.streets), status(london.witness_care), status(later)) == ("active", "active", "inactive")
    with time_machine.travel("2026-06-01 12:00:00+01:00", tick=False):
        assert (status(london.streets), status(london.witness_care)) == ("defunct", "active")


def test_ids_are_the_same_on_every_call(client):
    london_awards()
    first = get_json(client, "/openreferral/services")
    second = get_json(client, "/openreferral/services")
    assert [s["id"] for s in first["contents"]] == [s["id"] for s in second["contents"]]
    assert len({s["id"] for s in first["contents"]}) == 5


def test_services_are_paged(client):
    london_awards()
    first = get_json(client, "/openreferral/services?per_page=2")
    assert (first["total_items"], first["total_pages"], first["page_number"], first["size"]) == (5, 3, 1, 2)
    assert (first["first_page"], first["last_page"], first["empty"]) == (True, False, False)
    last = get_json(client, "/openreferral/services?per_page=2&page=3")
    assert (last["size"], last["first_page"], last["last_page"]) == (1, False, True)
    assert_valid("service_list", last, page=True)
    names = [
        s["name"]
        for page in (1, 2, 3)
        for s in get_json(client, f"/openreferral/services?per_page=2&page={page}")["contents"]
    ]
    assert len(set(names)) == 5
    beyond = get_json(client, "/openreferral/services?per_page=2&page=9")
    assert (beyond["contents"], beyond["empty"], beyond["size"]) == ([], True, 0)


@pytest.mark.parametrize("query", ["page=0", "page=two", "per_page=-1", "per_page=201"])
def test_bad_paging_is_refused_with_a_reason(client, query):
    london_awards()
    assert "error" in get_json(client, f"/openreferral/services?{query}", status=400)


def test_services_filter_by_text_taxonomy_term_and_organisation(client):
    london = london_awards()
    found = get_json(client, "/openreferral/services?search=croydon")
    assert [s["name"] for s in found["contents"]] == ["Safer routes home from Croydon town centre"]
    by_provider = get_json(client, "/openreferral/services?search=victim%20support")
    assert by_provider["total_items"] == 2

    term = openreferral.taxonomy_term_id(ServiceArea.CRIME_PREVENTION)
    assert [s["name"] for s in get_json(client, f"/openreferral/services?taxonomy_term_id={term}")["contents"]] == [
        "Safer routes home from Croydon town centre"
    ]
    assert get_json(client, "/openreferral/services?taxonomy_term_id=not-a-term")["total_items"] == 0

    charity = openreferral.organization_id(london.charity.id)
    assert get_json(client, f"/openreferral/services?organization_id={charity}")["total_items"] == 2


def test_unknown_and_unpublished_services_are_not_found(client):
    london_awards()
    waiting = create_award(title="Awaiting approval", status=AwardStatus.AWAITING_APPROVAL, with_schedule=False)
    assert "error" in get_json(client, f"/openreferral/services/{uuid.uuid4()}", status=404)
    assert get_json(client, f"/openreferral/services/{openreferral.service_id(waiting.id)}", status=404)
    assert client.get("/openreferral/services/not-a-uuid").status_code == 404
    assert "Awaiting approval" not in client.get("/openreferral/services").get_data(as_text=True)


def test_organisations_are_listed_and_nested_with_their_services(client):
    london = london_awards()
    listing = get_json(client, "/openreferral/organizations")
    assert_valid("organization_list", listing, page=True)
    assert listing["total_items"] == 4
    charity = get_json(client, f"/openreferral/organizations/{openreferral.organization_id(london.charity.id)}")
    assert_valid("organization", charity)
    assert sorted(s["name"] for s in charity["services"]) == [
        "London Victims and Witnesses Service",
        "Witness care in south London",
    ]
    assert "services" in charity["description"]
    assert get_json(client, f"/openreferral/organizations/{uuid.uuid4()}", status=404)


def test_an_organisation_with_no_published_service_is_not_listed(client):
    award = create_award(title="Awaiting approval", status=AwardStatus.AWAITING_APPROVAL, with_schedule=False)
    assert get_json(client, "/openreferral/organizations")["total_items"] == 0
    get_json(client, f"/openreferral/organizations/{openreferral.organization_id(award.organisation_id)}", status=404)


def test_the_api_describes_itself(client):
    meta = get_json(client, "/openreferral/")
    assert meta["version"] == "3.0"
