"""JSON Schemas of the API's bodies and responses, for the OpenAPI document."""
from __future__ import annotations

from typing import Any

from ...vocab import apps as vocab
from ...vocab import deployments as dv

STR: dict[str, Any] = {"type": "string"}
INT: dict[str, Any] = {"type": "integer"}
BOOL: dict[str, Any] = {"type": "boolean"}
NSTR: dict[str, Any] = {"type": ["string", "null"]}
NINT: dict[str, Any] = {"type": ["integer", "null"]}
STRS: dict[str, Any] = {"type": "array", "items": STR}


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(props: dict[str, Any], required: tuple[str, ...] | None = None, **extra: Any) -> dict[str, Any]:
    """An object whose listed properties are all required unless `required` says otherwise."""
    return {"type": "object", "properties": props, "required": list(props if required is None else required),
            **extra}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


CONTACT = obj({"name": STR, "email": STR, "phone": STR}, required=("name",))
APP_FIELDS: dict[str, Any] = {
    "name": {**STR, "maxLength": 120}, "slug": {**STR, "pattern": "^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"},
    "short_description": obj({"id": STR, "en": NSTR}, required=("id",)),
    "short_description_id": STR, "short_description_en": STR, "description": STR,
    "features": STRS, "category": {"enum": list(vocab.CATEGORIES)}, "tags": STRS, "repo_url": STR,
    "license": STR, "development_status": {"enum": list(vocab.DEVELOPMENT_STATUSES)},
    "software_type": {"enum": list(vocab.SOFTWARE_TYPES)},
    "platforms": {"type": "array", "items": {"enum": list(vocab.PLATFORMS)}},
    "documentation_url": STR, "maintenance_type": {"enum": list(vocab.MAINTENANCE_TYPES)},
    "maintenance_contacts": {"type": "array", "items": CONTACT}, "contractor_name": STR,
    "contract_end": {**STR, "format": "date"},
}
ORG = obj({"code": STR, "name": STR, "kind": {"enum": ["province", "regency", "city", "agency"]},
           "slug": STR, "parent": NSTR})
MIRROR = obj({"state": {"enum": ["queued", "fetching", "ready", "failed"]}, "progress": INT,
              "progress_text": NSTR, "error": NSTR, "fetched_at": NSTR, "head": NSTR,
              "default_branch": NSTR, "clone_url": NSTR})
RELEASE = obj({"name": STR, "commit": STR, "date": NSTR})
APP_SUMMARY_PROPS: dict[str, Any] = {
    "slug": STR, "name": STR, "short_description": obj({"id": STR, "en": NSTR}), "category": STR,
    "tags": STRS, "license": STR,
    "repo_url": {**NSTR, "description": "null for a server path an admin registered; the mirror's clone_url serves it"},
    "publisher": ref("Organization"),
    "development_status": STR, "state": {"enum": ["draft", "submitted", "returned", "published", "archived"]},
    "url": STR, "updated_at": NSTR, "published_at": NSTR,
    "vitality": {"anyOf": [ref("Vitality"), {"type": "null"}],
                 "description": "Vitality index (docs/vitality.md); null until the worker first computed it."},
}
APP = obj({
    **APP_SUMMARY_PROPS, "description": STR, "features": STRS, "software_type": STR, "platforms": STRS,
    "documentation_url": NSTR, "maintenance": obj({"type": STR, "contacts": {"type": "array", "items": CONTACT},
                                                   "contractor": NSTR, "contract_end": NSTR}),
    "review_note": NSTR, "created_at": NSTR, "mirror": nullable(ref("Mirror")),
    "latest_release": nullable(ref("Release")), "forks_count": INT, "deployments_count": INT,
})
_COUNTS = ("commits_60", "commits_180", "authors_60", "authors_180", "releases_60", "releases_180", "age_days",
           "active_forks_60", "active_forks_180", "deployments_declared", "deployments_confirmed",
           "deployments_observed")
VITALITY = obj({
    "score": {"type": "integer", "minimum": 0, "maximum": 100},
    "components": obj({
        "facts": obj(dict.fromkeys(_COUNTS, INT)),
        "points": obj(dict.fromkeys(("activity", "community", "releases", "longevity", "forks", "deployments"),
                                    {"type": "number"})),
        "capped": {**BOOL, "description": "true when only the latest 20,000 commits were read"},
        "errors": {"type": "array", "items": {"enum": ["mirror", "fork"]},
                   "description": "histories that could not be read (their counts are missing)"}}),
    "series": {"type": "array", "items": obj({"month": {**STR, "pattern": "^[0-9]{4}-[0-9]{2}$"}, "commits": INT}),
               "description": "Upstream commits per calendar month, six months, oldest first."},
    "computed_at": STR})
