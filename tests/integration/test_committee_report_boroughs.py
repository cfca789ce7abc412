"""The committee report's borough section: each borough's approved LCPF delivery plan with its projects, funding,
reported spend and ratings from accepted returns up to the period's end, in the spreadsheet and the PDF; nothing
of a plan that is not approved, nor of a return not accepted."""

import io

import pytest
import time_machine
from openpyxl import load_workbook

from portal.models import PlanStatus
from portal.reports.content import HalfYear
from tests.borough_projects_support import TODAY, commissioned, plan_in, report_two_quarters
from tests.factories_assessment import create_officer
from tests.integration.test_committee_reports import build, pdf_text

APRIL_TO_SEPTEMBER_2026 = HalfYear.starting(2026, 4)


@pytest.fixture(autouse=True)
def november_2026():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_the_report_has_each_boroughs_plan_projects_spend_and_ratings(run_jobs):
    plan = plan_in("Lewisham", names=("Safer Streets mentoring", "Catford night safety patrols"))
    commissioned(plan.projects[0])
    report_two_quarters(plan.projects[0])  # Q1 accepted; Q2 (ending 30 September) only submitted
    plan_in("Lambeth", PlanStatus.QUERIED, names=("Queried Brixton project",))
    run = build(create_officer(), run_jobs, APRIL_TO_SEPTEMBER_2026)

    sheet = load_workbook(io.BytesIO(run.xlsx))["Borough projects"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    by_project = {row[3]: row for row in rows}
    assert set(by_project) == {"Safer Streets mentoring", "Catford night safety patrols"}
    mentoring = by_project["Safer Streets mentoring"]
    assert mentoring[:3] == ["Lewisham", "London Borough of Lewisham", "2026/27 to 2027/28"]
    assert mentoring[4] == "Lewisham Youth Trust"
    assert (mentoring[7], mentoring[8]) == (240_000, 30_000)  # the plan's funding; only Q1's spend
    assert mentoring[9] in ("Green", "Amber", "Red") and mentoring[10] == "Q1 2026/27"
    assert mentoring[12:15] == ["Young people mentored", "20 young people a quarter", 18]
    assert by_project["Catford night safety patrols"][9] == "Not rated yet"

    text = pdf_text(run.pdf)
    assert "Borough projects funded by the London Crime Prevention Fund" in text
    assert "Lewisham: London Borough of Lewisham, plan for 2026/27 to 2027/28" in text
    assert "Safer Streets mentoring" in text and "Lewisham Youth Trust" in text
    cells = " ".join(str(value) for row in rows for value in row if value is not None)
    for private in ("Queried Brixton project", "77,777", "77777", "4321", "4,321"):
        assert private not in text and private not in cells


def test_with_no_approved_plan_the_report_says_so(run_jobs):
    plan_in("Lewisham", PlanStatus.SUBMITTED, names=("Awaiting review",))
    run = build(create_officer(), run_jobs, APRIL_TO_SEPTEMBER_2026)
    assert "No borough had an approved delivery plan running in this period." in pdf_text(run.pdf)
    assert "Awaiting review" not in pdf_text(run.pdf)
