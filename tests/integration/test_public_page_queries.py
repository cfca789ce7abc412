"""Every public page works itself out from nothing (its kept page and figures forgotten) in at most 15 SQL
statements, and in the same number with ten times the services: nothing on a public page costs a statement per
service, per return or per borough."""

from contextlib import contextmanager

import pytest
import sqlalchemy as sa
import time_machine

from portal.extensions import cache, db
from portal.lcpf import versions
from portal.models import Award, ServiceArea
from tests.borough_projects_support import TODAY, commissioned, plan_in, report_two_quarters
from tests.directory_support import create_service, rate
from tests.factories_funding import create_round
from tests.lcpf_support import import_real_files, parameters

MOST_STATEMENTS = 15
FEW = 5  # services at first; then ten times as many
SOUTHWARK = "E09000028"
LEWISHAM = "E09000023"

PUBLIC_PAGES = {
    "directory": "/services",
    "directory with filters": "/services?postcode=SE15&area=victim_support",
    "directory by borough and rating": f"/services?borough={SOUTHWARK}&rating=green&phase=all",
    "a service": "/services/{award_id}",
    "a borough's project": "/services/borough-projects/{project_id}",
    "map": "/map",
    "dashboards": "/dashboards",
    "dashboards for a year": "/dashboards?year=2026",
    "funding opportunities": "/funding/",
    "boroughs": "/boroughs",
    "a borough": f"/boroughs/{SOUTHWARK}",
    "a borough with projects": f"/boroughs/{LEWISHAM}",
    "funding formula": "/funding-formula",
    "Open Referral UK services": "/openreferral/services",
    "an Open Referral UK service": "/openreferral/services/{oruk_id}",
}


@pytest.fixture(autouse=True)
def november_2026():
    with time_machine.travel(TODAY, tick=False):
        yield


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


def cold_statements(client, url: str) -> list[str]:
    client.get(url)  # whatever is done once (jobs left from setting up, the first request of a process) happens here
    # No kept page and nothing in the shared cache: the page reads the database alone (the dashboards, the figures
    # kept in it; tests/integration/test_dashboards_queries.py counts what working those out takes).
    cache.clear()
    db.session.commit()  # the request starts a transaction of its own, as in production
    with counting_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return statements


BOROUGHS = (("Southwark",), ("Lambeth", "Southwark"), ("Lewisham",), ("Bromley",))
AREAS = (ServiceArea.VICTIM_SUPPORT, ServiceArea.VIOLENCE_REDUCTION, ServiceArea.CRIME_PREVENTION)


def more_services(start: int, count: int) -> list[Award]:
    """Services in turn in one or two boroughs or London-wide, in one or two areas, each with two accepted returns
    (rated green then amber)."""
    made = []
    for number in range(start, start + count):
        award = create_service(
            f"Service {number:03d}",
            boroughs=BOROUGHS[number % len(BOROUGHS)],
            pan_london=number % 5 == 4,
            areas=AREAS[: 1 + number % 2],
        )
        rate(award, 100, 80)
        made.append(award)
    return made


@pytest.fixture
def public_data():
    """A little of everything public: services, a borough's LCPF project, an open round, a published formula."""
    plan = plan_in("Lewisham", names=("Safer Streets mentoring",))
    project = plan.projects[0]
    commissioned(project)
    report_two_quarters(project)
    create_round(title="Safer streets 2027")
    import_real_files()
    versions.publish(versions.create_draft("Allocations 2026/27", parameters(13_000_000), None), None)
    first = more_services(0, FEW)[0]  # one of each kind: in one borough, in two, London-wide
    return {"award_id": first.id, "oruk_id": first.oruk_id, "project_id": project.id}


def statements_per_page(client, ids: dict) -> dict[str, list[str]]:
    return {page: cold_statements(client, url.format(**ids)) for page, url in PUBLIC_PAGES.items()}


def test_every_public_page_worked_out_afresh_runs_the_same_few_statements_at_ten_times_the_services(
    client, public_data
):
    """Every page is counted with the same data, then again after ten times the services: the data is made once
    (making it for each page took a minute and a half of the suite), and every page that fails is named."""
    at_first = statements_per_page(client, public_data)
    more_services(FEW, 9 * FEW)
    at_ten_times = statements_per_page(client, public_data)

    too_many = {page: statements for page, statements in at_first.items() if len(statements) > MOST_STATEMENTS}
    assert not too_many, "\n\n".join(f"{page}:\n" + "\n".join(statements) for page, statements in too_many.items())
    grew = {page: at_ten_times[page] for page in PUBLIC_PAGES if len(at_ten_times[page]) != len(at_first[page])}
    assert not grew, "a statement per service has crept in:\n\n" + "\n\n".join(
        f"{page} ({len(at_first[page])} at first):\n" + "\n".join(statements) for page, statements in grew.items()
    )
