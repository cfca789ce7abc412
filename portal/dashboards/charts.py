"""A chart is a table of figures with a bar for each row: the page draws the bars, shows the table and offers
the same rows as CSV, so the three can never disagree.

Values stay exact until they are shown: money in integer pence, ratios and money per person in ``Decimal``.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from typing import Any

from portal import exports
from portal.money import pounds_figure
from portal.template_helpers import format_pence


class Kind:
    """How a column's values are shown on the page and written to CSV."""

    TEXT = "text"
    PENCE = "pence"  # integer pence: "£1,234" on the page, "1234.00" in CSV
    POUNDS = "pounds"  # Decimal pounds, already rounded to pence: "£12.34" / "12.34"
    COUNT = "count"  # whole number
    PERCENT = "percent"  # Decimal percent: "87.5%" / "87.5"
    RATIO = "ratio"  # Decimal: "1.25 times" / "1.25"
    DAYS = "days"  # working days, whole or Decimal: "6.5 working days" / "6.5"


@dataclass(frozen=True)
class Column:
    heading: str
    kind: str = Kind.TEXT

    @property
    def numeric(self) -> bool:
        return self.kind != Kind.TEXT


@dataclass(frozen=True)
class Segment:
    """One coloured part of a bar. ``css`` names a class in portal.css: colour always repeats a word."""

    value: int | Decimal
    css: str = "portal-bar--blue"
    x: float = 0.0
    width: float = 0.0


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the figure written beside the bar
    segments: tuple[Segment, ...]


@dataclass
class Chart:
    name: str  # the CSV's address: /dashboards/<name>.csv
    title: str
    description: str  # what the figures are, in plain words
    columns: Sequence[Column]
    rows: list[tuple]
    # Which column's values the bars show (stacked when several), and each one's class.
    bar_columns: Sequence[int] = (1,)
    bar_classes: Sequence[str] = ("portal-bar--blue",)
    # A class for each row's bar instead, where the rows are categories with colours of their own (ratings).
    row_classes: Sequence[str] | None = None
    empty_message: str = "There is nothing to show for these filters yet."
    # At most this many rows on the page (the CSV always has every row): a chart of every service would be
    # thousands of bars, which no one can read and every browser would struggle with.
    page_limit: int | None = None
    # Rows in the table and CSV but drawn without a bar, so that one very large row (all of London, say) does not
    # shrink every other bar to nothing.
    not_drawn: Sequence[str] = ()
    # Set on a chart cut down to the page's rows (:meth:`for_page`): how many rows the whole chart has, and the
    # largest bar among them, which the page's bars are scaled to.
    rows_in_full: int | None = None
    largest_in_full: int | Decimal | None = None

    def as_data(self) -> dict[str, Any]:
        """The chart as plain data for JSON (:meth:`from_data` reads it back): Decimals and dates are tagged, so
        they come back as they went, exact."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_data(cls, found: dict[str, Any]) -> "Chart":
        made = {name: _typed(value) for name, value in found.items()}
        made["columns"] = tuple(Column(*column) for column in made["columns"])
        made["rows"] = list(made["rows"])
        return cls(**made)

    @property
    def page_rows(self) -> list[tuple]:
        return self.rows[: self.page_limit] if self.page_limit else self.rows

    @property
    def row_count(self) -> int:
        return len(self.rows) if self.rows_in_full is None else self.rows_in_full

    @property
    def shortened(self) -> bool:
        return len(self.page_rows) < self.row_count

    @property
    def complete(self) -> bool:
        """Whether every row is here, as the CSV needs, rather than only the page's."""
        return len(self.rows) == self.row_count

    def for_page(self) -> "Chart":
        """The chart with only the rows the page shows, to keep in the cache: a chart of every service has
        thousands of rows that only its CSV uses."""
        if not self.complete or not self.shortened:
            return self  # already cut down, or nothing to cut
        return replace(self, rows=self.page_rows, rows_in_full=len(self.rows), largest_in_full=self._largest())

    def _largest(self) -> int | Decimal:
        if self.largest_in_full is not None:
            return self.largest_in_full
        totals = [sum((row[i] or 0) for i in self.bar_columns) for row in self.rows if row[0] not in self.not_drawn]
        return max(totals, default=0)

    @property
    def bars(self) -> list[Bar]:
        """The bars for the rows shown on the page, scaled to the largest of all the rows that are drawn."""
        largest = self._largest()
        bars = []
        for position, row in enumerate(self.page_rows):
            if row[0] in self.not_drawn:
                continue
            segments, x = [], 0.0
            for index, css in zip(self.bar_columns, self.bar_classes, strict=True):
                css = self.row_classes[position] if self.row_classes else css
                value = row[index] or 0
                width = float(value) * 100 / float(largest) if largest else 0.0
                segments.append(Segment(value, css, round(x, 2), round(width, 2)))
                x += width
            bars.append(Bar(str(row[0]), self._bar_text(row), tuple(segments)))
        return bars

    def _bar_text(self, row: tuple) -> str:
        if len(self.bar_columns) == 1:
            return display(row[self.bar_columns[0]], self.columns[self.bar_columns[0]].kind)
        return ", ".join(f"{self.columns[i].heading} {display(row[i], self.columns[i].kind)}" for i in self.bar_columns)

    def table_rows(self) -> list[list[dict]]:
        """The rows shown on the page, for the GOV.UK table macro: numbers right-aligned."""
        return [
            [
                {"text": display(value, column.kind), **({"format": "numeric"} if column.numeric else {})}
                for value, column in zip(row, self.columns, strict=True)
            ]
            for row in self.page_rows
        ]

    def table_cells(self) -> list[list[tuple[str, bool]]]:
        """The rows shown on the page as (text, numeric) for each cell, for the page's own table markup."""
        kinds = [(column.kind, column.numeric) for column in self.columns]
        return [
            [(display(value, kind), numeric) for value, (kind, numeric) in zip(row, kinds, strict=True)]
            for row in self.page_rows
        ]

    def table_head(self) -> list[dict]:
        return [{"text": c.heading, **({"format": "numeric"} if c.numeric else {})} for c in self.columns]

    def csv_text(self) -> str:
        if not self.complete:
            raise ValueError(f"{self.name} holds only the page's rows, not the CSV's")
        return exports.csv_text(
            [csv_heading(c) for c in self.columns],
            (
                [machine(value, column.kind) for value, column in zip(row, self.columns, strict=True)]
                for row in self.rows
            ),
        )


