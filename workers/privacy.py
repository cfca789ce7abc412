"""Personal data jobs. Safe to run twice: what has been dealt with no longer matches its rule."""

from portal.privacy import enforcement


def enforce_retention() -> dict[str, int]:
    """Delete or anonymise what has been kept for its whole retention period, batch by batch."""
    return {f"{line.kind.key}: {line.what}": line.count for line in enforcement.enforce()}
