"""The one way the portal writes files that a spreadsheet opens: CSV and XLSX.

Text that a spreadsheet would run as a formula (it begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return) is neutralised with a leading apostrophe in CSV, as OWASP advises, and XLSX cells holding text are
written as text, never as formulas. Numbers, dates and Decimals pass through untouched. Every export goes
through here, so a new one is safe by default; ``tests/integration/test_safe_exports.py`` opens each of them.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Any) -> Any:
    """``value`` as a spreadsheet should show it: text that could start a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(headings: Sequence[str], rows: Iterable[Sequence]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_text(heading) for heading in headings])
    for row in rows:
        writer.writerow([safe_text(cell) for cell in row])
    return out.getvalue()


def csv_dict_text(fieldnames: Sequence[str], rows: Iterable[dict], *, header: bool = True) -> str:
    """The rows as CSV text, after a header line unless ``header`` is False. Each row is written on its own, so the
    text of some rows followed by that of the rest is the text of them all."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fieldnames, lineterminator="\r\n")
    if header:
        writer.writeheader()
    for row in rows:
        writer.writerow({key: safe_text(value) for key, value in row.items()})
    return out.getvalue()


class StreamedSheet:
    """A write-only worksheet (openpyxl's, which keeps nothing once written) that takes ``cell(row, column)`` as an
    ordinary one does, for rows written in order: a workbook of thousands of rows is made in a row's memory.

    Column widths and frozen panes go in before the first row; :meth:`close` writes the last row."""

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self.column_dimensions = sheet.column_dimensions
        self.auto_filter = sheet.auto_filter
        self._row = 0
        self._cells: dict[int, WriteOnlyCell] = {}

    @property
    def freeze_panes(self) -> str | None:
        frozen: str | None = self.sheet.freeze_panes
        return frozen

    @freeze_panes.setter
    def freeze_panes(self, value: str | None) -> None:
        if self._row:
            raise ValueError("panes are frozen before the first row is written")
        self.sheet.freeze_panes = value

    def cell(self, row: int, column: int, value: Any = None) -> WriteOnlyCell:
        if row < self._row:
            raise ValueError(f"row {row} comes after row {self._row}: a streamed sheet is written in order")
        if row > self._row:
            self._flush()
            for _ in range(self._row + 1, row):
                self.sheet.append([])
            self._row = row
        cell = self._cells.get(column)
        if cell is None:
            cell = self._cells[column] = WriteOnlyCell(self.sheet)
        if value is not None:
            cell.value = value
        return cell

    def _flush(self) -> None:
        if self._row:
            self.sheet.append([self._cells.get(column) for column in range(1, max(self._cells, default=0) + 1)])
            self._cells = {}

    def close(self) -> None:
        """Write the last row: call once, after everything else."""
        self._flush()


def write_cell(sheet: Any, row: int, column: int, value: Any) -> Any:
    """Put ``value`` in an XLSX cell; text is stored as text, so ``=...`` is never a formula."""
    cell = sheet.cell(row, column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell
