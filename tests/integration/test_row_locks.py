"""Two people changing the same record at the same moment are taken one after the other (``lock_row``), and a
clash the database refuses is rolled back whole and explained (``commit_or_refuse``).

Each action runs in its own thread with its own app context, so its own database session and connection, as two
web processes would. Both are held just after their checks, so without the lock both would pass them and both
would be written. On PostgreSQL the row is locked; on SQLite, which lets one writer at a time, the second waits
for the first rather than failing. The drawdown case is in test_drawdown_concurrency.py.
"""

import pytest
import sqlalchemy as sa

from portal.assessment import reviewers, reviews
from portal.assessment.reviews import ScoreEntry
from portal.awards import withdrawal
from portal.database import commit_or_refuse, lock_row
from portal.errors import DomainError
from portal.extensions import db
from portal.models import AuditEvent, Award, AwardStatus, ReviewAssignment, User
from tests.concurrency import at_once, held_after
from tests.factories_agreements import award_with_owner
from tests.factories_assessment import assign, bid_in_review, create_assessed_round, create_officer, create_reviewer

REASON = "The organisation has closed its Southwark project and cannot deliver the service."


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


@pytest.mark.commits
def test_two_officers_withdrawing_an_award_at_once_withdraw_it_once(app, monkeypatch):
    award, _ = award_with_owner()
    first, second = create_officer("Tom Brennan"), create_officer("Priya Shah")
    award_id, officer_ids = award.id, (first.id, second.id)
    db.session.commit()
    held_after(monkeypatch, withdrawal, "withdrawal_blocker")

    def withdraw(officer_id: int):
        return lambda: withdrawal.withdraw_award(
            db.session.get(Award, award_id), REASON, db.session.get(User, officer_id)
        )

    outcomes = at_once(app, *(withdraw(officer_id) for officer_id in officer_ids))

    assert sorted(outcomes, key=str) == [False, True], outcomes
    assert len(events("award.withdrawn")) == 1
    assert db.session.get(Award, award_id).status is AwardStatus.WITHDRAWN


@pytest.fixture
def assignment_in_review():
    officer = create_officer("Tom Brennan")
    grace = create_reviewer("Grace Mensah")
    application = bid_in_review(create_assessed_round(), officer)
    assignment = assign(application, grace, officer, declared=False)
    ids = assignment.id, officer.id, grace.id, [c.id for c in application.round.criteria]
    db.session.commit()
    return ids


@pytest.mark.commits
def test_a_reviewer_completing_while_an_officer_takes_them_off_cannot_both_succeed(
    app, monkeypatch, assignment_in_review
):
    assignment_id, officer_id, reviewer_id, criteria = assignment_in_review
    held_after(monkeypatch, reviewers, "unassign_blocker")
    held_after(monkeypatch, reviews, "fetch_criteria")
    entries = [ScoreEntry(criterion_id, 4, "Strong local partnerships") for criterion_id in criteria]

    def unassign():
        reviewers.unassign(db.session.get(ReviewAssignment, assignment_id), db.session.get(User, officer_id))
        return "taken off"

    def complete():
        assignment = db.session.get(ReviewAssignment, assignment_id)
        reviews.save_scores(assignment, entries, complete=True, actor=db.session.get(User, reviewer_id))
        return "completed"

    outcomes = set(at_once(app, unassign, complete))

    assert outcomes in (
        {"taken off", "You are no longer reviewing this bid"},
        {
            "completed",
            "Grace Mensah has completed their review, so it counts towards the bid's score and cannot be taken away",
        },
    ), outcomes
    db.session.expire_all()
    assignment = db.session.get(ReviewAssignment, assignment_id)
    assert (assignment.removed_at is None) != (assignment.completed_at is None)


@pytest.mark.commits
def test_lock_row_reads_the_row_afresh_and_gives_none_for_one_that_is_gone():
    award, _ = award_with_owner()
    award_id = award.id
    db.session.commit()
    assert db.session.get(Award, award_id).withdrawal_reason is None
    with db.engine.begin() as other:  # another request changes it after this one has read it
        other.execute(sa.update(Award).where(Award.id == award_id).values(withdrawal_reason="Changed elsewhere"))

    assert lock_row(Award, award_id).withdrawal_reason == "Changed elsewhere"
    db.session.rollback()
    assert lock_row(Award, award_id + 1000) is None


def test_on_sqlite_lock_row_refuses_once_something_has_been_changed():
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL locks the row inside the transaction as it is")
    award, _ = award_with_owner()
    award_id = award.id
    award.withdrawal_reason = "Not saved yet"
    with pytest.raises(RuntimeError, match="before anything is changed"):
        lock_row(Award, award_id)
    db.session.flush()  # written to the transaction, not yet committed: a rollback would lose it just the same
    with pytest.raises(RuntimeError, match="before anything is changed"):
        lock_row(Award, award_id)


def test_a_clash_at_a_flush_or_at_the_commit_rolls_everything_back_and_is_refused_in_words():
    taken = create_reviewer("Grace Mensah", "grace@example.org")
    taken_id = taken.id

    for flush_inside in (True, False):
        refused = pytest.raises(DomainError, match="Someone else took that address")
        with refused, commit_or_refuse("Someone else took that address at the same moment"):
            db.session.get(User, taken_id).full_name = "Changed"
            db.session.add(User(email="grace@example.org", full_name="Grace Two", password_hash="x"))
            if flush_inside:
                db.session.flush()

        assert db.session.get(User, taken_id).full_name == "Grace Mensah"  # the whole block was rolled back
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
