"""Demonstration assessment: the bids in the closed demo round, taken through screening, review, moderation and
decision to awards, by the demo officers and reviewers.

Each bid is given a stage by its place in the round (ordered by reference) and brought up to that stage through the
real services, so every step has its audit event and email. A bid already at or past its stage is left alone, so
running this again changes nothing. Nothing is random.
"""

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from portal.assessment import decisions, reviewers, reviews, screening
from portal.assessment.decisions import DecisionEntry
from portal.assessment.queries import fetch_assignments, fetch_criteria, fetch_screening_checks, summarise_scores
from portal.assessment.reviews import ScoreEntry
from portal.assessment.screening import CheckEntry
from portal.awards import services as awards
from portal.database import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.models import (
    Application,
    ApplicationStatus,
    AwardStatus,
    DecisionOutcome,
    Round,
    ScreeningCheckKind,
    ScreeningOutcome,
    User,
)
from portal.models.awards import SECOND_APPROVER_ABOVE_PENCE

S = ApplicationStatus
DEMO_DOMAIN = "demo.example.org"

# The stages, most interesting first, so that a round with few bids still shows the later steps.
SECOND_APPROVAL = "award awaiting a second approver"
FUNDED = "funded, award approved"
DECLINED = "declined with feedback"
RESERVE = "on the reserve list"
MODERATED = "moderated"
SCORED = "both reviews complete"
IN_REVIEW = "in review, scoring under way"
SCREENING = "being screened"
STAGES = (SECOND_APPROVAL, FUNDED, DECLINED, RESERVE, MODERATED, SCORED, IN_REVIEW, SCREENING)

FEEDBACK = {
    DECLINED: (
        "Thank you for your bid. The panel recognised your organisation's local knowledge, but the bid did not "
        "show clearly enough how the sessions would reach young people most at risk of violence, or how you would "
        "measure the difference they make. We would welcome a bid to a future round that sets out your referral "
        "routes and outcome measures."
    ),
    RESERVE: (
        "The panel thought this a good bid, with a clear plan and sound partnerships, but the round's budget was "
        "fully committed to bids that scored higher. Your bid is on the reserve list: if money becomes available "
        "before the end of the financial year we will contact you."
    ),
    FUNDED: (
        "The panel scored this bid highly for its evidence of local need and its partnerships with schools. We "
        "would like to see termly reports on attendance by age group."
    ),
}
DURATION_EXCEPTION = "Agreed at panel as a pilot, to be evaluated before any extension."


@dataclass(frozen=True)
class Cast:
    officer: User
    lead: User
    reviewer: User
    second_reviewer: User


def _cast() -> Cast | None:
    people = {
        user.email: user
        for user in db.session.scalars(
            sa.select(User).where(
                User.email.in_([f"{name}@{DEMO_DOMAIN}" for name in ("officer", "officer2", "reviewer", "reviewer2")])
            )
        )
    }
    try:
        return Cast(
            officer=people[f"officer@{DEMO_DOMAIN}"],
            lead=people[f"officer2@{DEMO_DOMAIN}"],
            reviewer=people[f"reviewer@{DEMO_DOMAIN}"],
            second_reviewer=people[f"reviewer2@{DEMO_DOMAIN}"],
        )
    except KeyError:
        return None


def _closed_round() -> Round | None:
    """The most recently closed published round that has bids to assess."""
    now = utcnow()
    return db.session.scalar(
        sa.select(Round)
        .where(Round.closes_at <= now, Round.published_at.is_not(None))
        .where(sa.exists().where(Application.round_id == Round.id, Application.status != S.DRAFT))
        .order_by(Round.closes_at.desc(), Round.id)
        .limit(1)
    )


def plan(applications: list[Application]) -> dict[int, str]:
    """Which stage each bid is taken to. The largest bid over £100,000 waits for a second approver."""
    stages = list(STAGES)
    planned: dict[int, str] = {}
    large = [a for a in applications if a.total_requested_pence > SECOND_APPROVER_ABOVE_PENCE]
    if large:
        biggest = max(large, key=lambda a: (a.total_requested_pence, a.reference))
        planned[biggest.id] = stages.pop(0)
    else:
        stages.remove(SECOND_APPROVAL)
    for application in applications:
        if application.id in planned:
            continue
        planned[application.id] = stages.pop(0) if stages else SCREENING
    return planned


def _justification(score: int, max_score: int) -> str:
    if score * 5 >= max_score * 4:
        return "Strong: the bid gives local evidence and a clear, costed plan that the organisation has run before."
    if score * 5 >= max_score * 3:
        return "Sound, though the bid could say more about how it will reach the young people most at risk."
    return "Weak: the bid does not yet show how this will be delivered or measured."


