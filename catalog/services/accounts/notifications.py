"""Notifications: fan-out to adopters, publishers and admins; read/unread; e-mail after commit."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import bindparam, event
from sqlalchemy.orm import Session

from ... import vcs
from ...extensions import db
from ...jobs.queue import enqueue
from ...models import App, Deployment, EmailState, Fork, Notification, Role, User
from ...models.types import MAX_DB_ID, utcnow
from ...paging import Page
from ...vcs.errors import VcsError
from ...vocab.deployments import environment_label, status_label
from .. import repo_paths
from ..errors import NotFound
from ..tx import write

log = logging.getLogger(__name__)
MAX_TOUCHED_FORKS = 200  # forks diffed per upstream fetch; the rest still hear about releases
MAX_PATHS_LISTED = 10


@dataclass(frozen=True)
class NotificationPage(Page[Notification]):
    unread: int


def _users(org_ids: Iterable[int], roles: tuple[Role, ...]) -> list[User]:
    ids = set(org_ids)
    if not ids:
        return []
    stmt = db.select(User).where(User.organization_id.in_(ids), User.active.is_(True),
                                 User.role.in_([r.value for r in roles])).order_by(User.id)
    return list(db.session.execute(stmt).scalars())


def _add(users: Iterable[User], *, kind: str, title: Callable[[], str], body: Callable[[], str], link: str,
         exclude: User | None = None) -> int:
    """Add one row per user in the caller's transaction; e-mail is queued after its commit.
    Title and body are made per recipient, in the language of the recipient's account."""
    email = bool(current_app.config.get("SMTP_URL"))
    count = 0
    for user in users:
        if exclude is not None and user.id == exclude.id:
            continue
        with force_locale(user.locale or "id"):
            title_text, body_text = str(title()), str(body())
        db.session.add(Notification(user_id=user.id, kind=kind, title=title_text[:200], body=body_text,
                                    link=link[:500],
                                    email_state=EmailState.PENDING.value if email else EmailState.NONE.value))
        count += 1
    if email and count:
        enqueue("notify.email")  # sent once these rows are committed
    return count


def notify_fork(fork: Fork, actor: User | None) -> int:
    """To the app's publishers: a region copied their app. Call inside the fork's transaction."""
    app, org = fork.app, fork.organization
    return _add(_users([app.publisher_id], (Role.PUBLISHER,)), kind="app_forked",
                title=lambda: _("%(org)s menyalin %(app)s", org=org.name, app=app.name),
                body=lambda: _("%(org)s membuat salinan daerah '%(fork)s' dari %(app)s.", org=org.name,
                               fork=fork.name, app=app.name),
                link=f"/forks/{fork.id}", exclude=actor)


def notify_deployment(deployment: Deployment, actor: User | None = None) -> int:
    """To the app's publishers: a region recorded a deployment. Call inside its transaction."""
    app, org = deployment.app, deployment.organization
    return _add(_users([app.publisher_id], (Role.PUBLISHER,)), kind="app_deployed",
                title=lambda: _("%(org)s memakai %(app)s", org=org.name, app=app.name),
                body=lambda: _("%(org)s mencatat pemakaian %(app)s (%(env)s, status %(status)s, versi %(version)s).",
                               org=org.name, app=app.name, env=_(environment_label(deployment.environment)),
                               status=_(status_label(deployment.status)), version=deployment.version),
                link=f"/deployments/{deployment.id}", exclude=actor)


def notify_submission(app: App, actor: User | None) -> int:
    """To the admins: an entry waits for verification. Commits its own short transaction,
    after the submission committed."""
    with write():
        admins = db.session.execute(db.select(User).where(User.role == Role.ADMIN.value,
                                                          User.active.is_(True))).scalars()
        count = _add(admins, kind="app_submitted", title=lambda: _("%(app)s menunggu verifikasi", app=app.name),
                     body=lambda: _("%(org)s mengajukan %(app)s untuk diterbitkan.", org=app.publisher.name,
                                    app=app.name),
                     link="/admin/review", exclude=actor)
    return count


