"""Shared API plumbing: bearer-token actor, JSON bodies, pagination arguments."""
from __future__ import annotations

from typing import Any

from flask import g, request
from flask_babel import gettext as _

from ...models import User
from ...services.accounts import tokens
from ...services.errors import Unauthenticated, ValidationFailed

MAX_PER_PAGE = 100


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def api_actor() -> User | None:
    """The owner of the bearer token, or None for anonymous reads. A bad or expired token is
    refused (401); a token without the scope the method needs (`read` for GET, `write` for
    every other method) gets 403 naming the missing scope."""
    if "api_actor" not in g:
        header = request.headers.get("Authorization", "")
        user = None
        if header:
            scheme, _sep, value = header.partition(" ")
            if scheme.lower() != "bearer":
                raise Unauthenticated(_("Sertakan header 'Authorization: Bearer <token>'."))
            if request.method in READ_METHODS:
                user = tokens.authenticate_token(value.strip(), scope="read", purpose=_("membaca lewat API"))
            else:
                user = tokens.authenticate_token(value.strip(), scope="write", purpose=_("mengubah data lewat API"))
        g.api_actor = user
    return g.api_actor


def require_actor() -> User:
    user = api_actor()
    if user is None:
        raise Unauthenticated(_("Sertakan header 'Authorization: Bearer <token>'."))
    return user


def json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed(_("Badan permintaan harus berupa objek JSON."), {"body": "Kirim objek JSON."})
    return data


def int_arg(name: str, default: int, *, low: int = 1, high: int = 10**6) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed(_("Parameter '%(name)s' harus bilangan bulat.", name=name),
                               {name: "Harus bilangan bulat."}) from None
    if not low <= value <= high:
        raise ValidationFailed(_("Parameter '%(name)s' di luar rentang %(low)s–%(high)s.",
                                 name=name, low=low, high=high),
                               {name: f"Rentang {low}–{high}."})
    return value


def page_args() -> tuple[int, int]:
    return int_arg("page", 1), int_arg("per_page", 20, high=MAX_PER_PAGE)


def listing(items: list, total: int, page: int, per_page: int) -> dict[str, Any]:
    return {"items": items, "total": total, "page": page, "per_page": per_page}
