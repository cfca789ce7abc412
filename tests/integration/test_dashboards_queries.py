"""The dashboards' work does not grow with the published data: the same SQL statements at one and at many times
the services, targets compared with actuals in SQL, and each list of choices worked out once per request."""

from contextlib import contextmanager
from datetime import date

import pytest
import sqlalchemy as sa

from portal.dashboards import data, figures
from portal.extensions import cache, db
from portal.models import Measure, MeasureBasis, ReturnFrequency
from tests.factories_monitoring import create_award
from tests.factories_reports import award_returns, create_funding, create_measure, report_return


@contextmanager
def counting_queries():
    statements: list[str] = []

    def note(_connection, _cursor, statement, _parameters, _context, _executemany):
        if "job_handover" not in statement:  # each web process looks for jobs kept while Redis was down, now and then
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)


def test_a_target_worked_out_in_sql_is_the_one_a_measure_works_out_itself():
    cases = [
        (target, basis, frequency) for target in range(0, 14) for basis in MeasureBasis for frequency in ReturnFrequency
    ]
    rows = sa.union_all(
        *(
            sa.select(
                sa.literal(n).label("n"),
                sa.literal(target).label("target"),
                sa.literal(basis.value).label("basis"),
                sa.literal(frequency.value).label("frequency"),
            )
            for n, (target, basis, frequency) in enumerate(cases)
        )
    ).subquery()
    expression = Measure.target_for_sql(rows.c.target, rows.c.basis, ReturnFrequency.quarters_sql(rows.c.frequency))
    worked_out = dict(db.session.execute(sa.select(rows.c.n, expression)).all())
    for n, (target, basis, frequency) in enumerate(cases):
        assert worked_out[n] == Measure(target=target, basis=basis).target_for(frequency.quarters), (
            target,
            basis,
            frequency,
        )


def _more_rated_services(count: int, officer) -> None:
    for number in range(count):
        award = create_award(title=f"Rated service {number}", start=date(2025, 4, 1), end=date(2026, 3, 31))
        measure = create_measure(award, "People reached", unit="people", target=10 + number, basis=MeasureBasis.YEAR)
        for return_ in award_returns(award)[:2]:
            report_return(return_, officer, spend=5_000_00, people=8, actuals=[(measure, 3 + number)])
    db.session.commit()


def _cold_dashboards(client) -> tuple[list[str], list[str]]:
    """The statements of a page whose figures are kept, with nothing in the shared cache, and those of working its
    figures out from the published data (what the job does when that changes, and the first visit for a choice of
    filters)."""
    client.get("/dashboards")  # anything left over from setting up (jobs handed over after commit) happens here
    cache.clear()
    db.session.commit()  # the request starts a transaction of its own, as in production
    with counting_queries() as page:
        response = client.get("/dashboards")
    assert response.status_code == 200
    db.session.commit()
    with counting_queries() as worked_out:
        figures.work_out(data.Filters())
    return page, [statement for statement in worked_out if statement != "BEGIN"]  # SQLite's, starting a transaction


@pytest.mark.commits  # each statement is counted, as production sends them: no savepoints
def test_a_cold_dashboards_page_runs_the_same_statements_with_ten_times_the_services(client):
    funding = create_funding()
    _more_rated_services(1, funding.officer)
    few, few_worked_out = _cold_dashboards(client)
    _more_rated_services(10, funding.officer)
    many, many_worked_out = _cold_dashboards(client)
    assert len(many) == len(few) and len(many_worked_out) == len(few_worked_out)
    # Every chart's facts by award and by year at once: at most 15 statements for the whole page, however many
    # charts (it was 30 when each chart read its own); the page itself reads its kept figures.
    assert len(many_worked_out) <= 15, "\n".join(many_worked_out)
    assert len(many) <= 4, "\n".join(many)
    # Financial years on offer are a scan of every published award's years: once per request, not twice.
    years = [s for s in many if "award_year.financial_year" in s and "UNION" in s.upper()]
    assert len(years) == 1


def test_measures_achieved_counts_each_result_against_its_target_for_the_period(client):
    funding = create_funding()
    _more_rated_services(3, funding.officer)
    # create_funding's two results (one met), then three services reporting 3, 4 and 5 against a yearly target of
    # 10, 11 and 12 shared over two quarters each: a quarter's share is 2 (2.5 rounded to even), 3 (2.75) and 3,
    # so every one of their six results meets it.
    response = client.get("/dashboards/measures-achieved.csv")
    assert response.status_code == 200
    assert response.data.decode().splitlines()[1:] == ["2025/26,8,7,87.5"]


def test_benefit_cost_ratios_take_the_same_statements_however_many_analyses_are_published(client):
    from tests.value_support import import_series, published_analysis

    funding = create_funding()
    import_series(funding.officer)
    published_analysis(funding.advocacy, funding.officer, "First analysis")
    one = _cold_dashboards(client)[1]
    for award in (funding.helpline, funding.outreach, funding.advocacy):
        published_analysis(award, funding.officer, f"Analysis of {award.title}")
    four = _cold_dashboards(client)[1]
    assert len(four) == len(one)
