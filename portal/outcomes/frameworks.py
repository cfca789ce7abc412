"""Versions of the outcomes framework: a draft is edited, publishing makes it the current framework, and a new
draft starts from the current one. A published version never changes (the services refuse, and
``portal.models.outcomes`` refuses anything that gets past them); the next version supersedes it.

What was mapped to an outcome of the version being superseded moves to the outcome with the same code in the new
version; anything whose outcome the new version dropped is left for officers to map again.
"""

import re
from dataclasses import dataclass

import sqlalchemy as sa

from portal import audit
from portal.database import commit_or_refuse, lock_row, utcnow
from portal.errors import DomainError, raise_if_any
from portal.extensions import db
from portal.models import FrameworkStatus, Outcome, OutcomeFramework, OutcomeMapping, User

NOT_A_DRAFT = "This version is published and cannot be changed. Start a new draft version to change the framework."


@dataclass
class FrameworkDetails:
    title: str
    introduction: str


@dataclass
class OutcomeDetails:
    name: str
    description: str


# Queries ----------------------------------------------------------------------------------------------------------


def fetch_current() -> OutcomeFramework | None:
    """The published version in force, if any."""
    return db.session.scalar(
        sa.select(OutcomeFramework).where(OutcomeFramework.status == FrameworkStatus.PUBLISHED).limit(1)
    )


def fetch_draft() -> OutcomeFramework | None:
    return db.session.scalar(sa.select(OutcomeFramework).where(OutcomeFramework.status == FrameworkStatus.DRAFT))


def fetch_framework(framework_id: int) -> OutcomeFramework | None:
    return db.session.get(OutcomeFramework, framework_id)


def fetch_frameworks() -> list[OutcomeFramework]:
    return list(db.session.scalars(sa.select(OutcomeFramework).order_by(OutcomeFramework.number.desc())))


def fetch_public_frameworks() -> list[OutcomeFramework]:
    """Published and superseded versions, newest first: drafts are never public."""
    return list(
        db.session.scalars(
            sa.select(OutcomeFramework)
            .where(OutcomeFramework.status != FrameworkStatus.DRAFT)
            .order_by(OutcomeFramework.number.desc())
        )
    )


def fetch_outcome(outcome_id: int) -> Outcome | None:
    return db.session.get(Outcome, outcome_id)


# Changes ----------------------------------------------------------------------------------------------------------


def start_draft(actor: User) -> OutcomeFramework:
    """A new draft version: a copy of the current one (its outcomes keep their codes), or an empty first version.
    Only one draft at a time; asking twice gives the draft already started."""
    existing = fetch_draft()
    if existing is not None:
        return existing
    current = fetch_current()
    number = (db.session.scalar(sa.select(sa.func.max(OutcomeFramework.number))) or 0) + 1
    framework = OutcomeFramework(
        number=number,
        title=current.title if current else "Outcomes framework",
        introduction=current.introduction if current else "",
        status=FrameworkStatus.DRAFT,
        created_by_id=actor.id,
    )
    if current is not None:
        framework.outcomes = [
            Outcome(code=o.code, name=o.name, description=o.description, position=o.position) for o in current.outcomes
        ]
    with commit_or_refuse(DomainError("Another officer started a draft at the same moment. Open it from the list.")):
        db.session.add(framework)
        audit.record("outcome_framework.draft_started", framework, after={"number": number}, actor=actor)
    return framework


def _require_draft(framework: OutcomeFramework) -> None:
    if not framework.is_draft:
        raise DomainError(NOT_A_DRAFT)


def update_framework(framework: OutcomeFramework, details: FrameworkDetails, actor: User) -> None:
    _require_draft(framework)
    title = details.title.strip()
    if not title:
        raise DomainError("Enter the framework's title", "title")
    before = {"title": framework.title, "introduction": framework.introduction}
    framework.title, framework.introduction = title, details.introduction.strip()
    audit.record("outcome_framework.updated", framework, before=before, after={"title": title}, actor=actor)
    db.session.commit()


