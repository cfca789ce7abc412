"""A return's status moves only through the transitions declared here, and every move writes an audit event."""

from portal.models import ReturnStatus
from portal.workflow import Workflow

S = ReturnStatus

RETURNS = Workflow(
    {
        (S.DUE, S.IN_PROGRESS): "return.started",
        (S.DUE, S.SUBMITTED): "return.submitted",
        (S.IN_PROGRESS, S.SUBMITTED): "return.submitted",
        (S.SUBMITTED, S.ACCEPTED): "return.accepted",
        (S.SUBMITTED, S.QUERIED): "return.queried",
        (S.QUERIED, S.SUBMITTED): "return.resubmitted",
    },
    noun="return",
    organisation_of=lambda return_: return_.organisation_id,
)

move_return = RETURNS.move
