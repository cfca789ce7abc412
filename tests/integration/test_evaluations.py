"""Officers plan evaluations of services and programmes, record them as done and publish them; a published
evaluation never changes, whoever tries and however."""

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.errors import DomainError
from portal.evaluations import services
from portal.extensions import db
from portal.models import AuditEvent, Evaluation, EvaluationKind, EvaluationStatus, MembershipRole, StaffRole
from portal.models.evaluations import PublishedEvaluationChanged
from portal.periods import today_in_london
from tests.client import error_messages, summary_errors
from tests.factories import create_member, create_organisation, create_user
from tests.factories_evaluations import PDF_BYTES, create_evaluation
from tests.factories_funding import create_fund
from tests.factories_monitoring import create_award


def officer(name="Priya Shah"):
    return create_user(staff_role=StaffRole.GRANT_OFFICER, full_name=name)


def boxes(day):
    return [str(day.day), str(day.month), str(day.year)]


def form_data(**overrides):
    today = today_in_london()
    data = {
        "kind": "interim",
        "evaluator": "Cordis Bright",
        "planned_on": boxes(today + timedelta(days=120)),
        "done_on": ["", "", ""],
        "question": "Does mentoring reduce repeat victimisation?",
        "method": "Interviews and case records",
        "findings": "",
        "report_link": "",
    }
    data.update(overrides)
    return data


def audit_actions(evaluation):
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.subject_type == "evaluation", AuditEvent.subject_id == evaluation.id)
            .order_by(AuditEvent.id)
        )
    )


def reload(evaluation):
    db.session.expire_all()
    return db.session.get(Evaluation, evaluation.id)


def test_an_officer_plans_records_and_publishes_a_service_evaluation_with_a_pdf_and_every_move_is_audited(client):
    staff = officer()
    award = create_award(create_organisation("Peckham Street Mentors CIC"), title="Street mentoring")
    client.sign_in(staff)
    page = client.get_page(f"/staff/evaluations/new?award={award.id}&kind=final")
    assert page.find("input", {"name": "kind", "value": "final"}).has_attr("checked")

    client.post_form(f"/staff/evaluations/new?award={award.id}", form_data())
    evaluation = db.session.scalar(sa.select(Evaluation))
    assert (evaluation.award_id, evaluation.kind, evaluation.status) == (
        award.id,
        EvaluationKind.INTERIM,
        EvaluationStatus.PLANNED,
    )
    assert evaluation.created_by_id == staff.id

    # Recording it as done needs the date and the findings: the page says so and nothing moves.
    page = client.post_form(f"/staff/evaluations/{evaluation.id}/done", {}, 422)
    assert summary_errors(page) == [
        "Enter the date the evaluation was done before recording it as done",
        "Enter a summary of the findings before recording it as done",
    ]
    assert reload(evaluation).status is EvaluationStatus.PLANNED

    done_on = today_in_london() - timedelta(days=3)
    client.post_form(
        f"/staff/evaluations/{evaluation.id}/edit",
        form_data(
            done_on=boxes(done_on),
            findings="Fewer repeat referrals than a matched group.",
            report=(io.BytesIO(PDF_BYTES), "Interim report.pdf"),
        ),
    )
    client.post_form(f"/staff/evaluations/{evaluation.id}/done", {})
    client.post_form(f"/staff/evaluations/{evaluation.id}/publish", {})
    client.post_form(f"/staff/evaluations/{evaluation.id}/publish", {})  # a double submit changes nothing
    evaluation = reload(evaluation)
    assert evaluation.status is EvaluationStatus.PUBLISHED
    assert (evaluation.done_on, evaluation.report_filename, evaluation.published_by_id) == (
        done_on,
        "Interim report.pdf",
        staff.id,
    )
    assert audit_actions(evaluation) == [
        "evaluation.planned",
        "evaluation.updated",
        "evaluation.done",
        "evaluation.published",
    ]
    response = client.get(f"/staff/evaluations/{evaluation.id}/report")
    assert (response.status_code, response.data, response.mimetype) == (200, PDF_BYTES, "application/pdf")


def test_a_programme_evaluation_is_planned_for_a_fund(client):
    fund = create_fund("Violence Reduction Unit programmes")
    client.sign_in(officer())
    client.post_form(f"/staff/evaluations/new?fund={fund.id}", form_data(kind="impact"))
    evaluation = db.session.scalar(sa.select(Evaluation))
    assert (evaluation.fund_id, evaluation.award_id, evaluation.subject_name) == (
        fund.id,
        None,
        "Violence Reduction Unit programmes",
    )
    page = client.get_page(f"/staff/evaluations/{evaluation.id}")
    assert "Programme: Violence Reduction Unit programmes" in page.get_text(" ")


