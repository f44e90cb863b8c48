"""The command line from the contract: seed, create-user, create-token, reindex, audit-verify."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, text

from catalog.extensions import db
from catalog.models import App, Organization, User
from catalog.services.accounts import tokens


def _count(model) -> int:
    return db.session.execute(db.select(func.count()).select_from(model)).scalar_one()


def test_seed_regions_is_idempotent(runner):
    before = _count(Organization)
    result = runner.invoke(args=["catalog", "seed"])
    assert result.exit_code == 0, result.output
    assert _count(Organization) == before == 38 + 514 + 9
    kinds = dict(db.session.execute(db.select(Organization.kind, func.count()).group_by(Organization.kind)).all())
    assert kinds["province"] == 38 and kinds["regency"] + kinds["city"] == 514
    tanjung_pinang = db.session.execute(db.select(Organization).where(Organization.code == "21.72")).scalar_one()
    assert tanjung_pinang.kind == "city" and tanjung_pinang.parent.code == "21"


@pytest.mark.slow  # the run's seeded demo (`catalog seed --demo`, tests/demo_template.py), seeded once more
def test_seed_demo_twice_changes_nothing(demo_app):
    counts = (_count(App), _count(User), _count(Organization))
    assert counts[0] >= 30 and counts[1] >= 4
    second = demo_app.test_cli_runner().invoke(args=["catalog", "seed", "--demo"])
    assert second.exit_code == 0, second.output
    assert "demo apps added: 0; demo forks added: 0; demo deployments added: 0" in second.output
    assert (_count(App), _count(User), _count(Organization)) == counts
    published = set(db.session.execute(db.select(App.slug).where(App.state == "published")).scalars())
    assert {"srikandi", "sp4n-lapor", "simanja", "siap", "jdih", "simpeg", "e-office", "opensid", "slims",
            "e-parkir", "sig-umkm"} <= published
    assert demo_app.test_cli_runner().invoke(args=["catalog", "audit-verify"]).exit_code == 0


def test_create_user_and_token(runner):
    result = runner.invoke(args=["catalog", "create-user", "--email", "ops@kepriprov.go.id", "--name", "Ops",
                                 "--org", "21", "--role", "publisher"], input="rahasia-panjang-1\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["catalog", "create-token", "--email", "ops@kepriprov.go.id", "--label", "ci"])
    token = result.output.strip()
    assert result.exit_code == 0 and token.startswith("kbp_")
    assert tokens.user_for_token(token).email == "ops@kepriprov.go.id"
    stored = db.session.execute(text("SELECT token_hash FROM access_token")).scalar_one()
    assert token not in stored


def test_create_user_refuses_short_password(runner):
    result = runner.invoke(args=["catalog", "create-user", "--email", "x@y.go.id", "--name", "X", "--org", "21",
                                 "--role", "adopter"], input="pendek\n")
    assert result.exit_code != 0 and "minimal" in result.output


@pytest.mark.slow  # the demo catalog (on SQLite a copy of the run's seed, on PostgreSQL ~9 s of CPU)
def test_reindex(demo_app):
    result = demo_app.test_cli_runner().invoke(args=["catalog", "reindex"])
    published = db.session.execute(db.select(func.count()).where(App.state == "published")).scalar_one()
    assert result.exit_code == 0 and f"indexed {published} published apps" in result.output


def test_create_token_with_scopes_and_lifetime(runner, client):
    """`create-token --scope S` (repeatable) and `--days N`, as the contract says; the token's
    scopes hold at the API."""
    from datetime import timedelta

    from catalog.models import AccessToken
    from catalog.models.types import utcnow

    runner.invoke(args=["catalog", "create-user", "--email", "ci@kepriprov.go.id", "--name", "CI", "--org", "21",
                        "--role", "publisher"], input="rahasia-panjang-1\n")
    result = runner.invoke(args=["catalog", "create-token", "--email", "ci@kepriprov.go.id", "--label", "ci",
                                 "--scope", "git", "--scope", "read", "--days", "30"])
    assert result.exit_code == 0, result.output
    row = db.session.execute(db.select(AccessToken)).scalar_one()
    assert row.scopes == "git,read" and abs(row.expires_at - (utcnow() + timedelta(days=30))) < timedelta(minutes=5)
    bearer = {"Authorization": f"Bearer {result.output.strip()}"}
    refused = client.post("/api/v1/apps", json={"name": "X"}, headers=bearer)
    assert refused.status_code == 403 and refused.get_json()["missing_scope"] == "write"
    bad = runner.invoke(args=["catalog", "create-token", "--email", "ci@kepriprov.go.id", "--label", "x",
                              "--scope", "admin"])
    assert bad.exit_code != 0 and "admin" in bad.output


def test_make_run_prints_a_demo_account_of_each_role_that_signs_in(app):
    """`make run` lists the demo accounts: each line is a seeded account and its password signs
    in, and every role of the demo (org_admin too) has one."""
    from catalog.services.accounts import users
    from seed.demo import DEMO_USERS, seed_users

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")
    run_target = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    shown = re.findall(r'@echo "\s+\S+\s+(\S+@\S+)\s+(\S+)"', run_target)
    roles = {role for _email, _name, _org, role, _pw in DEMO_USERS}
    seed_users()
    signed_in = set()
    for email, password in shown:
        user = users.get_by_email(email)
        assert user is not None and users.verify_password(user, password), email
        signed_in.add(user.role)
    assert signed_in == roles and "pengelola@tanjungpinangkota.go.id" in dict(shown)
