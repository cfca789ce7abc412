"""The demo shows a newcomer the outcomes framework, its mapping, the catalogue and the roll-up."""

import pytest
from click.testing import CliRunner

from portal.outcomes import catalogue, frameworks, mapping, rollup


@pytest.mark.long
def test_the_demo_publishes_the_plans_outcomes_maps_every_demo_measure_and_writes_three_entries(app, client):
    result = CliRunner().invoke(app.cli, ["demo", "load"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    framework = frameworks.fetch_current()
    assert [o.name for o in framework.outcomes] == [
        "Fewer victims of violence",
        "Victims supported to cope and recover",
        "Reduced reoffending",
        "Violence against women and girls tackled",
        "Young people safe from exploitation",
    ]
    assert mapping.fetch_unmapped().count == 0
    entries = [entry for _, entry in catalogue.fetch_catalogue() if entry and entry.published]
    assert len(entries) == 3
    rows = rollup.Rollup(rollup.Filters()).by_outcome().rows
    assert sum(row[1] for row in rows) >= 10 and all(row[8] >= 0 for row in rows)
    page = client.get_page(f"/services/{entries[0].award_id}")
    assert "Why it is funded" in page.get_text()
    assert "Outcomes demo: framework already there; 0 measures and 0 borough projects mapped; 0 catalogue entries" in (
        CliRunner().invoke(app.cli, ["demo", "load"]).output
    )
