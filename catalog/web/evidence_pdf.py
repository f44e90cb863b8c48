"""The SPBE evidence as a PDF file (issue 15, item 10): the page itself laid out by WeasyPrint
with the same A4 print stylesheet a browser uses, so the file and a printout agree. Offline by
construction: the catalog's own static files are read from the app, nothing else is fetched.

WeasyPrint is imported when a PDF is asked for, not with the app: it loads Debian's pango when
imported, and a server without it must still start and serve everything else (the page then says
how to print to PDF from the browser instead)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import gettext as _

from ..services.errors import ServiceError
from .static_assets import read_static

STATIC_PREFIX = "/static/"


class PdfUnavailable(ServiceError):
    code, status = "pdf_unavailable", 503


def _static_only_fetcher():
    """Answers /static/ paths from the app's files; any other address is refused (WeasyPrint
    then leaves that resource out), so a page can never make the server fetch from the network."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url: str, headers=None) -> URLFetcherResponse:
            path = urlsplit(url).path
            asset = read_static(path[len(STATIC_PREFIX):]) if path.startswith(STATIC_PREFIX) else None
            if asset is None:
                raise ValueError(f"not fetched when printing: {url}")
            return URLFetcherResponse(url, body=asset.body, headers={"Content-Type": asset.mimetype})

    return StaticOnly()


def render_pdf(page_html: str, page_url: str) -> bytes:
    """The rendered page (print media) as PDF bytes; page_url resolves its relative links."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: pango is not installed on this server
        raise PdfUnavailable(_("Unduhan PDF belum tersedia di server ini. Gunakan Cetak di peramban lalu "
                               "pilih Simpan sebagai PDF: hasilnya sama (A4).")) from exc
    return HTML(string=page_html, base_url=page_url, url_fetcher=_static_only_fetcher()).write_pdf()
