"""Jobs for the public directory. Each takes ids, re-reads its rows and is safe to run twice."""

from portal.directory import alerts


def send_round_alerts(round_id: int) -> int:
    """Email subscribers about a newly published round; a subscriber already alerted about it is skipped."""
    return alerts.send_round_alerts(round_id)
