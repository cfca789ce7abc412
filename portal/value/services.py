"""The unit values library and cost-benefit analyses: every write, its rules and its audit event, committed once.

A published analysis never changes: the services refuse, and so does the session itself
(:func:`portal.models.value.refuse_changes`) for any code that tries another way.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from portal import audit
from portal.database import utcnow
from portal.directory import published
from portal.errors import DomainError, raise_if_any
from portal.extensions import db
from portal.models import (
    AnalysisStatus,
    Award,
    AwardStatus,
    Measure,
    MeasureActual,
    Return,
    ReturnStatus,
    UnitValue,
    User,
    ValueAnalysis,
    ValueCost,
    ValueOutcome,
)
from portal.periods import financial_year_label
from portal.value import calculation, deflators
from portal.workflow import ANALYSES

UNIT_VALUE_FIELDS = ("name", "value", "price_year", "unit", "source", "source_url", "notes")
SETTINGS_FIELDS = (
    "title",
    "analysis_year",
    "summary",
    "optimism_bias",
    "optimism_bias_reason",
    "sensitivity_low",
    "sensitivity_high",
    "sensitivity_reason",
)
ADJUSTMENTS = ("deadweight", "displacement", "attribution", "drop_off")
REASONS = tuple(f"{name}_reason" for name in ADJUSTMENTS)
OUTCOME_FIELDS = ("name", "count", "financial_year", "measure_id", "count_source", "years", *ADJUSTMENTS, *REASONS)


# Unit values --------------------------------------------------------------------------------------------------


def fetch_unit_values() -> list[UnitValue]:
    return list(db.session.scalars(sa.select(UnitValue).order_by(UnitValue.name, UnitValue.id)))


def fetch_unit_value(unit_value_id: int) -> UnitValue | None:
    return db.session.get(UnitValue, unit_value_id)


def _snapshot(record: object, names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(record, name) for name in names}


def save_unit_value(unit_value: UnitValue | None, values: dict, actor: User) -> UnitValue:
    """Add a unit value, or change one, with an audit event giving what it was and what it became. Analyses that
    already use it keep the figure they copied."""
    if not values["source"].strip():
        raise DomainError("Enter where the figure comes from, so that others can check it", "source")
    before = _snapshot(unit_value, UNIT_VALUE_FIELDS) if unit_value else None
    record = unit_value or UnitValue(created_by_id=actor.id)
    for name in UNIT_VALUE_FIELDS:
        setattr(record, name, values[name].strip() if isinstance(values[name], str) else values[name])
    db.session.add(record)
    if unit_value is not None and before == _snapshot(record, UNIT_VALUE_FIELDS):
        return record  # nothing changed: no event, no commit
    audit.record(
        "unit_value.changed" if unit_value else "unit_value.added",
        record,
        before=before,
        after=_snapshot(record, UNIT_VALUE_FIELDS),
        actor=actor,
    )
    db.session.commit()
    return record


# Analyses -----------------------------------------------------------------------------------------------------


def fetch_analyses() -> list[ValueAnalysis]:
    return list(db.session.scalars(sa.select(ValueAnalysis).order_by(ValueAnalysis.status, ValueAnalysis.id.desc())))


def fetch_analysis(analysis_id: int) -> ValueAnalysis | None:
    return db.session.get(ValueAnalysis, analysis_id)


def fetch_awards_to_analyse() -> list[Award]:
    return list(
        db.session.scalars(sa.select(Award).where(Award.status == AwardStatus.APPROVED).order_by(Award.title, Award.id))
    )


def _editable(analysis: ValueAnalysis) -> None:
    if analysis.is_published:
        raise DomainError("This analysis is published and can never be changed. Start a new analysis instead.")


def create_analysis(award: Award, title: str, analysis_year: int, actor: User) -> ValueAnalysis:
    """Start a draft analysis of an approved award, with a cost for each financial year of its funding."""
    if award.status is not AwardStatus.APPROVED:
        raise DomainError("Choose an approved award", "award_id")
    same = db.session.scalar(
        sa.select(ValueAnalysis).where(
            ValueAnalysis.award_id == award.id,
            ValueAnalysis.title == title.strip(),
            ValueAnalysis.status == AnalysisStatus.DRAFT,
        )
    )
    if same is not None:
        return same  # the same form sent twice: one draft
    analysis = ValueAnalysis(award=award, title=title.strip(), analysis_year=analysis_year, created_by_id=actor.id)
    analysis.status = AnalysisStatus.DRAFT
    for year in award.years:
        if year.amount_pence:
            analysis.costs.append(
                ValueCost(
                    name=f"Grant, {financial_year_label(year.financial_year)}",
                    financial_year=year.financial_year,
                    amount_pence=year.amount_pence,
                    from_funding=True,
                )
            )
    _check_years(analysis, analysis_year)
    db.session.add(analysis)
    audit.record(
        "value_analysis.created",
        analysis,
        after={"award": award.reference, "title": analysis.title, "analysis_year": analysis_year},
        organisation_id=award.organisation_id,
        actor=actor,
    )
    db.session.commit()
    return analysis


def discard_changes() -> None:
    """Forget anything a refused change left in the session, so nothing half-made is written later."""
    db.session.rollback()


def _check_years(analysis: ValueAnalysis, analysis_year: int) -> None:
    too_early = sorted({c.financial_year for c in analysis.costs} | {o.financial_year for o in analysis.outcomes})
    if too_early and too_early[0] < analysis_year:
        raise DomainError(
            f"The analysis year must be {financial_year_label(too_early[0])} or earlier: it is year 0, and no cost "
            "or outcome may come before it",
            "analysis_year",
        )


def update_settings(analysis: ValueAnalysis, values: dict, actor: User) -> None:
    _editable(analysis)
    errors = []
    if values["optimism_bias"] and not values["optimism_bias_reason"].strip():
        errors.append(DomainError("Give the reason for the optimism bias", "optimism_bias_reason"))
    if (values["sensitivity_low"] or values["sensitivity_high"]) and not values["sensitivity_reason"].strip():
        errors.append(DomainError("Give the reason for the sensitivity range", "sensitivity_reason"))
    raise_if_any(errors)
    _check_years(analysis, values["analysis_year"])
    before = _snapshot(analysis, SETTINGS_FIELDS)
    for name in SETTINGS_FIELDS:
        setattr(analysis, name, values[name].strip() if isinstance(values[name], str) else values[name])
    audit.record(
        "value_analysis.changed",
        analysis,
        before=before,
        after=_snapshot(analysis, SETTINGS_FIELDS),
        organisation_id=analysis.award.organisation_id,
        actor=actor,
    )
    db.session.commit()


def add_cost(analysis: ValueAnalysis, name: str, financial_year: int, amount_pence: int, actor: User) -> ValueCost:
    _editable(analysis)
    if financial_year < analysis.analysis_year:
        raise DomainError(
            f"The year must be the analysis year ({financial_year_label(analysis.analysis_year)}) or later",
            "financial_year",
        )
    key = (name.strip(), financial_year, amount_pence)
    same = next((c for c in analysis.costs if (c.name, c.financial_year, c.amount_pence) == key), None)
    if same is not None:
        return same  # the same cost sent twice is added once
    cost = ValueCost(name=name.strip(), financial_year=financial_year, amount_pence=amount_pence)
    analysis.costs.append(cost)
    audit.record(
        "value_analysis.cost_added",
        analysis,
        after={"cost": cost.name, "financial_year": financial_year, "pence": amount_pence},
        organisation_id=analysis.award.organisation_id,
        actor=actor,
    )
    db.session.commit()
    return cost


def remove_cost(analysis: ValueAnalysis, cost_id: int, actor: User) -> None:
    _editable(analysis)
    cost = next((c for c in analysis.costs if c.id == cost_id), None)
    if cost is None:
        return  # already removed: a second click changes nothing
    analysis.costs.remove(cost)
    audit.record(
        "value_analysis.cost_removed",
        analysis,
        before={"cost": cost.name, "financial_year": cost.financial_year, "pence": cost.amount_pence},
        organisation_id=analysis.award.organisation_id,
        actor=actor,
    )
    db.session.commit()


@dataclass(frozen=True)
class MeasureCount:
    measure: Measure
    by_year: dict[int, int]  # outcomes reported in accepted returns, by financial year

    @property
    def total(self) -> int:
        return sum(self.by_year.values())


def measure_counts(award: Award) -> list[MeasureCount]:
    """What each of the award's measures achieved in its accepted returns, by financial year."""
    measures = list(db.session.scalars(sa.select(Measure).where(Measure.award_id == award.id).order_by(Measure.id)))
    totals: dict[int, dict[int, int]] = defaultdict(dict)
    rows = db.session.execute(
        sa.select(MeasureActual.measure_id, Return.financial_year, sa.func.sum(MeasureActual.actual))
        .join(Return, Return.id == MeasureActual.return_id)
        .where(Return.award_id == award.id, Return.status == ReturnStatus.ACCEPTED)
        .group_by(MeasureActual.measure_id, Return.financial_year)
    )
    for measure_id, year, total in rows:
        totals[measure_id][year] = int(total)
    return [MeasureCount(m, dict(sorted(totals[m.id].items()))) for m in measures]


