"""Dashboards jobs. Safe to run twice: each choice of filters kept is worked out again from what is published."""

from portal import caching, page_cache
from portal.dashboards import figures

# The public pages' generation (portal.page_cache) when the kept figures were last worked out: every commit that
# changes a record a public page could show starts a new generation, so the same generation means nothing they are
# worked out from has changed since.
DONE_KEY = "dashboards:figures-at-generation"


def refresh_figures() -> int:
    """Work out the dashboards' kept figures again. Queued whenever published data changes (one waiting job at a
    time: see :func:`portal.directory.published.changed`), and every night for the figures that move with the
    date."""
    started_at = page_cache.current_generation()
    done = figures.refresh()
    unchanged_meanwhile = started_at is not None and page_cache.current_generation() == started_at
    # Pages kept before now show the figures as they were: they go, and the figures are as current as what starts.
    now = page_cache.new_generation()
    if unchanged_meanwhile:
        caching.set(DONE_KEY, now, timeout=0)
    return done


def refresh_figures_if_changed() -> int:
    """Every few minutes: work the kept figures out again if anything public has changed since they last were.
    Most changes queue :func:`refresh_figures` themselves; this catches the rest (a board's allocation issued, a
    cost-benefit analysis published) within minutes, and does nothing while nothing changes."""
    generation = page_cache.current_generation()
    if generation is not None and caching.get(DONE_KEY) == generation:
        return 0
    return refresh_figures()