DIVERGENCE = obj({
    "ahead": INT, "behind": INT, "merge_base": NSTR, "files_changed": INT, "insertions": INT, "deletions": INT,
    "files_differing_from_upstream": INT, "upstream_head": NSTR, "fork_head": NSTR, "computed_at": NSTR,
    "error": NSTR, "releases_since_base": {"type": "array", "items": {"type": "object"}},
    "own_commits": INT, "upstreamed_commits": {"type": "array", "items": {"type": "object"}},
})
FORK = obj({"id": INT, "app": STR, "org": ref("Organization"), "name": STR, "clone_url": STR,
            "default_branch": STR, "base_commit": STR, "created_at": NSTR, "note": NSTR, "url": STR,
            "divergence": DIVERGENCE})
DEPLOYMENT = obj({
    "id": INT, "org": ref("Organization"), "app": obj({"slug": STR, "name": STR, "publisher": STR}),
    "fork_id": NINT, "fork": nullable(obj({"id": INT, "name": STR})), "environment": {"enum": list(dv.ENVIRONMENTS)},
    "status": {"enum": list(dv.STATUSES)}, "next_statuses": STRS, "version": STR, "commit": NSTR,
    "hosting": {"enum": list(dv.HOSTINGS)}, "opd_units": STRS, "go_live_on": NSTR, "status_changed_at": NSTR,
    "created_at": NSTR, "updated_at": NSTR, "confirmed": BOOL,
    "confirmation": nullable(obj({"role": NSTR, "org": NSTR, "at": NSTR})),
    "lag": obj({"releases": NINT, "commits": NINT, "latest_release": NSTR, "computed_at": NSTR}),
    "html_url": STR, "url": NSTR, "note": NSTR,
    "events": {"type": "array", "items": obj({"at": NSTR, "kind": STR, "field": NSTR, "from": NSTR, "to": NSTR,
                                              "actor": obj({"org": NSTR, "name": NSTR}), "note": NSTR},
                                             required=("at", "kind", "field", "from", "to", "actor"))},
    "events_complete": BOOL,  # false: only the latest changes are in `events` (the audit trail has all)
    # Issue 19: evidence strengths (observed = a heartbeat within 30 days) and what the system reported.
    "evidence": obj({"declared": BOOL, "confirmed": BOOL, "observed": BOOL},
                    required=("declared", "confirmed", "observed")),
    "strengths": {"type": "array", "items": {"enum": ["declared", "confirmed", "observed"]}},
    "last_seen_at": NSTR, "observed_version": NSTR, "observed_lag": obj({"releases": NINT, "commits": NINT}),
    "flags": {"type": "array", "items": {"enum": ["stale", "version_mismatch"]}},
    "observed_url": NSTR, "observed_info": {"type": ["object", "null"]},
    "heartbeat_token": nullable(obj({"prefix": NSTR, "issued_at": NSTR})),
}, required=("id", "org", "app", "fork_id", "environment", "status", "version", "hosting", "confirmed", "lag",
             "evidence", "last_seen_at", "observed_version", "flags"))
DEPLOYMENT_BODY = obj({
    "org": STR, "app": STR, "fork_id": NINT, "environment": {"enum": list(dv.ENVIRONMENTS)},
    "status": {"enum": list(dv.STATUSES)}, "version": STR, "url": STR, "hosting": {"enum": list(dv.HOSTINGS)},
    "opd_units": STRS, "go_live_on": {**STR, "format": "date"}, "note": STR,
}, required=("app", "environment", "status", "version", "hosting"))
CATALOG_ITEM = obj({
    "slug": STR, "name": STR, "short_description": obj({"id": STR, "en": NSTR}),
    "publisher": obj({"code": STR, "name": STR}), "province": nullable(obj({"code": STR, "name": STR})),
    "category": STR, "tags": STRS, "license": STR, "development_status": STR, "repo_url": NSTR,
    "latest_release": nullable(obj({"name": STR, "date": NSTR})), "forks_count": INT, "deployments_count": INT,
    "url": STR,
})
AUDIT_EVENT = obj({"seq": INT, "at": STR, "actor": STR, "action": STR, "object": STR, "data": {},
                   "prev_hash": STR, "hash": STR})
ERROR = obj({"error": STR, "message": STR, "fields": {"type": "object", "additionalProperties": STR}},
            description="Every 4xx: a code, Indonesian text, and the problem per field or key path. Some "
                        "errors add detail: `conflicts` (sync), `warnings` and `draft` (import), `issues` "
                        "(export).")
