"""Server-rendered pages in Bahasa Indonesia."""
from .blueprint import bp  # noqa: F401  (what register_web mounts)

from . import (account, adoption, app_forms, catalog_pages, deployments, forks, imports, language,  # noqa: F401  (views register their routes)
               notifications, proposals, reports, review)
