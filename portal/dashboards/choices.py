"""What the dashboards' filters offer: the financial years and funds that have published figures."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import lazyload

from portal.directory import borough_projects, published
from portal.extensions import db
from portal.models import Allocation, Award, AwardYear, Fund


def available_years() -> list[int]:
    """Financial years of published awards, of boards' allocations and of the boroughs' public LCPF projects."""
    awarded = published.published_award_years().with_only_columns(AwardYear.financial_year)
    allocated = sa.select(Allocation.financial_year)
    return sorted(set(db.session.scalars(sa.union(awarded, allocated))) | borough_projects.years_with_funding())


@dataclass(frozen=True)
class FundChoice:
    id: int
    name: str


def available_choices() -> tuple[list[int], list[FundChoice]]:
    """:func:`available_years` and :func:`available_funds` (by id and name) together, in one statement: the pairs
    of financial year and fund of published awards' years, of published awards (a year of none) and of boards'
    allocations, with each fund's name."""
    pairs = sa.union(
        published.published_award_years().with_only_columns(AwardYear.financial_year, Award.fund_id),
        published.published_awards().with_only_columns(sa.null(), Award.fund_id),
        sa.select(Allocation.financial_year, Allocation.fund_id),
    ).subquery()
    found = db.session.execute(
        sa.select(pairs.c[0], Fund.id, Fund.name).join(Fund, Fund.id == pairs.c[1]).order_by(Fund.name, Fund.id)
    ).all()
    years = {year for year, _, _ in found if year is not None} | borough_projects.years_with_funding()
    funds = list(dict.fromkeys(FundChoice(fund_id, name) for _, fund_id, name in found))
    return sorted(years), funds


def available_funds() -> list[Fund]:
    """Funds with published awards or boards' allocations."""
    funded = published.published_awards().with_only_columns(Award.fund_id)
    allocated = sa.select(Allocation.fund_id)
    query = sa.select(Fund).where(Fund.id.in_(sa.union(funded, allocated))).order_by(Fund.name)
    return list(db.session.scalars(query.options(lazyload(Fund.service_area_links))))  # offered by name only