def test_a_double_submitted_plan_records_one_evaluation(client):
    award = create_award()
    client.sign_in(officer())
    client.post_form(f"/staff/evaluations/new?award={award.id}", form_data())
    client.post_form(f"/staff/evaluations/new?award={award.id}", form_data())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evaluation)) == 1


def test_every_problem_is_shown_beside_its_field_and_what_was_typed_is_kept(client):
    award = create_award()
    client.sign_in(officer())
    page = client.post_form(
        f"/staff/evaluations/new?award={award.id}",
        form_data(
            kind="",
            evaluator="",
            planned_on=["", "", ""],
            done_on=boxes(today_in_london() + timedelta(days=2)),
            question="",
            method="Kept as typed",
            report_link="not a link",
        ),
        200,
    )
    assert error_messages(page) == {
        "kind": "Select the kind of evaluation",
        "evaluator": "Enter who is doing the evaluation",
        "planned_on": "Enter the date the evaluation is planned to report",
        "done_on": "The date it was done must be today or in the past",
        "question": "Enter the question the evaluation answers",
        "report_link": "Enter the link in the right format, like https://www.example.org/report.pdf",
    }
    assert page.find("textarea", {"name": "method"}).get_text() == "Kept as typed"
    assert page.find("input", {"name": "report_link"})["value"] == "not a link"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evaluation)) == 0


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        ((io.BytesIO(b""), "report.pdf"), "The selected file is empty"),
        ((io.BytesIO(b"MZ\x90\x00"), "report.exe"), "The selected file must be a PDF"),
        ((io.BytesIO(b"PK\x03\x04 word"), "report.docx"), "The selected file must be a PDF"),
        ((io.BytesIO(b"<html>not a pdf</html>"), "report.pdf"), "The selected file is not a real PDF file"),
        ((io.BytesIO(b"%PDF-" + b"0" * (10 * 1024 * 1024)), "huge.pdf"), "The selected file must be smaller than 10MB"),
    ],
)
def test_a_report_that_is_not_a_real_pdf_under_10mb_is_refused_beside_the_field(client, upload, message):
    evaluation = create_evaluation(create_award())
    client.sign_in(officer())
    page = client.post_form(f"/staff/evaluations/{evaluation.id}/edit", form_data(report=upload), 200)
    assert error_messages(page) == {"report": message}
    assert reload(evaluation).report_filename is None


def test_a_link_and_an_upload_together_are_refused_and_a_link_replaces_an_uploaded_file(client):
    evaluation = create_evaluation(create_award(), with_pdf=True)
    client.sign_in(officer())
    page = client.post_form(
        f"/staff/evaluations/{evaluation.id}/edit",
        form_data(report_link="https://example.org/r.pdf", report=(io.BytesIO(PDF_BYTES), "r.pdf")),
        200,
    )
    assert error_messages(page) == {"report_link": "Give a link to the report or upload it as a PDF, not both"}
    client.post_form(f"/staff/evaluations/{evaluation.id}/edit", form_data(report_link="https://example.org/r.pdf"))
    evaluation = reload(evaluation)
    assert (evaluation.report_link, evaluation.report_filename, evaluation.report_file) == (
        "https://example.org/r.pdf",
        None,
        None,
    )


def test_a_done_evaluation_cannot_be_published_without_a_report():
    staff = officer()
    evaluation = create_evaluation(create_award(), status=EvaluationStatus.DONE)
    with pytest.raises(DomainError, match="Upload the report as a PDF or give a link"):
        services.publish_evaluation(evaluation.id, staff)
    assert reload(evaluation).status is EvaluationStatus.DONE


def test_a_planned_evaluation_cannot_be_published_before_it_is_done():
    evaluation = create_evaluation(create_award(), report_link="https://example.org/r.pdf")
    with pytest.raises(DomainError, match="Record the evaluation as done before publishing it"):
        services.publish_evaluation(evaluation.id, officer())


def test_a_published_evaluation_never_changes_through_the_service_layer(app):
    staff = officer()
    evaluation = create_evaluation(
        create_award(), status=EvaluationStatus.PUBLISHED, report_link="https://example.org/r.pdf"
    )
    details = services.details_of(evaluation)
    details.findings = "Rewritten after the event"
    with pytest.raises(DomainError, match="has been published, so it cannot change"):
        services.update_evaluation(evaluation.id, details, staff)
    with pytest.raises(DomainError, match="Only a planned evaluation can be deleted"):
        services.delete_evaluation(evaluation.id, staff)
    assert services.publish_evaluation(evaluation.id, staff).status is EvaluationStatus.PUBLISHED
    assert services.mark_done  # and it cannot go back:
    with pytest.raises(DomainError):
        services.EVALUATIONS.move(reload(evaluation), EvaluationStatus.DONE, actor=staff)
    assert reload(evaluation).findings != "Rewritten after the event"


