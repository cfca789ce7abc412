"""The public dashboards: exact figures on a small known dataset, the CSVs, the filters, and nothing private."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.dashboards.data import CHART_NAMES, SNB_CHARTS, split_evenly
from portal.extensions import db
from portal.models import InnerOuter, LocalAuthority, PerformanceRecord, Rag, ServiceArea
from tests.factories import create_organisation
from tests.factories_monitoring import award_returns, create_award
from tests.factories_reports import PRIVATE_MARKERS, create_funding, report_return
from tests.value_support import import_series, published_analysis


def csv_rows(client, name: str, query: str = "") -> list[dict]:
    response = client.get(f"/dashboards/{name}.csv{query}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.data.decode())))


def by_first_column(rows: list[dict]) -> dict[str, dict]:
    return {next(iter(row.values())): row for row in rows}


def test_split_evenly_gives_the_odd_pence_to_the_first_keys_and_adds_up():
    assert split_evenly(100_000_01, ["Lambeth", "Southwark"]) == {"Lambeth": 50_000_01, "Southwark": 50_000_00}
    assert split_evenly(10, ["a", "b", "c"]) == {"a": 4, "b": 3, "c": 3}


def test_spend_by_borough_shares_each_service_among_the_boroughs_it_serves_by_residents(client):
    create_funding()
    rows = by_first_column(csv_rows(client, "spend-by-borough"))

    assert len(rows) == 33  # every local authority; London-wide services are shared among them, not a row apart
    # £100,000.01 for Lambeth (317,654 residents) and Southwark (307,637): £50,800.99 and £49,199.01 and a
    # penny over, which goes to Southwark's larger fraction. The £30,000 London-wide helpline is shared among the
    # 32 LCPF boroughs' 8,791,144 residents: £1,084.00 to Lambeth, £1,049.81 (and a penny over) to Southwark.
    assert rows["Lambeth"] == {
        "Local authority": "Lambeth",
        "Inner or outer London": "Inner",
        "Awarded (£)": "51884.99",
        "Reported spend (£)": "10485.40",
        "Residents": "317654",
        "Awarded per resident (£)": "0.16",
    }
    assert rows["Southwark"]["Awarded (£)"] == "50248.84"
    assert rows["Bromley"]["Awarded (£)"] == "81126.10"  # £80,000 over both years and £1,126.10 of the helpline
    assert rows["Bromley"]["Awarded per resident (£)"] == "0.25"
    assert rows["Hackney"]["Awarded (£)"] == "884.34"  # the helpline only
    assert rows["City of London"]["Awarded (£)"] == "0.00"  # the helpline does not name the City
    # Every penny awarded is in exactly one borough.
    assert sum(Decimal(row["Awarded (£)"]) for row in rows.values()) == Decimal("210000.01")
    assert sum(Decimal(row["Reported spend (£)"]) for row in rows.values()) == Decimal("39000.00")


def test_inner_and_outer_london_per_resident_include_shares_of_london_wide_services(client):
    create_funding()
    residents = dict(
        db.session.execute(
            sa.select(LocalAuthority.inner_outer, sa.func.sum(LocalAuthority.residents_2021)).group_by(
                LocalAuthority.inner_outer
            )
        ).all()
    )
    boroughs = by_first_column(csv_rows(client, "spend-by-borough"))
    rows = by_first_column(csv_rows(client, "spend-inner-outer"))

    inner = sum(Decimal(r["Awarded (£)"]) for r in boroughs.values() if r["Inner or outer London"] == "Inner")
    assert rows["Inner London"]["Awarded (£)"] == str(inner)
    assert rows["Inner London"]["Residents"] == str(residents[InnerOuter.INNER])
    expected_inner = (inner / residents[InnerOuter.INNER]).quantize(Decimal("0.01"))
    assert rows["Inner London"]["Awarded per resident (£)"] == str(expected_inner)
    assert Decimal(rows["Inner London"]["Awarded (£)"]) + Decimal(rows["Outer London"]["Awarded (£)"]) == Decimal(
        "210000.01"
    )
    assert Decimal(rows["Outer London"]["Awarded (£)"]) > Decimal("80000.00")  # Bromley and its helpline shares


def test_spend_by_service_area_fund_and_year(client):
    create_funding()
    areas = by_first_column(csv_rows(client, "spend-by-service-area"))
    # The helpline is in two areas: £30,000 split £15,000 each.
    assert areas["Victim support"]["Awarded (£)"] == "115000.01"
    assert areas["Victim support"]["Reported spend (£)"] == "24500.00"
    assert areas["Violence reduction"]["Awarded (£)"] == "95000.00"
    assert areas["Violence reduction"]["Reported spend (£)"] == "14500.00"

    funds = by_first_column(csv_rows(client, "spend-by-fund"))
    assert funds == {
        "Victims' services": {
            "Fund": "Victims' services",
            "Awarded (£)": "130000.01",
            "Reported spend (£)": "29000.00",
        },
        "Youth violence fund": {
            "Fund": "Youth violence fund",
            "Awarded (£)": "80000.00",
            "Reported spend (£)": "10000.00",
        },
    }

    years = by_first_column(csv_rows(client, "spend-by-year"))
    assert years == {
        "2025/26": {"Financial year": "2025/26", "Awarded (£)": "170000.01", "Reported spend (£)": "39000.00"},
        "2026/27": {"Financial year": "2026/27", "Awarded (£)": "40000.00", "Reported spend (£)": "0.00"},
    }


def test_filters_by_financial_year_and_fund_come_from_the_query_string(client):
    funding = create_funding()
    rows = by_first_column(csv_rows(client, "spend-by-borough", "?year=2026"))
    assert rows["Bromley"]["Awarded (£)"] == "40000.00"
    assert rows["Lambeth"]["Awarded (£)"] == "0.00"

    rows = by_first_column(csv_rows(client, "spend-by-borough", f"?fund={funding.youth_fund.id}"))
    assert rows["Bromley"]["Awarded (£)"] == "80000.00"
    assert rows["Lambeth"]["Awarded (£)"] == "0.00"

    # A year or fund that is not on offer is ignored rather than an error.
    rows = by_first_column(csv_rows(client, "spend-by-borough", "?year=1999&fund=99999"))
    assert rows["Lambeth"]["Awarded (£)"] == "51884.99"

    page = client.get_page(f"/dashboards?year=2025&fund={funding.victims_fund.id}")
    assert page.find("option", selected=True, value="2025")
    link = page.find("a", href=lambda h: h and h.startswith("/dashboards/spend-by-borough.csv"))
    assert link["href"] == f"/dashboards/spend-by-borough.csv?year=2025&fund={funding.victims_fund.id}"


def test_performance_latest_ratings_trend_and_returns_on_time(client):
    create_funding()
    overall = sorted(r.value for r in db.session.scalars(sa.select(PerformanceRecord.overall)))
    assert overall == ["amber", "green", "red"]  # advocacy under-spent; helpline 20 days late; outreach on track

    assert by_first_column(csv_rows(client, "rag-latest")) == {
        "Green": {"Rating": "Green", "Services": "1"},
        "Amber": {"Rating": "Amber", "Services": "1"},
        "Red": {"Rating": "Red", "Services": "1"},
        "Not rated yet": {"Rating": "Not rated yet", "Services": "0"},
    }
    assert csv_rows(client, "rag-trend") == [
        {"Period ending in": "Q1 2025/26", "Red": "1", "Amber": "1", "Green": "1", "Returns rated": "3"}
    ]
    assert csv_rows(client, "returns-on-time") == [
        {"Financial year": "2025/26", "Returns accepted": "3", "Submitted on time": "2", "On time": "66.7"}
    ]
    # In 2026/27 only the outreach service is funded, and it has no rating in that year yet.
    assert by_first_column(csv_rows(client, "rag-latest", "?year=2026"))["Not rated yet"]["Services"] == "1"


def test_outcomes_people_helped_and_measures_against_targets(client):
    create_funding()
    assert csv_rows(client, "people-helped") == [{"Financial year": "2025/26", "People helped": "100"}]
    # Advocacy: 95 against 100 (missed); outreach: 12 against a quarter of 40 (met).
    assert csv_rows(client, "measures-achieved") == [
        {"Financial year": "2025/26", "Measure results": "2", "Target met": "1", "Met": "50.0"}
    ]


def test_value_for_money_compares_each_services_cost_per_person_with_its_areas_median(client):
    create_funding()
    assert csv_rows(client, "value-by-area") == [
        {"Service area": "Victim support", "Services compared": "2", "Median cost per person (£)": "700.00"},
        {"Service area": "Violence reduction", "Services compared": "2", "Median cost per person (£)": "550.00"},
    ]
    rows = [
        (
            r["Service"],
            r["Service area"],
            r["Cost per person (£)"],
            r["Compared with median"],
            r["Outcomes achieved"],
            r["Cost per outcome (£)"],
            r["Outcome cost compared with median"],
        )
        for r in csv_rows(client, "value-by-service")
    ]
    # Furthest from the median either way first: 0.36 is nearly three times below it, 1.64 further than 0.71.
    # Cost per outcome: reported spend over what the measures achieved (£10,000 / 12 and £20,000 / 95).
    assert rows == [
        ("Bromley youth violence outreach", "Violence reduction", "200.00", "0.36", "12", "833.33", "1.00"),
        ("London-wide hate crime helpline", "Violence reduction", "900.00", "1.64", "0", "", ""),
        ("Southwark and Lambeth victims' advocacy", "Victim support", "500.00", "0.71", "95", "210.53", "1.00"),
        ("London-wide hate crime helpline", "Victim support", "900.00", "1.29", "0", "", ""),
    ]


def test_value_for_money_by_borough_compares_services_naming_the_borough_and_shows_a_published_ratio(client):
    funding = create_funding()
    casework = create_award(
        create_organisation("Southwark Casework"),
        title="Southwark hate crime casework",
        end=date(2026, 3, 31),
        amounts_pence=(20_000_00,),
        boroughs=("Southwark",),
    )
    casework.fund = funding.victims_fund
    casework.service_areas = [ServiceArea.VICTIM_SUPPORT]
    db.session.commit()
    report_return(award_returns(casework)[0], funding.officer, spend=10_000_00, people=10)
    import_series(funding.officer)
    published_analysis(funding.advocacy, funding.officer)

    rows = [
        (r["Borough"], r["Service"], r["Cost per person (£)"], r["Area median (£)"], r["Compared with median"])
        for r in csv_rows(client, "value-by-borough")
    ]
    # Southwark's two victim support services (£500 and £1,000 a person, median £750: 0.67 is further from it than
    # 1.33); Lambeth's and Bromley's one each; the London-wide helpline is compared London-wide only.
    assert rows == [
        ("Southwark", "Southwark and Lambeth victims' advocacy", "500.00", "750.00", "0.67"),
        ("Southwark", "Southwark hate crime casework", "1000.00", "750.00", "1.33"),
        ("Bromley", "Bromley youth violence outreach", "200.00", "200.00", "1.00"),
        ("Lambeth", "Southwark and Lambeth victims' advocacy", "500.00", "500.00", "1.00"),
    ]
    ratios = {r["Service"]: r["Benefit-cost ratio"] for r in csv_rows(client, "value-by-service")}
    # £140,500 of benefits (tests/value_support) against £100,000.01 of grant in year 0.
    assert ratios["Southwark and Lambeth victims' advocacy"] == "1.40"
    assert ratios["Bromley youth violence outreach"] == ""


def test_the_page_shows_each_chart_with_a_table_and_a_csv_link_and_defines_spend(client):
    create_funding()
    page = client.get_page("/dashboards")
    figures = page.select("figure.portal-chart")
    assert len(figures) == len(CHART_NAMES) - len(SNB_CHARTS)  # no board has an allocation here
    # No LCPF formula is published here, so its charts say so instead of showing a table (test_dashboards_lcpf).
    assert {figure["id"] for figure in figures if not figure.find("table")} <= {
        "lcpf-by-borough",
        "lcpf-inner-outer",
        "lcpf-on-time",
    }
    figures = [figure for figure in figures if figure.find("table")]
    for figure in figures:
        assert figure.find("figcaption").h3.get_text(strip=True)
        assert figure.find("table", class_="govuk-table")
        csv_link = figure.find("a", download=True)
        assert csv_link["href"] == f"/dashboards/{figure['id']}.csv"
        assert not figure.select("[style]")
    text = page.get_text(" ", strip=True)
    assert "Awarded is the funding approved for each service, by financial year" in text
    assert "a London-wide service among the 32 boroughs in the London Crime Prevention Fund" in text
    lambeth = next(li for li in page.select("#spend-by-borough li") if "Lambeth" in li.get_text())
    assert "£51,884.99" in lambeth.get_text()
    assert page.find(id="section-snb").find_next("p", string=lambda s: s and "no Safer Neighbourhood Board" in s)


def test_the_dashboards_work_with_nothing_funded_yet(client):
    page = client.get_page("/dashboards")
    assert "There is nothing to show for these filters yet." in page.get_text()
    assert csv_rows(client, "rag-trend") == []


def test_an_unknown_chart_is_not_found(client):
    assert client.get("/dashboards/secrets.csv").status_code == 404


@pytest.mark.parametrize("name", sorted(CHART_NAMES))
def test_nothing_private_appears_in_any_csv(client, name):
    create_funding()
    body = client.get(f"/dashboards/{name}.csv").data.decode()
    for marker in PRIVATE_MARKERS:
        assert marker not in body, f"{marker} in {name}.csv"


def test_nothing_private_appears_on_the_dashboards_page_whatever_the_filters(client):
    funding = create_funding()
    for query in ("", "?year=2025", f"?fund={funding.victims_fund.id}", f"?fund={funding.draft.fund_id}"):
        text = client.get(f"/dashboards{query}").data.decode()
        for marker in PRIVATE_MARKERS:
            assert marker not in text, f"{marker} on /dashboards{query}"


def test_csv_downloads_may_be_cached_publicly_because_they_hold_only_public_figures(client):
    response = client.get("/dashboards/spend-by-fund.csv")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert "Set-Cookie" not in response.headers


def test_a_red_rating_is_shown_with_its_word(client):
    create_funding()
    page = client.get_page("/dashboards")
    red = next(li for li in page.select("#rag-latest li") if "portal-bar--red" in str(li))
    assert red.get_text(" ", strip=True).startswith(Rag.RED.label)
