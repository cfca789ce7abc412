"""Awards, variations and organisations change status only through their declared moves."""

import pytest

from portal.awards.workflow import AWARDS, VARIATIONS
from portal.errors import DomainError
from portal.models import Award, AwardStatus, Organisation, OrganisationStatus, Variation, VariationStatus
from portal.organisations.services import ORGANISATIONS


def test_a_withdrawn_award_cannot_be_approved_and_an_approved_one_cannot_await_approval_again():
    for start, to in [
        (AwardStatus.WITHDRAWN, AwardStatus.APPROVED),
        (AwardStatus.APPROVED, AwardStatus.AWAITING_APPROVAL),
    ]:
        award = Award(status=start)
        with pytest.raises(DomainError, match=f"An? award that is {start.label.lower()} cannot become"):
            AWARDS.move(award, to, actor=None)
        assert award.status is start


def test_every_award_status_but_withdrawn_can_be_withdrawn_and_decided_variations_stay_decided():
    assert {start for (start, to) in AWARDS.transitions if to is AwardStatus.WITHDRAWN} == {
        AwardStatus.AWAITING_APPROVAL,
        AwardStatus.AWAITING_SECOND_APPROVAL,
        AwardStatus.APPROVED,
    }
    assert VARIATIONS.allowed_next(VariationStatus.APPROVED) == []
    assert VARIATIONS.allowed_next(VariationStatus.REJECTED) == []
    with pytest.raises(DomainError):
        VARIATIONS.move(Variation(status=VariationStatus.REJECTED), VariationStatus.APPROVED, actor=None)


def test_an_active_organisation_cannot_go_back_to_awaiting_verification():
    assert ORGANISATIONS.allowed_next(OrganisationStatus.ACTIVE) == []
    with pytest.raises(DomainError, match="organisation that is active cannot become awaiting verification"):
        ORGANISATIONS.move(
            Organisation(status=OrganisationStatus.ACTIVE), OrganisationStatus.AWAITING_VERIFICATION, actor=None
        )