def notify_review(app: App, actor: User | None) -> int:
    """To the entry's publishers: an admin published it, or returned it with a note saying what to
    fix (the note is in the body). Call inside the review's transaction."""
    published = app.state == "published"
    note = app.review_note

    def title() -> str:
        return _("%(app)s diterbitkan", app=app.name) if published else _("%(app)s dikembalikan", app=app.name)

    def body() -> str:
        if published:
            text = _("%(app)s sudah terbit di katalog dan dapat dicari serta disalin daerah lain.", app=app.name)
        else:
            text = _("Admin mengembalikan %(app)s. Perbaiki sesuai catatan, lalu ajukan lagi.", app=app.name)
        return f"{text}\n\n{_('Catatan admin:')} {note}" if note else text

    link = f"/apps/{app.slug}" if published else f"/apps/{app.slug}/edit"
    return _add(_users([app.publisher_id], (Role.PUBLISHER,)), kind="app_reviewed", title=title, body=body,
                link=link, exclude=actor)


def notify_proposal(app: App, proposal_id: int, fields: list[str], errors: int) -> int:
    """To the app's publishers: upstream's publiccode.yml changed. Inside the harvest transaction."""
    def body() -> str:
        parts = []
        if fields:
            parts.append(ngettext("%(num)s usulan perubahan isian", "%(num)s usulan perubahan isian", len(fields)))
        if errors:
            parts.append(ngettext("%(num)s masalah pada berkas", "%(num)s masalah pada berkas", errors))
        return _("Repositori %(app)s memperbarui publiccode.yml: %(parts)s. Tinjau lalu terima atau tolak; "
                 "entri tidak berubah sebelum Anda memutuskan.", app=app.name, parts=", ".join(parts))

    return _add(_users([app.publisher_id], (Role.PUBLISHER,)), kind="harvest_proposal",
                title=lambda: _("publiccode.yml %(app)s berubah", app=app.name), body=body,
                link=f"/apps/{app.slug}/proposals")


def _adopter_orgs(app_id: int) -> tuple[list[Fork], set[int]]:
    """Forks of the app and every organization that adopted it (a fork or a live deployment)."""
    fork_rows = list(db.session.execute(db.select(Fork).where(Fork.app_id == app_id)).scalars())
    deployed = db.session.execute(db.select(Deployment.organization_id).where(
        Deployment.app_id == app_id, Deployment.status != "retired")).scalars()
    return fork_rows, {f.organization_id for f in fork_rows} | set(deployed)


def _paths(repo: Path, base: str, head: str) -> set[str]:
    cfg = current_app.config
    changes = vcs.changed_files(repo, base, head, limit=5000, timeout=cfg["GIT_DIFF_TIMEOUT"],
                                max_memory=cfg["GIT_DIFF_MAX_MEMORY"])
    return {c.path for c in changes} | {c.old_path for c in changes if c.old_path}


def _touched_forks(forks_: list[Fork], mirror_path: Path, previous_head: str,
                   new_head: str) -> dict[int, list[str]]:
    """Fork id → files upstream just changed that the fork itself modified since its merge base."""
    try:
        upstream = _paths(mirror_path, previous_head, new_head)
    except VcsError as exc:
        log.warning("upstream diff %s..%s failed: %s", previous_head, new_head, exc.detail or exc.message)
        return {}
    out: dict[int, list[str]] = {}
    modified = [f for f in forks_ if f.files_changed and f.merge_base and f.fork_head]
    for fork in modified[:MAX_TOUCHED_FORKS]:
        try:
            overlap = upstream & _paths(repo_paths.absolute(fork.relpath), fork.merge_base, fork.fork_head)
        except VcsError as exc:
            log.warning("fork %s diff failed: %s", fork.id, exc.detail or exc.message)
            continue
        if overlap:
            out[fork.id] = sorted(overlap)
    return out


def upstream_touches(app_id: int, mirror_path: Path, previous_head: str | None,
                     new_head: str | None) -> dict[int, list[str]]:
    """Fork id → files the new upstream commits changed that the fork modified too. Git diffs:
    run it before the write transaction (on SQLite that holds the one write lock, and a huge or
    hostile upstream change may take until the diff limits)."""
    if not previous_head or not new_head or previous_head == new_head:
        return {}
    fork_rows, _orgs = _adopter_orgs(app_id)
    return _touched_forks(fork_rows, mirror_path, previous_head, new_head)


