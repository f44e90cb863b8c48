"""Audit checkpoints: exported head, checked later even against a chain rewritten end to end."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from catalog.extensions import db
from catalog.models import AuditEvent, AuditHead
from catalog.services import audit
from catalog.services.catalog import apps
from catalog.services.errors import Conflict, PermissionDenied
from catalog.services.oversight import checkpoints as audit_checkpoint
from tests.factories import app_payload


def _events(make_user, n_apps=3, first=0):
    publisher = make_user("publisher", "21")
    for i in range(first, first + n_apps):
        apps.create_app(app_payload(name=f"Aplikasi {i}"), actor=publisher)


def _drop_guards():
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("DROP TRIGGER audit_event_no_update"))
        db.session.execute(text("DROP TRIGGER audit_event_no_delete"))
    else:
        db.session.execute(text("DROP TRIGGER audit_event_no_change ON audit_event"))


def _rewrite_from(seq: int) -> None:
    """An insider edits event `seq` and recomputes every later hash and the head: verify() passes."""
    _drop_guards()
    db.session.execute(text("UPDATE audit_event SET data = :d WHERE seq = :s"), {"d": '{"diubah": true}', "s": seq})
    prev = db.session.get(AuditEvent, seq - 1).hash if seq > 1 else "0" * 64
    for ev in db.session.execute(db.select(AuditEvent).where(AuditEvent.seq >= seq).order_by(AuditEvent.seq)).scalars():
        payload = audit.event_payload(ev.seq, ev.at, ev.actor, ev.action, ev.object_type, ev.object_id, ev.data)
        ev.prev_hash, ev.hash = prev, audit.chain_hash(prev, payload)
        prev = ev.hash
    head = db.session.get(AuditHead, 1)
    head.hash = prev
    db.session.commit()


def test_checkpoint_names_the_head(make_user):
    _events(make_user)
    body = audit_checkpoint.make_checkpoint("https://katalog.example.go.id/")
    head = db.session.get(AuditHead, 1)
    assert (body["seq"], body["hash"]) == (head.seq, head.hash)
    assert set(body) == {"seq", "hash", "at", "generated_at", "catalog_url", "checksum"}
    assert audit_checkpoint.verify_checkpoint(json.loads(json.dumps(body))).ok


def test_checkpoint_still_holds_after_more_events(make_user):
    _events(make_user, 1)
    body = audit_checkpoint.make_checkpoint("")
    _events(make_user, 2, first=1)
    assert audit_checkpoint.verify_checkpoint(body).ok


def test_rewritten_chain_passes_verify_but_not_the_checkpoint(make_user):
    _events(make_user)
    body = audit_checkpoint.make_checkpoint("")
    _rewrite_from(2)
    assert audit.verify().ok  # the whole chain was recomputed...
    result = audit_checkpoint.verify_checkpoint(body)
    assert not result.ok and "rewritten" in result.message  # ...but the kept checkpoint exposes it


def test_truncated_chain_fails_the_checkpoint(make_user):
    _events(make_user)
    body = audit_checkpoint.make_checkpoint("")
    _drop_guards()
    db.session.execute(text("DELETE FROM audit_event WHERE seq = :s"), {"s": body["seq"]})
    db.session.commit()
    assert not audit_checkpoint.verify_checkpoint(body).ok


def test_edited_checkpoint_file_is_refused(make_user):
    _events(make_user)
    body = audit_checkpoint.make_checkpoint("")
    body["generated_at"] = "2020-01-01T00:00:00+00:00"
    assert "checksum" in audit_checkpoint.verify_checkpoint(body).message


def test_no_checkpoint_of_a_broken_chain(make_user):
    _events(make_user)
    _drop_guards()
    db.session.execute(text("UPDATE audit_event SET actor = 'user:999' WHERE seq = 2"))
    db.session.commit()
    with pytest.raises(Conflict):
        audit_checkpoint.make_checkpoint("")


def test_audit_page_for_auditors_only(make_user):
    auditor = make_user("auditor", "21")
    _events(make_user, 2)
    page = audit_checkpoint.audit_page(actor=auditor, verify=True)
    assert [r.event.seq for r in page.rows][:2] == [audit.list_events()[-1].seq, audit.list_events()[-2].seq]
    assert page.chain.ok and page.rows[0].actor_name == "Uji publisher"
    with pytest.raises(PermissionDenied):
        audit_checkpoint.audit_page(actor=make_user("adopter", "21.72"))


def test_cli_checkpoint_and_verify(make_user, runner, tmp_path):
    _events(make_user)
    result = runner.invoke(args=["catalog", "audit-checkpoint", "--catalog-url", "https://katalog.example.go.id/"])
    assert result.exit_code == 0, result.output
    saved = tmp_path / "checkpoint.json"
    saved.write_text(result.output)
    assert json.loads(result.output)["catalog_url"] == "https://katalog.example.go.id/"
    assert runner.invoke(args=["catalog", "audit-verify", "--checkpoint", str(saved)]).exit_code == 0
    _rewrite_from(1)
    assert runner.invoke(args=["catalog", "audit-verify"]).exit_code == 0
    failed = runner.invoke(args=["catalog", "audit-verify", "--checkpoint", str(saved)])
    assert failed.exit_code == 1 and "FAILED" in failed.output
