"""Demonstration agreements and payments: every approved award's grant agreement accepted and its past payments
made, the latest released; one more direct award to Victim Support waiting for its agreement to be accepted; and
one variation proposed by officer@ for officer2@ to decide.

Deterministic and safe to run again, and touching only demo awards (portal/demo/registry.py): agreements are made
only for awards without one, payments only moved on from
scheduled, the new award found by title and the variation made only if the award has none.
"""

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from portal.agreements.services import Acceptance, accept_agreement, amounts_of, today
from portal.agreements.variations import Proposal, propose_variation
from portal.awards.services import AwardDetails, create_direct_award
from portal.demo.registry import demo_awards, is_demo_award
from portal.demo.seed import DEMO_DOMAIN
from portal.extensions import db
from portal.models import (
    Award,
    AwardStatus,
    Fund,
    InstalmentStatus,
    Membership,
    MembershipRole,
    Organisation,
    ServiceArea,
    User,
    Variation,
    VariationKind,
)
from portal.monitoring.measures import generate_schedule
from portal.periods import financial_year_start

AWAITING_TITLE = "Domestic abuse advocacy at the Central Family Court"
AWAITING_ORGANISATION = "Victim Support"
VARIED_TITLE = "London Gang Exit Service"
# Who signed for each demo provider; providers with no demo login signed on paper, recorded by an officer.
SIGNATORIES = {"Victim Support": ("Helen Price", "Chief executive")}
DEFAULT_SIGNATORY = ("Jordan Ellis", "Director of services")


def load(on: date | None = None) -> str:
    on = on or today()
    officer = _user(f"officer@{DEMO_DOMAIN}")
    accepted = paid = 0
    for award in demo_awards(Award.status == AwardStatus.APPROVED):
        if award.title == AWAITING_TITLE:
            continue
        if award.agreement is None:
            _accept(award)
            accepted += 1
        paid += _pay(award, on, officer)
    added = _awaiting_award(on, officer)
    proposed = _variation(officer)
    return (
        f"Agreements demo: {accepted} agreements accepted, {paid} payments made, {added} award waiting for its "
        f"agreement and {proposed} variation waiting for approval."
    )


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _owner(award: Award) -> User | None:
    return db.session.scalar(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == award.organisation_id, Membership.role == MembershipRole.OWNER)
        .order_by(User.id)
        .limit(1)
    )


def _accept(award: Award) -> None:
    owner = _owner(award)
    if award.organisation.name in SIGNATORIES:
        name, job_title = SIGNATORIES[award.organisation.name]
    elif owner is not None:
        name, job_title = owner.full_name, "Chief executive"
    else:
        name, job_title = DEFAULT_SIGNATORY
    agreement = accept_agreement(award, Acceptance(name, job_title, True), owner)
    # Accepted before the award began, as an organisation would, but never later than now.
    agreement.accepted_at = min(
        datetime.combine(award.start_date - timedelta(days=14), time(11), tzinfo=UTC), agreement.accepted_at
    )
    db.session.commit()


def _pay(award: Award, on: date, officer: User | None) -> int:
    """Pay every instalment already due, in turn, except the latest, which is released and waiting to be paid."""
    due = [i for i in award.instalments if i.due_on <= on]
    paid = 0
    for position, instalment in enumerate(due):
        if instalment.status is not InstalmentStatus.SCHEDULED:
            continue
        released_at = datetime.combine(instalment.due_on - timedelta(days=5), time(9), tzinfo=UTC)
        instalment.status, instalment.released_at, instalment.released_by = (
            InstalmentStatus.RELEASED,
            released_at,
            officer,
        )
        if position < len(due) - 1:
            instalment.status = InstalmentStatus.PAID
            instalment.paid_on = instalment.due_on
            instalment.payment_reference = f"BACS-{instalment.due_on:%Y%m}-{instalment.id:05d}"
            instalment.paid_recorded_at, instalment.paid_recorded_by = released_at + timedelta(days=5), officer
            paid += 1
    db.session.commit()
    return paid


def _awaiting_award(on: date, officer: User | None) -> int:
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == AWAITING_ORGANISATION))
    fund = db.session.scalar(sa.select(Fund).where(Fund.name == "Victims' services"))
    if organisation is None or fund is None or officer is None:
        return 0
    if demo_awards(Award.title == AWAITING_TITLE):
        return 0
    year = financial_year_start(on)
    start = date(year, 10, 1) if on < date(year, 10, 1) else date(year + 1, 4, 1)
    first = financial_year_start(start)
    award = create_direct_award(
        fund.id,
        organisation.id,
        AwardDetails(
            title=AWAITING_TITLE,
            description="Independent domestic violence advocates at the Central Family Court, supporting victims "
            "through family court hearings and safety planning.",
            start_date=start,
            end_date=date(first + 3, 3, 31),
            works_pan_london=True,
            service_areas=[ServiceArea.VICTIM_SUPPORT, ServiceArea.VAWG],
            amounts={first: 24_000_00, first + 1: 36_000_00, first + 2: 36_000_00},
        ),
        officer,
    )
    # Made here rather than by the queued job, so that loading the demo again finds nothing left to add.
    generate_schedule(award)
    db.session.commit()
    return 1


def _variation(officer: User | None) -> int:
    award = db.session.scalar(sa.select(Award).where(is_demo_award(), Award.title == VARIED_TITLE))
    if award is None or officer is None:
        return 0
    if db.session.scalar(sa.select(Variation.id).where(Variation.award_id == award.id).limit(1)):
        return 0
    current = amounts_of(award)
    last = max(current)
    amounts: dict[int, int | None] = {**current, last + 1: current[last] // 2}
    propose_variation(
        award,
        Proposal(
            kind=VariationKind.EXTEND,
            end_date=date(last + 1, 9, 30),
            amounts=amounts,
            reason="Six more months while the re-procured gang exit service is mobilised, so that young people "
            "already on the programme are not left without support.",
        ),
        officer,
    )
    return 1
