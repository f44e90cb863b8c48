"""Reports for auditors in the API (reuse, every dashboard table) and the audit checkpoint."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from ...services.deployments import heartbeat
from ...services.errors import NotFound
from ...services.oversight import checkpoints as audit_checkpoint
from ...services.oversight import reports
from ...services.oversight import tables as report_tables
from ...services.oversight.csv_export import cell_text
from ...vocab import deployments as dv
from .blueprint import bp
from .common import require_actor
from .serializers import organization_json


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _scope():
    return reports.report_scope(require_actor(), request.args.get("province") or None,
                                request.args.get("strength") or None)


@bp.get("/reports/reuse")
def api_report_reuse():
    """Per app: publisher, forks, deployments by status; per kab/kota: the apps it uses."""
    scope = _scope()
    apps = [{"slug": r.app.slug, "name": r.app.name, "publisher": organization_json(r.app.publisher),
             "category": r.app.category, "forks": r.forks, "deployments": r.deployments,
             "deployments_by_status": r.by_status, "confirmed": r.confirmed, "self_declared": r.self_declared,
             "observed": r.observed, "declared_only": r.declared_only,
             "organizations": r.organizations} for r in reports.reuse_by_app(scope)]
    regions = [{"org": organization_json(u.org), "forks": u.forks,
                "apps": [{"app": d.app_slug, "name": d.app_name, "deployment_id": d.id, "status": d.status,
                          "environment": d.environment, "version": d.version, "confirmed": d.confirmed,
                          "evidence": heartbeat.evidence(d), "last_seen_at": _iso(d.last_seen_at),
                          "observed_version": d.observed_version}
                         for d in u.deployments]} for u in reports.reuse_by_region(scope)]
    return {"scope": {"province": organization_json(scope.province) if scope.province else None,
                      "strength": scope.strength},
            "statuses": list(dv.STATUSES), "apps": apps, "regions": regions}


@bp.get("/reports/tables/<key>")
def api_report_table(key: str):
    """Any dashboard table as column keys and the same cell text as the screen and the CSV."""
    table = report_tables.build_table(key, _scope())
    if table is None:
        raise NotFound(_("Tabel laporan tidak dikenal. Pilihan: %(v)s.", v=', '.join(report_tables.TABLES)))
    return {"key": table.key, "columns": list(table.columns),
            "rows": [[cell_text(v) for v in row] for row in table.rows]}


@bp.get("/audit/checkpoint")
def api_audit_checkpoint():
    """The chain head as a checkpoint; public like the events themselves."""
    return audit_checkpoint.make_checkpoint(request.url_root)
