"""The assessment demo data: the closed round's bids at every stage, the same however many times it is loaded."""

from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from portal.database import utcnow
from portal.demo import assessment as demo_assessment
from portal.demo.seed import load_demo_data
from portal.extensions import db
from portal.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    Award,
    AwardStatus,
    Decision,
    DecisionOutcome,
    Moderation,
    ReviewAssignment,
    Score,
    User,
)
from tests.factories_assessment import create_bid
from tests.factories_funding import create_criterion, create_fund, create_round

S = ApplicationStatus


def closed_round_with_bids(amounts: list[tuple[int, ...]]):
    now = utcnow()
    round_ = create_round(
        create_fund("VRU programmes", code="VRU"),
        title="After-school and holiday programmes for young people",
        opens_at=now - timedelta(days=90),
        closes_at=now - timedelta(days=28),
    )
    for name in ("Need and evidence", "Delivery and experience", "Value for money"):
        create_criterion(round_, name, weight=3, max_score=5)
    for number, amount in enumerate(amounts):
        create_bid(round_, organisation_name=f"Demo organisation {number}", amounts_pence=amount)
    return round_


def counts() -> dict:
    return {
        "statuses": Counter(db.session.scalars(sa.select(Application.status))),
        "assignments": db.session.scalar(sa.select(sa.func.count()).select_from(ReviewAssignment)),
        "scores": db.session.scalar(sa.select(sa.func.count()).select_from(Score)),
        "moderations": db.session.scalar(sa.select(sa.func.count()).select_from(Moderation)),
        "decisions": Counter(db.session.scalars(sa.select(Decision.outcome))),
        "awards": Counter(db.session.scalars(sa.select(Award.status))),
        "audit": db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)),
    }


def test_the_demo_takes_the_closed_rounds_bids_through_every_stage_and_is_the_same_when_run_twice():
    load_demo_data()
    closed_round_with_bids(
        [(150_000_00, 100_000_00), (40_000_00, 40_000_00)] + [(20_000_00, 20_000_00)] * 6,
    )

    first = demo_assessment.load()  # as `flask demo load` runs it: an app context, no request
    after_first = counts()
    second = demo_assessment.load()

    assert "Left as they were" not in first, first
    assert after_first == counts()
    assert second.startswith("Assessment demo: 0 steps taken and 0 awards added")
    assert after_first["statuses"] == {S.DECIDED: 4, S.MODERATED: 1, S.IN_REVIEW: 2, S.SCREENING: 1}
    assert after_first["decisions"] == {DecisionOutcome.FUND: 2, DecisionOutcome.DECLINE: 1, DecisionOutcome.RESERVE: 1}
    assert after_first["awards"] == {AwardStatus.AWAITING_SECOND_APPROVAL: 1, AwardStatus.APPROVED: 1}
    waiting = db.session.scalar(sa.select(Award).where(Award.status == AwardStatus.AWAITING_SECOND_APPROVAL))
    assert waiting.total_pence == 250_000_00
    officer2 = db.session.scalar(sa.select(User).where(User.email == "officer2@demo.example.org"))
    assert waiting.approved_by_id != officer2.id
    reviewers = set(db.session.scalars(sa.select(ReviewAssignment.reviewer_id)))
    assert {u.email for u in db.session.scalars(sa.select(User).where(User.id.in_(reviewers)))} == {
        "reviewer@demo.example.org",
        "reviewer2@demo.example.org",
    }
    declined = db.session.scalar(sa.select(Decision).where(Decision.outcome == DecisionOutcome.DECLINE))
    assert "We would welcome a bid to a future round" in declined.feedback


def test_the_demo_does_nothing_without_a_closed_round():
    load_demo_data()
    now = utcnow()
    round_ = create_round(opens_at=now - timedelta(days=5), closes_at=now + timedelta(days=30))
    create_bid(round_)

    assert demo_assessment.load() == "Assessment demo: skipped (no closed round with bids)."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0
