"""A borough council's delivery plan: the projects its allocations pay for, checked against the allocations,
submitted, approved or queried by an officer, and varied after approval with a reason.

Every submission is kept as a :class:`PlanVersion` with a snapshot of the projects as sent, so what an officer
approved can always be read back, however the plan changes later.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from portal import audit
from portal.boroughs import queries
from portal.boroughs.payments import schedule_plan_instalments
from portal.boroughs.returns import schedule_project_returns
from portal.database import utcnow
from portal.directory import published
from portal.email.outbox import queue_email
from portal.errors import DomainError, raise_if_any
from portal.extensions import db
from portal.models import (
    DeliveryPlan,
    Measure,
    MeasureActual,
    MeasureBasis,
    Organisation,
    OrganisationType,
    PlanDecision,
    PlanProject,
    PlanStatus,
    PlanVersion,
    Return,
    ReturnStatus,
    ServiceArea,
    User,
)
from portal.periods import financial_year_label
from portal.template_helpers import external_url, format_pence
from portal.workflow import Workflow

S = PlanStatus

PLANS = Workflow(
    {
        (S.DRAFT, S.SUBMITTED): "delivery_plan.submitted",
        (S.QUERIED, S.SUBMITTED): "delivery_plan.resubmitted",
        (S.VARYING, S.SUBMITTED): "delivery_plan.variation_submitted",
        (S.SUBMITTED, S.QUERIED): "delivery_plan.queried",
        (S.SUBMITTED, S.APPROVED): "delivery_plan.approved",
        (S.APPROVED, S.VARYING): "delivery_plan.variation_started",
    },
    noun="delivery plan",
    organisation_of=lambda plan: plan.organisation_id,
)

MEASURE_ROWS = 3
CHARITY_NUMBER = re.compile(r"^(\d{6,8}|SC\d{6}|NIC\d{6})$")
COMPANY_NUMBER = re.compile(r"^([0-9]{8}|[A-Z]{2}[0-9]{6})$")


@dataclass
class MeasureDetails:
    name: str = ""
    unit: str = ""
    target: int | None = None

    @property
    def blank(self) -> bool:
        return not (self.name.strip() or self.unit.strip() or self.target is not None)


@dataclass
class ProjectDetails:
    name: str = ""
    description: str = ""
    provided_by_borough: bool | None = None
    provider_name: str = ""
    charity_number: str = ""
    company_number: str = ""
    service_areas: list[str] = field(default_factory=list)
    whole_borough: bool | None = None
    wards: str = ""
    amounts: dict[int, int | None] = field(default_factory=dict)  # financial year → pence
    measures: list[MeasureDetails] = field(default_factory=list)


def start_plan(organisation: Organisation, actor: User) -> DeliveryPlan:
    """The council's plan for the years it has allocations for. Starting it again finds the same plan."""
    if organisation.organisation_type is not OrganisationType.BOROUGH or not organisation.is_verified:
        raise DomainError("Only a verified borough council has a delivery plan")
    years = [a.financial_year for a in queries.fetch_borough_allocations(organisation.local_authority_id)]
    if not years:
        raise DomainError("Your borough has no allocation yet, so there is nothing to plan. We will email you.")
    existing = next((p for p in queries.fetch_organisation_plans(organisation) if p.first_year == min(years)), None)
    if existing is not None:
        return existing
    plan = DeliveryPlan(organisation=organisation, first_year=min(years), last_year=max(years))
    db.session.add(plan)
    audit.record(
        "delivery_plan.started",
        plan,
        after={"first_year": plan.first_year, "last_year": plan.last_year},
        organisation_id=organisation.id,
        actor=actor,
    )
    db.session.commit()
    return plan


def _require_editable(plan: DeliveryPlan) -> None:
    if not plan.status.editable:
        if plan.status is S.APPROVED:
            raise DomainError("This plan is approved. To change it, start a variation and give the reason.")
        raise DomainError("This plan is waiting for an officer's review, so it cannot be changed now")


