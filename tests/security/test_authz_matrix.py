"""Authorization matrix: every route of the pages, the API and git over HTTP, for every kind of
person, against the rule below. The rules are listed per route; a route without a rule fails."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from catalog import create_app
from catalog.extensions import db
from tests.conftest import PASSWORD, IsolatedClient, _config, close_app
from tests.security import authz_world as world
from tests.security.authz_world import EVERYONE, PERSONAS

SIGNED_IN = tuple(PERSONAS)
ADOPTERS_OWN = ("ad_own", "admin")
PUBLISHER_OWN = ("pub_own", "admin")
PUBLISHERS = ("pub_own", "pub_oth", "admin")
FORKERS = ("ad_own", "ad_oth", "admin")
AUDITORS = ("aud_nat", "aud_oth", "admin")
NOBODY: tuple[str, ...] = ()
PEOPLE = ("oa_own", "admin")  # account management of Kota Tanjung Pinang


@dataclass(frozen=True)
class Rule:
    method: str
    path: str                  # may contain {fork}, {deployment}, {notification}, {proposal}, {token}
    allowed: tuple[str, ...]   # who gets through; everyone else must be refused
    body: dict = field(default_factory=dict)
    json: bool = False         # send the body as JSON (the API)
    mutates: bool = False      # run it on a fresh copy of the world


def R(method, path, allowed, *, mutates: bool | None = None, **kw) -> Rule:
    return Rule(method, path, tuple(allowed), mutates=method != "GET" if mutates is None else mutates, **kw)


DEPLOYMENT_BODY = {"org": "21.72", "app": "simanja", "environment": "staging", "status": "planned",
                   "version": "v1.0.0", "hosting": "pdn"}
RULES = {
    # pages anyone can read
    "ui.home": [R("GET", "/", EVERYONE)],
    "ui.app_list": [R("GET", "/apps?q=kinerja", EVERYONE)],
    "ui.app_detail": [R("GET", "/apps/simanja", EVERYONE), R("GET", "/apps/draf", PUBLISHER_OWN)],
    "ui.app_download": [R("GET", "/apps/simanja/download?rev=v1.0.0&format=zip", EVERYONE)],
    "ui.fork_detail": [R("GET", "/forks/{fork}", EVERYONE)],
    "ui.fork_diff": [R("GET", "/forks/{fork}/diff?path=src/daerah.php", EVERYONE)],
    "ui.fork_download": [R("GET", "/forks/{fork}/download?rev=main&format=zip", EVERYONE)],
    "ui.deployment_list": [R("GET", "/deployments", EVERYONE)],
    "ui.deployment_detail": [R("GET", "/deployments/{deployment}", EVERYONE)],
    "ui.deployment_app_suggestions": [R("GET", "/deployments/saran-aplikasi?q=si", EVERYONE)],
    "ui.adoption_guide": [R("GET", "/apps/simanja/adopsi", EVERYONE), R("GET", "/apps/draf/adopsi", PUBLISHER_OWN)],
    "ui.mirror_progress": [R("GET", "/apps/simanja/mirror.json", EVERYONE),
                           R("GET", "/apps/draf/mirror.json", PUBLISHER_OWN)],
    "ui.language_set": [R("POST", "/language", EVERYONE, body={"lang": "en"})],
    "ui.language_switch": [R("GET", "/lang/en?next=/apps", EVERYONE)],
    "ui.app_forks": [R("GET", "/apps/simanja/salinan", EVERYONE), R("GET", "/apps/draf/salinan", PUBLISHER_OWN)],
    "ui.organization_detail": [R("GET", "/organizations/21.72", EVERYONE)],
    "auth.login": [R("GET", "/login", EVERYONE),
                   R("POST", "/login", NOBODY, body={"email": "tidak@ada.go.id", "password": "salah-sekali-1"})],
    # the second sign-in step exists only after a first factor (a pending sign-in in the cookie); single
    # sign-on is off in this world (404); tests/web/test_two_factor.py and tests/oidc/ cover them switched on
    "auth.login_code": [R("GET", "/login/kode", NOBODY), R("POST", "/login/kode", NOBODY, body={"code": "123456"})],
    "auth.login_enrol": [R("GET", "/login/daftar-kode", NOBODY),
                         R("POST", "/login/daftar-kode", NOBODY, body={"code": "123456"})],
    "auth.sso_start": [R("GET", "/login/sso", NOBODY)],
    "auth.sso_callback": [R("GET", "/login/sso/callback?code=x&state=y", NOBODY)],
    # the signed-in user's own pages
    "auth.logout": [R("POST", "/logout", SIGNED_IN)],
    "auth.logout_everywhere": [R("POST", "/logout/all", SIGNED_IN)],
    "ui.token_list": [R("GET", "/account/tokens", SIGNED_IN)],
    "ui.token_create": [R("POST", "/account/tokens", SIGNED_IN, body={"label": "matriks", "scopes": ["git", "read"],
                                                                     "lifetime_days": "30"})],
    "ui.token_revoke": [R("POST", "/account/tokens/{token}/revoke", ("ad_own", "admin"), body={"confirmed": "1"})],
    "ui.session_list": [R("GET", "/account/sessions", SIGNED_IN)],
    # no one's session has this id; that nobody ends another's session: tests/web/test_sessions.py
    "ui.session_end": [R("POST", "/account/sessions/999999/end", NOBODY)],
    "ui.two_factor_page": [R("GET", "/account/two-factor", SIGNED_IN)],
    "ui.two_factor_start": [R("POST", "/account/two-factor/start", SIGNED_IN)],
    "ui.two_factor_confirm": [R("POST", "/account/two-factor/confirm", SIGNED_IN, body={"code": "000000"})],
    "ui.two_factor_disable": [R("POST", "/account/two-factor/disable", SIGNED_IN, body={"code": "000000"})],
    "ui.my_apps": [R("GET", "/my/apps", SIGNED_IN)],
    "ui.my_region": [R("GET", "/my/region", SIGNED_IN)],
    "ui.notification_list": [R("GET", "/notifications", SIGNED_IN)],
    "ui.notification_read_all": [R("POST", "/notifications/read", SIGNED_IN)],
    "ui.notification_read": [R("POST", "/notifications/{notification}/read", ("pub_own",))],
    # accounts (issue 16): the platform admin, and the org admin of the account's organization
    "ui.people_list": [R("GET", "/admin/people", PEOPLE)],
    "ui.people_invite": [R("POST", "/admin/people", PEOPLE, body={"email": "baru@matriks.go.id", "name": "Baru",
                                                                  "role": "adopter"})],
    "ui.people_role": [R("POST", "/admin/people/{user}/role", PEOPLE, body={"role": "publisher"})],
    "ui.people_deactivate": [R("POST", "/admin/people/{user}/deactivate", PEOPLE, body={"confirmed": "1"})],
    "ui.people_activate": [R("POST", "/admin/people/{user}/activate", PEOPLE)],
    "ui.people_reinvite": [R("POST", "/admin/people/{invited}/invitation", PEOPLE)],
    "ui.password_change": [R("GET", "/account/password", SIGNED_IN),
                           R("POST", "/account/password", SIGNED_IN, body={
                               "current_password": PASSWORD, "password": "matriks-sandi-baru-77",
                               "password_confirm": "matriks-sandi-baru-77"})],
    # without a login; a made-up link's secret opens nothing (tests/accounts/ follow real ones)
    "ui.password_forgot": [R("GET", "/password/forgot", EVERYONE),
                           R("POST", "/password/forgot", EVERYONE, body={"email": "ad-own@matriks.go.id"})],
    "ui.password_reset": [R("GET", "/password/reset/bukan-rahasia", NOBODY),
                          R("POST", "/password/reset/bukan-rahasia", NOBODY, body={"password": "x"})],
    "ui.invitation_accept": [R("GET", "/account/invitation/bukan-rahasia", NOBODY),
                             R("POST", "/account/invitation/bukan-rahasia", NOBODY, body={"password": "x"})],
    "api.user_list": [R("GET", "/api/v1/users", PEOPLE)],
    "api.user_detail": [R("GET", "/api/v1/users/{user}", PEOPLE)],
    "api.user_invite": [R("POST", "/api/v1/users", PEOPLE, json=True, body={
        "email": "baru@matriks.go.id", "name": "Baru", "role": "adopter", "org": "21.72"})],
    "api.user_update": [R("PATCH", "/api/v1/users/{user}", PEOPLE, json=True, body={"role": "publisher"})],
    "api.user_deactivate": [R("POST", "/api/v1/users/{user}/deactivate", PEOPLE, json=True)],
    "api.user_activate": [R("POST", "/api/v1/users/{user}/activate", PEOPLE, json=True)],
    "api.user_reinvite": [R("POST", "/api/v1/users/{invited}/invitation", PEOPLE, json=True)],
    "api.password_reset_request": [R("POST", "/api/v1/password-reset", EVERYONE, json=True,
                                     body={"email": "ad-own@matriks.go.id"})],
    # publishing
    "ui.app_new": [R("GET", "/apps/new", PUBLISHERS), R("POST", "/apps/new", PUBLISHERS, body={"name": ""})],
    "ui.import_form": [R("GET", "/apps/import", PUBLISHERS),
                       R("GET", "/apps/import?import_repo_url=https://git.example.go.id/x.git", PUBLISHERS)],
    "ui.import_prefill": [R("POST", "/apps/import", PUBLISHERS, body={"publiccode_yml": "name: x"})],
    "ui.app_edit": [R("GET", "/apps/simanja/edit", PUBLISHER_OWN),
                    R("POST", "/apps/simanja/edit", PUBLISHER_OWN, body={"name": ""})],
    "ui.app_submit": [R("POST", "/apps/draf/submit", PUBLISHER_OWN)],
    "ui.app_archive": [R("POST", "/apps/simanja/archive", PUBLISHER_OWN)],
    "ui.app_refresh": [R("POST", "/apps/simanja/refresh", PUBLISHER_OWN)],
    "ui.app_bundle_upload": [R("POST", "/apps/simanja/bundle", PUBLISHER_OWN)],
    "ui.proposal_list": [R("GET", "/apps/simanja/proposals", PUBLISHER_OWN)],
    "ui.proposal_accept": [R("POST", "/proposals/{proposal}/accept", PUBLISHER_OWN)],
    "ui.proposal_reject": [R("POST", "/proposals/{proposal}/reject", PUBLISHER_OWN)],
    "ui.review_list": [R("GET", "/admin/review", ("admin",))],
    "ui.review_publish": [R("POST", "/admin/review/draf/publish", ("admin",))],
    "ui.review_return": [R("POST", "/admin/review/draf/return", ("admin",), body={"note": "Lengkapi."})],
    # forks
    "ui.fork_create": [R("POST", "/apps/simanja/forks", FORKERS, body={"name": "salinan-baru"})],
    "ui.fork_note": [R("POST", "/forks/{fork}/note", ADOPTERS_OWN, body={"note": "integrasi SIMPEG"})],
    "ui.fork_refresh": [R("POST", "/forks/{fork}/refresh", ADOPTERS_OWN)],
    "ui.fork_sync": [R("POST", "/forks/{fork}/sync", ADOPTERS_OWN)],
    "ui.fork_purge_form": [R("GET", "/forks/{fork}/purge", ("admin",))],
    "ui.fork_purge": [R("POST", "/forks/{fork}/purge", ("admin",))],
    "ui.app_purge_form": [R("GET", "/apps/simanja/purge", ("admin",))],
    "ui.app_purge": [R("POST", "/apps/simanja/purge", ("admin",))],
    # deployments
    "ui.deployment_create": [R("POST", "/deployments", ADOPTERS_OWN, body=DEPLOYMENT_BODY)],
    "ui.deployment_edit": [R("GET", "/deployments/{deployment}/edit", ADOPTERS_OWN),
                           R("POST", "/deployments/{deployment}/edit", ADOPTERS_OWN, body={"version": "v1.0.0"})],
    "ui.deployment_status": [R("POST", "/deployments/{deployment}/status", ADOPTERS_OWN,
                               body={"status": "production"})],
    "ui.deployment_confirm": [R("POST", "/deployments/{deployment}/confirm", ("pub_own", "aud_nat"))],
    "ui.deployment_heartbeat_token": [R("POST", "/deployments/{deployment}/heartbeat-token", ADOPTERS_OWN)],
    "ui.deployment_heartbeat_revoke": [R("POST", "/deployments/{deployment}/heartbeat-token/revoke", ADOPTERS_OWN,
                                         body={"confirmed": "1"})],
    "ui.deployment_adopt_observed_version": [R("POST", "/deployments/{deployment}/adopt-observed-version",
                                               ADOPTERS_OWN)],
    # reports
    "ui.report_dashboard": [R("GET", "/reports", AUDITORS)],
    "ui.report_csv": [R("GET", "/reports/tables/apps.csv", AUDITORS)],
    "ui.report_evidence": [R("GET", "/reports/evidence/21.72", ("ad_own", "oa_own", "aud_nat", "admin"))],
    "ui.report_evidence_csv": [R("GET", "/reports/evidence/21.72.csv", ("ad_own", "oa_own", "aud_nat", "admin"))],
    "ui.report_audit": [R("GET", "/reports/audit", AUDITORS)],
    "ui.report_audit_checkpoint": [R("GET", "/reports/audit/checkpoint.json", AUDITORS)],
    # JSON API: public reads
    "api.organization_list": [R("GET", "/api/v1/organizations?kind=province", EVERYONE)],
    "api.api_organization_detail": [R("GET", "/api/v1/organizations/21.72", EVERYONE)],
    "api.api_app_list": [R("GET", "/api/v1/apps?q=kinerja", EVERYONE)],
    "api.api_app_detail": [R("GET", "/api/v1/apps/simanja", EVERYONE), R("GET", "/api/v1/apps/draf", PUBLISHER_OWN)],
    "api.api_app_publiccode": [R("GET", "/api/v1/apps/simanja/publiccode.yml", EVERYONE)],
    "api.api_app_used_by": [R("GET", "/api/v1/apps/simanja/used-by", EVERYONE),
                            R("GET", "/api/v1/apps/draf/used-by", PUBLISHER_OWN)],
    "api.api_fork_list": [R("GET", "/api/v1/apps/simanja/forks", EVERYONE)],
    "api.api_fork_detail": [R("GET", "/api/v1/forks/{fork}", EVERYONE)],
    "api.api_fork_publiccode": [R("GET", "/api/v1/forks/{fork}/publiccode.yml", EVERYONE)],
    "api.api_deployment_list": [R("GET", "/api/v1/deployments", EVERYONE)],
    "api.api_deployment_detail": [R("GET", "/api/v1/deployments/{deployment}", EVERYONE)],
    "api.api_export_json": [R("GET", "/api/v1/export/apps.json", EVERYONE)],
    "api.api_export_csv": [R("GET", "/api/v1/export/apps.csv", EVERYONE)],
    "api.api_openapi": [R("GET", "/api/v1/openapi.json", EVERYONE)],
    "api.audit_events": [R("GET", "/api/v1/audit/events", EVERYONE)],
    "api.api_audit_checkpoint": [R("GET", "/api/v1/audit/checkpoint", EVERYONE)],
    # JSON API: writes and scoped reads
    "api.api_app_create": [R("POST", "/api/v1/apps", PUBLISHERS, body={"name": ""}, json=True)],
    "api.api_app_import": [R("POST", "/api/v1/apps/import", PUBLISHERS, body={"publiccode_yml": "name: x"}, json=True)],
    "api.api_app_update": [R("PATCH", "/api/v1/apps/simanja", PUBLISHER_OWN, body={"name": "Simanja"}, json=True)],
    "api.api_app_submit": [R("POST", "/api/v1/apps/draf/submit", PUBLISHER_OWN, json=True)],
    "api.api_app_publish": [R("POST", "/api/v1/apps/draf/publish", ("admin",), json=True)],
    "api.api_app_return": [R("POST", "/api/v1/apps/draf/return", ("admin",), body={"note": "Lengkapi."}, json=True)],
    "api.api_app_refresh": [R("POST", "/api/v1/apps/simanja/refresh", PUBLISHER_OWN, json=True)],
    "api.api_fork_create": [R("POST", "/api/v1/apps/simanja/forks", FORKERS, body={"name": "salinan-api"}, json=True)],
    "api.api_fork_refresh": [R("POST", "/api/v1/forks/{fork}/refresh", ADOPTERS_OWN, json=True)],
    "api.api_fork_sync": [R("POST", "/api/v1/forks/{fork}/sync", ADOPTERS_OWN, json=True)],
    "api.api_deployment_create": [R("POST", "/api/v1/deployments", ADOPTERS_OWN, body=DEPLOYMENT_BODY, json=True)],
    "api.api_deployment_update": [R("PATCH", "/api/v1/deployments/{deployment}", ADOPTERS_OWN,
                                    body={"version": "v1.0.0"}, json=True)],
    "api.api_deployment_status": [R("POST", "/api/v1/deployments/{deployment}/status", ADOPTERS_OWN,
                                    body={"status": "production"}, json=True)],
    "api.api_deployment_confirm": [R("POST", "/api/v1/deployments/{deployment}/confirm", ("pub_own", "aud_nat"),
                                     json=True)],
    # heartbeats (issue 19): the adopter manages the token; the beat takes only a heartbeat token,
    # so every personal access token is refused (tests/web/test_heartbeat_api.py covers the real one)
    "api.api_heartbeat_token": [R("POST", "/api/v1/deployments/{deployment}/heartbeat-token", ADOPTERS_OWN,
                                  json=True)],
    "api.api_heartbeat_token_revoke": [R("DELETE", "/api/v1/deployments/{deployment}/heartbeat-token",
                                         ADOPTERS_OWN, json=True)],
    "api.api_heartbeat": [R("POST", "/api/v1/deployments/{deployment}/heartbeat", NOBODY,
                            body={"version": "v1.1.0"}, json=True)],
    "api.api_adopt_observed_version": [R("POST", "/api/v1/deployments/{deployment}/adopt-observed-version",
                                         ADOPTERS_OWN, json=True)],
    "api.api_report_reuse": [R("GET", "/api/v1/reports/reuse", AUDITORS)],
    "api.api_report_table": [R("GET", "/api/v1/reports/tables/apps", AUDITORS)],
    "api.notification_list": [R("GET", "/api/v1/notifications", SIGNED_IN)],
    "api.notification_read_all": [R("POST", "/api/v1/notifications/read", SIGNED_IN, json=True)],
    "api.notification_read": [R("POST", "/api/v1/notifications/{notification}/read", ("pub_own",), json=True)],
    # contributions (issue 20): read by anyone, like the fork; offered by its adopters, decided by the publisher
    "ui.contribution_list": [R("GET", "/apps/simanja/contributions", EVERYONE)],
    "ui.contribution_detail": [R("GET", "/contributions/{contribution}", EVERYONE)],
    "ui.contribution_new": [R("GET", "/forks/{fork}/contributions/new", ADOPTERS_OWN)],
    "ui.contribution_create": [R("POST", "/forks/{fork}/contributions", ADOPTERS_OWN, body={"title": "Matriks"})],
    "ui.contribution_accept": [R("POST", "/contributions/{contribution}/accept", PUBLISHER_OWN)],
    "ui.contribution_decline": [R("POST", "/contributions/{contribution}/decline", PUBLISHER_OWN)],
    "api.api_contribution_list": [R("GET", "/api/v1/apps/simanja/contributions", EVERYONE)],
    "api.api_contribution_detail": [R("GET", "/api/v1/contributions/{contribution}", EVERYONE)],
    "api.api_contribution_patch": [R("GET", "/api/v1/contributions/{contribution}.patch", EVERYONE)],
    "api.api_contribution_bundle": [R("GET", "/api/v1/contributions/{contribution}.bundle", EVERYONE)],
    "api.api_app_hotspots": [R("GET", "/api/v1/apps/simanja/hotspots", EVERYONE)],
    "api.api_contribution_create": [R("POST", "/api/v1/forks/{fork}/contributions", ADOPTERS_OWN, json=True,
                                      body={"title": "Matriks"})],
    "api.api_contribution_accept": [R("POST", "/api/v1/contributions/{contribution}/accept", PUBLISHER_OWN,
                                      json=True)],
    # the world's Simanja is mirrored from elsewhere: the publisher gets 409 (merge is for hosted upstreams)
    "api.api_contribution_merge": [R("POST", "/api/v1/contributions/{contribution}/merge", PUBLISHER_OWN, json=True)],
    "ui.contribution_merge": [R("POST", "/contributions/{contribution}/merge", PUBLISHER_OWN)],
    "api.api_contribution_decline": [R("POST", "/api/v1/contributions/{contribution}/decline", PUBLISHER_OWN,
                                       json=True)],
    "api.proposal_list": [R("GET", "/api/v1/apps/simanja/proposals", PUBLISHER_OWN)],
    "api.proposal_detail": [R("GET", "/api/v1/proposals/{proposal}", PUBLISHER_OWN)],
    "api.proposal_accept": [R("POST", "/api/v1/proposals/{proposal}/accept", PUBLISHER_OWN, json=True)],
    "api.proposal_reject": [R("POST", "/api/v1/proposals/{proposal}/reject", PUBLISHER_OWN, json=True)],
    # operations: no login; /metrics by network location or token, not by persona (tests/ops/)
    "ops.healthz": [R("GET", "/healthz", EVERYONE)],
    "ops.readyz": [R("GET", "/readyz", EVERYONE)],
    "ops.metrics": [R("GET", "/metrics", EVERYONE)],
    # git over HTTP: anyone clones; only the owning region's adopters (and admins) push; mirrors are read-only
    "git.git_http": [R("GET", "/git/kota-tanjung-pinang/simanja.git/info/refs?service=git-upload-pack", EVERYONE),
                     R("GET", "/git/kota-tanjung-pinang/simanja.git/info/refs?service=git-receive-pack", ADOPTERS_OWN),
                     R("GET", "/git/upstream/simanja.git/info/refs?service=git-upload-pack", EVERYONE),
                     R("GET", "/git/upstream/simanja.git/info/refs?service=git-receive-pack", NOBODY),
                     R("POST", "/git/kota-tanjung-pinang/simanja.git/git-upload-pack", EVERYONE, mutates=False),
                     R("POST", "/git/kota-tanjung-pinang/simanja.git/git-receive-pack", ADOPTERS_OWN),
                     R("POST", "/git/upstream/simanja.git/git-receive-pack", NOBODY)],
}
UNCHECKED = {"static"}


def all_rules() -> list[tuple[str, Rule]]:
    return [(endpoint, rule) for endpoint, rules in RULES.items() for rule in rules]


def test_every_route_has_a_rule(tmp_path):
    app = create_app({"DATA_DIR": str(tmp_path), "TESTING": True})
    routes = {(r.endpoint, m) for r in app.url_map.iter_rules() for m in r.methods - {"HEAD", "OPTIONS"}
              if r.endpoint not in UNCHECKED}
    covered = {(endpoint, rule.method) for endpoint, rule in all_rules()}
    missing = sorted(routes - covered)
    assert missing == [], f"routes without an authorization rule in {__file__}: {missing}"


_TEMPLATE: dict[str, object] = {}


def _sqlite_config(data: Path) -> dict:
    """The matrix copies a prepared world per check, so it always runs on SQLite files (the
    rules do not depend on the database; the rest of the suite covers PostgreSQL)."""
    return {**_config(data), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{data / 'catalog.sqlite3'}"}


@pytest.fixture(scope="session")
def template(tmp_path_factory):
    """The world, built once per session; each mutating check gets a hard-linked copy."""
    if "dir" not in _TEMPLATE:
        data = tmp_path_factory.mktemp("authz") / "data"
        data.mkdir()
        app = create_app(_sqlite_config(data))
        with app.app_context():
            db.create_all()
            from seed.regions import seed_regions
            seed_regions()
            db.session.commit()
            world.save(world.build(data), data.parent / "ids.json")
            db.session.remove()
            _sign_everyone_in(app, data.parent / "signed_in.json")
            app.extensions["catalog_search"].close()
            db.engine.dispose()
        _TEMPLATE["dir"] = data
    return _TEMPLATE["dir"]


def _sign_everyone_in(app, path: Path) -> None:
    """Each persona signs in once, through the real sign-in form, on the template: the session
    rows are copied with the database, so a client holding the cookies is that persona signed in
    on every copy (~600 sign-ins per run before, one per check)."""
    app.test_client_class = IsolatedClient
    cookies = {}
    for persona in PERSONAS:
        client = app.test_client()
        r = client.post("/login", data={"email": world.email(persona), "password": PASSWORD})
        assert r.status_code == 302, persona
        names = {header.split("=", 1)[0] for header in r.headers.getlist("Set-Cookie")}
        cookies[persona] = {name: client.get_cookie(name).value for name in names if client.get_cookie(name)}
        assert cookies[persona], persona
    path.write_text(json.dumps(cookies))


class Session:
    """One copy of the world with a client per persona."""

    def __init__(self, template: Path, target: Path):
        world.copy_data(template, target)
        self.ids = world.load(template.parent / "ids.json")
        self.cookies = json.loads((template.parent / "signed_in.json").read_text())
        self.app = create_app(_sqlite_config(target))
        self.app.test_client_class = IsolatedClient
        self.ctx = self.app.app_context()
        self.ctx.push()

    def client(self, persona: str):
        """A new client per check; a persona's holds the session its sign-in on the template made."""
        client = self.app.test_client()
        for name, value in self.cookies.get(persona, {}).items():
            client.set_cookie(name, value)
        return client

    def close(self) -> None:
        close_app(self.app)
        self.ctx.pop()


