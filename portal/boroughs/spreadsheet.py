"""Quarterly returns by spreadsheet: a template pre-filled with the plan's projects and measures for one quarter,
and the upload that reads it back (XLSX, or CSV with the same columns).

One row for each thing a return asks (spend, people helped, each measure, progress, risks, issues, the case study),
so the same columns serve every project and a CSV needs no second sheet. Only the Value column may be changed: the
headings and the other columns are locked, and each value cell carries validation for what it takes.

An upload is checked as a whole and every problem is listed with its sheet, row and column. Nothing is saved unless
everything is right, and then every return in the file is saved in one commit, as drafts: uploading again replaces
a draft, never a submitted return.
"""

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from portal.boroughs import returns as plan_returns
from portal.errors import DomainError
from portal.exports import safe_text
from portal.models import DeliveryPlan, Return, User
from portal.money import parse_pounds, pounds_text
from portal.monitoring.returns import ReturnDetails, save_returns_together

SHEET = "Returns"
HEADINGS = ("Project ref", "Project", "Quarter", "Item ref", "Item", "Target or guidance", "Value")
VALUE_COLUMN = "G"
MAX_BYTES = 2 * 1024 * 1024
MAX_WHOLE_NUMBER = 10**9
# What each item of a return is, in the order the template lists them. Measures come after people helped.
TEXT_ITEMS = (
    ("progress", "Progress", "What the project did this quarter, and what changed for the people it helped", True),
    ("risks", "Risks", "Anything that could stop the project delivering, and what you are doing", False),
    ("issues", "Issues", "Problems the project has had this quarter", False),
    ("case_study", "Case study (optional)", "A story of one person helped; nothing that could identify them", False),
)
PUBLISH_ITEM = ("case_study_may_publish", "May we publish the case study?", "Yes or No")
MAX_TEXT = 5000
PROGRESS_EVERY_ROWS = 250
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int
    column: str
    message: str


class UploadRefused(DomainError):
    """The file was checked and nothing was saved. ``problems`` lists every one found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            f"The file has {len(problems)} {'problem' if len(problems) == 1 else 'problems'}: nothing has been saved"
        )
        self.problems = problems


def _safe(value: object) -> str:
    """A cell's text (empty for nothing), which a spreadsheet shows and never runs as a formula."""
    text: str = safe_text("" if value is None else str(value))
    return text


def quarter_returns(plan: DeliveryPlan, period_start: date) -> list[Return]:
    return [r for r in plan_returns.fetch_plan_returns(plan) if r.period_start == period_start]


def template_rows(plan: DeliveryPlan, period_start: date) -> list[tuple[int, str, str, str, str, str, object]]:
    """The rows of the template for the quarter starting ``period_start``, with what is saved already filled in."""
    rows: list[tuple[int, str, str, str, str, str, object]] = []
    for return_ in quarter_returns(plan, period_start):
        project = return_.borough_project
        base = (project.id, project.name, return_.label)
        rows.append(
            (*base, "spend", "Spend in the quarter (£)", "In pounds, for example 12500", _money(return_.spend_pence))
        )
        rows.append((*base, "people_helped", "People helped in the quarter", "A whole number", return_.people_helped))
        for measure in project.measures:
            rows.append(
                (
                    *base,
                    f"measure:{measure.id}",
                    measure.name,
                    f"Target {measure.target_for(return_.frequency.quarters)} {measure.unit}",
                    return_.actual_for(measure.id),
                )
            )
        for key, label, guidance, _ in TEXT_ITEMS:
            rows.append((*base, key, label, guidance, getattr(return_, key)))
        rows.append((*base, *PUBLISH_ITEM, "Yes" if return_.case_study_may_publish else "No"))
    return rows


def _money(pence: int | None) -> str | None:
    return None if pence is None else pounds_text(pence)


