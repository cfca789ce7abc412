"""Factories for borough allocations and delivery plans, committed. They write rows directly (no emails, no audit
events). Also the largest quarterly returns file a plan can be sent."""

import io
from datetime import date

from openpyxl import Workbook

from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    BoroughAllocation,
    DeliveryPlan,
    Measure,
    MeasureBasis,
    MembershipRole,
    Organisation,
    OrganisationType,
    PlanDecision,
    PlanProject,
    PlanStatus,
    PlanVersion,
    User,
)
from tests.factories import create_member, create_organisation, local_authority


def create_council(borough: str = "Lewisham", role: MembershipRole = MembershipRole.OWNER, **member_fields):
    """A verified borough council and one member of it."""
    council = create_organisation(
        f"London Borough of {borough}", organisation_type=OrganisationType.BOROUGH, borough=borough
    )
    return council, create_member(council, role, **member_fields)


def create_borough_allocation(
    borough: str = "Lewisham",
    financial_year: int = 2026,
    amount_pence: int = 800_000_00,
    *,
    confirm_by: date | None = None,
    confirmed_on: date | None = date(2026, 1, 20),
) -> BoroughAllocation:
    allocation = BoroughAllocation(
        local_authority=local_authority(borough),
        financial_year=financial_year,
        amount_pence=amount_pence,
        confirm_by=confirm_by or date(financial_year, 1, 31),
        confirmed_on=confirmed_on,
    )
    db.session.add(allocation)
    db.session.commit()
    return allocation


def create_plan(
    council: Organisation,
    *,
    years: tuple[int, ...] = (2026,),
    status: PlanStatus = PlanStatus.DRAFT,
    projects: int = 1,
    amount_pence: int = 100_000_00,
) -> DeliveryPlan:
    plan = DeliveryPlan(organisation=council, first_year=min(years), last_year=max(years), status=status)
    db.session.add(plan)
    for number in range(1, projects + 1):
        project = PlanProject(
            plan=plan,
            name=f"Project {number}",
            description="Mentoring for young people at risk of exploitation",
            service_areas=["children_and_young_people"],
            whole_borough=True,
            amounts={str(year): amount_pence for year in years},
        )
        db.session.add(project)
        db.session.add(
            Measure(
                plan_project=project,
                name="Young people mentored",
                unit="young people",
                target=20,
                basis=MeasureBasis.QUARTER,
            )
        )
    if status is not PlanStatus.DRAFT:
        approved = status in (PlanStatus.APPROVED, PlanStatus.VARYING)
        db.session.add(
            PlanVersion(
                plan=plan,
                number=1,
                snapshot={"projects": [{"name": p.name} for p in plan.projects]},
                decision=PlanDecision.APPROVED if approved else None,
                decided_at=utcnow() if approved else None,
            )
        )
        if approved:
            plan.approved_at = utcnow()
    db.session.commit()
    return plan


def a_member(council: Organisation, role: MembershipRole = MembershipRole.EDITOR) -> User:
    return create_member(council, role)


def every_boroughs_returns_file() -> bytes:
    """A Q1 2026/27 returns spreadsheet of 33 boroughs by 40 projects, each with spend, people helped, progress,
    risks and three measures (9,240 rows), none of them a project of any plan in the tests: every row is a problem."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Returns"
    sheet.append(["Project ref", "Project", "Quarter", "Item ref", "Item", "Target or guidance", "Value"])
    for project_id in range(100_000, 100_000 + 33 * 40):
        for item, value in (("spend", 1000), ("people_helped", 5), ("progress", "Going well"), ("risks", "")):
            sheet.append([project_id, "Project", "Q1 2026/27", item, item, "", value])
        for measure in range(3):
            sheet.append([project_id, "Project", "Q1 2026/27", f"measure:{measure}", "Measure", "", 4])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
