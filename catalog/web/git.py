"""Git smart HTTP under /git/: authenticate, authorise per repository, stream `git http-backend`, record pushes."""
from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

from flask import Blueprint, Response, current_app, request, url_for
from flask_babel import gettext as _

from .. import vcs
from ..extensions import csrf
from ..services import repo_paths
from ..services.accounts import tokens
from ..services.errors import ServiceError, Unauthenticated
from ..services.repos import access as git_access
from ..services.repos import forks, git_slots, hosted
from ..vcs.hook_messages import LOCALE_ENV
from .i18n import LANGUAGES, visitor_locale

bp = Blueprint("git", __name__, url_prefix="/git")
csrf.exempt(bp)
REALM = 'Basic realm="Katalog Bagi-Pakai", charset="UTF-8"'


def _basic_user():
    """The owner of the token given as the Basic password (any user name), or None without one.
    Raises Unauthenticated (bad or expired token) and PermissionDenied (no `git` scope)."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthenticated(_("Format kredensial tidak valid.")) from None
    secret = decoded.partition(":")[2]
    if not secret.startswith(tokens.TOKEN_PREFIX):  # most likely the account password: never checked here
        raise Unauthenticated(_("Pakai token akses, bukan kata sandi akun: buat token dengan cakupan 'git' di "
                                "%(url)s, lalu tempel sebagai kata sandi saat git memintanya.",
                                url=url_for("ui.token_list", _external=True)))
    # Every use of a token over git needs its `git` scope, clones included: an API token stays an API token.
    return tokens.authenticate_token(secret, scope="git", purpose=_("git clone dan push"))


def _is_push(rest: str) -> bool:
    return rest == "git-receive-pack" or (rest == "info/refs" and request.args.get("service") == "git-receive-pack")


def _push_recorder(target: git_access.RepoTarget, user_id: int) -> Callable[[list], None]:
    """Runs after git has finished (the request's context is gone by then): the pusher is
    known here already, so the hooks need no database and no secret."""
    app = current_app._get_current_object()

    def record(_updates: list) -> None:
        with app.app_context():
            if target.kind == "hosted":
                hosted.record_push(target.app_id, user_id)
            else:
                forks.record_push(target.relpath, user_id)

    return record


def _pusher_locale(user) -> str:
    """The language of our hooks' messages: the account's choice, else what `git` sends from
    the user's own locale (Accept-Language)."""
    if user is not None and getattr(user, "locale", None) in LANGUAGES:
        return user.locale
    return visitor_locale(None, request.headers.get("Accept-Language"))


def _plain(status: int, message: str, challenge: bool = False) -> Response:
    response = Response(message + "\n", status=status, mimetype="text/plain")
    if challenge:
        response.headers["WWW-Authenticate"] = REALM
    return response


@bp.route("/<namespace>/<repo>/<path:rest>", methods=["GET", "POST"])
def git_http(namespace: str, repo: str, rest: str):
    push = _is_push(rest)
    try:
        target = git_access.resolve_repo(namespace, repo)
        user = _basic_user()
        git_access.authorize(user, target, push=push)
    except ServiceError as exc:
        return _plain(exc.status, exc.message, challenge=exc.status == 401)
    status, headers, body = vcs.http_backend_response(
        request.environ, project_root=repo_paths.repos_root(), repo_relpath=target.relpath,
        remote_user=str(user.id) if user else None, extra_env={LOCALE_ENV: _pusher_locale(user)},
        allow_push=push, max_push_bytes=current_app.config["MAX_PUSH_BYTES"],
        on_push=_push_recorder(target, user.id) if push else None,
        timeout=current_app.config["GIT_HTTP_TIMEOUT"],
        max_upload_pack_bytes=current_app.config["GIT_UPLOAD_PACK_MAX_BYTES"],
        negotiation_timeout=current_app.config["GIT_NEGOTIATION_TIMEOUT"],
        slots=git_slots.client_slots(), client=request.remote_addr or "")
    return Response(body, status=status, headers=headers, direct_passthrough=True)
