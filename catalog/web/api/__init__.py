"""JSON API under /api/v1: token authentication, the same services as the pages."""
from flask import Blueprint

from ...extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies are accepted here: writes need a bearer token

from . import (apps_api, audit_api, deployments_api, export_api, forks_api, import_api,  # noqa: E402,F401
               inbox_api, openapi, organizations_api, reports_api)
