"""Times in the viewer's own zone, named (issue 15, item 9): WIB, WITA or WIT by the province of the
viewer's organization; national agencies and visitors WIB."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from flask import g
from flask_babel import force_locale

from catalog.extensions import db
from catalog.models import App, Organization
from catalog.services.catalog import apps
from catalog.vocab import timezones
from catalog.web.filters import format_ago, format_date
from seed.regions import AGENCIES, load_regions
from tests.conftest import PASSWORD, IsolatedClient
from tests.factories import app_payload

MOMENT = datetime(2026, 12, 6, 7, 5, tzinfo=UTC)  # 14.05 WIB, 15.05 WITA, 16.05 WIT


def test_all_38_provinces_have_a_zone():
    provinces = {code for code in load_regions() if "." not in code}
    assert len(provinces) == 38 and set(timezones.PROVINCE_ZONES) == provinces
    by_zone = {zone: sorted(c for c, z in timezones.PROVINCE_ZONES.items() if z == zone)
               for zone in (timezones.WIB, timezones.WITA, timezones.WIT)}
    assert by_zone[timezones.WIT] == ["81", "82", "91", "92", "93", "94", "95", "96"]
    assert by_zone[timezones.WITA] == ["51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"]
    assert len(by_zone[timezones.WIB]) == 18 and {"61", "62", "31", "11", "21"} <= set(by_zone[timezones.WIB])


def test_every_seeded_organization_maps_to_its_provinces_zone(app):
    rows = db.session.execute(db.select(Organization.code, Organization.kind)).all()
    assert len(rows) == 552 + len(AGENCIES)
    for code, kind in rows:
        zone = timezones.zone_for_org_code(code)
        if kind == "agency":
            assert zone == timezones.WIB, code
        else:
            assert zone == timezones.PROVINCE_ZONES[code.split(".")[0]], code
    assert timezones.zone_for_org_code(None) == timezones.zone_for_org_code("tidak-ada") == timezones.WIB


@pytest.mark.parametrize(("zone", "expected_id", "expected_en"), [
    (timezones.WIB, "6 Des 2026 14.05 WIB", "Dec 6, 2026, 2:05 PM WIB"),
    (timezones.WITA, "6 Des 2026 15.05 WITA", "Dec 6, 2026, 3:05 PM WITA"),
    (timezones.WIT, "6 Des 2026 16.05 WIT", "Dec 6, 2026, 4:05 PM WIT"),
])
def test_a_moment_is_shown_in_the_zone_with_its_name(app, zone, expected_id, expected_en):
    with app.test_request_context("/"):
        g.viewer_zone = zone
        with force_locale("id"):
            assert format_date(MOMENT, with_time=True) == expected_id
        with force_locale("en"):
            assert format_date(MOMENT, with_time=True).replace("\u202f", " ") == expected_en  # CLDR's narrow space


def test_the_date_of_a_moment_is_the_local_date(app):
    late = datetime(2026, 12, 6, 16, 30, tzinfo=UTC)  # 23.30 WIB, 01.30 the next day in Papua
    with app.test_request_context("/"), force_locale("id"):
        g.viewer_zone = timezones.WIT
        assert format_date(late) == "7 Des 2026"
        assert format_date(date(2026, 12, 6)) == "6 Des 2026"  # a calendar date stays as it is
        g.viewer_zone = timezones.WIB
        assert format_date(late) == "6 Des 2026"
        assert format_date(datetime(2026, 12, 6, 7, 5), with_time=True) == "6 Des 2026 14.05 WIB"  # naive = UTC


def test_relative_time_keeps_the_local_moment_in_its_title(app):
    with app.test_request_context("/"), force_locale("id"):
        g.viewer_zone = timezones.WITA
        html = str(format_ago(MOMENT))
    assert 'datetime="2026-12-06T07:05:00+00:00"' in html and 'title="6 Des 2026 15.05 WITA"' in html
    assert "yang lalu" in html or "lagi" in html


@pytest.fixture
def published(make_user):
    publisher, admin = make_user("publisher", "21"), make_user("admin", "komdigi")
    apps.create_app(app_payload(), actor=publisher)
    apps.submit_app("srikandi", actor=publisher)
    apps.publish_app("srikandi", actor=admin)
    db.session.execute(db.update(App).where(App.slug == "srikandi").values(updated_at=MOMENT))
    db.session.commit()


def _updated_title(html: str) -> str:
    match = re.search(r'<dt>[^<]*</dt><dd><time datetime="2026-12-06T07:05:00\+00:00" title="([^"]+)"', html)
    assert match, "the app's update time is shown as a <time>"
    return match.group(1)


@pytest.mark.parametrize(("org", "expected"), [
    ("91.71", "6 Des 2026 16.05 WIT"),    # Kota Jayapura, Papua
    ("94.01", "6 Des 2026 16.05 WIT"),    # Kabupaten Nabire, Papua Tengah
    ("51.71", "6 Des 2026 15.05 WITA"),   # Kota Denpasar, Bali
    ("63.09", "6 Des 2026 15.05 WITA"),   # Kabupaten Tabalong, Kalimantan Selatan
    ("31.71", "6 Des 2026 14.05 WIB"),    # Jakarta Pusat
    ("kemenpanrb", "6 Des 2026 14.05 WIB"),  # a national agency
])
def test_signed_in_people_see_their_organizations_zone(published, app, make_user, org, expected):
    app.test_client_class = IsolatedClient  # a fresh `g` per request, as in production
    client = app.test_client()
    client.post("/login", data={"email": make_user("adopter" if "." in org else "auditor", org).email,
                                "password": PASSWORD})
    assert _updated_title(client.get("/apps/srikandi").get_data(as_text=True)) == expected


def test_people_of_different_zones_never_share_a_rendering_of_times(published, app, make_user):
    """The app page's facts are a fragment shared by signed-in people: it is kept per zone."""
    app.test_client_class = IsolatedClient
    seen = []
    for org in ("31.71", "91.71", "51.71", "31.73"):
        client = app.test_client()
        client.post("/login", data={"email": make_user("adopter", org).email, "password": PASSWORD})
        seen.append(_updated_title(client.get("/apps/srikandi").get_data(as_text=True)))
    assert [s.rsplit(" ", 1)[1] for s in seen] == ["WIB", "WIT", "WITA", "WIB"]


def test_visitors_see_wib(published, client):
    assert _updated_title(client.get("/apps/srikandi").get_data(as_text=True)) == "6 Des 2026 14.05 WIB"
    html = client.get("/apps/srikandi", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _updated_title(html).endswith("PM WIB") and _updated_title(html).startswith("Dec 6, 2026")


def test_the_audit_trail_is_in_the_auditors_zone(published, app, make_user):
    app.test_client_class = IsolatedClient
    client = app.test_client()
    client.post("/login", data={"email": make_user("auditor", "kemenpanrb").email, "password": PASSWORD})
    html = client.get("/reports/audit").get_data(as_text=True)
    times = re.findall(r'<td class="num">\d+</td><td>([^<]+)</td>', html)
    assert times and all(t.endswith(" WIB") for t in times)
    assert "UTC" not in html


def test_a_calendar_day_has_no_time_of_day_in_its_title(app):
    with app.test_request_context("/"), force_locale("id"):
        g.viewer_zone = timezones.WIT
        html = str(format_ago(date(2026, 3, 5)))
    assert 'datetime="2026-03-05"' in html and 'title="5 Mar 2026"' in html
