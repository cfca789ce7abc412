"""Officers plan evaluations of a service or a programme, record what they found, and publish them.

Statuses move only through :data:`EVALUATIONS` (planned → done → published), each move audited. Every change is
one commit with its audit event. A published evaluation never changes: every function here refuses, and the
database session refuses too (``portal/models/evaluations.py``).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import sqlalchemy as sa

from portal import audit
from portal.applications.answers import MAX_UPLOAD_BYTES, Upload, clean_filename
from portal.database import lock_row, utcnow
from portal.directory import published
from portal.errors import DomainError, raise_if_any
from portal.extensions import db
from portal.models import Award, AwardStatus, Evaluation, EvaluationKind, EvaluationStatus, Fund, Round, User
from portal.periods import today_in_london
from portal.workflow import Workflow

EVALUATOR_MAX = 160
LINK_MAX = 500
TEXT_MAX = 10_000
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=5)
PDF_SIGNATURE = b"%PDF-"
# Fields a person can change while the evaluation is not yet published (the report is handled on its own).
EDITABLE = ("kind", "evaluator", "planned_on", "done_on", "question", "method", "findings")

S = EvaluationStatus

EVALUATIONS = Workflow(
    {
        (S.PLANNED, S.DONE): "evaluation.done",
        (S.DONE, S.PUBLISHED): "evaluation.published",
    },
    noun="evaluation",
    organisation_of=lambda evaluation: evaluation.award.organisation_id if evaluation.award else None,
)


@dataclass
class Details:
    """What the officer typed. ``report`` is a newly uploaded file, if any; ``remove_report`` drops the stored one."""

    kind: str = ""
    evaluator: str = ""
    planned_on: date | None = None
    done_on: date | None = None
    question: str = ""
    method: str = ""
    findings: str = ""
    report_link: str = ""
    report: Upload | None = None
    remove_report: bool = False


@dataclass(frozen=True)
class Subject:
    """What is evaluated: a service (an award), or a programme (a fund, or one of its rounds)."""

    award: Award | None = None
    fund: Fund | None = None
    round: Round | None = None
    problems: list = field(default_factory=list)

    @property
    def name(self) -> str:
        if self.award is not None:
            return self.award.title
        if self.fund is None:
            return ""
        if self.round is not None:
            return f"{self.fund.name}: {self.round.title}"
        return self.fund.name


class EvaluationPublished(DomainError):
    def __init__(self) -> None:
        super().__init__("This evaluation has been published, so it cannot change")


# Checking what was typed ----------------------------------------------------------------------------------------


def _kind(value: str) -> EvaluationKind | None:
    try:
        return EvaluationKind(value)
    except ValueError:
        return None


def _text(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").strip()


def report_problem(upload: Upload) -> str | None:
    """Why an uploaded report cannot be kept, or None: it must be a real PDF under 10MB."""
    if not upload.data:
        return "The selected file is empty"
    if len(upload.data) > MAX_UPLOAD_BYTES:
        return "The selected file must be smaller than 10MB"
    if PurePosixPath(upload.filename.lower()).suffix != ".pdf":
        return "The selected file must be a PDF"
    if not upload.data.startswith(PDF_SIGNATURE):
        return "The selected file is not a real PDF file"
    return None


def link_problem(link: str) -> str | None:
    if len(link) > LINK_MAX:
        return f"The link must be {LINK_MAX} characters or fewer"
    parts = urlsplit(link)
    if parts.scheme not in ("https", "http") or not parts.netloc or " " in link:
        return "Enter the link in the right format, like https://www.example.org/report.pdf"
    return None


def _problems(details: Details, today: date) -> list[DomainError]:
    errors = []
    if _kind(details.kind) is None:
        errors.append(DomainError("Select the kind of evaluation", "kind"))
    evaluator = _text(details.evaluator)
    if not evaluator:
        errors.append(DomainError("Enter who is doing the evaluation", "evaluator"))
    elif len(evaluator) > EVALUATOR_MAX:
        errors.append(DomainError(f"The evaluator must be {EVALUATOR_MAX} characters or fewer", "evaluator"))
    if details.planned_on is None:
        errors.append(DomainError("Enter the date the evaluation is planned to report", "planned_on"))
    if details.done_on is not None and details.done_on > today:
        errors.append(DomainError("The date it was done must be today or in the past", "done_on"))
    for name, label, required in (
        ("question", "the question the evaluation answers", True),
        ("method", "the method", False),
        ("findings", "the findings", False),
    ):
        text = _text(getattr(details, name))
        if required and not text:
            errors.append(DomainError(f"Enter {label}", name))
        elif len(text) > TEXT_MAX:
            errors.append(DomainError(f"{label.capitalize()} must be {TEXT_MAX:,} characters or fewer", name))
    link = _text(details.report_link)
    if details.report is not None:
        problem = report_problem(details.report)
        if problem:
            errors.append(DomainError(problem, "report"))
        elif link:
            errors.append(DomainError("Give a link to the report or upload it as a PDF, not both", "report_link"))
    if link:
        problem = link_problem(link)
        if problem:
            errors.append(DomainError(problem, "report_link"))
    return errors


def _apply(evaluation: Evaluation, details: Details) -> dict:
    """Write what was typed onto the evaluation; return what changed, before and after, for the audit event."""
    values = {
        "kind": _kind(details.kind),
        "evaluator": " ".join(_text(details.evaluator).split()),
        "planned_on": details.planned_on,
        "done_on": details.done_on,
        "question": _text(details.question),
        "method": _text(details.method),
        "findings": _text(details.findings),
    }
    changed = {}
    for name, value in values.items():
        if getattr(evaluation, name) != value:
            changed[name] = (getattr(evaluation, name), value)
            setattr(evaluation, name, value)
    link = _text(details.report_link) or None
    if details.report is not None:
        evaluation.report_file = details.report.data
        evaluation.report_filename = clean_filename(details.report.filename)
        evaluation.report_size_bytes = len(details.report.data)
        evaluation.report_link = None
        changed["report"] = (None, evaluation.report_filename)
    elif link is not None and link != evaluation.report_link:
        changed["report"] = (evaluation.report_link or evaluation.report_filename, link)
        evaluation.report_link = link
        _drop_file(evaluation)
    elif details.remove_report and evaluation.has_report:
        changed["report"] = (evaluation.report_link or evaluation.report_filename, None)
        evaluation.report_link = None
        _drop_file(evaluation)
    return changed


def _drop_file(evaluation: Evaluation) -> None:
    evaluation.report_file = None
    evaluation.report_filename = None
    evaluation.report_size_bytes = None


# Changes --------------------------------------------------------------------------------------------------------


def plan_evaluation(subject: Subject, details: Details, actor: User) -> Evaluation:
    """Record a planned evaluation of ``subject``, with an audit event, in one commit. The same evaluation sent
    again by the same officer within minutes (a double submit) returns the first."""
    if subject.award is None and subject.fund is None:
        raise DomainError("Choose the service or programme to evaluate")
    if subject.award is not None and subject.award.status is not AwardStatus.APPROVED:
        raise DomainError("Only an approved award's service can be evaluated")
    raise_if_any(_problems(details, today_in_london()))
    same_subject = (
        Evaluation.award_id == subject.award.id
        if subject.award is not None
        else Evaluation.fund_id == (subject.fund.id if subject.fund is not None else None)
    )
    earlier = db.session.scalar(
        sa.select(Evaluation)
        .where(
            same_subject,
            Evaluation.created_by_id == actor.id,
            Evaluation.kind == _kind(details.kind),
            Evaluation.question == _text(details.question),
            Evaluation.created_at >= utcnow() - DOUBLE_SUBMIT_WINDOW,
        )
        .limit(1)
    )
    if earlier is not None:
        return earlier
    evaluation = Evaluation(
        award=subject.award,
        fund=None if subject.award else subject.fund,
        round=None if subject.award else subject.round,
        status=S.PLANNED,
        created_by=actor,
    )
    changed = _apply(evaluation, details)
    db.session.add(evaluation)
    audit.record(
        "evaluation.planned",
        evaluation,
        after={name: after for name, (_before, after) in changed.items()} | {"status": S.PLANNED},
        organisation_id=subject.award.organisation_id if subject.award else None,
        actor=actor,
    )
    db.session.commit()
    return evaluation


def _locked(evaluation_id: int) -> Evaluation:
    evaluation = lock_row(Evaluation, evaluation_id)
    if evaluation is None:
        raise DomainError("This evaluation no longer exists")
    return evaluation


def update_evaluation(evaluation_id: int, details: Details, actor: User) -> Evaluation:
    """Change a planned or done evaluation, in one commit with an audit event of what changed. A published one is
    refused. A done evaluation keeps the date it was done."""
    evaluation = _locked(evaluation_id)
    if evaluation.is_published:
        db.session.rollback()
        raise EvaluationPublished()
    errors = _problems(details, today_in_london())
    if evaluation.status is S.DONE and details.done_on is None:
        errors.append(DomainError("Enter the date the evaluation was done", "done_on"))
    if errors:
        db.session.rollback()
        raise_if_any(errors)
    changed = _apply(evaluation, details)
    if changed:
        evaluation.updated_at = utcnow()
        audit.record(
            "evaluation.updated",
            evaluation,
            before={name: before for name, (before, _after) in changed.items()},
            after={name: after for name, (_before, after) in changed.items()},
            organisation_id=EVALUATIONS.organisation_of(evaluation),
            actor=actor,
        )
    db.session.commit()
    return evaluation


def mark_done(evaluation_id: int, actor: User) -> Evaluation:
    """Record that the evaluation has been done. It needs the date it was done and a summary of its findings.
    Doing it again (a double submit) changes nothing."""
    evaluation = _locked(evaluation_id)
    if evaluation.status is not S.PLANNED:
        db.session.rollback()
        if evaluation.status is S.DONE:
            return evaluation
        raise EvaluationPublished()
    errors = []
    if evaluation.done_on is None:
        errors.append(DomainError("Enter the date the evaluation was done before recording it as done", "done_on"))
    if not evaluation.findings:
        errors.append(DomainError("Enter a summary of the findings before recording it as done", "findings"))
    if errors:
        db.session.rollback()
        raise_if_any(errors)
    EVALUATIONS.move(evaluation, S.DONE, actor=actor, detail={"done_on": evaluation.done_on})
    evaluation.updated_at = utcnow()
    db.session.commit()
    return evaluation


def publish_evaluation(evaluation_id: int, actor: User) -> Evaluation:
    """Publish a done evaluation with its findings and report: from then on it is public and never changes.
    Publishing again (a double submit) changes nothing. The open-data files are made again after the commit."""
    evaluation = _locked(evaluation_id)
    if evaluation.is_published:
        db.session.rollback()
        return evaluation
    if evaluation.status is not S.DONE:
        db.session.rollback()
        raise DomainError("Record the evaluation as done before publishing it")
    errors = []
    if not evaluation.findings:
        errors.append(DomainError("Enter a summary of the findings before publishing", "findings"))
    if not evaluation.has_report:
        errors.append(DomainError("Upload the report as a PDF or give a link to it before publishing", "report"))
    if evaluation.award is not None and evaluation.award.status is not AwardStatus.APPROVED:
        errors.append(DomainError("The service's award is not approved, so its evaluation cannot be published"))
    if errors:
        db.session.rollback()
        raise_if_any(errors)
    evaluation.published_at = evaluation.updated_at = utcnow()
    evaluation.published_by = actor
    EVALUATIONS.move(evaluation, S.PUBLISHED, actor=actor)  # the last change it will ever have
    # The open data lists an award's published evaluations (not a fund's).
    published.changed(awards=() if evaluation.award_id is None else (evaluation.award_id,))
    db.session.commit()
    return evaluation


def delete_evaluation(evaluation_id: int, actor: User) -> None:
    """Delete a planned evaluation recorded by mistake, with an audit event. Done and published ones stay."""
    evaluation = _locked(evaluation_id)
    if evaluation.status is not S.PLANNED:
        db.session.rollback()
        raise DomainError("Only a planned evaluation can be deleted")
    audit.record(
        "evaluation.deleted",
        evaluation,
        before={"status": evaluation.status, "kind": evaluation.kind, "subject": evaluation.subject_name},
        organisation_id=EVALUATIONS.organisation_of(evaluation),
        actor=actor,
    )
    db.session.delete(evaluation)
    db.session.commit()


# Reading --------------------------------------------------------------------------------------------------------


def fetch_evaluation(evaluation_id: int) -> Evaluation | None:
    return db.session.get(Evaluation, evaluation_id)


def fetch_report_file(evaluation: Evaluation) -> bytes | None:
    return db.session.scalar(sa.select(Evaluation.report_file).where(Evaluation.id == evaluation.id))


def details_of(evaluation: Evaluation) -> Details:
    return Details(
        kind=evaluation.kind.value,
        evaluator=evaluation.evaluator,
        planned_on=evaluation.planned_on,
        done_on=evaluation.done_on,
        question=evaluation.question,
        method=evaluation.method,
        findings=evaluation.findings,
        report_link=evaluation.report_link or "",
    )


def subject_for(award_id: int | None, fund_id: int | None, round_id: int | None) -> Subject | None:
    """The service or programme named in the address, or None if there is no such thing to evaluate."""
    if award_id is not None:
        award = db.session.get(Award, award_id)
        return Subject(award=award) if award is not None and award.status is AwardStatus.APPROVED else None
    if fund_id is not None:
        fund = db.session.get(Fund, fund_id)
        if fund is None:
            return None
        round_ = db.session.get(Round, round_id) if round_id is not None else None
        if round_id is not None and (round_ is None or round_.fund_id != fund.id):
            return None
        return Subject(fund=fund, round=round_)
    return None
