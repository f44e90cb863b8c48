"""Server-rendered pages in Bahasa Indonesia."""
from flask import Blueprint

bp = Blueprint("ui", __name__)

from . import (account, adoption, app_forms, catalog_pages, deployments, forks, imports, language,  # noqa: E402,F401
               notifications, proposals, reports, review)
