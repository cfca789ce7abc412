"""What became of an organisation's bids once decided, as the organisation sees it: funded (and the award that
followed), on the reserve list, or not funded. The latest decision counts, as a bid funded from the reserve list
has two."""

from dataclasses import dataclass

import sqlalchemy as sa

from portal.extensions import db
from portal.models import Award, AwardStatus, Decision, DecisionOutcome


@dataclass(frozen=True)
class Outcome:
    decision: DecisionOutcome
    award: Award | None

    @property
    def label(self) -> str:
        if self.award is not None and self.award.status is AwardStatus.WITHDRAWN:
            return "Award withdrawn"
        if self.decision.funds:
            return "Funded"
        return "Reserve list" if self.decision is DecisionOutcome.RESERVE else "Not funded"

    @property
    def tag_classes(self) -> str:
        return {"Funded": "govuk-tag--green", "Reserve list": "govuk-tag--yellow"}.get(self.label, "govuk-tag--grey")

    @property
    def approved_award(self) -> Award | None:
        """The award the organisation can open: approved, not still being set up or withdrawn."""
        return self.award if self.award is not None and self.award.status is AwardStatus.APPROVED else None


def fetch_outcomes(application_ids: list[int]) -> dict[int, Outcome]:
    """Each decided bid's outcome, by bid id, in two queries however many bids."""
    if not application_ids:
        return {}
    latest: dict[int, DecisionOutcome] = {}
    rows = db.session.execute(
        sa.select(Decision.application_id, Decision.outcome)
        .where(Decision.application_id.in_(application_ids))
        .order_by(Decision.decided_at, Decision.id)
    )
    for application_id, outcome in rows:
        latest[application_id] = outcome
    awards = {
        award.application_id: award
        for award in db.session.scalars(sa.select(Award).where(Award.application_id.in_(latest)))
    }
    return {application_id: Outcome(outcome, awards.get(application_id)) for application_id, outcome in latest.items()}
