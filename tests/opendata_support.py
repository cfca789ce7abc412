"""Realistic published awards for the open-data tests: a charity, a company, a council, a community group,
boroughs and pan-London, multi-year and part-year, all direct awards."""

from dataclasses import dataclass
from datetime import date

from portal.extensions import db
from portal.models import Award, Organisation, OrganisationType, ServiceArea
from tests.factories import create_organisation
from tests.factories_monitoring import create_award


@dataclass
class London:
    charity: Organisation
    company: Organisation
    council: Organisation
    group: Organisation
    witness_care: Award  # charity, Southwark and Lambeth, three years, pence in the total
    streets: Award  # company, Croydon, six months
    council_award: Award  # council, Lewisham
    mothers: Award  # community group with no registered number, City of London
    pan_london: Award  # charity, all of London


def london_awards(with_schedule: bool = False) -> London:
    charity = create_organisation("Victim Support", charity_number="298028")
    charity.company_number = "02158780"
    company = create_organisation("Safer Streets Partnership Ltd", organisation_type=OrganisationType.COMPANY)
    company.company_number = "08123456"
    council = create_organisation(
        "London Borough of Lewisham", organisation_type=OrganisationType.BOROUGH, borough="Lewisham"
    )
    group = create_organisation(
        "Deptford Mothers Against Knife Crime", organisation_type=OrganisationType.COMMUNITY_GROUP
    )
    db.session.commit()
    witness_care = create_award(
        charity,
        title="Witness care in south London",
        boroughs=("Southwark", "Lambeth"),
        start=date(2025, 4, 1),
        end=date(2028, 3, 31),
        amounts_pence=(40_000_00, 45_500_50, 30_000_00),
        with_schedule=with_schedule,
    )
    witness_care.service_areas = [ServiceArea.VICTIM_SUPPORT, ServiceArea.VAWG]
    streets = create_award(
        company,
        title="Safer routes home from Croydon town centre",
        boroughs=("Croydon",),
        start=date(2025, 10, 1),
        end=date(2026, 3, 31),
        amounts_pence=(12_345_67,),
        with_schedule=with_schedule,
    )
    streets.service_areas = [ServiceArea.CRIME_PREVENTION]
    council_award = create_award(
        council, title="Lewisham youth violence panel", boroughs=("Lewisham",), with_schedule=with_schedule
    )
    mothers = create_award(
        group, title="Peer support for bereaved mothers", boroughs=("City of London",), with_schedule=with_schedule
    )
    pan_london = create_award(
        charity, title="London Victims and Witnesses Service", boroughs=(), with_schedule=with_schedule
    )
    pan_london.works_pan_london = True
    db.session.commit()
    return London(charity, company, council, group, witness_care, streets, council_award, mothers, pan_london)
