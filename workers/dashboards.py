"""Dashboards jobs. Safe to run twice: each choice of filters kept is worked out again from what is published."""

from portal.dashboards import figures


def refresh_figures() -> int:
    """Work out again the dashboards' kept figures. Queued whenever published data changes (one waiting job at a
    time: see :func:`portal.directory.published.changed`), and every night for the figures that move with the
    date."""
    return figures.refresh()
