"""Postcode districts: what people type ("se15", "SE15 3AB") turned into the boroughs the district may be in."""

import re

import sqlalchemy as sa

from portal.errors import DomainError
from portal.extensions import db
from portal.models import PostcodeDistrict

# The outward code (district) and, optionally, the inward code of a full postcode.
POSTCODE = re.compile(r"^(?P<district>[A-Z]{1,2}[0-9][A-Z0-9]?)(?P<inward>[0-9][A-Z]{2})?$")


def district_of(text: str) -> str:
    """The postcode district typed, or of the postcode typed: "se15" and "SE15 3AB" both give "SE15"."""
    compact = re.sub(r"\s+", "", text or "").upper()
    match = POSTCODE.match(compact)
    if not match:
        raise DomainError("Enter a postcode district like SE15, or a full postcode like SE15 3AB", field="postcode")
    return match["district"]


def find_district(text: str) -> PostcodeDistrict:
    """The London postcode district for what was typed, or a DomainError saying why there is none."""
    outcode = district_of(text)
    district = db.session.scalar(sa.select(PostcodeDistrict).where(PostcodeDistrict.outcode == outcode))
    if district is None:
        raise DomainError(
            f"We do not know the postcode district {outcode}. Check it, or choose a borough instead: only districts "
            "in or beside London are listed",
            field="postcode",
        )
    return district
