"""Drafting a formula version from the officers' form, and changing a draft until it is published.

The form is read into :class:`DraftChoices`, which keeps every answer as typed, so a page sent back with mistakes
shows exactly what was entered. Only when every answer reads cleanly are the choices turned into
:class:`formula.Parameters`, whose own ``problems()`` then decide whether the formula can be worked out.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from portal import audit
from portal.errors import DomainError
from portal.extensions import db
from portal.lcpf import formula, versions
from portal.models import LcpfCrimeCount, LcpfVersion, LcpfVersionStatus, User

LARGEST_POT_POUNDS = 10_000_000_000  # £10bn a part a year: far above any LCPF pot, and refused clearly beyond
LONGEST_PERIOD_YEARS = 5
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
POT_PARTS = (("boroughs", "to boroughs"), ("vru", "VRU earmark"), ("co_commissioning", "co-commissioning"))
MONTH = re.compile(r"^(?P<year>[0-9]{4})-?(?P<month>[0-9]{2})$")

# Where each of Parameters.problems() belongs on the form.
PROBLEM_FIELDS = {
    "Give at least one financial year": "first_year",
    "Amounts cannot be negative": "first_year",
    "Weights cannot be negative": "crime_weight",
    "Give at least one indicator a weight above zero": "crime_weight",
    "Crime category weights cannot be negative": "crime_scope",
    "Give at least one crime category a weight above zero": "crime_scope",
    "The crime window must start before it ends": "crime_from",
    "Choose a deprivation measure": "deprivation_measure",
    "The floor cannot be negative": "floor_percent",
    "The cap cannot be below the floor": "cap_percent",
}


class DraftRefused(DomainError):
    """A version that is not a draft cannot be changed."""


def fetch_crime_categories() -> list[str]:
    """Every major crime category in the imported crime files, for the form's list."""
    return list(db.session.scalars(sa.select(LcpfCrimeCount.category).distinct().order_by(LcpfCrimeCount.category)))