def _project_problems(plan: DeliveryPlan, project: PlanProject | None, details: ProjectDetails) -> list[DomainError]:
    errors = []
    if not details.name.strip():
        errors.append(DomainError("Enter the project's name", "name"))
    elif len(details.name.strip()) > 120:
        errors.append(DomainError("The project's name must be 120 characters or fewer", "name"))
    if not details.description.strip():
        errors.append(DomainError("Describe what the project does", "description"))
    if details.provided_by_borough is None:
        errors.append(DomainError("Select who provides the project", "provider"))
    elif not details.provided_by_borough:
        if not details.provider_name.strip():
            errors.append(DomainError("Enter the name of the organisation that provides the project", "provider_name"))
        elif len(details.provider_name.strip()) > 160:
            errors.append(DomainError("The provider's name must be 160 characters or fewer", "provider_name"))
        charity = details.charity_number.strip().upper()
        company = details.company_number.strip().upper()
        if charity and not CHARITY_NUMBER.match(charity):
            errors.append(DomainError("Enter a charity number like 1234567, SC012345 or NIC123456", "charity_number"))
        if company and not COMPANY_NUMBER.match(company):
            errors.append(DomainError("Enter a company number of 8 characters, like 01234567", "company_number"))
    known = {area.value for area in ServiceArea}
    if not details.service_areas or not set(details.service_areas) <= known:
        errors.append(DomainError("Select at least one service area", "service_areas"))
    if details.whole_borough is None:
        errors.append(DomainError("Select whether the project covers the whole borough or named wards", "coverage"))
    elif not details.whole_borough and not details.wards.strip():
        errors.append(DomainError("Enter the wards the project covers", "wards"))

    allocations = queries.allocations_by_year(plan)
    for year in plan.years:
        amount = details.amounts.get(year)
        name = f"amount_{year}"
        if amount is None:
            continue
        if amount < 0:
            errors.append(DomainError(f"The amount for {financial_year_label(year)} cannot be less than £0", name))
            continue
        others = sum(p.amount_for(year) for p in plan.projects if project is None or p.id != project.id)
        allocated = allocations[year].amount_pence if year in allocations else 0
        if others + amount > allocated:
            left = max(allocated - others, 0)
            errors.append(
                DomainError(
                    f"The plan's total for {financial_year_label(year)} cannot be more than the allocation of "
                    f"{format_pence(allocated)}: at most {format_pence(left)} is left for this project",
                    name,
                )
            )
    if not any(details.amounts.get(year) for year in plan.years):
        errors.append(DomainError("Enter the amount for at least one year", f"amount_{plan.first_year}"))

    given = [m for m in details.measures if not m.blank]
    if not given:
        errors.append(DomainError("Enter at least one measure with its unit and target", "measure_1_name"))
    for number, measure in enumerate(details.measures, start=1):
        if measure.blank:
            continue
        if not measure.name.strip():
            errors.append(DomainError(f"Enter what measure {number} counts", f"measure_{number}_name"))
        if not measure.unit.strip():
            errors.append(DomainError(f"Enter the unit of measure {number}", f"measure_{number}_unit"))
        if measure.target is None or measure.target < 0:
            errors.append(
                DomainError(
                    f"Enter measure {number}'s target for a quarter as a whole number", f"measure_{number}_target"
                )
            )
    return errors


def save_project(plan: DeliveryPlan, project: PlanProject | None, details: ProjectDetails, actor: User) -> PlanProject:
    """Add a project to the plan or change one. Nothing is saved unless everything is right."""
    _require_editable(plan)
    raise_if_any(_project_problems(plan, project, details))
    before = _project_snapshot(project) if project is not None else None
    if project is None:
        project = PlanProject(plan=plan)
        db.session.add(project)
    project.name = details.name.strip()
    project.description = details.description.strip()
    if details.provided_by_borough:
        project.provider_name = project.provider_charity_number = project.provider_company_number = None
    else:
        project.provider_name = details.provider_name.strip()
        project.provider_charity_number = details.charity_number.strip().upper() or None
        project.provider_company_number = details.company_number.strip().upper() or None
    project.service_areas = [area.value for area in ServiceArea if area.value in details.service_areas]
    project.whole_borough = bool(details.whole_borough)
    project.wards = None if project.whole_borough else details.wards.strip()
    project.amounts = {str(year): amount for year in plan.years if (amount := details.amounts.get(year))}
    _save_measures(project, [m for m in details.measures if not m.blank])
    audit.record(
        "delivery_plan.project_saved",
        plan,
        before=before,
        after=_audit_summary(project),
        organisation_id=plan.organisation_id,
        actor=actor,
    )
    db.session.commit()
    return project


def _save_measures(project: PlanProject, measures: list[MeasureDetails]) -> None:
    """Keep each existing measure in its place (its figures in returns stay with it), add or drop the rest."""
    existing = list(project.measures) if project.id else []
    for position, details in enumerate(measures):
        measure = existing[position] if position < len(existing) else None
        if measure is None:
            measure = Measure(plan_project=project, basis=MeasureBasis.QUARTER)
            db.session.add(measure)
        assert details.target is not None  # checked with the project's other problems before saving
        measure.name, measure.unit, measure.target = details.name.strip(), details.unit.strip(), details.target
    for measure in existing[len(measures) :]:
        if db.session.scalar(sa.select(MeasureActual.return_id).where(MeasureActual.measure_id == measure.id).limit(1)):
            raise DomainError(f"“{measure.name}” already has figures in returns, so it cannot be removed")
        db.session.delete(measure)


def remove_project(plan: DeliveryPlan, project: PlanProject, actor: User) -> None:
    _require_editable(plan)
    if _has_reported(Return.plan_project_id == project.id):
        raise DomainError(
            f"“{project.name}” has returns already started, so it stays in the plan. "
            "Set its amounts for the years to come to £0 instead."
        )
    audit.record(
        "delivery_plan.project_removed",
        plan,
        before=_audit_summary(project),
        organisation_id=plan.organisation_id,
        actor=actor,
    )
    db.session.delete(project)
    db.session.commit()