def notify_upstream_change(app_id: int, *, previous_head: str | None, new_head: str | None,
                           new_releases: list[str], mirror_path: Path,
                           touched: dict[int, list[str]] | None = None) -> int:
    """To adopters after a mirror fetch: new releases, and upstream commits touching files their
    fork modified (`touched`, from upstream_touches; computed here when not given). Runs in the
    worker, inside the fetch's transaction; the first fetch is silent."""
    if not previous_head or not new_head or (previous_head == new_head and not new_releases):
        return 0
    app = db.session.get(App, app_id)
    fork_rows, org_ids = _adopter_orgs(app_id)
    if not org_ids:
        return 0
    fork_of_org = {f.organization_id: f for f in fork_rows}
    count = 0
    if new_releases:
        def tags() -> str:
            more = _(" dan lainnya") if len(new_releases) > 5 else ""
            return ", ".join(new_releases[:5]) + more

        for org_id in sorted(org_ids):
            fork = fork_of_org.get(org_id)
            count += _add(_users([org_id], (Role.ADOPTER,)), kind="upstream_release",
                          title=lambda: _("Rilis baru %(app)s: %(tags)s", app=app.name, tags=tags()),
                          body=lambda fork=fork: (
                              _("Induk %(app)s menerbitkan rilis %(tags)s. Baca catatan rilisnya, lalu sinkronkan "
                                "salinan daerah Anda.", app=app.name, tags=tags()) if fork else
                              _("Induk %(app)s menerbitkan rilis %(tags)s. Baca catatan rilisnya, lalu perbarui "
                                "pemakaian Anda.", app=app.name, tags=tags())),
                          link=f"/forks/{fork.id}" if fork else f"/apps/{app.slug}")
    if previous_head != new_head:
        if touched is None:
            touched = _touched_forks(fork_rows, mirror_path, previous_head, new_head)
        for fork_id, paths in touched.items():
            fork = next((f for f in fork_rows if f.id == fork_id), None)
            if fork is None:
                continue
            listed = ", ".join(paths[:MAX_PATHS_LISTED]) + (" …" if len(paths) > MAX_PATHS_LISTED else "")
            count += _add(_users([fork.organization_id], (Role.ADOPTER,)), kind="upstream_touch",
                          title=lambda: _("Perubahan induk %(app)s menyentuh berkas yang Anda ubah", app=app.name),
                          body=lambda fork=fork, paths=paths, listed=listed: ngettext(
                              "Commit baru di induk mengubah %(num)s berkas yang juga diubah di salinan '%(fork)s': "
                              "%(paths)s. Periksa sebelum sinkronisasi.",
                              "Commit baru di induk mengubah %(num)s berkas yang juga diubah di salinan '%(fork)s': "
                              "%(paths)s. Periksa sebelum sinkronisasi.", len(paths), fork=fork.name, paths=listed),
                          link=f"/forks/{fork.id}")
    return count


def list_for(user: User, *, unread_only: bool = False, page: int = 1, per_page: int = 20) -> NotificationPage:
    base = db.select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        base = base.where(Notification.read_at.is_(None))
    total = db.session.execute(db.select(db.func.count()).select_from(base.subquery())).scalar_one()
    items = db.session.execute(base.order_by(Notification.created_at.desc(), Notification.id.desc())
                               .limit(per_page).offset((page - 1) * per_page)).scalars()
    return NotificationPage(list(items), total, page, per_page, unread=unread_count(user))


_UNREAD = "catalog_unread_notifications"  # session.info: (user id, count) read with the user, until a commit


def unread_count_column(user_id):
    """The COUNT on (user_id, read_at) as a column, so the sign-in loader reads it with the user."""
    return (db.select(db.func.count(Notification.id))
            .where(Notification.user_id == user_id, Notification.read_at.is_(None)).scalar_subquery())


def remember_unread(user: User, count: int) -> None:
    db.session.info[_UNREAD] = (user.id, count)


_UNREAD_COUNT = db.select(unread_count_column(bindparam("user_id")))


