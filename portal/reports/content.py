"""What the committee report says: every funded service with its measures, rating, funding and duration
(the Police and Crime Committee's Recommendation 3), read only through ``portal.directory.published``, because
a published report is public.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from portal.directory import published
from portal.extensions import db
from portal.models import (
    Award,
    AwardServiceArea,
    LocalAuthority,
    Measure,
    MeasureActual,
    PerformanceRecord,
    Rag,
    Return,
    ServiceArea,
    award_borough,
)

# A service's areas in the order the forms offer them.
AREA_ORDER = list(ServiceArea)


@dataclass(frozen=True)
class HalfYear:
    """Six months ending at the end of September or of March: the committee's reporting periods."""

    start: date
    end: date

    @property
    def key(self) -> str:
        return f"{self.start:%Y-%m}"

    @property
    def label(self) -> str:
        if self.start.month == 4:
            return f"April to September {self.start.year}"
        return f"October {self.start.year} to March {self.end.year}"

    @property
    def slug(self) -> str:
        return f"{self.start:%Y-%m}-to-{self.end:%Y-%m}"

    @classmethod
    def starting(cls, year: int, month: int) -> "HalfYear":
        if month == 4:
            return cls(date(year, 4, 1), date(year, 9, 30))
        if month == 10:
            return cls(date(year, 10, 1), date(year + 1, 3, 31))
        raise ValueError("a half-year starts in April or October")

    @classmethod
    def from_key(cls, key: str) -> "HalfYear | None":
        try:
            year, month = (int(part) for part in key.split("-"))
            return cls.starting(year, month)
        except ValueError:
            return None

    def before(self) -> "HalfYear":
        if self.start.month == 4:
            return HalfYear.starting(self.start.year - 1, 10)
        return HalfYear.starting(self.start.year, 4)

    @classmethod
    def last_completed(cls, today: date) -> "HalfYear":
        """The latest six months to have ended by ``today``: to 30 September or to 31 March."""
        if today.month >= 10:
            return cls.starting(today.year, 4)
        if today.month >= 4:
            return cls.starting(today.year - 1, 10)
        return cls.starting(today.year - 1, 4)


def recent_half_years(today: date, count: int = 6) -> list[HalfYear]:
    periods = [HalfYear.last_completed(today)]
    while len(periods) < count:
        periods.append(periods[-1].before())
    return periods


