"""Committee reports: built in the background with progress, as a checked XLSX and PDF, kept in an archive,
published by officers, downloadable by anyone once published, and never showing anything private."""

import base64
import io
import re
import zlib
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from portal.database import utcnow
from portal.extensions import db
from portal.models import AuditEvent, MembershipRole, Rag, ReportRun, ReportStatus, ServiceArea, StaffRole
from portal.reports import runs
from portal.reports.content import HalfYear, duration_months, gather, recent_half_years, trend
from tests.client import summary_errors
from tests.factories import create_member, create_organisation, create_user
from tests.factories_reports import PRIVATE_MARKERS, create_funding

APRIL_TO_SEPTEMBER_2025 = HalfYear.starting(2025, 4)


def pdf_text(data: bytes) -> str:
    """The text drawn on the PDF's pages: reportlab writes each page's stream compressed, then in ASCII85."""
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.DOTALL):
        try:
            chunks.append(zlib.decompress(base64.a85decode(stream.strip().removesuffix(b"~>"))).decode("latin-1"))
        except (ValueError, zlib.error):
            continue
    strings = re.findall(r"\(((?:[^\\)]|\\.)*)\) Tj", "".join(chunks))
    return " ".join(re.sub(r"\\(.)", r"\1", string) for string in strings)


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page[^s]", data))


def build(funding_officer, run_jobs, period=APRIL_TO_SEPTEMBER_2025) -> ReportRun:
    run = runs.request_report(period, funding_officer)
    run_jobs()
    db.session.expire_all()
    return db.session.get(ReportRun, run.id)


def test_the_default_period_is_the_last_six_months_to_end_in_september_or_march():
    assert HalfYear.last_completed(date(2025, 11, 15)) == HalfYear(date(2025, 4, 1), date(2025, 9, 30))
    assert HalfYear.last_completed(date(2026, 4, 1)) == HalfYear(date(2025, 10, 1), date(2026, 3, 31))
    assert HalfYear.last_completed(date(2026, 2, 1)) == HalfYear(date(2025, 4, 1), date(2025, 9, 30))
    assert [p.label for p in recent_half_years(date(2026, 5, 1), 3)] == [
        "October 2025 to March 2026",
        "April to September 2025",
        "October 2024 to March 2025",
    ]
    assert HalfYear.from_key("2025-10") == HalfYear(date(2025, 10, 1), date(2026, 3, 31))
    assert HalfYear.from_key("2025-07") is None
    assert HalfYear.from_key("nonsense") is None


def test_duration_in_whole_months_and_the_trend_of_ratings():
    assert duration_months(date(2025, 4, 1), date(2027, 3, 31)) == 24
    assert duration_months(date(2025, 4, 15), date(2025, 10, 14)) == 6
    assert duration_months(date(2025, 4, 15), date(2025, 10, 13)) == 5
    assert trend([]) == "Not rated yet"
    assert trend([Rag.AMBER]) == "First rating"
    assert trend([Rag.RED, Rag.AMBER]) == "Improving"
    assert trend([Rag.GREEN, Rag.AMBER]) == "Getting worse"
    assert trend([Rag.GREEN, Rag.GREEN]) == "No change"


def test_each_service_lists_its_areas_in_the_order_the_forms_offer_them_and_its_boroughs_by_name():
    funding = create_funding()
    funding.outreach.service_areas = [
        ServiceArea.COMMUNITY_ENGAGEMENT,
        ServiceArea.VICTIM_SUPPORT,
        ServiceArea.HATE_CRIME,
    ]
    db.session.commit()
    report = gather(APRIL_TO_SEPTEMBER_2025, utcnow())
    assert [(row.fund, row.provider) for row in report.services] == [
        ("Victims' services", "Helpline London"),
        ("Victims' services", "South London Advocacy Trust"),
        ("Youth violence fund", "Bromley Youth Outreach"),
    ]
    helpline, advocacy, outreach = report.services
    assert outreach.service_areas == "Victim support, Hate crime, Community engagement"
    assert helpline.service_areas == "Victim support, Violence reduction"
    assert (advocacy.boroughs, helpline.boroughs, outreach.boroughs) == ("Lambeth, Southwark", "Pan-London", "Bromley")
    assert (advocacy.amount_pence, outreach.amount_pence, report.total_pence) == (100_000_01, 80_000_00, 210_000_01)
    assert [(line.name, line.target_text) for line in outreach.measures] == [
        ("Young people reached", "40 young people a year")
    ]


