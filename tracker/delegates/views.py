"""A delegate's own page and record (placeholder blueprint; routes land with the feature)."""

from flask import Blueprint

bp = Blueprint("delegates", __name__, url_prefix="/delegates")
