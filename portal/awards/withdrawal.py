"""Withdrawing an award: an officer stops an award before any of its money has gone out.

A withdrawn award never runs and the public never sees it. Its payments not yet released are cancelled, its
returns and follow-ups that nobody has started are removed (started ones stay, for the record), a variation
waiting for a decision is rejected, and the organisation's owners are told why. Once money has been released
the award cannot be withdrawn: an "end early" variation stops it instead.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from portal import caching
from portal.agreements.services import owners_of
from portal.awards.workflow import move_award, move_variation
from portal.database import lock_row, utcnow
from portal.directory import published
from portal.email.outbox import queue_email
from portal.errors import DomainError
from portal.extensions import db
from portal.models import (
    Award,
    AwardStatus,
    FollowUpReturn,
    Return,
    ReturnStatus,
    User,
    Variation,
    VariationStatus,
)
from portal.template_helpers import external_url, format_pence

WITHDRAWABLE = (AwardStatus.AWAITING_APPROVAL, AwardStatus.AWAITING_SECOND_APPROVAL, AwardStatus.APPROVED)
REASON_MAX_LENGTH = 2000


def _committed_pence(award: Award) -> int:
    return sum(instalment.amount_pence for instalment in award.instalments if instalment.status.committed)


def withdrawal_blocker(award: Award) -> str | None:
    """Why this award cannot be withdrawn, in words; ``None`` if it can."""
    if award.status is AwardStatus.WITHDRAWN:
        return "This award has already been withdrawn."
    if award.status not in WITHDRAWABLE:
        return f"This award is {award.status.label.lower()}, so it cannot be withdrawn."
    committed = _committed_pence(award)
    if committed:
        return (
            f"{format_pence(committed)} of this award has already been released or paid, so it cannot be withdrawn. "
            "To stop it, propose a variation to end it early instead."
        )
    return None


def _return_untouched(return_: Return) -> bool:
    """Due and never saved: nobody has typed anything into it."""
    return (
        return_.status is ReturnStatus.DUE
        and return_.first_submitted_at is None
        and return_.spend_pence is None
        and return_.people_helped is None
        and not return_.progress
        and not return_.risks
        and not return_.issues
        and not return_.case_study
        and not return_.actuals
    )


def _follow_up_untouched(follow_up: FollowUpReturn) -> bool:
    return (
        follow_up.status is ReturnStatus.DUE
        and follow_up.submitted_at is None
        and follow_up.service_running is None
        and not follow_up.funded_by
        and follow_up.people_helped_since is None
        and follow_up.outcomes_sustained is None
        and not follow_up.what_changed
        and not follow_up.lessons
    )


@dataclass(frozen=True)
class WithdrawalPreview:
    """What withdrawing the award would do, for the confirmation page."""

    payments_cancelled: int
    payments_cancelled_pence: int
    returns_removed: int
    returns_kept: int
    follow_ups_removed: int
    follow_ups_kept: int
    pending_variation: Variation | None
    owners: int


def _returns(award: Award) -> list[Return]:
    return list(db.session.scalars(sa.select(Return).where(Return.award_id == award.id).order_by(Return.period_start)))


def _follow_ups(award: Award) -> list[FollowUpReturn]:
    return list(db.session.scalars(sa.select(FollowUpReturn).where(FollowUpReturn.award_id == award.id)))


def _pending_variation(award: Award) -> Variation | None:
    return db.session.scalar(
        sa.select(Variation).where(Variation.award_id == award.id, Variation.status == VariationStatus.PROPOSED)
    )


def preview_withdrawal(award: Award) -> WithdrawalPreview:
    scheduled = [i for i in award.instalments if not i.status.committed]
    returns, follow_ups = _returns(award), _follow_ups(award)
    removed_returns = sum(_return_untouched(r) for r in returns)
    removed_follow_ups = sum(_follow_up_untouched(f) for f in follow_ups)
    return WithdrawalPreview(
        payments_cancelled=len(scheduled),
        payments_cancelled_pence=sum(i.amount_pence for i in scheduled),
        returns_removed=removed_returns,
        returns_kept=len(returns) - removed_returns,
        follow_ups_removed=removed_follow_ups,
        follow_ups_kept=len(follow_ups) - removed_follow_ups,
        pending_variation=_pending_variation(award),
        owners=len(owners_of(award.organisation_id)),
    )


def withdraw_award(award: Award, reason: str, actor: User) -> bool:
    """Withdraw the award, in one commit. Withdrawing it again (a double submit) changes nothing and returns
    False; raises ``DomainError`` if it cannot be withdrawn or no reason is given."""
    # Two officers withdrawing at once withdraw it once: the second waits, then sees it withdrawn.
    lock_row(Award, award.id)
    if award.status is AwardStatus.WITHDRAWN:
        return False
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Enter why the award is being withdrawn", "reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError(f"The reason must be {REASON_MAX_LENGTH:,} characters or fewer", "reason")
    blocker = withdrawal_blocker(award)
    if blocker:
        raise DomainError(blocker)

    now = utcnow()
    award.withdrawn_at, award.withdrawn_by, award.withdrawal_reason = now, actor, reason

    cancelled = [i for i in award.instalments if not i.status.committed]
    for instalment in cancelled:
        award.instalments.remove(instalment)
        db.session.delete(instalment)

    returns = _returns(award)
    removed_returns = [r for r in returns if _return_untouched(r)]
    for return_ in removed_returns:
        db.session.delete(return_)

    follow_ups = _follow_ups(award)
    removed_follow_ups = [f for f in follow_ups if _follow_up_untouched(f)]
    for follow_up in removed_follow_ups:
        db.session.delete(follow_up)

    pending = _pending_variation(award)
    if pending is not None:
        # The officer who proposed it may not decide it: then it is rejected by the withdrawal itself.
        pending.decided_by = actor if actor.id != pending.proposed_by_id else None
        pending.decided_at = now
        pending.decision_reason = f"The award was withdrawn: {reason}"
        move_variation(pending, VariationStatus.REJECTED, actor=actor, detail={"reason": pending.decision_reason})

    move_award(
        award,
        AwardStatus.WITHDRAWN,
        actor=actor,
        detail={
            "reason": reason,
            # Audit values are flat: each list is kept as text, as "label (due date): pence; ...".
            "instalments_cancelled": "; ".join(f"{i.label} ({i.due_on}): {i.amount_pence}" for i in cancelled),
            "instalments_cancelled_pence": sum(i.amount_pence for i in cancelled),
            "returns_removed": "; ".join(r.label for r in removed_returns),
            "returns_kept": "; ".join(r.label for r in returns if r not in removed_returns),
            "follow_ups_removed": "; ".join(f.label for f in removed_follow_ups),
            "follow_ups_kept": "; ".join(f.label for f in follow_ups if f not in removed_follow_ups),
        },
    )
    link = external_url("monitoring.organisation_award", organisation_id=award.organisation_id, award_id=award.id)
    for owner in owners_of(award.organisation_id):
        queue_email(owner.email, "award_withdrawn", award=award, owner=owner, reason=reason, link=link)
    published.changed(awards=[award.id], withdrawn=True)
    db.session.commit()
    # The public pages keep their figures for a few minutes: a withdrawn award must leave them now.
    caching.clear()
    return True
