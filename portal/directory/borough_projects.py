"""What the public may see of the boroughs' own London Crime Prevention Fund projects: one definition, used by the
directory, the map (through :mod:`portal.directory.borough_funding`), the borough pages, the dashboards, the
open-data files and the committee report, as :mod:`portal.directory.published` is for awards.

- A project is public while its delivery plan is approved. A plan being drafted, awaiting review or queried shows
  nothing; nor does an approved plan while a variation of it is being prepared or reviewed, since its projects may
  then hold changes no officer has approved. They are public again once the variation is approved.
- Monitoring is public only from accepted returns, as for awards: ratings, measure actuals and the last update.
- Nothing about the plan's versions, queries, payments, comments or the people involved is public.

Everything here is read as plain values (no database objects), so it can be cached and shared.
"""

from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date, datetime
from itertools import takewhile

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.orm import lazyload

from portal.directory import published
from portal.directory.published import Phase
from portal.extensions import db
from portal.models import (
    DeliveryPlan,
    LocalAuthority,
    Measure,
    Organisation,
    PerformanceRecord,
    PlanProject,
    PlanStatus,
    Rag,
    Return,
    ReturnStatus,
    ServiceArea,
)
from portal.periods import financial_year_bounds

FUND_NAME = "London Crime Prevention Fund"
# The directory's fund filter offers the boroughs' projects under this value (they belong to no round's fund).
FUND_FILTER_VALUE = "lcpf-boroughs"
FUND_FILTER_LABEL = "London Crime Prevention Fund (borough projects)"


def is_public() -> sa.ColumnElement[bool]:
    """The SQL condition for a plan whose projects the public may see."""
    return DeliveryPlan.status == PlanStatus.APPROVED


@dataclass(frozen=True)
class PublicProject:
    id: int
    plan_id: int
    name: str
    description: str
    council: str
    council_org_id: str
    local_authority_id: int
    borough: str
    borough_gss_code: str
    borough_official_name: str
    provider_name: str | None
    provider_charity_number: str | None
    provider_company_number: str | None
    service_areas: tuple[ServiceArea, ...]
    whole_borough: bool
    wards: str | None
    amounts: tuple[tuple[int, int], ...]  # (financial year, pence), years in order, no empty years
    plan_first_year: int
    plan_last_year: int
    approved_at: datetime | None

    @property
    def provider(self) -> str:
        """Who runs it: the named organisation, or the council itself."""
        return self.provider_name or self.council

    @property
    def provided_by_borough(self) -> bool:
        return not self.provider_name

    @property
    def funded_by(self) -> str:
        return f"{FUND_NAME} via the {self.borough_official_name}"

    def amount_for(self, year: int) -> int:
        return dict(self.amounts).get(year, 0)

    @property
    def total_pence(self) -> int:
        return sum(pence for _, pence in self.amounts)

    @property
    def years(self) -> list[int]:
        return [year for year, _ in self.amounts]

    @property
    def start_date(self) -> date:
        return financial_year_bounds(self.years[0] if self.amounts else self.plan_first_year)[0]

    @property
    def end_date(self) -> date:
        return financial_year_bounds(self.years[-1] if self.amounts else self.plan_last_year)[1]

    def phase(self, today: date) -> Phase:
        if self.start_date > today:
            return Phase.NOT_STARTED
        if self.end_date < today:
            return Phase.ENDED
        return Phase.ACTIVE

    @property
    def where(self) -> str:
        if self.whole_borough or not self.wards:
            return f"The whole of {self.borough}"
        return f"{self.borough}: {self.wards}"

    @property
    def reference(self) -> str:
        """How open data names the project: the borough's register code is in its org-id."""
        return f"LCPF-{self.council_org_id.rsplit('-', 1)[-1]}-{self.id}"


def _service_areas(values: list[str] | None) -> tuple[ServiceArea, ...]:
    known = {area.value: area for area in ServiceArea}
    return tuple(known[value] for value in (values or []) if value in known)


def fetch_public_projects(
    *, project_ids: list[int] | None = None, local_authority_ids: list[int] | None = None
) -> list[PublicProject]:
    """Every public project (or those asked for), by name. One query."""
    query = (
        sa.select(
            PlanProject.id,
            PlanProject.plan_id,
            PlanProject.name,
            PlanProject.description,
            Organisation.name,
            LocalAuthority.org_id,
            LocalAuthority.id,
            LocalAuthority.name,
            LocalAuthority.gss_code,
            LocalAuthority.official_name,
            PlanProject.provider_name,
            PlanProject.provider_charity_number,
            PlanProject.provider_company_number,
            PlanProject.service_areas,
            PlanProject.whole_borough,
            PlanProject.wards,
            PlanProject.amounts,
            DeliveryPlan.first_year,
            DeliveryPlan.last_year,
            DeliveryPlan.approved_at,
        )
        .join(DeliveryPlan, DeliveryPlan.id == PlanProject.plan_id)
        .join(Organisation, Organisation.id == DeliveryPlan.organisation_id)
        .join(LocalAuthority, LocalAuthority.id == Organisation.local_authority_id)
        .where(is_public())
        .order_by(PlanProject.name, PlanProject.id)
    )
    if project_ids is not None:
        query = query.where(PlanProject.id.in_(project_ids))
    if local_authority_ids is not None:
        query = query.where(LocalAuthority.id.in_(local_authority_ids))
    projects = []
    for row in db.session.execute(query):
        *head, areas, whole, wards, amounts, first, last, approved_at = row
        projects.append(
            PublicProject(
                **dict(zip(_HEAD_FIELDS, head, strict=True)),
                service_areas=_service_areas(areas),
                whole_borough=bool(whole),
                wards=wards,
                amounts=tuple(sorted((int(y), int(p)) for y, p in (amounts or {}).items() if int(p) > 0)),
                plan_first_year=first,
                plan_last_year=last,
                approved_at=approved_at,
            )
        )
    return projects


