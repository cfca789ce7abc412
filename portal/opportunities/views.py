"""Open and upcoming funding rounds, listed publicly."""

from flask import Blueprint

opportunities = Blueprint("opportunities", __name__, url_prefix="/funding")