@event.listens_for(Session, "after_commit")
def _forget_unread(session: Session) -> None:
    """Any commit may have read or sent notifications: count again after it."""
    session.info.pop(_UNREAD, None)


def unread_count(user: User) -> int:
    """The nav shows it on every page: as read with the signed-in user, else one COUNT."""
    remembered = db.session.info.get(_UNREAD)
    if remembered is not None and remembered[0] == user.id:
        return remembered[1]
    return db.session.execute(_UNREAD_COUNT, {"user_id": user.id}).scalar_one()


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when `ids` is None); others' ids are
    silently ignored. Returns how many changed."""
    with write():
        stmt = db.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        if ids is not None:
            stmt = stmt.where(Notification.id.in_([i for i in ids if 0 < i <= MAX_DB_ID]))
        changed = db.session.execute(stmt.values(read_at=utcnow())).rowcount
    return changed or 0


def mark_one_read(user: User, notification_id: int) -> Notification:
    """Raises NotFound for someone else's notification (ids in URLs reveal nothing)."""
    with write():
        row = db.session.get(Notification, notification_id) if 0 < notification_id <= MAX_DB_ID else None
        if row is None or row.user_id != user.id:
            raise NotFound(_("Notifikasi tidak ditemukan."))
        if row.read_at is None:
            row.read_at = utcnow()
    return row


@dataclass(frozen=True)
class Outgoing:
    id: int
    to: str
    subject: str
    body: str
    link: str
    locale: str = "id"  # the recipient's page language, for the e-mail's own words


def claim_emails(limit: int = 100) -> list[Outgoing]:
    """Pending e-mails, claimed (pending → sending) so that two workers never send one twice."""
    with write():
        rows = list(db.session.execute(db.select(Notification, User.email, User.locale)
                                       .join(User, User.id == Notification.user_id)
                                       .where(Notification.email_state == EmailState.PENDING.value)
                                       .order_by(Notification.id).limit(limit)).all())
        if rows:
            db.session.execute(db.update(Notification).where(Notification.id.in_([row[0].id for row in rows]))
                               .values(email_state=EmailState.SENDING.value))
    return [Outgoing(n.id, email, n.title, n.body, n.link, locale or "id") for n, email, locale in rows]


def finish_emails(sent: list[int], failed: list[int], retry: Iterable[int] = ()) -> None:
    """Record the outcome; `retry` goes back to pending (the server was unreachable)."""
    with write():
        for ids, state in ((sent, EmailState.SENT), (failed, EmailState.FAILED), (list(retry), EmailState.PENDING)):
            if ids:
                db.session.execute(db.update(Notification).where(Notification.id.in_(ids)).values(email_state=state.value))


def notify_contribution_offered(contribution, actor: User | None) -> int:
    """To the app's publishers: a region offers changes from its fork. Call inside its transaction."""
    app, org = contribution.app, contribution.fork.organization
    n = len(contribution.commits)
    return _add(_users([app.publisher_id], (Role.PUBLISHER,)), kind="contribution_offered",
                title=lambda: _("%(org)s menawarkan perubahan untuk %(app)s", org=org.name, app=app.name),
                body=lambda: ngettext("%(title)s (%(num)s komit)", "%(title)s (%(num)s komit)", n,
                                      title=contribution.title),
                link=f"/contributions/{contribution.id}", exclude=actor)


def notify_contribution_decided(contribution, actor: User | None) -> int:
    """To the adopters of the offering fork's organization: accepted, declined or merged upstream."""
    app, state = contribution.app, contribution.state
    titles = {"accepted": lambda: _("Usulan perubahan untuk %(app)s diterima", app=app.name),
              "declined": lambda: _("Usulan perubahan untuk %(app)s ditolak", app=app.name),
              "merged": lambda: _("Usulan perubahan untuk %(app)s sudah masuk induk", app=app.name)}
    recipients = _users([contribution.fork.organization_id], (Role.ADOPTER,))
    if state == "merged":  # the publishers hear of it too: nobody clicked anything
        recipients += _users([app.publisher_id], (Role.PUBLISHER,))
    return _add(recipients, kind=f"contribution_{state}", title=titles[state],
                body=lambda: contribution.decision_note or contribution.title,
                link=f"/contributions/{contribution.id}", exclude=actor)
