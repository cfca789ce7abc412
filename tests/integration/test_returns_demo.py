"""The monitoring demo data: direct awards to real providers with returns at every stage, the same however many
times it is loaded."""

from datetime import date

import sqlalchemy as sa

from portal.demo import monitoring as demo_monitoring
from portal.demo import rounds as demo_rounds
from portal.demo.seed import load_demo_data
from portal.extensions import db
from portal.models import AuditEvent, Award, Measure, PerformanceRecord, Return, ReturnStatus
from tests.factories_monitoring import create_award

TODAY = date(2026, 11, 22)


def counts():
    return (
        db.session.scalar(sa.select(sa.func.count(Award.id))),
        db.session.scalar(sa.select(sa.func.count(Measure.id))),
        db.session.scalar(sa.select(sa.func.count(Return.id))),
        db.session.scalar(sa.select(sa.func.count(PerformanceRecord.id))),
        db.session.scalar(sa.select(sa.func.count(AuditEvent.id))),
    )


def test_the_demo_adds_direct_awards_with_returns_at_every_stage_and_loading_it_again_changes_nothing():
    load_demo_data()
    demo_rounds.load(TODAY)
    create_award()  # an approved award from elsewhere gets measures and returns too
    summary = demo_monitoring.load(TODAY)
    assert summary.startswith("Monitoring demo: 2 direct awards")
    first = counts()

    assert demo_monitoring.load(TODAY).startswith("Monitoring demo: 0 direct awards, 0 measures, 0 returns")
    assert counts() == first

    victims = db.session.scalar(sa.select(Award).where(Award.title == "London Victims and Witnesses Service"))
    assert victims.organisation.name == "Victim Support" and victims.fund.name == "Victims' services"
    assert victims.application_id is None
    assert [(y.financial_year, y.amount_pence) for y in victims.years] == [
        (2025, 5_100_000_00),
        (2026, 5_100_000_00),
        (2027, 5_100_000_00),
    ]
    statuses = [r.status for r in db.session.scalars(sa.select(Return).where(Return.award_id == victims.id))]
    assert {ReturnStatus.ACCEPTED, ReturnStatus.SUBMITTED, ReturnStatus.DUE} <= set(statuses)
    records = db.session.scalars(sa.select(PerformanceRecord).where(PerformanceRecord.award_id == victims.id))
    assert {record.overall.value for record in records} >= {"green", "red"}


def test_the_demo_skips_direct_awards_when_the_funds_are_missing():
    load_demo_data()
    assert demo_monitoring.load(TODAY).startswith("Monitoring demo: 0 direct awards")
