"""The world the authorization matrix runs in: one of each kind of person, and the objects they
might reach: an app published by Kepulauan Riau, a hidden submitted entry, Tanjung Pinang's fork
and deployment, a notification, a publiccode.yml proposal and tokens."""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from catalog.extensions import db
from catalog.models import Notification, Proposal
from catalog.services import repo_paths
from catalog.services.accounts import people as accounts
from catalog.services.accounts import tokens, users
from catalog.services.catalog import apps
from catalog.services.deployments import lifecycle as deployments
from catalog.services.repos import contributions, forks
from seed.demo_repos import add_commits, create_demo_repo
from tests.conftest import PASSWORD
from tests.factories import app_payload

# persona -> (role, organization code)
PERSONAS = {
    "ad_own": ("adopter", "21.72"),    # Kota Tanjung Pinang: owns the fork and the deployment
    "ad_oth": ("adopter", "21.01"),    # Kabupaten Bintan: same province, another region
    "pub_own": ("publisher", "21"),    # Provinsi Kepulauan Riau: publishes simanja and the draft
    "pub_oth": ("publisher", "14"),    # Provinsi Riau
    "aud_nat": ("auditor", "kemenpanrb"),
    "aud_oth": ("auditor", "14"),      # auditor of another province
    "admin": ("admin", "komdigi"),
    "oa_own": ("org_admin", "21.72"),  # manages Kota Tanjung Pinang's accounts (ad_own's among them)
}
EVERYONE = ("anon", *PERSONAS)
SPEC = {"slug": "simanja", "name": "Simanja", "releases": ["v1.0.0", "v1.1.0"], "short_description_id": "Kinerja",
        "features": ["Sasaran kinerja"], "category": "employee-management", "license": "MIT",
        "development_status": "stable", "platforms": ["web"]}


def email(persona: str) -> str:
    return f"{persona.replace('_', '-')}@matriks.go.id"


@dataclass(frozen=True)
class Ids:
    fork: int
    deployment: int
    notification: int
    proposal: int
    token: int
    tokens: dict
    user: int = 0     # ad_own: an account oa_own manages
    invited: int = 0  # an invitation waiting in Kota Tanjung Pinang
    contribution: int = 0  # Tanjung Pinang's fork offers its commit to Simanja's upstream


def build(data_dir: Path) -> Ids:
    """Create the world through the services (inside an app context on data_dir)."""
    people = {p: users.create_user(email=email(p), name=p, org_code=org, role=role, password=PASSWORD)
              for p, (role, org) in PERSONAS.items()}
    source = create_demo_repo(data_dir / "sources" / "simanja.git", SPEC)
    apps.create_app(app_payload(name="Simanja", repo_url=str(source)), actor=people["admin"], org_code="21")
    apps.submit_app("simanja", actor=people["pub_own"])
    apps.publish_app("simanja", actor=people["admin"])
    apps.create_app(app_payload(name="Draf Rahasia", slug="draf"), actor=people["pub_own"])
    apps.submit_app("draf", actor=people["pub_own"])
    fork = forks.create_fork("simanja", actor=people["ad_own"])
    add_commits(repo_paths.absolute(fork.relpath), "main", [("src/daerah.php", "<?php // daerah\n", "Ubahan")],
                author="Staf TI")
    forks.refresh_divergence(fork.id)
    dep = deployments.create_deployment({"environment": "production", "status": "pilot", "version": "v1.1.0",
                                         "hosting": "pdn", "url": "https://simanja.tanjungpinangkota.go.id",
                                         "note": "catatan internal"}, actor=people["ad_own"], app_slug="simanja")
    note = db.session.execute(
        db.select(Notification).where(Notification.user_id == people["pub_own"].id)).scalars().first()
    proposal = Proposal(app_id=apps.get_app("simanja").id, changes=[{"field": "name", "current": "Simanja",
                                                                    "proposed": "Simanja 2"}])
    db.session.add(proposal)
    db.session.commit()
    plain = {p: tokens.create_token(u, label="matriks", actor=u)[1] for p, u in people.items()}
    own_token = tokens.list_tokens(people["ad_own"], actor=people["ad_own"])[0]
    invited = accounts.invite(people["oa_own"], email="diundang@matriks.go.id", name="Diundang", org_code=None,
                            role="adopter")
    offer = contributions.create_contribution(fork.id, actor=people["ad_own"], title="Perbaikan daerah")
    return Ids(fork.id, dep.id, note.id, proposal.id, own_token.id, plain, people["ad_own"].id, invited.id,
               offer.id)


def save(ids: Ids, path: Path) -> None:
    path.write_text(json.dumps(ids.__dict__))


def load(path: Path) -> Ids:
    return Ids(**json.loads(path.read_text()))


def copy_data(template: Path, target: Path) -> None:
    """Hard-link the repositories and index (git and Whoosh replace files, never edit them)."""
    shutil.copytree(template, target, copy_function=os.link,
                    ignore=shutil.ignore_patterns("catalog.sqlite3*", "jobs.sqlite3*"))
    shutil.copy2(template / "catalog.sqlite3", target / "catalog.sqlite3")
