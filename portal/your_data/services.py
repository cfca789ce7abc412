"""Downloads of a person's data: asked for by the person, or by an administrator for a subject access request;
prepared by a background job that reports its progress; kept for ``YOUR_DATA_DOWNLOAD_DAYS`` and then removed.

A request never stays stuck: a job that stopped part way (a worker killed, Redis lost) leaves its export in hand
past ``CLAIM_TIMEOUT_SECONDS``, and the scheduler's check, or the person asking again, starts it again; after
three starts it is given up as failed. Only the job holding the claim may mark an export ready or
failed, in a single conditional update, so a file that was made is never reported as failed.
"""

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import Pagination

from portal import audit
from portal.database import rows_matched, utcnow
from portal.email.outbox import queue_email
from portal.errors import DomainError
from portal.extensions import db
from portal.models import ExportStatus, PersonalDataExport, User
from portal.template_helpers import external_url
from portal.tracked_jobs import Abandoned, TrackedJob
from portal.your_data import collect
from portal.your_data.package import build_zip

log = logging.getLogger(__name__)

EXPORTS = TrackedJob(
    PersonalDataExport,
    queued=ExportStatus.QUEUED,
    working=ExportStatus.PREPARING,
    failed=ExportStatus.FAILED,
    asked_at="requested_at",
    job="workers.your_data.prepare_export",
    timeout_seconds=900,
    what="downloads of personal data",
    max_attempts=3,
)
RECENT_EXPORTS = 10


def download_days() -> int:
    days: int = current_app.config["YOUR_DATA_DOWNLOAD_DAYS"]
    return days


def fetch_export(export_id: int) -> PersonalDataExport | None:
    return db.session.get(PersonalDataExport, export_id)


def fetch_own_exports(user: User) -> list[PersonalDataExport]:
    return list(
        db.session.scalars(
            sa.select(PersonalDataExport)
            .where(PersonalDataExport.requested_by_id == user.id, PersonalDataExport.subject_access.is_(False))
            .order_by(PersonalDataExport.id.desc())
            .limit(RECENT_EXPORTS)
        )
    )


