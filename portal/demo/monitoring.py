"""Demonstration monitoring: two direct awards to real demo providers, measures on every approved award, and
each award's returns brought to a realistic state for the day the demo is loaded: earlier periods accepted and rated
(the latest of them within the last few months), and the latest return past its due date awaiting review on one award,
overdue on the next and queried on the third, in turn; a period that has ended but is not yet due is in progress.
Nothing is dated after the day of loading.

Deterministic and safe to run again, and touching only demo awards (portal/demo/registry.py): awards are found by
title, measures added only to awards without any, and
only returns still due are touched.
"""

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from portal.database import utcnow
from portal.demo.registry import demo_awards
from portal.demo.seed import DEMO_DOMAIN, SERVICES_FILE
from portal.extensions import db
from portal.models import (
    Award,
    AwardStatus,
    AwardYear,
    Fund,
    Measure,
    MeasureActual,
    MeasureBasis,
    Organisation,
    Return,
    ReturnQuery,
    ReturnStatus,
    ServiceArea,
    User,
)
from portal.monitoring.measures import generate_schedule
from portal.monitoring.performance import profile_pence, record_performance
from portal.monitoring.workflow import move_return
from portal.periods import financial_year_start, today_in_london
from portal.references import next_award_reference


@dataclass(frozen=True)
class DirectAward:
    service: str  # the row in commissioned_services_facts.csv
    organisation: str
    fund: str
    service_area: ServiceArea
    years: int
    description: str


DIRECT_AWARDS = (
    DirectAward(
        "London Victims and Witnesses Service",
        "Victim Support",
        "Victims' services",
        ServiceArea.VICTIM_SUPPORT,
        3,
        "An integrated London service for victims and witnesses of crime: needs assessment, emotional and practical "
        "support, and help through the criminal justice process.",
    ),
    DirectAward(
        "London Gang Exit Service",
        "Safer London",
        "VRU programmes",
        ServiceArea.VIOLENCE_REDUCTION,
        3,
        "One-to-one support for young Londoners aged 15 to 24 who want to leave gangs: mentoring, housing, "
        "education and employment.",
    ),
)

# (spend as a share of profile, delivery as a share of target, days submitted after the due date), in turn.
PATTERN = ((100, 100, -3), (70, 60, 20), (95, 92, -1), (80, 75, 5), (105, 110, -10))
# What becomes of each award's latest return past its due date, award by award in turn.
LATEST = ("awaiting_review", "overdue", "queried")


def load(today: date | None = None) -> str:
    today = today or today_in_london()
    officer = db.session.scalar(sa.select(User).where(User.email == f"officer@{DEMO_DOMAIN}"))
    added_awards = sum(_direct_award(spec, today, officer) for spec in DIRECT_AWARDS)
    awards = demo_awards(Award.status == AwardStatus.APPROVED)
    measures = returns_added = filled = 0
    for position, award in enumerate(awards):
        measures += _measures(award)
        returns_added += generate_schedule(award)
        db.session.flush()
        filled += _fill_returns(award, today, officer, LATEST[position % len(LATEST)])
    db.session.commit()
    return (
        f"Monitoring demo: {added_awards} direct awards, {measures} measures, {returns_added} returns scheduled and "
        f"{filled} returns filled in, across {len(awards)} approved awards."
    )


def _facts(service: str) -> dict:
    with SERVICES_FILE.open(newline="", encoding="utf-8") as handle:
        return next(row for row in csv.DictReader(handle) if row["service"] == service)


def _direct_award(spec: DirectAward, today: date, officer: User | None) -> int:
    fund = db.session.scalar(sa.select(Fund).where(Fund.name == spec.fund))
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == spec.organisation))
    if fund is None or organisation is None:
        return 0
    if db.session.scalar(
        sa.select(Award.id).where(Award.title == spec.service, Award.organisation_id == organisation.id)
    ):
        return 0
    facts = _facts(spec.service)
    total_pence = int(Decimal(facts["amount_gbp"]) * 100)
    # Spend figures are for one year; totals over several years are shared evenly, the odd pence in the first year.
    share, odd = divmod(total_pence, spec.years)
    amounts = (
        [total_pence] * spec.years
        if "spend" in facts["amount_basis"]
        else [share + (1 if year < odd else 0) for year in range(spec.years)]
    )
    first_year = financial_year_start(today) - 1
    award = Award(
        reference=next_award_reference(fund.code, first_year),
        fund=fund,
        organisation=organisation,
        title=spec.service,
        description=spec.description,
        start_date=date(first_year, 4, 1),
        end_date=date(first_year + spec.years, 3, 31),
        works_pan_london=True,
        status=AwardStatus.APPROVED,
        created_by=officer,
        approved_by=officer,
        approved_at=utcnow(),
        years=[AwardYear(financial_year=first_year + i, amount_pence=pence) for i, pence in enumerate(amounts)],
    )
    award.service_areas = [spec.service_area]
    db.session.add(award)
    db.session.flush()
    return 1


