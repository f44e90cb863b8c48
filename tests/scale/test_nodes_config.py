"""A node finds the shared repositories folder and its own name in its environment."""
from __future__ import annotations

import socket

from catalog.config import build_config


def test_repositories_folder_comes_from_catalog_repo_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("CATALOG_REPO_DIR", str(tmp_path / "nfs" / "repos"))
    assert build_config({"DATA_DIR": str(tmp_path / "node-a")})["REPOS_DIR"] == str(tmp_path / "nfs" / "repos")
    monkeypatch.delenv("CATALOG_REPO_DIR")
    assert build_config({"DATA_DIR": str(tmp_path / "node-a")})["REPOS_DIR"] == str(tmp_path / "node-a" / "repos")


def test_node_name_comes_from_catalog_node_id(app, monkeypatch, tmp_path):
    from catalog.jobs.queue import node_name

    monkeypatch.setenv("CATALOG_NODE_ID", "node-2")
    assert build_config({"DATA_DIR": str(tmp_path)})["NODE_ID"] == "node-2"
    monkeypatch.delenv("CATALOG_NODE_ID")
    assert build_config({"DATA_DIR": str(tmp_path)})["NODE_ID"] == socket.gethostname()
    app.config["NODE_ID"] = "web-1"
    assert node_name(app) == "web-1"
