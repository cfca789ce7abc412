"""A service's published catalogue entry in its Open Referral UK record, in the standard's own fields: the
``description`` says why the service exists, the need it answers with its evidence, the outcomes it seeks and how
they are measured; ``assured_date`` is the day an officer last checked and published the entry; and each outcome
it seeks is an ``attribute`` linking the service to a term of the outcomes framework's taxonomy. Drafts never
appear: only what was published, and only for published awards (the caller's records)."""

from portal.models import CATALOGUE_FIELDS
from portal.opendata.openreferral import make_id, service_id
from portal.outcomes import catalogue


def _description(base: str, fields: dict[str, str], sought: list[catalogue.SoughtOutcome]) -> str:
    parts = [base.strip()] if base.strip() else []
    for name, heading in CATALOGUE_FIELDS.items():
        if name == "measurement":
            continue
        if fields.get(name, "").strip():
            parts.append(f"{heading}: {fields[name].strip()}")
    if sought:
        listed = "; ".join(
            f"{item.outcome.name} (measured by {', '.join(m.name for m in item.measures)})" for item in sought
        )
        parts.append(f"The outcomes it seeks: {listed}.")
    if fields.get("measurement", "").strip():
        parts.append(f"{CATALOGUE_FIELDS['measurement']}: {fields['measurement'].strip()}")
    return "\n\n".join(parts)


def _attribute(award_id: int, item: catalogue.SoughtOutcome) -> dict:
    outcome = item.outcome
    term_id = make_id("taxonomy_term", "outcome", outcome.id)
    return {
        "id": make_id("attribute", award_id, "outcome", outcome.id),
        "link_id": service_id(award_id),
        "link_type": "service",
        "taxonomy_term_id": term_id,
        "taxonomy_term": {
            "id": term_id,
            "name": outcome.name,
            "description": outcome.description,
            "taxonomy": f"{outcome.framework.title} (outcomes framework, version {outcome.framework.number})",
            "term": outcome.name,
        },
    }


def add_catalogue(records: dict[int, dict]) -> None:
    """Add each award's published catalogue entry to its service record (keyed by award id), in place. Two
    queries for any number of records."""
    if not records:
        return
    entries = catalogue.published_entries(list(records))
    sought = catalogue.sought_outcomes(list(records))
    for award_id, record in records.items():
        entry = entries.get(award_id)
        fields = (entry.published if entry else None) or {}
        if not fields and not sought[award_id]:
            continue
        record["description"] = _description(record.get("description") or "", fields, sought[award_id])
        if entry is not None and entry.published_on is not None:
            record["assured_date"] = entry.published_on.isoformat()
        if "attributes" in record:
            record["attributes"] = record["attributes"] + [_attribute(award_id, item) for item in sought[award_id]]
