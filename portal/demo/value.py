"""Demonstration value for money: real published unit values (the Home Office's economic and social costs of crime
and of domestic abuse, with their price years and sources), an illustrative deflator series, and a published
cost-benefit analysis of the London Gang Exit Service with every step of its workings.

Safe to run again: a unit value, the series and the analysis are each added only when missing, and only demo
records are touched (the series only when none has been imported at all, so an officer's own series stays in use).
"""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from portal.demo.registry import demo_awards
from portal.demo.seed import DEMO_DOMAIN
from portal.extensions import db
from portal.models import Award, DeflatorSeries, Measure, UnitValue, User, ValueAnalysis
from portal.value import deflators, services

DEFLATOR_FILE = Path(__file__).resolve().parent.parent / "value" / "data" / "demo_gdp_deflators.csv"
DEFLATOR_SOURCE = (
    "Illustrative demo series shaped like HM Treasury's GDP deflators at market prices (2022-23 = 100), rounded, "
    "rising 2% a year from 2025-26. Not the published figures: import HM Treasury's latest series before real use."
)
COSTS_OF_CRIME = (
    "Home Office, The economic and social costs of crime, second edition (Heeks, Reed, Tafsiri and Prince, "
    "Research Report 99, July 2018), unit costs by offence, 2015/16 prices"
)
COSTS_OF_CRIME_URL = "https://www.gov.uk/government/publications/the-economic-and-social-costs-of-crime"
DOMESTIC_ABUSE = (
    "Home Office, The economic and social costs of domestic abuse (Oliver, Alexander, Roe and Wlasny, Research "
    "Report 107, January 2019), cost per victim, 2016/17 prices"
)
DOMESTIC_ABUSE_URL = "https://www.gov.uk/government/publications/the-economic-and-social-costs-of-domestic-abuse"


@dataclass(frozen=True)
class DemoUnitValue:
    name: str
    pounds: str
    price_year: int
    unit: str
    source: str
    url: str


UNIT_VALUES = (
    DemoUnitValue("Homicide", "3217740", 2015, "offence", COSTS_OF_CRIME, COSTS_OF_CRIME_URL),
    DemoUnitValue("Violence with injury", "14050", 2015, "offence", COSTS_OF_CRIME, COSTS_OF_CRIME_URL),
    DemoUnitValue("Violence without injury", "5930", 2015, "offence", COSTS_OF_CRIME, COSTS_OF_CRIME_URL),
    DemoUnitValue("Rape", "39360", 2015, "offence", COSTS_OF_CRIME, COSTS_OF_CRIME_URL),
    DemoUnitValue("Robbery (personal)", "11320", 2015, "offence", COSTS_OF_CRIME, COSTS_OF_CRIME_URL),
    DemoUnitValue("Domestic burglary", "5930", 2015, "offence", COSTS_OF_CRIME, COSTS_OF_CRIME_URL),
    DemoUnitValue("Domestic abuse", "34015", 2016, "victim", DOMESTIC_ABUSE, DOMESTIC_ABUSE_URL),
)

SERVICE = ("Safer London", "London Gang Exit Service")
TITLE = "Cost-benefit analysis of the London Gang Exit Service, first year's outcomes"
DRAFT_SERVICE = ("Victim Support", "London Victims and Witnesses Service")
DRAFT_TITLE = "Draft: cost-benefit analysis of the London Victims and Witnesses Service"
SUMMARY = (
    "Weighs the service's three years of grant against the violence and robbery avoided by the young people it "
    "supported in its first year. The number supported comes from the service's accepted monitoring returns; "
    "the robberies avoided are an illustrative estimate of the kind an interim evaluation would give. Only "
    "outcomes that can be valued are counted, so the ratio understates the service's whole worth. Demo figures."
)


def load() -> str:
    officer = db.session.scalar(sa.select(User).where(User.email == f"officer@{DEMO_DOMAIN}"))
    if officer is None:
        return "Value for money demo: no demo officer, nothing loaded."
    added = _unit_values(officer)
    series = _series(officer)
    award = next((a for a in demo_awards(Award.title == SERVICE[1]) if a.organisation.name == SERVICE[0]), None)
    if award is None:
        return f"Value for money demo: {added} unit values added; {SERVICE[1]} not found, no analysis."
    drafted = _draft()
    existing = sa.select(ValueAnalysis.id).where(ValueAnalysis.award_id == award.id, ValueAnalysis.title == TITLE)
    if db.session.scalar(existing):
        return f"Value for money demo: {added} unit values added{series}{drafted}; the analysis is there already."
    analysis = _analysis(award, officer)
    services.publish(analysis, officer)
    return f"Value for money demo: {added} unit values added{series}{drafted}; the analysis of {award.title} published."


