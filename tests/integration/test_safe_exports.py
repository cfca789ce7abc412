"""Every spreadsheet and CSV the portal writes: text typed by users that a spreadsheet would run as a formula is
neutralised, and XLSX cells holding it are text, never formulas."""

import csv
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from portal.dashboards.data import CHART_NAMES
from portal.database import utcnow
from portal.exports import FORMULA_STARTS, safe_text
from portal.extensions import db
from portal.models import DialogueThread, Measure, ThreadKind
from portal.opendata import files
from portal.reports import runs
from portal.reports.content import HalfYear
from tests.factories_dialogue import create_thread
from tests.factories_reports import create_funding

# What someone might type into a name, title or lesson to attack whoever opens the export.
PLANTED = ('=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3+cmd", "@SUM(1+1)", "\t=1+1", "\r=1+1")


def plant_formulas():
    funding = create_funding()
    texts = iter(PLANTED * 4)
    for fund in (funding.victims_fund, funding.youth_fund):
        fund.name = next(texts) + fund.name
    for award in (funding.advocacy, funding.helpline, funding.outreach):
        award.title = next(texts) + award.title
        award.organisation.name = next(texts) + award.organisation.name
    for measure in db.session.scalars(sa.select(Measure)):
        measure.name = next(texts) + measure.name
    create_thread(funding.advocacy, funding.officer, subject=next(texts), kind=ThreadKind.LESSON)
    thread = db.session.scalar(sa.select(DialogueThread))
    thread.lesson_logged_at, thread.lesson_summary = utcnow(), next(texts)
    db.session.commit()
    return funding


def csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_neutralised(cells: list[str], where: str) -> None:
    dangerous = [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert not dangerous, f"{where}: {dangerous}"


def test_safe_text_neutralises_only_text_that_starts_a_formula():
    assert [safe_text(text) for text in PLANTED] == ["'" + text for text in PLANTED]
    assert safe_text("Peckham Women's Aid") == "Peckham Women's Aid"
    assert safe_text(-5) == -5  # numbers are numbers, not text


def test_every_export_neutralises_planted_formulas(client, run_jobs):
    funding = plant_formulas()
    from portal.directory.published import published_awards
    from portal.models import EvaluationStatus
    from tests.factories_evaluations import create_evaluation
    from workers.opendata import regenerate_all

    create_evaluation(
        db.session.scalars(published_awards()).first(),
        status=EvaluationStatus.PUBLISHED,
        evaluator='=HYPERLINK("http://evil.example")',
        findings="@SUM(1+1)",
        report_link="https://example.org/report.pdf",
    )

    regenerate_all()  # the nightly run: the texts were planted behind the portal's back, recording no change
    exports = {}
    for name in (files.THREESIXTY_CSV, files.PERFORMANCE_CSV):
        exports[name] = client.get(f"/data/{name}").get_data(as_text=True)
    for name in CHART_NAMES:
        response = client.get(f"/dashboards/{name}.csv")
        assert response.status_code == 200, name
        exports[f"dashboard {name}"] = response.get_data(as_text=True)
    exports["borough page"] = client.get("/boroughs/E09000028/services.csv?year=2025").get_data(
        as_text=True
    )  # Southwark
    exports["funded services"] = client.get("/services.csv?phase=all").get_data(as_text=True)
    exports["evaluations"] = client.get("/evaluations.csv").get_data(as_text=True)
    client.sign_in(funding.officer)
    exports["lessons log"] = client.get(f"/staff/funds/{funding.victims_fund.id}/lessons.csv").get_data(as_text=True)

    seen_planted = set()
    for where, text in exports.items():
        cells = csv_cells(text)
        assert_neutralised(cells, where)
        seen_planted |= {cell for cell in cells if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS)}
    # The planted text did reach the exports, neutralised: the check above is not passing on empty files.
    assert any(cell.startswith("'=HYPERLINK") for cell in seen_planted)
    assert any(cell.startswith("'@SUM") for cell in seen_planted)
    for where in (
        files.THREESIXTY_CSV,
        files.PERFORMANCE_CSV,
        "lessons log",
        "dashboard spend-by-fund",
        "borough page",
        "funded services",
        "evaluations",
    ):
        assert any(cell.startswith("'") for cell in csv_cells(exports[where])), where


def test_the_committee_report_spreadsheet_holds_planted_formulas_as_text(run_jobs):
    funding = plant_formulas()
    run = runs.request_report(HalfYear.starting(2025, 4), funding.officer)
    run_jobs()
    db.session.expire_all()
    workbook = load_workbook(io.BytesIO(db.session.get(type(run), run.id).xlsx))

    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = {cell.value for cell in cells if isinstance(cell.value, str)}
    assert any(text.startswith('=HYPERLINK("http://evil.example"') for text in texts)  # there, and only as text
