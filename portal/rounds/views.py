"""Officers run funds and rounds: the window rule, questions as data and scoring criteria."""

from flask import Blueprint

rounds = Blueprint("rounds", __name__, url_prefix="/staff/funds")
