"""Server-rendered pages in Bahasa Indonesia."""
from . import (  # noqa: F401  (views register their routes)
               account,
               adoption,
               app_forms,
               catalog_pages,
               contributions,
               deployments,
               forks,
               heartbeat_pages,
               imports,
               language,
               notifications,
               organizations,
               password_pages,
               people,
               proposals,
               reports,
               review,
               security,
)
from .blueprint import bp  # noqa: F401  (what register_web mounts)
