"""The contract's account rows through HTTP: POST/GET /api/v1/users, PATCH a role, deactivate and
activate, with a real invitation e-mail."""
from __future__ import annotations

from catalog.services.accounts import tokens
from tests.accounts.conftest import link_path


def test_invite_answers_201_and_mails_the_link(client, make_user, token_for, inbox):
    headers = token_for(make_user("org_admin", "21.01"))
    r = client.post("/api/v1/users", json={"email": "Staf@BintanKab.go.id", "name": "Staf", "role": "adopter"},
                    headers=headers)
    assert r.status_code == 201
    assert {k: r.json[k] for k in ("email", "org", "role", "active", "state", "last_login_at")} == {
        "email": "staf@bintankab.go.id", "org": "21.01", "role": "adopter", "active": True, "state": "invited",
        "last_login_at": None}
    assert link_path(inbox.last_to("staf@bintankab.go.id")).startswith("/account/invitation/")


def test_invite_refuses_admin_role_from_an_org_admin(client, make_user, token_for):
    headers = token_for(make_user("org_admin", "21.01"))
    r = client.post("/api/v1/users", json={"email": "x@bintankab.go.id", "name": "X", "role": "admin"}, headers=headers)
    assert r.status_code == 403 and r.json["error"] == "forbidden"


def test_invite_reports_bad_fields(client, make_user, token_for):
    headers = token_for(make_user("admin", "komdigi"))
    r = client.post("/api/v1/users", json={"email": "bukan-email", "name": "", "role": "adopter", "org": "21.01"},
                    headers=headers)
    assert r.status_code == 422 and set(r.json["fields"]) == {"email", "name"}


def test_list_filters_and_scope(client, make_user, token_for):
    org_admin = make_user("org_admin", "21.01")
    adopter = make_user("adopter", "21.01")
    make_user("adopter", "21.72")
    headers = token_for(org_admin)
    r = client.get("/api/v1/users?role=adopter&active=true", headers=headers)
    assert r.status_code == 200 and [u["id"] for u in r.json["items"]] == [adopter.id] and r.json["total"] == 1
    assert client.get("/api/v1/users?org=21.72", headers=headers).status_code == 403
    assert client.get("/api/v1/users?active=maybe", headers=headers).status_code == 422


def test_list_needs_a_manager(client, make_user, token_for):
    assert client.get("/api/v1/users", headers=token_for(make_user("adopter", "21.01"))).status_code == 403
    assert client.get("/api/v1/users").status_code == 401


def test_patch_changes_the_role(client, make_user, token_for):
    target = make_user("adopter", "21.01")
    r = client.patch(f"/api/v1/users/{target.id}", json={"role": "org_admin"},
                     headers=token_for(make_user("org_admin", "21.01")))
    assert r.status_code == 200 and r.json["role"] == "org_admin"


def test_deactivate_revokes_tokens_and_activate_restores_sign_in(client, make_user, token_for):
    target = make_user("adopter", "21.01")
    _row, plain = tokens.create_token(target, label="ci", actor=target)
    headers = token_for(make_user("admin", "komdigi"))
    r = client.post(f"/api/v1/users/{target.id}/deactivate", headers=headers)
    assert r.status_code == 200 and r.json["active"] is False and r.json["state"] == "inactive"
    assert client.get("/api/v1/notifications", headers={"Authorization": f"Bearer {plain}"}).status_code == 401
    r = client.post(f"/api/v1/users/{target.id}/activate", headers=headers)
    assert r.status_code == 200 and r.json["active"] is True


def test_another_organizations_account_is_not_found(client, make_user, token_for):
    other = make_user("adopter", "21.72")
    headers = token_for(make_user("org_admin", "21.01"))
    assert client.post(f"/api/v1/users/{other.id}/deactivate", headers=headers).status_code == 404
    assert client.get(f"/api/v1/users/{other.id}", headers=headers).status_code == 404
