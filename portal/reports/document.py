"""The committee report as a PDF: an A4 landscape table of every service, after a title page."""

import io
from collections.abc import Callable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, LongTable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from portal.evaluations import report as evaluation_report
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


def _p(text: str, style: Any = CELL) -> Paragraph:
    return Paragraph(escape(text), style)


GRID = [
    ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b1b4b6")),
    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("FONT", (0, 1), (-1, -1), CELL.fontName, CELL.fontSize, CELL.leading),  # the text of :func:`_text` cells
]
PADDING = 12  # a table cell's left and right padding together, in points


def _text(text: str, width_mm: float) -> Any:
    """A plain cell's text wrapped to its column: lines drawn as they are, with no paragraph to parse and lay out
    (most of the PDF's time when every cell was one). A word too long for the column gets a paragraph, which
    breaks it."""
    width = width_mm * mm - PADDING
    lines = simpleSplit(text, CELL.fontName, CELL.fontSize, width)
    if any(stringWidth(line, CELL.fontName, CELL.fontSize) > width for line in lines):
        return _p(text)
    return "\n".join(lines)


class PagedRows(Flowable):
    """A long table laid out a page at a time: a page's rows (and their paragraphs) are made when it is laid out
    and let go once it is drawn, so the memory is a page's worth whatever the number of rows, and each row is made
    once and measured about twice, rather than again at every page break. Every page starts with the headings.

    ``row(index)`` gives the cells of row ``index`` and ``shading(index, table_row)`` its style commands."""

    ROWS_TRIED = 40  # more than a page holds: what is made and not shown is kept for the next page

    def __init__(
        self,
        headings: Callable[[], list[Any]],
        widths: Sequence[float],
        row: Callable[[int], list[Any]],
        shading: Any,
        count: int,
        first: int = 0,
        made: Sequence[Any] = (),
        heights: Sequence[Any] = (),
    ) -> None:
        super().__init__()
        self.headings, self.widths, self.row, self.shading = headings, widths, row, shading
        self.count, self.first, self.made, self.heights = count, first, list(made), list(heights)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return available_width, available_height + 1  # always "too tall": the frame asks for a split

    def split(self, available_width: float, available_height: float) -> list[Any]:
        made = self.made
        following = self.first + len(made)
        made += [self.row(index) for index in range(following, min(self.first + self.ROWS_TRIED, self.count))]
        # Rows measured for an earlier page keep their heights, so that no row is measured twice.
        heights = [None, *self.heights, *[None] * (len(made) - len(self.heights))]
        table = LongTable([self.headings(), *made], colWidths=self.widths, rowHeights=heights, repeatRows=1)
        style = list(GRID)
        for position in range(len(made)):
            style += self.shading(self.first + position, position + 1)
        table.setStyle(TableStyle(style))
        parts = table.split(available_width, available_height)
        measured = list(table._rowHeights[1:])
        if not parts:
            self.made, self.heights = made, measured  # not even one row fits here: tried again on the next page
            return []
        shown = len(parts[0]._cellvalues) - 1  # less the headings
        if self.first + shown >= self.count:
            first_only: list[Any] = parts[:1]
            return first_only
        rest = PagedRows(
            self.headings,
            self.widths,
            self.row,
            self.shading,
            self.count,
            self.first + shown,
            tuple(made[shown:]),
            measured[shown:],
        )
        return [parts[0], rest]

    def draw(self) -> None:  # never drawn itself: always split into tables
        raise AssertionError("PagedRows is always split")


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
    story += _borough_section(report)
    story += _evaluation_section(report)
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
    provider, title, fund, boroughs, amount, dates, _, rating_width, trend = WIDTHS
    return [
        _text(service.provider, provider),
        _text(f"{service.title} ({service.reference})", title),
        _text(service.fund, fund),
        _text(service.boroughs, boroughs),
        _text(format_pence(service.amount_pence), amount),
        _text(f"{format_date(service.start)} to {format_date(service.end)} ({service.months} months)", dates),
        Paragraph(measures or "No measures set", CELL),  # bold names: a paragraph
        _text(rating, rating_width),
        _text(service.trend, trend),
    ]


def _services_table(report: CommitteeReport) -> Any:
    if not report.services:
        return _p("No funded services were running in this period.", STYLES["BodyText"])

    def shading(index: int, table_row: int) -> list:
        rating = report.services[index].rating
        if rating is None:
            return []
        return [("BACKGROUND", (7, table_row), (7, table_row), RATING_COLOURS[rating.value])]

    return PagedRows(
        lambda: [_p(heading, HEAD) for heading in HEADINGS],
        [w * mm for w in WIDTHS],
        lambda index: _row(report.services[index]),
        shading,
        len(report.services),
    )


