"""Factories for funds, rounds, questions, criteria and bids, committed."""

from datetime import date, datetime, timedelta
from itertools import count

from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    Application,
    ApplicationStatus,
    ApplicationYear,
    Criterion,
    FormVariant,
    Fund,
    Organisation,
    Question,
    QuestionKind,
    Round,
    ServiceArea,
)
from tests.factories import local_authority

_sequence = count(1)


def create_fund(
    name: str | None = None, *, code: str | None = None, service_areas=(ServiceArea.VICTIM_SUPPORT,)
) -> Fund:
    number = next(_sequence)
    fund = Fund(name=name or f"Fund {number}", code=code or f"F{number}", purpose="To test the portal.")
    fund.service_areas = list(service_areas)
    db.session.add(fund)
    db.session.commit()
    return fund


def create_round(
    fund: Fund | None = None,
    *,
    title: str | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    published: bool = True,
    min_request_pence: int = 1_000_00,
    max_request_pence: int = 300_000_00,
    small_bid_threshold_pence: int = 25_000_00,
    budget_pence: int = 1_000_000_00,
) -> Round:
    """A published round that opened a week ago and closes in 60 days, unless told otherwise."""
    now = utcnow()
    opens_at = opens_at or now - timedelta(days=7)
    round_ = Round(
        fund=fund or create_fund(),
        title=title or f"Round {next(_sequence)}",
        description="A round for tests.",
        budget_pence=budget_pence,
        min_request_pence=min_request_pence,
        max_request_pence=max_request_pence,
        small_bid_threshold_pence=small_bid_threshold_pence,
        min_duration_months=24,
        max_duration_months=48,
        opens_at=opens_at,
        closes_at=closes_at or now + timedelta(days=60),
        decision_expected_on=(closes_at or now + timedelta(days=60)).date() + timedelta(days=60),
        published_at=(opens_at - timedelta(days=30)) if published else None,
    )
    db.session.add(round_)
    db.session.commit()
    return round_


def create_question(
    round_: Round | None,
    text: str = "Describe your project",
    *,
    kind: QuestionKind = QuestionKind.TEXT,
    section: str = "Your project",
    position: int | None = None,
    form_variant: FormVariant = FormVariant.BOTH,
    required: bool = True,
    word_limit: int | None = None,
    options: list[str] | None = None,
    is_eligibility: bool = False,
    eligible_values: list[str] | None = None,
    ineligible_reason: str | None = None,
    show_if: tuple[Question, str] | None = None,
    date_not_in_future: bool = False,
) -> Question:
    question = Question(
        round=round_,
        section=section,
        position=position if position is not None else next(_sequence),
        text=text,
        kind=kind,
        form_variant=form_variant,
        required=required,
        word_limit=word_limit,
        options=options,
        date_not_in_future=date_not_in_future,
        is_eligibility=is_eligibility,
        eligible_values=eligible_values,
        ineligible_reason=ineligible_reason,
        show_if_question=show_if[0] if show_if else None,
        show_if_value=show_if[1] if show_if else None,
    )
    db.session.add(question)
    db.session.commit()
    return question


def create_criterion(round_: Round, name: str = "Need", *, weight: int = 1, max_score: int = 5) -> Criterion:
    criterion = Criterion(round=round_, name=name, weight=weight, max_score=max_score, position=next(_sequence))
    db.session.add(criterion)
    db.session.commit()
    return criterion


def create_application(
    round_: Round,
    organisation: Organisation,
    *,
    status: ApplicationStatus = ApplicationStatus.DRAFT,
    amounts_pence: tuple[int, ...] = (10_000_00, 10_000_00),
    first_year: int = 2027,
    boroughs: tuple[str, ...] = ("Southwark",),
    title: str = "Safer streets after school",
) -> Application:
    """A bid with eligibility passed and amounts per financial year. Submitted ones get a reference."""
    now = utcnow()
    application = Application(
        round=round_,
        organisation=organisation,
        status=status,
        project_title=title,
        summary="A project for tests.",
        start_date=date(first_year, 4, 1),
        duration_months=12 * len(amounts_pence),
        eligibility_passed_at=now,
        contact_name="Alex Example",
        contact_email="contact@example.org",
        years=[ApplicationYear(financial_year=first_year + i, amount_pence=a) for i, a in enumerate(amounts_pence)],
        boroughs=[local_authority(b) for b in boroughs],
    )
    application.service_areas = [ServiceArea.VICTIM_SUPPORT]
    if status is not ApplicationStatus.DRAFT:
        application.submitted_at = now
        application.reference = f"{round_.fund.code}-{first_year}-{next(_sequence):04d}"
    db.session.add(application)
    db.session.commit()
    return application
