"""The dashboards' performance charts over time, from the performance records counted in SQL by
:attr:`portal.dashboards.data.Dashboard.ratings`: (period end, financial year, rating, records, on time, …)."""

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from portal.dashboards.charts import Chart, Column, Kind
from portal.models import Rag
from portal.periods import financial_year_label, financial_year_start

TENTH = Decimal("0.1")


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(TENTH, rounding=ROUND_HALF_UP)


def quarter_of(day: date) -> tuple[int, int]:
    """The financial year and quarter (1 = April to June) a day falls in."""
    return financial_year_start(day), (day.month - 4) % 12 // 3 + 1


def rag_trend(ratings: list[tuple[Any, ...]]) -> Chart:
    counts: dict[tuple[int, int], dict[Rag, int]] = defaultdict(lambda: {Rag.RED: 0, Rag.AMBER: 0, Rag.GREEN: 0})
    for period_end, _year, overall, count, *_ in ratings:
        counts[quarter_of(period_end)][overall] += count
    rows = [
        (f"Q{quarter} {financial_year_label(year)}", c[Rag.RED], c[Rag.AMBER], c[Rag.GREEN], sum(c.values()))
        for (year, quarter), c in sorted(counts.items())
    ]
    return Chart(
        "rag-trend",
        "Performance ratings over time",
        "How many accepted returns were rated red, amber and green, by the quarter in which their period ended.",
        (
            Column("Period ending in"),
            Column("Red", Kind.COUNT),
            Column("Amber", Kind.COUNT),
            Column("Green", Kind.COUNT),
            Column("Returns rated", Kind.COUNT),
        ),
        rows,
        bar_columns=(1, 2, 3),
        bar_classes=("portal-bar--red", "portal-bar--amber", "portal-bar--green"),
    )


def returns_on_time(ratings: list[tuple[Any, ...]]) -> Chart:
    by_year: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for _period_end, year, _overall, count, on_time, *_ in ratings:
        by_year[year][0] += count
        by_year[year][1] += on_time
    rows = [
        (financial_year_label(year), total, on_time, percent(on_time, total))
        for year, (total, on_time) in by_year.items()
    ]
    rows.sort(key=lambda row: row[0])
    return Chart(
        "returns-on-time",
        "Returns on time",
        "Accepted returns first submitted on or before their due date, by financial year.",
        (
            Column("Financial year"),
            Column("Returns accepted", Kind.COUNT),
            Column("Submitted on time", Kind.COUNT),
            Column("On time", Kind.PERCENT),
        ),
        rows,
        bar_columns=(3,),
    )
