"""Borough jobs. Each takes ids, re-reads its rows and is safe to run twice."""

from portal.boroughs import uploads


def check_returns_upload(upload_id: int):
    """Check a large returns spreadsheet and save its returns, updating its progress as it goes."""
    return uploads.check_upload(upload_id)
