"""An award's and a variation's status move only through the transitions declared here, each with its audit event.

An award is set up awaiting approval and approved at once by the officer who sets it up; over the second-approver
threshold it then waits for a different officer. Any of those may be withdrawn before money is released.
"""

from portal.models import AwardStatus, VariationStatus
from portal.workflow import Workflow

A = AwardStatus

AWARDS = Workflow(
    {
        (A.AWAITING_APPROVAL, A.APPROVED): "award.approved",
        (A.AWAITING_APPROVAL, A.AWAITING_SECOND_APPROVAL): "award.approved",
        (A.AWAITING_SECOND_APPROVAL, A.APPROVED): "award.second_approved",
        (A.AWAITING_APPROVAL, A.WITHDRAWN): "award.withdrawn",
        (A.AWAITING_SECOND_APPROVAL, A.WITHDRAWN): "award.withdrawn",
        (A.APPROVED, A.WITHDRAWN): "award.withdrawn",
    },
    noun="award",
    organisation_of=lambda award: award.organisation_id,
)

move_award = AWARDS.move

V = VariationStatus

VARIATIONS = Workflow(
    {(V.PROPOSED, V.APPROVED): "variation.approved", (V.PROPOSED, V.REJECTED): "variation.rejected"},
    noun="variation",
    organisation_of=lambda variation: variation.award.organisation_id,
)

move_variation = VARIATIONS.move
