"""Evaluations of a service (an award) or of a programme (a fund, or one round of it): planned, done and published.

A published evaluation is part of the public record and never changes: the service layer refuses, and so does the
database session (:func:`_refuse_changes_once_published`), whatever code tries.
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import Model
from portal.models.awards import Award
from portal.models.funding import Fund, Round
from portal.models.users import User
from portal.scope import Scope


class EvaluationKind(enum.StrEnum):
    INTERIM = "interim"
    FINAL = "final"
    PROCESS = "process"
    IMPACT = "impact"
    AFTER_THE_END = "after_the_end"

    @property
    def label(self) -> str:
        return {
            "interim": "Interim",
            "final": "Final",
            "process": "Process",
            "impact": "Impact",
            "after_the_end": "After the end",
        }[self.value]


class EvaluationStatus(enum.StrEnum):
    PLANNED = "planned"
    DONE = "done"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Evaluation(Model):
    __tablename__ = "evaluation"
    __table_args__ = (
        # Of a service or of a programme, never both; a round only within its fund.
        sa.CheckConstraint(
            "(award_id IS NOT NULL AND fund_id IS NULL AND round_id IS NULL)"
            " OR (award_id IS NULL AND fund_id IS NOT NULL)",
            name="of_service_or_programme",
        ),
        sa.CheckConstraint("report_file IS NULL OR report_link IS NULL", name="report_file_or_link"),
        sa.CheckConstraint("status = 'planned' OR done_on IS NOT NULL", name="done_with_date"),
        sa.CheckConstraint("status != 'published' OR published_at IS NOT NULL", name="published_when"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int | None] = mapped_column(sa.ForeignKey("award.id", ondelete="CASCADE"), index=True)
    fund_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("funding_round.id"), index=True)
    kind: Mapped[EvaluationKind] = mapped_column(enum_column(EvaluationKind, 16))
    status: Mapped[EvaluationStatus] = mapped_column(
        enum_column(EvaluationStatus, 16), default=EvaluationStatus.PLANNED, index=True
    )
    evaluator: Mapped[str] = mapped_column(sa.String(160))
    planned_on: Mapped[date] = mapped_column(index=True)  # when the evaluation is due to report
    done_on: Mapped[date | None]
    question: Mapped[str] = mapped_column(sa.Text)
    method: Mapped[str] = mapped_column(sa.Text, default="")
    findings: Mapped[str] = mapped_column(sa.Text, default="")
    # The report: an uploaded PDF kept in the database (so every process can serve it), or a link.
    report_link: Mapped[str | None] = mapped_column(sa.String(500))
    report_filename: Mapped[str | None] = mapped_column(sa.String(255))
    report_size_bytes: Mapped[int | None]
    report_file: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)

    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    award: Mapped[Award | None] = relationship(lazy="joined")
    fund: Mapped[Fund | None] = relationship(lazy="joined")
    round: Mapped[Round | None] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])

    @property
    def is_published(self) -> bool:
        return self.status is EvaluationStatus.PUBLISHED

    @property
    def of_service(self) -> bool:
        return self.award_id is not None

    @property
    def subject_name(self) -> str:
        if self.award is not None:
            return self.award.title
        if self.fund is None:
            return ""
        if self.round is not None:
            return f"{self.fund.name}: {self.round.title}"
        return self.fund.name

    @property
    def title(self) -> str:
        return f"{self.kind.label} evaluation of {self.subject_name}"

    @property
    def has_report(self) -> bool:
        return bool(self.report_link or self.report_filename)

    def overdue_on(self, today: date) -> bool:
        return self.status is EvaluationStatus.PLANNED and self.planned_on < today

    def permission_scope(self) -> Scope:
        if self.award is not None:
            return self.award.permission_scope()
        return Scope()


class PublishedEvaluationChanged(Exception):
    """Code tried to change or delete a published evaluation: a fault, never something a person can do."""


@sa.event.listens_for(Session, "before_flush")
def _refuse_changes_once_published(session: Session, _context: object, _instances: object) -> None:
    """Whatever the code, a change to or deletion of an evaluation stored as published is refused before it is
    written. The stored status is read from the database, not from the object, which may not have loaded it."""
    changed = [r for r in session.dirty if isinstance(r, Evaluation) and session.is_modified(r)]
    deleted = [r for r in session.deleted if isinstance(r, Evaluation)]
    ids = [record.id for record in changed + deleted if record.id is not None]
    if not ids:
        return
    published = session.connection().scalars(
        sa.select(Evaluation.id).where(Evaluation.id.in_(ids), Evaluation.status == EvaluationStatus.PUBLISHED)
    )
    for evaluation_id in published:
        raise PublishedEvaluationChanged(f"evaluation {evaluation_id} is published and cannot change")