def _has_reported(condition: sa.ColumnElement[bool]) -> bool:
    """Whether any return matching ``condition`` has been started (anything saved or sent)."""
    return bool(
        db.session.scalar(sa.select(sa.func.count(Return.id)).where(condition, Return.status != ReturnStatus.DUE))
    )


def _audit_summary(project: PlanProject) -> dict:
    return {"project": project.name, "amounts": project.amounts}


def _project_snapshot(project: PlanProject) -> dict:
    return {
        "id": project.id,
        "name": project.name,
        "description": project.description,
        "provider_name": project.provider_name,
        "provider_charity_number": project.provider_charity_number,
        "provider_company_number": project.provider_company_number,
        "service_areas": list(project.service_areas),
        "whole_borough": project.whole_borough,
        "wards": project.wards,
        "amounts": dict(project.amounts),
        "measures": [{"name": m.name, "unit": m.unit, "target": m.target} for m in project.measures],
    }


def submission_problems(plan: DeliveryPlan) -> list[DomainError]:
    """What stops the plan being submitted: no projects, or a year planned beyond its allocation."""
    errors = []
    if not plan.projects:
        errors.append(DomainError("Add at least one project before you submit the plan"))
    allocations = queries.allocations_by_year(plan)
    for year in plan.years:
        allocated = allocations[year].amount_pence if year in allocations else 0
        planned = plan.planned_pence(year)
        if planned > allocated:
            errors.append(
                DomainError(
                    f"The projects for {financial_year_label(year)} add up to {format_pence(planned)}, "
                    f"more than the allocation of {format_pence(allocated)}"
                )
            )
    return errors


def submit_plan(plan: DeliveryPlan, response: str, actor: User) -> PlanVersion:
    """Send the plan (or its variation) to officers, keeping a copy of it exactly as sent."""
    _require_editable(plan)
    errors = submission_problems(plan)
    if plan.status is S.QUERIED and not (response or "").strip():
        errors.append(DomainError("Answer the officer's comments before you submit the plan again", "response"))
    raise_if_any(errors)
    allocations = queries.allocations_by_year(plan)
    version = PlanVersion(
        plan=plan,
        number=len(plan.versions) + 1,
        is_variation=plan.variation_reason is not None,
        reason=plan.variation_reason,
        response=(response or "").strip() or None,
        snapshot={
            "allocations": {str(year): a.amount_pence for year, a in allocations.items()},
            "projects": [_project_snapshot(project) for project in plan.projects],
        },
        submitted_by_id=actor.id,
    )
    db.session.add(version)
    PLANS.move(plan, S.SUBMITTED, actor=actor, detail={"version": version.number})
    db.session.commit()
    return version


def start_variation(plan: DeliveryPlan, reason: str, actor: User) -> None:
    """Reopen an approved plan for a change. The reason goes with the variation to the officer."""
    if not (reason or "").strip():
        raise DomainError("Enter why the plan needs to change", "reason")
    PLANS.move(plan, S.VARYING, actor=actor, detail={"reason": reason.strip()})
    plan.variation_reason = reason.strip()
    db.session.commit()


def approve_plan(plan: DeliveryPlan, comment: str, actor: User, today: date) -> None:
    """Approve the submitted plan or variation. The first approval schedules the borough's payments."""
    version = plan.latest_version
    PLANS.move(plan, S.APPROVED, actor=actor, detail={"version": version.number if version else None})
    assert version is not None  # only a submitted plan can be approved, and submitting makes a version
    version.decision, version.decided_at, version.decided_by_id = PlanDecision.APPROVED, utcnow(), actor.id
    version.comment = (comment or "").strip() or None
    plan.approved_at, plan.approved_by_id = utcnow(), actor.id
    plan.variation_reason = None
    schedule_plan_instalments(plan, today)
    schedule_project_returns(plan)
    _notify(plan, "delivery_plan_approved", version=version)
    published.changed(awards=())  # the plan's projects join the published 360Giving file (no award changes)
    db.session.commit()


def query_plan(plan: DeliveryPlan, comment: str, actor: User) -> None:
    """Send the submitted plan back to the borough with comments it answers before submitting again."""
    if not (comment or "").strip():
        raise DomainError("Enter what the borough needs to answer or change", "comment")
    version = plan.latest_version
    PLANS.move(plan, S.QUERIED, actor=actor, detail={"comment": comment.strip()})
    assert version is not None  # only a submitted plan can be queried, and submitting makes a version
    version.decision, version.decided_at, version.decided_by_id = PlanDecision.QUERIED, utcnow(), actor.id
    version.comment = comment.strip()
    _notify(plan, "delivery_plan_queried", version=version)
    db.session.commit()


def _notify(plan: DeliveryPlan, template: str, **context: Any) -> None:
    link = external_url("plans.borough_plan", organisation_id=plan.organisation_id, plan_id=plan.id)
    for member in queries.owners_and_editors(plan.organisation_id):
        queue_email(member.email, template, plan=plan, link=link, **context)
