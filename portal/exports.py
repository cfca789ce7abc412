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


def csv_dict_text(fieldnames: Sequence[str], rows: Iterable[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fieldnames, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: safe_text(value) for key, value in row.items()})
    return out.getvalue()


def write_cell(sheet: Any, row: int, column: int, value: Any) -> Any:
    """Put ``value`` in an XLSX cell; text is stored as text, so ``=...`` is never a formula."""
    cell = sheet.cell(row, column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell
