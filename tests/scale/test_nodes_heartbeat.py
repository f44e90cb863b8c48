"""The heartbeat rate limit holds across nodes: a beat is a conditional UPDATE of the deployment
row, so of two beats arriving on two nodes at once only one passes (catalog/services/deployments/heartbeat.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from catalog.services.deployments import heartbeat
from tests.deployment_world import source_repos, world, world_app, world_template  # noqa: F401

pytestmark = pytest.mark.slow  # nodes are separate processes (a few seconds each to start)


@pytest.fixture
def app(world_app):
    return world_app


def test_two_beats_on_two_nodes_at_once_pass_once(app, world, nodes):
    dep = world.deploy("21.72", "simanja", version="v1.1.0")
    _dep, token = heartbeat.issue_token(dep.id, actor=world.user("adopter", "21.72"))
    go = nodes.path("go")
    beats = [nodes.start("heartbeat", name, go=go, deployment=dep.id, token=token, version="v1.1.0")
             for name in ("a", "b")]
    Path(go).write_text("")
    assert sorted(nodes.result(p) for p in beats) == [200, 429]
