"""What the officers' formula pages read: every version by status, one version's figures against the one before,
and the record of past imports."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from portal.extensions import db
from portal.lcpf import formula
from portal.models import LcpfAllocation, LcpfImport, LcpfVersion, LcpfVersionStatus

IMPORTS_PER_PAGE = 25
STATUS_ORDER = (
    LcpfVersionStatus.DRAFT,
    LcpfVersionStatus.CONSULTATION,
    LcpfVersionStatus.PUBLISHED,
    LcpfVersionStatus.SUPERSEDED,
)


def fetch_version(version_id: int) -> LcpfVersion | None:
    return db.session.get(LcpfVersion, version_id)


def fetch_versions_by_status() -> dict[LcpfVersionStatus, list[LcpfVersion]]:
    """Every version, newest first within each status, in the order an officer works through them."""
    grouped: dict[LcpfVersionStatus, list[LcpfVersion]] = {status: [] for status in STATUS_ORDER}
    for version in db.session.scalars(sa.select(LcpfVersion).order_by(LcpfVersion.id.desc())):
        grouped[version.status].append(version)
    return grouped


def fetch_all_versions() -> list[LcpfVersion]:
    return list(db.session.scalars(sa.select(LcpfVersion).order_by(LcpfVersion.id.desc())))


def year_totals(version: LcpfVersion) -> dict[int, int]:
    """Financial year → the pounds allocated to boroughs under ``version``."""
    rows = db.session.execute(
        sa.select(LcpfAllocation.financial_year, sa.func.sum(LcpfAllocation.amount_pounds))
        .where(LcpfAllocation.version_id == version.id)
        .group_by(LcpfAllocation.financial_year)
    )
    return {year: int(total) for year, total in rows}


@dataclass(frozen=True)
class YearChange:
    financial_year: int
    amount: int
    previous: int | None

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.amount - self.previous


def changes_against_previous(version: LcpfVersion, result: formula.Result) -> list[YearChange]:
    """Each year's total to boroughs against the same year of the version this one followed (if it had that year)."""
    previous = year_totals(version.previous_version) if version.previous_version is not None else {}
    return [
        YearChange(year.pot.financial_year, year.total(), previous.get(year.pot.financial_year))
        for year in result.years
    ]


def fetch_imports(page: int) -> Pagination:
    page = min(max(page, 1), 100_000)  # a page number far beyond any list is the empty last page, not an error
    query = sa.select(LcpfImport).order_by(LcpfImport.imported_at.desc(), LcpfImport.id.desc())
    return db.paginate(query, page=page, per_page=IMPORTS_PER_PAGE, error_out=False)


def fetch_import(import_id: int) -> LcpfImport | None:
    return db.session.get(LcpfImport, import_id)
