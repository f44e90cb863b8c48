"""Absolute links shared by pages and the API."""
from __future__ import annotations

from flask import url_for


def clone_url(relpath: str) -> str:
    """`<base>/git/<namespace>/<name>.git`, the address `git clone` takes."""
    return url_for("ui.home", _external=True).rstrip("/") + "/git/" + relpath
