"""Importing the formula's data: recorded crime (the MPS's own wide layout or a tidy one), population and
deprivation.

Each file is checked whole before anything is written, and every problem is listed with its row and column, so an
officer can fix the file in one go. Nothing is imported unless the whole file is valid. Rows that are not funded
boroughs (the airports, "Unknown", the City of London) are listed in the report as left out, never dropped
silently. Imports of later files sit beside earlier ones: the formula takes each month from the latest import that
covers it.
"""

import csv
import io
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any, cast

import psycopg
import sqlalchemy as sa

from portal.errors import DomainError
from portal.extensions import db
from portal.models import LcpfBoroughFigure, LcpfCrimeCount, LcpfImport, LcpfImportKind, LocalAuthority, User

MPS_LEADING_COLUMNS = ("MajorText", "MinorText", "BoroughName")
TIDY_COLUMNS = ("borough", "gss_code", "year", "category", "count")
MONTH_COLUMN = re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})$")
# GSS codes of regions (E12), England (E92) and the United Kingdom (K02…): totals, left out and reported.
AREA_TOTAL_CODE = re.compile(r"^(E12|E92|K0\d)\d{6}$")
NOT_BOROUGHS = re.compile(r"airport|^unknown$", re.IGNORECASE)

POPULATION_CODE_COLUMNS = ("gss_code", "code")
POPULATION_RESIDENT_COLUMNS = ("census_2021_usual_residents", "residents", "population")
DEPRIVATION_CODE_COLUMNS = ("ltla24_code", "ltla19_code", "lad_code", "gss_code")
# Each measure the formula can use, with the column names the 2025 and 2019 local-authority summaries give it.
DEPRIVATION_COLUMNS = {
    "imd_average_score": ("imd_average_score", "Score"),
    "imd_extent": ("imd25_extent", "Extent", "imd_extent"),
    "imd_proportion_most_deprived_10": (
        "imd_proportion_of_lso_as_in_most_deprived_10_percent_nationally",
        "Proportion",
    ),
}


@dataclass(frozen=True)
class Problem:
    message: str
    row: int | None = None  # the file's line number, the header being line 1
    column: str | None = None

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (f"row {self.row}" if self.row else "", f"column {self.column}" if self.column else "")
            if part
        )
        return f"{where[:1].upper()}{where[1:]}: {self.message}" if where else self.message


@dataclass
class ImportReport:
    kind: LcpfImportKind
    source_filename: str
    layout: str = ""
    rows_read: int = 0
    first_month: int | None = None
    last_month: int | None = None
    left_out: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    boroughs: int = 0
    import_id: int | None = None


