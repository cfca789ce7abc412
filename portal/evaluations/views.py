"""Evaluations of services and programmes: the officers' pages (``/staff/evaluations``) and the public library
(``/evaluations``), sharing this blueprint and its loaders.

Routes live in ``staff_views`` (officers) and ``public_views`` (everyone).
"""

from io import BytesIO

from flask import Blueprint, abort, send_file

from portal.evaluations import services
from portal.models import Evaluation

evaluations = Blueprint("evaluations", __name__)


def send_report(evaluation: Evaluation):
    """The uploaded report as a download; 404 if the evaluation's report is a link or there is none."""
    if not evaluation.report_filename:
        abort(404)
    return send_file(
        BytesIO(services.fetch_report_file(evaluation) or b""),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=evaluation.report_filename,
        max_age=0,
    )


from portal.evaluations import public_views, staff_views  # noqa: E402, F401  (routes)