ORG_PROFILE = obj({
    **ORG["properties"], "url": STR,
    "publishes": {"type": "array", "items": obj({
        "slug": STR, "name": STR, "category": STR, "short_description": obj({"id": STR, "en": NSTR}),
        "forks_count": INT, "deployments_count": INT, "contacts": {"type": "array", "items": CONTACT}, "url": STR})},
    "uses": {"type": "array", "items": obj({
        "id": INT, "status": {"enum": list(dv.STATUSES)}, "environment": STR, "version": STR, "fork_id": NINT,
        "evidence": obj({"declared": BOOL, "confirmed": BOOL, "observed": BOOL}), "last_seen_at": NSTR,
        "lag": nullable(obj({"releases": NINT, "commits": NINT, "latest_release": NSTR, "computed_at": NSTR})),
        "app": obj({"slug": STR, "name": STR, "publisher": obj({"code": STR, "name": STR}), "url": STR}),
        "url": STR}, description="A deployment; `lag` is null once it is retired.")},
    "forks": {"type": "array", "items": obj({
        "id": INT, "name": STR, "app": obj({"slug": STR, "name": STR, "url": STR}),
        "divergence": obj({"ahead": INT, "behind": INT, "files_changed": INT, "files_differing_from_upstream": INT,
                           "computed_at": NSTR}), "url": STR})},
    "contacts": {"type": "array", "items": obj({"name": STR, "role": {"enum": ["publisher", "adopter"]}}),
                 "description": "People of the organization by name and role; no e-mail addresses."},
    "regions": {"type": "array", "items": obj({
        "code": STR, "name": STR, "kind": STR, "publishes": INT, "deployments": INT, "observed": INT, "forks": INT,
        "url": STR,
        "api_url": STR}), "description": "A province's kab/kota with their counts; empty for others."},
    "totals": obj({"publishes": INT, "uses": INT, "forks": INT, "contacts": INT}),
    "per_page": INT, "forks_page": INT,
    "more": obj({"publishes": NSTR, "uses": NSTR, "forks": NSTR}),
}, description="Each list holds at most `per_page` rows; `totals` counts them all, `more` links the rest.")

SCHEMAS: dict[str, Any] = {
    "Error": ERROR, "Organization": ORG, "OrganizationProfile": ORG_PROFILE, "Mirror": MIRROR, "Release": RELEASE,
    "AppSummary": obj(APP_SUMMARY_PROPS), "App": APP, "Vitality": VITALITY,
    "ImportedApp": {"allOf": [ref("App"), obj({"warnings": {"type": "object", "additionalProperties": STR}})]},
    "AppCreate": obj({**APP_FIELDS, "org": STR, "hosted_upstream": {
        "type": "boolean", "description": "Repositori induk di katalog: the publishers push to "
                                          "/git/upstream/<slug>.git; `repo_url` is then not needed."}},
        required=("name", "category", "license", "development_status"),
        description="`short_description` (or `short_description_id`) is required too; `repo_url` unless "
                    "`hosted_upstream`."),
    "AppPatch": obj(APP_FIELDS, required=()),
    "Import": obj({"publiccode_yml": {**STR, "description": "The file's text (YAML 1.2)."},
                   "repo_url": {**STR, "description": "A repository whose HEAD has publiccode.yml."},
                   "org": STR, "slug": STR}, required=(),
                  description="Exactly one of `publiccode_yml` and `repo_url`."),
    "Fork": FORK, "ForkSync": {"allOf": [ref("Fork"), obj({"outcome": STR})]},
    "Deployment": DEPLOYMENT, "DeploymentCreate": DEPLOYMENT_BODY,
    "DeploymentPatch": obj({k: v for k, v in DEPLOYMENT_BODY["properties"].items()
                            if k not in ("org", "app", "status")}, required=()),
    "CatalogItem": CATALOG_ITEM, "AuditEvent": AUDIT_EVENT,
    "Notification": obj({"id": INT, "kind": STR, "title": STR, "body": STR, "link": STR, "created_at": STR,
                         "read_at": NSTR}),
    "Proposal": obj({"id": INT, "app": STR, "status": {"enum": ["pending", "accepted", "rejected", "superseded"]},
                     "source_head": NSTR, "changes": {"type": "array", "items": obj(
                         {"field": STR, "current": {}, "proposed": {}})},
                     "errors": {"type": "array"}, "warnings": {"type": "array"}, "created_at": STR,
                     "decided_at": NSTR, "decision_note": STR}),
}
