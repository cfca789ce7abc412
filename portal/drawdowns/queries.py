"""Named queries for allocations and drawdowns."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from portal.extensions import db
from portal.models import (
    Allocation,
    Drawdown,
    DrawdownStatus,
    Fund,
    Membership,
    Organisation,
    OrganisationType,
    User,
)

PER_PAGE = 25

# The officers' table of drawdowns: the columns it can be sorted by.
SORTS = {
    "requested": Drawdown.requested_at,
    "board": Organisation.name,
    "amount": Drawdown.amount_pence,
    "status": Drawdown.status,
}


@dataclass(frozen=True)
class DrawdownFilters:
    fund_id: int | None = None
    organisation_id: int | None = None
    financial_year: int | None = None
    status: DrawdownStatus | None = None
    sort: str = "requested"
    order: str = "desc"


@dataclass(frozen=True)
class AllocationAmounts:
    """Where an allocation stands. ``remaining`` is what the board may still ask for."""

    amount: int
    drawn: int  # approved or paid
    pending: int  # requested, not yet decided

    @property
    def remaining(self) -> int:
        return self.amount - self.drawn - self.pending


def fetch_allocation(allocation_id: int) -> Allocation | None:
    return db.session.get(Allocation, allocation_id)


def fetch_drawdown(drawdown_id: int) -> Drawdown | None:
    return db.session.get(Drawdown, drawdown_id)


def fetch_drawdown_by_submission_key(key: str) -> Drawdown | None:
    return db.session.scalar(sa.select(Drawdown).where(Drawdown.submission_key == key))


def fetch_organisation(organisation_id: int) -> Organisation | None:
    return db.session.get(Organisation, organisation_id)


def fetch_boards() -> list[Organisation]:
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .where(Organisation.organisation_type == OrganisationType.SNB)
            .order_by(Organisation.name)
        )
    )


def fetch_funds() -> list[Fund]:
    return list(db.session.scalars(sa.select(Fund).where(Fund.archived_at.is_(None)).order_by(Fund.name)))


def fetch_allocation_for(fund_id: int, organisation_id: int, financial_year: int) -> Allocation | None:
    return db.session.scalar(
        sa.select(Allocation).where(
            Allocation.fund_id == fund_id,
            Allocation.organisation_id == organisation_id,
            Allocation.financial_year == financial_year,
        )
    )


def fetch_amounts(allocation_ids: list[int]) -> dict[int, AllocationAmounts]:
    """Drawn and pending amounts for each allocation, read afresh from the database."""
    held = sa.case(
        (Drawdown.status.in_([DrawdownStatus.APPROVED, DrawdownStatus.PAID]), Drawdown.amount_pence), else_=0
    )
    pending = sa.case((Drawdown.status == DrawdownStatus.REQUESTED, Drawdown.amount_pence), else_=0)
    rows = db.session.execute(
        sa.select(
            Allocation.id,
            Allocation.amount_pence,
            sa.func.coalesce(sa.func.sum(held), 0),
            sa.func.coalesce(sa.func.sum(pending), 0),
        )
        .outerjoin(Drawdown, Drawdown.allocation_id == Allocation.id)
        .where(Allocation.id.in_(allocation_ids))
        .group_by(Allocation.id, Allocation.amount_pence)
    )
    return {row[0]: AllocationAmounts(int(row[1]), int(row[2]), int(row[3])) for row in rows}


def fetch_amounts_of(allocation: Allocation) -> AllocationAmounts:
    return fetch_amounts([allocation.id])[allocation.id]


def fetch_board_allocations(organisation: Organisation) -> list[Allocation]:
    """Only this board's allocations: nobody else's."""
    return list(
        db.session.scalars(
            sa.select(Allocation)
            .where(Allocation.organisation_id == organisation.id)
            .order_by(Allocation.financial_year.desc(), Allocation.id)
        )
    )


def fetch_allocations(financial_year: int | None = None, fund_id: int | None = None) -> list[Allocation]:
    query = sa.select(Allocation).join(Allocation.organisation)
    if financial_year:
        query = query.where(Allocation.financial_year == financial_year)
    if fund_id:
        query = query.where(Allocation.fund_id == fund_id)
    return list(db.session.scalars(query.order_by(Allocation.financial_year.desc(), Organisation.name)))


def fetch_allocation_years() -> list[int]:
    return list(
        db.session.scalars(sa.select(Allocation.financial_year).distinct().order_by(Allocation.financial_year.desc()))
    )


def board_members(organisation_id: int) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == organisation_id, User.active.is_(True))
            .order_by(User.id)
        )
    )


def _filtered(filters: DrawdownFilters) -> sa.Select[tuple[Drawdown]]:
    query = sa.select(Drawdown).join(Drawdown.allocation).join(Allocation.organisation)
    if filters.fund_id:
        query = query.where(Allocation.fund_id == filters.fund_id)
    if filters.organisation_id:
        query = query.where(Allocation.organisation_id == filters.organisation_id)
    if filters.financial_year:
        query = query.where(Allocation.financial_year == filters.financial_year)
    if filters.status:
        query = query.where(Drawdown.status == filters.status)
    return query


def fetch_drawdowns_page(filters: DrawdownFilters, page: int) -> Pagination:
    column = SORTS.get(filters.sort, Drawdown.requested_at)
    query = _filtered(filters).order_by(column.desc() if filters.order == "desc" else column.asc(), Drawdown.id)
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def fetch_all_drawdowns(filters: DrawdownFilters) -> list[Drawdown]:
    """Every drawdown the filters match, for the summary above the table."""
    return list(db.session.scalars(_filtered(filters)))
