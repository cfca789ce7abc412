"""Variations: an officer proposes to extend an award, change its amounts or end it early, with a reason; a
different officer approves or rejects it, with a reason. On approval the award changes, its unpaid instalments are
worked out again (released and paid ones never change) and its schedule of returns is brought into line."""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from portal import audit, jobs
from portal.agreements.services import amounts_of, committed_by_year, owners_of, schedule_instalments
from portal.awards.workflow import move_variation
from portal.database import commit_or_refuse, utcnow
from portal.directory import published
from portal.email.outbox import queue_email
from portal.errors import DomainError, raise_if_any
from portal.extensions import db
from portal.models import Award, AwardStatus, AwardYear, User, Variation, VariationKind, VariationStatus
from portal.periods import financial_year_label, financial_years_between
from portal.template_helpers import external_url, format_date, format_pence

EXTRA_YEARS_FOR_EXTENSION = 3


@dataclass
class Proposal:
    kind: VariationKind
    end_date: date | None
    amounts: dict[int, int | None] = field(default_factory=dict)  # financial year → pence; None or 0: nothing
    reason: str = ""


def fetch_variation(variation_id: int) -> Variation | None:
    return db.session.get(Variation, variation_id)


def pending_variation(award: Award) -> Variation | None:
    return next((v for v in award.variations if v.status is VariationStatus.PROPOSED), None)


def years_for(award: Award, kind: VariationKind) -> list[int]:
    """The financial years the proposal form asks amounts for."""
    years = set(financial_years_between(award.start_date, award.end_date)) | set(amounts_of(award))
    if kind is VariationKind.EXTEND:
        last = max(years)
        years.update(range(last + 1, last + 1 + EXTRA_YEARS_FOR_EXTENSION))
    return sorted(years)


def proposal_blocker(award: Award) -> str | None:
    if award.status is not AwardStatus.APPROVED:
        return "Only an approved award can be varied."
    pending = pending_variation(award)
    if pending is not None:
        return "This award already has a variation waiting for approval. Decide that one first."
    return None


def _check(award: Award, proposal: Proposal, *, on_approval: bool = False) -> tuple[date, dict[int, int]]:
    """Every problem with the proposal at once; otherwise the new end date and amounts."""
    problems: list[DomainError] = []
    kind = proposal.kind
    end = award.end_date if kind is VariationKind.CHANGE_AMOUNT else proposal.end_date
    if not on_approval and not (proposal.reason or "").strip():
        problems.append(DomainError("Give the reason for this variation", "reason"))
    if end is None:
        problems.append(DomainError("Enter the new end date", "end_date"))
    elif kind is VariationKind.EXTEND and end <= award.end_date:
        problems.append(
            DomainError(
                f"The new end date must be after the current end date, {format_date(award.end_date)}", "end_date"
            )
        )
    elif kind is VariationKind.END_EARLY and end >= award.end_date:
        problems.append(
            DomainError(
                f"The new end date must be before the current end date, {format_date(award.end_date)}", "end_date"
            )
        )
    elif end < award.start_date:
        problems.append(
            DomainError(
                f"The new end date cannot be before the start date, {format_date(award.start_date)}", "end_date"
            )
        )
    valid_end = end if end is not None and not any(p.field == "end_date" for p in problems) else None
    covered = set(financial_years_between(award.start_date, valid_end)) if valid_end else None
    committed = committed_by_year(award)
    amounts: dict[int, int] = {}
    for year, amount in sorted(proposal.amounts.items()):
        label = financial_year_label(year)
        name = f"amount_{year}"
        if amount is not None and amount < 0:
            problems.append(DomainError(f"The amount for {label} cannot be negative", name))
            continue
        if amount and covered is not None and year not in covered:
            problems.append(DomainError(f"{label} is outside the award's new dates: leave it empty", name))
            continue
        if committed.get(year, 0) > (amount or 0):
            problems.append(
                DomainError(
                    f"{format_pence(committed[year])} has already been released or paid for {label}, so the amount "
                    "cannot be less than that",
                    name,
                )
            )
            continue
        if amount:
            amounts[year] = amount
    for year, pence in committed.items():
        if year not in proposal.amounts and pence:
            label = financial_year_label(year)
            problems.append(DomainError(f"{format_pence(pence)} has already been released or paid for {label}"))
    if not problems and sum(amounts.values()) <= 0:
        first = min(proposal.amounts) if proposal.amounts else None
        problems.append(DomainError("Enter the amount for at least one year", f"amount_{first}" if first else None))
    if not problems and valid_end == award.end_date and amounts == amounts_of(award):
        problems.append(DomainError("This variation changes nothing: change the end date or an amount"))
    raise_if_any(problems)
    assert valid_end is not None  # a missing or wrong end date is one of the problems raised above
    return valid_end, amounts


