"""Committee report jobs. Each takes ids, re-reads its rows and is safe to run twice."""

from portal.reports import runs


def build_committee_report(run_id: int):
    """Build the XLSX and PDF of a queued committee report, updating its progress as it goes."""
    return runs.build_report(run_id)
