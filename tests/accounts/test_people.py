"""Managing people through the services: what an org admin may do in their own organization and
nowhere else, what only the platform admin may do, and what deactivation takes away at once."""
from __future__ import annotations

import pytest

from catalog.extensions import db
from catalog.models import AuditEvent
from catalog.services import permissions
from catalog.services.accounts import people, tokens, users
from catalog.services.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tests.conftest import PASSWORD


def _invite(actor, role="adopter", org=None, email="baru@bintankab.go.id"):
    return people.invite(actor, email=email, name="Orang Baru", org_code=org, role=role)


@pytest.mark.parametrize("role", ["publisher", "adopter", "org_admin"])
def test_org_admin_invites_into_their_organization(make_user, role):
    user = _invite(make_user("org_admin", "21.01"), role=role)
    assert (user.organization.code, user.role, user.invitation_pending) == ("21.01", role, True)


def test_org_admin_cannot_grant_the_platform_admin_role(make_user):
    with pytest.raises(PermissionDenied):
        _invite(make_user("org_admin", "21.01"), role="admin")


def test_org_admin_cannot_invite_into_another_organization(make_user):
    with pytest.raises(PermissionDenied):
        _invite(make_user("org_admin", "21.01"), org="21.72")


def test_auditors_only_in_a_province_or_national_body(make_user):
    with pytest.raises(ValidationFailed) as exc:
        _invite(make_user("org_admin", "21.01"), role="auditor")
    assert "Auditor" in exc.value.fields["role"]
    assert _invite(make_user("org_admin", "21"), role="auditor").role == "auditor"


def test_platform_admin_invites_anyone_anywhere(make_user):
    assert _invite(make_user("admin", "komdigi"), role="admin", org="21.72").role == "admin"


@pytest.mark.parametrize("role", ["publisher", "adopter", "auditor"])
def test_other_roles_manage_nobody(make_user, role):
    with pytest.raises(PermissionDenied):
        _invite(make_user(role, "21"))


def test_an_address_is_invited_once(make_user):
    org_admin = make_user("org_admin", "21.01")
    _invite(org_admin)
    with pytest.raises(Conflict):
        _invite(org_admin)


def test_org_admin_lists_only_their_organization(make_user):
    org_admin = make_user("org_admin", "21.01")
    mine = make_user("adopter", "21.01")
    make_user("adopter", "21.72")
    found = people.list_people(org_admin)
    assert {u.id for u in found.items} == {org_admin.id, mine.id}
    with pytest.raises(PermissionDenied):
        people.list_people(org_admin, org_code="21.72")


def test_admin_lists_everyone_and_filters(make_user):
    admin = make_user("admin", "komdigi")
    adopter = make_user("adopter", "21.01")
    make_user("publisher", "21.01")
    invited = _invite(admin, org="21.01")
    assert people.list_people(admin).total == 4
    assert [u.id for u in people.list_people(admin, org_code="21.01", role="adopter").items] == [invited.id, adopter.id]
    assert [u.id for u in people.list_people(admin, state="invited").items] == [invited.id]


def test_last_sign_in_is_recorded_and_filtered(make_user, login):
    admin = make_user("admin", "komdigi")
    adopter = make_user("adopter", "21.01")
    assert adopter.last_login_at is None
    login(adopter)
    db.session.expire_all()
    assert users.get_by_email(adopter.email).last_login_at is not None
    assert [u.id for u in people.list_people(admin, last_login="7d").items] == [adopter.id]
    assert adopter.id not in {u.id for u in people.list_people(admin, last_login="never").items}


def test_an_unknown_filter_is_refused(make_user):
    with pytest.raises(ValidationFailed):
        people.list_people(make_user("admin", "komdigi"), state="gone")


def test_org_admin_changes_a_role_in_their_organization(make_user):
    org_admin = make_user("org_admin", "21.01")
    target = make_user("adopter", "21.01")
    assert people.change_role(org_admin, target.id, "publisher").role == "publisher"
    event = db.session.execute(db.select(AuditEvent).order_by(AuditEvent.seq.desc())).scalars().first()
    assert event.action == "user.role" and '"to":"publisher"' in event.data