# The fields read straight from the query's leading columns, in order: those before the ones worked out per row.
_HEAD_FIELDS = list(takewhile(lambda name: name != "service_areas", (f.name for f in fields(PublicProject))))


def public_project(project_id: int) -> PublicProject | None:
    found = fetch_public_projects(project_ids=[project_id])
    return found[0] if found else None


# ---------------------------------------------------------------------------------------------------------------
# Monitoring, from accepted returns of public projects only


def public_project_ids() -> sa.Select:
    return sa.select(PlanProject.id).join(DeliveryPlan, DeliveryPlan.id == PlanProject.plan_id).where(is_public())


def accepted_returns() -> sa.Select[tuple[Return]]:
    return sa.select(Return).where(
        Return.plan_project_id.in_(public_project_ids()), Return.status == ReturnStatus.ACCEPTED
    )


def performance_history(project_ids: list[int]) -> dict[int, list[PerformanceRecord]]:
    """Each public project's performance records from accepted returns, oldest period first."""
    history: dict[int, list[PerformanceRecord]] = {project_id: [] for project_id in project_ids}
    if not project_ids:
        return history
    records = db.session.scalars(
        sa.select(PerformanceRecord)
        .join(Return, Return.id == PerformanceRecord.return_id)
        .where(
            PerformanceRecord.plan_project_id.in_(project_ids),
            PerformanceRecord.plan_project_id.in_(public_project_ids()),
            Return.status == ReturnStatus.ACCEPTED,
        )
        .options(
            lazyload(PerformanceRecord.changes),
            lazyload(PerformanceRecord.return_).lazyload(Return.queries),
        )
        .order_by(PerformanceRecord.plan_project_id, Return.period_start)
    )
    for record in records:
        if record.plan_project_id is not None:
            history[record.plan_project_id].append(record)
    return history


@dataclass(frozen=True)
class Rating:
    """A plain copy of one period's rating, for cached rows."""

    period: str
    overall: Rag


def latest_ratings(project_ids: list[int]) -> dict[int, Rating]:
    """The latest period's overall rating of each project that has one. One query."""
    if not project_ids:
        return {}
    rows = db.session.execute(
        sa.select(PerformanceRecord.plan_project_id, Return.label, PerformanceRecord.overall)
        .join(Return, Return.id == PerformanceRecord.return_id)
        .where(
            PerformanceRecord.plan_project_id.in_(project_ids),
            PerformanceRecord.plan_project_id.in_(public_project_ids()),
            Return.status == ReturnStatus.ACCEPTED,
        )
        .order_by(PerformanceRecord.plan_project_id, Return.period_start)
    )
    return {project_id: Rating(label, overall) for project_id, label, overall in rows}


def freshness(project_ids: list[int], today: date) -> dict[int, published.Freshness]:
    return published.freshness(project_ids, today, key=Return.plan_project_id)


def latest_accepted_return(project_id: int) -> Return | None:
    return db.session.scalar(
        accepted_returns()
        .where(Return.plan_project_id == project_id)
        .options(lazyload(Return.plan_project), lazyload(Return.queries))
        .order_by(Return.period_start.desc())
        .limit(1)
    )


def measures(project_id: int) -> list[Measure]:
    return list(
        db.session.scalars(
            sa.select(Measure)
            .where(Measure.plan_project_id == project_id)
            .options(lazyload(Measure.plan_project))
            .order_by(Measure.id)
        )
    )


def all_public_projects() -> list[PublicProject]:
    """Every public project, read once per request however many parts of a page ask (the dashboards' years, their
    funding by borough and their LCPF charts); outside a request, read each time."""
    if not has_request_context():
        return fetch_public_projects()
    if "public_projects" not in g:
        g.public_projects = fetch_public_projects()
    projects: list[PublicProject] = g.public_projects
    return projects


def years_with_funding() -> set[int]:
    years: set[int] = set()
    for project in all_public_projects():
        years.update(project.years)
    return years


def by_borough(projects: list[PublicProject]) -> dict[int, list[PublicProject]]:
    grouped: dict[int, list[PublicProject]] = defaultdict(list)
    for project in projects:
        grouped[project.local_authority_id].append(project)
    return dict(grouped)
