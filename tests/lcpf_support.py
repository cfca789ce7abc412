"""Loading the real public files into the test database, and small helpers for LCPF tests."""

from dataclasses import replace
from decimal import Decimal
from functools import cache

import sqlalchemy as sa

from portal.extensions import db
from portal.lcpf import formula, imports
from portal.lcpf.shipped import CRIME_FILE, DEPRIVATION_FILE, POPULATION_FILE


@cache
def _checked_crime_file() -> imports.CheckedCrimeFile:
    """The MPS file checked once for the test process (its 63,000 counts refer to the reference boroughs, which the
    suite keeps), and imported by each test that asks for it; the check itself has tests of its own."""
    return imports.check_crime(CRIME_FILE.read_bytes(), CRIME_FILE.name)


def import_real_files(imported_by=None):
    """The MPS file (April 2010 to November 2023), Census 2021 residents and IMD 2025, as shipped."""
    crime = _save_crime(imported_by)
    imports.import_population(POPULATION_FILE.read_bytes(), POPULATION_FILE.name, imported_by)
    imports.import_deprivation(DEPRIVATION_FILE.read_bytes(), DEPRIVATION_FILE.name, imported_by)
    return crime


# The counts of the first import in this process, in the test database beside the tables the migrations build.
KEPT_COUNTS = "test_fixture.lcpf_crime_count"
KEPT_COLUMNS = "local_authority_id, category, first_month, last_month, count"
_kept_in: set[str] = set()  # the databases holding this process's copy


def _save_crime(imported_by) -> imports.ImportReport:
    """Import the checked MPS file, as the portal does; on PostgreSQL, after the first time in this process, by
    copying the counts that first import wrote.

    PostgreSQL spends four fifths of an import checking each of the 63,000 rows' two foreign keys, and about a
    hundred tests import the file. A copy of rows that have passed those checks, in the same database and against
    reference boroughs the suite never changes, cannot fail them, so the copy is written with the database's
    triggers (which make those checks) off while it is made. Unique and check constraints still apply. Where the
    database's role may not do that (it must be a superuser), every import is made as the portal makes it.

    The copy (the rows the first import wrote, without its import's id) is kept by a transaction of its own, as
    the test's own is rolled back afterwards."""
    checked = _checked_crime_file()
    database = str(db.engine.url)
    if db.engine.dialect.name != "postgresql" or not _is_superuser(database):
        return imports.save_crime(checked, imported_by)
    if database not in _kept_in:
        report = imports.save_crime(checked, imported_by)
        written = db.session.execute(
            sa.text(f"SELECT {KEPT_COLUMNS} FROM lcpf_crime_count WHERE import_id = :import_id"),
            {"import_id": report.import_id},
        ).all()
        with db.engine.begin() as keeping:
            keeping.execute(sa.text("CREATE SCHEMA IF NOT EXISTS test_fixture"))
            keeping.execute(sa.text(f"DROP TABLE IF EXISTS {KEPT_COUNTS}"))
            keeping.execute(
                sa.text(f"CREATE UNLOGGED TABLE {KEPT_COUNTS} AS SELECT {KEPT_COLUMNS} FROM lcpf_crime_count LIMIT 0")
            )
            driver = keeping.connection.driver_connection
            with driver.cursor() as cursor, cursor.copy(f"COPY {KEPT_COUNTS} ({KEPT_COLUMNS}) FROM STDIN") as copy:
                for row in written:
                    copy.write_row(tuple(row))
        _kept_in.add(database)
        return report
    # The import's record, written by the portal with no counts, then the kept counts under it.
    report = imports.save_crime(replace(checked, counts={}), imported_by)
    db.session.execute(sa.text("SET LOCAL session_replication_role = replica"))
    db.session.execute(
        sa.text(
            f"INSERT INTO lcpf_crime_count (import_id, {KEPT_COLUMNS}) SELECT :import_id, {KEPT_COLUMNS}"
            f" FROM {KEPT_COUNTS} ORDER BY {KEPT_COLUMNS}"  # the order the portal writes them in
        ),
        {"import_id": report.import_id},
    )
    # The triggers are on again for the rest of the transaction: a commit within a test rolled back afterwards
    # only releases a savepoint, which would keep the setting.
    db.session.execute(sa.text("SET LOCAL session_replication_role = DEFAULT"))
    db.session.commit()
    return report


@cache
def _is_superuser(database: str) -> bool:  # asked once for each database
    return db.session.scalar(sa.text("SELECT current_setting('is_superuser')")) == "on"


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
