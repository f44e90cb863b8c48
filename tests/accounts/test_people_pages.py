"""The /admin/people pages: the list with its filters, inviting, changing a role, and the
confirmation before deactivating."""
from __future__ import annotations

from catalog.services.accounts import users


def test_org_admin_sees_their_organization_with_last_sign_in(client, login, make_user):
    org_admin = make_user("org_admin", "21.01")
    colleague = make_user("adopter", "21.01")
    make_user("adopter", "21.72", email="tetangga@tanjungpinangkota.go.id")
    login(org_admin)
    page = client.get("/admin/people")
    assert page.status_code == 200
    assert colleague.email in page.text and "tetangga@" not in page.text
    assert "Belum pernah" in page.text  # the colleague never signed in
    assert "Kelola akun" in page.text  # in the menu


def test_the_page_filters_by_state(client, login, make_user):
    org_admin = make_user("org_admin", "21.01")
    colleague = make_user("adopter", "21.01")
    login(org_admin)
    client.post("/admin/people", data={"email": "baru@bintankab.go.id", "name": "Baru", "role": "publisher"})
    page = client.get("/admin/people?state=invited").text
    assert "baru@bintankab.go.id" in page and colleague.email not in page


def test_the_invite_form_offers_no_admin_role_to_an_org_admin(client, login, make_user):
    login(make_user("org_admin", "21.01"))
    form = client.get("/admin/people").text.split('id="undang"')[1].split("</form>")[0]
    assert 'value="org_admin"' in form and 'value="admin"' not in form and 'value="auditor"' not in form


def test_invite_errors_come_back_on_the_page(client, login, make_user):
    login(make_user("org_admin", "21.01"))
    r = client.post("/admin/people", data={"email": "bukan", "name": "X", "role": "adopter"})
    assert r.status_code == 422 and "Alamat e-mail tidak valid" in r.text


def test_role_change_from_the_list(client, login, make_user):
    org_admin = make_user("org_admin", "21.01")
    colleague = make_user("adopter", "21.01")
    login(org_admin)
    r = client.post(f"/admin/people/{colleague.id}/role", data={"role": "publisher", "back": "state=active"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/admin/people?state=active")
    assert users.get_by_email(colleague.email).role == "publisher"


def test_deactivation_asks_first(client, login, make_user):
    org_admin = make_user("org_admin", "21.01")
    colleague = make_user("adopter", "21.01")
    login(org_admin)
    ask = client.post(f"/admin/people/{colleague.id}/deactivate")
    assert ask.status_code == 200 and "dicabut untuk selamanya" in ask.text
    assert users.get_by_email(colleague.email).active
    client.post(f"/admin/people/{colleague.id}/deactivate", data={"confirmed": "1"})
    assert not users.get_by_email(colleague.email).active


def test_people_outside_the_role_get_403(client, login, make_user):
    login(make_user("publisher", "21"))
    assert client.get("/admin/people").status_code == 403
