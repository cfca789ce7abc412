"""The committee report as an XLSX workbook: a summary sheet and one row per service.

Text goes in through :func:`portal.exports.write_cell`, so a provider's or service's name is never a formula.
"""

import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from portal.evaluations import report as evaluation_report
from portal.exports import StreamedSheet, write_cell
from portal.money import pounds
from portal.reports.content import CommitteeReport
from portal.template_helpers import format_datetime

MONEY = '"£"#,##0.00'
DATE = "d mmm yyyy"
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")

# (heading, width in characters, number format)
SERVICE_COLUMNS = (
    ("Reference", 16, None),
    ("Provider", 32, None),
    ("Service", 40, None),
    ("Fund", 24, None),
    ("Boroughs", 30, None),
    ("Service areas", 28, None),
    ("Amount", 16, MONEY),
    ("Start", 13, DATE),
    ("End", 13, DATE),
    ("Duration (months)", 11, "0"),
    ("Latest rating", 12, None),
    ("Rated for", 14, None),
    ("Trend", 14, None),
)
MEASURE_COLUMNS = (("Measure {n}", 30, None), ("Target {n}", 24, None), ("Latest actual {n}", 14, "#,##0"))


def build_xlsx(report: CommitteeReport) -> bytes:
    """The workbook, written a row at a time (openpyxl's write-only mode): its memory does not grow with the
    number of services."""
    workbook = Workbook(write_only=True)
    for title, write in (
        ("Summary", _summary),
        ("Services", _services),
        ("Borough projects", _borough_projects),
        ("Evaluations", lambda sheet, report: evaluation_report.write_sheet(sheet, report.evaluations)),
    ):
        sheet = StreamedSheet(workbook.create_sheet(title))
        write(sheet, report)
        sheet.close()
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _summary(sheet: Any, report: CommitteeReport) -> None:
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 18
    sheet.cell(1, 1, "Committee report: every funded service").font = Font(bold=True, size=14)
    rows = [
        ("Period", report.period.label),
        ("Generated", format_datetime(report.generated_at)),
        ("Services", len(report.services)),
        ("Total funding of these services", pounds(report.total_pence)),
    ]
    for offset, (label, value) in enumerate(rows, start=3):
        sheet.cell(offset, 1, label).font = BOLD
        cell = write_cell(sheet, offset, 2, value)
        if isinstance(value, Decimal):
            cell.number_format = MONEY
    row = len(rows) + 4
    sheet.cell(row, 1, "Latest rating").font = BOLD
    sheet.cell(row, 2, "Services").font = BOLD
    for label, count in report.rating_counts():
        row += 1
        sheet.cell(row, 1, label)
        sheet.cell(row, 2, count)
    row += 2
    for column, heading in enumerate(("Fund", "Services", "Funding"), start=1):
        sheet.cell(row, column, heading).font = BOLD
    for fund, count, amount in report.by_fund():
        row += 1
        write_cell(sheet, row, 1, fund)
        sheet.cell(row, 2, count)
        sheet.cell(row, 3, pounds(amount)).number_format = MONEY
    row += 2
    sheet.cell(row, 1, "Ratings are red, amber or green by the published rules, from accepted returns only.")
    sheet.cell(row + 1, 1, "Amounts are each service's total award over its whole duration.")


def _table(sheet: Any, fixed_columns: Sequence[Any], most_measures: int, rows: Iterable[Any]) -> int:
    """Headings (with a name, target and latest actual for each of up to ``most_measures`` measures), widths and
    number formats, then one row per ``(values, measures)``. Returns the number of rows written."""
    columns = list(fixed_columns)
    for n in range(1, most_measures + 1):
        columns += [(heading.format(n=n), width, fmt) for heading, width, fmt in MEASURE_COLUMNS]
    for index, (_, width, _) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for index, (heading, _, _) in enumerate(columns, start=1):
        cell = write_cell(sheet, 1, index, heading)
        cell.font = BOLD
        cell.alignment = WRAP
    written = 0
    for row_number, (values, measures) in enumerate(rows, start=2):
        values = list(values)
        for measure in measures:
            values += [measure.name, measure.target_text, measure.latest_actual]
        for index, value in enumerate(values, start=1):
            cell = write_cell(sheet, row_number, index, value)
            cell.alignment = WRAP
            number_format = columns[index - 1][2]
            if number_format:
                cell.number_format = number_format
        written += 1
    return written


def _services(sheet: Any, report: CommitteeReport) -> None:
    rows = (
        (
            [
                service.reference,
                service.provider,
                service.title,
                service.fund,
                service.boroughs,
                service.service_areas,
                pounds(service.amount_pence),
                service.start,
                service.end,
                service.months,
                service.rating_text,
                service.rating_period or "",
                service.trend,
            ],
            service.measures,
        )
        for service in report.services
    )
    sheet.freeze_panes = "D2"
    written = _table(sheet, SERVICE_COLUMNS, report.most_measures, rows)
    if written:
        last_column = get_column_letter(len(SERVICE_COLUMNS) + len(MEASURE_COLUMNS) * report.most_measures)
        sheet.auto_filter.ref = f"A1:{last_column}{written + 1}"


BOROUGH_COLUMNS = (
    ("Borough", 18, None),
    ("Council", 32, None),
    ("Plan years", 20, None),
    ("Project", 40, None),
    ("Provider", 32, None),
    ("Service areas", 28, None),
    ("Where", 30, None),
    ("Funding over the plan", 16, MONEY),
    ("Spend reported", 16, MONEY),
    ("Latest rating", 12, None),
    ("Rated for", 14, None),
    ("Trend", 14, None),
)


def _borough_projects(sheet: Any, report: CommitteeReport) -> None:
    """One row per project of each borough's approved LCPF delivery plan running in the period."""
    most = max((len(p.measures) for plan in report.boroughs for p in plan.projects), default=0)
    rows = (
        (
            [
                plan.borough,
                plan.council,
                plan.years,
                project.name,
                project.provider,
                project.service_areas,
                project.where,
                pounds(project.amount_pence),
                pounds(project.spend_pence),
                project.rating_text,
                project.rating_period or "",
                project.trend,
            ],
            project.measures,
        )
        for plan in report.boroughs
        for project in plan.projects
    )
    sheet.freeze_panes = "E2"
    row_number = 1 + _table(sheet, BOROUGH_COLUMNS, most, rows)
    if row_number == 1:
        write_cell(sheet, 2, 1, "No borough had an approved delivery plan running in this period.")
