"""The outcomes framework, the outcomes dashboard and the catalogue in public never show a draft: the whole public
site is crawled, from every public starting point, with a draft framework version, a draft catalogue entry, a
published entry's unpublished changes and an entry of an award not approved planted, and searched for them."""

import pytest

from portal.extensions import db
from portal.models import AwardStatus
from portal.opendata import files
from portal.outcomes import catalogue, frameworks
from tests.factories_monitoring import create_award, create_measure
from tests.factories_outcomes import catalogue_entry, map_measure, outcomes_officer, published_framework
from tests.integration.test_public_privacy import crawl, plant_everything

MARKERS = {
    "outcome of a draft framework": "SECRET-DRAFT-OUTCOME",
    "draft framework's introduction": "SECRET-DRAFT-INTRODUCTION",
    "draft catalogue entry": "SECRET-DRAFT-ENTRY",
    "unpublished change to a published entry": "SECRET-UNPUBLISHED-CHANGE",
    "entry of an award awaiting approval": "SECRET-AWAITING-ENTRY",
}


def plant_outcomes():
    plant_everything()
    officer = outcomes_officer()
    framework = published_framework(officer)
    published_award = create_award(title="Catalogued service", boroughs=("Lambeth",))
    map_measure(create_measure(published_award, "Young people engaged"), framework, "Fewer victims of violence")
    entry = catalogue_entry(published_award, purpose="PUBLIC-CATALOGUE-PURPOSE")
    catalogue.save_draft(
        published_award,
        catalogue.EntryDetails(
            version=entry.version, **{**entry.draft, "need": MARKERS["unpublished change to a published entry"]}
        ),
        officer,
    )
    catalogue_entry(create_award(title="Drafted service"), publish=False, purpose=MARKERS["draft catalogue entry"])
    awaiting = create_award(title="Awaiting service")
    catalogue_entry(awaiting, publish=False, purpose=MARKERS["entry of an award awaiting approval"])
    awaiting.status = AwardStatus.AWAITING_APPROVAL
    draft = frameworks.start_draft(officer)
    frameworks.update_framework(
        draft, frameworks.FrameworkDetails("Next plan", MARKERS["draft framework's introduction"]), officer
    )
    frameworks.add_outcome(
        draft, frameworks.OutcomeDetails(MARKERS["outcome of a draft framework"], "Not yet"), officer
    )
    db.session.commit()
    files.regenerate()


@pytest.mark.long
def test_no_public_page_or_file_shows_a_draft_framework_or_catalogue_entry(client, app):
    plant_outcomes()
    bodies = crawl(client, app)
    reached = set(bodies)
    for path in ("/outcomes", "/dashboards/outcomes", "/dashboards/outcomes/outcomes-by-outcome.csv"):
        bodies.setdefault(path, client.get(path).get_data(as_text=True))
    leaks = [
        f"{what} at {where}" for where, body in bodies.items() for what, marker in MARKERS.items() if marker in body
    ]
    assert leaks == []
    # The crawl reached the new public pages and the published entry, so the check can fail.
    assert {"/dashboards/outcomes", "/outcomes"} <= reached
    assert any("PUBLIC-CATALOGUE-PURPOSE" in body for where, body in bodies.items() if where.startswith("/services/"))
    assert any(
        "PUBLIC-CATALOGUE-PURPOSE" in body for where, body in bodies.items() if where.startswith("/openreferral")
    )
    assert any("Fewer victims of violence" in body for where, body in bodies.items() if where == "/outcomes")
