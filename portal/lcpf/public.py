"""What the public pages show of the formula: published versions, their CSV, and the calculator's choices.

The calculator reads its choices from the query string, so a link reproduces it, and writes nothing. The inputs it
works from (every borough's figures for a crime window) are cached: they change only when an officer imports a
file or publishes a version, and both are part of the cache key.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import current_app
from werkzeug.datastructures import MultiDict

from portal import caching
from portal.exports import csv_text
from portal.extensions import db
from portal.lcpf import formula
from portal.models import LcpfImport, LcpfResponse, LcpfVersion, LcpfVersionStatus

CSV_HEADINGS = [
    "version",
    "financial_year",
    "gss_code",
    "borough",
    "inner_or_outer",
    "recorded_crimes",
    "crime_indicator",
    "crime_share",
    "residents",
    "population_share",
    "deprivation_indicator",
    "deprivation_share",
    "weighted_share",
    "amount_before_damping",
    "damping",
    "amount_after_damping",
    "remainder_pound",
    "allocation_pounds",
    "previous_allocation_pounds",
    "change_pounds",
]


def fetch_public_versions() -> list[LcpfVersion]:
    """Published and superseded versions, newest first: each has a stable address."""
    return list(
        db.session.scalars(
            sa.select(LcpfVersion)
            .where(LcpfVersion.status.in_([LcpfVersionStatus.PUBLISHED, LcpfVersionStatus.SUPERSEDED]))
            .order_by(LcpfVersion.published_at.desc(), LcpfVersion.id.desc())
        )
    )


def fetch_public_version(version_id: int) -> LcpfVersion | None:
    version = db.session.get(LcpfVersion, version_id)
    return version if version is not None and version.status.is_public else None


def _decimal(value: Decimal) -> str:
    """Twelve decimal places: shares to a millionth of a millionth, enough to check every pound by hand."""
    return f"{value:.12f}"


def version_csv(version: LcpfVersion, result: formula.Result) -> str:
    return csv_text(CSV_HEADINGS, _version_rows(version, result))


def _version_rows(version: LcpfVersion, result: formula.Result) -> Iterator[tuple[object, ...]]:
    for year in result.years:
        for w in year.workings:
            yield (
                version.title,
                year.pot.financial_year,
                w.gss_code,
                w.name,
                w.inner_outer,
                w.values["crimes"],
                _decimal(w.values[formula.CRIME]),
                _decimal(w.shares[formula.CRIME]),
                w.values["residents"],
                _decimal(w.shares[formula.POPULATION]),
                _decimal(w.values[formula.DEPRIVATION]),
                _decimal(w.shares[formula.DEPRIVATION]),
                _decimal(w.weighted_share),
                f"{w.before_damping:.2f}",
                w.limit or "none",
                f"{w.after_damping:.2f}",
                "yes" if w.remainder_pound else "no",
                w.amount,
                "" if w.previous is None else w.previous,
                "" if w.change is None else w.change,
            )


@dataclass
class CalculatorChoices:
    """The calculator's form, as typed: kept as text so that a mistake is shown back exactly as it was entered."""

    crime_weight: str = "50"
    population_weight: str = "25"
    deprivation_weight: str = "25"
    categories: list[str] = field(default_factory=list)
    crime_per_resident: bool = False
    floor_percent: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_published(cls, parameters: formula.Parameters) -> "CalculatorChoices":
        categories = [name for name, _ in parameters.crime_categories if name != formula.ALL_CRIME]
        return cls(
            crime_weight=_plain(parameters.crime_weight),
            population_weight=_plain(parameters.population_weight),
            deprivation_weight=_plain(parameters.deprivation_weight),
            categories=categories,
            crime_per_resident=parameters.crime_per_resident,
            floor_percent="" if parameters.floor_percent is None else _plain(parameters.floor_percent),
        )

    @classmethod
    def from_args(cls, args: MultiDict[str, str], defaults: "CalculatorChoices") -> "CalculatorChoices":
        if "crime_weight" not in args:
            return defaults
        return cls(
            crime_weight=args.get("crime_weight", "").strip(),
            population_weight=args.get("population_weight", "").strip(),
            deprivation_weight=args.get("deprivation_weight", "").strip(),
            categories=args.getlist("category"),
            crime_per_resident=args.get("crime_per_resident") == "yes",
            floor_percent=args.get("floor_percent", "").strip(),
        )

    def parameters(self, published: formula.Parameters, categories_known: list[str]) -> formula.Parameters | None:
        """The published parameters with these choices, or None with ``errors`` filled in."""
        weights = {}
        for name, label in (
            ("crime_weight", "recorded crime"),
            ("population_weight", "residents"),
            ("deprivation_weight", "deprivation"),
        ):
            weights[name] = _number(getattr(self, name), f"Enter a weight for {label}", self.errors, name, 0, 1000)
        floor = None
        if self.floor_percent:
            floor = _number(self.floor_percent, "Enter the floor", self.errors, "floor_percent", 0, 200)
        unknown = [name for name in self.categories if name not in categories_known]
        if unknown:
            self.errors["category"] = "Choose crime categories from the list"
        if not self.errors and sum(weights.values()) == 0:
            self.errors["crime_weight"] = "Give at least one indicator a weight above zero"
        if self.errors:
            return None
        categories = tuple((name, Decimal(1)) for name in sorted(self.categories)) or ((formula.ALL_CRIME, Decimal(1)),)
        return replace(
            published,
            crime_weight=weights["crime_weight"],
            population_weight=weights["population_weight"],
            deprivation_weight=weights["deprivation_weight"],
            crime_categories=categories,
            crime_per_resident=self.crime_per_resident,
            floor_percent=floor,
            cap_percent=None,
        )


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _number(text: str, missing: str, errors: dict, name: str, low: int, high: int) -> Decimal:
    if not text:
        errors[name] = missing
        return Decimal(0)
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors[name] = f"{missing[6:].capitalize()} must be a number, like 25"
        return Decimal(0)
    if not value.is_finite() or not low <= value <= high:
        errors[name] = f"{missing[6:].capitalize()} must be between {low} and {high}"
        return Decimal(0)
    return value


