"""London's local authorities, loaded from the CSV shipped with the portal (or one a user points at)."""

import csv
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from portal.extensions import db
from portal.models import InnerOuter, LocalAuthority, PostcodeDistrict, PostcodeDistrictBorough

SHIPPED_LOCAL_AUTHORITIES = Path(__file__).parent / "data" / "london_local_authorities.csv"


def load_local_authorities(path: Path = SHIPPED_LOCAL_AUTHORITIES) -> tuple[int, int]:
    """Insert or update every row, keyed on GSS code. Returns (added, updated). Commits once."""
    existing = {la.gss_code: la for la in db.session.scalars(sa.select(LocalAuthority))}
    added = updated = 0
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            values = {
                "name": row["name"],
                "official_name": row["official_name"],
                "register_code": row["register_local_authority_eng"],
                "org_id": row["org_id"],
                "authority_type": row["local_authority_type"],
                "inner_outer": InnerOuter(row["inner_outer_ons"].lower()),
                "hectares": Decimal(row["hectares"]),
                "residents_2021": int(row["census_2021_usual_residents"]),
                "police_force": row["policed_by"],
                "in_lcpf": row["in_lcpf_32_boroughs"] == "Y",
            }
            local_authority = existing.get(row["gss_code"])
            if local_authority is None:
                db.session.add(LocalAuthority(gss_code=row["gss_code"], **values))
                added += 1
            elif any(getattr(local_authority, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(local_authority, key, value)
                updated += 1
    db.session.commit()
    return added, updated


SHIPPED_POSTCODE_DISTRICTS = Path(__file__).parent / "data" / "london_postcode_district_to_borough.csv"
SHIPPED_BOROUGH_BOUNDARIES = Path(__file__).parent / "data" / "london_boroughs_simplified.geojson"


def load_postcode_districts(path: Path = SHIPPED_POSTCODE_DISTRICTS) -> tuple[int, int]:
    """Insert or update every postcode district with its candidate boroughs, keyed on the district. Returns
    (added, updated). Load the local authorities first. Commits once."""
    boroughs = {la.name: la for la in db.session.scalars(sa.select(LocalAuthority))}
    if not boroughs:
        raise ValueError("Load the local authorities before the postcode districts")
    existing = {district.outcode: district for district in db.session.scalars(sa.select(PostcodeDistrict))}
    added = updated = 0
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            outcode = row["outcode"].strip().upper()
            in_london = row["centroid_in_greater_london"] == "Y"
            first = row["centroid_borough"] if in_london else row["nearest_borough_if_outside"]
            names = [first] + [name.strip() for name in row["other_boroughs_within_1km"].split(";")]
            ordered = []
            for name in names:
                if name and name not in ordered:
                    if name not in boroughs:
                        raise ValueError(f"Postcode district {outcode}: unknown borough {name!r}")
                    ordered.append(name)
            wanted = [boroughs[name].id for name in ordered]
            district = existing.get(outcode)
            if district is None:
                district = PostcodeDistrict(outcode=outcode, centre_in_london=in_london)
                district.borough_links = _links(wanted)
                db.session.add(district)
                added += 1
            elif (
                district.centre_in_london != in_london
                or [link.local_authority_id for link in district.borough_links] != wanted
            ):
                district.centre_in_london = in_london
                district.borough_links.clear()
                db.session.flush()
                district.borough_links = _links(wanted)
                updated += 1
    db.session.commit()
    return added, updated


def _links(local_authority_ids: list[int]) -> list[PostcodeDistrictBorough]:
    return [
        PostcodeDistrictBorough(local_authority_id=la_id, position=position)
        for position, la_id in enumerate(local_authority_ids)
    ]
