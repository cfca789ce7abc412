"""The officers' drawdowns page (filters, sort, pages, summary) and the public aggregates per financial year."""

from datetime import date

import pytest
import time_machine

from portal.drawdowns.public import allocations_issued_on_time_by_year, drawdown_turnaround_by_year
from portal.models import DrawdownStatus
from tests.factories_assessment import create_officer
from tests.factories_drawdowns import create_allocation, create_board, create_drawdown
from tests.factories_funding import create_fund

S = DrawdownStatus


@pytest.fixture(autouse=True)
def late_november_2026():
    with time_machine.travel("2026-11-23 10:00:00+00:00", tick=False):
        yield


def rows(page):
    return [[cell.get_text(" ", strip=True) for cell in row.select("td")] for row in page.select("tbody tr")]


def some_drawdowns():
    fund = create_fund("Safer Neighbourhood Board fund", code="SNB")
    lambeth, _ = create_board("Lambeth")
    hackney, _ = create_board("Hackney")
    lambeth_2026 = create_allocation(lambeth, fund=fund, issued_on=date(2026, 4, 14))  # late
    hackney_2026 = create_allocation(hackney, fund=fund, issued_on=date(2026, 3, 2))  # on time
    create_allocation(lambeth, fund=fund, financial_year=2027, issued_on=None)
    # Paid in 8 working days; refused after 15; paid in 12; one still waiting since 16 November (5 so far).
    create_drawdown(
        lambeth_2026,
        1_000_00,
        status=S.PAID,
        requested_on=date(2026, 6, 1),
        decided_on=date(2026, 6, 4),
        paid_on=date(2026, 6, 11),
    )
    create_drawdown(
        hackney_2026, 2_000_00, status=S.REFUSED, requested_on=date(2026, 6, 1), decided_on=date(2026, 6, 22)
    )
    create_drawdown(
        hackney_2026,
        3_000_00,
        status=S.PAID,
        requested_on=date(2026, 7, 1),
        decided_on=date(2026, 7, 10),
        paid_on=date(2026, 7, 17),
    )
    create_drawdown(lambeth_2026, 4_000_00, status=S.REQUESTED, requested_on=date(2026, 11, 16))
    return fund, lambeth, hackney


def test_the_officers_page_shows_turnaround_against_the_target_in_words(client):
    some_drawdowns()
    client.sign_in(create_officer())
    page = client.get_page("/staff/drawdowns")
    table = rows(page)
    assert [(r[0].split(",")[0].strip(), r[4], r[5], r[6], r[7], r[8]) for r in table] == [
        (
            "Lambeth Safer Neighbourhood Board",
            "Awaiting decision",
            "Not yet",
            "Not yet",
            "5 working days so far",
            "5 working days left",
        ),
        (
            "Hackney Safer Neighbourhood Board",
            "Paid",
            "7 working days",
            "5 working days",
            "12 working days",
            "Over target by 2 working days",
        ),
        (
            "Lambeth Safer Neighbourhood Board",
            "Paid",
            "3 working days",
            "5 working days",
            "8 working days",
            "Within target",
        ),
        (
            "Hackney Safer Neighbourhood Board",
            "Refused",
            "15 working days",
            "Not yet",
            "15 working days",
            "Over target by 5 working days",
        ),
    ]
    summary = {
        dt.get_text(strip=True): dd.get_text(" ", strip=True)
        for dt, dd in zip(
            page.select(".govuk-summary-list__key"), page.select(".govuk-summary-list__value"), strict=True
        )
    }
    assert summary["Drawdowns finished (paid or refused)"] == "3"
    assert summary["Median time from request to payment or refusal"] == "12 working days"
    assert summary["Finished within 10 working days"] == "33% (1 of 3)"
    assert summary["Allocations issued on time"] == "1"
    assert summary["Allocations issued late"] == "1"
    assert summary["Allocations not issued yet"] == "1"


