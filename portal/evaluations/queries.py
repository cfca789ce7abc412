"""Reading evaluations: the officers' lists, and everything the public may see.

What the public may see is one definition, :func:`public_evaluations`: a published evaluation of a programme, or of
a service whose award is public (``portal.directory.published.is_published``). Planned and done evaluations are
never public, and neither is who recorded them.
"""

import enum
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import aliased

from portal.directory.published import is_published
from portal.evaluations import rules
from portal.extensions import db
from portal.models import (
    Award,
    AwardServiceArea,
    Evaluation,
    EvaluationKind,
    EvaluationStatus,
    Fund,
    ServiceArea,
)

PER_PAGE = 20


class StaffShow(enum.StrEnum):
    ALL = "all"
    PLANNED = "planned"
    OVERDUE = "overdue"
    DONE = "done"
    PUBLISHED = "published"
    MISSING = "missing"

    @property
    def label(self) -> str:
        return {
            "all": "All evaluations",
            "planned": "Planned",
            "overdue": "Overdue",
            "done": "Done, not yet published",
            "published": "Published",
            "missing": "Services missing an interim or final evaluation",
        }[self.value]


def fetch_staff_page(show: StaffShow, today: date, page: int) -> Pagination:
    """The officers' list of evaluations under one filter, latest planned date first (overdue: oldest first)."""
    query = sa.select(Evaluation)
    if show is StaffShow.PLANNED:
        query = query.where(Evaluation.status == EvaluationStatus.PLANNED)
    elif show is StaffShow.OVERDUE:
        query = query.where(rules.overdue(today))
    elif show is StaffShow.DONE:
        query = query.where(Evaluation.status == EvaluationStatus.DONE)
    elif show is StaffShow.PUBLISHED:
        query = query.where(Evaluation.status == EvaluationStatus.PUBLISHED)
    if show is StaffShow.OVERDUE:
        query = query.order_by(Evaluation.planned_on, Evaluation.id)
    else:
        query = query.order_by(Evaluation.planned_on.desc(), Evaluation.id.desc())
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


@dataclass(frozen=True)
class MissingRow:
    award: Award
    missing: list[EvaluationKind]


def fetch_missing_page(page: int) -> Pagination:
    """Approved awards of three years or more lacking an interim or final evaluation, ending soonest first."""
    query = sa.select(Award).where(rules.missing_evaluation()).order_by(Award.end_date, Award.id)
    result = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    kinds = kinds_by_award([award.id for award in result.items])
    # The page lists each award with what it lacks: ``rows`` beside ``items``.
    vars(result)["rows"] = [
        MissingRow(award, rules.missing_kinds(award, kinds.get(award.id, []))) for award in result.items
    ]
    return result


def kinds_by_award(award_ids: list[int]) -> dict[int, list[Evaluation]]:
    found: dict[int, list[Evaluation]] = {award_id: [] for award_id in award_ids}
    if award_ids:
        for evaluation in db.session.scalars(sa.select(Evaluation).where(Evaluation.award_id.in_(award_ids))):
            if evaluation.award_id is not None:
                found[evaluation.award_id].append(evaluation)
    return found


def fetch_for_award(award_id: int) -> list[Evaluation]:
    """Every evaluation of a service, for its officers, by planned date."""
    return list(
        db.session.scalars(
            sa.select(Evaluation).where(Evaluation.award_id == award_id).order_by(Evaluation.planned_on, Evaluation.id)
        )
    )


def find_award_by_reference(reference: str) -> Award | None:
    return db.session.scalar(sa.select(Award).where(sa.func.upper(Award.reference) == reference.strip().upper()))


def fetch_funds() -> list[Fund]:
    return list(db.session.scalars(sa.select(Fund).order_by(Fund.name)))


# Public ---------------------------------------------------------------------------------------------------------


def is_public() -> sa.ColumnElement[bool]:
    """The SQL condition for an evaluation the public may see; the query must outer-join its award."""
    return sa.and_(
        Evaluation.status == EvaluationStatus.PUBLISHED,
        Evaluation.published_at.is_not(None),
        sa.or_(Evaluation.award_id.is_(None), is_published()),
    )


def public_evaluations() -> sa.Select:
    return sa.select(Evaluation).outerjoin(Award, Award.id == Evaluation.award_id).where(is_public())


