"""The committee report's borough section: each borough's approved LCPF delivery plan running in the period, its
projects with their funding, spend and measures from accepted returns up to the period's end, and their ratings.

Read only through :mod:`portal.directory.borough_projects`, because a published report is public.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from portal.directory import borough_projects
from portal.extensions import db
from portal.models import Measure, MeasureActual, PerformanceRecord, Rag, Return, ReturnStatus
from portal.periods import financial_year_label, financial_year_start
from portal.reports.content import MeasureLine, trend


@dataclass(frozen=True)
class ProjectLine:
    name: str
    provider: str
    service_areas: str
    where: str
    amount_pence: int  # over the plan's years
    spend_pence: int  # from accepted returns up to the period's end
    measures: tuple[MeasureLine, ...]
    rating: Rag | None
    rating_period: str | None
    trend: str

    @property
    def rating_text(self) -> str:
        return self.rating.label if self.rating else "Not rated yet"


@dataclass(frozen=True)
class BoroughPlan:
    borough: str
    council: str
    years: str
    planned_pence: int
    spend_pence: int
    projects: tuple[ProjectLine, ...]

    def rating_counts(self) -> list[tuple[str, int]]:
        counts = [(r.label, sum(1 for p in self.projects if p.rating is r)) for r in (Rag.GREEN, Rag.AMBER, Rag.RED)]
        return [*counts, ("Not rated yet", sum(1 for p in self.projects if p.rating is None))]


def gather_boroughs(start: date, end: date) -> tuple[BoroughPlan, ...]:
    first, last = financial_year_start(start), financial_year_start(end)
    projects = [
        p for p in borough_projects.fetch_public_projects() if p.plan_first_year <= last and p.plan_last_year >= first
    ]
    ids = [p.id for p in projects]
    if not ids:
        return ()
    accepted = sa.and_(
        Return.plan_project_id.in_(ids), Return.status == ReturnStatus.ACCEPTED, Return.period_end <= end
    )
    spend: dict[int | None, int | None] = dict(
        db.session.execute(
            sa.select(Return.plan_project_id, sa.func.coalesce(sa.func.sum(Return.spend_pence), 0))
            .where(accepted)
            .group_by(Return.plan_project_id)
        )
        .tuples()
        .all()
    )
    ratings: dict[int, list[tuple[Rag, str]]] = defaultdict(list)
    for project_id, overall, label in db.session.execute(
        sa.select(PerformanceRecord.plan_project_id, PerformanceRecord.overall, Return.label)
        .join(Return, Return.id == PerformanceRecord.return_id)
        .where(accepted)
        .order_by(Return.period_start)
    ):
        ratings[project_id].append((overall, label))
    latest: dict[int, tuple[int, int, str]] = {}
    for measure_id, actual, frequency, label in db.session.execute(
        sa.select(MeasureActual.measure_id, MeasureActual.actual, Return.frequency, Return.label)
        .join(Return, Return.id == MeasureActual.return_id)
        .where(accepted)
        .order_by(Return.period_start)
    ):
        latest[measure_id] = (actual, frequency.quarters, label)
    measures = defaultdict(list)
    for measure in db.session.scalars(
        sa.select(Measure).where(Measure.plan_project_id.in_(ids)).order_by(Measure.plan_project_id, Measure.id)
    ):
        measures[measure.plan_project_id].append(measure)

    plans = []
    for projects_here in borough_projects.by_borough(projects).values():
        lines = []
        for p in projects_here:
            project_ratings = ratings.get(p.id, [])
            measure_lines = []
            for m in measures.get(p.id, []):
                actual, quarters, label = latest.get(m.id, (None, None, None))
                measure_lines.append(
                    MeasureLine(
                        m.name,
                        m.unit,
                        m.target,
                        m.basis.label,
                        actual,
                        m.target_for(quarters) if quarters else None,
                        label,
                    )
                )
            lines.append(
                ProjectLine(
                    name=p.name,
                    provider=p.provider,
                    service_areas=", ".join(area.label for area in p.service_areas) or "Not recorded",
                    where=p.where,
                    amount_pence=p.total_pence,
                    spend_pence=int(spend.get(p.id) or 0),
                    measures=tuple(measure_lines),
                    rating=project_ratings[-1][0] if project_ratings else None,
                    rating_period=project_ratings[-1][1] if project_ratings else None,
                    trend=trend([rating for rating, _ in project_ratings]),
                )
            )
        sample = projects_here[0]
        first_label, last_label = (
            financial_year_label(sample.plan_first_year),
            financial_year_label(sample.plan_last_year),
        )
        plans.append(
            BoroughPlan(
                borough=sample.borough,
                council=sample.council,
                years=f"{first_label} to {last_label}",
                planned_pence=sum(line.amount_pence for line in lines),
                spend_pence=sum(line.spend_pence for line in lines),
                projects=tuple(sorted(lines, key=lambda line: line.name)),
            )
        )
    return tuple(sorted(plans, key=lambda plan: plan.borough))
