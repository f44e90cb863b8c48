"""Auditor pages: the reuse dashboard with CSV exports, SPBE evidence per organization, the audit trail."""
from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cachetools import TTLCache, cached
from flask import Response, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from ...services.errors import ValidationFailed
from ...services.oversight import checkpoints as audit_checkpoint
from ...services.oversight import csv_export
from ...services.oversight import evidence as report_evidence_data
from ...services.oversight import tables as report_tables
from ...vocab import audit as audit_vocab
from ...vocab import deployments as dv
from .. import compression, evidence_pdf, fragments, page_cache
from ..filters import collation_key, report_cell
from ..i18n import viewer_zone
from .blueprint import bp

TITLES = {
    "apps": _l("Pemakaian per aplikasi"), "regions": _l("Aplikasi yang dipakai per daerah"),
    "adoption": _l("Adopsi dari waktu ke waktu"), "forks": _l("Tingkat modifikasi per salinan"),
    "lagging": _l("Pemakaian yang tertinggal dari rilis induk"),
    "duplicates": _l("Kandidat duplikasi: kategori sama atau berkaitan, penerbit berbeda"),
    "evidence": _l("Bukti SPBE"),
}
COLUMNS = {
    "app": _l("Aplikasi"), "publisher": _l("Penerbit"), "category": _l("Kategori"), "forks": _l("Salinan"),
    **{s: _l(label) for s, label in dv.STATUS_LABELS.items()},
    "confirmed": _l("Terkonfirmasi"), "self_declared": _l("Mandiri"), "organizations": _l("Organisasi pemakai"),
    "org_code": _l("Kode"), "org": _l("Organisasi"), "environment": _l("Lingkungan"), "status": _l("Status"),
    "version": _l("Versi"), "confirmation": _l("Konfirmasi"), "month": _l("Bulan"),
    "went_live": _l("Mulai beroperasi"), "forks_made": _l("Salinan dibuat"), "cumulative": _l("Kumulatif beroperasi"),
    "fork": _l("Repositori salinan"), "ahead": _l("Di depan induk (commit)"),
    "behind": _l("Di belakang induk (commit)"),
    "files_changed": _l("Berkas diubah"), "insertions": _l("Baris ditambah"), "deletions": _l("Baris dihapus"),
    "files_differing": _l("Berkas berbeda dari induk"), "computed_at": _l("Dihitung"),
    "latest_release": _l("Rilis terbaru"), "lag_releases": _l("Tertinggal (rilis)"),
    "lag_commits": _l("Tertinggal (commit)"), "active_deployments": _l("Pemakaian aktif"),
    "source": _l("Sumber kode"), "status_since": _l("Status sejak"), "go_live_on": _l("Mulai beroperasi"),
    "hosting": _l("Hosting"), "opd_units": _l("OPD pengguna"),
    "observed": _l("Terpantau"), "declared_only": _l("Hanya dinyatakan"), "evidence": _l("Kekuatan bukti"),
    "last_seen_at": _l("Terakhir melapor"), "observed_version": _l("Versi yang dilaporkan"),
    "observed_lag_releases": _l("Versi dilaporkan tertinggal (rilis)"),
}


def _cell(value) -> str:
    return csv_export.cell_text(report_cell(value))


def headers(table: report_tables.ReportTable) -> list[str]:
    return [str(COLUMNS.get(c, c)) for c in table.columns]


