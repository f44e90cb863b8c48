"""The JSON API for organizations and apps: shapes, auth, permissions, errors."""
from __future__ import annotations

from tests.factories import app_payload


def _publish(client, publisher_headers, admin_headers, **overrides):
    r = client.post("/api/v1/apps", json=app_payload(**overrides), headers=publisher_headers)
    assert r.status_code == 201, r.json
    slug = r.json["slug"]
    assert client.post(f"/api/v1/apps/{slug}/submit", headers=publisher_headers).json["state"] == "submitted"
    r = client.post(f"/api/v1/apps/{slug}/publish", headers=admin_headers)
    assert r.json.get("state") == "published", r.json
    return slug


def test_organization_totals(client):
    assert client.get("/api/v1/organizations?kind=province").json["total"] == 38
    regency = client.get("/api/v1/organizations?kind=regency").json["total"]
    city = client.get("/api/v1/organizations?kind=city").json["total"]
    assert regency + city == 514
    kepri = client.get("/api/v1/organizations?parent=21&per_page=100").json
    assert {"code": "21.72", "name": "Kota Tanjung Pinang", "kind": "city", "parent": "21",
            "slug": "kota-tanjung-pinang"} in kepri["items"]


def test_organization_bad_kind_is_json_error(client):
    r = client.get("/api/v1/organizations?kind=planet")
    assert r.status_code == 422
    assert r.json["error"] == "invalid" and "kind" in r.json["fields"]


def test_list_shape_and_pagination_errors(client):
    body = client.get("/api/v1/apps").json
    assert set(body) == {"items", "total", "page", "per_page"}
    r = client.get("/api/v1/apps?per_page=1000")
    assert r.status_code == 422 and "per_page" in r.json["fields"]
    assert client.get("/api/v1/apps?page=abc").status_code == 422


def test_publish_flow_and_search(client, make_user, token_for):
    pub = token_for(make_user("publisher", "anri"))
    admin = token_for(make_user("admin", "komdigi"))
    _publish(client, pub, admin)
    _publish(client, pub, admin, name="SIMPEG", short_description_id="Sistem informasi manajemen kepegawaian daerah.",
             short_description_en="Personnel records.", description="Data ASN.", tags=["kepegawaian"], category="hr")
    found = client.get("/api/v1/apps?q=arsip").json
    assert [a["slug"] for a in found["items"]][:1] == ["srikandi"]
    detail = client.get("/api/v1/apps/srikandi").json
    assert detail["short_description"] == {"id": app_payload()["short_description_id"],
                                           "en": "Dynamic archive management."}
    assert detail["publisher"]["code"] == "anri" and detail["state"] == "published"
    assert client.get("/api/v1/apps?q=pegawai").json["items"][0]["slug"] == "simpeg"
    assert client.get("/api/v1/apps?category=hr").json["total"] == 1


def test_writes_need_a_token(client):
    r = client.post("/api/v1/apps", json=app_payload())
    assert r.status_code == 401 and r.json["error"] == "unauthenticated"
    r = client.post("/api/v1/apps", json=app_payload(), headers={"Authorization": "Bearer kbp_nope"})
    assert r.status_code == 401


def test_other_province_publisher_gets_403(client, make_user, token_for):
    owner = token_for(make_user("publisher", "21"))
    other = token_for(make_user("publisher", "14"))
    slug = _publish(client, owner, token_for(make_user("admin", "komdigi")))
    r = client.patch(f"/api/v1/apps/{slug}", json={"name": "Milik kami"}, headers=other)
    assert r.status_code == 403 and r.json["error"] == "forbidden"
    assert client.get(f"/api/v1/apps/{slug}").json["name"] == "Srikandi"


def test_validation_errors_per_field(client, make_user, token_for):
    pub = token_for(make_user("publisher", "21"))
    r = client.post("/api/v1/apps", json=app_payload(license="Bebas", short_description={"id": ""}), headers=pub)
    assert r.status_code == 422
    assert {"license", "short_description_id"} <= set(r.json["fields"])
    assert client.post("/api/v1/apps", data="not json", headers=pub).status_code == 422


def test_patch_updates_and_short_description_object(client, make_user, token_for):
    pub = token_for(make_user("publisher", "21"))
    client.post("/api/v1/apps", json=app_payload(), headers=pub)
    r = client.patch("/api/v1/apps/srikandi", json={"short_description": {"en": "Archive system"}}, headers=pub)
    assert r.status_code == 200 and r.json["short_description"]["en"] == "Archive system"


def test_publisher_cannot_publish_via_api(client, make_user, token_for):
    pub = token_for(make_user("publisher", "21"))
    client.post("/api/v1/apps", json=app_payload(), headers=pub)
    client.post("/api/v1/apps/srikandi/submit", headers=pub)
    assert client.post("/api/v1/apps/srikandi/publish", headers=pub).status_code == 403


def test_hostile_queries_never_500(client):
    for q in ["name:*", "*", "a~~~", '"unclosed', "x" * 5000, "\x00\x01", "AND OR NOT ( )", "field:x"]:
        r = client.get("/api/v1/apps", query_string={"q": q})
        assert r.status_code in (200, 422), (q, r.status_code)
        if r.status_code == 422:
            assert r.json["message"]


def test_unknown_route_is_json_404(client):
    r = client.get("/api/v1/nothing")
    assert r.status_code == 404 and r.json["error"] == "not_found"


def test_audit_events_endpoint(client, make_user, token_for):
    pub = token_for(make_user("publisher", "21"))
    client.post("/api/v1/apps", json=app_payload(), headers=pub)
    events = client.get("/api/v1/audit/events").json["items"]
    assert events[0]["seq"] == 1 and events[0]["prev_hash"] == "0" * 64
    assert events[-1]["action"] == "app.create"
    assert all("@" not in e["actor"] for e in events)


def test_tags_are_kept_as_people_mean_them_and_a_refusal_names_the_tag(client, make_user, token_for):
    """Issue 15: "Izin Usaha" and "izin_usaha" are the tag `izin-usaha` (once); a tag that cannot
    be one is named in the field error."""
    headers = token_for(make_user("publisher", "21"))
    r = client.post("/api/v1/apps", json=app_payload(tags=["Izin Usaha", "kearsipan", "izin_usaha"]), headers=headers)
    assert r.status_code == 201 and r.json["tags"] == ["izin-usaha", "kearsipan"]
    r = client.patch("/api/v1/apps/srikandi", json={"tags": ["arsip", "izin/usaha!"]}, headers=headers)
    assert r.status_code == 422 and "'izin/usaha!'" in r.json["fields"]["tags"]
