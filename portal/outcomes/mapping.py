"""Which outcome of the current framework each measure of an award, and each borough LCPF plan project, contributes
to; and what is still to be mapped."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, joinedload

from portal import audit
from portal.database import commit_or_refuse
from portal.errors import DomainError
from portal.extensions import db
from portal.models import (
    Award,
    AwardStatus,
    DeliveryPlan,
    Measure,
    Organisation,
    Outcome,
    OutcomeMapping,
    PlanProject,
    PlanStatus,
    User,
)
from portal.outcomes.frameworks import fetch_current

# Plans whose projects are on their way to being funded, or are: a draft may still change beyond recognition.
MAPPED_PLAN_STATUSES = (PlanStatus.SUBMITTED, PlanStatus.QUERIED, PlanStatus.APPROVED, PlanStatus.VARYING)


def current_outcomes() -> list[Outcome]:
    framework = fetch_current()
    return list(framework.outcomes) if framework else []


def outcome_of_measure(measure_id: int) -> Outcome | None:
    return db.session.scalar(
        sa.select(Outcome)
        .join(OutcomeMapping, OutcomeMapping.outcome_id == Outcome.id)
        .where(OutcomeMapping.measure_id == measure_id)
    )


def outcome_of_project(project_id: int) -> Outcome | None:
    return db.session.scalar(
        sa.select(Outcome)
        .join(OutcomeMapping, OutcomeMapping.outcome_id == Outcome.id)
        .where(OutcomeMapping.plan_project_id == project_id)
    )


def outcomes_of_measures(measure_ids: list[int]) -> dict[int, Outcome]:
    """Each measure's outcome, whichever framework version it belongs to. One query."""
    if not measure_ids:
        return {}
    rows = db.session.execute(
        sa.select(OutcomeMapping.measure_id, Outcome)
        .join(Outcome, Outcome.id == OutcomeMapping.outcome_id)
        .where(OutcomeMapping.measure_id.in_(measure_ids))
    )
    return {measure_id: outcome for measure_id, outcome in rows.tuples().all() if measure_id is not None}


def _current_outcome(outcome_id: int | None) -> Outcome:
    framework = fetch_current()
    if framework is None:
        raise DomainError("There is no published outcomes framework yet: publish one first", "outcome")
    outcome = next((o for o in framework.outcomes if o.id == outcome_id), None)
    if outcome is None:
        raise DomainError("Select an outcome of the current framework", "outcome")
    return outcome


def _set(
    mapping_filter: sa.ColumnElement[bool],
    new_mapping: OutcomeMapping,
    outcome: Outcome,
    subject: Measure | PlanProject,
    actor: User,
    organisation_id: int,
) -> bool:
    existing = db.session.scalar(sa.select(OutcomeMapping).where(mapping_filter))
    before = existing.outcome.name if existing else None
    if existing is not None and existing.outcome_id == outcome.id:
        return False  # already so: a second submit changes nothing
    with commit_or_refuse(DomainError("Someone mapped this at the same moment. Check it and try again.", "outcome")):
        if existing is None:
            new_mapping.outcome_id, new_mapping.mapped_by_id = outcome.id, actor.id
            db.session.add(new_mapping)
        else:
            existing.outcome_id, existing.mapped_by_id = outcome.id, actor.id
        audit.record(
            f"{subject.__tablename__}.outcome_mapped",
            subject,
            before={"outcome": before},
            after={"outcome": outcome.name, "framework": outcome.framework.number},
            organisation_id=organisation_id,
            actor=actor,
        )
    return True


def map_measure(measure: Measure, outcome_id: int | None, actor: User) -> bool:
    """Map an award's measure to an outcome of the current framework. Returns whether anything changed."""
    if measure.award is None:
        raise DomainError("A borough project's measures count under the project's outcome")
    outcome = _current_outcome(outcome_id)
    return _set(
        OutcomeMapping.measure_id == measure.id,
        OutcomeMapping(measure_id=measure.id),
        outcome,
        measure,
        actor,
        measure.award.organisation_id,
    )


def map_project(project: PlanProject, outcome_id: int | None, actor: User) -> bool:
    """Map a borough's LCPF plan project (and so every measure of it) to an outcome of the current framework."""
    outcome = _current_outcome(outcome_id)
    return _set(
        OutcomeMapping.plan_project_id == project.id,
        OutcomeMapping(plan_project_id=project.id),
        outcome,
        project,
        actor,
        project.plan.organisation_id,
    )


@dataclass(frozen=True)
class Unmapped:
    measures: list[Measure]  # of approved awards, with their award and organisation loaded
    projects: list[PlanProject]  # of plans submitted or later, with their plan and council loaded

    @property
    def count(self) -> int:
        return len(self.measures) + len(self.projects)


def _mapped_to_current(column: InstrumentedAttribute[int | None]) -> sa.Select[tuple[int | None]]:
    framework = fetch_current()
    outcome_ids = [o.id for o in framework.outcomes] if framework else []
    return sa.select(column).where(column.is_not(None), OutcomeMapping.outcome_id.in_(outcome_ids))


def fetch_unmapped() -> Unmapped:
    """Measures of approved awards and projects of borough plans not mapped to an outcome of the current framework
    (never mapped, or mapped to an outcome a later version dropped)."""
    measures = db.session.scalars(
        sa.select(Measure)
        .join(Award, Award.id == Measure.award_id)
        .join(Organisation, Organisation.id == Award.organisation_id)
        .where(Award.status == AwardStatus.APPROVED, Measure.id.not_in(_mapped_to_current(OutcomeMapping.measure_id)))
        .options(joinedload(Measure.award).joinedload(Award.organisation))
        .order_by(Award.reference, Measure.id)
    )
    projects = db.session.scalars(
        sa.select(PlanProject)
        .join(DeliveryPlan, DeliveryPlan.id == PlanProject.plan_id)
        .where(
            DeliveryPlan.status.in_(MAPPED_PLAN_STATUSES),
            PlanProject.id.not_in(_mapped_to_current(OutcomeMapping.plan_project_id)),
        )
        .options(joinedload(PlanProject.plan))
        .order_by(PlanProject.plan_id, PlanProject.id)
    )
    return Unmapped(list(measures.unique()), list(projects.unique()))


def count_unmapped() -> int:
    return fetch_unmapped().count
