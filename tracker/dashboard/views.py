"""The committee dashboard (placeholder blueprint; routes land with the feature)."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