def test_org_admin_cannot_touch_another_organizations_account(make_user):
    org_admin = make_user("org_admin", "21.01")
    other = make_user("adopter", "21.72")
    for act in (lambda: people.change_role(org_admin, other.id, "publisher"),
                lambda: people.deactivate(org_admin, other.id), lambda: people.activate(org_admin, other.id)):
        with pytest.raises(NotFound):
            act()


def test_org_admin_cannot_manage_a_platform_admin_in_their_organization(make_user):
    org_admin = make_user("org_admin", "21.01")
    admin_here = make_user("admin", "21.01")
    with pytest.raises(PermissionDenied):
        people.deactivate(org_admin, admin_here.id)
    with pytest.raises(PermissionDenied):
        people.change_role(make_user("org_admin", "21.01"), make_user("adopter", "21.01").id, "admin")


def test_nobody_deactivates_themselves(make_user):
    admin = make_user("admin", "komdigi")
    with pytest.raises(Conflict):
        people.deactivate(admin, admin.id)


def test_deactivation_ends_sessions_and_revokes_tokens_at_once(app, client, make_user):
    org_admin = make_user("org_admin", "21.01")
    target = make_user("adopter", "21.01")
    _row, plain = tokens.create_token(target, label="laptop", actor=target, scopes=["git", "read"])
    browser = app.test_client()
    browser.post("/login", data={"email": target.email, "password": PASSWORD})
    assert browser.get("/account/tokens").status_code == 200
    people.deactivate(org_admin, target.id)
    assert browser.get("/account/tokens").status_code == 302
    assert tokens.user_for_token(plain) is None
    api = app.test_client().get("/api/v1/notifications", headers={"Authorization": f"Bearer {plain}"})
    assert api.status_code == 401
    assert users.authenticate(target.email, PASSWORD) is None
    event = db.session.execute(db.select(AuditEvent).order_by(AuditEvent.seq.desc())).scalars().first()
    assert event.action == "user.deactivate" and '"tokens_revoked":1' in event.data


def test_reactivation_lets_them_sign_in_but_keeps_tokens_revoked(make_user):
    org_admin = make_user("org_admin", "21.01")
    target = make_user("adopter", "21.01")
    _row, plain = tokens.create_token(target, label="laptop", actor=target)
    people.deactivate(org_admin, target.id)
    people.activate(org_admin, target.id)
    assert users.authenticate(target.email, PASSWORD) is not None
    assert tokens.user_for_token(plain) is None


def test_predicates_for_the_new_role(make_user):
    org_admin = make_user("org_admin", "21.01")
    bintan, kepri = org_admin.organization, make_user("adopter", "21").organization
    assert permissions.can_manage_people(org_admin, bintan) and not permissions.can_manage_people(org_admin, kepri)
    assert permissions.can_grant_role(org_admin, "org_admin", bintan)
    assert not permissions.can_grant_role(org_admin, "admin", bintan)
    assert not permissions.can_grant_role(org_admin, "auditor", bintan)
    assert not permissions.can_manage_account(org_admin, org_admin)


def test_create_user_command_takes_org_admin(runner):
    result = runner.invoke(args=["catalog", "create-user", "--email", "kepala@bintankab.go.id", "--name", "Kepala",
                                 "--org", "21.01", "--role", "org_admin"], input="laut-biru-bintan-2026\n")
    assert result.exit_code == 0, result.output
    assert users.get_by_email("kepala@bintankab.go.id").role == "org_admin"


def test_create_user_refuses_a_common_password(runner):
    result = runner.invoke(args=["catalog", "create-user", "--email", "x@bintankab.go.id", "--name", "X",
                                 "--org", "21.01", "--role", "adopter"], input="password12345\n")
    assert result.exit_code != 0 and "terlalu umum" in result.output