def _plain(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return format(value.normalize(), "f")


def _month_text(month: int) -> str:
    return f"{month // 100:04d}-{month % 100:02d}"


@dataclass
class DraftChoices:
    """The draft form as typed."""

    title: str = ""
    first_year: str = ""
    last_year: str = ""
    pots: dict[str, dict[str, str]] = field(default_factory=dict)  # year (as typed) → part → pounds
    crime_weight: str = "50"
    population_weight: str = "25"
    deprivation_weight: str = "25"
    crime_scope: str = "all"  # "all" or "categories"
    category_weights: dict[str, str] = field(default_factory=dict)
    crime_from: str = ""
    crime_to: str = ""
    crime_per_resident: bool = False
    deprivation_measure: str = "imd_average_score"
    deprivation_per_resident: bool = True
    floor_percent: str = ""
    cap_percent: str = ""
    explanation: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    form_errors: list[str] = field(default_factory=list)

    @classmethod
    def from_parameters(cls, title: str, parameters: formula.Parameters, explanation: str = "") -> "DraftChoices":
        chosen = {name: weight for name, weight in parameters.crime_categories if name != formula.ALL_CRIME}
        years = [pot.financial_year for pot in parameters.pots]
        return cls(
            title=title,
            first_year=str(min(years)),
            last_year=str(max(years)),
            pots={
                str(pot.financial_year): {part: str(getattr(pot, part)) for part, _ in POT_PARTS}
                for pot in parameters.pots
            },
            crime_weight=_plain(parameters.crime_weight),
            population_weight=_plain(parameters.population_weight),
            deprivation_weight=_plain(parameters.deprivation_weight),
            crime_scope="categories" if chosen else "all",
            category_weights={name: _plain(weight) for name, weight in chosen.items()},
            crime_from=_month_text(parameters.crime_from_month),
            crime_to=_month_text(parameters.crime_to_month),
            crime_per_resident=parameters.crime_per_resident,
            deprivation_measure=parameters.deprivation_measure,
            deprivation_per_resident=parameters.deprivation_per_resident,
            floor_percent=_plain(parameters.floor_percent),
            cap_percent=_plain(parameters.cap_percent),
            explanation=explanation,
        )

    @classmethod
    def blank(cls, first_year: int) -> "DraftChoices":
        return cls(first_year=str(first_year), last_year=str(first_year + 2))

    @classmethod
    def from_form(cls, form: Mapping[str, str], categories: list[str]) -> "DraftChoices":
        def text(name: str, limit: int = 40) -> str:
            return (form.get(name) or "").strip()[:limit]

        pots: dict[str, dict[str, str]] = {}
        for key in form:
            found = re.fullmatch(r"pot-([0-9]{4})-(boroughs|vru|co_commissioning)", key)
            if found:
                pots.setdefault(found[1], {})[found[2]] = text(key)
        return cls(
            title=text("title", 200),
            first_year=text("first_year"),
            last_year=text("last_year"),
            pots=pots,
            crime_weight=text("crime_weight"),
            population_weight=text("population_weight"),
            deprivation_weight=text("deprivation_weight"),
            crime_scope="categories" if form.get("crime_scope") == "categories" else "all",
            category_weights={name: text(f"category-{name}") for name in categories if text(f"category-{name}")},
            crime_from=text("crime_from"),
            crime_to=text("crime_to"),
            crime_per_resident=form.get("crime_per_resident") == "yes",
            deprivation_measure=text("deprivation_measure", 60),
            deprivation_per_resident=form.get("deprivation_per_resident") == "yes",
            floor_percent=text("floor_percent"),
            cap_percent=text("cap_percent"),
            explanation=(form.get("explanation") or "").strip()[:5000],
        )

    @staticmethod
    def field_id(name: str) -> str:
        """The id of the input for a field name (crime categories have spaces in their names)."""
        return re.sub(r"[^a-z0-9_-]+", "-", name.lower())

    def years(self) -> list[int]:
        """The financial years the pot rows are shown for: the period typed, if it reads as one."""
        first, last = _year(self.first_year), _year(self.last_year)
        if first is None:
            return sorted(int(year) for year in self.pots)[:LONGEST_PERIOD_YEARS]
        last = last if last is not None and first <= last < first + LONGEST_PERIOD_YEARS else first
        return list(range(first, last + 1))

    def pot(self, year: int, part: str) -> str:
        return self.pots.get(str(year), {}).get(part, "")

    def parameters(self) -> formula.Parameters | None:
        """The formula's parameters, or None with ``errors`` (by field) and ``form_errors`` filled in."""
        errors = self.errors
        if not self.title:
            errors["title"] = "Enter a title for the version"
        first, last = _year(self.first_year), _year(self.last_year)
        if first is None:
            errors["first_year"] = f"Enter the first financial year as a year from {EARLIEST_YEAR} to {LATEST_YEAR}"
        if last is None:
            errors["last_year"] = f"Enter the last financial year as a year from {EARLIEST_YEAR} to {LATEST_YEAR}"
        elif first is not None and last < first:
            errors["last_year"] = "The last financial year must be the same as or after the first"
        elif first is not None and last - first >= LONGEST_PERIOD_YEARS:
            errors["last_year"] = f"A version covers at most {LONGEST_PERIOD_YEARS} financial years"
        pots = []
        if first is not None and last is not None and "first_year" not in errors and "last_year" not in errors:
            for year in range(first, last + 1):
                amounts = {}
                for part, label in POT_PARTS:
                    name = f"pot-{year}-{part}"
                    amounts[part] = _pounds(
                        self.pot(year, part), errors, name, f"{year}/{(year + 1) % 100:02d} {label}"
                    )
                pots.append(formula.YearPot(year, **amounts))
        weights = {
            name: _number(getattr(self, name), errors, name, f"the weight for {label}", high=Decimal(1000))
            for name, label in (
                ("crime_weight", "recorded crime"),
                ("population_weight", "residents"),
                ("deprivation_weight", "deprivation"),
            )
        }
        categories: tuple[tuple[str, Decimal], ...] = ((formula.ALL_CRIME, Decimal(1)),)
        if self.crime_scope == "categories":
            chosen = []
            for name, typed in sorted(self.category_weights.items()):
                weight = _number(typed, errors, f"category-{name}", f"the weight for {name.lower()}", Decimal(1000))
                chosen.append((name, weight))
            if not chosen:
                errors["crime_scope"] = "Give a weight to at least one crime category, or choose all recorded crime"
            categories = tuple(chosen)
        crime_from = _month(self.crime_from, errors, "crime_from", "the first month of the crime window")
        crime_to = _month(self.crime_to, errors, "crime_to", "the last month of the crime window")
        if self.deprivation_measure not in formula.DEPRIVATION_MEASURES:
            errors["deprivation_measure"] = "Choose a deprivation measure"
        floor = cap = None
        if self.floor_percent:
            floor = _number(self.floor_percent, errors, "floor_percent", "the floor", Decimal(200))
        if self.cap_percent:
            cap = _number(self.cap_percent, errors, "cap_percent", "the cap", Decimal(1000))
        if errors:
            return None
        parameters = formula.Parameters(
            pots=tuple(pots),
            crime_weight=weights["crime_weight"],
            population_weight=weights["population_weight"],
            deprivation_weight=weights["deprivation_weight"],
            crime_categories=categories,
            crime_per_resident=self.crime_per_resident,
            deprivation_measure=self.deprivation_measure,
            deprivation_per_resident=self.deprivation_per_resident,
            crime_from_month=crime_from,
            crime_to_month=crime_to,
            floor_percent=floor,
            cap_percent=cap,
        )
        for problem in parameters.problems():
            if problem in PROBLEM_FIELDS and PROBLEM_FIELDS[problem] not in errors:
                errors[PROBLEM_FIELDS[problem]] = problem
            elif problem not in PROBLEM_FIELDS:
                self.form_errors.append(problem)
        return None if errors or self.form_errors else parameters


def _year(text: str) -> int | None:
    return int(text) if re.fullmatch(r"[0-9]{4}", text) and EARLIEST_YEAR <= int(text) <= LATEST_YEAR else None


def _pounds(text: str, errors: dict, name: str, label: str) -> int:
    cleaned = re.sub(r"[,\s£]", "", text)
    if not cleaned:
        errors[name] = f"Enter the {label} in pounds, or 0"
    elif not re.fullmatch(r"[0-9]+", cleaned):
        errors[name] = f"The {label} must be a whole number of pounds, like 13000000"
    elif len(cleaned) > 15 or int(cleaned) > LARGEST_POT_POUNDS:
        errors[name] = f"The {label} must be no more than £{LARGEST_POT_POUNDS:,}"
    else:
        return int(cleaned)
    return 0


def _number(text: str, errors: dict, name: str, label: str, high: Decimal) -> Decimal:
    if not text:
        errors[name] = f"Enter {label}"
        return Decimal(0)
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        errors[name] = f"Enter {label} as a number, like 25"
        return Decimal(0)
    if not value.is_finite() or not Decimal(0) <= value <= high:
        errors[name] = f"Enter {label} as a number from 0 to {high}"
        return Decimal(0)
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -6:  # a finite value's exponent is a number
        errors[name] = f"Enter {label} with at most 6 decimal places"
        return Decimal(0)
    return value


def _month(text: str, errors: dict, name: str, label: str) -> int:
    found = MONTH.fullmatch(text)
    if not found or not 1 <= int(found["month"]) <= 12:
        errors[name] = f"Enter {label} as a year and month, like 2023-11"
        return 0
    return int(found["year"]) * 100 + int(found["month"])


def starting_choices(source: LcpfVersion | None, first_year: int) -> DraftChoices:
    """A new draft starts from ``source``'s choices (the published version, or one the officer picked)."""
    if source is None:
        return DraftChoices.blank(first_year)
    parameters = formula.Parameters.from_json(source.parameters)
    return replace(DraftChoices.from_parameters(f"Copy of {source.title}", parameters), explanation="")


def create(choices: DraftChoices, parameters: formula.Parameters, drafted_by: User) -> LcpfVersion:
    """A new draft worked out from the latest imports. Commits; raises DomainError (writing nothing)."""
    try:
        return versions.create_draft(choices.title, parameters, drafted_by, choices.explanation)
    except formula.FormulaError as error:
        db.session.rollback()
        raise DomainError(str(error)) from error
    except DomainError:
        db.session.rollback()
        raise


def redraft(version: LcpfVersion, choices: DraftChoices, parameters: formula.Parameters, by: User) -> LcpfVersion:
    """Change a draft: its inputs are taken again from the latest imports and every allocation worked out again.
    Only a draft can change; a published version never does. Commits; raises DomainError (changing nothing)."""
    if version.status is not LcpfVersionStatus.DRAFT:
        raise DraftRefused(not_a_draft_message(version))
    try:
        previous = versions.fetch_current_published()
        inputs, import_ids = versions.gather_inputs(parameters, previous)
        result = formula.compute(parameters, inputs)
    except formula.FormulaError as error:
        raise DomainError(str(error)) from error
    before = {"title": version.title, "parameters": version.parameters}
    years = [pot.financial_year for pot in parameters.pots]
    version.title = choices.title
    version.explanation = choices.explanation
    version.first_year, version.last_year = min(years), max(years)
    version.parameters = parameters.to_json()
    version.inputs = formula.inputs_to_json(inputs)
    version.import_ids = import_ids
    version.previous_version = previous
    version.allocations.clear()
    db.session.flush()  # the old allocations go before the new ones, which share their keys
    versions._store_allocations(version, result)
    audit.record(
        "lcpf_version_redrafted",
        version,
        before=before,
        after={"title": version.title, "parameters": version.parameters},
        actor=by,
    )
    db.session.commit()
    return version


def not_a_draft_message(version: LcpfVersion) -> str:
    if version.status.is_public:
        return f"“{version.title}” is published and can never be changed. Draft a new version instead."
    return f"“{version.title}” is {version.status.label.lower()} and can no longer be changed."