def _csv(table: report_tables.ReportTable, name: str) -> Response:
    """The table as CSV. A kept table keeps its CSV with it, as bytes and in each coding a browser
    asked for: the national apps table is 27,000 rows, ≈0.6 s to write, and its compression
    would otherwise cost every download again."""
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    shown_as = ("csv", viewer_zone(), str(get_locale()))  # times in the viewer's zone, as on screen
    plain = table.derived.get(shown_as)
    if plain is None:
        rows = ([report_cell(v) for v in row] for row in table.rows)  # one row at a time
        plain = table.derived[shown_as] = csv_export.csv_bytes(headers(table), rows)
    response = Response(mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}-{stamp}.csv"'})
    response.vary.add("Accept-Encoding")
    coding = compression.negotiate(request.headers.get("Accept-Encoding", ""),
                                   compression.codings(current_app.config))
    if coding is None or len(plain) < current_app.config["COMPRESS_MIN_SIZE"]:
        response.set_data(plain)
        return response
    encoded = table.derived.get((*shown_as, coding))
    if encoded is None:
        encoded = table.derived[(*shown_as, coding)] = compression.encode(plain, coding, current_app.config)
    response.set_data(encoded)
    response.headers["Content-Encoding"] = coding  # Flask-Compress leaves an encoded body alone
    return response


@bp.get("/reports")
@login_required
def report_dashboard():
    page_cache.keep_for_session()
    board = report_tables.dashboard(current_user, request.args.get("province") or None,
                                    request.args.get("strength") or None)
    # Kept no longer than its figures: they are recomputed with no audit event to say so.
    age = (datetime.now(UTC) - board.computed_at).total_seconds()
    page_cache.max_age(current_app.config["REPORT_MAX_AGE"] - age)
    return render_template("reports/dashboard.html", board=board, titles=TITLES, headers=headers,
                           cell=_cell)


@bp.get("/reports/tables/<key>.csv")
@login_required
def report_csv(key: str):
    scope, table = report_tables.table_for(current_user, key, request.args.get("province") or None,
                                           request.args.get("strength") or None)
    suffix = (f"-{scope.province.code}" if scope.province else "") + (f"-{scope.strength}" if scope.strength else "")
    return _csv(table, f"laporan-{key}{suffix}")


# Where the audit seal goes in the kept evidence fragment: the seal names the chain's head as
# verified at this request, the rest only changes with the organization's own rows.
SEAL_SLOT = Markup("<!--evidence-seal-->")


def _seal_text(seal: report_evidence_data.AuditSeal) -> Markup:
    if seal.hash:
        return escape(_("peristiwa #%(seq)s, hash %(hash)s", seq=seal.seq, hash=seal.hash))
    return escape(seal.problem or "")


@bp.get("/reports/evidence/<org_code>")
@login_required
def report_evidence(org_code: str):
    page_cache.keep_for_session()
    org = report_evidence_data.evidence_org(org_code, actor=current_user)
    strength = report_evidence_data.clean_strength(request.args.get("strength"))
    code, name = org.code, org.name  # the seal below may commit, expiring the loaded row

    def render() -> tuple[str, int]:  # the same for everyone allowed to see it
        evidence = report_evidence_data.org_evidence(code, actor=current_user, strength=strength)
        table = report_tables.evidence_table(evidence)
        return render_template("reports/_evidence_body.html", evidence=evidence, table=table,
                               headers=headers(table), cell=_cell, seal_slot=SEAL_SLOT), 200

    marks = report_evidence_data.evidence_marks(org.id)
    key = ("evidence", code, name, org.parent_id, strength, marks, request.url_root, str(get_locale()), viewer_zone())
    body, _status = fragments.cached(key, render, own_version=True)
    seal = _seal_text(report_evidence_data.audit_seal())
    page = render_template("reports/evidence.html", org_name=name, body=Markup(body.replace(SEAL_SLOT, seal)))
    if request.args.get("format") != "pdf":
        return page
    suffix = f"-{strength}" if strength else ""
    return Response(evidence_pdf.render_pdf(page, request.url), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="bukti-spbe-{code}{suffix}.pdf"',
        "Cache-Control": "private, no-store"})


@bp.get("/reports/evidence/<org_code>.csv")
@login_required
def report_evidence_csv(org_code: str):
    org = report_evidence_data.evidence_org(org_code, actor=current_user)  # the actor's right, on every download
    strength = report_evidence_data.clean_strength(request.args.get("strength"))
    suffix = f"-{strength}" if strength else ""
    return _csv(_evidence_table(org, strength), f"bukti-spbe-{org.code}{suffix}")


