"""The value-for-money demo: real published unit values with their sources and price years, an illustrative
deflator series, and a published analysis of the London Gang Exit Service, loaded once."""

from datetime import date

import sqlalchemy as sa

from portal.demo import monitoring as demo_monitoring
from portal.demo import rounds as demo_rounds
from portal.demo import value as demo_value
from portal.demo.seed import load_demo_data
from portal.extensions import db
from portal.models import AuditEvent, DeflatorSeries, UnitValue, ValueAnalysis
from portal.value import services
from tests.value_support import import_series

TODAY = date(2026, 11, 22)


def _counts() -> tuple:
    return tuple(
        db.session.scalar(sa.select(sa.func.count(model.id)))
        for model in (UnitValue, DeflatorSeries, ValueAnalysis, AuditEvent)
    )


def test_the_demo_publishes_an_analysis_with_its_workings_and_loading_again_changes_nothing(client):
    load_demo_data()
    demo_rounds.load(TODAY)
    demo_monitoring.load(TODAY)
    assert demo_value.load().endswith("the analysis of London Gang Exit Service published.")
    before = _counts()
    assert demo_value.load().endswith("the analysis is there already.")
    assert _counts() == before

    violence = db.session.scalar(sa.select(UnitValue).where(UnitValue.name == "Violence with injury"))
    assert (violence.value, violence.price_year) == (14050, 2015)
    assert violence.source.startswith("Home Office, The economic and social costs of crime")
    assert "Illustrative" in db.session.scalar(sa.select(DeflatorSeries)).source

    draft = db.session.scalar(sa.select(ValueAnalysis).where(ValueAnalysis.title == demo_value.DRAFT_TITLE))
    assert not draft.is_published and draft.outcomes
    assert demo_value.DRAFT_TITLE not in client.get_page("/value-for-money").get_text()
    client.get_page(f"/value-for-money/{draft.id}", 404)

    analysis = db.session.scalar(sa.select(ValueAnalysis).where(ValueAnalysis.title == demo_value.TITLE))
    assert analysis.is_published and analysis.award.title == "London Gang Exit Service"
    workings, problems = services.work_out(analysis)
    assert problems == [] and workings.central.benefit_cost_ratio is not None
    assert analysis.outcomes[0].count_source.startswith("Accepted returns: 'People supported'")
    page = client.get_page(f"/value-for-money/{analysis.id}").get_text(" ", strip=True)
    assert "London Gang Exit Service" in page and "Home Office" in page


def test_the_demo_leaves_an_officers_own_deflator_series_in_use(client):
    load_demo_data()
    demo_rounds.load(TODAY)
    demo_monitoring.load(TODAY)
    import_series(content=b"year,index\n2015,80\n2016,81\n2025,100\n2026,102\n2027,104\n")
    demo_value.load()
    assert db.session.scalar(sa.select(sa.func.count(DeflatorSeries.id))) == 1
