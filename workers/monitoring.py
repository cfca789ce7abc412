"""Monitoring jobs. Each takes ids (or nothing), re-reads its rows and is safe to run twice."""

from portal.monitoring import measures, reminders


def generate_return_schedule(award_id: int) -> int:
    """Add the returns an approved award is missing; queue it with jobs.enqueue when an award is approved."""
    return measures.generate_return_schedule(award_id)


def send_return_reminders() -> int:
    """Send the reminders due today. Run daily (cron or rq's scheduler); running it twice sends nothing new."""
    return reminders.send_return_reminders()
