"""Comparing formula versions side by side: per borough, inner and outer London, per resident, and a CSV that a
spreadsheet cannot run."""

import csv
import io
from decimal import Decimal

import pytest

from portal.lcpf import versions
from portal.models import MembershipRole, OrganisationType, StaffRole
from tests.factories import create_borough_user, create_member, create_organisation, create_user
from tests.factories_assessment import create_officer
from tests.lcpf_support import import_real_files, parameters


@pytest.fixture
def three_versions():
    import_real_files()
    published = versions.publish(versions.create_draft("Published", parameters(13_000_000), None), None)
    crime_heavy = versions.create_draft(
        '=HYPERLINK("http://evil.example")', parameters(13_000_000, crime_weight=Decimal(80)), None
    )
    later = versions.create_draft("Later years", parameters(13_500_000, years=(2027, 2028)), None)
    return published, crime_heavy, later


def amount(text: str) -> int:
    return int(text.replace("£", "").replace(",", "").replace("+", "").replace("\N{MINUS SIGN}", "-"))


def test_two_versions_side_by_side_per_borough_and_inner_and_outer(client, three_versions):
    published, crime_heavy, _later = three_versions
    page = client.sign_in(create_officer()).get_page(
        f"/staff/lcpf/compare?version={published.id}&version={crime_heavy.id}"
    )
    boroughs = page.find("caption", string="Every borough, 2026/27").find_parent("table")
    rows = boroughs.select("tbody tr")
    assert len(rows) == 32
    differences = []
    for row in rows:
        cells = [td.get_text(strip=True) for td in row.select("td")]
        first, second, difference = amount(cells[0]), amount(cells[2]), cells[4]
        assert difference == "£0" or amount(difference) == second - first
        differences.append(second - first)
    assert sum(differences) == 0 and any(differences)
    areas = page.find("caption", string="Inner and outer London, 2026/27").find_parent("table")
    names = [th.get_text(" ", strip=True) for th in areas.select("tbody th")]
    assert names == ["Inner London", "Outer London", "All London"]
    inner, outer, london = ([td.get_text(strip=True) for td in tr.select("td")] for tr in areas.select("tbody tr"))
    assert amount(inner[0]) + amount(outer[0]) == amount(london[0]) == 13_000_000
    assert amount(inner[4]) == -amount(outer[4])
    assert inner[1].startswith("£") and "." in inner[1]


def test_a_version_that_does_not_cover_the_year_says_so_and_the_year_can_be_chosen(client, three_versions):
    published, _crime_heavy, later = three_versions
    client.sign_in(create_officer())
    page = client.get_page(f"/staff/lcpf/compare?version={published.id}&version={later.id}")
    assert page.find(id="results").get_text(strip=True) == "2026/27 side by side"
    assert "Not covered" in page.find("caption", string="Every borough, 2026/27").find_parent("table").get_text()
    page = client.get_page(f"/staff/lcpf/compare?version={published.id}&version={later.id}&year=2028")
    assert page.find(id="results").get_text(strip=True) == "2028/29 side by side"


def test_fewer_than_two_versions_is_explained(client, three_versions):
    published, _, _ = three_versions
    client.sign_in(create_officer())
    page = client.get_page(f"/staff/lcpf/compare?version={published.id}", expected_status=400)
    assert (
        page.select_one(".govuk-error-summary")
        .get_text(" ", strip=True)
        .endswith("Choose at least two versions to compare")
    )
    assert page.find("input", attrs={"value": str(published.id)}).has_attr("checked")
    assert client.get_page("/staff/lcpf/compare").find(id="results") is None


def test_the_csv_has_every_figure_and_nothing_a_spreadsheet_would_run(client, three_versions):
    published, crime_heavy, _ = three_versions
    client.sign_in(create_officer())
    page = client.get_page(f"/staff/lcpf/compare?version={published.id}&version={crime_heavy.id}")
    link = page.find("a", string="Download the comparison (CSV)")["href"]
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    headings, body = rows[0], rows[1:]
    assert len(body) == 32 + 3
    assert all(not heading.startswith("=") for heading in headings)
    assert headings[5].startswith("'=HYPERLINK")
    assert body[-1][0] == "All London" and body[-1][3] == "13000000" and body[-1][5] == "13000000"
    assert sum(int(row[7]) for row in body[:32]) == 0


def test_the_version_page_links_to_a_comparison_with_the_version_it_followed(client, three_versions):
    published, crime_heavy, _ = three_versions
    page = client.sign_in(create_officer()).get_page(f"/staff/lcpf/versions/{crime_heavy.id}")
    link = page.find("a", string="Compare with Published")["href"]
    assert link == f"/staff/lcpf/compare?version={published.id}&version={crime_heavy.id}"


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
def test_only_officers_may_compare(client, three_versions, who, expected):
    published, crime_heavy, _ = three_versions
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
    query = f"?version={published.id}&version={crime_heavy.id}"
    assert client.get(f"/staff/lcpf/compare{query}").status_code == expected
    assert client.get(f"/staff/lcpf/compare.csv{query}").status_code == expected
