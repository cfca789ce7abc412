"""How long checking a quarterly returns file the size of every borough's projects takes: ``make bench-spreadsheet``
(``python -m bench.returns_spreadsheet``).

The file has 33 boroughs by 40 projects, each with spend, people helped, progress, risks and three measures: 9,240
rows, none of them a project of the plan it is uploaded to, so every row is checked and every one is reported (the
most work a file can cause before anything is saved). The plan is made on DATABASE_URL (an empty database: the
migrations build it), or on SQLite in a temporary folder, and the check is timed several times in one process, as a
worker runs it. Prints the processor and wall time of each run and their median; nothing here asserts a time.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUARTER = date(2026, 4, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="how many times the file is checked (default 5)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))

    from flask_migrate import upgrade

    from config import TestingConfig
    from portal import create_app
    from portal.boroughs import spreadsheet
    from portal.boroughs.plans import approve_plan
    from portal.extensions import db
    from portal.models import PlanStatus, StaffRole
    from portal.reference.services import load_local_authorities
    from tests.factories import create_user
    from tests.factories_boroughs import (
        create_borough_allocation,
        create_council,
        create_plan,
        every_boroughs_returns_file,
    )

    with tempfile.TemporaryDirectory() as folder:
        # DATABASE_URL as the portal reads it (the driver named); an empty database, which the migrations build.
        database = (
            TestingConfig.SQLALCHEMY_DATABASE_URI if os.environ.get("DATABASE_URL") else f"sqlite:///{folder}/b.db"
        )
        app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database, MAIL_BACKEND="log", RUN_JOBS_INLINE=True)
        with app.app_context():
            upgrade()
            load_local_authorities()
            council, _ = create_council("Lewisham", email="lcpf@lewisham.example.org")
            create_borough_allocation("Lewisham", 2026, 800_000_00)
            plan = create_plan(council, status=PlanStatus.SUBMITTED, projects=2, amount_pence=100_000_00)
            approve_plan(plan, "", create_user(staff_role=StaffRole.GRANT_OFFICER), date(2026, 7, 20))
            data = every_boroughs_returns_file()
            processor, wall = [], []
            for _ in range(args.runs):
                started_processor, started_wall = time.process_time(), time.perf_counter()
                try:
                    spreadsheet.check_upload(plan, QUARTER, "returns.xlsx", data)
                except spreadsheet.UploadRefused as refused:
                    reported = len(refused.problems)
                else:
                    raise SystemExit("the file was accepted: it should have been refused row by row")
                processor.append(time.process_time() - started_processor)
                wall.append(time.perf_counter() - started_wall)
                print(
                    f"checked {len(data):,} bytes, {reported:,} problems: {processor[-1]:.2f} s processor, "
                    f"{wall[-1]:.2f} s wall"
                )
            print(
                f"median of {args.runs}: {statistics.median(processor):.2f} s processor, "
                f"{statistics.median(wall):.2f} s wall ({db.engine.dialect.name})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
