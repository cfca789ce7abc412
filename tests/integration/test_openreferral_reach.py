"""The Open Referral UK API as a borough's directory uses it: how to reach each service (only once approved), the
borough, taxonomy and postcode filters, the service areas as a published taxonomy, and services at locations; every
response valid against the UK profile's shipped schemas, and every bad parameter refused with a 400 and a reason."""

import pytest

from portal.models import ContactStatus, ServiceArea
from portal.opendata import openreferral, validation
from tests.borough_projects_support import plan_in
from tests.factories_contacts import create_contact
from tests.integration.test_openreferral import get_json
from tests.opendata_support import london_awards

SOUTHWARK, LAMBETH, CROYDON = "E09000028", "E09000022", "E09000008"


def assert_valid(item_schema: str, body: dict, *, page: bool = False) -> None:
    """Valid against the shipped schema, and every field one the UK profile declares or HSDS 3.0 defines for what
    the profile has no field for."""
    if page:
        validator = validation.open_referral_page_validator(item_schema)
        items = validation.open_referral_schema(item_schema)
        schema = {"properties": {**validation.open_referral_page_schema()["properties"], "contents": {"items": items}}}
    else:
        validator = validation.open_referral_validator(item_schema)
        schema = validation.open_referral_schema(item_schema)
    assert validation.errors(validator, body) == []
    undeclared = validation.undeclared_fields(
        body, schema, validation.open_referral_registry(), validation.OPEN_REFERRAL_BASE + f"{item_schema}.json"
    )
    assert [field for field in undeclared if not validation.is_hsds_field(field)] == []


def names(body: dict) -> list[str]:
    return [item["name"] for item in body["contents"]]


@pytest.fixture
def london():
    london = london_awards()
    create_contact(
        london.witness_care,
        phone="020 7946 0123",
        email="witness.care@example.org",
        website="https://witness-care.example.org",
        referral="Witnesses refer themselves by phone; the police refer with consent.",
        eligibility="Witnesses of crime in Southwark and Lambeth",
        languages=("en", "pl"),
        boroughs=(LAMBETH,),
        districts=("SE5",),
        minimum_age=16,
        maximum_age=None,
    )
    create_contact(london.witness_care, status=ContactStatus.SUBMITTED, phone="020 7946 0999", referral="NOT-YET")
    create_contact(london.streets, status=ContactStatus.DRAFT, email="draft@example.org", eligibility="DRAFT-ONLY")
    return london


def test_a_service_with_approved_contact_details_says_how_to_reach_it_in_the_standards_fields(client, london):
    sid = openreferral.service_id(london.witness_care.id)
    service = get_json(client, f"/openreferral/services/{sid}")
    assert_valid("service", service)
    assert (service["url"], service["email"]) == ("https://witness-care.example.org", "witness.care@example.org")
    assert (service["minimum_age"], "maximum_age" in service) == (16, False)
    assert service["eligibility_description"] == "Witnesses of crime in Southwark and Lambeth"
    assert service["application_process"].startswith("Witnesses refer themselves")
    [contact] = service["contacts"]
    assert contact["phones"][0]["number"] == "020 7946 0123"
    assert contact["phones"][0]["contact_id"] == contact["id"]
    assert [(lang["name"], lang["code"]) for lang in service["languages"]] == [("English", "en"), ("Polish", "pl")]
    assert [(a["name"], a.get("uri", "")[-9:]) for a in service["service_areas"]] == [
        ("Lambeth", LAMBETH),
        ("SE5 postcode district", ""),
    ]
    locations = [link["location"] for link in service["service_at_locations"]]
    assert [(loc["name"], loc["external_identifier"]) for loc in locations] == [
        ("Lambeth", LAMBETH),
        ("SE5 postcode district", "SE5"),
    ]
    text = str(service)
    assert "020 7946 0999" not in text and "NOT-YET" not in text

    listing = get_json(client, "/openreferral/services")
    assert_valid("service_list", listing, page=True)
    summary = next(item for item in listing["contents"] if item["id"] == sid)
    assert summary["url"] == "https://witness-care.example.org"
    assert "DRAFT-ONLY" not in str(listing) and "draft@example.org" not in str(listing)


def test_a_service_without_approved_details_has_no_contact_fields_and_is_located_in_its_boroughs(client, london):
    streets = get_json(client, f"/openreferral/services/{openreferral.service_id(london.streets.id)}")
    assert_valid("service", streets)
    assert not {"url", "email", "contacts", "languages", "eligibility_description"} & set(streets)
    assert [link["location"]["name"] for link in streets["service_at_locations"]] == ["Croydon"]
    assert "DRAFT-ONLY" not in str(streets)
    pan_london = get_json(client, f"/openreferral/services/{openreferral.service_id(london.pan_london.id)}")
    assert [link["location"]["external_identifier"] for link in pan_london["service_at_locations"]] == ["E12000007"]


def test_services_filter_by_borough_with_london_wide_services_and_borough_projects(client, london):
    plan_in("Southwark", names=("Southwark youth outreach",))
    plan_in("Croydon", names=("Croydon estates project",))
    southwark = get_json(client, f"/openreferral/services?borough={SOUTHWARK}")
    assert_valid("service_list", southwark, page=True)
    assert names(southwark) == [
        "London Victims and Witnesses Service",
        "Southwark youth outreach",
        "Witness care in south London",
    ]
    croydon = get_json(client, f"/openreferral/services?borough={CROYDON.lower()}&search=safer")
    assert names(croydon) == ["Safer routes home from Croydon town centre"]
    assert get_json(client, "/openreferral/services?borough=E09000001&per_page=1")["total_items"] == 2


