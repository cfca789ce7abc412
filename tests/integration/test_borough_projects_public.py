"""The projects of a borough's approved LCPF delivery plan in the public directory, on their own pages, on the
borough's page and on the map, like any other funded service; and nothing of a plan no officer has approved, nor
of a return no officer has accepted."""

import csv
import io
import json

import pytest
import sqlalchemy as sa
import time_machine

from portal.extensions import db
from portal.models import PlanStatus
from tests.borough_projects_support import TODAY, commissioned, plan_in, report_two_quarters
from tests.directory_support import create_service

LEWISHAM = "E09000023"


@pytest.fixture(autouse=True)
def november_2026():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def lewisham():
    plan = plan_in("Lewisham", names=("Safer Streets mentoring", "Catford night safety patrols"))
    mentoring = plan.projects[0]
    commissioned(mentoring)
    report_two_quarters(mentoring)
    return plan


class CountQueries:
    def __init__(self):
        self.count = 0

    def __enter__(self):
        sa.event.listen(db.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_):
        sa.event.remove(db.engine, "before_cursor_execute", self._count)

    def _count(self, connection, cursor, statement, *_):
        # The check for jobs kept while Redis was away runs now and then on any request, not as part of a page.
        if "job_handover" not in statement:
            self.count += 1


def listed(page) -> dict[str, str]:
    return {h2.a.get_text(strip=True): h2.a["href"] for h2 in page.select("h2.govuk-heading-m") if h2.a}


def test_an_approved_plans_projects_are_listed_with_awards_and_the_filters_find_them(client, lewisham):
    mentoring, patrols = lewisham.projects
    create_service("Victim support in Lewisham", boroughs=("Lewisham",))
    page = client.get_page("/services")
    found = listed(page)
    assert found["Safer Streets mentoring"] == f"/services/borough-projects/{mentoring.id}"
    assert found["Catford night safety patrols"] == f"/services/borough-projects/{patrols.id}"
    assert "Victim support in Lewisham" in found
    text = page.get_text(" ", strip=True)
    assert "£240,000 from London Crime Prevention Fund via the London Borough of Lewisham" in text
    assert "Lewisham Youth Trust" in text

    def titles(query: str) -> set[str]:
        return set(listed(client.get_page(f"/services?{query}")))

    assert titles(f"borough={LEWISHAM}") == {
        "Safer Streets mentoring",
        "Catford night safety patrols",
        "Victim support in Lewisham",
    }
    assert titles("borough=E09000022") == set()  # Lambeth
    assert titles("postcode=SE6") >= {"Safer Streets mentoring", "Catford night safety patrols"}
    assert titles("area=children_and_young_people") == {"Safer Streets mentoring", "Catford night safety patrols"}
    assert titles("area=victim_support") == {"Victim support in Lewisham"}
    assert titles("provider=youth+trust") == {"Safer Streets mentoring"}
    assert titles("provider=london+borough+of+lewisham") == {"Catford night safety patrols"}
    assert titles("fund=lcpf-boroughs") == {"Safer Streets mentoring", "Catford night safety patrols"}
    rating = next(iter(client.get_page(f"/services/borough-projects/{mentoring.id}").select(".govuk-tag--green")), None)
    assert rating is not None
    assert titles("rating=green") == {"Safer Streets mentoring"}
    assert "Catford night safety patrols" in titles("rating=none")
    assert titles("phase=ended") == set()
    assert titles("phase=active") >= {"Safer Streets mentoring", "Catford night safety patrols"}


def test_the_list_pages_awards_and_projects_together_by_title(client, app):
    names = tuple(f"Project {letter}" for letter in "ACEGIKMOQSUWY")
    plan_in("Lewisham", names=names, amount_pence=10_000_00)
    for letter in "BDFHJLNPRTVXZ":
        create_service(f"Project {letter}", boroughs=("Lewisham",))
    first = list(listed(client.get_page("/services")))
    second = list(listed(client.get_page("/services?page=2")))
    assert first == [f"Project {letter}" for letter in "ABCDEFGHIJKLMNOPQRSTUVWXY"]
    assert second == ["Project Z"]


def test_a_projects_page_shows_what_it_does_its_funding_measures_rating_and_last_update(client, lewisham):
    mentoring = lewisham.projects[0]
    page = client.get_page(f"/services/borough-projects/{mentoring.id}")
    text = page.get_text(" ", strip=True)
    assert page.h1.get_text(strip=True) == "Safer Streets mentoring"
    assert "Mentoring for young people at risk of exploitation" in text
    assert "funded by the London Crime Prevention Fund via the London Borough of Lewisham" in text
    assert "Lewisham Youth Trust" in text and "1123456" in text
    assert "Commissioned by London Borough of Lewisham" in text
    assert "Wards in Lewisham: Catford South, Rushey Green" in text
    years = [
        [td.get_text(strip=True) for td in tr.select("td, th")] for tr in page.select("table")[0].select("tbody tr")
    ]
    assert years == [["2026 to 2027", "£120,000"], ["2027 to 2028", "£120,000"]]
    # The measure's target and the figure from the accepted Q1 return, never the submitted Q2's.
    assert "Measures against targets, Q1 2026/27" in text
    assert "20 young people" in text and "18 young people" in text and "90%" in text
    assert "4,321" not in text and "77,777" not in text
    assert "Latest rating" in text and "for Q1 2026/27" in text
    assert "10 August 2026" in text  # last updated: when Q1 was accepted
    assert page.select_one(f"a[href='/boroughs/{LEWISHAM}']")


