"""The OpenAPI entries of the account routes (users_api.py), merged into openapi.py's document."""
from __future__ import annotations

from typing import Any

from ...vocab.accounts import LAST_LOGIN_LABELS, ROLE_LABELS, STATE_LABELS
from .openapi_schemas import BOOL, NSTR, STR, obj, ref

ROLE = {"enum": list(ROLE_LABELS)}
USER = obj({"id": {"type": "integer"}, "email": STR, "name": STR, "org": STR, "role": ROLE, "active": BOOL,
            "state": {"enum": list(STATE_LABELS)}, "locale": NSTR, "last_login_at": NSTR, "created_at": STR})
INVITE = obj({"email": STR, "name": STR, "org": STR, "role": ROLE, "locale": {"enum": ["id", "en"]}},
             required=("email", "name", "role"))
SCHEMAS: dict[str, Any] = {"User": USER, "UserInvite": INVITE}


def paths(op, q, body, listing, page, id_schema) -> dict[str, Any]:
    """Built with openapi.py's helpers (passed in, so that neither module imports the other)."""
    user_id = {"name": "user_id", "in": "path", "required": True, "example": 1, "schema": id_schema}

    def action(summary: str) -> dict[str, Any]:
        return {"post": op(summary, 200, ref("User"), 403, 404, 409, auth=True, params=[user_id], tag="accounts")}

    return {
        "/users": {
            "get": op("Akun yang dikelola (admin: semua; pengelola akun organisasi: organisasinya)", 200,
                      listing("User"), 403, 404, 422, auth=True, tag="accounts",
                      params=[q("org"), q("role", ROLE), q("active", {"enum": ["true", "false", "1", "0"]}),
                              q("state", {"enum": list(STATE_LABELS)}),
                              q("last_login", {"enum": list(LAST_LOGIN_LABELS)}), q("q"), *page]),
            "post": op("Undang orang: akun tanpa kata sandi, dan e-mail berisi tautan sekali pakai (72 jam)", 201,
                       ref("User"), 403, 404, 409, 422, auth=True, request_body=body(ref("UserInvite")),
                       tag="accounts")},
        "/users/{user_id}": {
            "get": op("Satu akun yang dikelola", 200, ref("User"), 404, auth=True, params=[user_id], tag="accounts"),
            "patch": op("Ubah peran", 200, ref("User"), 403, 404, 409, 422, auth=True, params=[user_id],
                        request_body=body(obj({"role": ROLE})), tag="accounts")},
        "/users/{user_id}/deactivate": action("Nonaktifkan: sesi berakhir, token dicabut"),
        "/users/{user_id}/activate": action("Aktifkan kembali (token yang dicabut tetap dicabut)"),
        "/users/{user_id}/invitation": {"post": op("Kirim ulang undangan (tautan sebelumnya berhenti berlaku)", 202,
                                                   ref("User"), 403, 404, 409, auth=True, params=[user_id],
                                                   tag="accounts")},
        "/password-reset": {"post": op("Lupa kata sandi: 202 selalu; e-mail bila alamat terdaftar", 202,
                                       obj({"status": STR, "message": STR}), 422,
                                       request_body=body(obj({"email": STR})), tag="accounts")},
    }
