"""Template helpers: sanitized Markdown, translated labels (lists sorted by them), dates and numbers
in the page's locale, times in the viewer's zone (WIB, WITA, WIT), permission checks for buttons."""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import markdown as md
import nh3
from babel import dates as babel_dates
from flask import Flask, request, url_for
from flask_babel import format_number as babel_number
from flask_babel import format_timedelta, get_locale
from markupsafe import Markup

from ..services import permissions
from ..vocab import apps as vocab
from ..vocab import audit as audit_vocab
from ..vocab import deployments as deployment_vocab
from ..vocab import timezones
from .i18n import LANGUAGE_NAMES, LANGUAGES, translate, viewer_zone
from .links import clone_url

ALLOWED_TAGS = {"p", "br", "hr", "h2", "h3", "h4", "h5", "ul", "ol", "li", "strong", "em", "code",
                "pre", "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td"}


def render_markdown(text: str) -> Markup:
    """Markdown to HTML, then sanitized: raw HTML in an entry can never run script."""
    html = md.markdown(text or "", extensions=["tables", "fenced_code"], output_format="html")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}},
                      url_schemes={"http", "https", "mailto"}, link_rel="nofollow noopener noreferrer")
    return Markup(clean)


def local_time(value: datetime) -> datetime:
    """A stored moment (UTC; naive means UTC) in the viewer's zone."""
    return _aware(value).astimezone(ZoneInfo(viewer_zone()))


def format_date(value, with_time: bool = False) -> str:
    """'5 Mar 2026' / 'Mar 5, 2026'; a moment's date is the one in the viewer's zone. With the time,
    the zone is named: '5 Mar 2026 21.30 WIB' / 'Mar 5, 2026, 9:30 PM WIB'."""
    if value is None:
        return "—"
    locale = _locale()
    if isinstance(value, datetime):
        value = local_time(value)
        if with_time:
            date_text = babel_dates.format_date(value, "medium", locale=locale)
            time_text = babel_dates.format_time(value, "short", tzinfo=value.tzinfo, locale=locale)
            pattern = babel_dates.get_datetime_format("medium", locale=locale)
            text = pattern.replace("{1}", date_text).replace("{0}", time_text)
            return f"{text} {timezones.zone_abbreviation(viewer_zone())}"
        value = value.date()
    return babel_dates.format_date(value, "medium", locale=locale)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def format_ago(value) -> Markup:
    """A relative time ('3 jam yang lalu' / '3 hours ago') in a <time> whose title is the moment in
    the viewer's zone; the machine-readable datetime stays UTC."""
    if value is None:
        return Markup("—")
    if not isinstance(value, datetime):  # a calendar day: no time of day, no zone
        text = format_timedelta(datetime.combine(value, datetime.min.time(), UTC) - datetime.now(UTC),
                                add_direction=True, threshold=0.9)
        return Markup('<time datetime="{}" title="{}">{}</time>').format(value.isoformat(), format_date(value), text)
    value = _aware(value)
    delta = value - datetime.now(UTC)
    text = format_timedelta(delta, add_direction=True, threshold=0.9)
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        value.astimezone(UTC).isoformat(timespec="seconds"), format_date(value, with_time=True), text)


def report_cell(value: Any) -> Any:
    """A report cell as shown and exported: a moment as '2026-12-06 14:05 WIB' in the viewer's zone
    (sortable, and the same on screen and in the CSV), anything else as it is."""
    if isinstance(value, datetime):
        return f"{local_time(value):%Y-%m-%d %H:%M} {timezones.zone_abbreviation(viewer_zone())}"
    return value


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


def collation_key(text: str) -> str:
    """Sort key of a label: accents and case ignored, as people expect an index to read."""
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if not unicodedata.combining(c)).casefold()


def by_label(items: Iterable[Any], label: Callable[[Any], str] | str = "label") -> list[Any]:
    """Items sorted by their label in the page's language: `label` names an attribute holding the
    Indonesian label, or maps an item to it (the label is translated before sorting)."""
    get = label if callable(label) else (lambda item: getattr(item, label))
    return sorted(items, key=lambda item: collation_key(translate(get(item))))


def categories_by_label() -> list[str]:
    """Every category key, in the order of its label in the page's language (the app form)."""
    return by_label(vocab.CATEGORIES, vocab.category_label)


def license_label(expression: str | None) -> str:
    """'LicenseRef-Pemerintah' → 'Lisensi pemerintah (khusus)'; SPDX ids as they are."""
    return "".join(translate(text) if is_label else text for text, is_label in vocab.license_parts(expression or ""))


AUDIT_LINKS = {"app": ("ui.app_detail", "slug"), "fork": ("ui.fork_detail", "fork_id"),
               "deployment": ("ui.deployment_detail", "deployment_id")}


def audit_object(row) -> Markup:
    """What an audit event is about, readable: 'Pemakaian: Simanja · Kota Tanjung Pinang', linked
    to its page while it exists; 'Token akses: #4' where the object has no name."""
    event = row.event
    kind = translate(audit_vocab.object_label(event.object_type))
    if row.object_name is None:
        shown = event.object_id if event.object_type == "app" else f"#{event.object_id}"
        return Markup("{}: {}").format(kind, shown)
    text = Markup("{}: {}").format(kind, row.object_name)
    link = AUDIT_LINKS.get(event.object_type)
    if link is None:
        return text
    endpoint, arg = link
    value = event.object_id if arg == "slug" else int(event.object_id)
    return Markup('<a href="{}">{}</a>').format(url_for(endpoint, **{arg: value}), text)


def register(app: Flask) -> None:
    env = app.jinja_env
    env.filters["markdown"] = render_markdown
    env.filters["date"] = format_date
    env.filters["ago"] = format_ago
    env.filters["number"] = format_number
    env.filters["tr"] = translate
    env.filters["category_label"] = lambda key: translate(vocab.category_label(key))
    env.filters["software_type_label"] = lambda key: translate(vocab.software_type_label(key))
    env.filters["license_label"] = license_label
    env.filters["by_label"] = by_label
    env.globals.update(
        can=permissions, vocab=vocab, clone_url=clone_url, current_locale=_locale, query_string=query_string,
        languages=LANGUAGES, language_names=LANGUAGE_NAMES,
        status_label=lambda s: translate(vocab.DEVELOPMENT_STATUS_LABELS.get(s, s)),
        maintenance_label=lambda s: translate(vocab.MAINTENANCE_LABELS.get(s, s)),
        dv_label=lambda kind, value: translate(getattr(deployment_vocab, kind)(value)),
        current_path=lambda: request.full_path.rstrip("?") if request else "/",
        categories_by_label=categories_by_label,
        audit_action_label=lambda action: translate(audit_vocab.action_label(action)),
        audit_object=audit_object,
    )
