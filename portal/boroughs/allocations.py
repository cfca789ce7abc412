"""Officers set each borough's allocation for each financial year and record when it was confirmed to the borough:
after its confirm-by date it was confirmed late, for everyone to see (allocations have been confirmed months late
before, and the committee asked for it to be visible)."""

from dataclasses import dataclass
from datetime import date, timedelta

from portal import audit
from portal.allocations import check_reached_on, terms_problems
from portal.boroughs import queries
from portal.database import commit_or_refuse
from portal.email.outbox import queue_email
from portal.errors import DomainError, raise_if_any
from portal.extensions import db
from portal.models import BoroughAllocation, LocalAuthority, User
from portal.periods import financial_year_bounds, financial_year_label
from portal.template_helpers import external_url, format_pence


def default_confirm_by(financial_year: int) -> date:
    """A borough plans its year before it starts: its allocation is due to be confirmed by 31 January before."""
    return financial_year_bounds(financial_year)[0] - timedelta(days=60)


@dataclass
class AllocationDetails:
    local_authority_id: int | None
    financial_year: int | None
    amount_pence: int | None
    confirm_by: date | None = None


def create_allocation(details: AllocationDetails, actor: User) -> BoroughAllocation:
    errors: list[DomainError] = []
    borough = db.session.get(LocalAuthority, details.local_authority_id) if details.local_authority_id else None
    if borough is None or not borough.in_lcpf:
        errors.append(DomainError("Select the borough", "borough"))
    errors += terms_problems(
        details.financial_year,
        details.amount_pence,
        details.confirm_by,
        deadline_name="confirm-by",
        field="confirm_by",
    )
    raise_if_any(errors)
    assert borough is not None and details.financial_year is not None  # raised above otherwise
    if queries.fetch_allocation_for(borough.id, details.financial_year):
        raise_if_any([_duplicate(borough, details.financial_year)])

    allocation = BoroughAllocation(
        local_authority=borough,
        financial_year=details.financial_year,
        amount_pence=details.amount_pence,
        confirm_by=details.confirm_by or default_confirm_by(details.financial_year),
        created_by_id=actor.id,
    )
    # Another officer making the same allocation at the same moment is refused by the unique constraint.
    with commit_or_refuse(_duplicate(borough, details.financial_year)):
        db.session.add(allocation)
        audit.record(
            "borough_allocation.created",
            allocation,
            after={
                "local_authority_id": borough.id,
                "financial_year": allocation.financial_year,
                "amount_pence": allocation.amount_pence,
                "confirm_by": allocation.confirm_by,
            },
            actor=actor,
        )
    return allocation


def _duplicate(borough: LocalAuthority, financial_year: int) -> DomainError:
    return DomainError(
        f"{borough.name} already has an allocation for {financial_year_label(financial_year)}", "financial_year"
    )


def confirm_allocation(
    allocation: BoroughAllocation, confirmed_on: date | None, actor: User, today: date
) -> BoroughAllocation:
    """Record that the allocation was confirmed to the borough, and tell the council's members."""
    confirmed_on = check_reached_on(
        allocation.confirmed_on, confirmed_on, today, verb="confirmed", field="confirmed_on"
    )
    allocation.confirmed_on, allocation.confirmed_by = confirmed_on, actor
    council = queries.fetch_council_for(allocation.local_authority_id)
    audit.record(
        "borough_allocation.confirmed",
        allocation,
        before={"confirmed_on": None},
        after={"confirmed_on": confirmed_on, "confirm_by": allocation.confirm_by, "late": allocation.issued_late},
        organisation_id=council.id if council else None,
        actor=actor,
    )
    if council is not None:
        link = external_url("plans.borough_plans", organisation_id=council.id)
        for member in queries.owners_and_editors(council.id):
            queue_email(
                member.email,
                "borough_allocation_confirmed",
                allocation=allocation,
                year=financial_year_label(allocation.financial_year),
                amount=format_pence(allocation.amount_pence),
                link=link,
            )
    db.session.commit()
    return allocation


@dataclass(frozen=True)
class FromFormula:
    version_title: str | None
    added: int
    kept: int


def take_from_published_version(actor: User) -> FromFormula:
    """Create each borough's allocation for each year of the current published formula version, linked to it.
    An allocation that already exists is kept as it is (it may have been confirmed to the borough already)."""
    from portal.lcpf.versions import fetch_current_published

    version = fetch_current_published()
    if version is None:
        raise DomainError("No formula version is published yet, so there are no allocations to take")
    added = kept = 0
    for figure in version.allocations:
        if figure.amount_pounds <= 0 or not figure.local_authority.in_lcpf:
            continue
        if queries.fetch_allocation_for(figure.local_authority_id, figure.financial_year) is not None:
            kept += 1
            continue
        allocation = BoroughAllocation(
            local_authority_id=figure.local_authority_id,
            financial_year=figure.financial_year,
            amount_pence=figure.amount_pounds * 100,
            confirm_by=default_confirm_by(figure.financial_year),
            formula_version_id=version.id,
            created_by_id=actor.id,
        )
        db.session.add(allocation)
        audit.record(
            "borough_allocation.created",
            allocation,
            after={
                "local_authority_id": figure.local_authority_id,
                "financial_year": figure.financial_year,
                "amount_pence": allocation.amount_pence,
                "formula_version_id": version.id,
            },
            actor=actor,
        )
        added += 1
    db.session.commit()
    return FromFormula(version.title, added, kept)
