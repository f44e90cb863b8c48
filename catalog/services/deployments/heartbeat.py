"""Heartbeats: a running deployment reports itself (issue 19).

The adopter issues one token per deployment (shown once, stored as SHA-256 like personal access
tokens, able to do nothing but beat for that one deployment). The running system then posts its
version, optionally its public URL and a few instance facts, at most once per interval.

A beat costs one indexed lookup by token hash and one conditional row update (the condition is
the per-token rate limit, so two racing beats cannot both pass). Beats are not audit events.

How pages learn of beats: pages are cached on the data version (audit head seq + search outbox).
A routine beat (same version, last seen within the stale window) only moves `last_seen_at` and the
beat counter, so it invalidates nothing. A beat that changes what pages show -- the first
observation, a different reported version, or a return after being "tidak terpantau" -- appends
one `deployment.observed` audit event (and a history line), which moves the data version. Time
alone also changes what pages show (stale after HEARTBEAT_STALE_DAYS, observed evidence lapses
after OBSERVED_DAYS): the daily job (`summarize_day`) appends a summary per deployment that beat,
a `deployment.unobserved` event per deployment that just went quiet, and one
`deployment.heartbeat_day` marker, so every cached page is recomputed at least once a day.
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, or_, update

from ...extensions import db
from ...jobs.queue import enqueue
from ...models import Deployment, DeploymentEvent, User
from ...models.types import utcnow
from ...vocab.phrase import Phrase
from .. import audit
from ..errors import Conflict, ServiceError, Unauthenticated, ValidationFailed, require
from ..permissions import can_record_deployment
from ..tx import write
from . import lifecycle
from .versions import compute_lag, resolve_version

TOKEN_PREFIX = "kbh_"
OBSERVED_DAYS = 30  # "observed" evidence: a heartbeat within this many days
INFO_KEYS = ("opd_units", "active_users", "database")
MAX_OPD_UNITS = 100
SUMMARY_BATCH = 500
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class TooFrequent(ServiceError):
    """More than one beat per interval for a token: 429 with Retry-After."""

    code, status = "too_many_requests", 429


class TooLarge(ServiceError):
    code, status = "too_large", 413


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def stale_days() -> int:
    return int(current_app.config.get("HEARTBEAT_STALE_DAYS", 7))


def min_interval() -> timedelta:
    return timedelta(seconds=int(current_app.config.get("HEARTBEAT_MIN_INTERVAL_SECONDS", 60)))


def max_bytes() -> int:
    return int(current_app.config.get("HEARTBEAT_MAX_BYTES", 4096))


# --- evidence and flags --------------------------------------------------------------------

def observed_since(now: datetime | None = None) -> datetime:
    return (now or utcnow()) - timedelta(days=OBSERVED_DAYS)


def is_observed(dep: Deployment, now: datetime | None = None) -> bool:
    return dep.last_seen_at is not None and dep.last_seen_at >= observed_since(now)


def evidence(dep: Deployment, now: datetime | None = None) -> dict[str, bool]:
    """Every record is declared; confirmed and observed are independent and can both hold."""
    return {"declared": True, "confirmed": dep.confirmed, "observed": is_observed(dep, now)}


def strengths(dep: Deployment, now: datetime | None = None) -> list[str]:
    """The strengths that hold beyond declaration, strongest first; ["declared"] when none."""
    ev = evidence(dep, now)
    held = [s for s in ("observed", "confirmed") if ev[s]]
    return held or ["declared"]


STRENGTH_FILTERS = ("observed", "confirmed", "declared")


def observed_clause(now: datetime | None = None):
    return Deployment.last_seen_at >= observed_since(now)


def strength_clause(strength: str | None, now: datetime | None = None):
    """A filter on Deployment for auditors: `observed` and `confirmed` each as held (a record can
    be both); `declared` the records backed by nothing else (neither confirmed nor observed)."""
    if strength == "observed":
        return observed_clause(now)
    if strength == "confirmed":
        return Deployment.confirmed_at.is_not(None)
    if strength == "declared":
        return and_(Deployment.confirmed_at.is_(None),
                    or_(Deployment.last_seen_at.is_(None), Deployment.last_seen_at < observed_since(now)))
    return db.true()


def matches_strength(dep: Deployment, strength: str | None, now: datetime | None = None) -> bool:
    if strength in ("observed", "confirmed"):
        return evidence(dep, now)[strength]
    if strength == "declared":
        return strengths(dep, now) == ["declared"]
    return True


def evidence_text(dep: Deployment, now: datetime | None = None) -> str:
    """The strengths as one report cell (Indonesian as text, like the confirmation text, and in
    the reader's language on a page): "Terpantau + Dikonfirmasi", "Dikonfirmasi", "Terpantau" or
    "Dinyatakan"."""
    names = {"observed": "Terpantau", "confirmed": "Dikonfirmasi", "declared": "Dinyatakan"}
    return Phrase.joined(" + ", [Phrase(names[s]) for s in strengths(dep, now)])


def is_stale(dep: Deployment, now: datetime | None = None) -> bool:
    """"Tidak terpantau": it reported before (or has a token) but nothing for stale_days()."""
    if dep.status == "retired":
        return False
    reference = dep.last_seen_at or (dep.heartbeat_token_issued_at if dep.heartbeat_token_hash else None)
    return reference is not None and (now or utcnow()) - reference > timedelta(days=stale_days())


# `git describe --tags --always` output: "a1b2c3d" (no tag) or "v1.2.0-3-ga1b2c3d" (commits past a tag)
_DESCRIBED_COMMIT = re.compile(r"^(?:.+-\d+-g)?([0-9a-f]{7,64})$")


def same_version(declared: str, declared_commit: str | None, reported: str) -> bool:
    """Whether what the server reported names the declared version, so that the snippets' own
    answers raise no false flag: the same text, the same but for a leading "v" (a VERSION file's
    "1.2.0" for the tag "v1.2.0"), or the declared version's commit by the abbreviated id that
    `git describe --always` prints. Git never runs here: it is called for every page line."""
    if reported == declared or reported.removeprefix("v") == declared.removeprefix("v"):
        return True
    found = _DESCRIBED_COMMIT.match(reported)
    return bool(found and declared_commit and declared_commit.startswith(found.group(1)))


def version_mismatch(dep: Deployment) -> bool:
    return bool(dep.observed_version) and not same_version(dep.version, dep.version_commit, dep.observed_version)


def flags(dep: Deployment, now: datetime | None = None) -> list[str]:
    """Machine names: `stale` (tidak terpantau), `version_mismatch` (reported ≠ declared)."""
    out = []
    if is_stale(dep, now):
        out.append("stale")
    if version_mismatch(dep):
        out.append("version_mismatch")
    return out


def observed_info(dep: Deployment) -> dict[str, Any]:
    try:
        value = json.loads(dep.observed_info) if dep.observed_info else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# --- tokens --------------------------------------------------------------------------------

def _owned(deployment_id: int, actor: User | None) -> Deployment:
    dep = lifecycle.get_deployment(deployment_id, actor)
    require(can_record_deployment(actor, dep.organization),
            _("Hanya adopter dari organisasi pemakai yang dapat mengelola token heartbeat."))
    return dep


def issue_token(deployment_id: int, *, actor: User | None) -> tuple[Deployment, str]:
    """A new token for the deployment, replacing (rotating) any earlier one; the plain token is
    returned once and never stored. Raises NotFound, PermissionDenied, Conflict (retired)."""
    with write():
        dep = _owned(deployment_id, actor)
        if dep.status == "retired":
            raise Conflict(_("Pemakaian yang sudah dihentikan tidak dapat mengirim heartbeat."))
        rotated = dep.heartbeat_token_hash is not None
        plain = TOKEN_PREFIX + secrets.token_urlsafe(30)
        dep.heartbeat_token_hash, dep.heartbeat_token_prefix = digest(plain), plain[:10]
        dep.heartbeat_token_issued_at = utcnow()
        audit.record(actor, "deployment.heartbeat_token_rotate" if rotated else "deployment.heartbeat_token_issue",
                     "deployment", dep.id, {"prefix": dep.heartbeat_token_prefix})
    return dep, plain


def revoke_preview(deployment_id: int, *, actor: User | None) -> Deployment:
    """The deployment whose token the actor may revoke (for the confirmation page).
    Raises NotFound, PermissionDenied."""
    return _owned(deployment_id, actor)


def revoke_token(deployment_id: int, *, actor: User | None) -> Deployment:
    """Raises NotFound, PermissionDenied, Conflict (no token)."""
    with write():
        dep = _owned(deployment_id, actor)
        if dep.heartbeat_token_hash is None:
            raise Conflict(_("Pemakaian ini tidak memiliki token heartbeat."))
        prefix = dep.heartbeat_token_prefix
        dep.heartbeat_token_hash = dep.heartbeat_token_prefix = dep.heartbeat_token_issued_at = None
        audit.record(actor, "deployment.heartbeat_token_revoke", "deployment", dep.id, {"prefix": prefix})
    return dep


# --- the beat ------------------------------------------------------------------------------

def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if value and len(value) <= limit and not _CONTROL.search(value) else None


def clean_payload(data: Any) -> tuple[str, str | None, dict[str, Any]]:
    """(version, url, info) from the body, or ValidationFailed naming each bad key."""
    if not isinstance(data, dict):
        raise ValidationFailed(_("Badan permintaan harus berupa objek JSON."), {"body": _("Kirim objek JSON.")})
    errors: dict[str, str] = {}
    version = _text(data.get("version"), 200)
    if version is None:
        errors["version"] = _("Isi versi (tag atau commit) yang berjalan, 1–200 karakter.")
    url = None
    if data.get("url") not in (None, ""):
        url = _text(data.get("url"), 500)
        if url is None or not url.lower().startswith(("http://", "https://")):
            errors["url"] = _("Alamat harus diawali http:// atau https://, maksimal 500 karakter.")
            url = None
    info: dict[str, Any] = {}
    raw_info = data.get("info")
    if raw_info is not None:
        if not isinstance(raw_info, dict):
            errors["info"] = _("'info' harus berupa objek JSON.")
        else:
            unknown = sorted(set(raw_info) - set(INFO_KEYS))
            if unknown:
                errors["info"] = _("Kunci yang dikenal: %(keys)s.", keys=", ".join(INFO_KEYS))
            units = raw_info.get("opd_units")
            if units is not None:
                cleaned = [_text(u, 200) for u in units] if isinstance(units, list) else [None]
                if len(cleaned) > MAX_OPD_UNITS or None in cleaned:
                    errors["info.opd_units"] = _("Daftar nama OPD (maksimal 100, tiap nama 1–200 karakter).")
                else:
                    info["opd_units"] = cleaned
            users = raw_info.get("active_users")
            if users is not None:
                if isinstance(users, bool) or not isinstance(users, int) or not 0 <= users <= 10**9:
                    errors["info.active_users"] = _("Jumlah pengguna aktif harus bilangan bulat 0 atau lebih.")
                else:
                    info["active_users"] = users
            engine = raw_info.get("database")
            if engine is not None:
                cleaned_engine = _text(engine, 50)
                if cleaned_engine is None:
                    errors["info.database"] = _("Nama mesin basis data 1–50 karakter.")
                else:
                    info["database"] = cleaned_engine
    if errors:
        raise ValidationFailed(_("Isi heartbeat belum benar."), errors)
    return version, url, info


@dataclass(frozen=True)
class Beat:
    deployment_id: int
    observed_version: str
    last_seen_at: datetime
    flags: list[str]
    change: str | None  # what pages now show differently: first, version, back; None for routine


def receive(deployment_id: int, token: str, data: Any) -> Beat:
    """Accept one heartbeat. Raises Unauthenticated (no, unknown or other deployment's token),
    TooFrequent (extra `retry_after` seconds), ValidationFailed (bad body)."""
    token = (token or "").strip()
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise Unauthenticated(_("Sertakan 'Authorization: Bearer <token heartbeat>' pemakaian ini."))
    hashed = digest(token)
    row = db.session.execute(
        db.select(Deployment.id, Deployment.status, Deployment.version, Deployment.version_commit,
                  Deployment.last_seen_at, Deployment.observed_version)
        .where(Deployment.heartbeat_token_hash == hashed)).first()
    if row is None or row.id != deployment_id:
        raise Unauthenticated(_("Token heartbeat tidak berlaku untuk pemakaian ini."))
    now, interval = utcnow(), min_interval()
    if row.last_seen_at is not None and now - row.last_seen_at < interval:
        raise TooFrequent(_("Heartbeat terlalu sering; kirim paling banyak sekali per %(s)s detik.",
                            s=int(interval.total_seconds())),
                          extra={"retry_after": max(1, int((row.last_seen_at + interval - now).total_seconds()) + 1)})
    version, url, info = clean_payload(data)
    change = None
    if row.last_seen_at is None:
        change = "first"
    elif row.observed_version != version:
        change = "version"
    elif now - row.last_seen_at > timedelta(days=stale_days()):
        change = "back"
    values: dict[str, Any] = {
        "last_seen_at": now, "observed_version": version,
        "heartbeat_beats": Deployment.heartbeat_beats + 1,
        "heartbeat_beats_since": db.func.coalesce(Deployment.heartbeat_beats_since, now)}
    if url is not None:
        values["observed_url"] = url
    if info:
        values["observed_info"] = json.dumps(info, ensure_ascii=False, sort_keys=True)
    if change == "version":
        values["observed_lag_releases"] = values["observed_lag_commits"] = None
    with write():
        result = db.session.execute(
            update(Deployment).where(
                Deployment.id == deployment_id, Deployment.heartbeat_token_hash == hashed,
                or_(Deployment.last_seen_at.is_(None), Deployment.last_seen_at <= now - interval))
            .values(**values).execution_options(synchronize_session=False))
        if result.rowcount != 1:  # a racing beat won, or the token was rotated meanwhile
            raise TooFrequent(_("Heartbeat terlalu sering; kirim paling banyak sekali per %(s)s detik.",
                                s=int(interval.total_seconds())),
                              extra={"retry_after": int(interval.total_seconds())})
        if change is not None:
            _record_change(deployment_id, change, row.observed_version, version)
            if change in ("first", "version"):
                enqueue("deployment.observed_lag", deployment_id=deployment_id)  # sent after the commit
    # Just seen, so not stale; the one flag a beat can raise is a version other than the declared.
    found = [] if same_version(row.version, row.version_commit, version) else ["version_mismatch"]
    return Beat(deployment_id, version, now, found, change)


def _record_change(deployment_id: int, change: str, old: str | None, new: str) -> None:
    """The rare beat that changes what pages show: one audit event and one history line."""
    notes = {"first": _("Laporan pertama dari sistem yang berjalan."),
             "version": _("Sistem yang berjalan melaporkan versi lain."),
             "back": _("Sistem kembali melapor setelah tidak terpantau.")}
    db.session.add(DeploymentEvent(deployment_id=deployment_id, actor_id=None, kind="observed",
                                   field="observed_version", from_value=old or "", to_value=new,
                                   note=notes[change]))
    audit.record(None, "deployment.observed", "deployment", deployment_id,
                 {"change": change, "from": old, "version": new})


# --- what the adopter does with a mismatch -------------------------------------------------

def adopt_observed_version(deployment_id: int, *, actor: User | None) -> Deployment:
    """One click: the declared version becomes the reported one (checked against the repository
    like any version, audited as `deployment.update`). Raises NotFound, PermissionDenied,
    Conflict (nothing to adopt), ValidationFailed (reported version unknown to the repository)."""
    dep = lifecycle.get_changeable(deployment_id, actor)
    if not version_mismatch(dep):
        raise Conflict(_("Versi yang dilaporkan sudah sama dengan versi yang tercatat."))
    return lifecycle.update_deployment(deployment_id, {"version": dep.observed_version}, actor=actor)


# --- jobs ----------------------------------------------------------------------------------

def refresh_observed_lag(deployment_id: int) -> bool:
    """Release and commit lag of the reported version (runs git: a job, never in a beat).
    A reported version the repository does not know leaves the lag unknown (None)."""
    dep = db.session.get(Deployment, deployment_id)
    if dep is None or not dep.observed_version:
        return False
    version = dep.observed_version
    if version == dep.version:
        releases, commits = dep.lag_releases, dep.lag_commits
    else:
        try:
            target = resolve_version(dep.app, dep.fork, version)
        except ValidationFailed:
            releases = commits = None
        else:
            lag = compute_lag(dep.app_id, target)
            releases, commits = lag.releases, lag.commits
    with write():
        dep = db.session.get(Deployment, deployment_id)
        if dep.observed_version != version:
            return False  # another version arrived meanwhile; its own job follows
        if (dep.observed_lag_releases, dep.observed_lag_commits) == (releases, commits):
            return False
        dep.observed_lag_releases, dep.observed_lag_commits = releases, commits
        # Pages show this lag: one audit event so that their caches move (rare: per reported version).
        audit.record(None, "deployment.observed_lag", "deployment", dep.id,
                     {"version": version, "releases": releases, "commits": commits})
    return True


def refresh_app_observed_lag(app_id: int) -> int:
    """After an upstream fetch: the reported versions' lag of every deployment that reports."""
    stmt = db.select(Deployment.id).where(Deployment.app_id == app_id, Deployment.observed_version.is_not(None))
    ids = list(db.session.execute(stmt).scalars())
    db.session.rollback()
    return sum(1 for dep_id in ids if refresh_observed_lag(dep_id))


def summarize_day(now: datetime | None = None) -> int:
    """The daily audit summary: one `deployment.heartbeat_summary` per deployment that beat
    since the last one, one `deployment.unobserved` per deployment that went quiet in the last
    day, and a `deployment.heartbeat_day` marker. Returns the number of summaries."""
    now = now or utcnow()
    beaten = db.session.execute(
        db.select(Deployment.id, Deployment.heartbeat_beats, Deployment.heartbeat_beats_since,
                  Deployment.last_seen_at, Deployment.observed_version)
        .where(Deployment.heartbeat_beats > 0).order_by(Deployment.id)).all()
    quiet_end = now - timedelta(days=stale_days())
    quiet = db.session.execute(
        db.select(Deployment.id, Deployment.last_seen_at).where(
            and_(Deployment.last_seen_at <= quiet_end, Deployment.last_seen_at > quiet_end - timedelta(days=1),
                 Deployment.status != "retired")).order_by(Deployment.id)).all()
    db.session.rollback()
    for start in range(0, len(beaten), SUMMARY_BATCH):
        with write():
            for row in beaten[start:start + SUMMARY_BATCH]:
                audit.record(None, "deployment.heartbeat_summary", "deployment", row.id, {
                    "beats": row.heartbeat_beats, "since": _iso(row.heartbeat_beats_since),
                    "last_seen_at": _iso(row.last_seen_at), "version": row.observed_version})
                db.session.execute(update(Deployment).where(Deployment.id == row.id).values(
                    heartbeat_beats=Deployment.heartbeat_beats - row.heartbeat_beats)
                    .execution_options(synchronize_session=False))
                db.session.execute(update(Deployment).where(
                    Deployment.id == row.id, Deployment.heartbeat_beats == 0).values(heartbeat_beats_since=None)
                    .execution_options(synchronize_session=False))
    with write():
        for row in quiet:
            audit.record(None, "deployment.unobserved", "deployment", row.id,
                         {"last_seen_at": _iso(row.last_seen_at), "stale_days": stale_days()})
        audit.record(None, "deployment.heartbeat_day", "deployment", "all",
                     {"summaries": len(beaten), "unobserved": len(quiet), "at": now.isoformat()})
    return len(beaten)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
