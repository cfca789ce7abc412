"""Comparing formula versions side by side: per borough, and inner against outer London, for one financial year.

Amounts are the whole pounds each version stored; per-resident figures use the residents each version was worked
out from, so a comparison shows what each version really says rather than mixing its data with another's.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

import sqlalchemy as sa

from portal import exports
from portal.extensions import db
from portal.models import LcpfAllocation, LcpfVersion

MOST_VERSIONS = 6  # side by side on a screen; more would not be readable
AREAS = ("inner", "outer")


@dataclass
class Cell:
    amount: int | None  # None: the version does not cover the year
    residents: int | None
    difference: int | None = None  # against the first version chosen

    @property
    def per_resident(self) -> Decimal | None:
        if self.amount is None or not self.residents:
            return None
        return (Decimal(self.amount) / Decimal(self.residents)).quantize(Decimal("0.01"), ROUND_HALF_EVEN)


@dataclass
class Row:
    name: str
    gss_code: str
    inner_outer: str  # "inner", "outer", or "" for the London total
    cells: list[Cell]


@dataclass
class Comparison:
    versions: list[LcpfVersion]
    financial_year: int
    boroughs: list[Row]
    areas: list[Row]  # inner London, outer London, all London


def fetch_versions(version_ids: list[int]) -> list[LcpfVersion]:
    """The versions asked for, in the order asked, each once; unknown ids are ignored."""
    wanted = list(dict.fromkeys(version_ids))[:MOST_VERSIONS]
    found = {v.id: v for v in db.session.scalars(sa.select(LcpfVersion).where(LcpfVersion.id.in_(wanted)))}
    return [found[version_id] for version_id in wanted if version_id in found]


def years_of(versions: list[LcpfVersion]) -> list[int]:
    return sorted({year for version in versions for year in range(version.first_year, version.last_year + 1)})


def default_year(versions: list[LcpfVersion]) -> int:
    """The first year every version covers, or failing that the first year any does."""
    shared = set.intersection(*(set(range(v.first_year, v.last_year + 1)) for v in versions))
    return min(shared) if shared else min(years_of(versions))


def compare(versions: list[LcpfVersion], financial_year: int) -> Comparison:
    allocations = db.session.scalars(
        sa.select(LcpfAllocation).where(
            LcpfAllocation.version_id.in_([v.id for v in versions]), LcpfAllocation.financial_year == financial_year
        )
    ).all()
    by_borough: dict[str, dict[int, LcpfAllocation]] = {}
    boroughs = {}
    for allocation in allocations:
        borough = allocation.local_authority
        boroughs[borough.gss_code] = borough
        by_borough.setdefault(borough.gss_code, {})[allocation.version_id] = allocation
    rows = []
    for gss_code, borough in sorted(boroughs.items(), key=lambda item: item[1].name):
        cells = []
        for version in versions:
            found = by_borough[gss_code].get(version.id)
            cells.append(
                Cell(
                    amount=found.amount_pounds if found else None,
                    residents=_residents(found) if found else None,
                )
            )
        rows.append(Row(borough.name, gss_code, borough.inner_outer.value, _with_differences(cells)))
    areas = [
        _total(f"{area.capitalize()} London", [row for row in rows if row.inner_outer == area], len(versions))
        for area in AREAS
    ]
    areas.append(_total("All London", rows, len(versions)))
    return Comparison(versions, financial_year, rows, areas)


def _residents(allocation: LcpfAllocation) -> int:
    return int(Decimal(allocation.workings.get("values", {}).get("residents", "0")))


def _total(name: str, rows: list[Row], width: int) -> Row:
    cells = []
    for index in range(width):
        column = [row.cells[index] for row in rows]
        covered = [cell for cell in column if cell.amount is not None]
        cells.append(
            Cell(
                amount=sum(cell.amount or 0 for cell in covered) if covered else None,
                residents=sum(cell.residents or 0 for cell in covered) if covered else None,
            )
        )
    return Row(name, "", "", _with_differences(cells))


def _with_differences(cells: list[Cell]) -> list[Cell]:
    base = cells[0].amount
    for cell in cells[1:]:
        cell.difference = None if base is None or cell.amount is None else cell.amount - base
    return cells


def comparison_csv(comparison: Comparison) -> str:
    """Every figure of the comparison, one row per borough then the area totals, through the safe CSV writer."""
    headings = ["borough", "gss_code", "inner_or_outer"]
    for index, version in enumerate(comparison.versions):
        label = f"{version.title} (version {version.id})"
        headings += [f"{label}: pounds", f"{label}: per resident"]
        if index:
            headings.append(f"{label}: difference from the first")
    rows = []
    for row in [*comparison.boroughs, *comparison.areas]:
        line: list = [row.name, row.gss_code, row.inner_outer]
        for index, cell in enumerate(row.cells):
            line += ["" if cell.amount is None else cell.amount, "" if cell.per_resident is None else cell.per_resident]
            if index:
                line.append("" if cell.difference is None else cell.difference)
        rows.append(line)
    return exports.csv_text(headings, rows)