def categories_in(version: LcpfVersion) -> list[str]:
    return sorted({name for borough in version.inputs for name in borough["crime"]})


def calculate(parameters: formula.Parameters, published: LcpfVersion) -> formula.Result:
    """The formula with these parameters on the published version's own frozen inputs, compared with (and floored
    against) the published allocations, so the only differences are the ones the visitor chose. Cached by version
    and choices: a public page, and the same choices give the same pounds."""
    key = (
        "lcpf:calculator:"
        + hashlib.sha256(json.dumps([published.id, parameters.to_json()], sort_keys=True).encode()).hexdigest()
    )
    result: formula.Result = caching.get_or_make(
        key, lambda: _calculate(parameters, published), current_app.config["PUBLIC_CACHE_SECONDS"]
    )
    return result


def _calculate(parameters: formula.Parameters, published: LcpfVersion) -> formula.Result:
    amounts: dict[str, dict[int, int]] = {}
    for allocation in published.allocations:
        amounts.setdefault(allocation.local_authority.gss_code, {})[allocation.financial_year] = (
            allocation.amount_pounds
        )
    boroughs = [
        replace(borough, previous=amounts.get(borough.gss_code, {}))
        for borough in formula.inputs_from_json(published.inputs)
    ]
    return formula.compute(parameters, boroughs)


def latest_import_note() -> LcpfImport | None:
    return db.session.scalar(sa.select(LcpfImport).order_by(LcpfImport.id.desc()))


def imports_used(version: LcpfVersion) -> list[LcpfImport]:
    if not version.import_ids:
        return []
    return list(
        db.session.scalars(sa.select(LcpfImport).where(LcpfImport.id.in_(version.import_ids)).order_by(LcpfImport.id))
    )


NOT_SUMMARISED = "The borough did not agree to its response being published in full, and it was not summarised."


@dataclass
class ConsultationPoint:
    borough: str
    inner_outer: str
    text: str  # the response itself with the borough's consent, otherwise the officer's summary of it
    in_full: bool
    reply: str


@dataclass
class ConsultationSummary:
    held: bool
    points: list[ConsultationPoint]

    @property
    def responded(self) -> dict[str, int]:
        boroughs = {(point.borough, point.inner_outer) for point in self.points}
        return {area: sum(1 for _, where in boroughs if where == area) for area in ("inner", "outer")}


def consultation_summary(version: LcpfVersion) -> ConsultationSummary:
    """What is published of a version's consultation: only for a published (or superseded) version; a response is
    shown in full only with the borough's consent, otherwise as the officer summarised it."""
    if not version.status.is_public:
        return ConsultationSummary(held=False, points=[])
    responses = db.session.scalars(
        sa.select(LcpfResponse).where(LcpfResponse.version_id == version.id).order_by(LcpfResponse.submitted_at)
    )
    points = [
        ConsultationPoint(
            borough=response.local_authority.name,
            inner_outer=response.local_authority.inner_outer.value,
            text=response.body if response.consent_to_publish else (response.summary or NOT_SUMMARISED),
            in_full=response.consent_to_publish,
            reply=response.officer_reply or "",
        )
        for response in responses
    ]
    return ConsultationSummary(held=version.consultation_opens_on is not None, points=points)
