"""Named queries for follow-ups and the dialogue."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from portal.extensions import db
from portal.models import (
    Award,
    AwardStatus,
    DialogueThread,
    FollowUpReturn,
    Fund,
    Organisation,
    ThreadKind,
    ThreadStatus,
)
from portal.monitoring.kinds import shows, where_shown

PER_PAGE = 25

FOLLOW_UP_SHOW = shows("follow-ups")

INBOX_SHOW = {
    "open": "Waiting for a reply",
    "replied": "Replied",
    "closed": "Closed",
    "all": "All conversations",
}


def fetch_follow_up(follow_up_id: int) -> FollowUpReturn | None:
    return db.session.get(FollowUpReturn, follow_up_id)


def fetch_thread(thread_id: int) -> DialogueThread | None:
    return db.session.get(DialogueThread, thread_id)


def fetch_award_follow_ups(award: Award) -> list[FollowUpReturn]:
    return list(
        db.session.scalars(
            sa.select(FollowUpReturn).where(FollowUpReturn.award_id == award.id).order_by(FollowUpReturn.months_after)
        )
    )


def fetch_award_threads(award: Award) -> list[DialogueThread]:
    return list(
        db.session.scalars(
            sa.select(DialogueThread)
            .where(DialogueThread.award_id == award.id)
            .order_by(DialogueThread.last_message_at.desc(), DialogueThread.id.desc())
        )
    )


def fetch_funds() -> list[Fund]:
    return list(db.session.scalars(sa.select(Fund).order_by(Fund.name)))


@dataclass(frozen=True)
class FollowUpFilters:
    show: str = "open"
    fund_id: int | None = None


def fetch_follow_ups_page(filters: FollowUpFilters, page: int, today: date) -> Pagination:
    query = (
        sa.select(FollowUpReturn)
        .join(FollowUpReturn.award)
        .join(Award.organisation)
        .where(Award.status == AwardStatus.APPROVED)
    )
    query = where_shown(query, FollowUpReturn, filters.show, today)
    if filters.fund_id:
        query = query.where(Award.fund_id == filters.fund_id)
    query = query.order_by(FollowUpReturn.due_on, Organisation.name, FollowUpReturn.id)
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


@dataclass(frozen=True)
class InboxFilters:
    show: str = "open"
    kind: ThreadKind | None = None
    fund_id: int | None = None
    in_log: bool = False


def fetch_inbox_page(filters: InboxFilters, page: int) -> Pagination:
    query = (
        sa.select(DialogueThread)
        .join(DialogueThread.award)
        .join(Award.organisation)
        .where(Award.status == AwardStatus.APPROVED)
    )
    if filters.show in {status.value for status in ThreadStatus}:
        query = query.where(DialogueThread.status == ThreadStatus(filters.show))
    if filters.kind is not None:
        query = query.where(DialogueThread.kind == filters.kind)
    if filters.fund_id:
        query = query.where(Award.fund_id == filters.fund_id)
    if filters.in_log:
        query = query.where(DialogueThread.lesson_logged_at.is_not(None))
    # Oldest waiting first when looking at what needs a reply; otherwise the latest activity first.
    if filters.show == "open":
        query = query.order_by(DialogueThread.last_message_at.asc(), DialogueThread.id)
    else:
        query = query.order_by(DialogueThread.last_message_at.desc(), DialogueThread.id.desc())
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def count_open_threads() -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(DialogueThread.id))
            .join(DialogueThread.award)
            .where(Award.status == AwardStatus.APPROVED, DialogueThread.status == ThreadStatus.OPEN)
        )
        or 0
    )
