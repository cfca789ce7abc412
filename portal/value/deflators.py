"""Importing a GDP deflator series from a CSV file: a year and an index on each row.

The whole file is checked before anything is written, and every problem is listed with its row and column, so the
officer fixes the file in one go. The accepted layout: a header row naming a ``year`` column (``2024``, or a
financial year ``2024-25`` / ``2024/25``, counted by the year it starts in) and an ``index`` column (a number more
than 0, such as HM Treasury's GDP deflator at market prices, any base year). Other columns are ignored.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from portal import audit
from portal.errors import DomainError
from portal.extensions import db
from portal.models import DeflatorSeries, User

YEAR_COLUMNS = ("year", "financial_year", "financial year")
INDEX_COLUMNS = ("index", "deflator", "gdp_deflator", "gdp deflator")
YEAR = re.compile(r"^(?P<start>\d{4})(?:\s*[-/]\s*(?P<end>\d{2}|\d{4}))?$")
EARLIEST_YEAR, LATEST_YEAR = 1950, 2100


@dataclass(frozen=True)
class Problem:
    message: str
    row: int | None = None  # the file's line number, the header being line 1
    column: str | None = None

    def __str__(self) -> str:
        where = ", ".join(part for part in (f"row {self.row}" if self.row else "", self.column or "") if part)
        return f"{where[:1].upper()}{where[1:]}: {self.message}" if where else self.message


@dataclass
class Report:
    source_filename: str
    indices: dict[int, Decimal] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    series_id: int | None = None


class ImportRefused(DomainError):
    """The file has problems: nothing from it was imported. ``report.problems`` lists every one."""

    def __init__(self, report: Report) -> None:
        super().__init__(f"{report.source_filename} was not imported: {len(report.problems)} problem(s) found")
        self.report = report


def read_year(text: str) -> int | None:
    """``'2024'`` and ``'2024-25'`` → 2024; anything else (or a financial year whose halves disagree) → None."""
    found = YEAR.match(text.strip()) if text.isascii() else None
    if not found:
        return None
    start = int(found["start"])
    end = found["end"]
    if end is not None and int(end) % 100 != (start + 1) % 100:
        return None
    return start if EARLIEST_YEAR <= start <= LATEST_YEAR else None


def read_index(text: str) -> Decimal | None:
    cleaned = text.strip().replace(",", "")
    if not cleaned.isascii() or len(cleaned) > 20 or not re.fullmatch(r"[0-9]+(\.[0-9]{1,6})?", cleaned):
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value > 0 else None


def check_file(content: bytes, filename: str) -> Report:
    """Read the whole file into a report: its indices by year and every problem found."""
    report = Report(filename)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.problems.append(Problem("The file is not UTF-8 text: save it as CSV UTF-8"))
        return report
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not any(cell.strip() for cell in rows[0]):
        report.problems.append(Problem("The file is empty: it needs a header row with year and index columns"))
        return report
    header = [cell.strip().lower() for cell in rows[0]]
    year_at = next((header.index(name) for name in YEAR_COLUMNS if name in header), None)
    index_at = next((header.index(name) for name in INDEX_COLUMNS if name in header), None)
    if year_at is None:
        report.problems.append(Problem("There is no year column in the header row", 1))
    if index_at is None:
        report.problems.append(Problem("There is no index column in the header row", 1))
    if report.problems or year_at is None or index_at is None:
        return report
    first_row_of: dict[int, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        year_text = row[year_at] if year_at < len(row) else ""
        index_text = row[index_at] if index_at < len(row) else ""
        year = read_year(year_text)
        index = read_index(index_text)
        if year is None:
            report.problems.append(
                Problem(f"'{year_text[:20]}' is not a year like 2024 or 2024-25 between 1950 and 2100", line, "year")
            )
        elif year in first_row_of:
            report.problems.append(Problem(f"{year} is also on row {first_row_of[year]}", line, "year"))
        else:
            first_row_of[year] = line
        if index is None:
            report.problems.append(
                Problem(f"'{index_text[:20]}' is not an index: a number more than 0, like 101.25", line, "index")
            )
        if year is not None and index is not None and year not in report.indices:
            report.indices[year] = index
    if not report.indices and not report.problems:
        report.problems.append(Problem("The file has a header row but no years"))
    return report


def import_series(content: bytes, filename: str, source: str, actor: User | None = None) -> Report:
    """Check the file and, only if it has no problems, keep it as the deflator series in use. Commits."""
    report = check_file(content, filename)
    if not (source or "").strip():
        report.problems.append(Problem("Say where the series comes from, such as HM Treasury's GDP deflators"))
    if report.problems:
        raise ImportRefused(report)
    series = DeflatorSeries(
        source_filename=filename[-255:],
        source=source.strip(),
        indices={str(year): str(index) for year, index in sorted(report.indices.items())},
        imported_by=actor,
    )
    db.session.add(series)
    audit.record(
        "deflators.imported",
        series,
        after={"file": series.source_filename, "years": len(report.indices), "source": series.source},
        actor=actor,
    )
    db.session.commit()
    report.series_id = series.id
    return report


def fetch_current_series() -> DeflatorSeries | None:
    return db.session.scalar(sa.select(DeflatorSeries).order_by(DeflatorSeries.id.desc()).limit(1))


def fetch_past_series(limit: int = 20) -> list[DeflatorSeries]:
    return list(db.session.scalars(sa.select(DeflatorSeries).order_by(DeflatorSeries.id.desc()).limit(limit)))
