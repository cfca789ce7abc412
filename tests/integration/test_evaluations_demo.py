"""The demo shows evaluations: a published one with its PDF report on a real-looking service, and a three-year
service missing its interim evaluation; loading the demo again changes nothing."""

import pytest
import sqlalchemy as sa

from portal.demo.evaluations import GANG_EXIT, VICTIMS
from portal.demo.seed import load_all_demo_data
from portal.evaluations import rules
from portal.extensions import db
from portal.models import Award, Evaluation, EvaluationKind, EvaluationStatus


@pytest.mark.long
def test_the_demo_has_a_published_evaluation_and_a_missing_interim_and_loading_again_changes_nothing(client):
    load_all_demo_data()
    evaluations = db.session.scalars(sa.select(Evaluation).order_by(Evaluation.id)).all()
    published = [e for e in evaluations if e.status is EvaluationStatus.PUBLISHED]
    assert [(e.award.title, e.kind) for e in published] == [(GANG_EXIT[1], EvaluationKind.INTERIM)]
    assert published[0].report_filename.endswith(".pdf")
    missing = db.session.scalars(sa.select(Award.title).where(rules.missing_evaluation())).all()
    assert VICTIMS[1] in missing and GANG_EXIT[1] not in missing
    snapshot = [(e.id, e.status, e.updated_at) for e in evaluations]

    assert load_all_demo_data()
    db.session.expire_all()
    again = db.session.scalars(sa.select(Evaluation).order_by(Evaluation.id))
    assert [(e.id, e.status, e.updated_at) for e in again] == snapshot

    page = client.get_page(f"/services/{published[0].award_id}")
    assert "Interim evaluation by" in page.get_text(" ")
    response = client.get(f"/evaluations/{published[0].id}/report.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
