"""A real OpenID Connect provider on loopback for the tests: provider.mjs (npm's oidc-provider,
installed by `make oidc-provider`, which `make test` and `make test-fast` run), plus a browser
stand-in that walks its sign-in page with `requests`."""
from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

HERE = Path(__file__).resolve().parent
CLIENT_ID = "katalog-uji"
CLIENT_SECRET = "rahasia-klien-uji-0123456789"


@dataclass(frozen=True)
class LoopbackIdP:
    issuer: str

    def config(self, **more) -> dict:
        """The catalog's settings for this provider (what CATALOG_OIDC_* set in production)."""
        return {"OIDC_ISSUER": self.issuer, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET,
                "OIDC_TIMEOUT": 10.0, **more}


@contextmanager
def running_idp(workdir: Path, *, redirect_uris: list[str], accounts: dict[str, dict]) -> Iterator[LoopbackIdP]:
    """Start provider.mjs on 127.0.0.1 (a free port) with one client and these accounts (by sub).
    Fails, never skips, when Node or the npm package is missing: CI must install them."""
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("the loopback OpenID provider needs Node.js and `make oidc-provider` (npm ci in tests/oidc)")
    config = workdir / "idp.json"
    config.write_text(json.dumps({"clients": [{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                                               "redirect_uris": redirect_uris}], "accounts": accounts}))
    log = (workdir / "idp.log").open("w")
    proc = subprocess.Popen([node, str(HERE / "provider.mjs"), str(config)], cwd=HERE, stdout=subprocess.PIPE,
                            stderr=log, text=True)
    try:
        line = proc.stdout.readline()
        if not line:
            proc.wait(10)
            pytest.fail(f"the loopback OpenID provider did not start: {(workdir / 'idp.log').read_text()[-2000:]}")
        yield LoopbackIdP(json.loads(line)["issuer"])
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def sign_in_at_idp(authorize_url: str, sub: str, *, browser: requests.Session | None = None) -> str:
    """Follow the catalog's redirect to the provider, fill its sign-in form as `sub`, and follow
    the provider's redirects until they leave it; return that address (the catalog's callback)."""
    browser = browser or requests.Session()
    idp = urlsplit(authorize_url).netloc
    response = browser.get(authorize_url, timeout=10)
    assert response.status_code == 200 and 'name="login"' in response.text, response.text[:500]
    url, method, data = response.url, "POST", {"login": sub, "password": "apa-saja"}
    for _hop in range(10):
        response = browser.request(method, url, data=data, allow_redirects=False, timeout=10)
        assert response.status_code in (302, 303), (response.status_code, response.text[:500])
        url, method, data = urljoin(url, response.headers["Location"]), "GET", None
        if urlsplit(url).netloc != idp:
            return url
    raise AssertionError("the provider kept redirecting")
