"""The UI and the API call the same services: same field errors, same refusals."""
from __future__ import annotations

import html as html_lib
import re

import pytest

from catalog.services.catalog import apps
from tests.factories import app_payload

BAD = {"name": "", "license": "Bebas dipakai", "repo_url": "http://git.example/a", "category": "kue",
       "documentation_url": "ftp://dok", "maintenance_type": "internal", "maintenance_contacts": "",
       "contract_end": "31-12-2027"}


def form_errors(response) -> dict[str, str]:
    text = response.get_data(as_text=True)
    return {k: html_lib.unescape(v) for k, v in re.findall(r'<p class="error" id="e-([a-z_]+)">([^<]*)</p>', text)}


def _form(data: dict) -> dict:
    """The payload as the form posts it: every field as text, lists as lines."""
    out = {k: v for k, v in data.items() if k not in ("platforms", "maintenance_contacts", "features", "tags")}
    out["features"] = "\n".join(data.get("features", []))
    out["tags"] = ", ".join(data.get("tags", []))
    out["maintenance_contacts"] = data.get("maintenance_contacts") if isinstance(
        data.get("maintenance_contacts"), str) else ""
    out["platforms"] = data.get("platforms", [])
    return out


def test_create_refuses_the_same_fields(client, make_user, login, token_for):
    publisher = make_user("publisher", "21")
    payload = app_payload(**BAD)
    api = client.post("/api/v1/apps", json=payload, headers=token_for(publisher))
    login(publisher)
    ui = client.post("/apps/new", data=_form(payload))
    assert api.status_code == ui.status_code == 422
    assert api.json["fields"] == form_errors(ui)
    assert set(api.json["fields"]) == {"name", "license", "repo_url", "category", "documentation_url",
                                       "maintenance_contacts", "contract_end"}


def test_update_refuses_the_same_fields(client, make_user, login, token_for):
    publisher = make_user("publisher", "21")
    apps.create_app(app_payload(), actor=publisher)
    changes = {"license": "Bebas", "short_description_id": "", "documentation_url": "dok"}
    api = client.patch("/api/v1/apps/srikandi", json=changes, headers=token_for(publisher))
    login(publisher)
    form = {**_form(app_payload()), "maintenance_contacts": "Tim Srikandi <srikandi@anri.go.id>", **changes}
    ui = client.post("/apps/srikandi/edit", data=form)
    assert api.status_code == ui.status_code == 422
    assert api.json["fields"] == form_errors(ui)


def _refusal(ui_response, api_response) -> None:
    assert ui_response.status_code == api_response.status_code == 403
    assert api_response.json["error"] == "forbidden"
    assert html_lib.escape(api_response.json["message"]) in ui_response.get_data(as_text=True)


@pytest.mark.parametrize("role, org", [("adopter", "21.72"), ("auditor", "21")])
def test_only_publishers_register_apps(client, make_user, login, token_for, role, org):
    user = make_user(role, org)
    api = client.post("/api/v1/apps", json=app_payload(), headers=token_for(user))
    login(user)
    _refusal(client.post("/apps/new", data=_form(app_payload())), api)


def test_publisher_of_another_region_cannot_edit_or_submit(client, make_user, login, token_for):
    apps.create_app(app_payload(), actor=make_user("publisher", "21"))
    apps.submit_app("srikandi", actor=make_user("admin", "komdigi"))
    apps.return_app("srikandi", actor=make_user("admin", "komdigi"), note="Lengkapi.")
    stranger = make_user("publisher", "14")
    headers = token_for(stranger)
    login(stranger)
    # a draft of another organization is hidden from view: the same 404 on both sides
    assert client.get("/apps/srikandi/edit").status_code == 404
    assert client.patch("/api/v1/apps/srikandi", json={"name": "X"}, headers=headers).status_code == 404
    assert client.post("/apps/srikandi/submit").status_code == 404
    assert client.post("/api/v1/apps/srikandi/submit", headers=headers).status_code == 404


def test_only_admins_publish(client, make_user, login, token_for, published_app):
    publisher = make_user("publisher", "21")
    apps.create_app(app_payload(name="Dakota"), actor=publisher)
    apps.submit_app("dakota", actor=publisher)
    api = client.post("/api/v1/apps/dakota/publish", headers=token_for(publisher))
    login(publisher)
    _refusal(client.post("/admin/review/dakota/publish"), api)


def test_only_adopters_of_the_region_fork(client, make_user, login, token_for, published_app):
    outsider = make_user("adopter", "21.01")
    api = client.post("/api/v1/apps/simanja/forks", json={"org": "21.72"}, headers=token_for(outsider))
    login(outsider)
    _refusal(client.post("/apps/simanja/forks", data={"org": "21.72"}), api)
