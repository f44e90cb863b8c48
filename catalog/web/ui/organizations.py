"""Organization pages: what a province, kab/kota or agency publishes, uses and runs."""
from __future__ import annotations

from flask import render_template, request

from ...services.oversight import organization_profile
from .blueprint import bp


def _page_arg(name: str) -> int:
    try:
        return max(1, min(int(request.args.get(name, 1)), 10**6))
    except ValueError:
        return 1


@bp.get("/organizations/<code>")
def organization_detail(code: str):
    profile = organization_profile.organization_profile(code, forks_page=_page_arg("forks_page"))
    return render_template("organizations/detail.html", profile=profile, org=profile.org)