def build_template(plan: DeliveryPlan, period_start: date) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(HEADINGS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    numbers = DataValidation(type="decimal", operator="between", formula1="0", formula2=str(MAX_WHOLE_NUMBER))
    numbers.error, numbers.errorTitle = "Enter a number of 0 or more, without formulas", "Not a number"
    wholes = DataValidation(type="whole", operator="between", formula1="0", formula2=str(MAX_WHOLE_NUMBER))
    wholes.error, wholes.errorTitle = "Enter a whole number of 0 or more", "Not a whole number"
    yes_no = DataValidation(type="list", formula1='"Yes,No"', allow_blank=True)
    text = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(MAX_TEXT))
    for validation in (numbers, wholes, yes_no, text):
        sheet.add_data_validation(validation)
    editable = PatternFill("solid", fgColor="FFF7BF")
    for number, row in enumerate(template_rows(plan, period_start), start=2):
        project_id, project_name, quarter, item_ref, item, guidance, value = row
        sheet.append([project_id, _safe(project_name), quarter, item_ref, _safe(item), _safe(guidance), None])
        cell = sheet[f"{VALUE_COLUMN}{number}"]
        if value is not None:
            cell.value = _safe(value) if isinstance(value, str) else value
            if isinstance(value, str):
                cell.data_type = "s"
        cell.protection = Protection(locked=False)
        cell.fill = editable
        if item_ref == "spend":
            numbers.add(cell)
        elif item_ref == "people_helped" or item_ref.startswith("measure:"):
            wholes.add(cell)
        elif item_ref == PUBLISH_ITEM[0]:
            yes_no.add(cell)
        else:
            text.add(cell)
    for column, width in zip("ABCDEFG", (12, 36, 14, 22, 36, 48, 60), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    sheet.protection.sheet = True
    _explanation(workbook.create_sheet("Explanation"), plan)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _explanation(sheet: Any, plan: DeliveryPlan) -> None:
    lines = [
        ("Quarterly returns for " + _safe(plan.organisation.name),),
        ("Fill in the yellow Value column only. Every other column is locked and is checked when you upload.",),
        ("Upload the file as .xlsx, or save the Returns sheet as CSV with the same columns.",),
        ("Nothing is saved unless the whole file is right; you will see every problem with its row and column.",),
        ("Uploading again replaces your draft returns. Submit each return on screen when you are ready.",),
        (),
        ("Column", "What it is"),
        ("Project ref", "Our number for the project. Do not change it."),
        ("Project", "The project's name, for you to read."),
        ("Quarter", "The quarter the template is for. Every row must be for the same quarter."),
        ("Item ref", "What the row asks for. Do not change it."),
        ("Item", "What the row asks for, in words."),
        ("Target or guidance", "The measure's target for the quarter, or how to answer."),
        ("Value", "Your answer: pounds for spend, whole numbers for people and measures, Yes or No, or text."),
        (),
        ("Required for each project", "Spend, people helped, every measure and progress."),
        ("Formulas", "Are not accepted: type the figure itself."),
    ]
    for line in lines:
        sheet.append(list(line))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 100
    sheet.protection.sheet = True


# Reading an upload ---------------------------------------------------------------------------------------------


@dataclass
class _Cell:
    value: object
    is_formula: bool = False


@dataclass
class _Parsed:
    rows: list[tuple[int, list[_Cell]]] = field(default_factory=list)  # (row number, cells A..G)
    sheet: str = SHEET


def _read(filename: str, data: bytes) -> _Parsed:
    name = (filename or "").lower()
    if not data:
        raise UploadRefused([Problem("", 0, "", "The file is empty")])
    if len(data) > MAX_BYTES:
        raise UploadRefused([Problem("", 0, "", f"The file must be smaller than {MAX_BYTES // (1024 * 1024)} MB")])
    if name.endswith(".xlsx"):
        return _read_xlsx(data)
    if name.endswith(".csv"):
        return _read_csv(data)
    raise UploadRefused([Problem("", 0, "", "The file must be an Excel workbook (.xlsx) or a CSV file (.csv)")])


def _read_xlsx(data: bytes) -> _Parsed:
    """Read the Returns sheet's cells straight from the workbook's XML: many times faster than a full workbook
    load, which matters for a file with every borough's projects in it. A cell with a formula is marked as one."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sheet_path = _sheet_path(archive, SHEET)
            strings = _shared_strings(archive)
            parsed = _Parsed()
            if sheet_path is None:
                raise UploadRefused([Problem("", 0, "", f"The workbook has no sheet called {SHEET}: use the template")])
            with archive.open(sheet_path) as sheet:
                parsed.rows = _sheet_rows(sheet, strings)
            return parsed
    except (zipfile.BadZipFile, KeyError, ParseError, DefusedXmlException):
        raise UploadRefused(
            [Problem("", 0, "", "The file is not an Excel workbook: save it as .xlsx and try again")]
        ) from None


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _sheet_path(archive: zipfile.ZipFile, name: str) -> str | None:
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    relation = next((s.get(f"{_DOC_RELS}id") for s in workbook.iter(f"{_MAIN}sheet") if s.get("name") == name), None)
    if relation is None:
        return None
    for link in ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels")).iter(f"{_RELS}Relationship"):
        if link.get("Id") == relation:
            target = link.get("Target").lstrip("/")
            return target if target.startswith("xl/") else f"xl/{target}"
    return None


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in item.iter(f"{_MAIN}t")) for item in root.iter(f"{_MAIN}si")]


def _column_index(reference: str) -> int:
    """``"G12"`` → 6. Only the first seven columns matter, so one letter is enough; others fall outside."""
    return ord(reference[0].upper()) - 65 if reference[1:2].isdecimal() else len(HEADINGS)


def _sheet_rows(sheet: IO[bytes], strings: list[str]) -> list[tuple[int, list[_Cell]]]:
    rows: list[tuple[int, list[_Cell]]] = []
    cell_tag, value_tag, formula_tag, text_tag = f"{_MAIN}c", f"{_MAIN}v", f"{_MAIN}f", f"{_MAIN}t"
    for element in ElementTree.parse(sheet).getroot().iter(f"{_MAIN}row"):
        cells = [_Cell(None) for _ in HEADINGS]
        for position, cell in enumerate(element.iter(cell_tag)):
            reference = cell.get("r")
            column = _column_index(reference) if reference else position
            if not 0 <= column < len(HEADINGS):
                continue
            kind, value = cell.get("t", "n"), cell.find(value_tag)
            text = value.text if value is not None else None
            if kind == "s" and text is not None:
                text = strings[int(text)]
            elif kind == "inlineStr":
                text = "".join(t.text or "" for t in cell.iter(text_tag))
            elif kind == "n" and text is not None:
                number = float(text)
                text = int(number) if number.is_integer() else number
            cells[column] = _Cell(text, cell.find(formula_tag) is not None)
        rows.append((int(element.get("r", len(rows) + 1)), cells))
    return rows


def _read_csv(data: bytes) -> _Parsed:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadRefused([Problem("", 0, "", "The CSV file must be saved as UTF-8 text")]) from None
    parsed = _Parsed(sheet="CSV")
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [_Cell(value or None, (value or "").startswith("=")) for value in row[: len(HEADINGS)]]
        cells += [_Cell(None)] * (len(HEADINGS) - len(cells))
        parsed.rows.append((number, cells))
    return parsed


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _whole(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value).replace(",", "")
    return int(text) if text.lstrip("-").isdecimal() else None


def check_upload(
    plan: DeliveryPlan, period_start: date, filename: str, data: bytes, on_progress: Progress | None = None
) -> dict[int, ReturnDetails]:
    """Read and check the whole file. Returns what to save for each return (by return id), or raises
    :class:`UploadRefused` with every problem found. ``on_progress(rows checked, rows)`` is told how far it has got
    every few hundred rows."""
    parsed = _read(filename, data)
    sheet = parsed.sheet
    problems: list[Problem] = []
    if not parsed.rows or [_text(c.value) for c in parsed.rows[0][1]] != list(HEADINGS):
        raise UploadRefused(
            [Problem(sheet, 1, "A", "The headings must be exactly those of the template: " + ", ".join(HEADINGS))]
        )
    returns = {r.plan_project_id: r for r in quarter_returns(plan, period_start)}
    label = next(iter(returns.values())).label if returns else ""
    measures = {pid: {m.id: m for m in r.borough_project.measures} for pid, r in returns.items()}
    details: dict[int, ReturnDetails] = {}
    seen: set[tuple[int, str]] = set()
    row_of: dict[tuple[int, str], int] = {}
    # Rows already reported: a missing figure there is not reported a second time.
    reported: set[tuple[object, str]] = set()

    for index, (number, cells) in enumerate(parsed.rows[1:]):
        if on_progress is not None and index % PROGRESS_EVERY_ROWS == 0:
            on_progress(index, len(parsed.rows) - 1)
        if all(_text(c.value) == "" for c in cells):
            continue
        key = (_whole(cells[0].value), _text(cells[3].value))

        def problem(column: str, message: str, row: int = number, key: tuple[int | None, str] = key) -> None:
            problems.append(Problem(sheet, row, column, message))
            reported.add(key)

        for column, cell in zip("ABCDEFG", cells, strict=True):
            if cell.is_formula:
                problem(column, "The cell has a formula: type the figure or text itself")
        if any(c.is_formula for c in cells):
            continue
        project_id = _whole(cells[0].value)
        if project_id is None or project_id not in returns:
            problem("A", f"Unknown project “{_text(cells[0].value)}”: it is not a project of this plan")
            continue
        return_ = returns[project_id]
        if _text(cells[2].value) != label:
            problem("C", f"The quarter must be {label}, the quarter this template is for")
            continue
        if not return_.status.editable:
            problem(
                "A",
                f"The {label} return for {return_.borough_project.name} has been submitted, so it cannot be replaced",
            )
            continue
        item = _text(cells[3].value)
        if (project_id, item) in seen:
            problem("D", f"“{item}” appears twice for {return_.borough_project.name}")
            continue
        seen.add((project_id, item))
        row_of[(project_id, item)] = number
        entry = details.setdefault(project_id, ReturnDetails(version=return_.version))
        value = cells[6].value
        if item == "spend":
            pence = parse_pounds(str(value)) if value is not None and _text(value) else None
            if _text(value) and pence is None:
                problem("G", "Spend must be an amount in pounds, like 12500")
            elif pence is not None and pence < 0:
                problem("G", "Spend cannot be less than £0")
            elif pence is not None and pence > MAX_WHOLE_NUMBER * 100:
                problem("G", "Spend is more than any project could spend in a quarter")
            entry.spend_pence = pence
        elif item == "people_helped" or item.startswith("measure:"):
            measure_id = _whole(item.removeprefix("measure:")) if item.startswith("measure:") else None
            if item.startswith("measure:") and measure_id not in measures[project_id]:
                problem("D", f"“{item}” is not one of {return_.borough_project.name}'s measures")
                continue
            number_value = _whole(value)
            if _text(value) and number_value is None:
                problem("G", "Enter a whole number, like 120")
            elif number_value is not None and number_value < 0:
                problem("G", "The figure cannot be less than 0")
            elif number_value is not None and number_value > MAX_WHOLE_NUMBER:
                problem("G", "The figure is too large to be right")
            if measure_id is None:
                entry.people_helped = number_value
            else:
                entry.actuals[measure_id] = number_value
        elif item in {key for key, *_ in TEXT_ITEMS}:
            text = _text(value)
            if len(text) > MAX_TEXT:
                problem("G", f"Keep the text to {MAX_TEXT} characters or fewer")
            setattr(entry, item, text)
        elif item == PUBLISH_ITEM[0]:
            answer = _text(value).lower()
            if answer not in ("", "yes", "no"):
                problem("G", "Enter Yes or No")
            entry.case_study_may_publish = answer == "yes"
        else:
            problem("D", f"Unknown item “{item}”: use the item refs of the template")

    # What each project in the file must have.
    for project_id, entry in details.items():
        return_ = returns[project_id]
        name = return_.borough_project.name
        rows_of = {item: n for (pid, item), n in row_of.items() if pid == project_id}
        required = [("spend", entry.spend_pence, "spend"), ("people_helped", entry.people_helped, "people helped")]
        required += [(f"measure:{m.id}", entry.actuals.get(m.id), m.name) for m in measures[project_id].values()]
        for item, value, words in required:
            if value is None and (project_id, item) not in reported:
                problems.append(
                    Problem(sheet, rows_of.get(item, 0), "G" if item in rows_of else "D", f"Enter {words} for {name}")
                )
        if not entry.progress.strip() and (project_id, "progress") not in reported:
            problems.append(Problem(sheet, rows_of.get("progress", 0), "G", f"Describe {name}'s progress this quarter"))
        if entry.case_study_may_publish and not entry.case_study.strip():
            problems.append(
                Problem(
                    sheet,
                    rows_of.get("case_study", 0),
                    "G",
                    f"Write {name}'s case study, or answer No to publishing it",
                )
            )
    if not details and not problems:
        problems.append(Problem(sheet, 2, "A", "The file has no returns in it"))
    if problems:
        raise UploadRefused(sorted(problems, key=lambda p: (p.row, p.column)))
    return {returns[project_id].id: entry for project_id, entry in details.items()}


def upload_returns(plan: DeliveryPlan, period_start: date, filename: str, data: bytes, actor: User) -> int:
    """Check the file and save every return in it as a draft, all together. Returns how many were saved."""
    return save_checked(plan, period_start, check_upload(plan, period_start, filename, data), actor)


def save_checked(plan: DeliveryPlan, period_start: date, checked: dict[int, ReturnDetails], actor: User) -> int:
    """Save the returns of a checked file as drafts in one commit, with anything else the session holds."""
    returns = {r.id: r for r in quarter_returns(plan, period_start)}
    save_returns_together(
        [
            (returns[return_id], entry, list(returns[return_id].borough_project.measures))
            for return_id, entry in checked.items()
        ],
        actor,
    )
    return len(checked)
