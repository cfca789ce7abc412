"""Grant agreements and payments: the organisation accepts the award's terms once, which schedules its instalments;
officers release each instalment and record it paid. Nothing is released before the agreement is accepted."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import render_template
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from portal import audit
from portal.agreements.schedule import CommittedInstalment, PlannedInstalment, plan_instalments
from portal.agreements.terms import STANDARD_CONDITIONS, TERMS_VERSION
from portal.database import utcnow
from portal.email.outbox import queue_email
from portal.errors import DomainError, raise_if_any
from portal.extensions import db
from portal.models import (
    Award,
    AwardStatus,
    Fund,
    GrantAgreement,
    Instalment,
    InstalmentStatus,
    Membership,
    MembershipRole,
    Organisation,
    PlanInstalment,
    Return,
    ReturnFrequency,
    User,
)
from portal.monitoring.measures import small_bid_threshold_pence
from portal.monitoring.schedule import frequency_for
from portal.periods import london_date
from portal.periods import today_in_london as today
from portal.template_helpers import external_url, format_date
from portal.workflow import Workflow

INSTALMENTS_PER_PAGE = 50

S = InstalmentStatus
INSTALMENTS = Workflow(
    {(S.SCHEDULED, S.RELEASED): "instalment.released", (S.RELEASED, S.PAID): "instalment.paid"},
    noun="payment",
    organisation_of=lambda instalment: instalment.award.organisation_id,
)

# The officers' payments table: what each "show" filter means.
SHOW = {
    "to_release": "Due now, not yet released",
    "upcoming": "Scheduled for later",
    "released": "Released, not yet paid",
    "paid": "Paid",
    "all": "All payments",
}


@dataclass(frozen=True)
class PaymentFilters:
    show: str = "to_release"
    fund_id: int | None = None


# Queries ----------------------------------------------------------------------------------------------------------


def fetch_instalment(instalment_id: int) -> Instalment | None:
    return db.session.get(Instalment, instalment_id)


def fetch_instalments_page(filters: PaymentFilters, page: int, on: date) -> Pagination:
    query = (
        sa.select(Instalment)
        .join(Instalment.award)
        .join(Award.organisation)
        .where(Award.status == AwardStatus.APPROVED)
    )
    if filters.show == "to_release":
        query = query.where(Instalment.status == S.SCHEDULED, Instalment.due_on <= on)
    elif filters.show == "upcoming":
        query = query.where(Instalment.status == S.SCHEDULED, Instalment.due_on > on)
    elif filters.show == "released":
        query = query.where(Instalment.status == S.RELEASED)
    elif filters.show == "paid":
        query = query.where(Instalment.status == S.PAID)
    if filters.fund_id:
        query = query.where(Award.fund_id == filters.fund_id)
    descending = filters.show == "paid"
    query = query.order_by(
        Instalment.due_on.desc() if descending else Instalment.due_on, Organisation.name, Instalment.id
    )
    return db.paginate(query, page=page, per_page=INSTALMENTS_PER_PAGE, error_out=False)


def fetch_funds() -> list[Fund]:
    """The funds to filter by, by name (their service areas left unloaded: the filter offers names only)."""
    return list(db.session.scalars(sa.select(Fund).order_by(Fund.name).options(lazyload(Fund.service_area_links))))


def owners_of(organisation_id: int) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == organisation_id, Membership.role == MembershipRole.OWNER)
            .order_by(User.id)
        )
    )


def reporting_frequency(award: Award) -> ReturnFrequency:
    """How often the award reports: as its returns are scheduled, or as they will be."""
    scheduled = db.session.scalar(sa.select(Return.frequency).where(Return.award_id == award.id).limit(1))
    return scheduled or frequency_for(award.total_pence, small_bid_threshold_pence(award))


def amounts_of(award: Award) -> dict[int, int]:
    return {year.financial_year: year.amount_pence for year in award.years if year.amount_pence}


def committed_of(award: Award) -> list[CommittedInstalment]:
    return [
        CommittedInstalment(i.financial_year, i.label, i.amount_pence) for i in award.instalments if i.status.committed
    ]


def committed_by_year(award: Award) -> dict[int, int]:
    totals: dict[int, int] = {}
    for instalment in award.instalments:
        if instalment.status.committed:
            totals[instalment.financial_year] = totals.get(instalment.financial_year, 0) + instalment.amount_pence
    return totals


def planned_schedule(award: Award) -> list[PlannedInstalment]:
    """The payments an award's terms give, before any is made: what the agreement shows."""
    return plan_instalments(award.start_date, award.end_date, amounts_of(award))


