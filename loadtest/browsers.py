"""Signed-in browser users: staff of an adopting region and auditors. Each logs in through the real
form (GET /login, the CSRF token from the form, POST /login, the session cookie kept) and then
browses the pages that role uses. Their requests are class `page_signed_in`, one sub-class per page;
the two login requests are class `login`. Signed-in pages never come from the visitors' page cache."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

import requests

from .users import DEPLOYABLE, QUERIES, SLUGS, Record, VirtualUser, new_session

CSRF_FIELD = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
FORK_LINK = re.compile(r'href="/forks/(\d+)"')
DIFF_LINK = re.compile(r'href="(/forks/\d+/diff\?path=[^"]+)"')
RELOGIN = 0.02  # chance per action that the person opens a new browser (new session, new login)
REPORT_TABLES = ("apps", "regions", "adoption", "forks", "lagging", "duplicates")
# Demo auditors (seed/demo.py): one national, one for Kepulauan Riau (province 21).
AUDITORS = (("auditor@menpan.go.id", "auditor-demo-2026"), ("auditor@kepriprov.go.id", "auditor-demo-2026"))
KEPRI_ORGS = ("21.72", "21.01", "21.71")  # in every demo auditor's scope


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    org: str = ""   # Kemendagri code of the account's organization (staff only)


class Browser(VirtualUser):
    """A person in a browser: logs in once (and again now and then), then draws pages from PAGES."""

    kind = "browser"
    PAGES: tuple[tuple[str, int], ...] = ()

    def __init__(self, n: int, base: str, account: Account, record: Record, think: float, seed: int):
        super().__init__(n, base, record, think, seed)
        self.account = account
        self.signed_in = False

    def login(self) -> bool:
        self.http = new_session()  # a new browser: no cookie from before
        form = self.call("login", "GET", "/login", sub="form")
        token = CSRF_FIELD.search(form.text) if form is not None and form.status_code == 200 else None
        if token is None:
            return False
        r = self.call("login", "POST", "/login", sub="submit", allow_redirects=False,
                      data={"csrf_token": token.group(1), "email": self.account.email,
                            "password": self.account.password, "next": ""})
        if r is None:
            return False
        self.signed_in = r.status_code in (302, 303) and "/login" not in r.headers.get("Location", "")
        with self.record.lock:
            self.record.logins["ok" if self.signed_in else "refused"] += 1
        return self.signed_in

    def get(self, page: str, path: str, params: dict | None = None) -> requests.Response | None:
        """One signed-in page; a redirect to /login means the session was lost (noted, then log in again)."""
        r = self.call("page_signed_in", "GET", path, sub=page, params=params, allow_redirects=False)
        if r is not None and r.is_redirect and "/login" in r.headers.get("Location", ""):
            self.signed_in = False
            with self.record.lock:
                self.record.sessions_lost.append(f"{self.account.email} {path}")
        return r

    def act(self) -> None:
        if not self.signed_in or self.rng.random() < RELOGIN:
            self.login()
            return
        names = [name for name, _ in self.PAGES]
        getattr(self, f"page_{self.rng.choices(names, [w for _, w in self.PAGES])[0]}")()

    # -- pages every signed-in person uses ---------------------------------------------------
    def page_home(self) -> None:
        self.get("home", "/")

    def page_apps(self) -> None:
        self.get("apps", "/apps", params={"page": self.rng.randint(1, 2)})

    def page_search(self) -> None:
        self.get("search", "/apps", params={"q": self.rng.choice(QUERIES)})

    def page_app(self) -> None:
        self.get("app", f"/apps/{self.rng.choice(SLUGS)}")

    def page_deployments(self) -> None:
        self.get("deployments", "/deployments")


class StaffBrowser(Browser):
    """IT staff of an adopting kab/kota: finds apps, reads the adoption guide, looks at the region's
    forks and their diff, "Aplikasi di daerah saya", deployments and the record form, notifications."""

    kind = "staff"
    PAGES = (("home", 6), ("apps", 6), ("search", 12), ("app", 12), ("adoption", 8), ("fork", 10),
             ("fork_diff", 8), ("my_region", 12), ("deployments", 8), ("deployment_form", 6),
             ("notifications", 8))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen_forks: set[int] = set()  # fork links seen on "Aplikasi di daerah saya"
        self.diff_links: set[str] = set()  # changed-file links seen on fork pages

    def _fork_ids(self) -> list[int]:
        with self.record.lock:
            made = list(self.record.forks_by_org.get(self.account.org, ()))
        return sorted(self.seen_forks.union(made))

    def page_adoption(self) -> None:
        self.get("adoption", f"/apps/{self.rng.choice(SLUGS)}/adopsi")

    def page_my_region(self) -> None:
        r = self.get("my_region", "/my/region")
        if r is not None and r.status_code == 200:
            self.seen_forks.update(int(x) for x in FORK_LINK.findall(r.text))

    def page_fork(self) -> None:
        forks = self._fork_ids()
        if not forks:
            return self.page_my_region()
        r = self.get("fork", f"/forks/{self.rng.choice(forks)}")
        if r is not None and r.status_code == 200:
            self.diff_links.update(html.unescape(link) for link in DIFF_LINK.findall(r.text))

    def page_fork_diff(self) -> None:
        """A changed file's diff, as linked from a fork page (needs `?path=`; a fork page first if none seen)."""
        if not self.diff_links:
            return self.page_fork()
        self.get("fork_diff", self.rng.choice(sorted(self.diff_links)))

    def page_deployment_form(self) -> None:
        self.get("deployment_form", "/deployments", params={"new_app": self.rng.choice(list(DEPLOYABLE))})

    def page_notifications(self) -> None:
        self.get("notifications", "/notifications")


class AuditorBrowser(Browser):
    """An auditor (Inspektorat, KemenPANRB): the reuse dashboard, CSV exports, SPBE evidence of a
    region, the audit trail, deployments and the catalog itself."""

    kind = "auditor"
    PAGES = (("home", 4), ("apps", 4), ("search", 8), ("app", 8), ("deployments", 10), ("reports", 20),
             ("report_csv", 16), ("evidence", 8), ("evidence_csv", 8), ("audit", 8))

    def page_reports(self) -> None:
        self.get("reports", "/reports")

    def page_report_csv(self) -> None:
        self.get("report_csv", f"/reports/tables/{self.rng.choice(REPORT_TABLES)}.csv")

    def page_evidence(self) -> None:
        self.get("evidence", f"/reports/evidence/{self.rng.choice(KEPRI_ORGS)}")

    def page_evidence_csv(self) -> None:
        self.get("evidence_csv", f"/reports/evidence/{self.rng.choice(KEPRI_ORGS)}.csv")

    def page_audit(self) -> None:
        self.get("audit", "/reports/audit")