def test_the_job_builds_a_spreadsheet_with_one_row_per_public_service(run_jobs):
    funding = create_funding()
    run = build(funding.officer, run_jobs)
    assert (run.status, run.progress, run.services_count) == (ReportStatus.DONE, 100, 3)
    assert run.generated_at is not None

    workbook = load_workbook(io.BytesIO(run.xlsx))
    assert workbook.sheetnames == ["Summary", "Services", "Borough projects", "Evaluations"]
    services = workbook["Services"]
    headings = [cell.value for cell in services[1]]
    assert headings[:13] == [
        "Reference",
        "Provider",
        "Service",
        "Fund",
        "Boroughs",
        "Service areas",
        "Amount",
        "Start",
        "End",
        "Duration (months)",
        "Latest rating",
        "Rated for",
        "Trend",
    ]
    assert headings[13:] == ["Measure 1", "Target 1", "Latest actual 1"]
    assert services.max_row == 4
    rows = {row[2].value: row for row in services.iter_rows(min_row=2)}
    assert set(rows) == {
        "Southwark and Lambeth victims' advocacy",
        "London-wide hate crime helpline",
        "Bromley youth violence outreach",
    }
    advocacy = rows["Southwark and Lambeth victims' advocacy"]
    assert advocacy[1].value == "South London Advocacy Trust"
    assert advocacy[3].value == "Victims' services"
    assert advocacy[4].value == "Lambeth, Southwark"
    assert Decimal(str(advocacy[6].value)) == Decimal("100000.01")
    assert advocacy[6].number_format == '"£"#,##0.00'
    assert advocacy[7].value.date() == date(2025, 4, 1)
    assert advocacy[9].value == 12
    assert (advocacy[10].value, advocacy[11].value, advocacy[12].value) == ("Amber", "Q1 2025/26", "First rating")
    # The latest accepted actual (the submitted but unaccepted 9,999 in Q2 does not count).
    assert (advocacy[13].value, advocacy[14].value, advocacy[15].value) == (
        "Victims supported",
        "100 victims a quarter",
        95,
    )
    assert rows["London-wide hate crime helpline"][4].value == "Pan-London"
    assert rows["London-wide hate crime helpline"][10].value == "Red"
    assert rows["Bromley youth violence outreach"][14].value == "40 young people a year"
    assert services.column_dimensions["C"].width == 40

    summary = {row[0].value: row[1].value for row in workbook["Summary"].iter_rows() if row[0].value}
    assert summary["Period"] == "April to September 2025"
    assert summary["Services"] == 3
    assert Decimal(str(summary["Total funding of these services"])) == Decimal("210000.01")
    assert (summary["Green"], summary["Amber"], summary["Red"], summary["Not rated yet"]) == (1, 1, 1, 0)


def test_the_job_builds_an_a4_landscape_pdf_with_a_title_page_and_the_table(run_jobs):
    funding = create_funding()
    run = build(funding.officer, run_jobs)
    assert run.pdf.startswith(b"%PDF")
    assert pdf_pages(run.pdf) == 4  # the title page, the services, the borough projects and the evaluations
    assert b"/MediaBox [ 0 0 841.8898 595.2756 ]" in run.pdf  # A4, landscape
    text = pdf_text(run.pdf)
    assert "Report to the Police and Crime Committee for April to September 2025" in text
    assert "South London Advocacy Trust" in text
    assert "Bromley Youth Outreach" in text
    assert "Pan-London" in text
    assert "Amber (Q1 2025/26)" in text


def test_progress_is_committed_at_each_step_and_reaches_100(run_jobs, monkeypatch):
    funding = create_funding()
    seen = []
    original = runs._step

    def spy(run, worker, progress, message):
        original(run, worker, progress, message)
        seen.append((db.session.scalar(sa.select(ReportRun.progress).where(ReportRun.id == run.id)), message))

    monkeypatch.setattr(runs, "_step", spy)
    run = build(funding.officer, run_jobs)
    assert [progress for progress, _ in seen] == [5, 35, 65]
    assert seen[1][1] == "Writing the spreadsheet of 3 services"
    assert run.progress == 100


