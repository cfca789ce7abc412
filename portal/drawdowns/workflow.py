"""A drawdown's status moves only through the transitions declared here, and every move writes an audit event."""

from portal.models import DrawdownStatus
from portal.workflow import Workflow

S = DrawdownStatus

DRAWDOWNS = Workflow(
    {
        (S.REQUESTED, S.APPROVED): "drawdown.approved",
        (S.REQUESTED, S.REFUSED): "drawdown.refused",
        (S.APPROVED, S.PAID): "drawdown.paid",
    },
    noun="drawdown",
    organisation_of=lambda drawdown: drawdown.allocation.organisation_id,
)

move_drawdown = DRAWDOWNS.move
