"""The English catalog covers every translatable text, and the compiled .mo matches the .po."""
from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from catalog.vocab import apps as vocab
from catalog.vocab import deployments as deployment_vocab

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "catalog" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
METHODS = [("catalog/**.py", "python"), ("templates/**.html", "jinja2")]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _msgids() -> set[str | tuple[str, str]]:
    """Every msgid the source marks, as `pybabel extract -F babel.cfg -k _l -k N_` finds them; a
    plural text (ngettext) as its (singular, plural) pair, as messages.po keys it."""
    ids: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS):
        if isinstance(message, tuple) and all(message):
            ids.add(message)
        elif message and not isinstance(message, tuple):
            ids.add(message)
    return ids


def _english() -> dict:
    """msgid -> msgstr of every translated entry; a plural entry as (msgid, msgid_plural) ->
    (msgstr[0], msgstr[1]), kept only when every form is translated."""
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    return {m.id: m.string for m in catalog if m.id and not m.fuzzy
            and (all(m.string) if m.pluralizable else m.string)}


@pytest.mark.slow  # extracts every marked text from the tree with pybabel: ~13 s
def test_every_marked_text_has_an_english_translation():
    ids, english = _msgids(), _english()
    assert len(ids) > 600  # templates, flash messages, service errors, labels
    missing = sorted(i for i in ids if i not in english)
    assert not missing, f"{len(missing)} texts lack English (run the commands in babel.cfg): {missing[:20]}"


def test_translations_keep_their_placeholders():
    for msgid, msgstr in _english().items():
        # a plural entry: every form keeps the placeholders of the plural msgid
        wanted = PLACEHOLDER.findall(msgid[-1] if isinstance(msgid, tuple) else msgid)
        for form in msgstr if isinstance(msgstr, tuple) else (msgstr,):
            assert sorted(wanted) == sorted(PLACEHOLDER.findall(form)), msgid
            assert "%" not in PLACEHOLDER.sub("", form.replace("%%", "")), msgid  # templates %-format every text


def test_plural_entries_have_both_english_forms():
    with PO.open("rb") as fh:
        plural = {m.id: m.string for m in read_po(fh) if m.pluralizable}
    assert len(plural) >= 10  # counts shown in pages use ngettext
    assert all(len(forms) == 2 and all(forms) for forms in plural.values()), plural


def test_compiled_catalog_matches_the_po_file():
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    assert not catalog.fuzzy  # `pybabel compile` skips a catalog whose header is fuzzy
    fresh = io.BytesIO()
    write_mo(fresh, catalog)
    fresh.seek(0)
    expected = gettext.GNUTranslations(fresh)
    with MO.open("rb") as fh:
        committed = gettext.GNUTranslations(fh)
    for msgid in _english():
        if isinstance(msgid, tuple):  # both English forms (Plural-Forms: n != 1)
            for n in (1, 2):
                assert committed.ngettext(*msgid, n) == expected.ngettext(*msgid, n), f"stale messages.mo for {msgid!r}"
        else:
            assert committed.gettext(msgid) == expected.gettext(msgid), f"stale messages.mo for {msgid!r}"


def test_vocabulary_labels_are_in_the_catalog():
    english = _english()
    labels = [*vocab.CATEGORY_LABELS.values(), *vocab.DEVELOPMENT_STATUS_LABELS.values(),
              *vocab.MAINTENANCE_LABELS.values()]
    labels += [v for table in (deployment_vocab.STATUS_LABELS, deployment_vocab.ENVIRONMENT_LABELS,
                               deployment_vocab.HOSTING_LABELS, deployment_vocab.EVENT_LABELS,
                               deployment_vocab.FIELD_LABELS, deployment_vocab.ROLE_LABELS) for v in table.values()]
    assert [label for label in labels if label not in english] == []


VISIBLE_ATTRS = re.compile(r'\b(?:title|alt|aria-label|placeholder)="([^"]*)"')
NOT_WORDS = {"API", "README", "publiccode.yml", "zip", "tar.gz", "Commit", "CSV", "JSON", "UTC"}


def test_templates_show_no_text_outside_the_catalog():
    """Visible text in a template is either inside _() or not words (codes, examples, product names)."""
    leftovers = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        for pattern in (r"\{#.*?#\}", r"\{%.*?%\}", r"\{\{.*?\}\}", r"<(script|style)\b.*?</\1>"):
            source = re.sub(pattern, " ", source, flags=re.S)
        attrs = [a for a in VISIBLE_ATTRS.findall(source) if " " in a]  # one-word placeholders are examples
        for chunk in [*re.sub(r"<[^>]*>", " ", source).split("\n"), *attrs]:
            words = [w for w in re.findall(r"[A-Za-z][A-Za-z.\-]{2,}", chunk) if w not in NOT_WORDS]
            if words:
                leftovers.append(f"{path.relative_to(ROOT)}: {chunk.strip()[:80]}")
    assert leftovers == []
