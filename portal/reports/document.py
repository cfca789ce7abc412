"""The committee report as a PDF: an A4 landscape table of every service, after a title page."""

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from portal.reports.content import CommitteeReport, ServiceRow
from portal.template_helpers import format_date, format_datetime, format_pence

STYLES = getSampleStyleSheet()
CELL = ParagraphStyle("cell", parent=STYLES["BodyText"], fontSize=7.5, leading=9)
HEAD = ParagraphStyle("head", parent=CELL, fontName="Helvetica-Bold")
TITLE = ParagraphStyle("title", parent=STYLES["Title"], fontSize=26, leading=32, alignment=0)
# Column widths in millimetres across the 277 mm of a landscape A4 page less its margins.
WIDTHS = (34, 46, 28, 30, 22, 30, 60, 17, 17)
HEADINGS = (
    "Provider",
    "Service",
    "Fund",
    "Boroughs",
    "Amount",
    "Dates",
    "Measures: target, latest actual",
    "Rating",
    "Trend",
)
RATING_COLOURS = {
    "red": colors.HexColor("#f4cdc6"),
    "amber": colors.HexColor("#fcd6c3"),
    "green": colors.HexColor("#cce2d8"),
}


def _p(text: str, style=CELL) -> Paragraph:
    return Paragraph(escape(text), style)


def build_pdf(report: CommitteeReport) -> bytes:
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
        title=f"Committee report: {report.period.label}",
        author="Mayor's Office for Policing and Crime",
    )
    story = _title_page(report)
    story.append(PageBreak())
    story.append(_services_table(report))
    document.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return out.getvalue()


def _title_page(report: CommitteeReport) -> list:
    story = [
        Spacer(1, 30 * mm),
        _p("Every funded service: measures, ratings, funding and duration", TITLE),
        Spacer(1, 6 * mm),
        _p(f"Report to the Police and Crime Committee for {report.period.label}", STYLES["Heading2"]),
        _p(f"Generated {format_datetime(report.generated_at)}", STYLES["BodyText"]),
        Spacer(1, 8 * mm),
        _p(
            f"{len(report.services)} services, with total funding of {format_pence(report.total_pence)} over their "
            "whole duration.",
            STYLES["BodyText"],
        ),
    ]
    counts = ", ".join(f"{label}: {count}" for label, count in report.rating_counts())
    story.append(_p(f"Latest ratings: {counts}.", STYLES["BodyText"]))
    story.append(
        _p(
            "Ratings are red, amber or green by the published rules, from returns an officer has accepted, up to "
            "the end of the period. Every rating is written as a word as well as shown in colour.",
            STYLES["BodyText"],
        )
    )
    return story


def _row(service: ServiceRow) -> list:
    measures = "<br/>".join(
        f"<b>{escape(m.name)}</b>: {escape(m.target_text)}; {escape(m.actual_text)}" for m in service.measures
    )
    rating = service.rating_text + (f" ({service.rating_period})" if service.rating_period else "")
    return [
        _p(service.provider),
        _p(f"{service.title} ({service.reference})"),
        _p(service.fund),
        _p(service.boroughs),
        _p(format_pence(service.amount_pence)),
        _p(f"{format_date(service.start)} to {format_date(service.end)} ({service.months} months)"),
        Paragraph(measures or "No measures set", CELL),
        _p(rating),
        _p(service.trend),
    ]


def _services_table(report: CommitteeReport):
    if not report.services:
        return _p("No funded services were running in this period.", STYLES["BodyText"])
    data = [[_p(heading, HEAD) for heading in HEADINGS]] + [_row(service) for service in report.services]
    table = Table(data, colWidths=[w * mm for w in WIDTHS], repeatRows=1)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b1b4b6")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for index, service in enumerate(report.services, start=1):
        if service.rating is not None:
            style.append(("BACKGROUND", (7, index), (7, index), RATING_COLOURS[service.rating.value]))
    table.setStyle(TableStyle(style))
    return table


def _footer(canvas, document) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 8)
    canvas.drawString(10 * mm, 7 * mm, "Committee report: every funded service")
    canvas.drawRightString(landscape(A4)[0] - 10 * mm, 7 * mm, f"Page {document.page}")
    canvas.restoreState()
