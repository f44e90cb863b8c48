"""The SPBE evidence as a PDF file (issue 15, item 10): the page itself laid out by WeasyPrint
with the same A4 print stylesheet a browser uses, so the file and a printout agree. Offline by
construction: the catalog's own static files are read from the app, nothing else is fetched."""
from __future__ import annotations

from urllib.parse import urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .static_assets import read_static

STATIC_PREFIX = "/static/"


class StaticOnly(URLFetcher):
    """Answers /static/ paths from the app's files; any other address is refused (WeasyPrint
    then leaves that resource out), so a page can never make the server fetch from the network."""

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        path = urlsplit(url).path
        asset = read_static(path[len(STATIC_PREFIX):]) if path.startswith(STATIC_PREFIX) else None
        if asset is None:
            raise ValueError(f"not fetched when printing: {url}")
        return URLFetcherResponse(url, body=asset.body, headers={"Content-Type": asset.mimetype})


def render_pdf(page_html: str, page_url: str) -> bytes:
    """The rendered page (print media) as PDF bytes; page_url resolves its relative links."""
    return HTML(string=page_html, base_url=page_url, url_fetcher=StaticOnly()).write_pdf()
