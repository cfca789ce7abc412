"""Statuses move only through declared transitions, and every move writes an audit event.

Each kind of record with a status declares its :class:`Workflow` once, as data; nothing else changes the status.
"""

import enum
from collections.abc import Callable
from typing import Any

from portal import audit
from portal.errors import DomainError
from portal.models import AnalysisStatus, ApplicationStatus, User


class Workflow:
    """The allowed moves between the statuses of one kind of record, each named by the audit action it writes."""

    def __init__(
        self,
        transitions: dict[tuple[enum.Enum, enum.Enum], str],
        *,
        noun: str,
        organisation_of: Callable[[Any], int | None],
    ) -> None:
        self.transitions = transitions
        self.noun = noun
        self.organisation_of = organisation_of

    def allowed_next(self, status: enum.Enum) -> list[enum.Enum]:
        return [to for (start, to) in self.transitions if start is status]

    def move(self, record: Any, to_status: Any, *, actor: User | None, detail: dict[str, Any] | None = None) -> None:
        """Move ``record`` to ``to_status`` if that move is declared, with an audit event. The caller commits."""
        action = self.transitions.get((record.status, to_status))
        if action is None:
            raise DomainError(
                f"A {self.noun} that is {record.status.label.lower()} cannot become {to_status.label.lower()}"
            )
        before = record.status
        record.status = to_status
        audit.record(
            action,
            record,
            before={"status": before},
            after={"status": to_status, **(detail or {})},
            organisation_id=self.organisation_of(record),
            actor=actor,
        )


S = ApplicationStatus

APPLICATIONS = Workflow(
    {
        (S.DRAFT, S.SUBMITTED): "application.submitted",
        (S.DRAFT, S.WITHDRAWN): "application.withdrawn",
        (S.SUBMITTED, S.WITHDRAWN): "application.withdrawn",
        (S.SUBMITTED, S.SCREENING): "application.screening_started",
        (S.SCREENING, S.IN_REVIEW): "application.review_started",
        (S.SCREENING, S.DECIDED): "application.screened_out",
        (S.IN_REVIEW, S.MODERATED): "application.moderated",
        (S.MODERATED, S.DECIDED): "application.decided",
    },
    noun="bid",
    organisation_of=lambda application: application.organisation_id,
)

move_application = APPLICATIONS.move

ANALYSES = Workflow(
    {(AnalysisStatus.DRAFT, AnalysisStatus.PUBLISHED): "value_analysis.published"},
    noun="cost-benefit analysis",
    organisation_of=lambda analysis: analysis.award.organisation_id,
)
