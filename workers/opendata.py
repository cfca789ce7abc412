"""Open-data jobs. Safe to run twice: unchanged data leaves the files as they are."""

from portal.opendata import files


def regenerate() -> list[str]:
    """Rebuild the open-data files from published data; queued when an award is approved or a return accepted."""
    return files.regenerate()