class Sort(enum.StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    SUBJECT = "subject"

    @property
    def label(self) -> str:
        return {"newest": "Most recently done", "oldest": "Done longest ago", "subject": "Service or programme A to Z"}[
            self.value
        ]


@dataclass(frozen=True)
class LibraryFilters:
    kind: EvaluationKind | None = None
    fund_id: int | None = None
    service_area: ServiceArea | None = None
    sort: Sort = Sort.NEWEST

    @property
    def any(self) -> bool:
        return bool(self.kind or self.fund_id or self.service_area)

    def args(self) -> dict:
        """The filters as query-string arguments, for links that keep them."""
        return {
            "kind": self.kind.value if self.kind else None,
            "fund": self.fund_id,
            "area": self.service_area.value if self.service_area else None,
            "sort": self.sort.value if self.sort is not Sort.NEWEST else None,
        }


def _filtered(filters: LibraryFilters) -> sa.Select:
    query = public_evaluations()
    if filters.kind is not None:
        query = query.where(Evaluation.kind == filters.kind)
    if filters.fund_id:
        query = query.where(sa.or_(Evaluation.fund_id == filters.fund_id, Award.fund_id == filters.fund_id))
    if filters.service_area is not None:
        query = query.where(
            Evaluation.award_id.in_(
                sa.select(AwardServiceArea.award_id).where(AwardServiceArea.service_area == filters.service_area)
            )
        )
    return query


def _ordered(query: sa.Select, sort: Sort) -> sa.Select:
    if sort is Sort.OLDEST:
        return query.order_by(Evaluation.done_on, Evaluation.id)
    if sort is Sort.SUBJECT:
        fund = aliased(Fund)
        subject = sa.func.lower(sa.func.coalesce(Award.title, fund.name))
        return query.outerjoin(fund, fund.id == Evaluation.fund_id).order_by(subject, Evaluation.done_on.desc())
    return query.order_by(Evaluation.done_on.desc(), Evaluation.id.desc())


def fetch_library_page(filters: LibraryFilters, page: int, per_page: int = PER_PAGE) -> Pagination:
    return db.paginate(_ordered(_filtered(filters), filters.sort), page=page, per_page=per_page, error_out=False)


def fetch_library_all(filters: LibraryFilters) -> list[Evaluation]:
    return list(db.session.scalars(_ordered(_filtered(filters), filters.sort)))


def fetch_library_funds() -> list[Fund]:
    """Funds with a public evaluation, of the fund itself or of one of its services, for the filter."""
    public = public_evaluations().subquery()
    fund_ids = (
        sa.select(sa.func.coalesce(public.c.fund_id, Award.fund_id))
        .select_from(public)
        .outerjoin(Award, Award.id == public.c.award_id)
    )
    return list(db.session.scalars(sa.select(Fund).where(Fund.id.in_(fund_ids)).order_by(Fund.name)))


def fetch_public(evaluation_id: int) -> Evaluation | None:
    found: Evaluation | None = db.session.scalar(public_evaluations().where(Evaluation.id == evaluation_id))
    return found


def fetch_public_for_award(award_id: int) -> list[Evaluation]:
    return list(
        db.session.scalars(
            public_evaluations().where(Evaluation.award_id == award_id).order_by(Evaluation.done_on.desc())
        )
    )


CSV_HEADINGS = (
    "Identifier",
    "Kind",
    "Of",
    "Service or programme",
    "Award reference",
    "Fund",
    "Provider",
    "Evaluator",
    "Planned to report",
    "Done",
    "Published",
    "Question",
    "Method",
    "Findings",
    "Report",
    "Page",
)


def csv_row(evaluation: Evaluation, page_url: str, report_url: str | None) -> list:
    award = evaluation.award
    return [
        evaluation.id,
        evaluation.kind.label,
        "Service" if award else "Programme",
        evaluation.subject_name,
        award.reference if award else "",
        award.fund.name if award else evaluation.fund.name if evaluation.fund else "",
        award.organisation.name if award else "",
        evaluation.evaluator,
        evaluation.planned_on.isoformat(),
        evaluation.done_on.isoformat() if evaluation.done_on else "",
        evaluation.published_at.date().isoformat() if evaluation.published_at else "",
        evaluation.question,
        evaluation.method,
        evaluation.findings,
        report_url or "",
        page_url,
    ]


def public_by_award(award_ids: list[int] | None = None) -> dict[int, list[Evaluation]]:
    """Public evaluations of services, by award, in the order they were published (for the open data)."""
    query = public_evaluations().where(Evaluation.award_id.is_not(None))
    if award_ids is not None:
        query = query.where(Evaluation.award_id.in_(award_ids))
    found: dict[int, list[Evaluation]] = {}
    for evaluation in db.session.scalars(query.order_by(Evaluation.published_at, Evaluation.id)):
        found.setdefault(evaluation.award_id, []).append(evaluation)
    return found
