"""Measures rolled up by outcome: exact figures on a small dataset worked out by hand, the filters by financial
year and borough, the CSVs, and a page whose queries do not grow with the number of services."""

import csv
import io
from datetime import UTC, datetime, time

import pytest

from portal.extensions import db
from portal.models import MeasureActual, Return, ReturnFrequency, ReturnStatus
from tests.borough_projects_support import plan_in, report_two_quarters
from tests.factories import local_authority
from tests.factories_monitoring import award_returns, create_award, create_measure
from tests.factories_outcomes import map_measure, map_project, published_framework

VIOLENCE, SUPPORTED, REOFFENDING = (
    "Fewer victims of violence",
    "Victims supported to cope and recover",
    "Reduced reoffending",
)


def report(return_: Return, actuals: dict, *, accept: bool = True) -> None:
    for measure, actual in actuals.items():
        return_.actuals.append(MeasureActual(measure_id=measure.id, actual=actual))
    return_.spend_pence = 1_000_00
    return_.submitted_at = return_.first_submitted_at = datetime.combine(return_.due_on, time(9), tzinfo=UTC)
    return_.status = ReturnStatus.ACCEPTED if accept else ReturnStatus.SUBMITTED
    db.session.commit()


@pytest.fixture
def portfolio():
    """Two services in 2025/26 and 2026/27 (April to March), reporting quarterly:

    - Southwark youth violence (Southwark; £40,000 a year): young people engaged, 100 a quarter, mapped to
      violence; victims supported, 40 a year (10 a quarter), mapped to victims supported. Q1 2025/26 accepted:
      120 engaged (met), 8 supported (missed). Q2 submitted, not accepted: 999 engaged (never counted).
    - Lambeth mentoring (Lambeth; £30,000 a year): people mentored, 10 a quarter, mapped to reoffending, and a
      measure nobody has mapped. Q1 2025/26 accepted: 10 mentored (met); Q1 2026/27 accepted: 7 (missed).
    """
    framework = published_framework()
    southwark = create_award(title="Southwark youth violence", boroughs=("Southwark",))
    lambeth = create_award(title="Lambeth mentoring", boroughs=("Lambeth",), amounts_pence=(30_000_00, 30_000_00))
    engaged = create_measure(southwark, "Young people engaged", target=100)
    supported = create_measure(southwark, "Victims supported", unit="victims", target=40, basis=_year())
    mentored = create_measure(lambeth, "People mentored", unit="people", target=10)
    unmapped = create_measure(lambeth, "Sessions held", unit="sessions", target=5)
    map_measure(engaged, framework, VIOLENCE)
    map_measure(supported, framework, SUPPORTED)
    map_measure(mentored, framework, REOFFENDING)
    southwark_returns, lambeth_returns = award_returns(southwark), award_returns(lambeth)
    assert {r.frequency for r in southwark_returns + lambeth_returns} == {ReturnFrequency.QUARTERLY}
    report(southwark_returns[0], {engaged: 120, supported: 8})
    report(southwark_returns[1], {engaged: 999, supported: 999}, accept=False)
    report(lambeth_returns[0], {mentored: 10, unmapped: 3})
    report(lambeth_returns[4], {mentored: 7, unmapped: 3})
    return framework


def _year():
    from portal.models import MeasureBasis

    return MeasureBasis.YEAR


