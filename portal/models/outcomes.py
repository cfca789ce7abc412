"""The outcomes framework (versions of a list of outcomes), what each measure and borough project is mapped to, and
the commissioning catalogue: why each service exists, the need it answers and how its outcomes are measured."""

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import Model
from portal.models.awards import Award
from portal.models.users import User
from portal.scope import Scope


class FrameworkStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class OutcomeFramework(Model):
    """One version of the outcomes framework. A draft is edited; publishing it makes it the current framework and
    supersedes the one before. A published or superseded version never changes (``portal.outcomes.guard``)."""

    __tablename__ = "outcome_framework"
    __table_args__ = (sa.CheckConstraint("status = 'draft' OR published_at IS NOT NULL", name="published_with_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)  # version 1, 2, … in the order they were started
    title: Mapped[str] = mapped_column(sa.String(200))
    introduction: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[FrameworkStatus] = mapped_column(
        enum_column(FrameworkStatus, 12), default=FrameworkStatus.DRAFT, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    outcomes: Mapped[list["Outcome"]] = relationship(
        back_populates="framework", order_by="(Outcome.position, Outcome.id)", cascade="all, delete-orphan"
    )
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])

    @property
    def is_draft(self) -> bool:
        return self.status is FrameworkStatus.DRAFT

    def permission_scope(self) -> Scope:
        return Scope()


class Outcome(Model):
    """An outcome of one framework version. ``code`` stays the same from one version to the next, so that what was
    mapped to an outcome carries over when a new version supersedes the old."""

    __tablename__ = "outcome"
    __table_args__ = (
        sa.UniqueConstraint("framework_id", "code", name="uq_outcome_framework_id_code"),
        sa.UniqueConstraint("framework_id", "name", name="uq_outcome_framework_id_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(sa.ForeignKey("outcome_framework.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(160))
    description: Mapped[str] = mapped_column(sa.Text)
    position: Mapped[int] = mapped_column(default=0)

    framework: Mapped[OutcomeFramework] = relationship(back_populates="outcomes")

    def permission_scope(self) -> Scope:
        return Scope()


class OutcomeMapping(Model):
    """Which outcome a measure of an award, or a borough's LCPF plan project, contributes to: one each."""

    __tablename__ = "outcome_mapping"
    __table_args__ = (
        sa.CheckConstraint("(measure_id IS NULL) != (plan_project_id IS NULL)", name="measure_or_plan_project"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(sa.ForeignKey("outcome.id"), index=True)
    measure_id: Mapped[int | None] = mapped_column(sa.ForeignKey("measure.id", ondelete="CASCADE"), unique=True)
    plan_project_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("plan_project.id", ondelete="CASCADE"), unique=True
    )
    mapped_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    mapped_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    outcome: Mapped[Outcome] = relationship()


# The fields of a catalogue entry, in the order they are shown, with their public headings.
CATALOGUE_FIELDS = {
    "purpose": "Why the service exists",
    "need": "The need it answers",
    "evidence": "Evidence of the need",
    "measurement": "How its outcomes are measured",
}


class CatalogueEntry(Model):
    """A service's entry in the commissioning catalogue. Officers edit the draft fields; publishing copies them into
    ``published``, which is all the public ever sees, so a draft (even a change to a published entry) stays private.
    ``version`` guards against two officers saving at once."""

    __tablename__ = "catalogue_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(sa.ForeignKey("award.id", ondelete="CASCADE"), unique=True)
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    need: Mapped[str] = mapped_column(sa.Text, default="")
    evidence: Mapped[str] = mapped_column(sa.Text, default="")
    measurement: Mapped[str] = mapped_column(sa.Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    # What the public sees: the fields as they were when last published, and when that was.
    published: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The date an officer last checked and published it (Open Referral's assured_date).
    published_on: Mapped[date | None]

    award: Mapped[Award] = relationship()

    @property
    def draft(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in CATALOGUE_FIELDS}

    @property
    def has_unpublished_changes(self) -> bool:
        return self.published != self.draft

    def permission_scope(self) -> Scope:
        return self.award.permission_scope()


class PublishedFrameworkChanged(RuntimeError):
    """Something tried to change, add to or delete a published or superseded framework version or its outcomes."""


def _status_before(framework: OutcomeFramework) -> FrameworkStatus | None:
    """The status the framework had in the database before this flush (None for a new one)."""
    state = sa.inspect(framework)
    if state.pending or state.transient:
        return None
    history = state.attrs.status.history
    return history.deleted[0] if history.deleted else framework.status


def _column_changes(record: object) -> set[str]:
    state = sa.orm.attributes.instance_state(record)
    return {attr.key for attr in state.mapper.column_attrs if state.attrs[attr.key].history.has_changes()}


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _refuse_changes_to_published_frameworks(session: sa.orm.Session, flush_context: object, instances: object) -> None:
    """A published framework never changes: the services check first, and this refuses anything that gets past them.
    The one change allowed is a published version becoming superseded when the next one is published."""
    for record in session.dirty:
        if isinstance(record, OutcomeFramework) and _status_before(record) not in (None, FrameworkStatus.DRAFT):
            changed = _column_changes(record)
            moving_on = _status_before(record) is FrameworkStatus.PUBLISHED and record.status in (
                FrameworkStatus.PUBLISHED,
                FrameworkStatus.SUPERSEDED,
            )
            if changed - {"status", "superseded_at"} or (changed and not moving_on):
                raise PublishedFrameworkChanged(f"Framework version {record.number} is published and cannot change")
        elif isinstance(record, Outcome) and _column_changes(record):
            frameworks = {record.framework}
            previous = sa.inspect(record).attrs.framework.history.deleted
            frameworks |= {f for f in previous if f is not None}
            if any(_status_before(f) not in (None, FrameworkStatus.DRAFT) for f in frameworks if f is not None):
                raise PublishedFrameworkChanged("An outcome of a published framework cannot change")
    for record in session.new:
        if (
            isinstance(record, Outcome)
            and record.framework is not None
            and _status_before(record.framework) not in (None, FrameworkStatus.DRAFT)
        ):
            raise PublishedFrameworkChanged("An outcome cannot be added to a published framework")
    for record in session.deleted:
        framework = record if isinstance(record, OutcomeFramework) else getattr(record, "framework", None)
        if (
            isinstance(record, OutcomeFramework | Outcome)
            and framework is not None
            and _status_before(framework) not in (None, FrameworkStatus.DRAFT)
        ):
            raise PublishedFrameworkChanged("A published framework and its outcomes cannot be deleted")
