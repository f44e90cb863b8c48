"""Organization pages: what a province, kab/kota or agency publishes, uses and runs."""
from __future__ import annotations

from flask import render_template

from ...services.oversight import organization_profile
from .blueprint import bp, page_arg


@bp.get("/organizations/<code>")
def organization_detail(code: str):
    profile = organization_profile.organization_profile(code, forks_page=page_arg("forks_page"))
    return render_template("organizations/detail.html", profile=profile, org=profile.org)
