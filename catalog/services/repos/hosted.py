"""Upstreams hosted in the catalog ("repositori induk di katalog", issue 20): what a push to
/git/upstream/<slug>.git sets in motion, and merging an accepted contribution with one click."""
from __future__ import annotations

from flask_babel import gettext as _

from ... import vcs
from ...extensions import db
from ...jobs.queue import enqueue
from ...models import App, Contribution, ContributionState, Mirror, User
from ...models.types import utcnow
from ...vcs.errors import RefChanged, VcsError
from .. import audit, repo_paths
from ..accounts import notifications
from ..errors import Conflict, require
from ..permissions import can_decide_contribution
from ..tx import write
from . import contributions


def record_push(app_id: int, user_id: int | None) -> None:
    """After an accepted push to a hosted upstream: audit it, then read the repository as a
    fetch would (head, releases, forks' divergence, contributions it now holds)."""
    with write():
        app = db.session.get(App, app_id)
        if app is None:
            return
        actor = db.session.get(User, user_id) if user_id else None
        audit.record(actor, "upstream.push", "app", app.slug, {})
    enqueue("mirror.fetch", app_id=app_id)


def merge(contribution_id: int, *, actor: User) -> tuple[Contribution, str]:
    """Merge an accepted contribution into the hosted upstream's default branch: a clean merge
    (or fast-forward) is written and the contribution closes as merged at once, as a merge
    request does (its release is known only when a tag holds it); a conflict writes nothing and
    raises Conflict with extra={'conflicts': [...]}. Raises NotFound, PermissionDenied, Conflict."""
    row = contributions.get_contribution(contribution_id)
    require(can_decide_contribution(actor, row.app),
            _("Hanya penerbit aplikasi ini yang dapat menggabungkan usulan perubahan."))
    if not row.app.hosted_upstream:
        raise Conflict(_("Induk aplikasi ini ada di luar katalog: unduh patch atau bundle lalu terapkan di sana."))
    if row.state != ContributionState.ACCEPTED.value:
        raise Conflict(_("Hanya usulan yang sudah diterima yang dapat digabungkan."))
    mirror = db.session.execute(db.select(Mirror).where(Mirror.app_id == row.app_id)).scalar_one_or_none()
    if mirror is None or not mirror.head or not mirror.default_branch:
        raise Conflict(_("Repositori induk masih kosong; push isinya terlebih dahulu."))
    identity = vcs.Identity(actor.name, f"user-{actor.id}@katalog.invalid")
    message = f"Gabungkan usulan perubahan #{row.id}: {row.title}\n\nDari {row.fork.organization.name} " \
              f"({row.fork.relpath}) melalui Katalog Bagi-Pakai.\n"
    try:
        result = vcs.hosted.merge_contribution(
            repo_paths.absolute(mirror.relpath), repo_paths.absolute(row.fork.relpath),
            branch=mirror.default_branch, tip_ref=contributions.pin_ref(row.id), expected_head=mirror.head,
            author=identity, message=message)
    except RefChanged as exc:
        raise Conflict(_("Induk berubah saat penggabungan (ada push baru). Coba lagi.")) from exc
    except VcsError as exc:
        raise Conflict(exc.message) from exc
    if result.outcome == "conflict":
        raise Conflict(_("Tidak dapat digabungkan otomatis: ada berkas yang bentrok. Tidak ada yang diubah."),
                       extra={"conflicts": list(result.conflicts)})
    app_id = row.app_id
    with write():
        row = contributions.get_contribution(contribution_id)
        audit.record(actor, "contribution.merge", "contribution", row.id,
                     {"app": row.app.slug, "outcome": result.outcome, "head": result.head})
        if row.state == ContributionState.ACCEPTED.value:
            row.state, row.merged_at, row.merged_release = ContributionState.MERGED.value, utcnow(), ""
            notifications.notify_contribution_decided(row, actor)
    enqueue("mirror.fetch", app_id=app_id)  # reads the new head: forks' divergence, releases
    db.session.expire_all()
    return contributions.get_contribution(contribution_id), result.outcome