def test_services_filter_by_taxonomy(client, london):
    everything = get_json(client, f"/openreferral/services?taxonomy_id={openreferral.TAXONOMY_ID}")
    assert_valid("service_list", everything, page=True)
    assert names(everything) == ["Safer routes home from Croydon town centre", "Witness care in south London"]
    assert get_json(client, "/openreferral/services?taxonomy_id=another-taxonomy")["total_items"] == 0
    term = openreferral.taxonomy_term_id(ServiceArea.VAWG)
    both = get_json(client, f"/openreferral/services?taxonomy_term_id={term}&borough={LAMBETH}")
    assert names(both) == ["Witness care in south London"]


@pytest.mark.parametrize(
    "query",
    [
        "borough=Southwark",
        "borough=E09000999",
        "borough=E08000001",
        "page=0",
        "per_page=201",
        "search=" + "x" * 201,
    ],
)
def test_bad_service_filters_are_refused_with_a_reason(client, london, query):
    assert "error" in get_json(client, f"/openreferral/services?{query}", status=400)


def test_the_service_areas_are_published_as_a_taxonomy(client, london):
    taxonomies = get_json(client, "/openreferral/taxonomies")
    assert_valid("taxonomy", taxonomies, page=True)
    [taxonomy] = taxonomies["contents"]
    assert taxonomy["id"] == openreferral.TAXONOMY_ID
    full = get_json(client, f"/openreferral/taxonomies/{taxonomy['id']}")
    assert_valid("taxonomy", full)
    assert len(full["taxonomy_terms"]) == len(ServiceArea)

    terms = get_json(client, "/openreferral/taxonomy_terms?per_page=3")
    assert_valid("taxonomy_term", terms, page=True)
    assert (terms["total_items"], terms["size"], terms["last_page"]) == (len(ServiceArea), 3, False)
    assert {t["taxonomy_id"] for t in terms["contents"]} == {openreferral.TAXONOMY_ID}
    assert get_json(client, "/openreferral/taxonomy_terms?taxonomy_id=other")["total_items"] == 0
    term_id = openreferral.taxonomy_term_id(ServiceArea.VICTIM_SUPPORT)
    term = get_json(client, f"/openreferral/taxonomy_terms/{term_id}")
    assert_valid("taxonomy_term", term)
    assert term["name"] == "Victim support"
    # The terms a service is tagged with are the published ones.
    service = get_json(client, f"/openreferral/services/{openreferral.service_id(london.witness_care.id)}")
    assert term_id in {a["taxonomy_term_id"] for a in service["attributes"]}
    get_json(client, f"/openreferral/taxonomy_terms/{openreferral.TAXONOMY_ID}", status=404)
    get_json(client, f"/openreferral/taxonomies/{term_id}", status=404)
    assert "error" in get_json(client, "/openreferral/taxonomy_terms?page=zero", status=400)


def test_services_at_locations_are_found_by_postcode(client, london):
    plan_in("Southwark", names=("Southwark youth outreach",))
    # SE5 is in Southwark, with Lambeth within a kilometre.
    found = get_json(client, "/openreferral/service_at_locations?postcode=se5%208rx")
    assert_valid("service_at_location_list", found, page=True)
    assert [(link["service"]["name"], link["location"]["name"]) for link in found["contents"]] == [
        ("London Victims and Witnesses Service", "London"),
        ("Southwark youth outreach", "Southwark"),
        ("Witness care in south London", "Lambeth"),
        ("Witness care in south London", "SE5 postcode district"),
    ]
    # SE22 is Southwark's alone: the witness care service is delivered in Lambeth and in SE5 only.
    se22 = get_json(client, "/openreferral/service_at_locations?postcode=SE22")
    assert [link["service"]["name"] for link in se22["contents"]] == [
        "London Victims and Witnesses Service",
        "Southwark youth outreach",
    ]
    outside = get_json(client, "/openreferral/service_at_locations?postcode=ZZ9%209ZZ")
    assert_valid("service_at_location_list", outside, page=True)
    assert (outside["total_items"], outside["empty"]) == (0, True)
    everything = get_json(client, "/openreferral/service_at_locations?per_page=2&page=2")
    assert_valid("service_at_location_list", everything, page=True)
    assert everything["size"] == 2 and everything["total_items"] > 4
    link = found["contents"][3]
    service = get_json(client, f"/openreferral/service_at_locations/{link['id']}")
    assert_valid("service", service)
    assert service["id"] == link["service_id"] and link["id"] in {s["id"] for s in service["service_at_locations"]}
    get_json(client, f"/openreferral/service_at_locations/{link['service_id']}", status=404)
    by_borough = get_json(client, f"/openreferral/service_at_locations?borough={CROYDON}")
    assert [link["location"]["name"] for link in by_borough["contents"]] == ["London", "Croydon"]


@pytest.mark.parametrize("query", ["postcode=not-a-postcode", "postcode=12345", "borough=E1", "per_page=0"])
def test_bad_location_filters_are_refused_with_a_reason(client, london, query):
    assert "error" in get_json(client, f"/openreferral/service_at_locations?{query}", status=400)


def test_the_api_describes_itself_as_the_openapi_says(client):
    meta = get_json(client, "/openreferral/")
    schema = validation._load(validation.OPEN_REFERRAL / "openapi.json")["paths"]["/"]["get"]["responses"]["200"]
    body_schema = schema["content"]["application/json"]["schema"]
    from jsonschema import Draft202012Validator

    assert validation.errors(Draft202012Validator(body_schema, format_checker=validation.FORMAT_CHECKER), meta) == []
    assert meta["openapi_url"].endswith("openapi.json")