class _Progress:
    def __init__(self, cast: Cast) -> None:
        self.cast = cast
        self.steps = 0
        self.awards = 0

    def bring_to(self, application: Application, stage: str, position: int) -> None:
        cast = self.cast
        if application.status is S.SUBMITTED:
            screening.start_screening(application, cast.officer)
            self.steps += 1
        if application.status is S.SCREENING:
            self._record_checks(application, all_of_them=stage != SCREENING)
            if stage == SCREENING:
                return
            screening.pass_screening(application, cast.officer)
            self.steps += 1
        if application.status is S.IN_REVIEW:
            self._review(application, stage, position)
            if stage in (IN_REVIEW, SCORED):
                return
            average = summarise_scores(fetch_criteria(application.round), fetch_assignments(application)).average
            decisions.moderate(
                application,
                average if average is not None else Decimal("60.0"),
                "Agreed at the panel meeting after discussing the reviewers' scores.",
                cast.lead,
            )
            self.steps += 1
        if application.status is S.MODERATED and stage != MODERATED:
            outcome = {DECLINED: DecisionOutcome.DECLINE, RESERVE: DecisionOutcome.RESERVE}.get(
                stage, DecisionOutcome.FUND
            )
            decisions.decide(
                application,
                DecisionEntry(application.id, outcome.value, FEEDBACK.get(stage, FEEDBACK[FUNDED])),
                cast.officer,
            )
            self.steps += 1
        if application.status is S.DECIDED and stage in (FUNDED, SECOND_APPROVAL):
            self._award(application, stage)

    def _record_checks(self, application: Application, *, all_of_them: bool) -> None:
        recorded = {check.kind for check in fetch_screening_checks(application)}
        kinds = list(ScreeningCheckKind) if all_of_them else list(ScreeningCheckKind)[:2]
        missing = [kind for kind in kinds if kind not in recorded]
        if not missing:
            return
        entries = [
            CheckEntry(
                kind,
                ScreeningOutcome.PASSED,
                "Checked against the Charity Commission register."
                if kind is ScreeningCheckKind.REGISTRATION_SEEN
                else None,
            )
            for kind in missing
        ]
        screening.record_checks(application, entries, self.cast.officer)
        self.steps += 1

    def _review(self, application: Application, stage: str, position: int) -> None:
        cast = self.cast
        for reviewer in (cast.reviewer, cast.second_reviewer):
            if not any(a.reviewer_id == reviewer.id for a in fetch_assignments(application)):
                reviewers.assign_reviewer(application, reviewer.id, cast.officer)
                self.steps += 1
        criteria = fetch_criteria(application.round)
        for number, assignment in enumerate(fetch_assignments(application)):
            if assignment.has_conflict:
                continue
            # Midway through review: the first reviewer has scored one criterion, the second has not yet looked.
            if stage == IN_REVIEW and number > 0:
                continue
            if assignment.has_conflict is None:
                reviewers.declare(assignment, False, None, assignment.reviewer)
                self.steps += 1
            complete = stage != IN_REVIEW
            if assignment.completed_at is not None or (not complete and assignment.scores):
                continue
            entries = []
            for index, criterion in enumerate(criteria if complete else criteria[:1]):
                given = min(criterion.max_score, 2 + (position + number + index) % 4)
                entries.append(ScoreEntry(criterion.id, given, _justification(given, criterion.max_score)))
            reviews.save_scores(assignment, entries, complete=complete, actor=assignment.reviewer)
            self.steps += 1

    def _award(self, application: Application, stage: str) -> None:
        award = awards.fetch_award_for(application)
        if award is None:
            details = awards.prefill(application)
            if details.start_date and details.end_date:
                months = awards.duration_in_months(details.start_date, details.end_date)
                if months < application.round.min_duration_months:
                    details.duration_exception_reason = DURATION_EXCEPTION
            award = awards.create_award(application, details, self.cast.officer)
            self.awards += 1
            self.steps += 1
        if stage == FUNDED and award.status is AwardStatus.AWAITING_SECOND_APPROVAL:
            awards.approve_second(award, self.cast.lead)
            self.steps += 1


def load() -> str:
    cast = _cast()
    if cast is None:
        return "Assessment demo: skipped (load the demo users first)."
    round_ = _closed_round()
    if round_ is None:
        return "Assessment demo: skipped (no closed round with bids)."
    applications = list(
        db.session.scalars(
            sa.select(Application)
            .where(Application.round_id == round_.id, Application.status != S.DRAFT)
            .order_by(Application.reference)
        )
    )
    progress = _Progress(cast)
    skipped = []
    for position, (application_id, stage) in enumerate(plan(applications).items()):
        application = db.session.get(Application, application_id)
        if application is None:
            continue
        try:
            progress.bring_to(application, stage, position)
        except DomainError as error:
            db.session.rollback()
            skipped.append(f"{application.reference}: {error.message}")
    summary = f"Assessment demo: {progress.steps} steps taken and {progress.awards} awards added in {round_.title}."
    if skipped:
        summary += " Left as they were: " + "; ".join(skipped)
    return summary
