"""JSON API under /api/v1: token authentication, the same services as the pages."""
from . import (  # noqa: F401  (views register their routes)
               apps_api,
               audit_api,
               contributions_api,
               deployments_api,
               export_api,
               forks_api,
               heartbeat_api,
               import_api,
               inbox_api,
               openapi,
               organizations_api,
               reports_api,
               used_by_api,
               users_api,
)
from .blueprint import bp  # noqa: F401  (what register_web mounts)
