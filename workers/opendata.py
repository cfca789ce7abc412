"""Open-data jobs. Safe to run twice: unchanged data leaves the files as they are."""

from portal.extensions import cache
from portal.opendata import files


def regenerate() -> list[str]:
    """Rebuild the open-data files from published data, and let the public pages work their figures out afresh.

    Queued whenever published data changes: an award approved, varied or withdrawn, a return accepted, a rating
    overridden. So a change shows in public as soon as this job has run, not only when the cache expires."""
    changed = files.regenerate()
    cache.clear()
    return changed
