"""Citizens' concerns followed to their end (placeholder blueprint; routes land with the feature)."""

from flask import Blueprint

bp = Blueprint("concerns", __name__, url_prefix="/concerns")