def test_a_failure_marks_the_run_failed_with_a_message_and_keeps_no_file(run_jobs, monkeypatch):
    funding = create_funding()

    def broken(report):
        raise RuntimeError("the PDF library ran out of memory")

    monkeypatch.setattr(runs, "build_pdf", broken)
    run = build(funding.officer, run_jobs)
    assert run.status is ReportStatus.FAILED
    assert "the PDF library ran out of memory" in run.message
    assert "No files were kept" in run.message
    assert (run.xlsx, run.pdf) == (None, None)  # the spreadsheet was built, but is not kept half-way
    actions = list(
        db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.subject_type == "report_run").order_by(AuditEvent.id)
        )
    )
    assert actions == ["report.requested", "report.failed"]


def test_running_the_job_again_leaves_a_finished_report_alone(run_jobs):
    funding = create_funding()
    run = build(funding.officer, run_jobs)
    pdf, generated_at = run.pdf, run.generated_at
    assert runs.build_report(run.id) is ReportStatus.DONE
    db.session.expire_all()
    again = db.session.get(ReportRun, run.id)
    assert (again.pdf, again.generated_at) == (pdf, generated_at)


def test_nothing_private_is_in_the_spreadsheet_or_the_pdf(run_jobs):
    funding = create_funding()
    run = build(funding.officer, run_jobs)
    workbook = load_workbook(io.BytesIO(run.xlsx))
    cells = " ".join(
        str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value is not None
    )
    text = pdf_text(run.pdf)
    for marker in PRIVATE_MARKERS:
        assert marker not in cells
        assert marker not in text
    assert "Draft Organisation" not in cells


def test_an_officer_requests_a_report_sees_its_page_and_a_double_submit_builds_it_once(client, run_jobs, app):
    funding = create_funding()
    client.sign_in(funding.officer)
    page = client.get_page("/staff/reports")
    checked = page.find("input", {"name": "period", "checked": True})
    assert checked["value"] == HalfYear.last_completed(runs.london_today()).key

    if not app.config["RUN_JOBS_INLINE"]:
        # With a worker, the run waits in the queue: asking again returns the same run.
        first = client.post_form("/staff/reports", {"period": "2025-04"})
        second = client.post_form("/staff/reports", {"period": "2025-04"})
        assert first.location == second.location
        run_jobs()
    else:
        first = client.post_form("/staff/reports", {"period": "2025-04"})
    assert db.session.scalar(sa.select(sa.func.count(ReportRun.id))) == 1
    run_page = client.get_page(first.location)
    assert run_page.h1.get_text(strip=True) == "April to September 2025"
    assert run_page.find("a", string="Spreadsheet (XLSX)")
    download = client.get(first.location + "/download/xlsx")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].endswith("committee-report-2025-04-to-2025-09.xlsx")
    progress = client.get(first.location + "/progress").get_json()
    assert progress == {"status": "done", "status_label": "Ready", "progress": 100, "message": None, "finished": True}


def test_choosing_no_period_or_one_not_offered_is_refused_beside_the_field(client):
    officer = create_user(staff_role=StaffRole.GRANT_OFFICER)
    client.sign_in(officer)
    page = client.post_form("/staff/reports", {}, expected_status=200)
    assert summary_errors(page) == ["Select the six months the report should cover"]
    page = client.post_form("/staff/reports", {"period": "2019-04"}, expected_status=200)
    assert summary_errors(page) == ["Not a valid choice."]
    assert db.session.scalar(sa.select(sa.func.count(ReportRun.id))) == 0


def test_the_run_page_shows_a_progress_bar_while_the_report_is_built(client):
    officer = create_user(staff_role=StaffRole.GRANT_OFFICER)
    run = ReportRun(
        period_start=date(2025, 4, 1),
        period_end=date(2025, 9, 30),
        status=ReportStatus.RUNNING,
        progress=35,
        message="Writing the spreadsheet of 3 services",
    )
    db.session.add(run)
    db.session.commit()
    client.sign_in(officer)
    page = client.get_page(f"/staff/reports/{run.id}")
    bar = page.find("progress")
    assert (bar["value"], bar["max"], bar.get_text()) == ("35", "100", "35%")
    assert page.find("label", attrs={"for": bar["id"]}).get_text(strip=True) == "Progress"
    assert "35% done: Writing the spreadsheet of 3 services" in page.get_text(" ", strip=True)
    assert page.find("a", string="Refresh this page")["href"] == f"/staff/reports/{run.id}"
    assert page.find("script", src="/assets/js/job-progress.mjs")
    assert client.get(f"/staff/reports/{run.id}/download/pdf").status_code == 404
    assert client.get(f"/staff/reports/{run.id}/publish").status_code == 404