def _measures(award: Award) -> int:
    if db.session.scalar(sa.select(Measure.id).where(Measure.award_id == award.id).limit(1)):
        return 0
    yearly_pounds = max((year.amount_pence for year in award.years), default=0) // 100
    people = max(10, yearly_pounds // 2_000)  # about £2,000 a person helped, as a round number a year
    db.session.add_all(
        [
            Measure(award=award, name="People supported", unit="people", target=people, basis=MeasureBasis.YEAR),
            Measure(
                award=award,
                name="Sessions delivered",
                unit="sessions",
                target=max(6, people // 20),
                basis=MeasureBasis.QUARTER,
            ),
        ]
    )
    db.session.flush()
    return 2


def _submitter(award: Award) -> User | None:
    members = sorted(award.organisation.memberships, key=lambda m: m.user_id)
    return members[0].user if members else None


def _fill_returns(award: Award, today: date, officer: User | None, latest_becomes: str) -> int:
    returns = list(
        db.session.scalars(sa.select(Return).where(Return.award_id == award.id).order_by(Return.period_start))
    )
    past_due = [r for r in returns if r.due_on < today]
    ended = [r for r in returns if r.due_on >= today and r.period_end < today]
    measures = list(db.session.scalars(sa.select(Measure).where(Measure.award_id == award.id).order_by(Measure.id)))
    submitter = _submitter(award)
    # Nothing happens after the day the demo is loaded: a late submission or an acceptance that would fall later
    # is moved to the morning of that day.
    latest_moment = datetime.combine(today, time(9), tzinfo=UTC)
    filled = 0
    for position, return_ in enumerate(past_due):
        if return_.status is not ReturnStatus.DUE:
            continue
        latest = position == len(past_due) - 1
        if latest and latest_becomes == "overdue":
            continue
        spend_share, delivery_share, days = PATTERN[position % len(PATTERN)]
        _answer(return_, measures, spend_share, delivery_share)
        submitted_at = min(datetime.combine(return_.due_on + timedelta(days=days), time(10), tzinfo=UTC), latest_moment)
        return_.submitted_at = return_.first_submitted_at = submitted_at
        return_.submitted_by = submitter
        move_return(return_, ReturnStatus.SUBMITTED, actor=submitter)
        if latest and latest_becomes == "awaiting_review":
            pass
        elif latest:
            return_.queries.append(
                ReturnQuery(
                    question="Please tell us how the people supported this period were counted, and whether any "
                    "were also counted last period.",
                    asked_by=officer,
                )
            )
            move_return(return_, ReturnStatus.QUERIED, actor=officer)
        else:
            move_return(return_, ReturnStatus.ACCEPTED, actor=officer)
            return_.accepted_at = min(submitted_at + timedelta(days=7), latest_moment)
            return_.accepted_by = officer
            record_performance(return_, officer)
        filled += 1
    for return_ in ended:
        if return_.status is ReturnStatus.DUE:
            return_.spend_pence = profile_pence(return_) // 2
            return_.progress = "We are gathering the figures for this period."
            move_return(return_, ReturnStatus.IN_PROGRESS, actor=submitter)
            filled += 1
    return filled


def _answer(return_: Return, measures: list[Measure], spend_share: int, delivery_share: int) -> None:
    return_.spend_pence = profile_pence(return_) * spend_share // 100
    return_.people_helped = sum(m.target_for(return_.frequency.quarters) for m in measures[:1]) * delivery_share // 100
    for measure in measures:
        actual = measure.target_for(return_.frequency.quarters) * delivery_share // 100
        return_.actuals.append(MeasureActual(measure_id=measure.id, actual=actual))
    return_.progress = (
        "The service ran as planned across London. Referrals came mainly from the police, schools and the "
        "service's own outreach."
    )
    if not return_.is_short_form:
        return_.risks = "Recruiting and keeping specialist staff remains the main risk."
        return_.issues = "None this period." if spend_share >= 90 else "Two posts were vacant for part of the period."
        if delivery_share >= 100:
            return_.case_study = (
                "A young person referred after a stabbing was supported back into college and now mentors others."
            )
            return_.case_study_may_publish = True
