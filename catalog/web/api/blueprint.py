"""The api blueprint, apart from its views so that they can import it without a cycle."""
from flask import Blueprint

from ...extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies are accepted here: writes need a bearer token
