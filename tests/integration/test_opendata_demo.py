"""The demo's open data: every approved demo award (and Lewisham's LCPF allocation) published, valid, and unchanged
by loading the demo again."""

import json

import pytest
import sqlalchemy as sa

from portal.demo.seed import load_all_demo_data
from portal.directory.published import published_awards
from portal.extensions import db
from portal.opendata import files, validation


@pytest.mark.long
def test_the_demo_publishes_every_approved_award_and_loading_again_changes_nothing():
    summaries = load_all_demo_data()
    assert summaries[-1].startswith("Open data:")
    package = json.loads(files.fetch_file(files.THREESIXTY_JSON).body)
    assert validation.errors(validation.threesixty_validator(), package) == []
    approved = db.session.scalars(published_awards()).unique().all()
    lcpf = [grant for grant in package["grants"] if grant["grantProgramme"][0]["code"] == "LCPF-BOROUGHS"]
    assert len(package["grants"]) - len(lcpf) == len(approved) > 0
    # Lewisham's approved delivery plan: its allocations, as grants to the council that it regrants.
    assert any(grant["recipientOrganization"][0]["id"] == "GB-LAE-LEW" for grant in lcpf)
    assert files.fetch_file(files.PERFORMANCE_CSV).records > 0
    stamps = {name: file.generated_at for name, file in files.fetch_files().items()}

    load_all_demo_data()
    db.session.expire_all()
    assert {name: file.generated_at for name, file in files.fetch_files().items()} == stamps
    assert db.session.scalar(sa.select(sa.func.count()).select_from(sa.text("open_data_file"))) == 3