def test_a_project_the_borough_runs_itself_names_the_council_and_has_no_rating_until_a_return_is_accepted(
    client, lewisham
):
    patrols = lewisham.projects[1]
    text = client.get_page(f"/services/borough-projects/{patrols.id}").get_text(" ", strip=True)
    assert "The borough council runs the project itself" in text
    assert "The whole borough of Lewisham" in text
    assert "No quarterly return has been accepted yet, so there is no rating." in text
    assert "Measures and their targets for a quarter" in text and "Not reported yet" in text


@pytest.mark.parametrize("status", [PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.QUERIED, PlanStatus.VARYING])
def test_nothing_of_a_plan_that_is_not_approved_is_public(client, status):
    plan = plan_in("Lewisham", status, names=("Unapproved project in Deptford",))
    project = plan.projects[0]
    client.get_page(f"/services/borough-projects/{project.id}", 404)
    for url in ("/services", f"/services?borough={LEWISHAM}&phase=all", "/services?fund=lcpf-boroughs", "/map"):
        assert "Unapproved project in Deptford" not in client.get(url).get_data(as_text=True), url
    assert "Unapproved project in Deptford" not in client.get(f"/boroughs/{LEWISHAM}").get_data(as_text=True)
    figures = json.loads(client.get("/map/data.json").data)
    assert figures["boroughs"][LEWISHAM]["services"] == 0 and figures["boroughs"][LEWISHAM]["funding"] == 0
    dashboard = client.get("/dashboards/spend-by-borough.csv?year=2026").get_data(as_text=True)
    assert next(r for r in csv.DictReader(io.StringIO(dashboard)) if r["Local authority"] == "Lewisham")[
        "Awarded (£)"
    ] in ("0", "0.00")


def test_the_borough_page_and_the_map_count_the_projects_in_their_borough_alone(client, lewisham):
    mentoring, patrols = lewisham.projects
    page = client.get_page(f"/boroughs/{LEWISHAM}?year=2026")
    links = {a.get_text(strip=True): a["href"] for a in page.select("#services ~ * a, table a")}
    assert links["Safer Streets mentoring"] == f"/services/borough-projects/{mentoring.id}"
    assert "Borough LCPF project" in page.get_text()

    figures = json.loads(client.get("/map/data.json?year=2026").data)
    lewisham_figures = figures["boroughs"][LEWISHAM]
    assert lewisham_figures["services"] == 2 and lewisham_figures["funding"] == 240_000_00
    assert {t["url"] for t in lewisham_figures["titles"]} == {
        f"/services/borough-projects/{mentoring.id}",
        f"/services/borough-projects/{patrols.id}",
    }
    assert figures["boroughs"]["E09000022"]["funding"] == 0  # Lambeth, next door, has none of it
    assert "2027" in {str(y) for y in json.loads(client.get("/map/data.json?year=2027").data).values()}

    csv_text = client.get(f"/boroughs/{LEWISHAM}/services.csv?year=2026").get_data(as_text=True)
    assert "Safer Streets mentoring" in csv_text and "120000" in csv_text.replace(",", "").replace(".00", "")


def test_the_public_pages_do_not_ask_the_database_once_per_project(client):
    plan = plan_in("Lewisham", names=("Only project",))
    report_two_quarters(plan.projects[0])
    first = plan.projects[0].id

    def queries(url: str) -> int:
        from portal.extensions import cache

        cache.clear()
        # Each request starts with nothing loaded, as in production: what this test made is not there to reuse.
        db.session.commit()
        db.session.expunge_all()
        with CountQueries() as counted:
            assert client.get(url).status_code == 200
        return counted.count

    one = {url: queries(url) for url in ("/services", f"/boroughs/{LEWISHAM}", "/map/data.json")}
    more = plan_in("Lambeth", names=tuple(f"Lambeth project {n}" for n in range(8)))
    for project in more.projects:
        report_two_quarters(project)
    other = more.projects[3].id
    many = {url: queries(url) for url in one}
    assert many == one
    assert queries(f"/services/borough-projects/{first}") == queries(f"/services/borough-projects/{other}")


def test_every_borough_gets_the_same_project_funding_on_the_map_its_page_and_the_dashboard(client, lewisham):
    create_service("Shared across two boroughs", boroughs=("Lewisham", "Lambeth"))
    for year in (2026, 2027):
        figures = json.loads(client.get(f"/map/data.json?year={year}").data)
        response = client.get(f"/dashboards/spend-by-borough.csv?year={year}")
        dashboard = {row["Local authority"]: row for row in csv.DictReader(io.StringIO(response.data.decode()))}
        for mapped in figures["boroughs"].values():
            assert int(dashboard[mapped["name"]]["Awarded (£)"].replace(".", "")) == mapped["funding"]
        assert figures["boroughs"][LEWISHAM]["funding"] >= 240_000_00