def _draft() -> str:
    """A draft for officers to work on: the victims and witnesses service's funding, and one outcome so far."""
    officer = db.session.scalar(sa.select(User).where(User.email == f"officer2@{DEMO_DOMAIN}"))
    found = demo_awards(Award.title == DRAFT_SERVICE[1])
    award = next((a for a in found if a.organisation.name == DRAFT_SERVICE[0]), None)
    if officer is None or award is None:
        return ""
    if db.session.scalar(sa.select(ValueAnalysis.id).where(ValueAnalysis.award_id == award.id)):
        return ""
    analysis = services.create_analysis(award, DRAFT_TITLE, award.years[0].financial_year, officer)
    services.save_outcome(
        analysis,
        None,
        {
            "name": "Repeat domestic abuse avoided",
            "count": Decimal(25),
            "financial_year": analysis.analysis_year,
            "measure_id": None,
            "count_source": "Draft estimate, to be checked against the service's interim evaluation (demo figure).",
            "years": 1,
            "deadweight": Decimal(0),
            "deadweight_reason": "",
            "displacement": Decimal(0),
            "displacement_reason": "",
            "attribution": Decimal(0),
            "attribution_reason": "",
            "drop_off": Decimal(0),
            "drop_off_reason": "",
        },
        _unit_value("Domestic abuse"),
        officer,
    )
    return ", a draft analysis started"


def _unit_values(officer: User) -> int:
    added = 0
    for spec in UNIT_VALUES:
        exists = db.session.scalar(
            sa.select(UnitValue.id).where(UnitValue.name == spec.name, UnitValue.source == spec.source)
        )
        if exists:
            continue
        services.save_unit_value(
            None,
            {
                "name": spec.name,
                "value": Decimal(spec.pounds),
                "price_year": spec.price_year,
                "unit": spec.unit,
                "source": spec.source,
                "source_url": spec.url,
                "notes": "",
            },
            officer,
        )
        added += 1
    return added


def _series(officer: User) -> str:
    if db.session.scalar(sa.select(DeflatorSeries.id).limit(1)):
        return ""
    deflators.import_series(DEFLATOR_FILE.read_bytes(), DEFLATOR_FILE.name, DEFLATOR_SOURCE, officer)
    return ", the illustrative deflator series imported"


def _unit_value(name: str) -> UnitValue:
    found = db.session.scalar(sa.select(UnitValue).where(UnitValue.name == name).order_by(UnitValue.id))
    if found is None:
        raise RuntimeError(f"Load the unit values first: {name!r} is missing")
    return found


def _analysis(award: Award, officer: User) -> ValueAnalysis:
    year0 = award.years[0].financial_year
    analysis = services.create_analysis(award, TITLE, year0, officer)
    services.update_settings(
        analysis,
        {
            "title": TITLE,
            "analysis_year": year0,
            "summary": SUMMARY,
            "optimism_bias": Decimal(15),
            "optimism_bias_reason": (
                "The grant is fixed, but delivery partners' time and referral costs are not counted in it and "
                "tend to run over; the Green Book's lower range for a service like this."
            ),
            "sensitivity_low": Decimal(40),
            "sensitivity_high": Decimal(25),
            "sensitivity_reason": (
                "The counts and the share of violence avoided are uncertain; the low case allows for much less "
                "effect, the high case for more robbery avoided than estimated."
            ),
        },
        officer,
    )
    people = db.session.scalar(
        sa.select(Measure).where(Measure.award_id == award.id, Measure.name == "People supported")
    )
    adjustments = {
        "deadweight": Decimal(50),
        "deadweight_reason": "Half of young people leaving gangs would be expected to stop offending without help.",
        "displacement": Decimal(10),
        "displacement_reason": "Some violence moves to others in the same groups.",
        "attribution": Decimal(25),
        "attribution_reason": "Youth offending teams, police and schools share the credit.",
        "drop_off": Decimal(50),
        "drop_off_reason": "The effect on offending halves each year after support ends.",
    }
    services.save_outcome(
        analysis,
        None,
        {
            "name": "Violence with injury avoided, one offence a young person supported",
            "count": None,
            "financial_year": year0,
            "measure_id": people.id if people else None,
            "count_source": "" if people else "Demo estimate",
            "years": 3,
            **adjustments,
        },
        _unit_value("Violence with injury"),
        officer,
    )
    services.save_outcome(
        analysis,
        None,
        {
            "name": "Robberies avoided",
            "count": Decimal(12),
            "financial_year": year0 + 1,
            "measure_id": None,
            "count_source": "Illustrative estimate of the kind an interim evaluation gives (demo figure).",
            "years": 2,
            **adjustments,
        },
        _unit_value("Robbery (personal)"),
        officer,
    )
    return analysis
