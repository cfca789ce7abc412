"""London's local authorities, loaded from the CSV shipped with the portal (or one a user points at)."""

import csv
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from portal.extensions import db
from portal.models import InnerOuter, LocalAuthority

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
