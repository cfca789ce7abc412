"""Awards made from funded bids, with their approvals."""

from flask import Blueprint

awards = Blueprint("awards", __name__, url_prefix="/staff/awards")
