"""The scheduler's check, every minute, that no work is left waiting for ever. Safe to run twice (or together)."""

from portal import jobs
from portal.boroughs import uploads
from portal.email import outbox
from portal.reports import runs
from portal.your_data import services as your_data


def recover() -> dict[str, int]:
    """Hand over jobs kept while Redis was unreachable, and start again emails, reports, returns uploads and
    downloads of personal data that a stopped worker left half done (claimed longer ago than
    ``CLAIM_TIMEOUT_SECONDS``)."""
    return {
        "jobs handed over": jobs.hand_over_waiting(),
        "emails released": outbox.resend_stuck_messages(),
        "reports restarted": runs.restart_stuck_runs(),
        "downloads of personal data restarted": your_data.restart_stuck_exports(),
        "returns uploads restarted": uploads.restart_stuck_uploads(),
    }
