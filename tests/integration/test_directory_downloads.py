"""The directory as files: any filtered list of services as CSV and JSON, every match and not one page, the filters
in the file name, contact details only once approved, text that a spreadsheet would run neutralised."""

import csv
import io
import json

from portal.models import ContactStatus, ServiceArea
from tests.borough_projects_support import plan_in
from tests.directory_support import create_service, today
from tests.factories import create_organisation
from tests.factories_contacts import create_contact


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_a_filtered_list_downloads_as_csv_and_json_with_the_filters_in_the_name(client):
    provider = create_organisation("Safer Southwark Trust")
    reach = create_service("Southwark youth mentoring", organisation=provider, boroughs=("Southwark",))
    create_contact(reach, phone="020 7946 0444", email="mentoring@example.org", districts=("SE15",))
    create_contact(reach, status=ContactStatus.SUBMITTED, phone="020 7946 0555")
    create_service("Camden victim support", boroughs=("Camden",))
    create_service("London helpline", pan_london=True, areas=(ServiceArea.VAWG,))
    plan_in("Southwark", names=("Peckham estates outreach",))

    response = client.get("/services.csv?borough=E09000028")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    name = f"funded-services-southwark-running-now-{today().isoformat()}.csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    listed = rows(response.get_data(as_text=True))
    assert [row["Service"] for row in listed] == [
        "London helpline",
        "Peckham estates outreach",
        "Southwark youth mentoring",
    ]
    mentoring = listed[2]
    assert (mentoring["Phone"], mentoring["Email"]) == ("020 7946 0444", "mentoring@example.org")
    assert mentoring["Where it is delivered"] == "Southwark; SE15 postcode district"
    assert mentoring["Total funding (£)"] == "80000.00"
    assert mentoring["Page"].endswith(f"/services/{reach.id}")
    assert listed[0]["Where"] == "London-wide" and listed[0]["Phone"] == ""
    assert listed[1]["Kind"] == "Borough LCPF project"
    assert "020 7946 0555" not in response.get_data(as_text=True)

    response = client.get("/services.json?borough=E09000028&area=vawg&phase=all")
    assert response.headers["Content-Disposition"].endswith(
        f'filename="funded-services-southwark-violence-against-women-and-girls-all-{today().isoformat()}.json"'
    )
    document = json.loads(response.get_data(as_text=True))
    assert document["filters"] == {"borough": "E09000028", "area": "vawg", "phase": "all"}
    assert [s["name"] for s in document["services"]] == ["London helpline"]
    assert document["services"][0]["total_funding_pence"] == 80_000_00
    assert document["services"][0]["contact"] is None

    everything = json.loads(client.get("/services.json").get_data(as_text=True))
    by_name = {s["name"]: s for s in everything["services"]}
    assert everything["count"] == 4
    assert by_name["Southwark youth mentoring"]["contact"]["postcode_districts"] == ["SE15"]
    assert by_name["Southwark youth mentoring"]["contact"]["phone"] == "020 7946 0444"


def test_every_match_is_in_the_file_not_one_page(client):
    for number in range(23):
        create_service(f"Service {number:02d}")
    page = client.get_page("/services")
    assert "Download these 23 services" in page.select_one("#downloads").get_text(" ", strip=True)
    assert len(rows(client.get("/services.csv").get_data(as_text=True))) == 23


def test_a_bad_postcode_is_refused_and_an_empty_list_is_a_file_with_headings(client):
    create_service("Southwark youth mentoring")
    response = client.get("/services.csv?postcode=ZZ9")
    assert response.status_code == 400 and "postcode district ZZ9" in response.get_json()["error"]
    empty = client.get("/services.csv?provider=nobody")
    assert empty.status_code == 200
    assert "provider-nobody" in empty.headers["Content-Disposition"]
    assert empty.get_data(as_text=True).startswith("Reference,Service,Kind")
    assert rows(empty.get_data(as_text=True)) == []


def test_text_a_spreadsheet_would_run_is_neutralised(client):
    create_service('=HYPERLINK("http://evil.example","x")', organisation=create_organisation("@SUM(1+1) Trust"))
    text = client.get("/services.csv").get_data(as_text=True)
    [row] = rows(text)
    assert row["Service"].startswith("'=HYPERLINK") and row["Provider"].startswith("'@SUM")