def _request(session: Session, rule: Rule, persona: str):
    ids = session.ids
    path = rule.path.format(fork=ids.fork, deployment=ids.deployment, notification=ids.notification,
                            proposal=ids.proposal, token=ids.token, user=ids.user, invited=ids.invited,
                            contribution=ids.contribution)
    headers = {}
    token = ids.tokens.get(persona)
    if path.startswith("/api/") and token:
        headers["Authorization"] = f"Bearer {token}"
    if path.startswith("/git/"):
        client = session.app.test_client()
        if token:
            headers["Authorization"] = "Basic " + base64.b64encode(f"x:{token}".encode()).decode()
    else:
        client = session.client(persona if not path.startswith("/api/") else "anon")
    kwargs = {"json": rule.body} if rule.json else {"data": rule.body}
    return client.open(path, method=rule.method, headers=headers, **kwargs)


def _refused(response, persona: str) -> bool:
    if response.status_code in (401, 403, 404, 429):
        return True
    return persona == "anon" and response.status_code == 302 and "/login" in response.headers.get("Location", "")


def _check(session: Session, rule: Rule, persona: str) -> str | None:
    response = _request(session, rule, persona)
    if response.status_code >= 500:
        return f"{persona}: {rule.method} {rule.path} -> {response.status_code}"
    refused = _refused(response, persona)
    if persona in rule.allowed and refused:
        return f"{persona}: {rule.method} {rule.path} refused with {response.status_code} but should pass"
    if persona not in rule.allowed and not refused:
        return f"{persona}: {rule.method} {rule.path} passed with {response.status_code} but must be refused"
    return None


