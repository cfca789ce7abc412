"""Officers import the formula's data through an upload page: a refused file lists every problem and imports
nothing; an accepted one shows its report; past imports are listed."""

import io

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.lcpf.shipped import CRIME_FILE, POPULATION_FILE
from portal.models import LcpfCrimeCount, LcpfImport, MembershipRole, OrganisationType, StaffRole
from tests.client import error_messages, parsed
from tests.factories import create_borough_user, create_member, create_organisation, create_user
from tests.factories_assessment import create_officer


def upload(client, kind: str, content: bytes, filename: str, expected_status: int = 302):
    response = client.post(
        "/staff/lcpf/imports",
        data={"csrf_token": client.csrf_token(), "kind": kind, "data_file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code == expected_status, response.get_data(as_text=True)[:2000]
    return response


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_an_mps_crime_file_is_imported_and_its_report_shows_the_months_and_rows_left_out(client):
    officer = create_officer(full_name="Priya Shah")
    client.sign_in(officer)
    response = upload(client, "crime", CRIME_FILE.read_bytes(), CRIME_FILE.name)
    record = db.session.scalar(sa.select(LcpfImport))
    assert response.headers["Location"] == f"/staff/lcpf/imports/{record.id}"
    assert record.imported_by_id == officer.id and record.source_filename == CRIME_FILE.name
    report = client.get_page(response.headers["Location"])
    text = report.get_text(" ", strip=True)
    assert f"{record.first_month} to {record.last_month}" in text
    left_out = [li.get_text(strip=True) for li in report.select("main ul.govuk-list--bullet li")]
    assert any("London Heathrow and London City Airports" in row for row in left_out)
    assert any("Unknown" in row for row in left_out)
    listing = client.get_page("/staff/lcpf/imports")
    row = listing.find("a", string=CRIME_FILE.name).find_parent("tr").get_text(" ", strip=True)
    assert "Recorded crime" in row and "Priya Shah" in row and f"{record.first_month} to {record.last_month}" in row


def test_a_population_file_is_imported(client):
    client.sign_in(create_officer())
    upload(client, "population", POPULATION_FILE.read_bytes(), POPULATION_FILE.name)
    assert db.session.scalar(sa.select(LcpfImport.kind)).value == "population"


def test_a_file_with_problems_lists_every_one_by_row_and_column_and_imports_nothing(client):
    client.sign_in(create_officer())
    broken = (
        b"MajorText,MinorText,BoroughName,202301,202302\n"
        b"THEFT,Shoplifting,Lambeth,12,-3\n"
        b"THEFT,Shoplifting,Atlantis,4,5\n"
        b"ROBBERY,Personal property,Lewisham,lots,2\n"
    )
    page = upload(client, "crime", broken, "broken.csv", expected_status=400)
    page = parsed(page.data)
    assert "broken.csv was not imported: 3 problem(s) found. Nothing was imported." in error_messages(page)["data_file"]
    table = page.find("caption", string="Problems in the file").find_parent("table")
    rows = [[cell.get_text(strip=True) for cell in tr.select("td")] for tr in table.select("tbody tr")]
    assert len(rows) == 3
    assert rows[0][:2] == ["2", "202302"]
    assert rows[1][:2] == ["3", "BoroughName"] and "Atlantis" in rows[1][2]
    assert rows[2][:2] == ["4", "202301"]
    assert count(LcpfImport) == 0 and count(LcpfCrimeCount) == 0


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (
            b"PK\x03\x04\x00\x00binary",
            "crime.xlsx",
            "The file must be a CSV file (.csv): save a spreadsheet as CSV first",
        ),
        (b"", "empty.csv", "The file is empty"),
        (b"x" * (10 * 1024 * 1024 + 1), "huge.csv", "The file must be smaller than 10 MB"),
    ],
)
def test_the_wrong_kind_of_file_is_refused_clearly(client, content, filename, message):
    client.sign_in(create_officer())
    response = upload(client, "crime", content, filename, expected_status=400)
    assert error_messages(parsed(response.data))["data_file"] == message
    assert count(LcpfImport) == 0


def test_choosing_nothing_is_refused_beside_each_field(client):
    client.sign_in(create_officer())
    response = client.post("/staff/lcpf/imports", data={"csrf_token": client.csrf_token()})
    assert response.status_code == 400
    messages = error_messages(parsed(response.data))
    assert messages["kind"] == "Select what the file holds"
    assert messages["data_file"] == "Select the file to import"


def test_the_list_says_when_nothing_has_been_imported(client):
    page = client.sign_in(create_officer()).get_page("/staff/lcpf/imports")
    assert "Nothing has been imported yet." in page.get_text()


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("organisation owner", 403),
        ("borough user", 403),
        ("reviewer", 403),
        ("admin", 403),
        ("officer", 200),
    ],
)
def test_only_officers_may_import(client, who, expected):
    user = {
        "anonymous": lambda: None,
        "organisation owner": lambda: create_member(create_organisation(), MembershipRole.OWNER),
        "borough user": lambda: create_borough_user("Lewisham", OrganisationType.BOROUGH),
        "reviewer": lambda: create_user(staff_role=StaffRole.REVIEWER),
        "admin": lambda: create_user(staff_role=StaffRole.ADMIN),
        "officer": create_officer,
    }[who]()
    if user is not None:
        client.sign_in(user)
    assert client.get("/staff/lcpf/imports").status_code == expected
    if who != "officer":
        response = client.post(
            "/staff/lcpf/imports",
            data={
                "csrf_token": client.csrf_token(),
                "kind": "population",
                "data_file": (io.BytesIO(POPULATION_FILE.read_bytes()), POPULATION_FILE.name),
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == expected
        assert count(LcpfImport) == 0


def test_a_page_far_beyond_the_list_is_empty_rather_than_an_error(client):
    page = client.sign_in(create_officer()).get_page("/staff/lcpf/imports?page=99999999999999999999")
    assert "Nothing has been imported yet." in page.get_text()