def save_outcome(
    analysis: ValueAnalysis, outcome: ValueOutcome | None, values: dict, unit_value: UnitValue, actor: User
) -> ValueOutcome:
    """Add an outcome to a draft analysis, or change one. When the count is taken from a measure it is what that
    measure achieved in the award's accepted returns in the year chosen; otherwise the count and its source (an
    evaluation's estimate, say) are as entered. The unit value is copied from the library as it is now."""
    _editable(analysis)
    errors = []
    if values["financial_year"] < analysis.analysis_year:
        errors.append(
            DomainError(
                f"The year must be the analysis year ({financial_year_label(analysis.analysis_year)}) or later",
                "financial_year",
            )
        )
    if values["measure_id"]:
        found = next((c for c in measure_counts(analysis.award) if c.measure.id == values["measure_id"]), None)
        if found is None:
            errors.append(DomainError("Choose one of this service's measures", "measure_id"))
        else:
            values = {
                **values,
                "count": Decimal(found.by_year.get(values["financial_year"], 0)),
                "count_source": (
                    f"Accepted returns: '{found.measure.name}' in {financial_year_label(values['financial_year'])}"
                ),
            }
    else:
        if values["count"] is None:
            errors.append(DomainError("Enter how many outcomes were achieved", "count"))
        if not values["count_source"].strip():
            errors.append(
                DomainError("Say where the count comes from, such as an evaluation's estimate", "count_source")
            )
    for name in ADJUSTMENTS:
        if values[name] and not values[f"{name}_reason"].strip():
            errors.append(DomainError(f"Give the reason for the {name.replace('_', '-')}", f"{name}_reason"))
    if outcome is None and any(
        (o.name, o.financial_year) == (values["name"].strip(), values["financial_year"]) for o in analysis.outcomes
    ):
        errors.append(DomainError("This outcome is already counted in that year: change it instead", "name"))
    raise_if_any(errors)
    before = _snapshot(outcome, OUTCOME_FIELDS) if outcome else None
    record = outcome or ValueOutcome()
    for name in OUTCOME_FIELDS:
        setattr(record, name, values[name].strip() if isinstance(values[name], str) else values[name])
    record.unit_value_id = unit_value.id
    record.unit_value = unit_value.value
    record.price_year = unit_value.price_year
    record.unit = unit_value.unit
    record.unit_value_source = unit_value.source
    if outcome is None:
        analysis.outcomes.append(record)
    audit.record(
        "value_analysis.outcome_changed" if outcome else "value_analysis.outcome_added",
        analysis,
        before=before,
        after={**_snapshot(record, OUTCOME_FIELDS), "unit_value": record.unit_value, "price_year": record.price_year},
        organisation_id=analysis.award.organisation_id,
        actor=actor,
    )
    db.session.commit()
    return record


