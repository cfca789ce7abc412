"""Factories for the outcomes framework, mappings and catalogue entries, committed through the services."""

from portal.extensions import db
from portal.models import Award, Measure, OutcomeFramework, PlanProject, StaffRole, User
from portal.outcomes import catalogue, frameworks, mapping
from tests.factories import create_user

PLAN_OUTCOMES = (
    ("Fewer victims of violence", "Less violence, and fewer people hurt by it, in every borough."),
    ("Victims supported to cope and recover", "Victims get the help they need, when they need it."),
    ("Reduced reoffending", "People who have offended are helped not to offend again."),
)


def outcomes_officer() -> User:
    return create_user(full_name="Olu Officer", staff_role=StaffRole.GRANT_OFFICER)


def draft_framework(officer: User | None = None, outcomes=PLAN_OUTCOMES, title="Police and Crime Plan outcomes"):
    officer = officer or outcomes_officer()
    framework = frameworks.start_draft(officer)
    frameworks.update_framework(framework, frameworks.FrameworkDetails(title, "What London's funding is for."), officer)
    for name, description in outcomes:
        frameworks.add_outcome(framework, frameworks.OutcomeDetails(name, description), officer)
    return framework


def published_framework(officer: User | None = None, outcomes=PLAN_OUTCOMES, **kwargs) -> OutcomeFramework:
    officer = officer or outcomes_officer()
    return frameworks.publish(draft_framework(officer, outcomes, **kwargs).id, officer)


def outcome_named(framework: OutcomeFramework, name: str):
    db.session.refresh(framework)
    return next(o for o in framework.outcomes if o.name == name)


def map_measure(measure: Measure, framework: OutcomeFramework, name: str, officer: User | None = None) -> None:
    mapping.map_measure(measure, outcome_named(framework, name).id, officer or outcomes_officer())


def map_project(project: PlanProject, framework: OutcomeFramework, name: str, officer: User | None = None) -> None:
    mapping.map_project(project, outcome_named(framework, name).id, officer or outcomes_officer())


def catalogue_entry(award: Award, *, publish: bool = True, officer: User | None = None, **fields):
    officer = officer or outcomes_officer()
    values = {
        "purpose": "Young people in south London are being drawn into violence.",
        "need": "Young people aged 10 to 17 at risk of exploitation.",
        "evidence": "Serious youth violence rose by a fifth in 2024 (MPS recorded crime).",
        "measurement": "Quarterly returns count the young people engaged; officers check them.",
        **fields,
    }
    existing = catalogue.fetch_entry(award.id)
    entry = catalogue.save_draft(
        award, catalogue.EntryDetails(version=existing.version if existing else 0, **values), officer
    )
    if publish:
        entry = catalogue.publish_entry(award, officer)
    return entry
