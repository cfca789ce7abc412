import sqlalchemy as sa

from portal.extensions import db
from portal.models import LocalAuthority, Organisation, OrganisationStatus, organisation_borough


def fetch_local_authority_by_gss(gss_code: str) -> LocalAuthority | None:
    return db.session.scalar(sa.select(LocalAuthority).where(LocalAuthority.gss_code == gss_code.upper()))


def fetch_organisations_working_in(local_authority: LocalAuthority) -> list[Organisation]:
    """Organisations that name the borough among those they serve, or work London-wide."""
    named = sa.select(organisation_borough.c.organisation_id).where(
        organisation_borough.c.local_authority_id == local_authority.id
    )
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .where(
                Organisation.status == OrganisationStatus.ACTIVE,
                sa.or_(Organisation.id.in_(named), Organisation.works_pan_london.is_(True)),
            )
            .order_by(Organisation.works_pan_london, Organisation.name)
        )
    )