def remove_outcome(analysis: ValueAnalysis, outcome_id: int, actor: User) -> None:
    _editable(analysis)
    outcome = next((o for o in analysis.outcomes if o.id == outcome_id), None)
    if outcome is None:
        return
    analysis.outcomes.remove(outcome)
    audit.record(
        "value_analysis.outcome_removed",
        analysis,
        before={"outcome": outcome.name, "count": outcome.count},
        organisation_id=analysis.award.organisation_id,
        actor=actor,
    )
    db.session.commit()


# Working it out and publishing --------------------------------------------------------------------------------


def deflators_for(analysis: ValueAnalysis) -> dict[int, Decimal]:
    """The indices a published analysis froze, or the series in use now for a draft."""
    if analysis.deflators is not None:
        return {int(year): Decimal(index) for year, index in analysis.deflators.items()}
    series = deflators.fetch_current_series()
    return series.by_year if series else {}


def inputs_for(analysis: ValueAnalysis, indices: dict[int, Decimal] | None = None) -> calculation.Inputs:
    return calculation.Inputs(
        analysis_year=analysis.analysis_year,
        costs=tuple(calculation.Cost(c.name, c.financial_year, c.amount_pence) for c in analysis.costs),
        outcomes=tuple(
            calculation.Outcome(
                name=o.name,
                count=Decimal(o.count),
                financial_year=o.financial_year,
                unit_value=Decimal(o.unit_value),
                price_year=o.price_year,
                unit=o.unit,
                deadweight=Decimal(o.deadweight),
                displacement=Decimal(o.displacement),
                attribution=Decimal(o.attribution),
                drop_off=Decimal(o.drop_off),
                years=o.years,
            )
            for o in analysis.outcomes
        ),
        deflators=deflators_for(analysis) if indices is None else indices,
        optimism_bias=Decimal(analysis.optimism_bias),
        sensitivity_low=Decimal(analysis.sensitivity_low),
        sensitivity_high=Decimal(analysis.sensitivity_high),
    )


