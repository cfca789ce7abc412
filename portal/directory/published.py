"""What the public may see of awards and their monitoring: one definition, shared by the directory and map, the
dashboards, the open-data files and the committee report, so that none of them can show more than the others.

- An award is public once it is approved; an award in any other status (awaiting approval, withdrawn) is not.
- Monitoring is public only from accepted returns: a performance record exists only for an accepted return, and
  spend, people helped and measure actuals are read from accepted returns only.
- A case study is public only while an officer has it published, and only from an accepted return of a published
  award whose organisation agreed it may be published as good practice (and wrote one).
- Nothing about bids, scores, reviewers, unaccepted returns or people is public.
"""

import enum
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, joinedload, lazyload

from portal import jobs
from portal.extensions import db
from portal.models import (
    Award,
    AwardServiceArea,
    AwardStatus,
    AwardYear,
    DashboardFigures,
    Fund,
    MeasureActual,
    OpenDataChange,
    Organisation,
    PerformanceRecord,
    PublishedCaseStudy,
    Rag,
    Return,
    ReturnStatus,
    award_borough,
)
from portal.periods import today_in_london

# A return still open this many days after it fell due makes its service "overdue" in public.
OVERDUE_STATUSES = (ReturnStatus.DUE, ReturnStatus.IN_PROGRESS, ReturnStatus.QUERIED)


class Phase(enum.StrEnum):
    NOT_STARTED = "not_started"
    ACTIVE = "active"
    ENDED = "ended"

    @property
    def label(self) -> str:
        return {"not_started": "Not started yet", "active": "Active", "ended": "Ended"}[self.value]


london_today = today_in_london

OPEN_DATA_JOB = "workers.opendata.regenerate"
FIGURES_JOB = "workers.dashboards.refresh_figures"


def changed(*, awards: Collection[int] | None = None, withdrawn: bool = False, open_data: bool = True) -> None:
    """Published data changes in this transaction: once it commits, bring up to date what the public is shown from
    it, the open-data files (unless ``open_data`` is False: nothing in them changed) and the dashboards' kept
    figures, one job each; while one waits, queuing it again does nothing, as the waiting one will see this change
    too. Something ``withdrawn`` from public view must not be shown even until those jobs run, so the kept figures
    are forgotten with this transaction and worked out afresh when next asked for.

    ``awards`` are the ids of the awards whose published data changed (none, for a change to the boroughs' London
    Crime Prevention Fund grants alone), recorded with this transaction so that the open-data job makes only their
    part of the files again; without them it makes every part again."""
    if open_data:
        recorded = [None] if awards is None else sorted(set(awards))
        db.session.add_all(OpenDataChange(award_id=award_id) for award_id in recorded)
        jobs.enqueue(OPEN_DATA_JOB, coalesce=True)
    jobs.enqueue(FIGURES_JOB, coalesce=True)
    if withdrawn:
        db.session.execute(sa.delete(DashboardFigures))


def is_published() -> sa.ColumnElement[bool]:
    """The SQL condition for an award the public may see."""
    return Award.status == AwardStatus.APPROVED


def published_awards() -> sa.Select[tuple[Award]]:
    return sa.select(Award).where(is_published())


def award_ids(*conditions: sa.ColumnElement[bool]) -> list[int]:
    """The ids of the published awards that meet ``conditions``: those whose public record names what changed."""
    return list(db.session.scalars(sa.select(Award.id).where(is_published(), *conditions)))


class AwardFacts(NamedTuple):
    """What the committee report shows of a published award, read as columns (no award objects, their years,
    boroughs or service areas): a row for each of thousands of services costs a fraction of an award's."""

    id: int
    reference: str
    title: str
    start_date: date
    end_date: date
    works_pan_london: bool
    provider: str  # the organisation's name
    fund: str  # the fund's name
    total_pence: int  # awarded over all its years, as Award.total_pence


