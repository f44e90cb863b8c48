"""The ui blueprint, apart from its views so that they can import it without a cycle."""
from flask import Blueprint

bp = Blueprint("ui", __name__)
