"""Downloads: an entry or a fork as publiccode.yml, and the published catalog as JSON and CSV."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, request, url_for

from ...services.interop import exports, publiccode_export
from .blueprint import bp
from .common import api_actor

YAML_TYPE = "text/yaml"


def _yaml(text: str, filename: str) -> Response:
    return Response(text, mimetype=YAML_TYPE,
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


@bp.get("/apps/<slug>/publiccode.yml")
def api_app_publiccode(slug: str):
    return _yaml(publiccode_export.app_publiccode(slug, actor=api_actor(), base_url=request.url_root),
                 "publiccode.yml")


@bp.get("/forks/<int:fork_id>/publiccode.yml")
def api_fork_publiccode(fork_id: int):
    return _yaml(publiccode_export.fork_publiccode(fork_id, base_url=request.url_root), "publiccode.yml")


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d")


@bp.get("/export/apps.json")
def api_export_json():
    rows = exports.published_rows()
    items = [{**exports.row_json(r), "url": url_for("ui.app_detail", slug=r.slug, _external=True)} for r in rows]
    return {"items": items, "total": len(items), "page": 1, "per_page": max(len(items), 1),
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds")}


@bp.get("/export/apps.csv")
def api_export_csv():
    return Response(exports.catalog_csv(exports.published_rows()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="katalog-aplikasi-{_stamp()}.csv"'})
