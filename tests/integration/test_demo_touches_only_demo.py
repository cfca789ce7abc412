"""Loading the demo again changes only demo records: an approved award that is not demo data, even one to a demo
organisation, keeps no agreement, no measures and its returns as they were."""

import sqlalchemy as sa

from portal.demo.registry import demo_award_ids
from portal.demo.seed import load_all_demo_data
from portal.extensions import db
from portal.models import Award, GrantAgreement, Measure, Organisation, Return, ReturnStatus
from tests.factories import create_organisation
from tests.factories_monitoring import create_award


def _state(award_id: int) -> tuple:
    return (
        db.session.scalar(sa.select(sa.func.count()).where(GrantAgreement.award_id == award_id)),
        db.session.scalar(sa.select(sa.func.count()).where(Measure.award_id == award_id)),
        tuple(db.session.scalars(sa.select(Return.status).where(Return.award_id == award_id).order_by(Return.id))),
    )


def test_a_second_demo_load_leaves_awards_that_are_not_demo_data_alone():
    load_all_demo_data()
    victim_support = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Victim Support"))
    real = [
        create_award(create_organisation(name="Lewisham Youth Trust"), title="Youth club nights"),
        create_award(victim_support, title="Court support in Bromley"),
    ]
    before = {award.id: _state(award.id) for award in real}
    assert all(state == (0, 0, state[2]) and set(state[2]) == {ReturnStatus.DUE} for state in before.values())

    load_all_demo_data()
    db.session.expire_all()

    assert {award.id: _state(award.id) for award in real} == before
    demo = demo_award_ids()
    assert demo and not demo & {award.id for award in real}
    # Every other approved award is demo data, and has its agreement and measures.
    others = set(db.session.scalars(sa.select(Award.id).where(Award.id.not_in([a.id for a in real]))))
    assert others == demo
