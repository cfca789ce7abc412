"""The commissioning catalogue: for each published service, why it exists, the need it answers with its evidence,
the outcomes it seeks (from its measures' mapping to the current framework) and how they are measured.

Officers write the entry once and keep it current. Saving changes the draft only; publishing copies the draft into
what the public sees, so a draft, even a change to an entry already published, is never public.
"""

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal import audit
from portal.database import commit_or_refuse, lock_row, utcnow
from portal.directory import published
from portal.errors import DomainError
from portal.extensions import db
from portal.models import CATALOGUE_FIELDS, Award, CatalogueEntry, Measure, Outcome, OutcomeMapping, User
from portal.outcomes.frameworks import fetch_current
from portal.periods import today_in_london

CHANGED_MEANWHILE = "Another officer saved this entry while you were editing it. Check their changes and save again."


@dataclass
class EntryDetails:
    version: int | None
    purpose: str
    need: str
    evidence: str
    measurement: str


@dataclass(frozen=True)
class SoughtOutcome:
    """An outcome of the current framework that a service seeks, with the measures that show it."""

    outcome: Outcome
    measures: tuple[Measure, ...]


@dataclass(frozen=True)
class PublicEntry:
    """What the public sees of a service's catalogue entry."""

    fields: dict[str, str]  # heading → text, published fields only, empty ones left out
    published_on: object
    outcomes: list[SoughtOutcome]

    @property
    def empty(self) -> bool:
        return not self.fields and not self.outcomes


# Queries ----------------------------------------------------------------------------------------------------------


def fetch_entry(award_id: int) -> CatalogueEntry | None:
    return db.session.scalar(sa.select(CatalogueEntry).where(CatalogueEntry.award_id == award_id))


def fetch_catalogue() -> list[tuple[Award, CatalogueEntry | None]]:
    """Every published service with its entry, if it has one, by title."""
    entries = {e.award_id: e for e in db.session.scalars(sa.select(CatalogueEntry))}
    awards = db.session.scalars(
        published.published_awards().options(joinedload(Award.organisation)).order_by(Award.title, Award.id)
    )
    return [(award, entries.get(award.id)) for award in awards]


def sought_outcomes(award_ids: list[int]) -> dict[int, list[SoughtOutcome]]:
    """For each award, the current framework's outcomes its measures are mapped to, in the framework's order, each
    with its measures. One query (plus the framework's)."""
    found: dict[int, list[SoughtOutcome]] = {award_id: [] for award_id in award_ids}
    framework = fetch_current()
    if framework is None or not award_ids:
        return found
    order = {o.id: (o.position, o.id) for o in framework.outcomes}
    rows = db.session.execute(
        sa.select(Measure, OutcomeMapping.outcome_id)
        .join(OutcomeMapping, OutcomeMapping.measure_id == Measure.id)
        .where(Measure.award_id.in_(award_ids), OutcomeMapping.outcome_id.in_(order))
        .order_by(Measure.id)
    )
    grouped: dict[int, dict[int, list[Measure]]] = defaultdict(lambda: defaultdict(list))
    for measure, outcome_id in rows:
        grouped[measure.award_id][outcome_id].append(measure)
    outcomes = {o.id: o for o in framework.outcomes}
    for award_id, by_outcome in grouped.items():
        found[award_id] = [
            SoughtOutcome(outcomes[outcome_id], tuple(by_outcome[outcome_id]))
            for outcome_id in sorted(by_outcome, key=order.__getitem__)
        ]
    return found


def public_entry(award_id: int) -> PublicEntry:
    """The published entry for a published award (the caller has checked the award is public)."""
    entry = fetch_entry(award_id)
    shown = entry.published if entry and entry.published else {}
    return PublicEntry(
        fields={
            heading: shown[name].strip() for name, heading in CATALOGUE_FIELDS.items() if shown.get(name, "").strip()
        },
        published_on=entry.published_on if entry and entry.published else None,
        outcomes=sought_outcomes([award_id])[award_id],
    )


def published_entries(award_ids: list[int]) -> dict[int, CatalogueEntry]:
    """The entries of these awards that have been published. One query."""
    if not award_ids:
        return {}
    query = sa.select(CatalogueEntry).where(
        CatalogueEntry.award_id.in_(award_ids), CatalogueEntry.published.is_not(None)
    )
    return {entry.award_id: entry for entry in db.session.scalars(query)}


# Changes ----------------------------------------------------------------------------------------------------------


def _require_published_award(award: Award) -> None:
    if published.public_award(award.id) is None:
        raise DomainError("Only an approved service has a catalogue entry")


def save_draft(award: Award, details: EntryDetails, actor: User) -> CatalogueEntry:
    """Save the draft. ``details.version`` is the version the officer started from (0 for a new entry): if someone
    saved in between, nothing is saved and they are told."""
    _require_published_award(award)
    entry = fetch_entry(award.id)
    if (entry.version if entry else 0) != details.version:
        raise DomainError(CHANGED_MEANWHILE)
    values = {name: getattr(details, name).strip() for name in CATALOGUE_FIELDS}
    if not any(values.values()):
        raise DomainError("Write at least why the service exists before saving", "purpose")
    with commit_or_refuse(DomainError(CHANGED_MEANWHILE)):
        if entry is None:
            entry = CatalogueEntry(award_id=award.id, version=0)
            db.session.add(entry)
            before = None
        else:
            entry = lock_row(CatalogueEntry, entry.id)
            if entry is None or entry.version != details.version:
                raise DomainError(CHANGED_MEANWHILE)
            before = entry.draft
        if before == values:
            return entry  # nothing changed: a second submit saves nothing more
        for name, value in values.items():
            setattr(entry, name, value)
        entry.version += 1
        entry.updated_at, entry.updated_by_id = utcnow(), actor.id
        audit.record(
            "catalogue_entry.saved",
            entry,
            before=before,
            after=values,
            organisation_id=award.organisation_id,
            actor=actor,
        )
    return entry


def publish_entry(award: Award, actor: User) -> CatalogueEntry:
    """Make the draft public. Publishing what is already public changes nothing."""
    _require_published_award(award)
    found = fetch_entry(award.id)
    if found is None:
        raise DomainError("Write the entry before publishing it")
    entry = lock_row(CatalogueEntry, found.id)
    if entry is None:
        raise DomainError(CHANGED_MEANWHILE)
    if not entry.purpose.strip():
        db.session.rollback()
        raise DomainError("Write why the service exists before publishing the entry", "purpose")
    if entry.published == entry.draft:
        db.session.rollback()
        return entry
    before = entry.published
    entry.published, entry.published_at, entry.published_on = entry.draft, utcnow(), today_in_london()
    audit.record(
        "catalogue_entry.published",
        entry,
        before=before and {"published": True},
        after={name: entry.draft[name] for name in CATALOGUE_FIELDS},
        organisation_id=award.organisation_id,
        actor=actor,
    )
    db.session.commit()
    return entry