def terms_text(award: Award) -> str:
    """The whole agreement as plain text: the standard conditions and this award's particulars."""
    return render_template(
        "agreements/terms.txt",
        award=award,
        conditions=STANDARD_CONDITIONS,
        version=TERMS_VERSION,
        schedule=planned_schedule(award),
        frequency=reporting_frequency(award),
    )


# Approval and acceptance --------------------------------------------------------------------------------------------


def notify_award_approved(award: Award) -> None:
    """Email the organisation's owners that the award is approved and their agreement is waiting. The caller
    commits."""
    link = external_url("agreements.agreement", organisation_id=award.organisation_id, award_id=award.id)
    for owner in owners_of(award.organisation_id):
        queue_email(owner.email, "award_approved", award=award, owner=owner, link=link)


@dataclass
class Acceptance:
    signatory_name: str
    signatory_job_title: str
    confirmed: bool


def acceptance_blocker(award: Award) -> str | None:
    if award.status is AwardStatus.WITHDRAWN:
        return "This award has been withdrawn, so its agreement cannot be accepted."
    if award.status is not AwardStatus.APPROVED:
        return "This award is not approved yet, so its agreement cannot be accepted."
    return None


def accept_agreement(award: Award, acceptance: Acceptance, actor: User | None) -> GrantAgreement:
    """Record the organisation's acceptance and schedule the payments, once. Accepting again (a double submit, or
    a colleague at the same moment) changes nothing and returns the acceptance already recorded.

    ``actor`` is the owner who accepted online; ``None`` only for an agreement signed on paper and recorded for
    the organisation."""
    if award.agreement is not None:
        return award.agreement
    blocker = acceptance_blocker(award)
    if blocker:
        raise DomainError(blocker)
    name, job_title = acceptance.signatory_name.strip(), acceptance.signatory_job_title.strip()
    problems = []
    if not name:
        problems.append(DomainError("Enter the full name of the person accepting the agreement", "signatory_name"))
    elif len(name) > 120:
        problems.append(DomainError("The full name must be 120 characters or fewer", "signatory_name"))
    if not job_title:
        problems.append(DomainError("Enter their job title", "signatory_job_title"))
    elif len(job_title) > 120:
        problems.append(DomainError("The job title must be 120 characters or fewer", "signatory_job_title"))
    if not acceptance.confirmed:
        problems.append(
            DomainError("Confirm that you accept the agreement and may do so for your organisation", "confirm")
        )
    raise_if_any(problems)
    agreement = GrantAgreement(
        award=award,
        terms_version=TERMS_VERSION,
        terms_text=terms_text(award),
        signatory_name=name,
        signatory_job_title=job_title,
        accepted_by=actor,
        accepted_at=utcnow(),
    )
    db.session.add(agreement)
    audit.record(
        "agreement.accepted",
        award,
        after={"signatory_name": name, "signatory_job_title": job_title, "terms_version": TERMS_VERSION},
        organisation_id=award.organisation_id,
        actor=actor,
    )
    schedule_instalments(award, actor)
    if actor is not None:
        queue_email(actor.email, "agreement_accepted", award=award, agreement=agreement, link=_award_link(award))
    officer = award.approved_by
    if officer is not None and officer.is_active:
        link = external_url("awards.award", award_id=award.id)
        queue_email(officer.email, "agreement_accepted_officer", award=award, agreement=agreement, link=link)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = db.session.scalar(sa.select(GrantAgreement).where(GrantAgreement.award_id == award.id))
        if existing is None:
            raise
        return existing
    return agreement


def _award_link(award: Award) -> str:
    return external_url("monitoring.organisation_award", organisation_id=award.organisation_id, award_id=award.id)