def fetch_subject_access_exports(page: int, per_page: int = 20) -> Pagination:
    return db.paginate(
        sa.select(PersonalDataExport)
        .where(PersonalDataExport.subject_access.is_(True))
        .order_by(PersonalDataExport.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )


def is_stuck(export: PersonalDataExport, now: datetime | None = None) -> bool:
    """In hand for longer than the claim timeout: its job stopped, or never reached a worker."""
    return EXPORTS.is_stuck(export, now)


def request_own_export(user: User) -> PersonalDataExport:
    """Queue a download of everything about ``user``. Asking again while one is being prepared returns it (a
    double submit changes nothing); asking again for one that is stuck starts it again."""
    in_hand = db.session.scalar(
        sa.select(PersonalDataExport)
        .where(
            PersonalDataExport.requested_by_id == user.id,
            PersonalDataExport.subject_access.is_(False),
            PersonalDataExport.status.in_(EXPORTS.in_hand),
        )
        .order_by(PersonalDataExport.id.desc())
        .limit(1)
    )
    if in_hand is not None:
        _restart([in_hand.id])
        db.session.commit()
        return in_hand
    export = PersonalDataExport(
        subject_user=user,
        subject_email=user.email.lower(),
        requested_by=user,
        status=ExportStatus.QUEUED,
        message="Waiting to start",
    )
    db.session.add(export)
    audit.record("your_data.requested", export, actor=user)
    EXPORTS.enqueue(export.id)
    db.session.commit()
    return export


def request_subject_access_export(
    actor: User, email: str, *, name: str | None, reference: str, reason: str
) -> PersonalDataExport:
    """Queue the same download for a subject access request received outside the portal, with its reference and
    reason in the audit log. The same request sent twice while it is being prepared returns the first."""
    email, reference = email.strip().lower(), reference.strip()
    if not reference:
        raise DomainError("Enter the request's reference", field="reference")
    if not reason.strip():
        raise DomainError("Enter why the data is being exported", field="reason")
    in_hand = db.session.scalar(
        sa.select(PersonalDataExport)
        .where(
            PersonalDataExport.subject_access.is_(True),
            PersonalDataExport.subject_email == email,
            PersonalDataExport.reference == reference,
            PersonalDataExport.status.in_(EXPORTS.in_hand),
        )
        .limit(1)
    )
    if in_hand is not None:
        _restart([in_hand.id])
        db.session.commit()
        return in_hand
    subject = collect.find_subject(email, name)
    export = PersonalDataExport(
        subject_user=subject.user,
        subject_email=email,
        subject_name=(name or "").strip() or None,
        subject_access=True,
        reference=reference,
        reason=reason.strip(),
        requested_by=actor,
        status=ExportStatus.QUEUED,
        message="Waiting to start",
    )
    db.session.add(export)
    audit.record(
        "subject_access.requested",
        export,
        after={"email": email, "has_account": subject.user is not None, "reference": reference, "reason": reason},
        actor=actor,
    )
    EXPORTS.enqueue(export.id)
    db.session.commit()
    return export


def _restart(ids: list[int]) -> int:
    """Start again each of these exports that is stuck, or give it up once it has been started ``EXPORTS.max_attempts``
    times; the number started again. The caller commits."""
    return EXPORTS.restart(
        ids,
        message="It stopped part way, so it has been started again",
        given_up_message="It stopped part way several times, so it was given up. Ask for it again; if it fails "
        "again, contact the portal's support team.",
        on_given_up=lambda export: audit.record("your_data.failed", export, after={"error": "stopped"}, actor=None),
    )


def restart_export(export: PersonalDataExport) -> bool:
    """Start one export again if it is stuck (asked for by the person handling it); whether it was."""
    restarted = _restart([export.id])
    db.session.commit()
    return bool(restarted)


def restart_stuck_exports() -> int:
    """The scheduler's check: start again every export whose job stopped part way or never started."""
    return EXPORTS.restart_all_stuck(
        message="It stopped part way, so it has been started again",
        given_up_message="It stopped part way several times, so it was given up. Ask for it again; if it fails "
        "again, contact the portal's support team.",
        on_given_up=lambda export: audit.record("your_data.failed", export, after={"error": "stopped"}, actor=None),
    )


def expire_exports() -> int:
    """Remove the files of downloads past their time; the number removed. Running it twice removes nothing more."""
    expired = rows_matched(
        db.session.execute(
            sa.update(PersonalDataExport)
            .where(PersonalDataExport.status == ExportStatus.READY, PersonalDataExport.expires_at <= utcnow())
            .values(status=ExportStatus.EXPIRED, data=None, message="The download has expired and its file was removed")
            .execution_options(synchronize_session=False)
        )
    )
    db.session.commit()
    return expired


def forget_exports_about(user: User, email: str) -> None:
    """Closing or erasing an account: every download about the person loses its file at once, and their address,
    even one being prepared (its job then finds it no longer its own and keeps nothing). The caller commits."""
    db.session.execute(
        sa.update(PersonalDataExport)
        .where(sa.or_(PersonalDataExport.subject_user_id == user.id, PersonalDataExport.subject_email == email.lower()))
        .values(
            status=ExportStatus.EXPIRED,
            data=None,
            subject_email=user.email,
            subject_name=None,
            message="The file was removed when the account was closed",
        )
        .execution_options(synchronize_session=False)
    )


def _step(export_id: int, worker: str, progress: int, message: str) -> None:
    if not EXPORTS.step(export_id, worker, progress, message):
        raise Abandoned(f"download of personal data {export_id} is no longer this job's")


def prepare_export(export_id: int) -> ExportStatus | None:
    """Make the ZIP of a queued export. Safe to run twice: only the job that claims the queued export makes it.
    The file is written with the status ``ready`` and the email saying so in one commit, while the export is
    still this job's; any failure marks the export failed and keeps no file."""
    export = fetch_export(export_id)
    if export is None or not export.status.in_hand:
        return export.status if export else None
    worker = EXPORTS.claim(export_id, progress=5, message="Finding your records")
    if worker is None:
        return export.status  # another job has it in hand
    export = fetch_export(export_id)
    if export is None:
        return None  # deleted since it was claimed
    try:
        subject = collect.Subject(email=export.subject_email, user=export.subject_user, extra_name=export.subject_name)

        def on_table(done: int, total: int) -> None:
            if done % 5 == 0:
                _step(export_id, worker, 5 + 80 * done // max(total, 1), f"Reading your records ({done} of {total})")

        sections = collect.collect(subject, on_table)
        _step(export_id, worker, 90, "Writing the files")
        generated_at = utcnow()
        expires_at = generated_at + timedelta(days=download_days())
        data = build_zip(
            subject, sections, generated_at=generated_at, expires_at=expires_at, reference=export.reference
        )
        if EXPORTS.finish(
            export_id,
            worker,
            status=ExportStatus.READY,
            message=None,
            ready_at=generated_at,
            expires_at=expires_at,
            contents={section.name: len(section.rows) for section in sections},
            file_size=len(data),
            data=data,
        ):
            _tell_ready(export)
            db.session.commit()
        else:
            db.session.rollback()  # it was given up on, or another job has it now
    except Abandoned:
        db.session.rollback()
        log.warning("download of personal data %s was started again or given up; this job stopped", export_id)
    except Exception as error:
        log.exception("download of personal data %s failed", export_id)
        db.session.rollback()
        message = (
            f"It could not be prepared ({type(error).__name__}). Ask for it again; if it fails again, "
            "contact the portal's support team."
        )
        if EXPORTS.finish(export_id, worker, status=ExportStatus.FAILED, data=None, message=message):
            audit.record("your_data.failed", fetch_export(export_id), after={"error": type(error).__name__}, actor=None)
        db.session.commit()
    db.session.expire_all()
    return _status(export_id)


def _status(export_id: int) -> ExportStatus | None:
    export = fetch_export(export_id)
    return export.status if export else None


def _tell_ready(export: PersonalDataExport) -> None:
    if export.subject_access:
        audit.record(
            "subject_access.prepared",
            export,
            after={"reference": export.reference, "files": len(export.contents or {})},
            actor=None,  # prepared by the portal's job; who asked for it is on the request's own event
        )
        if export.requested_by is not None:
            queue_email(
                export.requested_by.email,
                "subject_access_ready",
                export=export,
                link=external_url("your_data.subject_access_export", export_id=export.id),
            )
        return
    audit.record("your_data.prepared", export, after={"files": len(export.contents or {})}, actor=export.requested_by)
    if export.requested_by is not None:
        queue_email(
            export.requested_by.email,
            "your_data_ready",
            user=export.requested_by,
            export=export,
            link=external_url("your_data.export", export_id=export.id),
        )


def record_download(export: PersonalDataExport, actor: User) -> bytes:
    """The file, once the download is written to the audit log. Only a ready export that has not expired."""
    if export.status_at(utcnow()) is not ExportStatus.READY or export.data is None:
        raise DomainError("This download is not available")
    data = export.data
    action = "subject_access.downloaded" if export.subject_access else "your_data.downloaded"
    audit.record(action, export, after={"reference": export.reference} if export.subject_access else None, actor=actor)
    db.session.commit()
    return data


def file_name(export: PersonalDataExport) -> str:
    stamp = (export.ready_at or export.requested_at).strftime("%Y-%m-%d")
    if export.subject_access:
        safe_reference = "".join(c if c.isalnum() or c in "-_" else "-" for c in export.reference or "")[:40]
        return f"subject-access-{safe_reference}-{stamp}.zip"
    return f"your-data-{stamp}.zip"
