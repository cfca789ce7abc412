"""The demo is alive on whatever day it is loaded: some returns due, some overdue, some awaiting review, recent
ratings, and nothing dated after that day."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from portal.demo.registry import demo_award_ids
from portal.demo.seed import load_all_demo_data
from portal.extensions import db
from portal.models import Return, ReturnStatus

OPEN = (ReturnStatus.DUE, ReturnStatus.IN_PROGRESS)


def _returns() -> list[Return]:
    return list(db.session.scalars(sa.select(Return).where(Return.award_id.in_(demo_award_ids()))))


@pytest.mark.parametrize(
    "day",
    [date(2026, 5, 15), date(2027, 2, 3), date(2028, 8, 20)],
    ids=["spring", "winter", "two-years-on"],
)
@pytest.mark.long
def test_the_demo_loaded_on_any_day_has_returns_due_overdue_awaiting_review_and_recently_rated(day):
    with time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=UTC), tick=False):
        load_all_demo_data()
        returns = _returns()
        end_of_day = datetime(day.year, day.month, day.day, 23, 59, tzinfo=UTC)

        assert any(r.status in OPEN and r.due_on >= day for r in returns), "no return due"
        assert any(r.status in OPEN and r.due_on < day for r in returns), "no return overdue"
        assert any(r.status is ReturnStatus.SUBMITTED for r in returns), "no return awaiting review"
        assert any(r.status is ReturnStatus.QUERIED for r in returns), "no return queried"
        accepted = [r.accepted_at for r in returns if r.status is ReturnStatus.ACCEPTED]
        assert accepted and max(accepted) >= end_of_day - timedelta(days=120), "no recent rating"
        assert all(r.submitted_at <= end_of_day for r in returns if r.submitted_at), "a submission in the future"
        assert all(moment <= end_of_day for moment in accepted), "an acceptance in the future"
        # Most services are not overdue: the demo is not a wall of late returns.
        overdue_awards = {r.award_id for r in returns if r.status in OPEN and r.due_on < day}
        assert len(overdue_awards) < len({r.award_id for r in returns}) / 2


@pytest.mark.long
def test_loading_the_demo_again_the_same_day_changes_no_return():
    with time_machine.travel(datetime(2027, 2, 3, 12, tzinfo=UTC), tick=False):
        load_all_demo_data()
        before = {(r.id, r.status, r.submitted_at, r.accepted_at) for r in _returns()}
        load_all_demo_data()
        db.session.expire_all()
        assert {(r.id, r.status, r.submitted_at, r.accepted_at) for r in _returns()} == before