def award_facts(*conditions: sa.ColumnElement[bool]) -> list[AwardFacts]:
    """The facts of the published awards meeting ``conditions``, by reference."""
    total = (
        sa.select(sa.func.coalesce(sa.func.sum(AwardYear.amount_pence), 0))
        .where(AwardYear.award_id == Award.id)
        .correlate(Award)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(
            Award.id,
            Award.reference,
            Award.title,
            Award.start_date,
            Award.end_date,
            Award.works_pan_london,
            Organisation.name,
            Fund.name,
            sa.cast(total, sa.BigInteger),  # PostgreSQL's SUM of a bigint is a numeric: whole pence either way
        )
        .join(Organisation, Organisation.id == Award.organisation_id)
        .join(Fund, Fund.id == Award.fund_id)
        .where(is_published(), *conditions)
        .order_by(Award.reference)
    )
    return [AwardFacts(*row) for row in rows]


def directory_loading() -> tuple[Any, ...]:
    """Loader options for awards shown in the directory: their fund and organisation, without the fund's service
    areas or the boroughs the organisation serves, which no public page shows (a statement each, otherwise)."""
    return (
        joinedload(Award.fund).lazyload(Fund.service_area_links),
        joinedload(Award.organisation).lazyload(Organisation.boroughs_served),
    )


def phase_of(award: Award, today: date) -> Phase:
    if award.start_date > today:
        return Phase.NOT_STARTED
    if award.end_date < today:
        return Phase.ENDED
    return Phase.ACTIVE


def in_phase(phase: Phase, today: date) -> sa.ColumnElement[bool]:
    """The SQL condition matching :func:`phase_of`."""
    if phase is Phase.NOT_STARTED:
        return Award.start_date > today
    if phase is Phase.ENDED:
        return Award.end_date < today
    return sa.and_(Award.start_date <= today, Award.end_date >= today)


def accepted_returns() -> sa.Select[tuple[Return]]:
    return (
        sa.select(Return)
        .join(Award, Award.id == Return.award_id)
        .where(is_published(), Return.status == ReturnStatus.ACCEPTED)
    )


def case_study_is_public() -> sa.ColumnElement[bool]:
    """The SQL condition for a case study the public may see; the query must join its return and award."""
    return sa.and_(
        is_published(),
        Return.status == ReturnStatus.ACCEPTED,
        Return.case_study_may_publish.is_(True),
        Return.case_study.is_not(None),
        PublishedCaseStudy.published_at.is_not(None),
    )


def public_case_studies() -> sa.Select[tuple[PublishedCaseStudy]]:
    return (
        sa.select(PublishedCaseStudy)
        .join(Return, Return.id == PublishedCaseStudy.return_id)
        .join(Award, Award.id == Return.award_id)
        .where(case_study_is_public())
    )


def published_award_years() -> sa.Select:
    """The amounts by financial year of published awards."""
    return sa.select(AwardYear).join(Award, Award.id == AwardYear.award_id).where(is_published())


def published_award_boroughs() -> sa.Select:
    """``(award_id, local_authority_id)`` for every borough a published award names."""
    return (
        sa.select(award_borough.c.award_id, award_borough.c.local_authority_id)
        .join(Award, Award.id == award_borough.c.award_id)
        .where(is_published())
    )


def published_award_service_areas() -> sa.Select:
    return sa.select(AwardServiceArea).join(Award, Award.id == AwardServiceArea.award_id).where(is_published())


def accepted_records() -> sa.Select:
    """Performance records of published awards from accepted returns (with the return joined, for its period)."""
    return (
        sa.select(PerformanceRecord)
        .join(Return, Return.id == PerformanceRecord.return_id)
        .join(Award, Award.id == PerformanceRecord.award_id)
        .where(is_published(), Return.status == ReturnStatus.ACCEPTED)
    )


def accepted_measure_actuals() -> sa.Select:
    """Measure actuals reported in accepted returns of published awards (with the return joined)."""
    return (
        sa.select(MeasureActual)
        .join(Return, Return.id == MeasureActual.return_id)
        .join(Award, Award.id == Return.award_id)
        .where(is_published(), Return.status == ReturnStatus.ACCEPTED)
    )


