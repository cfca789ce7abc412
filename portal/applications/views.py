"""Organisations bid: eligibility, the proportionate form, save and return, check answers, submit."""

from flask import Blueprint

applications = Blueprint("applications", __name__)
