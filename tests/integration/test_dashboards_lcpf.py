"""The London Crime Prevention Fund on the public dashboards: allocations per resident, per recorded crime and
beside deprivation from the published formula version's own figures; inner and outer London; and allocations,
plans and returns on time. Each chart's table and CSV are its truth."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine

from portal.lcpf import formula, versions
from portal.models import PlanStatus
from tests.borough_projects_support import TODAY, plan_in, report_two_quarters, returns_of
from tests.directory_support import create_service
from tests.factories_boroughs import create_borough_allocation
from tests.factories_funding import create_fund
from tests.lcpf_support import import_real_files, parameters


@pytest.fixture(autouse=True)
def november_2026():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def published():
    import_real_files()
    versions.publish(versions.create_draft("Earlier", parameters(12_000_000), None), None)
    return versions.publish(versions.create_draft("Current", parameters(13_000_000, years=(2026, 2027)), None), None)


def rows(client, name: str, query: str = "") -> list[dict]:
    response = client.get(f"/dashboards/{name}.csv{query}")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_each_boroughs_allocation_per_resident_and_per_recorded_crime_come_from_the_published_version(
    client, published
):
    table = {row["Borough"]: row for row in rows(client, "lcpf-by-borough", "?year=2026")}
    assert len(table) == 32 and "City of London" not in table
    inputs = {b.name: b for b in formula.inputs_from_json(published.inputs)}
    allocations = {a.local_authority.name: a.amount_pounds for a in published.allocations if a.financial_year == 2026}
    lewisham, pounds = table["Lewisham"], allocations["Lewisham"]
    assert Decimal(lewisham["Allocation (£)"]) == pounds
    per_resident = (Decimal(pounds) / inputs["Lewisham"].residents).quantize(Decimal("0.01"))
    assert Decimal(lewisham["Per resident (£)"]) == per_resident
    crimes = sum(inputs["Lewisham"].crime.values())
    assert Decimal(lewisham["Per recorded crime (£)"]) == (Decimal(pounds) / crimes).quantize(Decimal("0.01"))
    assert lewisham["Inner or outer London"] == "Inner"
    assert Decimal(lewisham["IMD average score"]) > 0
    assert sum(Decimal(row["Allocation (£)"]) for row in table.values()) == sum(allocations.values())

    sides = {row["Area"]: row for row in rows(client, "lcpf-inner-outer", "?year=2026")}
    assert set(sides) == {"Inner London", "Outer London"}
    inner = sum(Decimal(r["Allocation (£)"]) for r in table.values() if r["Inner or outer London"] == "Inner")
    assert Decimal(sides["Inner London"]["Allocation (£)"]) == inner

    page = client.get_page("/dashboards")
    text = page.get_text(" ", strip=True)
    assert "London Crime Prevention Fund: borough allocations" in text
    assert "Borough allocations, 2026/27" in text and "Current" in text
    assert page.select_one("a[href^='/dashboards/lcpf-by-borough.csv']")


def test_allocations_plans_and_returns_on_time_by_year(client, published):
    create_borough_allocation("Lambeth", 2026, confirm_by=date(2026, 1, 31), confirmed_on=date(2026, 3, 2))
    plan = plan_in("Lewisham")  # allocations for 2026 and 2027, confirmed on time
    report_two_quarters(plan.projects[0])  # Q1 and Q2 sent on their due dates
    plan_in("Hackney", PlanStatus.QUERIED)
    table = {row["Financial year"]: row for row in rows(client, "lcpf-on-time")}
    assert table["2026/27"]["Allocations confirmed on time"] == "2"  # Lewisham and Hackney
    assert table["2026/27"]["Confirmed late"] == "1"  # Lambeth
    assert table["2026/27"]["Approved plans"] == "1"  # Hackney's is queried
    assert len(returns_of(plan.projects[0])) == 8
    assert (table["2026/27"]["Returns due"], table["2026/27"]["Sent on time"]) == ("2", "2")
    assert table["2026/27"]["Returns on time"] == "100.0"
    assert list(table) == ["2026/27", "2027/28"]
    assert list({row["Financial year"] for row in rows(client, "lcpf-on-time", "?year=2027")}) == ["2027/28"]


def test_with_nothing_published_the_charts_say_so_and_their_csv_has_only_headings(client):
    text = client.get_page("/dashboards").get_text(" ", strip=True)
    assert "There are no borough allocations to show yet." in text
    assert rows(client, "lcpf-by-borough") == []


def test_a_choice_of_fund_leaves_the_allocations_out(client, published):
    fund = create_fund("Victims' services")
    create_service("Victim support", fund=fund)
    assert rows(client, "lcpf-by-borough", f"?fund={fund.id}") == []
    assert "belong to no single fund" in client.get_page(f"/dashboards?fund={fund.id}").get_text()