def propose_variation(award: Award, proposal: Proposal, actor: User) -> Variation:
    blocker = proposal_blocker(award)
    if blocker:
        raise DomainError(blocker)
    end, amounts = _check(award, proposal)
    variation = Variation(
        award=award,
        kind=proposal.kind,
        reason=proposal.reason.strip(),
        end_date_before=award.end_date,
        end_date_after=end,
        amounts_before=Variation.amounts_json(amounts_of(award)),
        amounts_after=Variation.amounts_json(amounts),
        proposed_by=actor,
        proposed_at=utcnow(),
    )
    with commit_or_refuse("Another variation of this award was proposed at the same moment. Decide that one first."):
        db.session.add(variation)
        audit.record(
            "variation.proposed",
            variation,
            before={"end_date": award.end_date, "total_pence": award.total_pence},
            after={
                "kind": proposal.kind,
                "end_date": end,
                "total_pence": sum(amounts.values()),
                "reason": variation.reason,
            },
            organisation_id=award.organisation_id,
            actor=actor,
        )
    return variation


def decision_blocker(variation: Variation, officer: User) -> str | None:
    if variation.status is not VariationStatus.PROPOSED:
        return f"This variation has already been {variation.status.value}."
    if officer.id == variation.proposed_by_id:
        return "You proposed this variation, so a different grant officer must approve or reject it."
    return None


def decide_variation(variation: Variation, approve: bool, reason: str, actor: User) -> bool:
    """Approve (and apply) or reject a proposed variation. Deciding it again changes nothing (returns False)."""
    if variation.status is not VariationStatus.PROPOSED:
        return False
    blocker = decision_blocker(variation, actor)
    if blocker:
        raise DomainError(blocker)
    reason = (reason or "").strip()
    if not approve and not reason:
        raise DomainError("Give the reason for rejecting this variation", "decision_reason")
    award = variation.award
    if approve:
        # The award's payments may have moved on since the proposal: check it against them again.
        _check(
            award,
            Proposal(variation.kind, variation.end_date_after, dict(variation.after), variation.reason),
            on_approval=True,
        )
    variation.decided_by, variation.decided_at = actor, utcnow()
    variation.decision_reason = reason or None
    decided = VariationStatus.APPROVED if approve else VariationStatus.REJECTED
    move_variation(variation, decided, actor=actor, detail={"reason": reason})
    if approve:
        try:
            _apply(award, variation, actor)
        except DomainError:
            db.session.rollback()
            raise
        link = external_url("monitoring.organisation_award", organisation_id=award.organisation_id, award_id=award.id)
        for owner in owners_of(award.organisation_id):
            queue_email(owner.email, "variation_approved", award=award, variation=variation, link=link)
    db.session.commit()
    return True


def _apply(award: Award, variation: Variation, actor: User) -> None:
    before = {"end_date": award.end_date, **{f"amount_{y}": p for y, p in amounts_of(award).items()}}
    award.end_date = variation.end_date_after
    after_amounts = variation.after
    # Change rows in place: the (award, year) key would refuse a delete and insert of one year in one flush.
    for year_row in list(award.years):
        if year_row.financial_year in after_amounts:
            year_row.amount_pence = after_amounts[year_row.financial_year]
        else:
            award.years.remove(year_row)
    existing = {y.financial_year for y in award.years}
    for year, pence in sorted(after_amounts.items()):
        if year not in existing:
            award.years.append(AwardYear(financial_year=year, amount_pence=pence))
    db.session.flush()
    audit.record(
        "award.varied",
        award,
        before=before,
        after={"end_date": award.end_date, **{f"amount_{y}": p for y, p in after_amounts.items()}},
        organisation_id=award.organisation_id,
        actor=actor,
    )
    if award.agreement is not None:
        schedule_instalments(award, actor)
    jobs.enqueue("workers.monitoring.generate_return_schedule", award.id)
    published.changed(awards=[award.id])  # published amounts and dates have changed


def fetch_variations(award: Award) -> list[Variation]:
    return list(db.session.scalars(sa.select(Variation).where(Variation.award_id == award.id).order_by(Variation.id)))
