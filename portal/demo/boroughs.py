"""Demonstration LCPF allocations to five boroughs (some confirmed late, one not yet), and Lewisham's delivery plan:
approved after one query, with its projects, its half-yearly payments and quarterly returns at every stage, so that
Lewisham's borough user (borough@demo.example.org) can see the whole cycle.

Deterministic and safe to run again: allocations are matched by borough and year, and the plan is built only if
Lewisham's council has none for the year.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from portal.boroughs.allocations import default_confirm_by
from portal.boroughs.payments import schedule_plan_instalments
from portal.boroughs.returns import schedule_project_returns
from portal.database import utcnow
from portal.demo.seed import DEMO_DOMAIN
from portal.extensions import db
from portal.models import (
    BoroughAllocation,
    DeliveryPlan,
    InstalmentStatus,
    LocalAuthority,
    Measure,
    MeasureActual,
    MeasureBasis,
    Organisation,
    OrganisationType,
    PlanDecision,
    PlanInstalment,
    PlanProject,
    PlanStatus,
    PlanVersion,
    Return,
    ReturnQuery,
    ReturnStatus,
    User,
)
from portal.monitoring.performance import record_performance
from portal.periods import financial_year_start


@dataclass(frozen=True)
class DemoBoroughAllocation:
    borough: str
    pounds: int  # used when no published formula version gives the borough's figure
    confirmed_days_late: int | None  # None: not confirmed yet


ALLOCATIONS = (
    DemoBoroughAllocation("Lewisham", 812_000, 0),
    DemoBoroughAllocation("Lambeth", 905_000, 41),
    DemoBoroughAllocation("Southwark", 930_000, 0),
    DemoBoroughAllocation("Hackney", 870_000, 270),  # the committee heard of allocations delayed by months
    DemoBoroughAllocation("Croydon", 845_000, None),
)


@dataclass(frozen=True)
class DemoProject:
    name: str
    description: str
    provider: str | None
    charity_number: str | None
    service_areas: tuple[str, ...]
    wards: str | None
    pounds_a_year: int
    measures: tuple[tuple[str, str, int], ...]


PROJECTS = (
    DemoProject(
        "Lewisham youth mentoring",
        "One-to-one mentors for 11 to 18 year olds referred by schools and the youth offending service.",
        "Lewisham Youth Trust",
        None,
        ("children_and_young_people", "violence_reduction"),
        None,
        210_000,
        (("Young people mentored", "young people", 45), ("Mentoring sessions held", "sessions", 300)),
    ),
    DemoProject(
        "Domestic abuse advocacy",
        "Independent domestic violence advisers based at Lewisham Hospital and the council's housing options team.",
        "Victim Support",
        "298028",
        ("vawg", "victim_support"),
        None,
        240_000,
        (("Survivors supported", "people", 60),),
    ),
    DemoProject(
        "Catford town centre guardians",
        "Council street guardians and a late-night safe haven in Catford town centre.",
        None,
        None,
        ("crime_prevention", "community_engagement"),
        "Catford South, Rushey Green",
        160_000,
        (("Evening patrols", "patrols", 120), ("People helped at the safe haven", "people", 80)),
    ),
    DemoProject(
        "Hate crime reporting centres",
        "Third-party reporting centres in libraries and faith venues, with volunteer training.",
        None,
        None,
        ("hate_crime",),
        None,
        95_000,
        (("Reports taken", "reports", 30),),
    ),
)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(11), tzinfo=UTC)


def load(today: date | None = None) -> str:
    from portal.lcpf.queries import published_allocation

    today = today or utcnow().date()
    this_year = financial_year_start(today)
    officer = db.session.scalar(sa.select(User).where(User.email == f"officer@{DEMO_DOMAIN}"))
    added = 0
    for spec in ALLOCATIONS:
        borough = db.session.scalar(sa.select(LocalAuthority).where(LocalAuthority.name == spec.borough))
        if borough is None:
            continue
        for year in (this_year, this_year + 1):
            if db.session.scalar(
                sa.select(BoroughAllocation.id).where(
                    BoroughAllocation.local_authority_id == borough.id, BoroughAllocation.financial_year == year
                )
            ):
                continue
            confirm_by = default_confirm_by(year)
            confirmed = None
            if year == this_year and spec.confirmed_days_late is not None:
                confirmed = min(confirm_by + timedelta(days=spec.confirmed_days_late), today)
            pounds = published_allocation(borough, year) or spec.pounds
            db.session.add(
                BoroughAllocation(
                    local_authority=borough,
                    financial_year=year,
                    amount_pence=pounds * 100,
                    confirm_by=confirm_by,
                    confirmed_on=confirmed,
                    confirmed_by=officer if confirmed else None,
                    created_by_id=officer.id if officer else None,
                )
            )
            added += 1
    db.session.flush()
    plan_note = _lewisham_plan(today, this_year, officer)
    db.session.commit()
    return f"Demo borough allocations: {added} added. {plan_note}"


def _lewisham_plan(today: date, this_year: int, officer: User | None) -> str:
    council = db.session.scalar(
        sa.select(Organisation).where(
            Organisation.organisation_type == OrganisationType.BOROUGH,
            Organisation.name == "London Borough of Lewisham",
        )
    )
    borough_user = db.session.scalar(sa.select(User).where(User.email == f"borough@{DEMO_DOMAIN}"))
    if council is None:
        return "No Lewisham council, so no delivery plan."
    if db.session.scalar(
        sa.select(DeliveryPlan.id).where(
            DeliveryPlan.organisation_id == council.id, DeliveryPlan.first_year == this_year
        )
    ):
        return "Lewisham's delivery plan was already there."
    plan = DeliveryPlan(organisation=council, first_year=this_year, last_year=this_year + 1, status=PlanStatus.APPROVED)
    db.session.add(plan)
    for spec in PROJECTS:
        project = PlanProject(
            plan=plan,
            name=spec.name,
            description=spec.description,
            provider_name=spec.provider,
            provider_charity_number=spec.charity_number,
            service_areas=list(spec.service_areas),
            whole_borough=spec.wards is None,
            wards=spec.wards,
            amounts={str(this_year): spec.pounds_a_year * 100, str(this_year + 1): spec.pounds_a_year * 100},
        )
        db.session.add(project)
        for name, unit, target in spec.measures:
            db.session.add(
                Measure(plan_project=project, name=name, unit=unit, target=target, basis=MeasureBasis.QUARTER)
            )
    db.session.flush()
    submitted = _at(date(this_year, 2, 20))
    snapshot = {"projects": [{"name": p.name, "amounts": p.amounts} for p in plan.projects]}
    plan.versions.append(
        PlanVersion(
            number=1,
            snapshot=snapshot,
            submitted_at=submitted,
            submitted_by_id=borough_user.id if borough_user else None,
            decision=PlanDecision.QUERIED,
            comment="How will schools refer young people to the mentoring project, and how soon can it start?",
            decided_at=submitted + timedelta(days=6),
            decided_by_id=officer.id if officer else None,
        )
    )
    plan.versions.append(
        PlanVersion(
            number=2,
            snapshot=snapshot,
            response="Through the council's Team Around the School panels; referrals start in April.",
            submitted_at=submitted + timedelta(days=9),
            submitted_by_id=borough_user.id if borough_user else None,
            decision=PlanDecision.APPROVED,
            decided_at=submitted + timedelta(days=14),
            decided_by_id=officer.id if officer else None,
        )
    )
    plan.approved_at, plan.approved_by_id = submitted + timedelta(days=14), officer.id if officer else None
    schedule_plan_instalments(plan, (submitted + timedelta(days=14)).date())
    schedule_project_returns(plan)
    db.session.flush()
    _pay(plan, today, officer)
    _returns(plan, today, officer, borough_user)
    return "Lewisham's delivery plan added, approved, with payments and returns."


def _pay(plan: DeliveryPlan, today: date, officer: User | None) -> None:
    for number, instalment in enumerate(
        db.session.scalars(
            sa.select(PlanInstalment).where(PlanInstalment.plan_id == plan.id).order_by(PlanInstalment.due_on)
        )
    ):
        if instalment.due_on > today or not instalment.allocation.is_issued:
            continue
        instalment.status = InstalmentStatus.RELEASED
        instalment.released_at, instalment.released_by = _at(instalment.due_on), officer
        if number == 0:
            instalment.status = InstalmentStatus.PAID
            instalment.paid_on = instalment.due_on + timedelta(days=3)
            instalment.payment_reference = f"LCPF-LEW-{instalment.period_start:%Y%m}"
            instalment.paid_recorded_at, instalment.paid_recorded_by = _at(instalment.paid_on), officer


def _returns(plan: DeliveryPlan, today: date, officer: User | None, borough_user: User | None) -> None:
    """The first quarter accepted and rated, the second submitted (one queried), the rest as they fall due."""
    returns = db.session.scalars(
        sa.select(Return)
        .join(PlanProject, PlanProject.id == Return.plan_project_id)
        .where(PlanProject.plan_id == plan.id)
        .order_by(Return.period_start, PlanProject.id)
    ).all()
    quarters = sorted({r.period_start for r in returns if r.period_end < today})
    for return_ in returns:
        if return_.period_end >= today:
            continue
        position = quarters.index(return_.period_start)
        latest = position == len(quarters) - 1
        project = return_.borough_project
        share = project.amount_for(return_.financial_year) // 4
        return_.spend_pence = share - (project.id % 3) * 1_500_00
        return_.people_helped = 20 + project.id % 7 * 5
        return_.progress = f"{project.name}: delivery on track this quarter; referrals steady."
        return_.risks = "Recruiting volunteers over the summer holidays."
        for measure in project.measures:
            return_.actuals.append(MeasureActual(measure_id=measure.id, actual=measure.target - project.id % 4))
        submitted_on = return_.due_on - timedelta(days=3)
        return_.submitted_at = return_.first_submitted_at = _at(submitted_on)
        return_.submitted_by = borough_user
        if latest and project is plan.projects[0]:
            return_.status = ReturnStatus.QUERIED
            return_.queries.append(
                ReturnQuery(
                    question="Spend is below the profile: is the mentoring project behind on recruiting mentors?",
                    asked_by=officer,
                    asked_at=_at(submitted_on + timedelta(days=2)),
                )
            )
        elif latest:
            return_.status = ReturnStatus.SUBMITTED
        else:
            return_.status = ReturnStatus.ACCEPTED
            return_.accepted_at, return_.accepted_by = _at(submitted_on + timedelta(days=5)), officer
            db.session.flush()
            record_performance(return_, officer)
