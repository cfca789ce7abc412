"""Evaluations in the committee report: for every published award of three years or more running in the period,
where its interim and final evaluations stand at the period's end, so that a missing or overdue one shows.

The report is public once published, so only the kind, status and dates of an evaluation are given here: never
who is doing it, its question or findings until it is published (and then the public library has them).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from openpyxl.styles import Font

from portal.directory.published import AwardFacts, award_facts
from portal.evaluations import rules
from portal.exports import write_cell
from portal.extensions import db
from portal.models import Award, Evaluation, EvaluationKind, EvaluationStatus
from portal.template_helpers import format_date

HEADINGS = ("Reference", "Provider", "Service", "Fund", "Runs", "Interim evaluation", "Final evaluation")


@dataclass(frozen=True)
class EvaluationLine:
    reference: str
    provider: str
    title: str
    fund: str
    start: date
    end: date
    interim: str
    final: str
    missing: bool
    overdue: bool

    @property
    def needs_attention(self) -> bool:
        return self.missing or self.overdue


def standing(evaluations: list[Evaluation], on: date) -> tuple[str, bool, bool]:
    """How the service's evaluations of one kind stand on ``on``: text, and whether missing or overdue then."""
    if not evaluations:
        return "Missing: none planned", True, False
    # The one furthest along counts: published, then done, then the one planned soonest.
    best = sorted(evaluations, key=lambda e: (-_progress(e, on), e.planned_on))[0]
    if best.is_published and best.published_at is not None and best.published_at.date() <= on:
        return f"Published (done {format_date(best.done_on)})", False, False
    if best.done_on is not None and best.done_on <= on:
        return f"Done {format_date(best.done_on)}", False, False
    if best.planned_on < on:
        return f"Overdue: planned for {format_date(best.planned_on)}", False, True
    return f"Planned for {format_date(best.planned_on)}", False, False


def _progress(evaluation: Evaluation, on: date) -> int:
    published = evaluation.published_at
    if evaluation.status is EvaluationStatus.PUBLISHED and published is not None and published.date() <= on:
        return 2
    return 1 if evaluation.done_on is not None and evaluation.done_on <= on else 0


def gather_evaluations(awards: Sequence[AwardFacts], period_end: date) -> tuple[EvaluationLine, ...]:
    """A line for each of ``awards`` (published, running in the period) that the rule covers."""
    long_awards = [award for award in awards if rules.is_long(award)]
    ids = [award.id for award in long_awards]
    found: dict[tuple[int, EvaluationKind], list[Evaluation]] = {}
    if ids:
        for evaluation in db.session.scalars(
            sa.select(Evaluation).where(Evaluation.award_id.in_(ids), Evaluation.kind.in_(rules.REQUIRED_KINDS))
        ):
            if evaluation.award_id is not None:
                found.setdefault((evaluation.award_id, evaluation.kind), []).append(evaluation)
    lines: list[EvaluationLine] = []
    for award in long_awards:
        interim = standing(found.get((award.id, EvaluationKind.INTERIM), []), period_end)
        final = standing(found.get((award.id, EvaluationKind.FINAL), []), period_end)
        lines.append(
            EvaluationLine(
                reference=award.reference,
                provider=award.provider,
                title=award.title,
                fund=award.fund,
                start=award.start_date,
                end=award.end_date,
                interim=interim[0],
                final=final[0],
                missing=interim[1] or final[1],
                overdue=interim[2] or final[2],
            )
        )
    lines.sort(key=lambda line: (not line.needs_attention, line.fund, line.provider, line.title))
    return tuple(lines)


def summary_text(lines: Sequence[EvaluationLine]) -> str:
    missing = sum(1 for line in lines if line.missing)
    overdue = sum(1 for line in lines if line.overdue)
    return (
        f"{len(lines)} services of {rules.LONG_AWARD_YEARS} years or more must have an interim and a final "
        f"evaluation: {missing} missing one and {overdue} with one overdue at the period's end."
    )


def write_sheet(sheet: Any, lines: Sequence[EvaluationLine]) -> None:
    """The workbook's 'Evaluations' sheet: one row per service the rule covers."""
    widths = (16, 32, 40, 24, 26, 34, 34)
    sheet.freeze_panes = "D2"  # before any row: the sheet may be written a row at a time
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[chr(64 + column)].width = width
    for column, heading in enumerate(HEADINGS, start=1):
        write_cell(sheet, 1, column, heading).font = Font(bold=True)
    for row, line in enumerate(lines, start=2):
        values = (
            line.reference,
            line.provider,
            line.title,
            line.fund,
            f"{format_date(line.start)} to {format_date(line.end)}",
            line.interim,
            line.final,
        )
        for column, value in enumerate(values, start=1):
            write_cell(sheet, row, column, value)
    if not lines:
        write_cell(sheet, 2, 1, f"No service of {rules.LONG_AWARD_YEARS} years or more was running in this period.")
    else:
        write_cell(sheet, len(lines) + 3, 1, summary_text(lines))


def lines_for_period(start: date, end: date) -> tuple[EvaluationLine, ...]:
    """The lines for the published awards running at any time from ``start`` to ``end``, as the report has them."""
    return gather_evaluations(award_facts(Award.start_date <= end, Award.end_date >= start), end)
