"""The SPBE evidence page is kept by its organization's own change stamps (web/fragments.py,
`own_version`): another region's write does not redraw it, even past the staleness window; any
change to the organization's own deployments or copies shows on the next request; the audit seal
is the chain's head as verified at each request, kept page or not."""
from __future__ import annotations

import re
from html import unescape

import pytest

from catalog.services.deployments import lifecycle
from catalog.services.oversight import evidence
from catalog.web import fragments
from tests.deployment_world import scenario, scenario_app, scenario_template, source_repos, world  # noqa: F401


@pytest.fixture
def app(scenario_app):
    return scenario_app


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    """Organizations whose evidence was read from the database (a miss of the kept page)."""
    seen: list[str] = []
    real = evidence.org_evidence
    monkeypatch.setattr(evidence, "org_evidence", lambda code, **kw: seen.append(code) or real(code, **kw))
    return seen


def _later(monkeypatch, seconds: float) -> None:
    """Move the fragment cache's clock: past the 5 s staleness window, within the 60 s max age."""
    later = fragments.monotonic() + seconds
    monkeypatch.setattr(fragments, "monotonic", lambda: later)


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def _seal(html: str) -> str:
    return re.search(r'id="evidence-seal">([^<]*)</dd>', html).group(1)


def test_another_regions_write_keeps_the_page_and_moves_its_seal(client, world, login, renders, monkeypatch):
    login(world.user("auditor", "21"))
    first = client.get("/reports/evidence/21.72").get_data(as_text=True)
    world.deploy("14.71", "srikandi", status="pilot")  # a newer audit event, in another province
    _later(monkeypatch, 50)
    again = client.get("/reports/evidence/21.72").get_data(as_text=True)
    head = client.get("/api/v1/audit/checkpoint").get_json()
    assert renders == ["21.72"]
    assert _seal(again) == f"peristiwa #{head['seq']}, hash {head['hash']}" != _seal(first)
    printed = again.split('class="print-head"', 1)[1].split("</header>", 1)[0]
    assert f"Checkpoint audit: peristiwa #{head['seq']}, hash {head['hash']}" in printed


def test_a_change_of_status_shows_at_once(client, world, login, renders, scenario):
    login(world.user("auditor", "21"))
    assert "Ditangguhkan" not in _text(client.get("/reports/evidence/21.72").get_data(as_text=True))
    lifecycle.change_status(scenario["tp_simanja"], "suspended", actor=world.user("adopter", "21.72"))
    assert "Ditangguhkan" in _text(client.get("/reports/evidence/21.72").get_data(as_text=True))
    assert renders == ["21.72", "21.72"]


def test_an_edit_that_changes_no_status_shows_at_once(client, world, login, renders, scenario):
    """An edit of the OPD units (no status, no version) shows too."""
    login(world.user("auditor", "21"))
    assert "Dinas Pariwisata" not in client.get("/reports/evidence/21.72").get_data(as_text=True)
    lifecycle.update_deployment(scenario["tp_simanja"], {"opd_units": ["Dinas Pariwisata"]},
                                actor=world.user("adopter", "21.72"))
    assert "Dinas Pariwisata" in client.get("/reports/evidence/21.72").get_data(as_text=True)


def test_a_confirmation_shows_at_once(client, world, login, scenario):
    auditor = world.user("auditor", "21")
    login(auditor)

    def confirmed() -> str:
        html = client.get("/reports/evidence/21.72").get_data(as_text=True)
        return re.search(r"(\d+) pemakaian, (\d+) terkonfirmasi", html).group(2)

    before = int(confirmed())
    unconfirmed = next(d for d in evidence.org_evidence("21.72", actor=auditor).deployments if not d.confirmed)
    lifecycle.confirm_deployment(unconfirmed.id, actor=auditor)
    assert int(confirmed()) == before + 1