BOROUGH_WIDTHS = (48, 40, 36, 24, 24, 71, 17, 17)
BOROUGH_HEADINGS = (
    "Project",
    "Provider",
    "Where",
    "Funding (plan)",
    "Spend reported",
    "Measures: target, latest actual",
    "Rating",
    "Trend",
)


def _borough_section(report: CommitteeReport) -> list:
    """Each borough's approved LCPF delivery plan: its projects, funding, reported spend and ratings."""
    story = [PageBreak(), _p("Borough projects funded by the London Crime Prevention Fund", STYLES["Heading1"])]
    if not report.boroughs:
        story.append(_p("No borough had an approved delivery plan running in this period.", STYLES["BodyText"]))
        return story
    story.append(
        _p(
            "Each borough spends its allocation on the projects of its approved delivery plan. Funding is over the "
            "plan's years; spend and ratings come from quarterly returns an officer accepted, up to the period's end.",
            STYLES["BodyText"],
        )
    )
    for plan in report.boroughs:
        counts = ", ".join(f"{label}: {count}" for label, count in plan.rating_counts())
        story += [
            Spacer(1, 4 * mm),
            _p(f"{plan.borough}: {plan.council}, plan for {plan.years}", STYLES["Heading2"]),
            _p(
                f"{len(plan.projects)} projects, {format_pence(plan.planned_pence)} planned, "
                f"{format_pence(plan.spend_pence)} spend reported. Latest ratings: {counts}.",
                STYLES["BodyText"],
            ),
        ]
        data = [[_p(heading, HEAD) for heading in BOROUGH_HEADINGS]]
        style = [
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b1b4b6")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        for index, project in enumerate(plan.projects, start=1):
            measures = "<br/>".join(
                f"<b>{escape(m.name)}</b>: {escape(m.target_text)}; {escape(m.actual_text)}" for m in project.measures
            )
            rating = project.rating_text + (f" ({project.rating_period})" if project.rating_period else "")
            data.append(
                [
                    _p(project.name),
                    _p(project.provider),
                    _p(project.where),
                    _p(format_pence(project.amount_pence)),
                    _p(format_pence(project.spend_pence)),
                    Paragraph(measures or "No measures set", CELL),
                    _p(rating),
                    _p(project.trend),
                ]
            )
            if project.rating is not None:
                style.append(("BACKGROUND", (6, index), (6, index), RATING_COLOURS[project.rating.value]))
        table = LongTable(data, colWidths=[w * mm for w in BOROUGH_WIDTHS], repeatRows=1)
        table.setStyle(TableStyle(style))
        story.append(table)
    return story


EVALUATION_WIDTHS = (26, 40, 56, 36, 40, 39, 40)


def _evaluation_section(report: CommitteeReport) -> list:
    """Every service of three years or more with where its interim and final evaluations stand."""
    story = [PageBreak(), _p("Evaluations of services of three years or more", STYLES["Heading1"])]
    if not report.evaluations:
        story.append(_p("No service of three years or more was running in this period.", STYLES["BodyText"]))
        return story
    story.append(_p(evaluation_report.summary_text(report.evaluations), STYLES["BodyText"]))

    def row(index: int) -> list:
        line = report.evaluations[index]
        texts = (
            line.reference,
            line.provider,
            line.title,
            line.fund,
            f"{format_date(line.start)} to {format_date(line.end)}",
            line.interim,
            line.final,
        )
        return [_text(text, width) for text, width in zip(texts, EVALUATION_WIDTHS, strict=True)]

    def shading(index: int, table_row: int) -> list:
        line = report.evaluations[index]
        return [
            ("BACKGROUND", (column, table_row), (column, table_row), RATING_COLOURS["red"])
            for column, text in ((5, line.interim), (6, line.final))
            if text.startswith(("Missing", "Overdue"))
        ]

    story.append(
        PagedRows(
            lambda: [_p(heading, HEAD) for heading in evaluation_report.HEADINGS],
            [w * mm for w in EVALUATION_WIDTHS],
            row,
            shading,
            len(report.evaluations),
        )
    )
    return story


def _footer(canvas: Any, document: Any) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 8)
    canvas.drawString(10 * mm, 7 * mm, "Committee report: every funded service")
    canvas.drawRightString(landscape(A4)[0] - 10 * mm, 7 * mm, f"Page {document.page}")
    canvas.restoreState()
