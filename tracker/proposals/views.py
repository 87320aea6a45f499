"""Proposals followed to their end (placeholder blueprint; routes land with the feature)."""

from flask import Blueprint

bp = Blueprint("proposals", __name__, url_prefix="/proposals")
