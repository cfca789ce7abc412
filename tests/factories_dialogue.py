"""Factories for awards that have ended, conversations and case studies, committed."""

from datetime import date

import sqlalchemy as sa

from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    Award,
    DialogueMessage,
    DialogueThread,
    FollowUpReturn,
    Organisation,
    Return,
    ReturnStatus,
    ThreadKind,
    User,
)
from tests.factories_monitoring import create_award, first_return


def create_ended_award(organisation: Organisation | None = None, *, end: date = date(2025, 3, 31), **fields) -> Award:
    """An approved award of two years that ended on ``end`` (31 March 2025 unless told), with its follow-ups:
    the 6-month one opens on 30 September 2025 and is due on 30 October 2025."""
    start = date(end.year - 2, end.month, 1) if end.month != 3 else date(end.year - 2, 4, 1)
    return create_award(organisation, start=start, end=end, **fields)


def follow_ups(award: Award) -> list[FollowUpReturn]:
    return list(
        db.session.scalars(
            sa.select(FollowUpReturn).where(FollowUpReturn.award_id == award.id).order_by(FollowUpReturn.months_after)
        )
    )


def create_thread(
    award: Award,
    author: User,
    *,
    subject: str = "Referrals from schools have dropped",
    body: str = "Since the summer, schools refer fewer young people.",
    kind: ThreadKind = ThreadKind.FEEDBACK,
) -> DialogueThread:
    thread = DialogueThread(
        award=award,
        kind=kind,
        subject=subject,
        started_by=author,
        messages=[DialogueMessage(body=body, author=author)],
    )
    db.session.add(thread)
    db.session.commit()
    return thread


def accepted_case_study_return(
    award: Award,
    *,
    story: str = "A young man referred after a stabbing went back to college. He now mentors others.",
    agreed: bool = True,
    status: ReturnStatus = ReturnStatus.ACCEPTED,
    issues: str | None = None,
) -> Return:
    """The award's first return, filled in with a case study and moved straight to ``status``."""
    return_ = first_return(award)
    return_.spend_pence, return_.people_helped, return_.progress = 10_000_00, 40, "Sessions ran every week."
    return_.case_study, return_.case_study_may_publish, return_.issues = story, agreed, issues
    return_.status = status
    if status in (ReturnStatus.SUBMITTED, ReturnStatus.QUERIED, ReturnStatus.ACCEPTED):
        return_.submitted_at = return_.first_submitted_at = utcnow()
    if status is ReturnStatus.ACCEPTED:
        return_.accepted_at = utcnow()
    db.session.commit()
    return return_
