"""Every kind of return moves through the same states by the same transitions, declared here once; each kind
writes its own audit actions (``return.submitted``, ``follow_up.submitted`` …), and every move writes one."""

from portal.models import ReturnStatus
from portal.workflow import Workflow

S = ReturnStatus

# (from, to) → the action's name after the kind's prefix.
TRANSITIONS = {
    (S.DUE, S.IN_PROGRESS): "started",
    (S.DUE, S.SUBMITTED): "submitted",
    (S.IN_PROGRESS, S.SUBMITTED): "submitted",
    (S.SUBMITTED, S.ACCEPTED): "accepted",
    (S.SUBMITTED, S.QUERIED): "queried",
    (S.QUERIED, S.SUBMITTED): "resubmitted",
}


def return_workflow(prefix: str, noun: str) -> Workflow:
    return Workflow(
        {move: f"{prefix}.{action}" for move, action in TRANSITIONS.items()},
        noun=noun,
        organisation_of=lambda record: record.organisation_id,
    )


RETURNS = return_workflow("return", "return")
FOLLOW_UPS = return_workflow("follow_up", "follow-up")

move_return = RETURNS.move
move_follow_up = FOLLOW_UPS.move