def test_an_officer_publishes_a_report_and_anyone_can_then_download_it(client, run_jobs):
    funding = create_funding()
    run = build(funding.officer, run_jobs)
    assert client.get(f"/reports/{run.id}/pdf").status_code == 404  # not published yet
    assert "No committee reports have been published yet." in client.get_page("/reports").get_text()

    client.sign_in(funding.officer)
    client.get_page(f"/staff/reports/{run.id}/publish")
    client.post_form(f"/staff/reports/{run.id}/publish")
    client.post_form(f"/staff/reports/{run.id}/publish")  # twice: harmless
    client.sign_out()

    page = client.get_page("/reports")
    assert page.find("h2", string="April to September 2025")
    pdf = client.get(f"/reports/{run.id}/pdf")
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF")
    assert pdf.headers["Cache-Control"] == "public, max-age=3600"
    assert client.get(f"/reports/{run.id}/xlsx").status_code == 200
    actions = list(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.subject_type == "report_run")))
    assert actions.count("report.published") == 1

    client.sign_in(funding.officer)
    client.post_form(f"/staff/reports/{run.id}/unpublish")
    client.sign_out()
    assert client.get(f"/reports/{run.id}/pdf").status_code == 404


@pytest.mark.parametrize(
    "who, expected",
    [("reviewer", 403), ("admin", 403), ("organisation owner", 403), ("anonymous", 302), ("grant officer", 302)],
)
def test_only_grant_officers_may_publish(client, run_jobs, who, expected):
    funding = create_funding()
    run = build(funding.officer, run_jobs)
    user = {
        "reviewer": lambda: create_user(staff_role=StaffRole.REVIEWER),
        "admin": lambda: create_user(staff_role=StaffRole.ADMIN),
        "organisation owner": lambda: create_member(create_organisation(), MembershipRole.OWNER),
        "anonymous": lambda: None,
        "grant officer": lambda: create_user(staff_role=StaffRole.GRANT_OFFICER),
    }[who]()
    if user:
        client.sign_in(user)
        assert client.get("/staff/reports").status_code == (200 if who == "grant officer" else 403)
        assert client.get(f"/staff/reports/{run.id}/download/pdf").status_code == (
            200 if who == "grant officer" else 403
        )
    response = client.post_form(f"/staff/reports/{run.id}/publish", expected_status=expected)
    db.session.expire_all()
    assert db.session.get(ReportRun, run.id).is_published is (who == "grant officer")
    if who == "anonymous":
        assert response.location.startswith("/sign-in")


def test_the_six_monthly_command_builds_the_report_for_the_period_just_ended(app, run_jobs):
    create_funding()
    result = app.test_cli_runner().invoke(args=["reports", "committee", "--period", "2025-04"])
    assert result.exit_code == 0, result.output
    run_jobs()
    db.session.expire_all()
    run = db.session.scalar(sa.select(ReportRun))
    assert run.requested_by_id is None
    assert f"Committee report for April to September 2025: run {run.id}" in result.output
    assert run.status is ReportStatus.DONE

    bad = app.test_cli_runner().invoke(args=["reports", "committee", "--period", "2025-05"])
    assert bad.exit_code != 0
    assert "April or October" in bad.output


def test_the_scheduled_job_builds_the_half_year_last_ended_once(run_jobs):
    import time_machine

    from workers.reports import six_monthly_committee_report

    create_funding()
    with time_machine.travel("2025-11-15 06:00:00+00:00", tick=False):
        first = six_monthly_committee_report()
        run_jobs()
        again = six_monthly_committee_report()
    assert again == first
    [run] = db.session.scalars(sa.select(ReportRun)).all()
    assert (run.period_start, run.period_end) == (date(2025, 4, 1), date(2025, 9, 30))
    assert run.status is ReportStatus.DONE
