"""Large returns spreadsheets, checked and saved by a background job while the borough watches its progress.

The upload is kept, with its file, in the same commit that hands the job over, so nothing the borough sent is lost
if Redis or the worker is away: the job goes out when Redis is back, and an upload left part checked by a worker
that stopped is queued again by the scheduler's check. Only the worker that claims the queued upload checks it.
The returns are saved, and the upload marked saved, in one commit; a refused file saves nothing and keeps every
problem found to show. The file itself is dropped once it has been checked.
"""

import logging
from collections.abc import Sequence
from datetime import date

from flask import current_app

from portal import audit
from portal.boroughs import spreadsheet
from portal.boroughs.spreadsheet import MAX_BYTES, Problem, UploadRefused
from portal.database import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.models import DeliveryPlan, ReturnsUpload, UploadStatus, User
from portal.tracked_jobs import Abandoned, TrackedJob

log = logging.getLogger(__name__)

CHECKS = TrackedJob(
    ReturnsUpload,
    queued=UploadStatus.QUEUED,
    working=UploadStatus.CHECKING,
    failed=UploadStatus.FAILED,
    asked_at="queued_at",
    job="workers.boroughs.check_returns_upload",
    timeout_seconds=600,
    what="returns uploads",
)


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
    CHECKS.enqueue(upload.id)
    db.session.commit()
    return upload


def _show_progress(upload_id: int, worker: str, done: int, total: int) -> None:
    # Rows read so far count for most of the bar; saving the returns is the rest.
    progress = min(90, 5 + (85 * done) // max(total, 1))
    if not CHECKS.step(upload_id, worker, progress, f"Checked {done:,} of {total:,} rows"):
        raise Abandoned(f"returns upload {upload_id} is no longer this worker's")


def check_upload(upload_id: int) -> UploadStatus | None:
    """Check a queued upload and save its returns. Safe to run twice: only the worker that claims it checks it,
    and it keeps its result only while the upload is still its own."""
    upload = db.session.get(ReturnsUpload, upload_id)
    if upload is None or upload.status.finished:
        return upload.status if upload else None
    worker = CHECKS.claim(upload_id)
    if worker is None:
        return upload.status  # another worker has it in hand
    upload = db.session.get(ReturnsUpload, upload_id)
    if upload is None:
        return None  # deleted (its plan withdrawn) since it was claimed
    plan, period_start, actor = upload.plan, upload.period_start, upload.uploaded_by
    try:
        if actor is None or upload.data is None:
            raise DomainError("The person who uploaded the file no longer has an account here")
        checked = spreadsheet.check_upload(
            plan,
            period_start,
            upload.filename,
            upload.data,
            on_progress=lambda done, total: _show_progress(upload_id, worker, done, total),
        )
        # Marked saved in the same commit that saves the returns.
        if _finish(upload_id, worker, UploadStatus.SAVED, saved_count=len(checked)):
            saved = spreadsheet.save_checked(plan, period_start, checked, actor)
            log.info("returns upload %s saved %s returns", upload_id, saved)
    except Abandoned:
        db.session.rollback()
        log.warning("returns upload %s was started again by another worker; this one stopped", upload_id)
    except UploadRefused as refused:
        db.session.rollback()
        _finish(upload_id, worker, UploadStatus.REFUSED, message=refused.message, problems=refused.problems)
    except DomainError as error:
        db.session.rollback()
        _finish(upload_id, worker, UploadStatus.REFUSED, message=f"{error.message}: nothing has been saved")
    except Exception as error:
        log.exception("returns upload %s failed", upload_id)
        db.session.rollback()
        _finish(
            upload_id,
            worker,
            UploadStatus.FAILED,
            message=f"The file could not be checked ({type(error).__name__}). Nothing has been saved: upload it again.",
        )
    db.session.commit()
    db.session.expire_all()
    finished = db.session.get(ReturnsUpload, upload_id)
    return finished.status if finished else None


def _finish(
    upload_id: int,
    worker: str,
    status: UploadStatus,
    message: str | None = None,
    problems: Sequence[Problem] | None = None,
    saved_count: int | None = None,
) -> bool:
    """Write the outcome, dropping the file, if the upload is still the worker's; whether it was. The caller
    commits."""
    finished = CHECKS.finish(
        upload_id,
        worker,
        status=status,
        finished_at=utcnow(),
        message=message,
        problems=[[p.sheet, p.row, p.column, p.message] for p in problems] if problems else None,
        saved_count=saved_count,
        data=None,
    )
    upload = db.session.get(ReturnsUpload, upload_id) if finished else None
    if upload is not None:
        audit.record(
            f"returns_upload.{status.value}",
            upload,
            after={"returns": saved_count, "problems": len(problems or [])},
            organisation_id=upload.plan.organisation_id,
            actor=upload.uploaded_by,
        )
    return finished


def restart_stuck_uploads() -> int:
    """Queue again every upload left part checked by a worker that stopped, or whose job was lost with a worker
    or a Redis (the scheduler's check)."""
    return CHECKS.restart_all_stuck(message="The check stopped before it finished; waiting to start again")