# One worker takes every check on the world: each worker that took some built the world again.
on_one_world = pytest.mark.xdist_group("authz-matrix")


@on_one_world
@pytest.mark.slow  # every read route for every role: ~8 s
def test_read_routes(template, tmp_path):
    session = Session(template, tmp_path / "data")
    try:
        failures = [f for _e, rule in all_rules() if not rule.mutates
                    for persona in EVERYONE if (f := _check(session, rule, persona))]
    finally:
        session.close()
    assert failures == [], "\n".join(failures)


@on_one_world
@pytest.mark.slow  # every write route for every role on fresh copies: ~1 s each, ~45 s in all
@pytest.mark.parametrize("endpoint,rule", [(e, r) for e, r in all_rules() if r.mutates],
                         ids=[f"{r.method} {r.path}" for _e, r in all_rules() if r.mutates])
def test_write_route(template, tmp_path, endpoint, rule):
    """Refused people first (nothing may change), then each allowed one on a fresh copy."""
    failures = []
    order = [p for p in EVERYONE if p not in rule.allowed] + list(rule.allowed)
    session = Session(template, tmp_path / "refused")
    try:
        failures += [f for p in order if p not in rule.allowed and (f := _check(session, rule, p))]
    finally:
        session.close()
    for persona in rule.allowed:
        session = Session(template, tmp_path / persona)
        try:
            if failure := _check(session, rule, persona):
                failures.append(failure)
        finally:
            session.close()
    assert failures == [], "\n".join(failures)
