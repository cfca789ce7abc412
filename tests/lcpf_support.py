"""Loading the real public files into the test database, and small helpers for LCPF tests."""

from decimal import Decimal
from functools import cache

from portal.lcpf import formula, imports
from portal.lcpf.shipped import CRIME_FILE, DEPRIVATION_FILE, POPULATION_FILE


@cache
def _checked_crime_file() -> imports.CheckedCrimeFile:
    """The MPS file checked once for the test process (its 63,000 counts refer to the reference boroughs, which the
    suite keeps), and imported by each test that asks for it; the check itself has tests of its own."""
    return imports.check_crime(CRIME_FILE.read_bytes(), CRIME_FILE.name)


def import_real_files(imported_by=None):
    """The MPS file (April 2010 to November 2023), Census 2021 residents and IMD 2025, as shipped."""
    crime = imports.save_crime(_checked_crime_file(), imported_by)
    imports.import_population(POPULATION_FILE.read_bytes(), POPULATION_FILE.name, imported_by)
    imports.import_deprivation(DEPRIVATION_FILE.read_bytes(), DEPRIVATION_FILE.name, imported_by)
    return crime


def parameters(boroughs_pot=13_000_000, years=(2026,), **choices) -> formula.Parameters:
    defaults = {
        "crime_weight": Decimal(50),
        "population_weight": Decimal(25),
        "deprivation_weight": Decimal(25),
        "crime_from_month": 202212,
        "crime_to_month": 202311,
    }
    return formula.Parameters(
        pots=tuple(formula.YearPot(year, boroughs_pot, 1_600_000, 3_000_000) for year in years),
        **{**defaults, **choices},
    )
