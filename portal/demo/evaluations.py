"""Demonstration evaluations: a published interim evaluation of the London Gang Exit Service with a short generated
PDF report and its final evaluation planned, and the London Victims and Witnesses Service (also three years) with
only its final evaluation planned, so its missing interim shows on 'Your work' and in the committee report.

Dates are relative to the day the demo is loaded. Safe to run again: an evaluation of a kind is added to a demo
service only when it has none of that kind, and only the demo's own awards are touched.
"""

import io
from datetime import date, timedelta

import sqlalchemy as sa
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from portal.applications.answers import Upload
from portal.demo.registry import demo_awards
from portal.demo.seed import DEMO_DOMAIN
from portal.evaluations import services
from portal.extensions import db
from portal.models import Award, Evaluation, EvaluationKind, User
from portal.periods import today_in_london

GANG_EXIT = ("Safer London", "London Gang Exit Service")
VICTIMS = ("Victim Support", "London Victims and Witnesses Service")
EVALUATOR = "London Metropolitan University, Violence and Society Research Group (demo)"
QUESTION = (
    "Is the London Gang Exit Service reaching the young people most at risk, and are those it works with less "
    "involved in violence six months after they start?"
)
METHOD = (
    "Interviews with 24 young people and 11 staff; analysis of the service's case records for everyone referred in "
    "its first year; police data on violent offending before and after referral, compared with a matched group "
    "referred to other services."
)
FINDINGS = (
    "Referrals reached the young people the service was designed for: 71% had been a victim of violence in the year "
    "before referral. Of those who stayed with the service for six months, 62% had no further police contact for "
    "violence, against 48% of the matched group.\n"
    "Housing moves took longest, often more than three months, and were the main reason young people left early. "
    "The evaluators recommend a dedicated housing officer and earlier work with the boroughs' housing teams."
)


def report_pdf(title: str) -> bytes:
    """A short report, made the same way every time (reportlab's invariant mode leaves out dates and ids)."""
    out = io.BytesIO()
    styles = getSampleStyleSheet()
    document = SimpleDocTemplate(out, pagesize=A4, title=title, author=EVALUATOR, invariant=1)
    story = [Paragraph(title, styles["Title"]), Paragraph(f"By {EVALUATOR}", styles["Heading3"]), Spacer(1, 12)]
    for heading, text in (("The question", QUESTION), ("Method", METHOD), ("Findings", FINDINGS)):
        story.append(Paragraph(heading, styles["Heading2"]))
        story += [Paragraph(paragraph, styles["BodyText"]) for paragraph in text.split("\n")]
    story.append(Paragraph("Demonstration data: not a real evaluation.", styles["Italic"]))
    document.build(story)
    return out.getvalue()


def _award(key: tuple[str, str]) -> Award | None:
    return next((a for a in demo_awards(Award.title == key[1]) if a.organisation.name == key[0]), None)


def _has(award: Award, kind: EvaluationKind) -> bool:
    found = sa.select(Evaluation.id).where(Evaluation.award_id == award.id, Evaluation.kind == kind).limit(1)
    return db.session.scalar(found) is not None


def _plan(award: Award, kind: EvaluationKind, planned_on: date, officer: User) -> Evaluation:
    details = services.Details(
        kind=kind.value,
        evaluator=EVALUATOR,
        planned_on=planned_on,
        question=QUESTION if award.title == GANG_EXIT[1] else f"What difference did the {award.title} make?",
        method=METHOD if award.title == GANG_EXIT[1] else "",
    )
    return services.plan_evaluation(services.Subject(award=award), details, officer)


def load() -> str:
    officer = db.session.scalar(sa.select(User).where(User.email == f"officer@{DEMO_DOMAIN}"))
    gang_exit, victims = _award(GANG_EXIT), _award(VICTIMS)
    if officer is None or gang_exit is None or victims is None:
        return "Evaluations demo: the demo officer or services are missing, nothing loaded."
    today, added = today_in_london(), 0
    if not _has(gang_exit, EvaluationKind.INTERIM):
        interim = _plan(gang_exit, EvaluationKind.INTERIM, today - timedelta(days=45), officer)
        details = services.details_of(interim)
        details.done_on, details.findings = today - timedelta(days=30), FINDINGS
        title = "Interim evaluation of the London Gang Exit Service"
        details.report = Upload(filename="gang-exit-interim-evaluation.pdf", data=report_pdf(title))
        services.update_evaluation(interim.id, details, officer)
        services.mark_done(interim.id, officer)
        services.publish_evaluation(interim.id, officer)
        added += 1
    for award in (gang_exit, victims):
        if not _has(award, EvaluationKind.FINAL):
            _plan(award, EvaluationKind.FINAL, award.end_date, officer)
            added += 1
    # The victims service is left without an interim evaluation: the rule's "missing" for a newcomer to see.
    return f"Evaluations demo: {added} evaluations added." if added else "Evaluations demo: already loaded."
