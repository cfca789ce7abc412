"""Paying a borough its allocation: half-yearly in advance once its delivery plan is approved, moved through the
grants' instalment states (scheduled, released, paid) by the grants' rules, with an audit event for each move."""

from datetime import date

from portal.agreements.services import Payment, checked_payment_reference
from portal.boroughs import queries
from portal.database import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.models import DeliveryPlan, InstalmentStatus, PlanInstalment, User
from portal.periods import financial_year_label
from portal.workflow import Workflow

S = InstalmentStatus

PLAN_INSTALMENTS = Workflow(
    {(S.SCHEDULED, S.RELEASED): "plan_instalment.released", (S.RELEASED, S.PAID): "plan_instalment.paid"},
    noun="payment",
    organisation_of=lambda instalment: instalment.plan.organisation_id,
)


def halves(financial_year: int) -> list[tuple[str, date]]:
    label = financial_year_label(financial_year)
    return [(f"H1 {label}", date(financial_year, 4, 1)), (f"H2 {label}", date(financial_year, 10, 1))]


def schedule_plan_instalments(plan: DeliveryPlan, on: date) -> int:
    """Add the half-yearly payments the approved plan's allocations are missing: half of each year's allocation
    at the start of each half, or on ``on`` if that half has already begun. Safe to run again. The caller
    commits."""
    existing = {(i.allocation_id, i.period_start) for i in queries.fetch_plan_instalments(plan)}
    added = 0
    for year, allocation in queries.allocations_by_year(plan).items():
        first_half = allocation.amount_pence // 2
        for (label, period_start), amount in zip(
            halves(year), (first_half, allocation.amount_pence - first_half), strict=True
        ):
            if (allocation.id, period_start) in existing or amount <= 0:
                continue
            db.session.add(
                PlanInstalment(
                    plan=plan,
                    allocation=allocation,
                    label=label,
                    period_start=period_start,
                    due_on=max(period_start, on),
                    amount_pence=amount,
                )
            )
            added += 1
    return added


def release_blocker(instalment: PlanInstalment) -> str | None:
    if instalment.plan.approved_at is None:
        return "No payment can be released until the borough's delivery plan is approved."
    if not instalment.allocation.is_issued:
        return "Record that the allocation was confirmed to the borough before releasing its payments."
    return None


def release_instalment(instalment: PlanInstalment, actor: User) -> bool:
    """Release a scheduled payment. Releasing it again changes nothing (returns False)."""
    if instalment.status.committed:
        return False
    blocker = release_blocker(instalment)
    if blocker:
        raise DomainError(blocker)
    PLAN_INSTALMENTS.move(
        instalment,
        S.RELEASED,
        actor=actor,
        detail={"amount_pence": instalment.amount_pence, "label": instalment.label, "due_on": instalment.due_on},
    )
    instalment.released_at, instalment.released_by = utcnow(), actor
    db.session.commit()
    return True


def record_payment(instalment: PlanInstalment, payment: Payment, actor: User) -> bool:
    """Record a released payment as paid, with its date and reference. Once paid it never changes."""
    if instalment.status is S.PAID:
        return False
    if instalment.status is not S.RELEASED:
        raise DomainError("Release this payment before recording it as paid.")
    reference = checked_payment_reference(instalment, payment)
    instalment.paid_on, instalment.payment_reference = payment.paid_on, reference
    instalment.paid_recorded_at, instalment.paid_recorded_by = utcnow(), actor
    PLAN_INSTALMENTS.move(
        instalment,
        S.PAID,
        actor=actor,
        detail={"amount_pence": instalment.amount_pence, "paid_on": payment.paid_on, "reference": reference},
    )
    db.session.commit()
    return True
