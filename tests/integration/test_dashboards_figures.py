"""The dashboards' figures are worked out when published data changes, kept in the database, and read by visitors:
a visit reads the kept figures whatever the shared cache holds, the job works every kept choice out again, and
figures kept by code of another shape are never read."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.dashboards import data, figures
from portal.dashboards.charts import Chart, Column, Kind
from portal.extensions import cache, db
from portal.models import DashboardFigures, Fund
from tests.concurrency import at_once, held_after
from tests.factories_monitoring import award_returns
from tests.factories_reports import create_funding, report_return
from tests.integration.test_dashboards import by_first_column, csv_rows
from tests.integration.test_dashboards_queries import counting_queries
from workers.dashboards import refresh_figures, refresh_figures_if_changed

LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


def kept() -> dict[str, DashboardFigures]:
    db.session.expire_all()
    return {row.filters: row for row in db.session.scalars(sa.select(DashboardFigures))}


def test_a_chart_as_plain_data_comes_back_exactly_as_it_was():
    chart = Chart(
        "example",
        "An example",
        "Every kind of value a chart holds.",
        (Column("Name"), Column("Awarded", Kind.PENCE), Column("Ratio", Kind.RATIO), Column("Due", Kind.TEXT)),
        [("Lambeth", 12_345_67, Decimal("1.25"), date(2026, 3, 31)), ("Not recorded", 0, None, None)],
        bar_columns=(1,),
        page_limit=50,
        rows_in_full=120,
        largest_in_full=Decimal("3.10"),
    )
    back = Chart.from_data(chart.as_data())
    assert back == chart
    assert isinstance(back.rows[0][2], Decimal) and isinstance(back.rows[0][3], date)


def test_the_first_visit_keeps_the_figures_and_later_visits_read_them_without_the_published_data(client):
    create_funding()
    first = client.get("/dashboards").get_data(as_text=True)
    assert set(kept()) == {""}
    assert "These figures were worked out on" in first

    cache.clear()  # no kept page and nothing in the shared cache: only the database
    with counting_queries() as statements:
        again = client.get("/dashboards").get_data(as_text=True)
    assert again == first
    published_facts = ("monitoring_return", "performance_record", "measure_actual", "award_borough", "drawdown")
    assert not [s for s in statements if any(table in s for table in published_facts)], statements
    assert len(statements) <= 4, statements


def test_each_choice_of_filters_is_kept_apart(client):
    funding = create_funding()
    client.get("/dashboards")
    client.get(f"/dashboards?year=2025&fund={funding.victims_fund.id}")
    client.get("/dashboards?year=2025")
    assert set(kept()) == {"", "year=2025", f"fund={funding.victims_fund.id}&year=2025"}


def test_figures_are_kept_as_they_stand_until_the_job_works_them_out_again(client):
    funding = create_funding()
    assert "Victims' services" in by_first_column(csv_rows(client, "spend-by-fund"))
    # A change made behind the portal's back, with no job queued: visitors still see the kept figures.
    db.session.get(Fund, funding.victims_fund.id).name = "Support for victims"
    db.session.commit()
    assert "Victims' services" in by_first_column(csv_rows(client, "spend-by-fund"))

    assert refresh_figures() == 1

    rows = by_first_column(csv_rows(client, "spend-by-fund"))
    assert "Support for victims" in rows and "Victims' services" not in rows


def test_accepting_a_return_has_the_kept_figures_worked_out_again(client, run_jobs):
    funding = create_funding()
    spent = by_first_column(csv_rows(client, "spend-by-fund"))["Youth violence fund"]["Reported spend (£)"]
    made_at = kept()[""].made_at
    unreported = next(r for r in award_returns(funding.outreach) if r.spend_pence is None)

    report_return(unreported, funding.officer, spend=1_000_00, people=4)
    run_jobs()

    after = by_first_column(csv_rows(client, "spend-by-fund"))["Youth violence fund"]["Reported spend (£)"]
    assert Decimal(after) == Decimal(spent) + 1000
    assert kept()[""].made_at > made_at


def test_figures_kept_by_code_of_another_shape_are_worked_out_again_and_replaced(client):
    create_funding()
    db.session.add(DashboardFigures(filters="", charts="{}", shape="an older shape", made_at=LONG_AGO))
    db.session.commit()

    page = client.get("/dashboards")

    assert page.status_code == 200
    assert "Funding by borough" in page.get_data(as_text=True)
    assert kept()[""].shape == figures.SHAPE


def test_the_job_drops_figures_for_a_year_or_fund_no_longer_on_offer(client):
    funding = create_funding()
    client.get("/dashboards")
    client.get(f"/dashboards?fund={funding.youth_fund.id}")
    db.session.add(DashboardFigures(filters="year=1999", charts="{}", shape=figures.SHAPE, made_at=LONG_AGO))
    db.session.commit()

    assert refresh_figures() == 2

    assert set(kept()) == {"", f"fund={funding.youth_fund.id}"}


@pytest.mark.commits
def test_two_first_visits_at_once_both_get_the_figures_and_one_row_is_kept(app, monkeypatch):
    create_funding()
    held_after(monkeypatch, figures, "work_out")  # both work the figures out before either keeps them

    outcomes = at_once(app, *[lambda: figures.for_page(data.Filters()).sections] * 2)

    assert all(isinstance(outcome, dict) and "Spending" in outcome for outcome in outcomes), outcomes
    assert list(kept()) == [""]


def test_the_check_every_few_minutes_works_the_figures_out_only_after_something_public_changed(client):
    funding = create_funding()
    client.get("/dashboards")
    assert refresh_figures() == 1
    assert refresh_figures_if_changed() == 0  # nothing public has changed since

    # A change no job was queued for (a fund renamed): the next check finds it.
    db.session.get(Fund, funding.victims_fund.id).name = "Support for victims"
    db.session.commit()
    assert refresh_figures_if_changed() == 1
    assert "Support for victims" in by_first_column(csv_rows(client, "spend-by-fund"))
    assert refresh_figures_if_changed() == 0


def test_publishing_a_formula_version_has_the_kept_figures_worked_out_again(client, run_jobs):
    from portal.lcpf import versions
    from tests.lcpf_support import import_real_files, parameters

    import_real_files()
    client.get("/dashboards")
    assert "There are no borough allocations to show yet" in client.get("/dashboards").get_data(as_text=True)

    versions.publish(versions.create_draft("Allocations 2026/27", parameters(13_000_000), None), None)
    run_jobs()

    assert "There are no borough allocations to show yet" not in client.get("/dashboards").get_data(as_text=True)
