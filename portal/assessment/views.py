"""Officers screen, assign reviewers, moderate and decide; reviewers declare conflicts and score."""

from flask import Blueprint

assessment = Blueprint("assessment", __name__, url_prefix="/staff")