EVIDENCE_TABLES_KEPT = 64


def _evidence_table(org, strength: str | None) -> report_tables.ReportTable:
    """An organization's evidence table, kept (with the CSV bytes `_csv` derives from it) while
    its evidence marks stand, as the evidence page's fragment is, and no longer than
    PAGE_CACHE_MAX_AGE (an observation ages out of "observed" with time alone); downloads of a
    table being built wait for that one build, as the report tables do (`tables._kept_full_tables`).
    Built per download before: 164 ms p95 under 20 auditors at national size (bench_signed_in)."""
    max_age = float(current_app.config["PAGE_CACHE_MAX_AGE"])
    kept = current_app.extensions.get("catalog_evidence_csv")
    if kept is None or kept.cache.ttl != max_age:
        kept = cached(TTLCache(maxsize=EVIDENCE_TABLES_KEPT, ttl=max_age), condition=threading.Condition())(
            _build_evidence_table)
        current_app.extensions["catalog_evidence_csv"] = kept
    return kept(org.code, org.name, org.parent_id, strength, report_evidence_data.evidence_marks(org.id))


def _build_evidence_table(code: str, _name: str, _parent_id: int | None, strength: str | None,
                          _marks: tuple) -> report_tables.ReportTable:
    """The arguments past `code` and `strength` only key the kept table."""
    return report_tables.evidence_table(report_evidence_data.org_evidence(code, actor=current_user, strength=strength))


AUDIT_FILTERS = ("action", "org", "since", "until")


def _day_start(text: str, key: str, errors: dict, *, next_day: bool = False) -> datetime | None:
    """A YYYY-MM-DD day as the UTC instant its midnight is in the viewer's zone (the zone the
    trail's times are shown in); `next_day` gives the end of that day."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors[key] = _("Tanggal harus berformat TTTT-BB-HH.")
        return None
    start = datetime.combine(day + timedelta(days=1) if next_day else day, time(0), ZoneInfo(viewer_zone()))
    return start.astimezone(UTC)


_ACTIONS_BY_LABEL: dict[str, list[str]] = {}  # by language: the labels' order never changes in a process


def _actions_by_label() -> list[str]:
    """The audit actions in the order of their labels in the page's language (the filter's list)."""
    locale = str(get_locale())
    if locale not in _ACTIONS_BY_LABEL:
        _ACTIONS_BY_LABEL[locale] = sorted(audit_vocab.ACTION_LABELS,
                                           key=lambda a: collation_key(_(audit_vocab.ACTION_LABELS[a])))
    return _ACTIONS_BY_LABEL[locale]


@bp.get("/reports/audit")
@login_required
def report_audit():
    before = request.args.get("before", "")
    chosen = {k: request.args.get(k, "").strip()[:80] for k in AUDIT_FILTERS}
    errors: dict[str, str] = {}
    only = audit_checkpoint.AuditFilter(action=chosen["action"], org=chosen["org"],
                                        since=_day_start(chosen["since"], "since", errors),
                                        until=_day_start(chosen["until"], "until", errors, next_day=True))
    try:
        page = audit_checkpoint.audit_page(actor=current_user, before=int(before) if before.isdigit() else None,
                                           verify=bool(request.args.get("verify")), only=only)
    except ValidationFailed as exc:
        errors.update(exc.fields or {"form": exc.message})
        page = audit_checkpoint.AuditPage([], None, audit_checkpoint.audit_organizations(current_user))
    status = 400 if errors else 200
    return render_template("reports/audit.html", page=page, chosen=chosen, errors=errors, actions=_actions_by_label(),
                           filtering=any(chosen.values())), status


@bp.get("/reports/audit/checkpoint.json")
@login_required
def report_audit_checkpoint():
    body = audit_checkpoint.checkpoint_for(current_user, request.url_root)
    return Response(json.dumps(body, indent=2), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="audit-checkpoint-{body["seq"]}.json"'})