def duration_months(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` inclusive: 1 April 2025 to 31 March 2027 is 24."""
    after = end + timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    return months - 1 if after.day < start.day else months


@dataclass(frozen=True)
class MeasureLine:
    name: str
    unit: str
    target: int
    basis: str  # "a quarter" or "a year"
    latest_actual: int | None
    latest_target: int | None  # the target for the period of the latest actual
    latest_period: str | None

    @property
    def target_text(self) -> str:
        return f"{self.target:,} {self.unit} {self.basis}"

    @property
    def actual_text(self) -> str:
        if self.latest_actual is None:
            return "Not reported yet"
        return f"{self.latest_actual:,} against {self.latest_target:,} ({self.latest_period})"


@dataclass(frozen=True)
class ServiceRow:
    reference: str
    provider: str
    title: str
    fund: str
    boroughs: str
    service_areas: str
    amount_pence: int
    start: date
    end: date
    months: int
    measures: tuple[MeasureLine, ...]
    rating: Rag | None
    rating_period: str | None
    trend: str

    @property
    def rating_text(self) -> str:
        return self.rating.label if self.rating else "Not rated yet"


@dataclass(frozen=True)
class CommitteeReport:
    period: HalfYear
    generated_at: datetime
    services: tuple[ServiceRow, ...]
    boroughs: tuple = ()  # of portal.reports.boroughs.BoroughPlan: the boroughs' LCPF delivery plans
    evaluations: tuple = ()  # of portal.evaluations.report.EvaluationLine: long services' evaluations

    @property
    def total_pence(self) -> int:
        return sum(service.amount_pence for service in self.services)

    def rating_counts(self) -> list[tuple[str, int]]:
        counts = [
            (rag.label, sum(1 for s in self.services if s.rating is rag)) for rag in (Rag.GREEN, Rag.AMBER, Rag.RED)
        ]
        return [*counts, ("Not rated yet", sum(1 for s in self.services if s.rating is None))]

    def by_fund(self) -> list[tuple[str, int, int]]:
        funds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for service in self.services:
            funds[service.fund][0] += 1
            funds[service.fund][1] += service.amount_pence
        return [(fund, count, amount) for fund, (count, amount) in sorted(funds.items())]

    @property
    def most_measures(self) -> int:
        return max((len(service.measures) for service in self.services), default=0)


def trend(ratings: list[Rag]) -> str:
    """How the latest rating compares with the one before."""
    if not ratings:
        return "Not rated yet"
    if len(ratings) == 1:
        return "First rating"
    latest, before = ratings[-1].severity, ratings[-2].severity
    if latest < before:
        return "Improving"
    if latest > before:
        return "Getting worse"
    return "No change"


def gather(period: HalfYear, generated_at: datetime) -> CommitteeReport:
    """Every published award running at any time in the period, with what accepted returns up to its end say.

    Read as columns, not award objects: thousands of services are in a report."""
    running = (Award.start_date <= period.end, Award.end_date >= period.start)
    awards = published.award_facts(*running)
    in_period = sa.select(Award.id).where(published.is_published(), *running)  # the awards above, in SQL
    boroughs: dict[int, list[str]] = defaultdict(list)
    for award_id, name in db.session.execute(
        sa.select(award_borough.c.award_id, LocalAuthority.name)
        .join(LocalAuthority, LocalAuthority.id == award_borough.c.local_authority_id)
        .where(award_borough.c.award_id.in_(in_period))
        .order_by(award_borough.c.award_id, LocalAuthority.name)
    ):
        boroughs[award_id].append(name)
    areas: dict[int, list[ServiceArea]] = defaultdict(list)
    for award_id, area in db.session.execute(
        sa.select(AwardServiceArea.award_id, AwardServiceArea.service_area).where(
            AwardServiceArea.award_id.in_(in_period)
        )
    ):
        areas[award_id].append(area)
    ratings: dict[int, list[tuple[Rag, str]]] = defaultdict(list)
    records = db.session.execute(
        published.accepted_records()
        .with_only_columns(PerformanceRecord.award_id, PerformanceRecord.overall, Return.label)
        .where(PerformanceRecord.award_id.in_(in_period), Return.period_end <= period.end)
        .order_by(Return.period_start)
    )
    for award_id, overall, label in records:
        ratings[award_id].append((overall, label))
    latest: dict[int, tuple[int, int, str]] = {}
    actuals = db.session.execute(
        published.accepted_measure_actuals()
        .with_only_columns(MeasureActual.measure_id, MeasureActual.actual, Return.frequency, Return.label)
        .where(Return.award_id.in_(in_period), Return.period_end <= period.end)
        .order_by(Return.period_start)
    )
    for measure_id, actual, frequency, label in actuals:
        latest[measure_id] = (actual, frequency.quarters, label)
    measures: dict[int, list[MeasureLine]] = defaultdict(list)
    for measure_id, award_id, name, unit, target, basis in db.session.execute(
        sa.select(Measure.id, Measure.award_id, Measure.name, Measure.unit, Measure.target, Measure.basis)
        .where(Measure.award_id.in_(in_period))
        .order_by(Measure.award_id, Measure.id)
    ):
        actual, quarters, label = latest.get(measure_id, (None, None, None))
        target_then = Measure.target_of(target, basis, quarters) if quarters else None
        measures[award_id].append(MeasureLine(name, unit, target, basis.label, actual, target_then, label))

    rows = []
    for award in awards:
        award_ratings = ratings.get(award.id, [])
        award_boroughs = boroughs.get(award.id)
        award_areas = sorted(areas.get(award.id, []), key=AREA_ORDER.index)
        rows.append(
            ServiceRow(
                reference=award.reference,
                provider=award.provider,
                title=award.title,
                fund=award.fund,
                boroughs="Pan-London" if award.works_pan_london or not award_boroughs else ", ".join(award_boroughs),
                service_areas=", ".join(area.label for area in award_areas) or "Not recorded",
                amount_pence=award.total_pence,
                start=award.start_date,
                end=award.end_date,
                months=duration_months(award.start_date, award.end_date),
                measures=tuple(measures.get(award.id, [])),
                rating=award_ratings[-1][0] if award_ratings else None,
                rating_period=award_ratings[-1][1] if award_ratings else None,
                trend=trend([rating for rating, _ in award_ratings]),
            )
        )
    rows.sort(key=lambda row: (row.fund, row.provider, row.title))
    from portal.evaluations.report import gather_evaluations
    from portal.reports.boroughs import gather_boroughs  # it builds on this module's lines

    return CommitteeReport(
        period,
        generated_at,
        tuple(rows),
        gather_boroughs(period.start, period.end),
        evaluations=gather_evaluations(awards, period.end),
    )
