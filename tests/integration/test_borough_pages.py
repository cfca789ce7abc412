"""The public borough pages: what is funded there in a year (agreeing with the map), the board's money and what it
paid for, rounds open to the borough, recorded crime with its source, the CSV, and finding a borough by postcode."""

import csv
import io
import json
from datetime import date, timedelta

from portal.database import utcnow
from portal.extensions import db
from portal.models import DrawdownStatus
from portal.periods import financial_year_start
from tests.directory_support import create_service, today
from tests.factories_drawdowns import create_allocation, create_board, create_drawdown
from tests.factories_funding import create_round

HACKNEY, CITY = "E09000012", "E09000001"


def this_year() -> int:
    return financial_year_start(today())


def label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def create_hackney() -> dict:
    year = this_year()
    start = date(year, 4, 1)
    board, _ = create_board("Hackney")
    allocation = create_allocation(board, financial_year=year, amount_pence=60_000_00, issued_on=start)
    paid = create_drawdown(allocation, 15_000_00, status=DrawdownStatus.PAID, paid_on=start + timedelta(days=30))
    paid.projects[0].name, paid.projects[0].description = "Estate walkabouts", "Residents and police walk the estates"
    waiting = create_drawdown(allocation, 5_000_00)
    waiting.projects[0].name = "Project not paid yet"
    create_allocation(board, fund=allocation.fund, financial_year=year + 1, issued_on=None)
    db.session.commit()
    return {
        "own": create_service(
            "Hackney youth mentoring", boroughs=("Hackney",), start=start, amounts_pence=(30_000_00,)
        ),
        "two": create_service(
            "East London advocacy", boroughs=("Hackney", "Camden"), start=start, amounts_pence=(100_000_00, 1_00)
        ),
        "london": create_service("London victims helpline", pan_london=True, start=start, amounts_pence=(500_000_00,)),
        "elsewhere": create_service("Bromley only", boroughs=("Bromley",), start=start, amounts_pence=(9_000_00,)),
        "open_round": create_round(title="Hackney and London round"),
        "past_round": create_round(
            title="Closed round", opens_at=utcnow() - timedelta(days=90), closes_at=utcnow() - timedelta(days=30)
        ),
    }


def test_a_borough_page_shows_every_service_funded_there_this_year_with_the_maps_figure(client):
    create_hackney()
    year = this_year()
    page = client.get_page(f"/boroughs/{HACKNEY}")
    text = page.get_text(" ", strip=True)
    assert f"Funded services, financial year {label(year)}" in page.h1.get_text(" ", strip=True)

    rows = {
        tr.select_one("td a").get_text(strip=True): tr for tr in page.select("div[aria-labelledby=services] tbody tr")
    }
    assert list(rows) == ["Hackney youth mentoring", "East London advocacy", "London victims helpline"]
    assert "This borough only" in rows["Hackney youth mentoring"].get_text()
    assert "£30,000" in rows["Hackney youth mentoring"].get_text()
    assert "£55,221.81" in rows["East London advocacy"].get_text()  # Hackney's share by residents
    assert "London-wide" in rows["London victims helpline"].get_text()
    assert "Not rated yet" in rows["London victims helpline"].get_text()
    assert "Bromley only" not in text

    mapped = json.loads(client.get("/map/data.json").data)["boroughs"][HACKNEY]["funding"]
    summary = {
        row.dt.get_text(strip=True): row.dd.get_text(" ", strip=True) for row in page.select(".govuk-summary-list__row")
    }
    assert summary[f"Funding in {label(year)}"] == f"£{mapped / 100:,.2f}"
    assert summary["Funded services"] == "3"
    assert summary["Latest ratings"] == "Green 0, amber 0, red 0, not rated yet 3"
    # 33,840 offences recorded in 2024 for 259,146 residents; 925,533 for the 32 boroughs' 8,791,144.
    assert summary["Recorded crime per 1,000 residents (2024)"] == "130.6 (London: 105.3)"
    assert "Metropolitan Police Service recorded crime, January to December 2024" in text


def test_a_borough_page_shows_the_boards_issued_allocation_and_only_the_projects_paid_for(client):
    create_hackney()
    year = this_year()
    page = client.get_page(f"/boroughs/{HACKNEY}")
    text = page.get_text(" ", strip=True)
    assert "Hackney Safer Neighbourhood Board" in text
    summary = {
        row.dt.get_text(strip=True): row.dd.get_text(" ", strip=True) for row in page.select(".govuk-summary-list__row")
    }
    assert summary["Allocation"] == "£60,000"
    assert summary["Paid so far"] == "£15,000"
    assert "Estate walkabouts" in text and "Residents and police walk the estates" in text
    assert "Project not paid yet" not in text
    # Next year's allocation is not issued yet, so it is not shown.
    next_year = client.get_page(f"/boroughs/{HACKNEY}?year={year + 1}").get_text(" ", strip=True)
    assert f"No allocation to Hackney's Safer Neighbourhood Board has been issued for {label(year + 1)}" in next_year


def test_a_borough_page_lists_rounds_open_to_it_and_the_city_has_no_met_police_figures(client):
    create_hackney()
    page = client.get_page(f"/boroughs/{HACKNEY}")
    rounds = [a.get_text(strip=True) for a in page.select("a[href^='/funding/']")]
    assert "Hackney and London round" in rounds and "Closed round" not in rounds

    city = client.get_page(f"/boroughs/{CITY}").get_text(" ", strip=True)
    assert "Not available: the City of London Police publish their own figures" in city
    assert "No funded service serves City of London" in city  # the helpline does not name the City
    client.get_page("/boroughs/E09999999", 404)


def test_the_borough_csv_names_the_borough_and_year_and_never_runs_a_formula(client):
    services = create_hackney()
    services["own"].title = '=HYPERLINK("http://example.org")'
    db.session.commit()
    year = this_year()
    response = client.get(f"/boroughs/{HACKNEY}/services.csv?year={year}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    filename = f"funded-services-hackney-{year}-{(year + 1) % 100:02d}.csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    rows = list(csv.DictReader(io.StringIO(response.data.decode())))
    assert [row["Service"] for row in rows] == [
        '\'=HYPERLINK("http://example.org")',
        "East London advocacy",
        "London victims helpline",
    ]
    assert rows[1] == {
        "Financial year": label(year),
        "Borough": "Hackney",
        "Service": "East London advocacy",
        "Provider": rows[1]["Provider"],
        "Serves": "Several boroughs",
        "Service's funding for the year (£)": "100000.00",
        "Share in this borough (£)": "55221.81",
        "Latest rating": "Not rated yet",
    }


def test_a_postcode_finds_its_borough_or_the_boroughs_it_may_be_in(client):
    response = client.get("/boroughs?postcode=br2 9aa")
    assert response.status_code == 302 and response.headers["Location"] == "/boroughs/E09000006"  # Bromley

    page = client.get_page("/boroughs?postcode=SE5")
    choices = [a.get_text(strip=True) for a in page.select("ul[aria-labelledby=district-boroughs] a")]
    assert choices == ["Southwark", "Lambeth"]  # the borough of its centre first

    page = client.get_page("/boroughs?postcode=not a postcode", 400)
    assert page.title.get_text().startswith("Error:")
    assert page.select_one(".govuk-error-summary a")["href"] == "#postcode"
    assert len(page.select("ul[aria-labelledby=every-borough] a")) == 33
