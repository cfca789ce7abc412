"""What other parts of the portal ask of the formula: a borough's allocation from the current published version."""

import sqlalchemy as sa

from portal.extensions import db
from portal.lcpf.versions import fetch_current_published
from portal.models import LcpfAllocation, LcpfVersion, LocalAuthority, Organisation


def published_allocation(borough: Organisation | LocalAuthority | str, financial_year: int) -> int | None:
    """Whole pounds for ``borough`` in the financial year starting April ``financial_year``, from the current
    published version; None when no published version covers that year or the borough is not funded.

    ``borough`` may be a borough council or Safer Neighbourhood Board organisation, a local authority, or a GSS code.
    """
    version = fetch_current_published()
    if version is None:
        return None
    local_authority_id = _local_authority_id(borough)
    if local_authority_id is None:
        return None
    return db.session.scalar(
        sa.select(LcpfAllocation.amount_pounds).where(
            LcpfAllocation.version_id == version.id,
            LcpfAllocation.local_authority_id == local_authority_id,
            LcpfAllocation.financial_year == financial_year,
        )
    )


def published_allocations(version: LcpfVersion | None = None) -> dict[tuple[str, int], int]:
    """Every (GSS code, financial year) → pounds of the given (or current) published version."""
    version = version or fetch_current_published()
    if version is None:
        return {}
    return {
        (allocation.local_authority.gss_code, allocation.financial_year): allocation.amount_pounds
        for allocation in version.allocations
    }


def _local_authority_id(borough: Organisation | LocalAuthority | str) -> int | None:
    if isinstance(borough, LocalAuthority):
        return borough.id
    if isinstance(borough, Organisation):
        return borough.local_authority_id if borough.organisation_type.represents_a_borough else None
    return db.session.scalar(sa.select(LocalAuthority.id).where(LocalAuthority.gss_code == borough.strip().upper()))
