"""Every paged list of the site answers any page number a person types (or a link carries): a
page past the end, a negative number, text, or a number longer than the database's integers
(which answered 500 on the notifications and people lists), through real requests."""
from __future__ import annotations

import pytest

PAGED = ["/apps", "/apps/srikandi/salinan", "/deployments", "/notifications", "/admin/review", "/admin/people",
         "/organizations/21.72", "/reports/audit"]


@pytest.mark.parametrize("path", PAGED)
def test_a_typed_page_number_never_breaks_a_list(client, make_user, login, path):
    login(make_user("admin", "komdigi"))
    for typed in ("99999999999999999999999", "1000001", "-1", "0", "dua", "2"):
        r = client.get(path, query_string={"page": typed, "forks_page": typed})
        assert r.status_code in (200, 404), (path, typed, r.status_code)  # 404: no app "srikandi" here