def rows(client, name: str, query: str = "") -> list[dict]:
    response = client.get(f"/dashboards/outcomes/{name}.csv{query}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def row(outcome, services, measures, target, achieved, results, met, share, money) -> dict:
    return {
        "Outcome": outcome,
        "Services contributing": services,
        "Measures": measures,
        "Target": target,
        "Achieved": achieved,
        "Results reported": results,
        "Targets met": met,
        "Share of targets met": share,
        "Money behind them (£)": money,
    }


def test_every_outcome_rolls_up_its_measures_across_all_years_and_london(client, portfolio):
    # Southwark's £80,000 is split evenly between its two outcomes; Lambeth's £60,000 is all reoffending's.
    assert rows(client, "outcomes-by-outcome") == [
        row(VIOLENCE, "1", "1", "100", "120", "1", "1", "100.0", "40000.00"),
        row(SUPPORTED, "1", "1", "10", "8", "1", "0", "0.0", "40000.00"),
        row(REOFFENDING, "1", "1", "20", "17", "2", "1", "50.0", "60000.00"),
    ]


def test_a_financial_year_counts_its_results_and_its_funding_only(client, portfolio):
    assert rows(client, "outcomes-by-outcome", "?year=2025") == [
        row(VIOLENCE, "1", "1", "100", "120", "1", "1", "100.0", "20000.00"),
        row(SUPPORTED, "1", "1", "10", "8", "1", "0", "0.0", "20000.00"),
        row(REOFFENDING, "1", "1", "10", "10", "1", "1", "100.0", "30000.00"),
    ]
    by_year = rows(client, "outcomes-by-year")
    assert [
        (r["Financial year"], r["Outcome"], r["Target"], r["Achieved"], r["Money behind them (£)"]) for r in by_year
    ] == [
        ("2025/26", VIOLENCE, "100", "120", "20000.00"),
        ("2025/26", SUPPORTED, "10", "8", "20000.00"),
        ("2025/26", REOFFENDING, "10", "10", "30000.00"),
        ("2026/27", VIOLENCE, "0", "0", "20000.00"),
        ("2026/27", SUPPORTED, "0", "0", "20000.00"),
        ("2026/27", REOFFENDING, "10", "7", "30000.00"),
    ]
    assert by_year[3]["Share of targets met"] == ""  # nothing reported yet: not 0%


def test_a_borough_counts_the_services_working_there(client, portfolio):
    lambeth = local_authority("Lambeth").id
    assert rows(client, "outcomes-by-outcome", f"?borough={lambeth}") == [
        row(VIOLENCE, "0", "0", "0", "0", "0", "0", "", "0.00"),
        row(SUPPORTED, "0", "0", "0", "0", "0", "0", "", "0.00"),
        row(REOFFENDING, "1", "1", "20", "17", "2", "1", "50.0", "60000.00"),
    ]
    assert rows(client, "outcomes-by-borough") == [
        {
            "Local authority": "Lambeth",
            "Outcome": REOFFENDING,
            "Services working there": "1",
            "Money behind them (£)": "60000.00",
        },
        {
            "Local authority": "Southwark",
            "Outcome": VIOLENCE,
            "Services working there": "1",
            "Money behind them (£)": "40000.00",
        },
        {
            "Local authority": "Southwark",
            "Outcome": SUPPORTED,
            "Services working there": "1",
            "Money behind them (£)": "40000.00",
        },
    ]


def test_a_london_wide_service_is_shared_among_the_boroughs_by_residents(client):
    framework = published_framework()
    award = create_award(
        title="London-wide helpline", boroughs=(), amounts_pence=(32_000_00,), end=datetime(2026, 3, 31).date()
    )
    award.works_pan_london = True
    db.session.commit()
    map_measure(create_measure(award, "Calls answered"), framework, SUPPORTED)
    by_borough = {r["Local authority"]: r for r in rows(client, "outcomes-by-borough")}
    assert len(by_borough) == 32  # the LCPF boroughs: the City is not served unless named
    total = sum(round(float(r["Money behind them (£)"]) * 100) for r in by_borough.values())
    assert total == 32_000_00
    assert float(by_borough["Croydon"]["Money behind them (£)"]) > float(
        by_borough["Kingston upon Thames"]["Money behind them (£)"]
    )


def test_a_borough_project_counts_under_its_outcome_with_all_its_measures(client):
    framework = published_framework()
    plan = plan_in("Lewisham", names=("Lewisham mentoring",))
    project = plan.projects[0]
    map_project(project, framework, VIOLENCE)
    report_two_quarters(project)  # Q1 2026/27 accepted: 18 of 20; Q2 submitted with 4,321 (never counted)
    assert rows(client, "outcomes-by-outcome", "?year=2026")[0] == row(
        VIOLENCE, "1", "1", "20", "18", "1", "0", "0.0", "120000.00"
    )
    lewisham = {r["Outcome"]: r for r in rows(client, "outcomes-by-borough") if r["Local authority"] == "Lewisham"}
    assert lewisham[VIOLENCE]["Money behind them (£)"] == "240000.00"


def test_a_withdrawn_award_and_a_superseded_outcome_count_nowhere(client, portfolio):
    from portal.models import AwardStatus
    from portal.outcomes import frameworks

    withdrawn = create_award(title="Withdrawn service")
    map_measure(create_measure(withdrawn, "Never delivered"), portfolio, VIOLENCE)
    withdrawn.status = AwardStatus.WITHDRAWN
    withdrawn.withdrawn_at, withdrawn.withdrawal_reason = datetime.now(UTC), "The provider closed"
    db.session.commit()
    assert rows(client, "outcomes-by-outcome")[0]["Services contributing"] == "1"
    officer = frameworks.fetch_current().published_by
    draft = frameworks.start_draft(officer)
    frameworks.remove_outcome(next(o for o in draft.outcomes if o.name == REOFFENDING), officer)
    frameworks.publish(draft.id, officer)
    assert [r["Outcome"] for r in rows(client, "outcomes-by-outcome")] == [VIOLENCE, SUPPORTED]


def test_the_page_shows_each_table_with_its_csv_and_the_filters(client, portfolio):
    page = client.get_page("/dashboards/outcomes?year=2025")
    text = page.get_text(" ", strip=True)
    assert "What funded services achieve for each outcome" in text
    for name in ("outcomes-by-outcome", "outcomes-by-year", "outcomes-by-borough"):
        assert page.find("a", href=f"/dashboards/outcomes/{name}.csv?year=2025") is not None
    assert page.find("option", value="2025", selected=True) is not None
    assert "£40,000" in client.get_page("/dashboards/outcomes").get_text()
    assert client.get_page("/dashboards").find("a", href="/dashboards/outcomes") is not None


def test_unknown_filters_are_ignored_and_an_unknown_table_is_not_found(client, portfolio):
    assert rows(client, "outcomes-by-outcome", "?year=1999&borough=999999") == rows(client, "outcomes-by-outcome")
    assert client.get("/dashboards/outcomes/nothing.csv").status_code == 404


def test_the_page_works_before_any_framework_is_published(client):
    page = client.get_page("/dashboards/outcomes")
    assert "No outcomes framework has been published yet" in page.get_text()


def test_the_page_does_not_ask_the_database_once_per_service(client, portfolio):
    from tests.integration.test_borough_projects_public import CountQueries

    def queries() -> int:
        import time

        from portal import jobs
        from portal.extensions import cache

        cache.clear()
        jobs._last_check["at"] = time.monotonic()  # the hand-over check runs now and then, whatever the page
        with CountQueries() as counted:
            assert client.get("/dashboards/outcomes").status_code == 200
        return counted.count

    first = plan_in("Lewisham", names=("Lewisham project",)).projects[0]
    map_project(first, portfolio, REOFFENDING)
    report_two_quarters(first)
    few = queries()
    for n in range(6):
        award = create_award(title=f"Another service {n}", boroughs=("Hackney", "Camden"))
        measure = create_measure(award, f"Measure {n}")
        map_measure(measure, portfolio, VIOLENCE)
        report(award_returns(award)[0], {measure: 50})
    plan = plan_in("Hackney", names=("One", "Two", "Three"))
    for project in plan.projects:
        map_project(project, portfolio, REOFFENDING)
        report_two_quarters(project)
    assert queries() == few
