"""Named queries for the London Crime Prevention Fund pages: allocations, plans and their payments."""

import sqlalchemy as sa

from portal.extensions import db
from portal.models import (
    BoroughAllocation,
    DeliveryPlan,
    LocalAuthority,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationType,
    PlanInstalment,
    PlanProject,
    PlanStatus,
    User,
)


def fetch_lcpf_boroughs() -> list[LocalAuthority]:
    """The 32 boroughs the fund pays (the City of London is not one)."""
    return list(
        db.session.scalars(
            sa.select(LocalAuthority).where(LocalAuthority.in_lcpf.is_(True)).order_by(LocalAuthority.name)
        )
    )


def fetch_allocation(allocation_id: int) -> BoroughAllocation | None:
    return db.session.get(BoroughAllocation, allocation_id)


def fetch_allocations(financial_year: int | None = None) -> list[BoroughAllocation]:
    query = sa.select(BoroughAllocation).join(BoroughAllocation.local_authority)
    if financial_year:
        query = query.where(BoroughAllocation.financial_year == financial_year)
    return list(db.session.scalars(query.order_by(BoroughAllocation.financial_year.desc(), LocalAuthority.name)))


def fetch_allocation_years() -> list[int]:
    return list(
        db.session.scalars(
            sa.select(BoroughAllocation.financial_year).distinct().order_by(BoroughAllocation.financial_year.desc())
        )
    )


def fetch_allocation_for(local_authority_id: int, financial_year: int) -> BoroughAllocation | None:
    return db.session.scalar(
        sa.select(BoroughAllocation).where(
            BoroughAllocation.local_authority_id == local_authority_id,
            BoroughAllocation.financial_year == financial_year,
        )
    )


def fetch_borough_allocations(local_authority_id: int | None) -> list[BoroughAllocation]:
    if local_authority_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(BoroughAllocation)
            .where(BoroughAllocation.local_authority_id == local_authority_id)
            .order_by(BoroughAllocation.financial_year)
        )
    )


def allocations_by_year(plan: DeliveryPlan) -> dict[int, BoroughAllocation]:
    """The borough's allocations for the plan's years, by year."""
    return {
        allocation.financial_year: allocation
        for allocation in fetch_borough_allocations(plan.organisation.local_authority_id)
        if plan.first_year <= allocation.financial_year <= plan.last_year
    }


def fetch_organisation(organisation_id: int) -> Organisation | None:
    return db.session.get(Organisation, organisation_id)


def fetch_council_for(local_authority_id: int) -> Organisation | None:
    return db.session.scalar(
        sa.select(Organisation).where(
            Organisation.organisation_type == OrganisationType.BOROUGH,
            Organisation.local_authority_id == local_authority_id,
        )
    )


def fetch_plan(plan_id: int) -> DeliveryPlan | None:
    return db.session.get(DeliveryPlan, plan_id)


def fetch_project(project_id: int) -> PlanProject | None:
    return db.session.get(PlanProject, project_id)


def fetch_organisation_plans(organisation: Organisation) -> list[DeliveryPlan]:
    return list(
        db.session.scalars(
            sa.select(DeliveryPlan)
            .where(DeliveryPlan.organisation_id == organisation.id)
            .order_by(DeliveryPlan.first_year.desc())
        )
    )


def fetch_plans(status: PlanStatus | None = None) -> list[DeliveryPlan]:
    query = sa.select(DeliveryPlan).join(DeliveryPlan.organisation)
    if status is not None:
        query = query.where(DeliveryPlan.status == status)
    return list(db.session.scalars(query.order_by(Organisation.name, DeliveryPlan.first_year.desc())))


def fetch_instalment(instalment_id: int) -> PlanInstalment | None:
    return db.session.get(PlanInstalment, instalment_id)


def fetch_plan_instalments(plan: DeliveryPlan) -> list[PlanInstalment]:
    return list(
        db.session.scalars(
            sa.select(PlanInstalment)
            .where(PlanInstalment.plan_id == plan.id)
            .order_by(PlanInstalment.due_on, PlanInstalment.id)
        )
    )


def owners_and_editors(organisation_id: int) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.organisation_id == organisation_id,
                Membership.role.in_([MembershipRole.OWNER, MembershipRole.EDITOR]),
            )
            .order_by(User.id)
        )
    )
