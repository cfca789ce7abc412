"""The your-data demo: a ready download for Victim Support's owner and an answered subject access request, once."""

import io
import json
import zipfile

import sqlalchemy as sa

from portal.demo import your_data as demo_your_data
from portal.demo.seed import load_demo_data
from portal.extensions import db
from portal.models import ExportStatus, PersonalDataExport


def test_the_demo_has_a_ready_download_and_a_subject_access_export_once(run_jobs):
    load_demo_data()
    assert demo_your_data.load() == (
        "Your data demo: a download of Victim Support's owner's data, subject access request SAR-DEMO-001."
    )
    run_jobs()
    assert demo_your_data.load() == "Your data demo: the downloads are there already."
    run_jobs()

    exports = list(db.session.scalars(sa.select(PersonalDataExport).order_by(PersonalDataExport.id)))
    assert [(e.subject_email, e.subject_access, e.status) for e in exports] == [
        ("victimsupport@demo.example.org", False, ExportStatus.READY),
        ("resident@demo.example.org", True, ExportStatus.READY),
    ]
    with zipfile.ZipFile(io.BytesIO(exports[1].data)) as archive:
        assert json.loads(archive.read("alert_subscription.json"))[0]["email"] == "resident@demo.example.org"
