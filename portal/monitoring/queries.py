"""Named queries for monitoring pages."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import lazyload

from portal.extensions import db
from portal.models import (
    Award,
    AwardStatus,
    Fund,
    Measure,
    Organisation,
    PerformanceRecord,
    Return,
)
from portal.monitoring.kinds import shows, where_shown

RETURNS_PER_PAGE = 25

# The officers' table: what each "show" filter means (as for every kind of return), and the sortable columns.
SHOW = shows("returns")
SORTS = {
    "due_on": Return.due_on,
    "organisation": Organisation.name,
    "award": Award.reference,
    "status": Return.status,
}


@dataclass(frozen=True)
class ReturnFilters:
    show: str = "open"
    fund_id: int | None = None
    sort: str = "due_on"
    order: str = "asc"


def fetch_award(award_id: int) -> Award | None:
    return db.session.get(Award, award_id)


def fetch_return(return_id: int) -> Return | None:
    return db.session.get(Return, return_id)


def fetch_measure(measure_id: int) -> Measure | None:
    return db.session.get(Measure, measure_id)


def fetch_record(record_id: int) -> PerformanceRecord | None:
    return db.session.get(PerformanceRecord, record_id)


def fetch_measures(award: Award) -> list[Measure]:
    return list(db.session.scalars(sa.select(Measure).where(Measure.award_id == award.id).order_by(Measure.id)))


def fetch_returns(award: Award) -> list[Return]:
    return list(db.session.scalars(sa.select(Return).where(Return.award_id == award.id).order_by(Return.period_start)))


def fetch_records(award: Award) -> dict[int, PerformanceRecord]:
    """The award's performance records, by return id."""
    records = db.session.scalars(sa.select(PerformanceRecord).where(PerformanceRecord.award_id == award.id))
    return {record.return_id: record for record in records}


def fetch_organisation(organisation_id: int) -> Organisation | None:
    return db.session.get(Organisation, organisation_id)


def fetch_organisation_awards(organisation: Organisation) -> list[Award]:
    """Only this organisation's approved (or since withdrawn) awards: nobody else's, and nothing still awaiting
    approval."""
    return list(
        db.session.scalars(
            sa.select(Award)
            .where(
                Award.organisation_id == organisation.id,
                Award.status.in_([AwardStatus.APPROVED, AwardStatus.WITHDRAWN]),
            )
            .order_by(Award.start_date.desc(), Award.id.desc())
        )
    )


def fetch_funds() -> list[Fund]:
    """The funds to filter by, by name (their service areas left unloaded: the filter offers names only)."""
    return list(db.session.scalars(sa.select(Fund).order_by(Fund.name).options(lazyload(Fund.service_area_links))))


def fetch_returns_page(filters: ReturnFilters, page: int, today: date) -> Pagination:
    query = sa.select(Return).join(Return.award).join(Award.organisation).where(Award.status == AwardStatus.APPROVED)
    query = where_shown(query, Return, filters.show, today)
    if filters.fund_id:
        query = query.where(Award.fund_id == filters.fund_id)
    column = SORTS.get(filters.sort, Return.due_on)
    query = query.order_by(column.desc() if filters.order == "desc" else column.asc(), Return.id)
    return db.paginate(query, page=page, per_page=RETURNS_PER_PAGE, error_out=False)
