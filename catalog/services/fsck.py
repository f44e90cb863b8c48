"""Find (and repair) disagreements between rows, repositories on disk and the search index."""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import current_app

from .. import vcs
from ..extensions import db
from ..jobs.queue import queue
from ..models import App, AppState, Fork, IndexChange, Mirror, MirrorState
from ..models.types import utcnow
from . import repo_paths
from .catalog import index_follower, indexing, mirror_requests
from .repos import forks, mirrors, protected, recovery
from .tx import write

STALE_SECONDS = 3600  # a temp dir younger than this may belong to a fetch still running


@dataclass
class FsckReport:
    problems: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth knowing, not wrong (other nodes' lag)

    @property
    def ok(self) -> bool:
        return not self.problems or len(self.repaired) >= len(self.problems)


def _repo_dirs(root: Path) -> set[str]:
    if not root.exists():
        return set()
    return {f"{ns.name}/{repo.name}" for ns in root.iterdir() if ns.is_dir() and not ns.name.startswith(".")
            for repo in ns.iterdir() if repo.name.endswith(".git") and not repo.name.startswith(".")}


def _temp_dirs(root: Path, older_than: float) -> list[Path]:
    """Staging dirs beside the repositories: in the root and in each namespace directory below it."""
    parents = [root, *(p for p in root.iterdir() if p.is_dir())] if root.exists() else []
    return [tmp for parent in parents for tmp in vcs.fsutil.stale_staging_dirs(parent, older_than=older_than)]


def check(repair: bool = False, *, min_age: float = STALE_SECONDS) -> FsckReport:
    """Compare the three stores; with repair, fix what a crash can leave behind.

    `min_age`: temp dirs and uploads younger than this may belong to running work and are
    left alone; pass 0 when web and worker processes are stopped. Never deletes a repository
    that has no row: it is moved to `<data>/lost+found` for a person to judge.
    """
    report = FsckReport()
    root = repo_paths.repos_root()
    _check_unowned(report, repair)
    _check_repositories(report, root, repair)
    _check_fork_heads(report, repair)
    _check_hooks(report, repair)
    _check_quotas(report, repair)
    _check_protected_commits(report, repair)
    _check_pending_fetches(report, repair, min_age)
    _check_temp_dirs(report, root, repair, min_age)
    _check_index(report, repair)
    _check_incoming(report, repair, min_age)
    _check_queue(report, repair)
    return report


def _check_repositories(report: FsckReport, root: Path, repair: bool) -> None:
    mirror_rows = {m.relpath: m for m in db.session.execute(db.select(Mirror)).scalars()}
    fork_rows = {f.relpath: f for f in db.session.execute(db.select(Fork)).scalars()}
    on_disk = _repo_dirs(root)
    for relpath, mirror in mirror_rows.items():
        if mirror.head and relpath not in on_disk:
            report.problems.append(f"mirror {relpath}: row says fetched but the repository is missing")
            if repair:
                _requeue(mirror.app_id)
                report.repaired.append(f"mirror {relpath}: fetch queued again")
    for relpath in fork_rows:
        if relpath not in on_disk:
            report.problems.append(f"fork {relpath}: row without repository (restore it from backup)")
    lost = current_app.config["DATA_DIR"] + "/lost+found"
    for relpath in sorted(on_disk - set(mirror_rows) - set(fork_rows)):
        if vcs.fsutil.is_unowned(root / relpath):
            continue  # a fork creation, live or interrupted: _check_unowned
        report.problems.append(f"repository {relpath}: on disk without a row")
        if repair:
            target = Path(lost) / f"{relpath.replace('/', '__')}-{int(time.time())}"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(root / relpath), str(target))
            report.repaired.append(f"repository {relpath}: moved to {target}")


def _check_unowned(report: FsckReport, repair: bool) -> None:
    """Fork repositories still marked unowned: a creation killed before its row committed is a
    problem (removed by --repair, as the worker's sweep does); one whose row committed only
    lost its mark, and one whose creator is alive is left alone."""
    unowned = recovery.settle_unowned(repair=repair)
    for shown in unowned.removed:
        report.problems.append(f"fork repository {shown}: creation interrupted before its row was written")
        if repair:
            report.repaired.append(f"fork repository {shown}: removed")
    for shown in unowned.kept:
        report.notes.append(f"fork repository {shown}: created; its unowned mark "
                            f"{'removed' if repair else 'is left for the sweep'}")
    for shown in unowned.in_progress:
        report.notes.append(f"fork repository {shown}: being created right now")


