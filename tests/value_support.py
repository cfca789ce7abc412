"""Value-for-money records for tests: a deflator series, unit values and analyses, committed."""

from decimal import Decimal

from portal.models import Award, UnitValue, User, ValueAnalysis
from portal.value import deflators, services

# 2015 = 80, then each year as written: the analyses in tests work in 2025 prices.
SERIES_CSV = b"year,index\n2015-16,80\n2024-25,98\n2025-26,100\n2026-27,102\n2027-28,104\n"


def import_series(officer: User | None = None, content: bytes = SERIES_CSV) -> None:
    deflators.import_series(content, "deflators.csv", "HM Treasury GDP deflators (test figures)", officer)


def create_unit_value(officer: User, name: str = "Violence with injury", pounds: str = "14050") -> UnitValue:
    return services.save_unit_value(
        None,
        {
            "name": name,
            "value": Decimal(pounds),
            "price_year": 2015,
            "unit": "offence",
            "source": "Home Office, The economic and social costs of crime (2018), 2015/16 prices",
            "source_url": "https://www.gov.uk/government/publications/the-economic-and-social-costs-of-crime",
            "notes": "",
        },
        officer,
    )


ADJUSTMENTS = {
    "deadweight": Decimal(20),
    "deadweight_reason": "A fifth would have happened anyway.",
    "displacement": Decimal(0),
    "displacement_reason": "",
    "attribution": Decimal(0),
    "attribution_reason": "",
    "drop_off": Decimal(0),
    "drop_off_reason": "",
}


def draft_analysis(award: Award, officer: User, title: str = "Analysis of the service", **outcome) -> ValueAnalysis:
    """A draft in 2025 prices with the award's funding as costs and one outcome entered by hand."""
    analysis = services.create_analysis(award, title, award.years[0].financial_year, officer)
    services.save_outcome(
        analysis,
        None,
        {
            "name": "Violent offences avoided",
            "count": Decimal(10),
            "financial_year": analysis.analysis_year,
            "measure_id": None,
            "count_source": "Interim evaluation's estimate",
            "years": 1,
            **ADJUSTMENTS,
            **outcome,
        },
        create_unit_value(officer) if not services.fetch_unit_values() else services.fetch_unit_values()[0],
        officer,
    )
    return analysis


def published_analysis(award: Award, officer: User, title: str = "Published analysis") -> ValueAnalysis:
    analysis = draft_analysis(award, officer, title)
    values = {name: getattr(analysis, name) for name in services.SETTINGS_FIELDS}
    services.update_settings(analysis, {**values, "summary": "What the service's outcomes are worth."}, officer)
    services.publish(analysis, officer)
    return analysis
