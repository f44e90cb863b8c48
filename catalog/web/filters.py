"""Template helpers: sanitized Markdown, translated labels, dates and numbers in the page's locale,
permission checks for buttons."""
from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

import markdown as md
import nh3
from flask import Flask, request
from flask_babel import format_date as babel_date
from flask_babel import format_datetime as babel_datetime
from flask_babel import format_number as babel_number
from flask_babel import format_timedelta, get_locale
from markupsafe import Markup

from ..services import permissions
from ..vocab import apps as vocab
from ..vocab import deployments as deployment_vocab
from .i18n import LANGUAGE_NAMES, LANGUAGES, translate
from .links import clone_url

ALLOWED_TAGS = {"p", "br", "hr", "h2", "h3", "h4", "h5", "ul", "ol", "li", "strong", "em", "code",
                "pre", "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td"}


def render_markdown(text: str) -> Markup:
    """Markdown to HTML, then sanitized: raw HTML in an entry can never run script."""
    html = md.markdown(text or "", extensions=["tables", "fenced_code"], output_format="html")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}},
                      url_schemes={"http", "https", "mailto"}, link_rel="nofollow noopener noreferrer")
    return Markup(clean)


def format_date(value, with_time: bool = False) -> str:
    """'5 Mar 2026' / 'Mar 5, 2026'; with the time (UTC, as stored) when asked."""
    if value is None:
        return "—"
    if with_time and isinstance(value, datetime):
        return babel_datetime(value, "medium") + " UTC"
    return babel_date(value, "medium")


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def format_ago(value) -> Markup:
    """A relative time ('3 jam yang lalu' / '3 hours ago') in a <time> with the exact moment."""
    if value is None:
        return Markup("—")
    if not isinstance(value, datetime):
        value = datetime.combine(value, datetime.min.time())
    value = _aware(value)
    delta = value - datetime.now(UTC)
    text = format_timedelta(delta, add_direction=True, threshold=0.9)
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        value.isoformat(timespec="seconds"), format_date(value, with_time=True), text)


def format_number(value) -> str:
    if value is None:
        return "—"
    return babel_number(value)


def query_string(*parts) -> str:
    """'?q=arsip&category=hr' from mappings (None values dropped), encoded as url_for does it.

    A list page links every facet value (up to 72 links); one url_for for the path plus this
    is a tenth of the cost of a url_for per link."""
    items = [(k, v) for part in parts for k, v in part.items() if v is not None]
    return "?" + urlencode(items, safe="!$'()*,/:;?@") if items else ""


def _locale() -> str:
    return str(get_locale() or "id")


def register(app: Flask) -> None:
    env = app.jinja_env
    env.filters["markdown"] = render_markdown
    env.filters["date"] = format_date
    env.filters["ago"] = format_ago
    env.filters["number"] = format_number
    env.filters["tr"] = translate
    env.filters["category_label"] = lambda key: translate(vocab.category_label(key))
    env.globals.update(
        can=permissions, vocab=vocab, clone_url=clone_url, current_locale=_locale, query_string=query_string,
        languages=LANGUAGES, language_names=LANGUAGE_NAMES,
        status_label=lambda s: translate(vocab.DEVELOPMENT_STATUS_LABELS.get(s, s)),
        maintenance_label=lambda s: translate(vocab.MAINTENANCE_LABELS.get(s, s)),
        dv_label=lambda kind, value: translate(getattr(deployment_vocab, kind)(value)),
        current_path=lambda: request.full_path.rstrip("?") if request else "/",
    )
