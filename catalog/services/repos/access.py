"""Who may clone or push which repository over /git/...: resolved from rows, never from paths."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import bindparam

from ...extensions import db
from ...models import App, AppState, Fork, Mirror, User
from .. import repo_paths
from ..errors import NotFound, PermissionDenied, Unauthenticated
from ..permissions import can_push, can_push_hosted


@dataclass(frozen=True)
class RepoTarget:
    relpath: str
    kind: str  # "upstream" (a read-only mirror), "hosted" (an upstream pushed here) or "fork"
    org_id: int | None  # the fork's organization; a hosted upstream's publisher
    fork_id: int | None
    app_id: int | None = None  # a hosted upstream's app


# Built once (with their cache keys): every git request resolves its repository first.
# A hosted upstream (issue 20) is reachable before its first push: the publisher pushes it.
_UPSTREAM = (db.select(Mirror.app_id, App.publisher_id, App.hosted_upstream).join(App, App.id == Mirror.app_id)
             .where(Mirror.relpath == bindparam("relpath"),
                    App.state.in_((AppState.PUBLISHED.value, AppState.ARCHIVED.value)),
                    db.or_(Mirror.head.is_not(None), App.hosted_upstream.is_(True))))
# Two columns, not the row: the fork's app and organization (eager relations) are not needed here.
_FORK = db.select(Fork.id, Fork.organization_id).where(Fork.relpath == bindparam("relpath"))


def resolve_repo(namespace: str, repo: str) -> RepoTarget:
    """Map `<namespace>/<name>.git` to a known mirror or fork. Raises NotFound."""
    if not repo.endswith(".git"):
        raise NotFound(_("Repositori tidak ditemukan."))
    relpath = f"{namespace}/{repo}"
    if namespace == repo_paths.UPSTREAM_NAMESPACE:
        row = db.session.execute(_UPSTREAM, {"relpath": relpath}).one_or_none()
        if row is None:
            raise NotFound(_("Repositori tidak ditemukan."))
        if row.hosted_upstream:
            return RepoTarget(relpath, "hosted", row.publisher_id, None, row.app_id)
        return RepoTarget(relpath, "upstream", None, None)
    fork = db.session.execute(_FORK, {"relpath": relpath}).one_or_none()
    if fork is None:
        raise NotFound(_("Repositori tidak ditemukan."))
    return RepoTarget(relpath, "fork", fork.organization_id, fork.id)


def authorize(user: User | None, target: RepoTarget, *, push: bool) -> None:
    """Anyone may clone shared code; pushes need a token of an adopter (or admin) of the
    fork's organization. Upstream mirrors are read-only. Raises Unauthenticated, PermissionDenied."""
    if not push:
        return
    if target.kind == "upstream":
        raise PermissionDenied(_("Repositori induk (mirror) hanya dapat dibaca."))
    if user is None:
        raise Unauthenticated(_("Push memerlukan token akses pribadi sebagai kata sandi."))
    if target.kind == "hosted":
        if not can_push_hosted(user, target.org_id):
            raise PermissionDenied(_("Hanya penerbit aplikasi ini yang dapat push ke repositori induknya."))
        return
    if not can_push(user, target.org_id):
        raise PermissionDenied(_("Token ini tidak berhak push ke repositori organisasi lain."))