def performance_history(award_ids: list[int]) -> dict[int, list[PerformanceRecord]]:
    """Each published award's performance records from accepted returns, oldest period first.

    Only the records and their returns are loaded: not the rating history, nor the officers' queries and measure
    figures that a return's relationships would otherwise bring along, which no public page needs, nor the return's
    award again (with its boroughs, years and areas: five more statements for awards the caller already has)."""
    history: dict[int, list[PerformanceRecord]] = {award_id: [] for award_id in award_ids}
    if not award_ids:
        return history
    records = db.session.scalars(
        accepted_records()
        .where(PerformanceRecord.award_id.in_(award_ids))
        .options(
            lazyload(PerformanceRecord.changes),
            joinedload(PerformanceRecord.return_).options(
                lazyload(Return.award),
                lazyload(Return.plan_project),
                lazyload(Return.queries),
                lazyload(Return.actuals),
            ),
        )
        .order_by(PerformanceRecord.award_id, Return.period_start)
    )
    for record in records:
        history[record.award_id].append(record)
    return history


def latest_ratings(award_ids: list[int]) -> dict[int, Rag]:
    """The overall rating of each award's most recent period, as :func:`latest_performance` finds it, read as two
    columns instead of records with their returns."""
    if not award_ids:
        return {}
    rows = db.session.execute(
        accepted_records()
        .with_only_columns(PerformanceRecord.award_id, PerformanceRecord.overall)
        .where(PerformanceRecord.award_id.in_(award_ids))
        .order_by(PerformanceRecord.award_id, Return.period_start)
    )
    # In period order, so that each award's last period's rating is the one kept.
    return {award_id: overall for award_id, overall in rows if award_id is not None}


def latest_performance(award_ids: list[int]) -> dict[int, PerformanceRecord]:
    """The most recent period's performance record for each award that has one."""
    return {award_id: records[-1] for award_id, records in performance_history(award_ids).items() if records}


@dataclass(frozen=True)
class Freshness:
    last_updated: datetime | None  # when the latest accepted return was accepted
    overdue_returns: int  # returns past their due date and not yet submitted (or queried and not answered)


def freshness(
    ids: list[int], today: date, key: InstrumentedAttribute[int | None] = Return.award_id
) -> dict[int, Freshness]:
    """How fresh each funded thing's reporting is, by ``key``: awards by default, borough plan projects with
    ``key=Return.plan_project_id``."""
    if not ids:
        return {}
    overdue = sa.and_(Return.status.in_(OVERDUE_STATUSES), Return.due_on < today)
    found = {
        id_: (last, late)
        for id_, last, late in db.session.execute(  # both facts in one pass over the returns
            sa.select(
                key,
                sa.func.max(Return.accepted_at).filter(Return.status == ReturnStatus.ACCEPTED),
                sa.func.count(Return.id).filter(overdue),
            )
            .where(key.in_(ids), sa.or_(Return.status == ReturnStatus.ACCEPTED, overdue))
            .group_by(key)
        )
    }
    return {id_: Freshness(*found.get(id_, (None, 0))) for id_ in ids}


def latest_rating() -> sa.ScalarSelect[Any]:
    """The SQL expression for an award's latest overall rating from an accepted return (NULL if none), matching
    :func:`latest_performance`."""
    return (
        sa.select(PerformanceRecord.overall)
        .join(Return, Return.id == PerformanceRecord.return_id)
        .where(PerformanceRecord.award_id == Award.id, Return.status == ReturnStatus.ACCEPTED)
        .order_by(Return.period_start.desc())
        .limit(1)
        .correlate(Award)
        .scalar_subquery()
    )


def public_award(award_id: int) -> Award | None:
    """An award the public may see, or None: an unapproved award is as good as missing."""
    return db.session.scalar(published_awards().where(Award.id == award_id).options(*directory_loading()))


def latest_accepted_return(award_id: int) -> Return | None:
    """The award's latest accepted return with its measure figures, without the award (the caller has it) or the
    officers' queries."""
    return db.session.scalar(
        accepted_returns()
        .where(Return.award_id == award_id)
        .options(lazyload(Return.award), lazyload(Return.plan_project), lazyload(Return.queries))
        .order_by(Return.period_start.desc())
        .limit(1)
    )