def test_the_officers_page_filters_sorts_and_pages(client, app):
    fund, lambeth, hackney = some_drawdowns()
    client.sign_in(create_officer())
    only_hackney = rows(client.get_page(f"/staff/drawdowns?board={hackney.id}&sort=amount&order=asc"))
    assert [r[3] for r in only_hackney] == ["£2,000", "£3,000"]
    paid = rows(client.get_page(f"/staff/drawdowns?status=paid&fund={fund.id}&year=2026&sort=board&order=asc"))
    assert [r[0].split(",")[0].strip() for r in paid] == [
        "Hackney Safer Neighbourhood Board",
        "Lambeth Safer Neighbourhood Board",
    ]
    empty = client.get_page("/staff/drawdowns?year=2027")
    assert "No drawdowns match." in empty.get_text()
    allocation = create_allocation(lambeth, fund=fund, financial_year=2025, amount_pence=100_000_00)
    for day in range(1, 28):
        create_drawdown(allocation, 100_00, requested_on=date(2025, 5, day))
    first, second = client.get_page("/staff/drawdowns?year=2025"), client.get_page("/staff/drawdowns?year=2025&page=2")
    assert (len(rows(first)), len(rows(second))) == (25, 2)
    assert first.select_one(".govuk-pagination") is not None


def test_the_target_comes_from_configuration(client, app):
    some_drawdowns()
    app.config["DRAWDOWN_TARGET_WORKING_DAYS"] = 15
    try:
        client.sign_in(create_officer())
        page = client.get_page("/staff/drawdowns?status=refused")
        assert rows(page)[0][8] == "Within target"
        assert [t.percent_within_target for t in drawdown_turnaround_by_year()] == [100]
    finally:
        app.config["DRAWDOWN_TARGET_WORKING_DAYS"] = 10


def test_the_public_sees_allocations_issued_on_time_or_late_per_year():
    some_drawdowns()
    years = allocations_issued_on_time_by_year()
    assert [(y.label, y.on_time, y.late, y.not_issued, y.percent_on_time) for y in years] == [
        ("2026/27", 1, 1, 0, 50),
        ("2027/28", 0, 0, 1, None),
    ]


def test_the_public_sees_drawdown_turnaround_per_year_without_names():
    some_drawdowns()
    years = drawdown_turnaround_by_year()
    assert [
        (y.label, y.count, y.median_working_days, y.percent_within_target, y.target_working_days) for y in years
    ] == [("2026/27", 3, 12, 33, 10)]
    assert set(vars(years[0])) == {
        "financial_year",
        "count",
        "median_working_days",
        "percent_within_target",
        "target_working_days",
    }


def test_the_public_dashboards_show_board_funding_with_tables_and_csvs(client):
    import csv
    import io

    _, lambeth, _ = some_drawdowns()
    other = create_fund("Another fund", code="OTH")
    create_allocation(lambeth, fund=other, financial_year=2028, issued_on=None)
    page = client.get_page("/dashboards")
    section = page.select_one("#section-snb").find_parent("section")
    assert "There are no Safer Neighbourhood Board allocations" not in section.get_text()
    tables = [
        [[c.get_text(" ", strip=True) for c in r.select("td")] for r in t.select("tbody tr")]
        for t in section.select("table")
    ]
    assert tables == [
        [
            ["2026/27", "1", "1", "0", "50%"],
            ["2027/28", "0", "0", "1", "Not applicable"],
            ["2028/29", "0", "0", "1", "Not applicable"],
        ],
        [["2026/27", "3", "12 working days", "33%"]],
    ]
    response = client.get("/dashboards/snb-drawdown-turnaround.csv")
    assert list(csv.reader(io.StringIO(response.data.decode()))) == [
        ["Financial year", "Drawdowns finished", "Median working days", "Share within target"],
        ["2026/27", "3", "12", "33"],
    ]
    year_only = client.get("/dashboards/snb-allocations-on-time.csv?year=2027").data.decode()
    assert "2026/27" not in year_only and "2027/28" in year_only
    other_fund_only = client.get(f"/dashboards/snb-allocations-on-time.csv?fund={other.id}").data.decode()
    assert "2026/27" not in other_fund_only and "2028/29" in other_fund_only


def test_the_dashboards_say_when_no_board_has_an_allocation(client):
    page = client.get_page("/dashboards")
    assert (
        "There are no Safer Neighbourhood Board allocations"
        in page.select_one("#section-snb").find_parent("section").get_text()
    )
