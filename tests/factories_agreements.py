"""Factories for awards with accepted grant agreements and their payments, committed."""

from datetime import date

from portal.agreements.services import (
    Acceptance,
    Payment,
    accept_agreement,
    record_payment,
    release_instalment,
    today,
)
from portal.extensions import db
from portal.models import Award, Instalment, MembershipRole, User
from tests.factories import create_member
from tests.factories_monitoring import create_award


def award_with_owner(**award_fields) -> tuple[Award, User]:
    award = create_award(**award_fields)
    owner = create_member(award.organisation, MembershipRole.OWNER, full_name="Helen Price")
    return award, owner


def accept(award: Award, owner: User) -> Award:
    accept_agreement(award, Acceptance("Helen Price", "Chief executive", True), owner)
    db.session.refresh(award)
    return award


def accepted_award(**award_fields) -> tuple[Award, User]:
    award, owner = award_with_owner(**award_fields)
    return accept(award, owner), owner


def pay(instalment: Instalment, officer: User, paid_on: date | None = None, reference: str = "BACS-0001") -> None:
    release_instalment(instalment, officer)
    record_payment(instalment, Payment(paid_on or today(), reference), officer)