def schedule_instalments(award: Award, actor: User | None, *, on: date | None = None) -> int:
    """Replace the instalments not yet released with those the award's terms now give; released and paid ones
    never change. The caller commits. Returns how many instalments are scheduled.

    Raises ``DomainError`` if a year's amount is now less than was already released or paid in it.
    """
    committed = committed_of(award)
    try:
        planned = plan_instalments(
            award.start_date, award.end_date, amounts_of(award), committed, top_up_due_on=on or today()
        )
    except ValueError as error:
        raise DomainError(f"The award cannot be changed: {error}.")
    before = [(i.label, i.amount_pence) for i in award.instalments if not i.status.committed]
    for instalment in [i for i in award.instalments if not i.status.committed]:
        award.instalments.remove(instalment)
        db.session.delete(instalment)
    for plan in planned:
        award.instalments.append(
            Instalment(
                financial_year=plan.financial_year,
                label=plan.label,
                period_start=plan.period_start,
                due_on=plan.due_on,
                amount_pence=plan.amount_pence,
            )
        )
    after = [(p.label, p.amount_pence) for p in planned]
    if before != after:
        audit.record(
            "award.instalments_scheduled",
            award,
            before={"scheduled": len(before), "scheduled_pence": sum(a for _, a in before)} if before else None,
            after={
                "scheduled": len(after),
                "scheduled_pence": sum(a for _, a in after),
                "committed_pence": sum(c.amount_pence for c in committed),
            },
            organisation_id=award.organisation_id,
            actor=actor,
        )
    return len(planned)


# Payments -----------------------------------------------------------------------------------------------------------


def release_blocker(instalment: Instalment) -> str | None:
    if instalment.award.agreement is None:
        return "No payment can be released until the organisation has accepted its grant agreement."
    if instalment.award.status is not AwardStatus.APPROVED:
        return "This award is not approved."
    return None


def release_instalment(instalment: Instalment, actor: User) -> bool:
    """Release a scheduled instalment for payment. Releasing it again changes nothing (returns False)."""
    if instalment.status.committed:
        return False
    blocker = release_blocker(instalment)
    if blocker:
        raise DomainError(blocker)
    INSTALMENTS.move(
        instalment,
        S.RELEASED,
        actor=actor,
        detail={"amount_pence": instalment.amount_pence, "label": instalment.label, "due_on": instalment.due_on},
    )
    instalment.released_at, instalment.released_by = utcnow(), actor
    db.session.commit()
    return True


@dataclass
class Payment:
    paid_on: date | None
    reference: str


def checked_payment_reference(instalment: "Instalment | PlanInstalment", payment: Payment) -> str:
    """The payment's reference, once its date and reference pass every rule. Any instalment that is released and
    then paid (a grant's, or a borough's) is checked by these same rules."""
    reference = (payment.reference or "").strip()
    problems = []
    if payment.paid_on is None:
        problems.append(DomainError("Enter the date it was paid", "paid_on"))
    elif payment.paid_on > today():
        problems.append(DomainError("The date it was paid must be today or in the past", "paid_on"))
    elif instalment.released_at and payment.paid_on < london_date(instalment.released_at):
        released = format_date(instalment.released_at)
        problems.append(DomainError(f"The date it was paid cannot be before it was released, on {released}", "paid_on"))
    if not reference:
        problems.append(DomainError("Enter the payment reference from the finance system", "reference"))
    elif len(reference) > 40:
        problems.append(DomainError("The payment reference must be 40 characters or fewer", "reference"))
    raise_if_any(problems)
    return reference


def record_payment(instalment: Instalment, payment: Payment, actor: User) -> bool:
    """Record a released instalment as paid, with the date and payment reference. Once paid it never changes:
    recording it again changes nothing (returns False)."""
    if instalment.status is S.PAID:
        return False
    if instalment.status is not S.RELEASED:
        raise DomainError("Release this payment before recording it as paid.")
    reference = checked_payment_reference(instalment, payment)
    instalment.paid_on, instalment.payment_reference = payment.paid_on, reference
    instalment.paid_recorded_at, instalment.paid_recorded_by = utcnow(), actor
    INSTALMENTS.move(
        instalment,
        S.PAID,
        actor=actor,
        detail={"amount_pence": instalment.amount_pence, "paid_on": payment.paid_on, "reference": reference},
    )
    award = instalment.award
    for owner in owners_of(award.organisation_id):
        queue_email(owner.email, "instalment_paid", award=award, instalment=instalment, link=_award_link(award))
    db.session.commit()
    return True