def csv_heading(column: Column) -> str:
    return f"{column.heading} (£)" if column.kind in (Kind.PENCE, Kind.POUNDS) else column.heading


DISPLAY: dict[str, Callable] = {
    Kind.TEXT: str,
    Kind.PENCE: format_pence,
    Kind.POUNDS: lambda v: f"£{v:,.2f}",
    Kind.COUNT: lambda v: f"{v:,}",
    Kind.PERCENT: lambda v: f"{v}%",
    Kind.RATIO: lambda v: f"{v} times",
    Kind.DAYS: lambda v: f"{v} working days",
}


def display(value: Any, kind: str) -> str:
    if value is None:
        return "Not applicable"
    shown: str = DISPLAY[kind](value)
    return shown


def machine(value: Any, kind: str) -> str:
    """The plain value for CSV: no currency signs or thousands separators."""
    if value is None:
        return ""
    if kind == Kind.PENCE:
        return pounds_figure(value)
    if kind in (Kind.POUNDS, Kind.RATIO):
        return f"{value:.2f}"
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, Column):
        return [value.heading, value.kind]
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, str | int):
        return value
    raise TypeError(f"a chart holds a {type(value).__name__}, which its plain form cannot say: {value!r}")


def _typed(value: Any) -> Any:
    """:func:`_plain` read back: every list a tuple, as charts hold them."""
    if isinstance(value, dict):
        return Decimal(value["decimal"]) if "decimal" in value else date.fromisoformat(value["date"])
    if isinstance(value, list):
        return tuple(_typed(item) for item in value)
    return value
