""""Isi otomatis dari repositori": fill the registration form from a publiccode.yml."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...services.catalog import apps
from ...services.catalog.fields import EDITABLE, strip_credentials
from ...services.errors import ValidationFailed
from ...services.interop import imports
from .app_forms import form_data, form_values, shown_back
from .blueprint import bp

# Choices the empty form already sets: a value from the file replaces them.
DEFAULTED = ("software_type", "maintenance_type", "platforms")
EMPTY: dict[str, Any] = {k: "" for k in EDITABLE} | {
    "features": [], "tags": [], "maintenance_contacts": [], "platforms": [], "contract_end": None}


def _typed() -> dict[str, Any]:
    """What the person already typed in the form."""
    return {k: v for k, v in form_data().items() if (v if isinstance(v, list) else str(v).strip())}


def _merge(typed: dict[str, Any], filled: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The file fills the form; what was typed stays, and the fields where it differs are named."""
    values, kept = dict(filled), []
    for key, value in typed.items():
        if key in DEFAULTED and filled.get(key):
            continue
        if filled.get(key) and filled[key] != value:
            kept.append(key)
        values[key] = value
    return values, kept


@bp.get("/apps/import")
@login_required
def import_form():
    """A link may prefill the address, but only the POST (with its CSRF token) reads anything:
    a GET that fetched would let any page make a signed-in person's browser start git fetches."""
    apps.require_can_register(current_user)
    repo_url = strip_credentials((request.args.get("import_repo_url") or "").strip())
    if not repo_url:
        return redirect(url_for("ui.app_new"))
    values = {"software_type": "standalone/web", "maintenance_type": "internal", "platforms": ["web"]}
    return render_template("apps/form.html", values=shown_back(values), errors={}, app=None,
                           autofill={"repo_url": repo_url, "text": "", "problems": {}, "warnings": {}, "kept": []})


@bp.post("/apps/import")
@login_required
def import_prefill():
    apps.require_can_register(current_user)
    repo_url = (request.form.get("import_repo_url") or "").strip()
    text = request.form.get("import_publiccode_yml") or ""
    typed = _typed()
    source = {"repo_url": repo_url, "text": text}
    try:
        result = imports.prefill(text=text if text.strip() else None, repo_url=repo_url or None, actor=current_user)
    except ValidationFailed as exc:
        values = {"software_type": "standalone/web", "maintenance_type": "internal", "platforms": ["web"], **typed}
        source["repo_url"] = strip_credentials(repo_url)  # never send a typed password back
        return render_template("apps/form.html", values=shown_back(values), errors={}, app=None,
                               autofill={**source, "problems": exc.fields, "warnings": {}, "kept": []}), 422
    values, kept = _merge(typed, form_values(SimpleNamespace(**{**EMPTY, **result.fields})))
    problems = result.reading.errors
    errors: dict[str, str] = {}
    for path, message in problems.items():
        field = imports.field_for_path(path)
        if field and field not in typed:
            errors.setdefault(field, f"{path}: {message}")
    # a file read from the repository is shown, not put in the paste box: the next click reads again
    autofill = {**source, "fetched": result.text if repo_url else "", "problems": problems,
                "warnings": result.warnings, "kept": kept, "read": True}
    return render_template("apps/form.html", values=values, errors=errors, app=None,
                           autofill=autofill), 422 if problems else 200
