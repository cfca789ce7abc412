"""Quarterly returns by spreadsheet: the template, the round trip, every kind of error (each leaves the database
as it was), files that are not spreadsheets, and a file the size of every borough's projects."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import time_machine
from openpyxl import load_workbook

from portal.extensions import db
from portal.models import (
    AuditEvent,
    MeasureActual,
    PlanStatus,
    Return,
    ReturnStatus,
    ReturnsUpload,
    UploadStatus,
    User,
)
from tests.client import parsed
from tests.factories_assessment import create_officer
from tests.factories_boroughs import (
    create_borough_allocation,
    create_council,
    create_plan,
    every_boroughs_returns_file,
)

TODAY = "2026-07-20 10:00:00+00:00"
Q1 = "2026-04-01"


@pytest.fixture(autouse=True)
def july_2026():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def plan(client):
    council, owner = create_council("Lewisham", email="lcpf@lewisham.example.org")
    create_borough_allocation("Lewisham", 2026, 800_000_00)
    plan = create_plan(council, status=PlanStatus.SUBMITTED, projects=2, amount_pence=100_000_00)
    plan.projects[0].name = '=HYPERLINK("http://example.com")'
    db.session.commit()
    client.sign_in(create_officer())
    client.post_form(f"/staff/boroughs/plans/{plan.id}", {"approve": "Approve plan"})
    client.sign_in(owner)
    return plan


def base(plan) -> str:
    return f"/organisations/{plan.organisation_id}/delivery-plans/{plan.id}/returns"


def download(client, plan):
    response = client.get(f"{base(plan)}/template?quarter={Q1}")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data))


def fill(workbook, values: dict[str, object]) -> None:
    """Put ``values`` (by item ref, or item ref with project id like ``"spend@3"``) in the Value column."""
    sheet = workbook["Returns"]
    for row in sheet.iter_rows(min_row=2):
        project_id, item = row[0].value, row[3].value
        for key in (f"{item}@{project_id}", item):
            if key in values:
                row[6].value = values[key]
                break


def measure_values(plan, value=18) -> dict[str, object]:
    return {f"measure:{m.id}": value for project in plan.projects for m in project.measures}


GOOD = {"spend": 24000, "people_helped": 30, "progress": "Mentors matched", "risks": "", "case_study_may_publish": "No"}


def as_bytes(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, plan, data: bytes, filename="returns.xlsx", expected_status=200):
    payload = {"csrf_token": client.csrf_token(), "quarter": Q1, "spreadsheet": (io.BytesIO(data), filename)}
    response = client.post(f"{base(plan)}/upload", data=payload, content_type="multipart/form-data")
    assert response.status_code == expected_status, response.data[:2000]
    return parsed(response.data)


def problems(page) -> list[tuple[str, str, str, str]]:
    table = page.select("table")
    if not table:
        return []
    return [tuple(td.get_text(strip=True) for td in row.select("td")) for row in table[-1].select("tbody tr")]


def snapshot():
    rows = db.session.execute(sa.select(Return.id, Return.status, Return.spend_pence, Return.version)).all()
    return (
        sorted(rows),
        db.session.scalar(sa.select(sa.func.count()).select_from(MeasureActual)),
        db.session.scalar(sa.select(sa.func.count(AuditEvent.id))),
    )


def test_the_template_is_prefilled_locked_validated_and_explained(client, plan):
    workbook = download(client, plan)
    sheet = workbook["Returns"]
    assert [c.value for c in sheet[1]] == [
        "Project ref",
        "Project",
        "Quarter",
        "Item ref",
        "Item",
        "Target or guidance",
        "Value",
    ]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert {row[2] for row in rows} == {"Q1 2026/27"}
    assert len(rows) == 2 * 8  # spend, people, one measure, four texts, publishing: for each of two projects
    assert rows[0][1] == '\'=HYPERLINK("http://example.com")'  # a name is never a formula
    assert rows[2][4:6] == ("Young people mentored", "Target 20 young people")
    assert sheet.protection.sheet and sheet["A2"].protection.locked and not sheet["G2"].protection.locked
    kinds = {v.type for v in sheet.data_validations.dataValidation}
    assert {"decimal", "whole", "list", "textLength"} <= kinds
    assert "Explanation" in workbook.sheetnames


def test_a_filled_template_round_trips_and_uploading_again_replaces_the_draft(client, plan, mailbox):
    workbook = download(client, plan)
    fill(workbook, GOOD | measure_values(plan))
    page = upload(client, plan, as_bytes(workbook), expected_status=302)
    returns = db.session.scalars(sa.select(Return).where(Return.period_start == date(2026, 4, 1))).all()
    assert {(r.status, r.spend_pence, r.people_helped, r.progress) for r in returns} == {
        (ReturnStatus.IN_PROGRESS, 24_000_00, 30, "Mentors matched")
    }
    assert all(r.actual_for(r.plan_project.measures[0].id) == 18 for r in returns)
    assert page is not None

    workbook = download(client, plan)  # what was saved comes back in the template
    assert 24000 in [row[6] for row in workbook["Returns"].iter_rows(min_row=2, values_only=True)] or "24000" in [
        row[6] for row in workbook["Returns"].iter_rows(min_row=2, values_only=True)
    ]
    fill(workbook, {"spend": 25000})
    upload(client, plan, as_bytes(workbook), expected_status=302)
    assert {r.spend_pence for r in returns} == {25_000_00}


def test_every_kind_of_error_is_listed_with_its_cell_and_nothing_is_saved(client, plan):
    first, second = plan.projects
    workbook = download(client, plan)
    fill(workbook, GOOD | measure_values(plan))
    fill(
        workbook,
        {
            f"spend@{first.id}": "lots",
            f"people_helped@{first.id}": -3,
            f"progress@{second.id}": "",
            f"measure:{first.measures[0].id}@{first.id}": "=1+1",
        },
    )
    sheet = workbook["Returns"]
    sheet.append([9999, "Not ours", "Q1 2026/27", "spend", "Spend", "", 10])
    sheet.append([second.id, second.name, "Q1 2026/27", f"measure:{first.measures[0].id}", "Wrong", "", 3])
    sheet.append([second.id, second.name, "Q2 2026/27", "risks", "Risks", "", "None"])
    before = snapshot()
    page = upload(client, plan, as_bytes(workbook))
    found = problems(page)
    messages = [message for *_, message in found]
    assert ("Returns", "2", "G", "Spend must be an amount in pounds, like 12500") in found
    assert ("Returns", "3", "G", "The figure cannot be less than 0") in found
    assert ("Returns", "4", "G", "The cell has a formula: type the figure or text itself") in found
    assert ("Returns", "18", "A", "Unknown project “9999”: it is not a project of this plan") in found
    assert any("is not one of Project 2's measures" in m for m in messages)
    assert ("Returns", "20", "C", "The quarter must be Q1 2026/27, the quarter this template is for") in found
    assert any(m == "Describe Project 2's progress this quarter" for m in messages)
    assert not any(m.startswith("Enter Young people mentored") for m in messages)  # its formula is reported
    assert "nothing has been saved" in page.select_one(".govuk-error-summary").get_text()
    assert snapshot() == before


def test_a_submitted_return_is_never_replaced(client, plan):
    return_ = db.session.scalar(
        sa.select(Return).where(Return.plan_project_id == plan.projects[0].id, Return.period_start == date(2026, 4, 1))
    )
    return_.status = ReturnStatus.SUBMITTED
    db.session.commit()
    workbook = download(client, plan)
    sheet = workbook["Returns"]
    sheet.append([plan.projects[0].id, "x", "Q1 2026/27", "spend", "Spend", "", 1])
    before = snapshot()
    page = upload(client, plan, as_bytes(workbook))
    assert any("has been submitted, so it cannot be replaced" in m for *_, m in problems(page))
    assert snapshot() == before


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("returns.xlsx", b"", "The file is empty"),
        ("returns.xlsx", b"%PDF-1.4 not a workbook", "The file is not an Excel workbook"),
        ("returns.pdf", b"%PDF-1.4", "The file must be an Excel workbook (.xlsx) or a CSV file (.csv)"),
        ("returns.csv", b"x" * (2 * 1024 * 1024 + 1), "The file must be smaller than 2 MB"),
        ("returns.csv", b"Project,Quarter\n1,Q1\n", "The headings must be exactly those of the template"),
    ],
)
def test_files_that_are_not_the_template_are_refused_clearly(client, plan, filename, data, message):
    before = snapshot()
    page = upload(client, plan, data, filename)
    assert any(m.startswith(message) for *_, m in problems(page)), problems(page)
    assert snapshot() == before


def test_the_same_columns_upload_as_csv(client, plan):
    workbook = download(client, plan)
    fill(workbook, GOOD | measure_values(plan, 7))
    out = io.StringIO()
    writer = csv.writer(out)
    for row in workbook["Returns"].iter_rows(values_only=True):
        writer.writerow(["" if v is None else v for v in row])
    upload(client, plan, out.getvalue().encode(), "returns.csv", expected_status=302)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeasureActual)) == 2


def test_a_file_of_every_boroughs_projects_is_checked_row_by_row(client, plan):
    """33 boroughs by 40 projects, each with three measures: every row is checked, and every one is reported. How
    long that takes is measured by `make bench-spreadsheet`, not here."""
    data = every_boroughs_returns_file()
    before = snapshot()
    page = upload(client, plan, data)
    assert "9240 problems" in page.select_one(".govuk-error-summary").get_text()
    assert snapshot() == before


def test_another_borough_cannot_download_or_upload(client, plan):
    _, other_owner = create_council("Lambeth")
    client.sign_in(other_owner)
    assert client.get(f"{base(plan)}/template?quarter={Q1}").status_code == 403
    assert client.get(f"{base(plan)}/upload").status_code == 403
    upload(client, plan, b"x", "returns.csv", expected_status=403)


@pytest.fixture
def in_background(app, monkeypatch):
    """Every upload is large enough to be checked by the background job."""
    monkeypatch.setitem(app.config, "SPREADSHEET_BACKGROUND_BYTES", 0)


def owner() -> User:
    return db.session.scalar(sa.select(User).where(User.email == "lcpf@lewisham.example.org"))


def returns_saved():
    return sorted(db.session.execute(sa.select(Return.id, Return.status, Return.spend_pence, Return.version)).all())


def test_a_large_file_is_checked_in_the_background_and_saved_while_the_borough_watches(
    client, plan, in_background, run_jobs, mailbox
):
    workbook = download(client, plan)
    fill(workbook, GOOD | measure_values(plan))
    payload = {
        "csrf_token": client.csrf_token(),
        "quarter": Q1,
        "spreadsheet": (io.BytesIO(as_bytes(workbook)), "q1.xlsx"),
    }
    response = client.post(f"{base(plan)}/upload", data=payload, content_type="multipart/form-data")
    assert response.status_code == 302
    status_url = response.headers["Location"]
    assert status_url.startswith(f"{base(plan)}/uploads/")
    run_jobs()

    page = client.get_page(status_url)
    assert "2 returns saved from the file" in page.select_one(".govuk-notification-banner").get_text()
    assert "Saved" in page.select_one(".govuk-summary-list .govuk-tag").get_text()
    assert not page.find("script", src="/assets/js/job-progress.mjs")
    progress = client.get(f"{status_url}/progress").get_json()
    assert progress == {"status": "saved", "status_label": "Saved", "progress": 100, "message": None, "finished": True}
    returns = db.session.scalars(sa.select(Return).where(Return.period_start == date(2026, 4, 1))).all()
    assert {(r.status, r.spend_pence, r.people_helped) for r in returns} == {(ReturnStatus.IN_PROGRESS, 24_000_00, 30)}
    upload = db.session.scalar(sa.select(ReturnsUpload))
    assert (upload.status, upload.saved_count, upload.data) == (UploadStatus.SAVED, 2, None)
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.subject_type == "returns_upload").order_by(AuditEvent.id)
    ).all()
    assert actions == ["returns_upload.queued", "returns_upload.saved"]


def test_a_large_file_with_problems_lists_them_on_its_page_and_saves_nothing(client, plan, in_background, run_jobs):
    workbook = download(client, plan)
    fill(workbook, GOOD | measure_values(plan) | {f"spend@{plan.projects[0].id}": "lots"})
    before = returns_saved()
    upload(client, plan, as_bytes(workbook), expected_status=302)
    run_jobs()
    upload_ = db.session.scalar(sa.select(ReturnsUpload))
    page = client.get_page(f"{base(plan)}/uploads/{upload_.id}")
    assert ("Returns", "2", "G", "Spend must be an amount in pounds, like 12500") in problems(page)
    assert "nothing has been saved" in page.select_one(".govuk-warning-text").get_text()
    assert (upload_.status, upload_.data) == (UploadStatus.REFUSED, None)
    assert returns_saved() == before


def test_an_upload_left_by_a_stopped_worker_is_checked_again_and_only_once(client, plan, run_jobs):
    from portal.boroughs import uploads
    from workers.maintenance import recover

    workbook = download(client, plan)
    fill(workbook, GOOD | measure_values(plan))
    # A worker claimed the upload and stopped: nothing else touches it until the claim times out.
    upload_ = ReturnsUpload(
        plan=plan,
        period_start=date(2026, 4, 1),
        filename="q1.xlsx",
        data=as_bytes(workbook),
        status=UploadStatus.CHECKING,
        progress=40,
        uploaded_by_id=owner().id,
        claimed_at=datetime.now(UTC),
        claimed_by="a stopped worker",
    )
    db.session.add(upload_)
    db.session.commit()
    assert recover()["returns uploads restarted"] == 0
    with time_machine.travel("2026-07-20 10:06:00+00:00", tick=False):
        assert recover()["returns uploads restarted"] == 1
        run_jobs()
    db.session.expire_all()
    assert (upload_.status, upload_.saved_count) == (UploadStatus.SAVED, 2)
    assert uploads.check_upload(upload_.id) is UploadStatus.SAVED  # a second run changes nothing
    saved_events = sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "returns_upload.saved")
    assert db.session.scalar(saved_events) == 1
    assert {r.spend_pence for r in db.session.scalars(sa.select(Return))} >= {24_000_00}


def test_another_borough_cannot_see_an_upload(client, plan, in_background, run_jobs):
    workbook = download(client, plan)
    upload(client, plan, as_bytes(workbook), expected_status=302)
    upload_ = db.session.scalar(sa.select(ReturnsUpload))
    council, other_owner = create_council("Lambeth")
    client.sign_in(other_owner)
    assert client.get(f"{base(plan)}/uploads/{upload_.id}").status_code == 403
    assert client.get(f"{base(plan)}/uploads/{upload_.id}/progress").status_code == 403
    # Through its own plan's address, another borough's upload does not exist.
    other = create_plan(council, status=PlanStatus.APPROVED)
    db.session.commit()
    other_base = f"/organisations/{council.id}/delivery-plans/{other.id}/returns"
    assert client.get(f"{other_base}/uploads/{upload_.id}").status_code == 404
