"""JSON API under /api/v1: token authentication, the same services as the pages."""
from .blueprint import bp  # noqa: F401  (what register_web mounts)

from . import (apps_api, audit_api, deployments_api, export_api, forks_api, import_api,  # noqa: F401  (views register their routes)
               inbox_api, openapi, organizations_api, reports_api)