def _check_outcome(framework: OutcomeFramework, details: OutcomeDetails, outcome: Outcome | None) -> None:
    errors = []
    name = details.name.strip()
    if not name:
        errors.append(DomainError("Enter the outcome", "name"))
    elif any(o.name.casefold() == name.casefold() and o is not outcome for o in framework.outcomes):
        errors.append(DomainError("The framework already has an outcome with this name", "name"))
    if not details.description.strip():
        errors.append(DomainError("Describe the outcome in plain words", "description"))
    raise_if_any(errors)


def _code_for(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:32] or "outcome"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def add_outcome(framework: OutcomeFramework, details: OutcomeDetails, actor: User) -> Outcome:
    _require_draft(framework)
    _check_outcome(framework, details, None)
    name = details.name.strip()
    outcome = Outcome(
        framework=framework,
        code=_code_for(name, {o.code for o in framework.outcomes}),
        name=name,
        description=details.description.strip(),
        position=max((o.position for o in framework.outcomes), default=0) + 1,
    )
    with commit_or_refuse(DomainError("The framework already has an outcome with this name", "name")):
        db.session.add(outcome)
        audit.record("outcome.added", outcome, after={"framework": framework.number, "name": name}, actor=actor)
    return outcome


def update_outcome(outcome: Outcome, details: OutcomeDetails, actor: User) -> None:
    """Change a draft's outcome. Its code stays, so what is mapped to it still carries over on publishing."""
    _require_draft(outcome.framework)
    _check_outcome(outcome.framework, details, outcome)
    before = {"name": outcome.name, "description": outcome.description}
    outcome.name, outcome.description = details.name.strip(), details.description.strip()
    with commit_or_refuse(DomainError("The framework already has an outcome with this name", "name")):
        audit.record("outcome.updated", outcome, before=before, after={"name": outcome.name}, actor=actor)


def remove_outcome(outcome: Outcome, actor: User) -> None:
    framework = outcome.framework
    _require_draft(framework)
    audit.record("outcome.removed", outcome, before={"framework": framework.number, "name": outcome.name}, actor=actor)
    framework.outcomes.remove(outcome)
    db.session.commit()


def publish(framework_id: int, actor: User) -> OutcomeFramework:
    """Publish a draft: it becomes the current framework, the one before is superseded, and mappings to the old
    version's outcomes move to the new outcomes with the same codes. Publishing twice is harmless."""
    framework = lock_row(OutcomeFramework, framework_id)
    if framework is None:
        raise DomainError("This version no longer exists")
    if framework.status is not FrameworkStatus.DRAFT:
        db.session.rollback()
        return framework
    if not framework.outcomes:
        db.session.rollback()
        raise DomainError("Add at least one outcome before publishing the framework")
    previous = fetch_current()
    now = utcnow()
    moved = 0
    if previous is not None:
        previous.status, previous.superseded_at = FrameworkStatus.SUPERSEDED, now
        by_code = {o.code: o for o in framework.outcomes}
        old_outcomes = {o.id: o.code for o in previous.outcomes}
        mappings = db.session.scalars(sa.select(OutcomeMapping).where(OutcomeMapping.outcome_id.in_(old_outcomes)))
        for mapping in mappings:
            successor = by_code.get(old_outcomes[mapping.outcome_id])
            if successor is not None:
                mapping.outcome_id = successor.id
                moved += 1
        audit.record("outcome_framework.superseded", previous, after={"by": framework.number}, actor=actor)
    framework.status, framework.published_at, framework.published_by_id = FrameworkStatus.PUBLISHED, now, actor.id
    audit.record(
        "outcome_framework.published",
        framework,
        after={"number": framework.number, "outcomes": len(framework.outcomes), "mappings_carried_over": moved},
        actor=actor,
    )
    db.session.commit()
    return framework
