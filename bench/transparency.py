"""The public side's volume: funded services with their monitoring, inserted in bulk.

London funds roughly 500 services a year through MOPAC, the Violence Reduction Unit and the boroughs' share of the
London Crime Prevention Fund, so ``scale`` 1 is 500 approved awards over three financial years, each with a measure,
its quarterly returns (most accepted and rated) and a share of the 33 boroughs. ``scale`` 10 is ten times that.
"""

import random
from datetime import date, timedelta

import sqlalchemy as sa

from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    Award,
    AwardServiceArea,
    AwardStatus,
    AwardYear,
    Fund,
    Measure,
    MeasureActual,
    MeasureBasis,
    Organisation,
    PerformanceRecord,
    Rag,
    Return,
    ReturnFrequency,
    ReturnStatus,
    ServiceArea,
    award_borough,
)
from portal.opendata.openreferral import service_id
from portal.periods import financial_year_label

AWARDS_PER_SCALE = 500
FIRST_YEAR = 2024
RATINGS = (Rag.GREEN, Rag.GREEN, Rag.AMBER, Rag.GREEN, Rag.RED)


def _quarters(start: date, end: date) -> list[tuple[int, int, date, date]]:
    """(financial year, quarter number, first day, last day) for each quarter the award runs in."""
    quarters = []
    year, month = start.year, ((start.month - 1) // 3) * 3 + 1
    while date(year, month, 1) <= end:
        first = date(year, month, 1)
        last = (date(year + (month + 3 > 12), (month + 2) % 12 + 1, 1)) - timedelta(days=1)
        financial_year = year if month >= 4 else year - 1
        quarters.append((financial_year, ((month - 4) % 12) // 3 + 1, first, last))
        month += 3
        if month > 12:
            year, month = year + 1, month - 12
    return quarters


def build_awards(
    scale: int, organisation_ids: list[int], officer_id: int, today: date, rng: random.Random | None = None
) -> list[int]:
    """Insert ``AWARDS_PER_SCALE * scale`` approved awards with their monitoring; return their ids. Amounts, targets
    and results come from ``rng`` (seeded by the caller), so the same seed gives the same rows."""
    rng = rng or random.Random(0)
    boroughs = list(db.session.scalars(sa.text("SELECT id FROM local_authority ORDER BY id")))
    funds = []
    for code, area in (("VRU", ServiceArea.VIOLENCE_REDUCTION), ("VSS", ServiceArea.VICTIM_SUPPORT)):
        fund = Fund(name=f"Bench {code} fund", code=f"B{code}", purpose="Benchmarks")
        fund.service_areas = [area]
        funds.append(fund)
    db.session.add_all(funds)
    db.session.flush()
    now = utcnow()
    areas = list(ServiceArea)
    awards, years, links, area_links, measures = [], [], [], [], []
    count = AWARDS_PER_SCALE * scale
    first_id = (db.session.scalar(sa.select(sa.func.max(Award.id))) or 0) + 1
    for number in range(count):
        award_id = first_id + number
        start = date(FIRST_YEAR + number % 3, 4, 1)
        end = date(start.year + 1 + number % 2, 3, 31)
        awards.append(
            {
                "id": award_id,
                "reference": f"BEN-{number:06d}",
                "fund_id": funds[number % 2].id,
                "organisation_id": organisation_ids[number % len(organisation_ids)],
                "title": f"Bench service {number}",
                "description": "A funded service for benchmarks.",
                "start_date": start,
                "end_date": end,
                "works_pan_london": number % 17 == 0,
                "status": AwardStatus.APPROVED,
                "created_at": now,
                "approved_at": now,
                "approved_by_id": officer_id,
                "oruk_id": service_id(award_id),
            }
        )
        for offset in range(end.year - start.year):
            amount = rng.randrange(20_000_00, 120_000_00, 100)
            years.append({"award_id": award_id, "financial_year": start.year + offset, "amount_pence": amount})
        if number % 17:
            for step in range(1 + number % 3):
                borough_id = boroughs[(number + step * 7) % len(boroughs)]
                links.append({"award_id": award_id, "local_authority_id": borough_id})
        area_links.append({"award_id": award_id, "service_area": areas[number % len(areas)]})
        measures.append(
            {
                "award_id": award_id,
                "name": "People supported",
                "unit": "people",
                "target": rng.randrange(10, 80),
                "basis": MeasureBasis.QUARTER,
                "created_at": now,
            }
        )
    db.session.execute(sa.insert(Award), awards)
    db.session.execute(sa.insert(AwardYear), years)
    db.session.execute(sa.insert(award_borough), links)
    db.session.execute(sa.insert(AwardServiceArea), area_links)
    db.session.execute(sa.insert(Measure), measures)
    measure_ids = dict(
        db.session.execute(sa.select(Measure.award_id, Measure.id).where(Measure.award_id >= first_id)).all()
    )

    returns = []
    for award in awards:
        for financial_year, quarter, first, last in _quarters(award["start_date"], award["end_date"]):
            due = last + timedelta(days=30)
            accepted = due < today - timedelta(days=20) and (award["id"] + quarter) % 9
            returns.append(
                {
                    "award_id": award["id"],
                    "financial_year": financial_year,
                    "label": f"Q{quarter} {financial_year_label(financial_year)}",
                    "frequency": ReturnFrequency.QUARTERLY,
                    "period_start": first,
                    "period_end": last,
                    "due_on": due,
                    "status": ReturnStatus.ACCEPTED if accepted else ReturnStatus.DUE,
                    "version": 1,
                    "spend_pence": 15_000_00 if accepted else None,
                    "people_helped": 30 + award["id"] % 25 if accepted else None,
                    "progress": "On track." if accepted else None,
                    "case_study_may_publish": False,
                    "submitted_at": now if accepted else None,
                    "accepted_at": now if accepted else None,
                    "accepted_by_id": officer_id if accepted else None,
                }
            )
    db.session.execute(sa.insert(Return), returns)
    accepted = db.session.execute(
        sa.select(Return.id, Return.award_id).where(Return.award_id >= first_id, Return.status == ReturnStatus.ACCEPTED)
    ).all()
    actuals, records = [], []
    for return_id, award_id in accepted:
        rating = RATINGS[(return_id + award_id) % len(RATINGS)]
        actual = rng.randrange(5, 90)
        actuals.append({"return_id": return_id, "measure_id": measure_ids[award_id], "actual": actual})
        records.append(
            {
                "award_id": award_id,
                "return_id": return_id,
                "delivery_percent": 60 + return_id % 50,
                "spend_pence": 15_000_00,
                "profile_pence": 15_000_00,
                "days_late": 0,
                "delivery": rating,
                "spend": Rag.GREEN,
                "timeliness": Rag.GREEN,
                "overall": rating,
                "computed_at": now,
            }
        )
    db.session.execute(sa.insert(MeasureActual), actuals)
    db.session.execute(sa.insert(PerformanceRecord), records)
    db.session.commit()
    return [award["id"] for award in awards]


def first_organisation_ids(limit: int) -> list[int]:
    return list(db.session.scalars(sa.select(Organisation.id).order_by(Organisation.id).limit(limit)))
