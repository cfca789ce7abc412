"""Factories for evaluations of services and programmes, committed."""

from datetime import date, timedelta

from portal.database import utcnow
from portal.extensions import db
from portal.models import Award, Evaluation, EvaluationKind, EvaluationStatus, Fund

# The smallest file that starts as a PDF must: enough for the portal, which checks the signature.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def create_evaluation(
    award: Award | None = None,
    *,
    fund: Fund | None = None,
    kind: EvaluationKind = EvaluationKind.INTERIM,
    status: EvaluationStatus = EvaluationStatus.PLANNED,
    planned_on: date | None = None,
    evaluator: str = "Cordis Bright",
    question: str = "Does the service reduce repeat victimisation?",
    findings: str = "",
    report_link: str | None = None,
    with_pdf: bool = False,
    done_on: date | None = None,
) -> Evaluation:
    done = status is not EvaluationStatus.PLANNED
    evaluation = Evaluation(
        award=award,
        fund=None if award else fund,
        kind=kind,
        status=status,
        evaluator=evaluator,
        planned_on=planned_on or date.today() + timedelta(days=90),
        done_on=(done_on or date.today() - timedelta(days=10)) if done else None,
        question=question,
        method="Interviews with young people and staff, and analysis of case records.",
        findings=findings or ("Fewer repeat referrals than a matched group." if done else ""),
        report_link=report_link,
        report_filename="evaluation.pdf" if with_pdf else None,
        report_size_bytes=len(PDF_BYTES) if with_pdf else None,
        report_file=PDF_BYTES if with_pdf else None,
        published_at=utcnow() if status is EvaluationStatus.PUBLISHED else None,
    )
    db.session.add(evaluation)
    db.session.commit()
    return evaluation
