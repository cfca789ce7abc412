"""Factories for assessment: officers, reviewers, a round with weighted criteria, bids at each stage, committed.

They write rows directly (no emails, no audit events) so that a test sets up exactly the state it is about.
"""

from itertools import count

from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    Answer,
    Application,
    ApplicationStatus,
    Decision,
    DecisionOutcome,
    Membership,
    MembershipRole,
    Moderation,
    QuestionKind,
    ReviewAssignment,
    Score,
    ScreeningCheck,
    ScreeningCheckKind,
    ScreeningOutcome,
    StaffRole,
    User,
)
from tests.factories import create_organisation, create_user
from tests.factories_funding import create_application, create_criterion, create_fund, create_question, create_round

_sequence = count(1)


def create_officer(full_name: str = "Tom Brennan", email: str | None = None) -> User:
    return create_user(email, full_name=full_name, staff_role=StaffRole.GRANT_OFFICER)


def create_reviewer(full_name: str = "Grace Mensah", email: str | None = None) -> User:
    return create_user(email, full_name=full_name, staff_role=StaffRole.REVIEWER)


def create_assessed_round(title: str = "Safer Streets 2027", code: str | None = None):
    """A round with two weighted criteria (Need weighted 2, Delivery 1, each out of 5) and questions in two sections."""
    fund = create_fund(f"London Crime Prevention Fund {next(_sequence)}", code=code)
    round_ = create_round(fund, title=title)
    create_criterion(round_, "Need", weight=2, max_score=5)
    create_criterion(round_, "Delivery", weight=1, max_score=5)
    create_question(round_, "What will you do?", section="Your project", position=1)
    create_question(
        round_, "How many people will you help?", kind=QuestionKind.NUMBER, section="Your project", position=2
    )
    create_question(round_, "Do you have a safeguarding lead?", kind=QuestionKind.YES_NO, section="Safeguarding")
    return round_


def create_bid(
    round_,
    *,
    organisation_name: str | None = None,
    status: ApplicationStatus = ApplicationStatus.SUBMITTED,
    amounts_pence: tuple[int, ...] = (20_000_00, 20_000_00),
    title: str = "Safer streets after school",
    owner_email: str | None = None,
    boroughs: tuple[str, ...] = ("Southwark",),
) -> Application:
    """A submitted bid from an organisation with an owner, with answers to the round's questions."""
    organisation = create_organisation(organisation_name or f"Peckham Youth Trust {next(_sequence)}")
    owner = create_user(owner_email, full_name="Olu Adeyemi")
    db.session.add(Membership(user=owner, organisation=organisation, role=MembershipRole.OWNER))
    application = create_application(
        round_, organisation, status=status, amounts_pence=amounts_pence, title=title, boroughs=boroughs
    )
    answers = {
        QuestionKind.TEXT: "Mentoring for 11 to 16 year olds\nafter school, in Peckham.",
        QuestionKind.NUMBER: 120,
        QuestionKind.YES_NO: True,
    }
    for question in round_.questions:
        db.session.add(Answer(application=application, question=question, value=answers.get(question.kind, "Yes")))
    db.session.commit()
    return application


def record_all_checks(application: Application, officer: User, outcome=ScreeningOutcome.PASSED) -> None:
    for kind in ScreeningCheckKind:
        db.session.add(
            ScreeningCheck(application_id=application.id, kind=kind, outcome=outcome, recorded_by=officer, note="Seen")
        )
    db.session.commit()


def assign(application: Application, reviewer: User, officer: User | None = None, *, declared: bool | None = None):
    assignment = ReviewAssignment(
        application=application,
        reviewer=reviewer,
        assigned_by=officer,
        has_conflict=declared,
        declared_at=utcnow() if declared is not None else None,
    )
    db.session.add(assignment)
    db.session.commit()
    return assignment


def score(assignment: ReviewAssignment, scores: dict[str, int], *, complete: bool = True, note: str = "Because"):
    """Score by criterion name: ``{"Need": 4, "Delivery": 3}``."""
    criteria = {c.name: c for c in assignment.application.round.criteria}
    for name, value in scores.items():
        assignment.scores.append(
            Score(
                criterion_id=criteria[name].id, score=value, justification=f"{note} ({assignment.reviewer.full_name})"
            )
        )
    if assignment.has_conflict is None:
        assignment.has_conflict = False
        assignment.declared_at = utcnow()
    if complete:
        assignment.completed_at = utcnow()
    db.session.commit()
    return assignment


def bid_in_review(round_, officer: User, reviewers: list[User] = (), **bid_fields) -> Application:
    application = create_bid(round_, status=ApplicationStatus.IN_REVIEW, **bid_fields)
    record_all_checks(application, officer)
    for reviewer in reviewers:
        assign(application, reviewer, officer)
    return application


def moderated_bid(round_, officer: User, reviewers: list[User], agreed_tenths: int = 700, **bid_fields):
    application = bid_in_review(round_, officer, **bid_fields)
    for number, reviewer in enumerate(reviewers):
        score(assign(application, reviewer, officer), {"Need": 4 - number % 2, "Delivery": 3})
    db.session.add(
        Moderation(
            application_id=application.id, agreed_score_tenths=agreed_tenths, note="Agreed", moderated_by=officer
        )
    )
    application.status = ApplicationStatus.MODERATED
    db.session.commit()
    return application


def decided_bid(
    round_, officer: User, reviewers: list[User], outcome: DecisionOutcome = DecisionOutcome.FUND, **bid_fields
):
    application = moderated_bid(round_, officer, reviewers, **bid_fields)
    db.session.add(
        Decision(
            application_id=application.id,
            outcome=outcome,
            feedback="A strong bid with a clear need.",
            conditions="Add a safeguarding lead." if outcome is DecisionOutcome.FUND_WITH_CHANGES else None,
            decided_by=officer,
        )
    )
    application.status = ApplicationStatus.DECIDED
    db.session.commit()
    return application


def form_as_shown(page, **changes) -> dict:
    """What the page's main form would send if the person changed only ``changes``."""
    data: dict = {}
    form = page.select_one("main form[method=post]")
    for control in form.find_all(["input", "textarea"]):
        name = control.get("name")
        if not name or name == "csrf_token" or control.get("type") == "submit":
            continue
        if control.get("type") in ("checkbox", "radio"):
            if control.has_attr("checked"):
                data.setdefault(name, []).append(control["value"])
        elif control.name == "textarea":
            data[name] = control.get_text()
        else:
            data.setdefault(name, []).append(control.get("value", ""))
    data.update(changes)
    return data
