"""Downloads of a person's data. Each job takes ids, re-reads its rows and is safe to run twice."""

from portal.your_data import services


def prepare_export(export_id: int):
    """Make the ZIP of a queued download of someone's data, updating its progress as it goes."""
    return services.prepare_export(export_id)


def expire_exports() -> int:
    """Remove the files of downloads past their time."""
    return services.expire_exports()
