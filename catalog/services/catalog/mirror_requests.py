"""The mirror row and its fetch request: what publishing an app needs, below the fetch itself."""
from __future__ import annotations

from ...extensions import db
from ...jobs.queue import enqueue
from ...models import App, Mirror, MirrorState
from ...models.types import utcnow
from .. import repo_paths


def ensure_mirror(app: App) -> Mirror:
    """The app's mirror row, created in state 'queued' inside the caller's transaction."""
    mirror = db.session.execute(db.select(Mirror).where(Mirror.app_id == app.id)).scalar_one_or_none()
    if mirror is None:
        mirror = Mirror(app_id=app.id, relpath=repo_paths.mirror_relpath(app.slug))
        db.session.add(mirror)
    if mirror.state != MirrorState.FETCHING.value:
        mirror.state, mirror.progress, mirror.progress_text = MirrorState.QUEUED.value, 0, ""
    mirror.queued_at = utcnow()
    return mirror


def queue_fetch(app_id: int) -> None:
    """After commit: let the worker fetch (never inside a web request's time)."""
    enqueue("mirror.fetch", app_id=app_id)
