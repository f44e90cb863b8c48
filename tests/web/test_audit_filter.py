"""A province auditor narrows the audit trail by action, the actor's organization (by name)
and dates, always within the province (issue 15)."""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest

from catalog.extensions import db
from catalog.models import AuditEvent
from catalog.models.types import utcnow
from tests.deployment_world import scenario, scenario_app, scenario_template, source_repos, world  # noqa: F401


@pytest.fixture
def app(scenario_app):
    return scenario_app


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [unescape(re.sub(r"<[^>]+>", " ", r)) for r in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)]


def test_filter_by_action_and_organization_name(client, world, login):
    login(world.user("auditor", "21"))
    everything = _rows(client.get("/reports/audit").get_data(as_text=True))
    assert everything
    made = _rows(client.get("/reports/audit?action=deployment.create").get_data(as_text=True))
    assert made and all("Pemakaian dicatat" in r for r in made) and len(made) < len(everything)
    html = client.get("/reports/audit", query_string={"org": "Kota Tanjung Pinang"}).get_data(as_text=True)
    ours = _rows(html)
    assert ours and all("21.72" in r or "Tanjung Pinang" in r for r in ours), ours
    assert '<option value="Kota Tanjung Pinang">' in html  # suggested by name
    assert '<option value="Kota Pekanbaru">' not in html  # another province: not offered


def test_organization_outside_the_province_or_unknown_is_refused(client, world, login):
    login(world.user("auditor", "21"))
    r = client.get("/reports/audit", query_string={"org": "Kota Pekanbaru"})
    assert r.status_code == 400 and "tidak ditemukan di cakupan Anda" in unescape(r.get_data(as_text=True))
    r = client.get("/reports/audit?action=app.delete_everything")
    assert r.status_code == 400 and "Pilih tindakan dari daftar." in r.get_data(as_text=True)
    r = client.get("/reports/audit?since=kemarin")
    assert r.status_code == 400 and "TTTT-BB-HH" in r.get_data(as_text=True)


def test_filter_by_dates_in_the_viewers_zone(client, world, login):
    login(world.user("auditor", "21"))
    newest = db.session.execute(db.select(AuditEvent).order_by(AuditEvent.seq.desc())).scalars().first()
    day = (newest.at + timedelta(hours=7)).date()  # Kepulauan Riau: WIB
    html = client.get("/reports/audit", query_string={"since": day.isoformat(), "until": day.isoformat()})
    assert html.status_code == 200 and _rows(html.get_data(as_text=True))
    later = (utcnow() + timedelta(days=3)).date().isoformat()
    empty = client.get("/reports/audit", query_string={"since": later}).get_data(as_text=True)
    assert "Tidak ada peristiwa yang cocok." in empty


def test_kept_rows_name_an_entry_renamed_since(client, world, login, monkeypatch):
    """An event never changes, so its row is kept (web/fragments.py, own_version) by the names it
    shows: an entry renamed afterwards is named anew in the older rows at the next request."""
    from catalog.services.catalog import apps
    from catalog.web import fragments

    login(world.user("auditor", "21"))
    first = _rows(client.get("/reports/audit?action=deployment.create").get_data(as_text=True))
    assert any("Simanja · Kota Tanjung Pinang" in r for r in first), first
    later = fragments.monotonic() + 50  # within the kept rows' max age
    monkeypatch.setattr(fragments, "monotonic", lambda: later)
    apps.update_app("simanja", {"name": "Simanja Kepri"}, actor=world.admin)
    again = _rows(client.get("/reports/audit?action=deployment.create").get_data(as_text=True))
    assert len(again) == len(first)
    assert any("Simanja Kepri · Kota Tanjung Pinang" in r for r in again), again
    assert not any("Simanja · " in r for r in again)
