"""The public evaluations library: published evaluations only, with filters, sorting, pages, a CSV and reports."""

import csv
import io
from datetime import timedelta

import sqlalchemy as sa

from portal.database import utcnow
from portal.extensions import db
from portal.models import AwardStatus, Evaluation, EvaluationKind, EvaluationStatus, ServiceArea
from portal.periods import today_in_london
from tests.factories import create_organisation
from tests.factories_evaluations import PDF_BYTES, create_evaluation
from tests.factories_funding import create_fund
from tests.factories_monitoring import create_award

PUBLISHED = EvaluationStatus.PUBLISHED
AREA = next(iter(ServiceArea))
ALPHA, BETA = "Final evaluation of Alpha mentoring", "Interim evaluation of Beta advocacy"


def titles(client, query=""):
    page = client.get_page(f"/evaluations{query}")
    return [a.get_text() for a in page.select("main h2 a")]


def published(award=None, **fields):
    fields.setdefault("report_link", None if fields.get("with_pdf") else "https://example.org/report.pdf")
    return create_evaluation(award, status=PUBLISHED, **fields)


def test_only_published_evaluations_of_public_services_or_programmes_are_in_the_library(client):
    award = create_award(title="Street mentoring")
    published(award, kind=EvaluationKind.FINAL)
    create_evaluation(award, kind=EvaluationKind.INTERIM, question="SECRET-PLANNED-QUESTION")
    create_evaluation(award, kind=EvaluationKind.PROCESS, status=EvaluationStatus.DONE, findings="SECRET-DONE")
    withdrawn = create_award(title="SECRET-WITHDRAWN-SERVICE")
    published(withdrawn)
    withdrawn.status, withdrawn.withdrawn_at, withdrawn.withdrawal_reason = AwardStatus.WITHDRAWN, utcnow(), "Closed"
    db.session.commit()
    published(fund=create_fund("Victims' services"), kind=EvaluationKind.IMPACT)

    assert sorted(titles(client)) == [
        "Final evaluation of Street mentoring",
        "Impact evaluation of Victims' services",
    ]
    body = client.get("/evaluations").get_data(as_text=True) + client.get("/evaluations.csv").get_data(as_text=True)
    for secret in ("SECRET-PLANNED-QUESTION", "SECRET-DONE", "SECRET-WITHDRAWN-SERVICE"):
        assert secret not in body
    hidden = db.session.scalars(sa.select(Evaluation.id).where(Evaluation.status != PUBLISHED)).all()
    for evaluation_id in hidden:
        assert client.get(f"/evaluations/{evaluation_id}").status_code == 404


def test_the_library_filters_by_kind_fund_and_area_and_sorts(client):
    today = today_in_london()
    mentoring_fund = create_fund("Violence reduction")
    a = create_award(title="Alpha mentoring")
    a.fund = mentoring_fund
    a.service_areas = [AREA]
    db.session.commit()
    b = create_award(title="Beta advocacy")
    published(a, kind=EvaluationKind.FINAL, done_on=today - timedelta(days=100))
    published(b, kind=EvaluationKind.INTERIM, done_on=today - timedelta(days=5))

    assert titles(client) == [BETA, ALPHA]
    assert titles(client, "?sort=oldest") == [ALPHA, BETA]
    assert titles(client, "?sort=subject") == [ALPHA, BETA]
    assert titles(client, "?kind=interim") == [BETA]
    assert titles(client, f"?fund={mentoring_fund.id}") == [ALPHA]
    assert titles(client, f"?area={AREA.value}") == [ALPHA]
    assert titles(client, "?kind=nonsense&sort=nonsense&fund=abc") == titles(client)
    page = client.get_page("/evaluations?kind=process")
    assert "No evaluations match" in page.get_text(" ")


def test_the_library_has_pages(client):
    award = create_award()
    for number in range(23):
        published(award, question=f"Question {number}")
    page = client.get_page("/evaluations")
    assert len(page.select("main h2 a")) == 20
    assert "Showing 1 to 20 of 23 evaluations" in page.get_text(" ")
    assert len(client.get_page("/evaluations?page=2").select("main h2 a")) == 3
    assert client.get("/evaluations?page=999").status_code == 200


def test_the_csv_lists_what_the_filters_show_and_neutralises_formulas(client):
    award = create_award(create_organisation("=HYPERLINK(1)"), title="Street mentoring")
    evaluation = published(award, kind=EvaluationKind.FINAL, findings="=cmd|' /C calc'!A0", with_pdf=True)
    evaluation_link = published(award, kind=EvaluationKind.INTERIM)
    response = client.get("/evaluations.csv?kind=final")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 1
    row = rows[0]
    assert row["Kind"] == "Final" and row["Service or programme"] == "Street mentoring"
    assert row["Provider"] == "'=HYPERLINK(1)"
    assert row["Findings"].startswith("'=")
    assert row["Report"].endswith(f"/evaluations/{evaluation.id}/report.pdf")
    rows = list(csv.DictReader(io.StringIO(client.get("/evaluations.csv").get_data(as_text=True))))
    assert {r["Report"] for r in rows if r["Identifier"] == str(evaluation_link.id)} == {
        "https://example.org/report.pdf"
    }


def test_a_published_evaluation_has_its_page_and_report_and_the_service_page_lists_it(client):
    award = create_award(title="Street mentoring")
    evaluation = published(award, kind=EvaluationKind.FINAL, with_pdf=True, report_link=None)
    create_evaluation(award, kind=EvaluationKind.INTERIM, question="SECRET-PLANNED")
    page = client.get_page(f"/evaluations/{evaluation.id}")
    text = page.get_text(" ")
    assert "Fewer repeat referrals than a matched group." in text and "Cordis Bright" in text
    response = client.get(f"/evaluations/{evaluation.id}/report.pdf")
    assert (response.status_code, response.data) == (200, PDF_BYTES)
    service = client.get_page(f"/services/{award.id}").get_text(" ")
    assert "Final evaluation" in service and "SECRET-PLANNED" not in service


def test_the_360giving_file_lists_a_services_published_evaluations_as_related_documents_and_passes_its_schema(
    client,
):
    import json

    from portal.opendata import files

    award = create_award(title="Street mentoring")
    evaluation = published(award, kind=EvaluationKind.FINAL)
    create_evaluation(award, kind=EvaluationKind.INTERIM, status=EvaluationStatus.DONE, findings="SECRET-DONE")
    files.regenerate()  # checks the package against the 360Giving schema before storing it
    package = json.loads(client.get("/data/360giving.json").get_data(as_text=True))
    (grant,) = [g for g in package["grants"] if g["title"] == "Street mentoring"]
    (document,) = grant["relatedDocument"]
    assert document["documentType"] == "Evaluation report"
    assert document["url"].endswith(f"/evaluations/{evaluation.id}")
    assert "SECRET-DONE" not in json.dumps(package)
