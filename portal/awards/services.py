"""Awards made from funded bids: set up from the bid, approved by an officer, and by a second officer above
£100,000. A duration under the round's minimum needs a recorded reason."""

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import aliased

from portal import audit, jobs, work
from portal.awards.workflow import move_award
from portal.database import commit_or_refuse, utcnow
from portal.directory import published
from portal.errors import DomainError, raise_if_any
from portal.extensions import db
from portal.models import (
    Application,
    ApplicationStatus,
    Award,
    AwardStatus,
    AwardYear,
    Decision,
    DecisionOutcome,
    Fund,
    LocalAuthority,
    Organisation,
    OrganisationStatus,
    ServiceArea,
    User,
)
from portal.models.awards import SECOND_APPROVER_ABOVE_PENCE
from portal.money import pounds_text
from portal.periods import financial_year_label, financial_year_start, financial_years_between
from portal.references import next_award_reference

AWARDS_PER_PAGE = 25


@dataclass
class AwardDetails:
    title: str
    description: str
    start_date: date | None
    end_date: date | None
    works_pan_london: bool = False
    borough_ids: list[int] = field(default_factory=list)
    service_areas: list[ServiceArea] = field(default_factory=list)
    amounts: dict[int, int | None] = field(default_factory=dict)  # financial year → pence
    duration_exception_reason: str | None = None

    @property
    def total_pence(self) -> int:
        return sum(amount or 0 for amount in self.amounts.values())


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day if it is shorter (31 January + 1 → 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def duration_in_months(start: date, end: date) -> int:
    """Whole months from ``start`` to the day after ``end``: 1 April 2027 to 31 March 2029 is 24 months."""
    after = end + timedelta(days=1)
    months = (after.year - start.year) * 12 + (after.month - start.month)
    if add_months(start, months) > after:
        months -= 1
    return months


# Queries ----------------------------------------------------------------------------------------------------------


def fetch_award(award_id: int) -> Award | None:
    return db.session.get(Award, award_id)


# What the officers' list of awards can be narrowed to beyond a status: the work waiting on them.
NEEDS = {
    "second_approval": "Waiting for your second approval",
    "agreement": "Agreement not yet accepted",
    "variation": "Variation to approve",
}


def fetch_awards_page(
    page: int, *, status: AwardStatus | None = None, needs: str = "", officer: User | None = None
) -> Pagination:
    query = sa.select(Award).order_by(Award.created_at.desc(), Award.id.desc())
    if status is not None:
        query = query.where(Award.status == status)
    if needs == "second_approval" and officer is not None:
        query = query.where(work.second_approval_waiting_for(officer))
    elif needs == "agreement":
        query = query.where(work.agreement_not_accepted())
    elif needs == "variation":
        query = query.where(work.variation_proposed())
    return db.paginate(query, page=page, per_page=AWARDS_PER_PAGE, error_out=False)


def fetch_funded_bids_without_award() -> list[Application]:
    """Bids whose latest decision is fund or fund with changes (funded from the reserve list included) that have no
    award yet."""
    funded = [outcome for outcome in DecisionOutcome if outcome.funds]
    later = aliased(Decision)
    return list(
        db.session.scalars(
            sa.select(Application)
            .join(Decision, Decision.application_id == Application.id)
            .outerjoin(Award, Award.application_id == Application.id)
            .where(
                Decision.outcome.in_(funded),
                ~sa.exists().where(later.replaces_id == Decision.id),
                Award.id.is_(None),
                Application.status == ApplicationStatus.DECIDED,
            )
            .order_by(Decision.decided_at, Application.id)
        )
    )


def fetch_decision(application: Application) -> Decision | None:
    """The decision that counts: the latest, so a bid funded from the reserve list can become an award."""
    return db.session.scalar(
        sa.select(Decision)
        .where(Decision.application_id == application.id)
        .order_by(Decision.decided_at.desc(), Decision.id.desc())
        .limit(1)
    )


def fetch_local_authorities() -> list[LocalAuthority]:
    return list(db.session.scalars(sa.select(LocalAuthority).order_by(LocalAuthority.name)))


def fetch_application(application_id: int) -> Application | None:
    return db.session.get(Application, application_id)


# Setting up an award ------------------------------------------------------------------------------------------------


def prefill(application: Application) -> AwardDetails:
    """The award as the bid asked for it: the officer confirms or adjusts it."""
    start = application.start_date
    end = (
        add_months(start, application.duration_months) - timedelta(days=1)
        if start and application.duration_months
        else None
    )
    return AwardDetails(
        title=application.project_title or "",
        description=application.summary or application.project_title or "",
        start_date=start,
        end_date=end,
        works_pan_london=application.works_pan_london,
        borough_ids=[la.id for la in application.boroughs],
        service_areas=list(application.service_areas),
        amounts={year.financial_year: year.amount_pence for year in application.years},
    )


def award_years(application: Application) -> list[int]:
    """The financial years the award form asks amounts for: the bid's years and those its dates touch."""
    details = prefill(application)
    years = set(details.amounts)
    if details.start_date and details.end_date and details.end_date >= details.start_date:
        years.update(financial_years_between(details.start_date, details.end_date))
    if not years:
        years.add(financial_year_start(utcnow().date()))
    return sorted(years)


def _require_fundable(application: Application) -> Decision:
    decision = fetch_decision(application)
    if application.status is not ApplicationStatus.DECIDED or decision is None or not decision.outcome.funds:
        raise DomainError("Only a bid decided as fund, or fund with changes, can become an award")
    if db.session.scalar(sa.select(Award.id).where(Award.application_id == application.id)) is not None:
        raise DomainError("This bid already has an award")
    return decision


def _clean(details: AwardDetails, minimum_months: int = 0, *, extra: Sequence[DomainError] = ()) -> AwardDetails:
    """Tidy what the officer typed, and raise every problem with it (and any ``extra``) at once."""
    problems: list[DomainError] = list(extra)
    details.title = (details.title or "").strip()
    details.description = (details.description or "").strip()
    details.duration_exception_reason = (details.duration_exception_reason or "").strip() or None
    if not details.title:
        problems.append(DomainError("Enter the award's title", field="title"))
    elif len(details.title) > 160:
        problems.append(DomainError("The title must be 160 characters or fewer", field="title"))
    if not details.description:
        problems.append(DomainError("Describe what the award pays for", field="description"))
    if details.start_date is None:
        problems.append(DomainError("Enter the start date", field="start_date"))
    if details.end_date is None:
        problems.append(DomainError("Enter the end date", field="end_date"))
    dates: tuple[date, date] | None = None
    if details.start_date is not None and details.end_date is not None:
        if details.end_date < details.start_date:
            problems.append(DomainError("The end date must be after the start date", field="end_date"))
        else:
            dates = (details.start_date, details.end_date)
    covered = set(financial_years_between(*dates)) if dates else None
    for year, amount in sorted(details.amounts.items()):
        label = financial_year_label(year)
        if amount is not None and amount < 0:
            problems.append(DomainError(f"The amount for {label} cannot be negative", field=f"amount_{year}"))
        elif amount and covered is not None and year not in covered:
            problems.append(
                DomainError(
                    f"{label} is outside the award's dates: change the dates or leave it empty", field=f"amount_{year}"
                )
            )
    if details.total_pence <= 0:
        first = min(details.amounts) if details.amounts else None
        problems.append(
            DomainError("Enter the amount for at least one year", field=f"amount_{first}" if first else None)
        )
    if not details.works_pan_london and not details.borough_ids:
        problems.append(DomainError("Select the boroughs the award covers, or across London", field="borough_ids"))
    if not details.service_areas:
        problems.append(DomainError("Select at least one service area", field="service_areas"))
    minimum = minimum_months
    if minimum and dates and duration_in_months(*dates) < minimum and not details.duration_exception_reason:
        problems.append(
            DomainError(
                f"This award is shorter than the round's minimum of {minimum} months. Record why it is an exception",
                field="duration_exception_reason",
            )
        )
    raise_if_any(problems)
    return details


def create_award(application: Application, details: AwardDetails, actor: User) -> Award:
    """Make the award from the bid and record ``actor`` as its approver. Above £100,000 it then waits for a second
    approver; otherwise it is approved."""
    _require_fundable(application)
    details = _clean(details, application.round.min_duration_months)
    return _make_award(application.round.fund, application.organisation, details, actor, application=application)


def direct_award_years(on: date) -> list[int]:
    """The financial years a direct award's form asks amounts for: last year and the next four."""
    current = financial_year_start(on)
    return list(range(current - 1, current + 5))


def fetch_funds() -> list[Fund]:
    return list(db.session.scalars(sa.select(Fund).where(Fund.archived_at.is_(None)).order_by(Fund.name)))


def fetch_organisations() -> list[Organisation]:
    """Organisations an award can be made to: every registered organisation that has been checked."""
    return list(
        db.session.scalars(
            sa.select(Organisation).where(Organisation.status == OrganisationStatus.ACTIVE).order_by(Organisation.name)
        )
    )


def create_direct_award(fund_id: int | None, organisation_id: int | None, details: AwardDetails, actor: User) -> Award:
    """A direct award, with no bid (a commissioned contract, say): set up and approved by ``actor``, and by a
    second officer above £100,000, as an award from a bid is."""
    fund = db.session.get(Fund, fund_id) if fund_id else None
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    problems = []
    if fund is None or fund.archived_at is not None:
        problems.append(DomainError("Select the fund the award is paid from", field="fund_id"))
    if organisation is None or organisation.status is not OrganisationStatus.ACTIVE:
        problems.append(DomainError("Select the organisation the award is made to", field="organisation_id"))
    details = _clean(details, extra=problems)
    assert fund is not None and organisation is not None  # _clean raised the problems above otherwise
    return _make_award(fund, organisation, details, actor)


def _make_award(
    fund: Fund,
    organisation: Organisation,
    details: AwardDetails,
    actor: User,
    *,
    application: Application | None = None,
) -> Award:
    boroughs = (
        list(db.session.scalars(sa.select(LocalAuthority).where(LocalAuthority.id.in_(details.borough_ids))))
        if not details.works_pan_london
        else []
    )
    now = utcnow()
    award = Award(
        reference=next_award_reference(fund.code, financial_year_start(now.date())),
        application_id=application.id if application else None,
        fund_id=fund.id,
        organisation_id=organisation.id,
        title=details.title,
        description=details.description,
        start_date=details.start_date,
        end_date=details.end_date,
        works_pan_london=details.works_pan_london,
        duration_exception_reason=details.duration_exception_reason,
        created_by=actor,
        approved_by=actor,
        approved_at=now,
        status=AwardStatus.AWAITING_APPROVAL,
        boroughs=boroughs,
        years=[AwardYear(financial_year=y, amount_pence=a) for y, a in sorted(details.amounts.items()) if a],
    )
    award.service_areas = list(dict.fromkeys(details.service_areas))
    approved = AwardStatus.AWAITING_SECOND_APPROVAL if award.needs_second_approver else AwardStatus.APPROVED
    with commit_or_refuse("Someone else set up an award at the same moment. Check the awards list and try again."):
        db.session.add(award)
        _record_creation(award, application, actor)
        move_award(award, approved, actor=actor, detail={"approver": actor.full_name})
        if award.status is AwardStatus.APPROVED:
            _schedule_monitoring(award)
    return award


def _record_creation(award: Award, application: Application | None, actor: User) -> None:
    audit.record(
        "award.created",
        award,
        after={
            "application_id": application.id if application else None,
            "direct": application is None,
            "total_pence": award.total_pence,
            "start_date": award.start_date,
            "end_date": award.end_date,
            "duration_exception_reason": award.duration_exception_reason,
            **{f"amount_{y.financial_year}": y.amount_pence for y in award.years},
        },
        organisation_id=award.organisation_id,
        actor=actor,
    )


def second_approval_blocker(award: Award, officer: User) -> str | None:
    if award.status is not AwardStatus.AWAITING_SECOND_APPROVAL:
        return f"This award is {award.status.label.lower()}: it is not waiting for a second approver."
    if officer.id in {award.approved_by_id, award.created_by_id}:
        return (
            f"Awards over £{pounds_text(SECOND_APPROVER_ABOVE_PENCE)} need a second approver who is a different "
            "officer from the one who set up and approved it."
        )
    return None


def approve_second(award: Award, actor: User) -> None:
    blocker = second_approval_blocker(award, actor)
    if blocker:
        raise DomainError(blocker)
    award.second_approved_by = actor
    award.second_approved_at = utcnow()
    move_award(
        award, AwardStatus.APPROVED, actor=actor, detail={"approver": actor.full_name, "total_pence": award.total_pence}
    )
    _schedule_monitoring(award)
    db.session.commit()


def _schedule_monitoring(award: Award) -> None:
    """Once an award is approved, its schedule of returns is made in the background (after this commit), and the
    organisation's owners are asked to accept the grant agreement."""
    from portal.agreements.services import notify_award_approved

    db.session.flush()
    jobs.enqueue("workers.monitoring.generate_return_schedule", award.id)
    published.changed(awards=[award.id])
    notify_award_approved(award)


def fetch_award_for(application: Application) -> Award | None:
    return db.session.scalar(sa.select(Award).where(Award.application_id == application.id))
