"""The public files the formula needs, shipped with the portal, and an example published version made from them.

``flask --app wsgi lcpf load`` imports each file once (a file already imported under its name is skipped) and
publishes the example version only when no version has been published yet, so running it again changes nothing.
"""

from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from portal.extensions import db
from portal.lcpf import formula, imports, versions
from portal.models import LcpfImport, LcpfImportKind, LcpfVersion

DATA = Path(__file__).parent / "data"
CRIME_FILE = DATA / "MPS_Borough_Level_Crime_Historical.csv"
POPULATION_FILE = DATA / "london_borough_population.csv"
DEPRIVATION_FILE = DATA / "imd2025_lad_summaries_london.csv"

SOURCES = {
    LcpfImportKind.CRIME: (
        "MPS Recorded Crime: Geographic Breakdown (borough level, April 2010 to November 2023), Metropolitan "
        "Police Service via the London Datastore. Open Government Licence."
    ),
    LcpfImportKind.POPULATION: "Census 2021 usual residents, Office for National Statistics. Open Government Licence.",
    LcpfImportKind.DEPRIVATION: (
        "English Indices of Deprivation 2025, local-authority summaries, Ministry of Housing, Communities and Local "
        "Government. Open Government Licence."
    ),
}

EXAMPLE_TITLE = "LCPF 2025 to 2028: the portal's published formula"
EXAMPLE_EXPLANATION = (
    "MOPAC's own weights are not public, so this version does not claim to reproduce MOPAC's allocations. It shares "
    "the 2022 to 2025 pot for direct borough funding (£39,315,555 over three years) by a published need-and-demand "
    "formula: half by recorded crime in the latest twelve months of the MPS file, a quarter by residents and a "
    "quarter by deprivation where people live (IMD 2025 average score times residents)."
)
# The 2022 to 2025 split (lcpf_2022_25_split.csv), a third in each year: whole pounds per financial year.
EXAMPLE_PARAMETERS = formula.Parameters(
    pots=tuple(
        formula.YearPot(financial_year=year, boroughs=13_105_185, vru=1_600_000, co_commissioning=3_294_815)
        for year in (2025, 2026, 2027)
    ),
    crime_weight=Decimal(50),
    population_weight=Decimal(25),
    deprivation_weight=Decimal(25),
    crime_from_month=202212,
    crime_to_month=202311,
)

LOADERS = {
    LcpfImportKind.CRIME: (CRIME_FILE, imports.import_crime),
    LcpfImportKind.POPULATION: (POPULATION_FILE, imports.import_population),
    LcpfImportKind.DEPRIVATION: (DEPRIVATION_FILE, imports.import_deprivation),
}


def load_shipped_data() -> list[str]:
    """Import each shipped file unless a file of that kind and name has been imported already."""
    summaries = []
    for kind, (path, importer) in LOADERS.items():
        already = db.session.scalar(
            sa.select(LcpfImport.id).where(LcpfImport.kind == kind, LcpfImport.source_filename == path.name)
        )
        if already is not None:
            summaries.append(f"{kind.label}: {path.name} already imported.")
            continue
        report = importer(path.read_bytes(), path.name)
        record = db.session.get(LcpfImport, report.import_id) if report.import_id is not None else None
        if record is not None:  # a refused file leaves no import to credit
            record.attribution = SOURCES[kind]
        db.session.commit()
        summaries.append(
            f"{kind.label}: {path.name} imported ({report.boroughs} boroughs"
            + (f"; left out: {'; '.join(report.left_out)}" if report.left_out else "")
            + ")."
        )
    return summaries


def load_example_version() -> str:
    """Publish the example version unless any version has been published (or the example already exists)."""
    published = db.session.scalar(sa.select(LcpfVersion.id).where(LcpfVersion.published_at.is_not(None)))
    if published is not None or db.session.scalar(sa.select(LcpfVersion.id).where(LcpfVersion.title == EXAMPLE_TITLE)):
        return "Formula: a version is already published."
    version = versions.create_draft(EXAMPLE_TITLE, EXAMPLE_PARAMETERS, created_by=None, explanation=EXAMPLE_EXPLANATION)
    versions.publish(version, published_by=None)
    return f"Formula: published {version.title} (version {version.id})."
