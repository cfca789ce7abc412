"""The committee report as an XLSX workbook: a summary sheet and one row per service."""

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

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
    workbook = Workbook()
    _summary(workbook.active, report)
    _services(workbook.create_sheet("Services"), report)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _summary(sheet, report: CommitteeReport) -> None:
    sheet.title = "Summary"
    sheet["A1"] = "Committee report: every funded service"
    sheet["A1"].font = Font(bold=True, size=14)
    rows = [
        ("Period", report.period.label),
        ("Generated", format_datetime(report.generated_at)),
        ("Services", len(report.services)),
        ("Total funding of these services", pounds(report.total_pence)),
    ]
    for offset, (label, value) in enumerate(rows, start=3):
        sheet.cell(offset, 1, label).font = BOLD
        cell = sheet.cell(offset, 2, value)
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
        sheet.cell(row, 1, fund)
        sheet.cell(row, 2, count)
        sheet.cell(row, 3, pounds(amount)).number_format = MONEY
    row += 2
    sheet.cell(row, 1, "Ratings are red, amber or green by the published rules, from accepted returns only.")
    sheet.cell(row + 1, 1, "Amounts are each service's total award over its whole duration.")
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 18


def _services(sheet, report: CommitteeReport) -> None:
    columns = list(SERVICE_COLUMNS)
    for n in range(1, report.most_measures + 1):
        columns += [(heading.format(n=n), width, fmt) for heading, width, fmt in MEASURE_COLUMNS]
    for index, (heading, width, _) in enumerate(columns, start=1):
        cell = sheet.cell(1, index, heading)
        cell.font = BOLD
        cell.alignment = WRAP
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row_number, service in enumerate(report.services, start=2):
        values = [
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
        ]
        for measure in service.measures:
            values += [measure.name, measure.target_text, measure.latest_actual]
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row_number, index, value)
            cell.alignment = WRAP
            number_format = columns[index - 1][2]
            if number_format:
                cell.number_format = number_format
    sheet.freeze_panes = "D2"
    if report.services:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(report.services) + 1}"
