"""What reading one fork costs: its API entry (polled after every push) and its page are the
fork's own row with its app's name and slug, not the full app with its publisher and platforms."""
from __future__ import annotations

from sqlalchemy import event

from catalog.extensions import db
from catalog.services.repos import forks


def _statements_during(call) -> tuple[object, list[str]]:
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        return call(), seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def test_a_forks_api_entry_is_one_statement_and_names_its_province(published_app, make_user, client):
    """Kota Pekanbaru's copy of Kepulauan Riau's app: the province in `org.parent` (Riau) is not
    the app's publisher, so nothing else in the request has loaded it."""
    fork_id = forks.create_fork("simanja", actor=make_user("adopter", "14.71")).id
    answer, statements = _statements_during(lambda: client.get(f"/api/v1/forks/{fork_id}"))
    assert answer.status_code == 200
    body = answer.json
    assert body["app"] == "simanja" and body["org"] == {"code": "14.71", "name": "Kota Pekanbaru", "kind": "city",
                                                        "slug": "kota-pekanbaru", "parent": "14"}
    assert [s.split()[0] for s in statements] == ["SELECT"]


def test_the_fork_page_and_a_diff_show_the_apps_name_from_the_forks_own_statement(published_app, make_user, client):
    fork_id = forks.create_fork("simanja", actor=make_user("adopter", "14.71")).id
    page, statements = _statements_during(lambda: client.get(f"/forks/{fork_id}"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Simanja — Kota Pekanbaru" in html and 'href="/apps/simanja"' in html
    assert not any(s.startswith("SELECT") and " FROM app " in s for s in statements)
    diff, statements = _statements_during(
        lambda: client.get(f"/forks/{fork_id}/diff", query_string={"path": "README.md"}))
    assert diff.status_code == 200 and "Simanja — Kota Pekanbaru" in diff.get_data(as_text=True)
    assert not any(s.startswith("SELECT") and " FROM app " in s for s in statements)
    assert client.get("/api/v1/forks/999999").status_code == 404 and client.get("/forks/0").status_code == 404
