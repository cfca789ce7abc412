"""The evaluation rule for long awards, as SQL conditions shared by the officers' home, their list and the committee
report, so each counts exactly what the others show.

An approved award of three years or more (its end date at least three years after its start, less a day: 1 April
2025 to 31 March 2028 is three years) must have an interim and a final evaluation planned. One that lacks either
is *missing* an evaluation. A planned evaluation whose date has passed without it being done is *overdue*.
"""

import calendar
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement

from portal.models import Award, AwardStatus, Evaluation, EvaluationKind, EvaluationStatus

LONG_AWARD_YEARS = 3
REQUIRED_KINDS = (EvaluationKind.INTERIM, EvaluationKind.FINAL)


class _YearsAfterLessADay(ColumnElement):
    """``start`` plus ``years`` years, less one day, as a date, on SQLite and on PostgreSQL."""

    inherit_cache = True
    type = sa.Date()

    def __init__(self, start: sa.ColumnElement[date], years: int) -> None:
        self.start = start
        self.years = years


@compiles(_YearsAfterLessADay, "sqlite")
def _sqlite(element: _YearsAfterLessADay, compiler: SQLCompiler, **kw: Any) -> str:
    start, years = compiler.process(element.start, **kw), int(element.years)
    if years % 4 == 0:
        return f"date({start}, '+{years} years', '-1 day')"
    # SQLite takes 29 February to 1 March of a year without one; PostgreSQL and Python take it to 28 February.
    return (
        f"CASE WHEN strftime('%m-%d', {start}) = '02-29' THEN date({start}, '-1 day', '+{years} years', '-1 day') "
        f"ELSE date({start}, '+{years} years', '-1 day') END"
    )


@compiles(_YearsAfterLessADay)
def _postgresql(element: _YearsAfterLessADay, compiler: SQLCompiler, **kw: Any) -> str:
    start, years = compiler.process(element.start, **kw), int(element.years)
    return f"CAST(({start} + interval '{years} years' - interval '1 day') AS DATE)"


def years_after_less_a_day(start: date, years: int) -> date:
    """``start`` plus ``years`` years, less a day; 29 February goes to 28 February in a year without one."""
    year = start.year + years
    return date(year, start.month, min(start.day, calendar.monthrange(year, start.month)[1])) - timedelta(days=1)


class Runs(Protocol):
    """What the rule needs of an award: the dates it runs between (an award, or its facts read as columns)."""

    @property
    def start_date(self) -> date: ...

    @property
    def end_date(self) -> date: ...


def is_long(award: Runs) -> bool:
    return award.end_date >= years_after_less_a_day(award.start_date, LONG_AWARD_YEARS)


def long_award() -> sa.ColumnElement[bool]:
    """The SQL condition matching :func:`is_long` for an approved award."""
    return sa.and_(
        Award.status == AwardStatus.APPROVED,
        Award.end_date >= _YearsAfterLessADay(Award.start_date.expression, LONG_AWARD_YEARS),
    )


def has_evaluation(kind: EvaluationKind) -> sa.ColumnElement[bool]:
    return sa.exists().where(Evaluation.award_id == Award.id, Evaluation.kind == kind)


def missing_evaluation() -> sa.ColumnElement[bool]:
    """The SQL condition for an award that the rule says needs an interim or final evaluation it does not have."""
    return sa.and_(long_award(), sa.or_(*(~has_evaluation(kind) for kind in REQUIRED_KINDS)))


def overdue(today: date) -> sa.ColumnElement[bool]:
    """The SQL condition for a planned evaluation whose planned date has passed."""
    return sa.and_(Evaluation.status == EvaluationStatus.PLANNED, Evaluation.planned_on < today)


def missing_kinds(award: Award, evaluations: Iterable[Evaluation]) -> list[EvaluationKind]:
    """Which of the required kinds ``award`` lacks, given its evaluations (none, if the rule does not apply)."""
    if award.status is not AwardStatus.APPROVED or not is_long(award):
        return []
    have = {evaluation.kind for evaluation in evaluations}
    return [kind for kind in REQUIRED_KINDS if kind not in have]
