"""What the funds-and-rounds tests share: form payloads as a browser would send them, and dated rounds."""

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from portal.database import utcnow
from portal.extensions import db
from portal.models import AuditEvent, StaffRole
from portal.models.funding import Round
from portal.rounds.fields import london_datetime, london_parts, time_text
from portal.rounds.windows import london_date
from tests.factories import create_user
from tests.factories_funding import create_criterion, create_fund, create_round


def today() -> date:
    return london_date(utcnow())


def parts(day: date) -> list[str]:
    """A date as the three boxes of the GOV.UK date input send it."""
    return [str(day.day), str(day.month), str(day.year)]


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return london_datetime(day, time(hour, minute))


def create_officer(**fields):
    return create_user(staff_role=StaffRole.GRANT_OFFICER, **fields)


def round_form(fund, *, opens: date | None = None, closes: date | None = None, **overrides) -> dict:
    """A valid new-round form: opening in three weeks, open for ten weeks, unless told otherwise."""
    opens = opens or today() + timedelta(days=21)
    closes = closes or opens + timedelta(days=70)
    data = {
        "fund_id": str(fund.id),
        "title": "Safer streets after school",
        "description": "Projects that keep young people safe on the way home from school.",
        "budget_pence": "500,000",
        "min_request_pence": "5000",
        "max_request_pence": "£150,000",
        "small_bid_threshold_pence": "25000",
        "min_duration_months": "36",
        "max_duration_months": "48",
        "opens_on": parts(opens),
        "opens_time": "9am",
        "closes_on": parts(closes),
        "closes_time": "midday",
        "decision_expected_on": parts(closes + timedelta(days=60)),
        "minimum_window_working_days": "30",
    }
    data.update(overrides)
    return data


def form_for(round_: Round, **overrides) -> dict:
    """The edit form as it arrives when the officer changes only ``overrides``."""
    opens_on, opens_time = london_parts(round_.opens_at)
    closes_on, closes_time = london_parts(round_.closes_at)
    data = {
        "fund_id": str(round_.fund_id),
        "title": round_.title,
        "description": round_.description,
        "budget_pence": str(round_.budget_pence // 100),
        "min_request_pence": str(round_.min_request_pence // 100),
        "max_request_pence": str(round_.max_request_pence // 100),
        "small_bid_threshold_pence": str(round_.small_bid_threshold_pence // 100),
        "min_duration_months": str(round_.min_duration_months),
        "max_duration_months": str(round_.max_duration_months),
        "opens_on": parts(opens_on),
        "opens_time": time_text(opens_time),
        "closes_on": parts(closes_on),
        "closes_time": time_text(closes_time),
        "decision_expected_on": parts(round_.decision_expected_on),
        "minimum_window_working_days": str(round_.minimum_window_working_days),
        "borough_ids": [str(la.id) for la in round_.boroughs],
        "short_window_reason": round_.short_window_reason or "",
    }
    data.update(overrides)
    return data


def draft_round(fund=None, *, opens: date | None = None, closes: date | None = None, criteria: bool = True, **fields):
    """A draft round opening in three weeks for ten weeks, with a criterion so that it can be published."""
    opens = opens or today() + timedelta(days=21)
    closes = closes or opens + timedelta(days=70)
    round_ = create_round(
        fund or create_fund(), opens_at=at(opens), closes_at=at(closes, 12), published=False, **fields
    )
    if criteria:
        create_criterion(round_, "Need", weight=1)
    return round_


def upcoming_round(fund=None, **fields) -> Round:
    opens = today() + timedelta(days=30)
    round_ = create_round(
        fund or create_fund(), opens_at=at(opens), closes_at=at(opens + timedelta(days=70), 12), **fields
    )
    round_.published_at = utcnow() - timedelta(days=1)
    db.session.commit()
    return round_


def closed_round(fund=None, *, days_ago: int = 28, **fields) -> Round:
    closes = today() - timedelta(days=days_ago)
    return create_round(
        fund or create_fund(), opens_at=at(closes - timedelta(days=70)), closes_at=at(closes, 12), **fields
    )


def audit_actions(subject) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.subject_type == type(subject).__tablename__, AuditEvent.subject_id == subject.id)
            .order_by(AuditEvent.id)
        )
    )


def last_audit(action: str) -> AuditEvent:
    return db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc()))


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))