def work_out(analysis: ValueAnalysis) -> tuple[calculation.Workings | None, list[str]]:
    """The workings, or the problems that stop them being worked out."""
    try:
        return calculation.work_out(inputs_for(analysis)), []
    except calculation.CalculationError as error:
        return None, error.problems


def publish(analysis: ValueAnalysis, actor: User) -> calculation.Workings:
    """Publish a draft analysis, freezing the deflator indices it uses. It never changes again."""
    _editable(analysis)
    series = deflators.fetch_current_series()
    indices = series.by_year if series else {}
    errors = []
    if not analysis.costs:
        errors.append(DomainError("Add at least one cost before publishing"))
    if not analysis.outcomes:
        errors.append(DomainError("Add at least one outcome before publishing"))
    if not analysis.summary.strip():
        errors.append(DomainError("Write a summary for the public before publishing"))
    inputs = inputs_for(analysis, indices)
    errors += [DomainError(problem) for problem in calculation.problems_with(inputs)]
    raise_if_any(errors)
    workings = calculation.work_out(inputs)
    used = {analysis.analysis_year, *(c.financial_year for c in analysis.costs)}
    used |= {o.price_year for o in analysis.outcomes}
    analysis.deflators = {str(year): str(indices[year]) for year in sorted(used)}
    assert series is not None  # without one every index is missing, a problem raised above
    analysis.deflator_series_id = series.id
    analysis.published_at = utcnow()
    analysis.published_by_id = actor.id
    central = workings.central
    ANALYSES.move(
        analysis,
        AnalysisStatus.PUBLISHED,
        actor=actor,
        detail={
            "benefit_cost_ratio": central.benefit_cost_ratio,
            "net_present_value": central.net_present_value,
        },
    )
    db.session.commit()
    return workings


# What the public sees -----------------------------------------------------------------------------------------


def _public() -> sa.Select:
    """Published analyses of awards the public may see (an award withdrawn later takes its analysis with it)."""
    return (
        sa.select(ValueAnalysis)
        .join(Award, Award.id == ValueAnalysis.award_id)
        .where(ValueAnalysis.status == AnalysisStatus.PUBLISHED, published.is_published())
    )


def fetch_published() -> list[ValueAnalysis]:
    return list(db.session.scalars(_public().order_by(ValueAnalysis.published_at.desc(), ValueAnalysis.id.desc())))


def fetch_published_analysis(analysis_id: int) -> ValueAnalysis | None:
    found: ValueAnalysis | None = db.session.scalar(_public().where(ValueAnalysis.id == analysis_id))
    return found


def fetch_published_for_award(award_id: int) -> list[ValueAnalysis]:
    return list(
        db.session.scalars(
            _public().where(ValueAnalysis.award_id == award_id).order_by(ValueAnalysis.published_at.desc())
        )
    )


def latest_ratios() -> dict[int, Decimal | None]:
    """Each award's benefit-cost ratio from its latest published analysis (for the dashboards)."""
    ratios: dict[int, Decimal | None] = {}
    for analysis in reversed(fetch_published()):  # oldest first, so the latest wins
        workings, _ = work_out(analysis)
        ratios[analysis.award_id] = workings.central.benefit_cost_ratio if workings else None
    return ratios


def deflators_used(analysis: ValueAnalysis) -> dict[int, Decimal]:
    """The indices of the years the analysis uses (year 0, the costs' years and the unit values' price years)."""
    years = {analysis.analysis_year, *(c.financial_year for c in analysis.costs)}
    years |= {o.price_year for o in analysis.outcomes}
    indices = deflators_for(analysis)
    return {year: indices[year] for year in sorted(years) if year in indices}


@dataclass(frozen=True)
class PublishedSummary:
    analysis: ValueAnalysis
    workings: calculation.Workings | None


def published_summaries_for_award(award_id: int) -> list[PublishedSummary]:
    """A service's published analyses with their results, latest first, for its public page."""
    return [PublishedSummary(a, work_out(a)[0]) for a in fetch_published_for_award(award_id)]