def test_a_published_evaluation_never_changes_even_by_code_that_skips_the_service_layer(app):
    evaluation = create_evaluation(
        create_award(), status=EvaluationStatus.PUBLISHED, report_link="https://example.org/r.pdf"
    )
    evaluation.findings = "Quietly rewritten"
    with pytest.raises(PublishedEvaluationChanged):
        db.session.commit()
    db.session.rollback()
    db.session.delete(reload(evaluation))
    with pytest.raises(PublishedEvaluationChanged):
        db.session.commit()
    db.session.rollback()
    assert reload(evaluation).findings == "Fewer repeat referrals than a matched group."


def test_a_published_evaluation_never_changes_through_the_pages(client):
    evaluation = create_evaluation(
        create_award(), status=EvaluationStatus.PUBLISHED, report_link="https://example.org/r.pdf"
    )
    client.sign_in(officer())
    page = client.get_page(f"/staff/evaluations/{evaluation.id}")
    assert page.find("a", string="Change the evaluation") is None
    assert page.find("form") is None or not page.select("main form[method=post]")
    response = client.get(f"/staff/evaluations/{evaluation.id}/edit")
    assert response.status_code == 302
    client.post_form(f"/staff/evaluations/{evaluation.id}/edit", form_data(findings="Rewritten"))
    page = client.post_form(f"/staff/evaluations/{evaluation.id}/delete", {}, 422)
    assert summary_errors(page) == ["Only a planned evaluation can be deleted"]
    assert reload(evaluation).findings == "Fewer repeat referrals than a matched group."
    assert audit_actions(evaluation) == []


def test_a_planned_evaluation_recorded_by_mistake_can_be_deleted_with_an_audit_event(client):
    evaluation = create_evaluation(create_award())
    evaluation_id = evaluation.id
    client.sign_in(officer())
    client.post_form(f"/staff/evaluations/{evaluation_id}/delete", {})
    assert db.session.get(Evaluation, evaluation_id) is None
    deleted = sa.select(AuditEvent.action).where(
        AuditEvent.subject_type == "evaluation", AuditEvent.subject_id == evaluation_id
    )
    assert db.session.scalar(deleted) == "evaluation.deleted"


def test_only_officers_reach_the_evaluation_pages(client):
    award = create_award()
    evaluation = create_evaluation(award, with_pdf=True)
    owner = create_member(award.organisation, MembershipRole.OWNER, email="owner@example.org")
    reviewer = create_user(staff_role=StaffRole.REVIEWER, email="rev@example.org")
    admin = create_user(staff_role=StaffRole.ADMIN, email="admin@example.org")
    urls = [
        "/staff/evaluations",
        f"/staff/evaluations/new?award={award.id}",
        f"/staff/evaluations/{evaluation.id}",
        f"/staff/evaluations/{evaluation.id}/edit",
        f"/staff/evaluations/{evaluation.id}/report",
    ]
    for user in (owner, reviewer, admin):
        client.sign_in(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user.email, url)
        client.post_form(f"/staff/evaluations/{evaluation.id}/delete", {}, 403)
        client.sign_out()
    for url in urls:
        assert client.get(url).status_code == 302  # to sign in
    assert db.session.get(Evaluation, evaluation.id) is not None


def test_an_award_not_yet_approved_or_an_unknown_subject_cannot_be_evaluated(client):
    from portal.models import AwardStatus

    waiting = create_award(status=AwardStatus.AWAITING_APPROVAL)
    client.sign_in(officer())
    assert client.get(f"/staff/evaluations/new?award={waiting.id}").status_code == 404
    assert client.get("/staff/evaluations/new?fund=99999").status_code == 404
    assert client.get("/staff/evaluations/new").status_code == 404
    assert client.get("/staff/evaluations/new?reference=NO-SUCH-REF").status_code == 404


def test_an_officer_finds_a_service_by_its_award_reference(client):
    award = create_award(title="Street mentoring")
    client.sign_in(officer())
    page = client.get_page(f"/staff/evaluations/new?reference={award.reference.lower()}")
    assert "Service: Street mentoring" in page.get_text(" ")
