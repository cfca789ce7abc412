"""The public formula pages: only published versions are shown, each at a stable address, the CSV is safe to open
in a spreadsheet, and the calculator writes nothing."""

import csv
import io

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.lcpf import versions
from portal.models import AuditEvent, LcpfAllocation, LcpfVersion
from tests.lcpf_support import import_real_files, parameters


@pytest.fixture
def published():
    import_real_files()
    first = versions.publish(versions.create_draft('=HYPERLINK("http://evil")', parameters(13_000_000), None), None)
    second = versions.publish(versions.create_draft("Second", parameters(13_500_000, years=(2026, 2027)), None), None)
    draft = versions.create_draft("Not yet public", parameters(14_000_000), None)
    return first, second, draft


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_only_published_versions_are_shown_each_at_its_own_address(client, published):
    first, _second, draft = published
    page = client.get_page("/funding-formula")
    assert page.h1.get_text(strip=True) == "Second"
    assert client.get_page(f"/funding-formula/versions/{first.id}").h1.get_text(strip=True) == first.title
    client.get_page(f"/funding-formula/versions/{draft.id}", expected_status=404)
    client.get_page(f"/funding-formula/versions/{draft.id}.csv", expected_status=404)
    assert "Not yet public" not in page.get_text()
    assert "City of London" not in page.find(id="allocations").find_next("table").get_text()


def test_the_csv_has_every_figure_and_no_text_a_spreadsheet_would_run(client, published):
    first, second, _ = published
    response = client.get(f"/funding-formula/versions/{first.id}.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 32
    assert all(row["version"].startswith("'=") for row in rows)
    assert sum(int(row["allocation_pounds"]) for row in rows) == 13_000_000
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"/funding-formula/versions/{second.id}.csv").get_data(as_text=True)))
    )
    assert len(rows) == 64
    changes = [int(row["change_pounds"]) for row in rows if row["financial_year"] == "2026"]
    assert sum(changes) == 500_000  # against the first version's 2026/27, 13,000,000 → 13,500,000


def test_the_calculator_recomputes_on_the_server_and_writes_nothing(client, published):
    before = (_count(LcpfVersion), _count(LcpfAllocation), _count(AuditEvent))
    page = client.get_page(
        "/funding-formula/calculator?crime_weight=1&population_weight=0&deprivation_weight=0&category=ROBBERY&floor_percent=97"
    )
    table = page.find("caption", string="Every borough: your choices next to the published allocation").parent
    amounts = [
        int(cell.strong.get_text().strip("£").replace(",", "")) for cell in table.select("tbody tr td:nth-of-type(2)")
    ]
    assert len(amounts) == 32 and sum(amounts) == 13_500_000
    assert (_count(LcpfVersion), _count(LcpfAllocation), _count(AuditEvent)) == before
    # The same address gives the same pounds (from the cache or worked out again).
    again = client.get_page(
        "/funding-formula/calculator?crime_weight=1&population_weight=0&deprivation_weight=0&category=ROBBERY&floor_percent=97"
    )
    assert again.find(
        "caption", string="Every borough: your choices next to the published allocation"
    ).parent.get_text() == (table.get_text())


def test_a_floor_the_pot_cannot_honour_is_explained_on_the_page(client, published):
    page = client.get_page(
        "/funding-formula/calculator?crime_weight=1&population_weight=1&deprivation_weight=1&floor_percent=150"
    )
    assert "The pot cannot honour the floor" in page.get_text()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("crime_weight=&population_weight=1&deprivation_weight=1", "Enter a weight for recorded crime"),
        ("crime_weight=abc&population_weight=1&deprivation_weight=1", "A weight for recorded crime must be a number"),
        ("crime_weight=0&population_weight=0&deprivation_weight=0", "Give at least one indicator a weight above zero"),
        ("crime_weight=1&population_weight=1&deprivation_weight=1&category=NOT+A+CRIME", "Choose crime categories"),
        ("crime_weight=1&population_weight=1&deprivation_weight=1&floor_percent=-5", "The floor must be between"),
    ],
)
def test_the_calculator_shows_each_mistake_in_the_summary_and_keeps_what_was_typed(client, published, query, message):
    page = client.get_page(f"/funding-formula/calculator?{query}")
    summary = page.select_one(".govuk-error-summary").get_text()
    assert message in summary
    assert page.find(id="results") is None
    assert page.find("input", id="crime_weight")["value"] == query.split("&")[0].split("=")[1]


def test_with_nothing_published_the_page_says_so(client):
    assert "No version of the formula has been published yet" in client.get_page("/funding-formula").get_text()
    assert "No version" in client.get_page("/funding-formula/calculator").get_text()
