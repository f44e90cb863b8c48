"""Contributions ("usulan perubahan"): a region offers commits of its fork back to the app's
upstream; the publisher reads them, downloads them as a patch series or bundle, and accepts or
declines. When the upstream mirror later holds equivalent commits (same patch-id) the
contribution closes as merged by itself.

Everything is public to read, like the fork itself (anyone may clone it). Offering is for the
fork's adopters, deciding for the app's publishers.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import bindparam

from ... import vcs
from ...extensions import db
from ...models import Contribution, ContributionState, Fork, Mirror, User
from ...models.types import MAX_DB_ID, utcnow
from ...vcs import contributions as contrib_git
from ...vcs.errors import VcsError
from .. import audit, repo_paths
from ..accounts import notifications
from ..catalog import apps
from ..errors import Conflict, NotFound, ValidationFailed, require
from ..permissions import can_decide_contribution, can_offer_contribution
from ..tx import write
from . import refresh as fork_refresh

log = logging.getLogger(__name__)
MAX_TITLE = 200
MAX_DESCRIPTION = 10000
MAX_NOTE = 2000
MAX_CANDIDATES = 100  # own commits offered at most (newest first)
STATES = tuple(s.value for s in ContributionState)
CLOSED = (ContributionState.DECLINED.value, ContributionState.MERGED.value)


@dataclass(frozen=True)
class Candidate:
    """A commit of the fork that upstream does not hold (by patch-id), offerable as is."""

    sha: str
    summary: str
    author: str
    date: str


def pin_ref(contribution_id: int) -> str:
    return f"refs/contributions/{int(contribution_id)}"


def _mirror(app_id: int) -> Mirror:
    mirror = db.session.execute(db.select(Mirror).where(Mirror.app_id == app_id)).scalar_one_or_none()
    if mirror is None or not mirror.head:
        raise Conflict(_("Repositori induk belum selesai disalin ke katalog. Coba lagi setelah status mirror 'siap'."))
    return mirror


def _fork(fork_id: int) -> Fork:
    fork = db.session.get(Fork, fork_id) if 0 < fork_id <= MAX_DB_ID else None
    if fork is None:
        raise NotFound(_("Repositori salinan tidak ditemukan."))
    return fork


def candidates(fork: Fork) -> list[Candidate]:
    """The fork's own non-merge commits that upstream does not hold, oldest first: the default
    of a new contribution. Runs three git commands (one fork's page or request)."""
    mirror = _mirror(fork.app_id)
    path = repo_paths.absolute(fork.relpath)
    limits = fork_refresh.diff_limits()
    try:
        head = vcs.read_branch_head(path, fork.default_branch)
        if head is None:
            return []
        commits = vcs.fork_commits(path, head, mirror.head, limit=MAX_CANDIDATES)
        marks = contrib_git.cherry_marks(path, mirror.head, head, **limits) if commits else {}
    except VcsError as exc:
        raise Conflict(exc.message) from exc
    own = [c for c in commits if marks.get(c.sha) is False]  # absent: a merge commit
    return [Candidate(c.sha, c.summary, c.author_name, c.date.isoformat()) for c in reversed(own)]


def offer_form(fork_id: int, *, actor: User) -> tuple[Fork, list[Candidate], str]:
    """The fork, its offerable commits and why none can be listed ("" when they can), for the
    people who may offer them. Raises NotFound, PermissionDenied."""
    fork = _fork(fork_id)
    require(can_offer_contribution(actor, fork.organization_id),
            _("Hanya adopter organisasi pemilik salinan ini yang dapat menawarkan perubahannya."))
    try:
        return fork, candidates(fork), ""
    except Conflict as exc:
        return fork, [], exc.message


def _text(value, field: str, limit: int, *, required: bool = False) -> str:
    if value is not None and not isinstance(value, str):
        raise ValidationFailed(_("Periksa kembali isian yang ditandai."), {field: _("Harus berupa teks.")})
    text = (value or "").replace("\0", "").strip()
    if required and not text:
        raise ValidationFailed(_("Periksa kembali isian yang ditandai."), {field: _("Wajib diisi.")})
    if len(text) > limit:
        raise ValidationFailed(_("Periksa kembali isian yang ditandai."),
                               {field: _("Maksimal %(num)s karakter.", num=limit)})
    return text


def create_contribution(fork_id: int, *, actor: User, title, description=None,
                        commits: Sequence[str] | None = None, notes: dict | None = None) -> Contribution:
    """Offer commits of the fork to upstream (all of its own commits by default), tied to the
    mirror's current head. `notes` maps a sha to the region's reason for that commit.
    Raises NotFound, PermissionDenied, ValidationFailed, Conflict."""
    fork = _fork(fork_id)
    require(can_offer_contribution(actor, fork.organization_id),
            _("Hanya adopter organisasi pemilik salinan ini yang dapat menawarkan perubahannya."))
    title = _text(title, "title", MAX_TITLE, required=True)
    description = _text(description, "description", MAX_DESCRIPTION)
    if commits is not None and (not isinstance(commits, list | tuple)
                                or not all(isinstance(s, str) for s in commits)):
        raise ValidationFailed(_("Periksa kembali isian yang ditandai."), {"commits": _("Daftar komit tidak valid.")})
    if notes is not None and not isinstance(notes, dict):
        raise ValidationFailed(_("Periksa kembali isian yang ditandai."), {"notes": _("Catatan tidak valid.")})
    offered = candidates(fork)
    if not offered:
        raise ValidationFailed(_("Salinan ini tidak punya komit sendiri yang belum ada di induk."),
                               {"commits": _("Tidak ada komit untuk ditawarkan.")})
    if commits:
        by_sha = {c.sha: c for c in offered}
        unknown = [s for s in commits if s not in by_sha]
        if unknown:
            raise ValidationFailed(_("Periksa kembali isian yang ditandai."),
                                   {"commits": _("Komit ini bukan perubahan sendiri salinan: %(sha)s",
                                                 sha=unknown[0][:40])})
        chosen = [c for c in offered if c.sha in set(commits)]
    else:
        chosen = offered
    notes = {k: _text(v, "notes", MAX_NOTE) for k, v in (notes or {}).items() if isinstance(k, str)}
    upstream = _mirror(fork.app_id).head
    path = repo_paths.absolute(fork.relpath)
    with write():
        fork = _fork(fork_id)
        _refuse_duplicate(fork.id, {c.sha for c in chosen})
        row = Contribution(app_id=fork.app_id, fork_id=fork.id, title=title, description=description,
                           state=ContributionState.OPEN.value, upstream_commit=upstream, created_by_id=actor.id,
                           commits=[{"sha": c.sha, "summary": c.summary, "author": c.author, "date": c.date,
                                     "note": notes.get(c.sha, "")} for c in chosen])
        db.session.add(row)
        db.session.flush()
        try:
            contrib_git.pin(path, pin_ref(row.id), chosen[-1].sha)
        except VcsError as exc:
            raise Conflict(exc.message) from exc
        audit.record(actor, "contribution.create", "contribution", row.id,
                     {"fork": fork.id, "app": fork.app.slug, "commits": [c.sha for c in chosen],
                      "upstream": upstream})
        notifications.notify_contribution_offered(row, actor)
    return row


def _refuse_duplicate(fork_id: int, shas: set[str]) -> None:
    """One pending offer per commit (as a forge has one merge request per branch): a commit
    already in an open or accepted contribution of the fork is not offered again."""
    pending = db.session.execute(db.select(Contribution).where(
        Contribution.fork_id == fork_id, Contribution.state.not_in(CLOSED))).scalars()
    for other in pending:
        if shas & {c["sha"] for c in other.commits}:
            raise Conflict(_("Commit ini sudah ditawarkan dalam usulan #%(id)s yang belum selesai.", id=other.id),
                           {"commits": _("Sudah ditawarkan.")}, extra={"contribution": other.id})


def get_contribution(contribution_id: int) -> Contribution:
    row = db.session.get(Contribution, contribution_id) if 0 < contribution_id <= MAX_DB_ID else None
    if row is None:
        raise NotFound(_("Usulan perubahan tidak ditemukan."))
    return row


def contributions_of_app(slug: str, state: str | None = None, page: int = 1,
                         per_page: int = 20) -> tuple[list[Contribution], int]:
    """Contributions offered to a published app, newest first."""
    app = apps.get_published(slug)
    if state is not None and state not in STATES:
        raise ValidationFailed(_("Status tidak dikenal."), {"state": ", ".join(STATES)})
    where = [Contribution.app_id == app.id] + ([Contribution.state == state] if state else [])
    total = db.session.execute(db.select(db.func.count(Contribution.id)).where(*where)).scalar_one()
    rows = db.session.execute(db.select(Contribution).where(*where)
                              .order_by(Contribution.created_at.desc(), Contribution.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).scalars()
    return list(rows), total


# The fork page lists its offers by title and state: four columns, not each offer with its
# app and fork (and theirs) joined in. Built once.
_OFFERS_OF_FORK = (db.select(Contribution.id, Contribution.title, Contribution.state, Contribution.merged_release)
                   .where(Contribution.fork_id == bindparam("fork_id")).order_by(Contribution.id.desc()).limit(50))


def contributions_of_fork(fork_id: int) -> list:
    """The fork's latest 50 offers, newest first: rows of id, title, state, merged_release."""
    return list(db.session.execute(_OFFERS_OF_FORK, {"fork_id": fork_id}))


def _decide(contribution_id: int, *, actor: User, note, to: ContributionState, action: str) -> Contribution:
    note = _text(note, "note", MAX_NOTE)
    with write():
        row = get_contribution(contribution_id)
        require(can_decide_contribution(actor, row.app),
                _("Hanya penerbit aplikasi ini yang dapat menerima atau menolak usulan perubahan."))
        if not row.is_open:
            raise Conflict(_("Usulan perubahan ini sudah ditutup."))
        row.state, row.decided_by_id, row.decided_at, row.decision_note = to.value, actor.id, utcnow(), note
        audit.record(actor, action, "contribution", row.id, {"app": row.app.slug, "note_length": len(note)})
        notifications.notify_contribution_decided(row, actor)
    return row


def accept(contribution_id: int, *, actor: User, note=None) -> Contribution:
    """The publisher takes the change; it closes as merged when upstream holds it."""
    return _decide(contribution_id, actor=actor, note=note, to=ContributionState.ACCEPTED,
                   action="contribution.accept")


def decline(contribution_id: int, *, actor: User, note=None) -> Contribution:
    return _decide(contribution_id, actor=actor, note=note, to=ContributionState.DECLINED,
                   action="contribution.decline")


def patch_series(contribution_id: int) -> bytes:
    """The mbox of `git format-patch` for the offered commits (apply with `git am`)."""
    row = get_contribution(contribution_id)
    try:
        return contrib_git.format_patches(repo_paths.absolute(row.fork.relpath), [c["sha"] for c in row.commits],
                                          **fork_refresh.diff_limits())
    except VcsError as exc:
        raise Conflict(exc.message) from exc


def bundle(contribution_id: int) -> bytes:
    """A git bundle of the fork's history up to the newest offered commit, without the upstream
    revision the contribution was made against (fetch it into a clone of upstream)."""
    row = get_contribution(contribution_id)
    try:
        return contrib_git.create_bundle(repo_paths.absolute(row.fork.relpath), pin_ref(row.id),
                                         row.upstream_commit, **fork_refresh.diff_limits())
    except VcsError as exc:
        raise Conflict(exc.message) from exc


def commit_diffs(row: Contribution) -> list[tuple[dict, vcs.DiffText | None, str]]:
    """(commit, diff, error) for each offered commit: the publisher's review page."""
    path, out = repo_paths.absolute(row.fork.relpath), []
    for c in row.commits:
        try:
            out.append((c, contrib_git.commit_diff(path, c["sha"], **fork_refresh.diff_limits()), ""))
        except VcsError as exc:
            out.append((c, None, exc.message))
    return out


def recognise_merges(app_id: int) -> int:
    """Close as merged every open or accepted contribution whose commits the upstream mirror
    now holds with the same patch-id; the release is the first upstream tag holding them. The
    worker runs it after an upstream fetch; one or a few git commands per such contribution."""
    mirror = db.session.execute(db.select(Mirror).where(Mirror.app_id == app_id)).scalar_one_or_none()
    if mirror is None or not mirror.head:
        return 0
    rows = list(db.session.execute(db.select(Contribution).where(
        Contribution.app_id == app_id, Contribution.state.not_in(CLOSED)).order_by(Contribution.id)).scalars())
    found: dict[int, str] = {}
    limits = fork_refresh.diff_limits()
    mirror_path, head = repo_paths.absolute(mirror.relpath), mirror.head
    for row in rows:
        path = repo_paths.absolute(row.fork.relpath)
        shas = [c["sha"] for c in row.commits]
        try:
            tip = vcs.resolve(path, pin_ref(row.id)) or shas[-1]
            marks = contrib_git.cherry_marks(path, head, tip, **limits)
            # absent from `head...tip`: upstream holds the commit itself (fetched from the fork)
            if not shas or not all(marks.get(s, True) for s in shas):
                continue
            upstream_of = contrib_git.upstream_equivalents(path, head, tip, [s for s in shas if marks.get(s)],
                                                           **limits)
            # each commit as upstream holds it: its equivalent, or the very commit
            held = [upstream_of.get(s) or (s if s not in marks else None) for s in shas]
            tags = [contrib_git.first_tag_containing(mirror_path, u) for u in held if u]
        except (VcsError, OSError) as exc:
            log.warning("recognising merges of contribution %s failed: %s", row.id, exc)
            continue
        found[row.id] = next((t for t in reversed(tags) if t), "")
    db.session.rollback()
    if not found:
        return 0
    with write():
        for cid, release in found.items():
            row = get_contribution(cid)
            if row.state in CLOSED:
                continue
            row.state, row.merged_at, row.merged_release = ContributionState.MERGED.value, utcnow(), release
            audit.record(None, "contribution.merged", "contribution", row.id,
                         {"app": row.app.slug, "release": release, "upstream": head})
            notifications.notify_contribution_decided(row, None)
    return len(found)
