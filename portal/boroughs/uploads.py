"""Large returns spreadsheets, checked and saved by a background job while the borough watches its progress.

The upload is kept, with its file, in the same commit that hands the job over, so nothing the borough sent is lost
if Redis or the worker is away: the job goes out when Redis is back, and an upload left part checked by a worker
that stopped is queued again by the scheduler's check. Only the worker that claims the queued upload checks it.
The returns are saved, and the upload marked saved, in one commit; a refused file saves nothing and keeps every
problem found to show. The file itself is dropped once it has been checked.
"""

import logging
from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from portal import audit, jobs
from portal.boroughs import spreadsheet
from portal.boroughs.spreadsheet import MAX_BYTES, Problem, UploadRefused
from portal.database import rows_matched, utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.models import DeliveryPlan, ReturnsUpload, UploadStatus, User

log = logging.getLogger(__name__)

CHECK_JOB = "workers.boroughs.check_returns_upload"
CHECK_TIMEOUT_SECONDS = 600
IN_HAND = (UploadStatus.QUEUED, UploadStatus.CHECKING)


def checked_in_background(data: bytes) -> bool:
    """Whether the file is large enough to be checked by a worker. One too large at all is refused at once."""
    background_above: int = current_app.config["SPREADSHEET_BACKGROUND_BYTES"]
    return background_above < len(data) <= MAX_BYTES


def queue_upload(plan: DeliveryPlan, period_start: date, filename: str, data: bytes, actor: User) -> ReturnsUpload:
    """Keep the file and hand it to a worker to check and save."""
    if len(data) > MAX_BYTES:
        raise DomainError("The file must be smaller than 2 MB", "spreadsheet")
    upload = ReturnsUpload(
        plan=plan,
        period_start=period_start,
        filename=filename[:255],
        data=data,
        status=UploadStatus.QUEUED,
        progress=0,
        message="Waiting for the file to be checked",
        uploaded_by_id=actor.id,
    )
    db.session.add(upload)
    audit.record(
        "returns_upload.queued",
        upload,
        after={"filename": upload.filename, "quarter": period_start, "bytes": len(data)},
        organisation_id=plan.organisation_id,
        actor=actor,
    )
    jobs.enqueue(CHECK_JOB, upload.id, timeout=CHECK_TIMEOUT_SECONDS)
    db.session.commit()
    return upload


def fetch_upload(plan: DeliveryPlan, upload_id: int) -> ReturnsUpload | None:
    upload = db.session.get(ReturnsUpload, upload_id)
    return upload if upload is not None and upload.plan_id == plan.id else None


def _claim(upload_id: int) -> bool:
    claimed = rows_matched(
        db.session.execute(
            sa.update(ReturnsUpload)
            .where(ReturnsUpload.id == upload_id, ReturnsUpload.status == UploadStatus.QUEUED)
            .values(status=UploadStatus.CHECKING, claimed_at=utcnow(), claimed_by=jobs.current_worker())
        )
    )
    db.session.commit()
    db.session.expire_all()
    return bool(claimed)


def _show_progress(upload: ReturnsUpload, done: int, total: int) -> None:
    # Rows read so far count for most of the bar; saving the returns is the rest.
    upload.progress = min(90, 5 + (85 * done) // max(total, 1))
    upload.message = f"Checked {done:,} of {total:,} rows"
    db.session.commit()  # so that the progress bar, in another process, sees it


def check_upload(upload_id: int) -> UploadStatus | None:
    """Check a queued upload and save its returns. Safe to run twice: only the worker that claims it checks it."""
    upload = db.session.get(ReturnsUpload, upload_id)
    if upload is None or upload.status.finished:
        return upload.status if upload else None
    if not _claim(upload_id):
        return upload.status  # another worker has it in hand
    upload = db.session.get(ReturnsUpload, upload_id)
    if upload is None:
        return None  # deleted (its plan withdrawn) since it was claimed
    actor = upload.uploaded_by
    try:
        if actor is None or upload.data is None:
            raise DomainError("The person who uploaded the file no longer has an account here")
        claimed = upload
        checked = spreadsheet.check_upload(
            upload.plan,
            upload.period_start,
            upload.filename,
            upload.data,
            on_progress=lambda done, total: _show_progress(claimed, done, total),
        )
        # Marked saved in the same commit that saves the returns.
        _finish(upload, UploadStatus.SAVED, saved_count=len(checked))
        saved = spreadsheet.save_checked(upload.plan, upload.period_start, checked, actor)
        log.info("returns upload %s saved %s returns", upload_id, saved)
    except UploadRefused as refused:
        db.session.rollback()
        _finish(upload_id, UploadStatus.REFUSED, message=refused.message, problems=refused.problems)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        _finish(upload_id, UploadStatus.REFUSED, message=f"{error.message}: nothing has been saved")
        db.session.commit()
    except Exception as error:
        log.exception("returns upload %s failed", upload_id)
        db.session.rollback()
        _finish(
            upload_id,
            UploadStatus.FAILED,
            message=f"The file could not be checked ({type(error).__name__}). Nothing has been saved: upload it again.",
        )
        db.session.commit()
    finished = db.session.get(ReturnsUpload, upload_id)
    return finished.status if finished else None


def _finish(
    upload: ReturnsUpload | int,
    status: UploadStatus,
    message: str | None = None,
    problems: Sequence[Problem] | None = None,
    saved_count: int | None = None,
) -> None:
    """Record how the upload ended (given it, or its id after a rollback: nothing, if it has gone since)."""
    if isinstance(upload, int):
        found = db.session.get(ReturnsUpload, upload)
        if found is None:
            return
        upload = found
    upload.status, upload.progress, upload.finished_at = status, 100, utcnow()
    upload.message = message
    upload.problems = [[p.sheet, p.row, p.column, p.message] for p in problems] if problems else None
    upload.saved_count = saved_count
    upload.data = None
    audit.record(
        f"returns_upload.{status.value}",
        upload,
        after={"returns": saved_count, "problems": len(problems or [])},
        organisation_id=upload.plan.organisation_id,
        actor=upload.uploaded_by,
    )


def restart_stuck_uploads() -> int:
    """Queue again every upload left part checked by a worker that stopped (the scheduler's check)."""
    since = utcnow() - timedelta(seconds=current_app.config["CLAIM_TIMEOUT_SECONDS"])
    # Checking for too long: its worker stopped. Queued for too long: its job was lost with a worker or a Redis.
    stuck = sa.and_(
        ReturnsUpload.status.in_(IN_HAND), sa.func.coalesce(ReturnsUpload.claimed_at, ReturnsUpload.queued_at) < since
    )
    restarted = 0
    for upload_id in list(db.session.scalars(sa.select(ReturnsUpload.id).where(stuck))):
        if rows_matched(
            db.session.execute(
                sa.update(ReturnsUpload)
                .where(ReturnsUpload.id == upload_id, stuck)
                .values(
                    status=UploadStatus.QUEUED,
                    progress=0,
                    claimed_at=None,
                    claimed_by=None,
                    queued_at=utcnow(),
                    message="The check stopped before it finished; waiting to start again",
                )
            )
        ):
            jobs.enqueue(CHECK_JOB, upload_id, timeout=CHECK_TIMEOUT_SECONDS)
            restarted += 1
    db.session.commit()
    if restarted:
        log.warning("%s returns uploads left unchecked by a stopped worker were queued again", restarted)
    return restarted