def _requeue(app_id: int) -> None:
    with write():
        mirror = db.session.execute(db.select(Mirror).where(Mirror.app_id == app_id)).scalar_one()
        mirror.state, mirror.head = MirrorState.QUEUED.value, None
    mirror_requests.queue_fetch(app_id)


def _check_fork_heads(report: FsckReport, repair: bool) -> None:
    """Stored divergence must describe the fork's current head (a push may have outrun it)."""
    for fork in db.session.execute(db.select(Fork)).scalars().all():
        path = repo_paths.absolute(fork.relpath)
        if not path.exists():
            continue
        head = vcs.resolve(path, f"refs/heads/{fork.default_branch}")
        if head != fork.fork_head:
            report.problems.append(f"fork {fork.relpath}: stored divergence is for an older head")
            if repair:
                forks.refresh_divergence(fork.id)
                report.repaired.append(f"fork {fork.relpath}: divergence recomputed")


def _check_hooks(report: FsckReport, repair: bool) -> None:
    """Every pushable repository (forks; upstream mirrors take no pushes) needs our current
    receive hooks, and this install needs the entry point they call."""
    if vcs.hooks.entry_point() is None:
        report.problems.append(f"{vcs.hooks.ENTRY_POINT} is not installed with this Python: "
                               "pushes are refused until the project is installed (make install)")
    for fork in db.session.execute(db.select(Fork)).scalars().all():
        path = repo_paths.absolute(fork.relpath)
        stale = vcs.hooks.stale_hooks(path) if path.exists() else []
        if stale:
            report.problems.append(f"fork {fork.relpath}: receive hooks out of date ({', '.join(stale)})")
            if repair:
                vcs.hooks.install_hooks(path)
                report.repaired.append(f"fork {fork.relpath}: receive hooks rewritten")


def _check_quotas(report: FsckReport, repair: bool) -> None:
    """Each fork's git config carries the disk quota its pre-receive enforces (the hook has no
    database): FORK_QUOTA_BYTES, written when the fork was made; a changed setting or a fork
    made before quotas existed is rewritten by --repair."""
    wanted = max(int(current_app.config["FORK_QUOTA_BYTES"]), 0)
    for fork in db.session.execute(db.select(Fork)).scalars().all():
        path = repo_paths.absolute(fork.relpath)
        if not path.exists():
            continue
        try:
            stored: int | None = vcs.hooks.read_quota(path)
        except ValueError:
            stored = -1
        if stored != wanted:
            found = "none" if stored is None else "unreadable" if stored < 0 else f"{stored} bytes"
            report.problems.append(f"fork {fork.relpath}: disk quota in its git config is {found}, "
                                   f"not {wanted} bytes (FORK_QUOTA_BYTES)")
            if repair:
                vcs.hooks.write_quota(path, wanted)
                report.repaired.append(f"fork {fork.relpath}: disk quota set to {wanted} bytes")


def _check_protected_commits(report: FsckReport, repair: bool) -> None:
    """Each fork's protected-commit file must list exactly the commits its deployments run
    (retired ones excepted): the pre-receive hook refuses pushes that would drop them."""
    for fork in db.session.execute(db.select(Fork)).scalars().all():
        stored = protected.stored_commits(fork)
        if stored is None:
            continue  # reported above as a row without repository
        wanted = protected.deployed_commits(fork.id)
        if stored != wanted:
            report.problems.append(f"fork {fork.relpath}: protected commits disagree with its deployments "
                                   f"({len(set(wanted) - set(stored))} unprotected, "
                                   f"{len(set(stored) - set(wanted))} no longer deployed)")
            if repair:
                protected.write_protected(fork.id)
                report.repaired.append(f"fork {fork.relpath}: protected commits rewritten")


def _check_pending_fetches(report: FsckReport, repair: bool, min_age: float) -> None:
    """A fetch whose worker died stays 'fetching'; requeue those older than min_age."""
    cutoff = utcnow() - timedelta(seconds=min_age)
    stuck = db.session.execute(db.select(Mirror).where(
        Mirror.state.in_((MirrorState.QUEUED.value, MirrorState.FETCHING.value)),
        db.or_(Mirror.queued_at.is_(None), Mirror.queued_at <= cutoff))).scalars().all()
    for mirror in stuck:
        report.problems.append(f"mirror {mirror.relpath}: fetch '{mirror.state}' never finished")
        if repair:
            mirror_requests.queue_fetch(mirror.app_id)
            report.repaired.append(f"mirror {mirror.relpath}: fetch queued again")


