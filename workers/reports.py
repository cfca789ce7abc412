"""Committee report jobs. Each takes ids, re-reads its rows and is safe to run twice."""

from portal.reports import runs


def build_committee_report(run_id: int):
    """Build the XLSX and PDF of a queued committee report, updating its progress as it goes."""
    return runs.build_report(run_id)


def six_monthly_committee_report() -> int:
    """The scheduled report for the half-year last ended; running it again returns the same report."""
    return runs.request_scheduled_report(runs.london_today()).id
