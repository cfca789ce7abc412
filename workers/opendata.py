"""Open-data jobs. Safe to run twice: unchanged data leaves the files as they are."""

import logging

from portal import caching, jobs, page_cache
from portal.opendata import files

log = logging.getLogger(__name__)

JOB = "workers.opendata.regenerate"
# The public pages' generation (portal.page_cache) when the files were last brought up to date. Every commit that
# changes a record a public page could show starts a new generation, so the same generation means nothing the files
# are made from has changed since.
DONE_KEY = "opendata:up-to-date-at-generation"


def regenerate() -> list[str]:
    """Bring the open-data files up to date with published data, making again only the parts of the awards changed
    since (:func:`portal.opendata.files.refresh`), and let the public pages work their figures out afresh.

    Queued whenever published data changes: an award approved, varied or withdrawn, a return accepted, a rating
    overridden (one waiting job at a time: see ``jobs.enqueue(coalesce=True)``); every night :func:`regenerate_all`
    makes every part again. So a change shows in public as soon as this job has run, not only when the cache
    expires. When nothing public has changed since the files were last made, it does nothing at all."""
    generation = page_cache.current_generation()
    if generation is not None and caching.get(DONE_KEY) == generation:
        log.info("open data: nothing published has changed since the files were made")
        return []
    changed = files.refresh()
    caching.clear()
    if not jobs.is_waiting(JOB):
        # Nothing that queues this job has committed since it read the data: the files are as current as the
        # generation that starts now.
        caching.set(DONE_KEY, page_cache.current_generation(), timeout=0)
    return changed


def regenerate_all() -> list[str]:
    """Every night: make every grant's part of the open-data files again and check it against the schema
    (:func:`portal.opendata.files.regenerate`), whatever changes were recorded. This mends anything a change did not
    record (an organisation renamed, the schema or the settings updated); unchanged files keep their stamp."""
    changed = files.regenerate()
    caching.clear()
    return changed