def _check_temp_dirs(report: FsckReport, root: Path, repair: bool, min_age: float) -> None:
    for tmp in _temp_dirs(root, min_age):
        if vcs.fsutil.is_unowned(tmp):
            continue  # a fork's staging dir: its maker's lock decides (_check_unowned), not its age
        report.problems.append(f"temporary directory {tmp.relative_to(root)} left by an interrupted job")
        if repair:
            shutil.rmtree(tmp, ignore_errors=True)
            report.repaired.append(f"temporary directory {tmp.relative_to(root)}: removed")


def _check_index(report: FsckReport, repair: bool) -> None:
    """This node's index against the rows and the change log; every node's lag as a note (a
    node behind by a few changes is following, one not seen for days rebuilds on return)."""
    for lag in index_follower.node_lags():
        state = "live" if lag.live else "away (no longer holds the change log back)"
        report.notes.append(f"search index of node {lag.node_id}: {lag.behind} changes behind, "
                            f"last seen {lag.last_seen_at:%Y-%m-%d %H:%M:%S} UTC, {state}")
    pending = index_follower.pending_here()
    if pending is None:  # no position file: this node has not built its index yet
        pending = db.session.execute(db.select(db.func.count()).select_from(IndexChange)).scalar_one()
    published = set(db.session.execute(db.select(App.id).where(App.state == AppState.PUBLISHED.value)).scalars())
    indexed = set(indexing.backend().all_ids())
    missing, extra = published - indexed, indexed - published
    if pending or missing or extra:
        report.problems.append(f"search index: {len(missing)} missing, {len(extra)} stale, "
                               f"{pending} changes not applied on this node")
        if repair:
            indexing.reindex_all()
            report.repaired.append("search index: rebuilt from the database")


def _check_incoming(report: FsckReport, repair: bool, min_age: float) -> None:
    # Uploads wait beside the repositories (shared by the nodes); earlier releases used the data dir.
    folders = (mirrors.incoming_dir(), Path(current_app.config["DATA_DIR"]) / "incoming")
    cutoff = time.time() - min_age
    for bundle in (b for folder in folders if folder.exists() for b in folder.glob("*.bundle")):
        if bundle.stat().st_mtime < cutoff:
            report.problems.append(f"uploaded bundle {bundle.name} never imported")
            if repair:
                bundle.unlink(missing_ok=True)
                report.repaired.append(f"uploaded bundle {bundle.name}: removed")


def _check_queue(report: FsckReport, repair: bool) -> None:
    """Jobs queued by an earlier release under names this one does not register: huey names a
    job `<module of its wrapper>.<job>` (the first release: `catalog.jobs.fork.refresh`, now
    `catalog.jobs.queue.fork.refresh`), and a worker drops unread a job it cannot name. Repair
    renames them; each queued job is taken off and put back once, in order, so a worker running
    meanwhile still gets each exactly once."""
    huey = queue()
    if huey.immediate:
        return
    current = {task.task_class.__name__: f"{task.task_class.__module__}.{task.task_class.__name__}"
               for task in current_app.extensions["catalog_jobs"][1].values()}
    known = set(current.values())

    def renamed(name: str) -> str | None:
        return next((full for job, full in current.items() if name.endswith(f".{job}")), None)

    names = [huey.serializer.deserialize(raw).name for raw in huey.storage.enqueued_items()]
    foreign = sorted({name for name in names if name not in known})
    if not foreign:
        return
    report.problems.append(f"job queue: {sum(n in foreign for n in names)} queued jobs this release "
                           f"cannot run ({', '.join(foreign)})")
    if not repair or not all(renamed(name) for name in foreign):
        return  # a job no longer known at all: left for a person to judge
    moved = 0
    for _ in range(huey.storage.queue_size()):
        raw = huey.storage.dequeue()
        if raw is None:
            break
        message = huey.serializer.deserialize(raw)
        if message.name not in known:
            message, moved = message._replace(name=renamed(message.name)), moved + 1
        huey.storage.enqueue(huey.serializer.serialize(message), message.priority)
    report.repaired.append(f"job queue: {moved} jobs of an earlier release renamed for this one")