class ImportRefused(DomainError):
    """The file has problems: nothing from it was imported. ``report.problems`` lists every one."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{report.source_filename} was not imported: {len(report.problems)} problem(s) found")
        self.report = report


@dataclass(frozen=True)
class CheckedCrimeFile:
    """A crime file checked whole and found valid: what its import report will say, and the counts to write, keyed
    by (local authority id, category, first month, last month)."""

    report: ImportReport
    counts: Mapping[tuple[int, str, int, int], int]


def import_crime(content: bytes, source_filename: str, imported_by: User | None = None) -> ImportReport:
    """Check the whole file, then import it in one transaction. Raises ImportRefused (writing nothing)."""
    return save_crime(check_crime(content, source_filename), imported_by)


def check_crime(content: bytes, source_filename: str) -> CheckedCrimeFile:
    """Check a crime file in either layout without writing anything. Raises ImportRefused listing every problem."""
    report = ImportReport(LcpfImportKind.CRIME, source_filename)
    header, rows = _read_csv(content, report)
    counts: dict[tuple[int, str, int, int], int] = {}
    if header is not None:
        boroughs = _boroughs_by_name()
        if tuple(header[:3]) == MPS_LEADING_COLUMNS:
            counts = _check_mps(header, rows, boroughs, report)
        elif set(TIDY_COLUMNS) <= set(header):
            counts = _check_tidy(header, rows, boroughs, report)
        else:
            report.problems.append(
                Problem(
                    "The columns are neither the MPS layout (MajorText, MinorText, BoroughName, then one column a "
                    "month YYYYMM) nor the tidy layout (borough, gss_code, year, category, count)",
                    row=1,
                )
            )
    _refuse_if_any(report)
    return CheckedCrimeFile(report, counts)


def save_crime(checked: CheckedCrimeFile, imported_by: User | None = None) -> ImportReport:
    """Import a checked crime file in one transaction, and return its report (a copy: a checked file may be saved
    more than once, each save an import of its own)."""
    report = replace(checked.report)
    record = _record(report, imported_by)
    _insert_crime_counts(
        [
            (record.id, la_id, category, first, last, count)
            for (la_id, category, first, last), count in sorted(checked.counts.items())
        ]
    )
    db.session.commit()
    return report


CRIME_COUNT_COLUMNS = ("import_id", "local_authority_id", "category", "first_month", "last_month", "count")


def _insert_crime_counts(rows: list[tuple[int, int, str, int, int, int]]) -> None:
    """Write a crime file's counts (tens of thousands of rows for the MPS file) straight to the table, in order.

    Neither the ORM nor SQLAlchemy's statement for many rows is used: both handle every row in Python again, and
    the driver then sends one statement a row. PostgreSQL is sent the rows with COPY, its bulk-loading path, in the
    transaction the import record is in (a third faster for the MPS file than one INSERT unpacking the rows from
    JSON, which both sides had to build and parse); SQLite's driver runs one statement for every row itself, which
    costs it little."""
    if not rows:
        return
    table, columns = LcpfCrimeCount.__tablename__, ", ".join(CRIME_COUNT_COLUMNS)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        driver = cast(psycopg.Connection, connection.connection.driver_connection)
        with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        connection.exec_driver_sql(f"INSERT INTO {table} ({columns}) VALUES (?, ?, ?, ?, ?, ?)", rows)


def import_population(content: bytes, source_filename: str, imported_by: User | None = None) -> ImportReport:
    report = ImportReport(LcpfImportKind.POPULATION, source_filename, layout="population")
    figures = _check_borough_figures(
        content, report, POPULATION_CODE_COLUMNS, {"residents": POPULATION_RESIDENT_COLUMNS}, whole_numbers=True
    )
    return _save_figures(report, figures, imported_by)


def import_deprivation(content: bytes, source_filename: str, imported_by: User | None = None) -> ImportReport:
    report = ImportReport(LcpfImportKind.DEPRIVATION, source_filename, layout="IMD local-authority summary")
    figures = _check_borough_figures(content, report, DEPRIVATION_CODE_COLUMNS, DEPRIVATION_COLUMNS)
    return _save_figures(report, figures, imported_by)


def _read_csv(content: bytes, report: ImportReport) -> tuple[list[str] | None, list[tuple[int, list[str]]]]:
    if not content.strip():
        report.problems.append(Problem("The file is empty"))
        return None, []
    if b"\x00" in content[:4096]:
        report.problems.append(Problem("The file is not a CSV file (it looks like a spreadsheet or other binary file)"))
        return None, []
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.problems.append(Problem("The file is not a CSV file in UTF-8 text"))
        return None, []
    try:
        read = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        report.problems.append(Problem(f"The file is not a valid CSV file: {error}"))
        return None, []
    lines = [(number, line) for number, line in enumerate(read, start=1) if any(cell.strip() for cell in line)]
    if not lines:
        report.problems.append(Problem("The file is empty"))
        return None, []
    header = [cell.strip() for cell in lines[0][1]]
    if len(header) < 2:
        report.problems.append(Problem("The file is not a CSV file: its first line has no commas", row=1))
        return None, []
    rows = lines[1:]
    if not rows:
        report.problems.append(Problem("The file has a header but no rows"))
    report.rows_read = len(rows)
    return header, rows


def _boroughs_by_name() -> dict[str, LocalAuthority]:
    return {la.name.casefold(): la for la in db.session.scalars(sa.select(LocalAuthority))}


def _borough(
    name: str, boroughs: dict[str, LocalAuthority], report: ImportReport, row: int, column: str
) -> LocalAuthority | None:
    """The funded borough a row is about, or None when it is left out (reported) or unknown (a problem)."""
    local_authority = boroughs.get(name.strip().casefold())
    if local_authority is not None and local_authority.in_lcpf:
        return local_authority
    if local_authority is not None:
        note = f"{local_authority.name}: not one of the 32 LCPF boroughs (policed by {local_authority.police_force})"
    elif NOT_BOROUGHS.search(name.strip()):
        note = f"{name.strip()}: not a borough"
    else:
        report.problems.append(Problem(f"{name!r} is not a London borough", row=row, column=column))
        return None
    if note not in report.left_out:
        report.left_out.append(note)
    return None


def _whole_number(value: str, report: ImportReport, row: int, column: str) -> int | None:
    if value.isascii() and value.isdigit():  # the usual cell, plain digits: read without the checks below
        return int(value)
    text = value.strip().replace(",", "")
    if not re.fullmatch(r"-?\d+", text):
        shown = repr(value) if value.strip() else "an empty cell"
        report.problems.append(Problem(f"{shown} is not a whole number", row=row, column=column))
        return None
    number = int(text)
    if number < 0:
        report.problems.append(Problem(f"{number} is negative", row=row, column=column))
        return None
    return number


def _check_mps(
    header: list[str], rows: list[tuple[int, list[str]]], boroughs: dict[str, LocalAuthority], report: ImportReport
) -> dict[Any, int]:
    report.layout = "MPS wide (one column a month)"
    months: list[int] = []
    for position, column in enumerate(header[3:], start=4):
        match = MONTH_COLUMN.match(column)
        if not match or not 1 <= int(match["month"]) <= 12:
            report.problems.append(
                Problem(f"{column!r} is not a month in the form YYYYMM", row=1, column=str(position))
            )
            continue
        month = int(column)
        if month in months:
            report.problems.append(Problem(f"The month {column} is repeated", row=1, column=column))
        months.append(month)
    if not months:
        report.problems.append(Problem("There are no month columns", row=1))
        return {}
    expected = _month_range(min(months), max(months))
    for missing in sorted(set(expected) - set(months)):
        report.problems.append(Problem(f"The month {missing} is missing", row=1))
    report.first_month, report.last_month = min(months), max(months)
    counts: dict = defaultdict(int)
    seen: dict[tuple[str, str, str], int] = {}
    month_columns = header[3:]
    # Each column's month, or None for one that is not a month (already reported above), worked out once.
    column_months = [int(column) if MONTH_COLUMN.match(column) else None for column in month_columns]
    for number, line in rows:
        if len(line) != len(header):
            report.problems.append(Problem(f"The row has {len(line)} cells, the header {len(header)}", row=number))
            continue
        major, minor, name = (cell.strip() for cell in line[:3])
        key = (major.upper(), minor.upper(), name.casefold())
        if key in seen:
            report.problems.append(
                Problem(f"Duplicate row: {major} / {minor} / {name} is also on row {seen[key]}", row=number)
            )
            continue
        seen[key] = number
        if not major:
            report.problems.append(Problem("The major category is empty", row=number, column="MajorText"))
        local_authority = _borough(name, boroughs, report, number, "BoroughName")
        la_id: int | None = local_authority.id if local_authority is not None else None
        category = major.upper()
        for column, in_month, cell in zip(month_columns, column_months, line[3:], strict=True):
            count = _whole_number(cell, report, number, column)
            if la_id is not None and count is not None and in_month is not None:
                counts[(la_id, category, in_month, in_month)] += count
    report.boroughs = len({key[0] for key in counts})
    return dict(counts)


def _check_tidy(
    header: list[str], rows: list[tuple[int, list[str]]], boroughs: dict[str, LocalAuthority], report: ImportReport
) -> dict[Any, int]:
    report.layout = "tidy (borough, year, category, count)"
    index = {name: header.index(name) for name in TIDY_COLUMNS}
    counts: dict = {}
    seen: dict[tuple[str, str, str], int] = {}
    years = []
    for number, line in rows:
        if len(line) != len(header):
            report.problems.append(Problem(f"The row has {len(line)} cells, the header {len(header)}", row=number))
            continue
        name, code, year_text, category, count_text = (line[index[column]].strip() for column in TIDY_COLUMNS)
        key = (name.casefold(), year_text, category.upper())
        if key in seen:
            report.problems.append(
                Problem(f"Duplicate row: {name} / {year_text} / {category} is also on row {seen[key]}", row=number)
            )
            continue
        seen[key] = number
        local_authority = _borough(name, boroughs, report, number, "borough")
        if local_authority is not None and code and code.upper() != local_authority.gss_code:
            report.problems.append(
                Problem(f"{code!r} is not the GSS code of {local_authority.name}", row=number, column="gss_code")
            )
        if not re.fullmatch(r"\d{4}", year_text):
            report.problems.append(Problem(f"{year_text!r} is not a year", row=number, column="year"))
            continue
        if not category:
            report.problems.append(Problem("The category is empty", row=number, column="category"))
        count = _whole_number(count_text, report, number, "count")
        year = int(year_text)
        years.append(year)
        if local_authority is not None and count is not None:
            counts[(local_authority.id, category.upper(), year * 100 + 1, year * 100 + 12)] = count
    if years:
        for missing in sorted(set(range(min(years), max(years) + 1)) - set(years)):
            report.problems.append(Problem(f"The year {missing} is missing"))
        report.first_month, report.last_month = min(years) * 100 + 1, max(years) * 100 + 12
    report.boroughs = len({key[0] for key in counts})
    return counts


def _check_borough_figures(
    content: bytes,
    report: ImportReport,
    code_columns: Sequence[str],
    measures: Mapping[str, Sequence[str]],
    whole_numbers: bool = False,
) -> dict[tuple[int, str], Decimal]:
    header, rows = _read_csv(content, report)
    if header is None:
        return {}
    code_column = next((column for column in code_columns if column in header), None)
    found = {measure: next((c for c in columns if c in header), None) for measure, columns in measures.items()}
    chosen = {measure: column for measure, column in found.items() if column is not None}
    if code_column is None or len(chosen) < len(found):
        wanted = [code_columns[0]] + [columns[0] for measure, columns in measures.items() if found[measure] is None]
        report.problems.append(Problem(f"The file needs the columns {', '.join(wanted)}", row=1))
        return {}
    by_code = {la.gss_code: la for la in db.session.scalars(sa.select(LocalAuthority))}
    figures: dict[tuple[int, str], Decimal] = {}
    seen: dict[str, int] = {}
    for number, line in rows:
        if len(line) != len(header):
            report.problems.append(Problem(f"The row has {len(line)} cells, the header {len(header)}", row=number))
            continue
        code = line[header.index(code_column)].strip().upper()
        if code in seen:
            report.problems.append(Problem(f"Duplicate row: {code} is also on row {seen[code]}", row=number))
            continue
        seen[code] = number
        local_authority = by_code.get(code)
        if local_authority is None and AREA_TOTAL_CODE.match(code):
            report.left_out.append(f"{code} ({line[0].strip()}): not a borough (a region or country total)")
            continue
        if local_authority is None:
            report.problems.append(
                Problem(f"{code!r} is not a London borough's GSS code", row=number, column=code_column)
            )
            continue
        if not local_authority.in_lcpf:
            note = (
                f"{local_authority.name}: not one of the 32 LCPF boroughs (policed by {local_authority.police_force})"
            )
            report.left_out.append(note)
            continue
        for measure, column in chosen.items():
            cell = line[header.index(column)]
            value: Decimal | None
            if whole_numbers:
                whole = _whole_number(cell, report, number, column)
                value = None if whole is None else Decimal(whole)
            else:
                value = _decimal(cell, report, number, column)
            if value is not None:
                figures[(local_authority.id, measure)] = value
    funded = {la.id: la for la in by_code.values() if la.in_lcpf}
    for la_id in sorted(set(funded) - {key[0] for key in figures}):
        if funded[la_id].gss_code not in seen:
            report.problems.append(Problem(f"There is no row for {funded[la_id].name} ({funded[la_id].gss_code})"))
    report.boroughs = len({key[0] for key in figures})
    return figures


def _decimal(value: str, report: ImportReport, row: int, column: str) -> Decimal | None:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        report.problems.append(Problem(f"{value!r} is not a number", row=row, column=column))
        return None
    if not number.is_finite() or number < 0:
        report.problems.append(Problem(f"{value!r} is not a number of zero or more", row=row, column=column))
        return None
    return number


def _save_figures(report: ImportReport, figures: dict, imported_by: User | None) -> ImportReport:
    _refuse_if_any(report)
    record = _record(report, imported_by)
    db.session.execute(
        sa.insert(LcpfBoroughFigure),
        [
            {"import_id": record.id, "local_authority_id": la_id, "measure": measure, "value": value}
            for (la_id, measure), value in sorted(figures.items())
        ],
    )
    db.session.commit()
    return report


def _refuse_if_any(report: ImportReport) -> None:
    if report.problems:
        db.session.rollback()
        raise ImportRefused(report)


def _record(report: ImportReport, imported_by: User | None) -> LcpfImport:
    record = LcpfImport(
        kind=report.kind,
        source_filename=report.source_filename[:255],
        layout=report.layout,
        first_month=report.first_month,
        last_month=report.last_month,
        rows_read=report.rows_read,
        left_out=report.left_out,
        imported_by_id=imported_by.id if imported_by else None,
    )
    db.session.add(record)
    db.session.flush()
    report.import_id = record.id
    return record


def _month_range(first: int, last: int) -> list[int]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = month + 1 if month % 100 < 12 else (month // 100 + 1) * 100 + 1
    return months
