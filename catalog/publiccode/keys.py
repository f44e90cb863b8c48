"""Walk the document's keys: non-text keys are errors; unknown, deprecated and too-new keys warn."""
from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _

from . import vocab
from .types import Report, child, item

_COUNTRY_RE = re.compile(r"^[A-Za-z]{2}$")


def check_keys(doc: dict, version: vocab.Version, r: Report) -> None:
    _walk(doc, vocab.SCHEMA, "", "", version, r)


def _walk(value: Any, schema: Any, path: str, pattern: str, version: vocab.Version,
          r: Report) -> None:
    if isinstance(schema, list) and isinstance(value, list):
        for i, v in enumerate(value):
            _walk(v, schema[0], item(path, i), pattern + "[]", version, r)
        return
    if not isinstance(schema, dict) or not isinstance(value, dict):
        return  # leaves and type mismatches are the value checks' business
    for key, sub in value.items():
        if not isinstance(key, str):
            r.error(child(path, str(key)), _("Kunci harus berupa teks."))
            continue
        key_path = child(path, key)
        if "*" in schema:
            _walk(sub, schema["*"], key_path, child(pattern, "*"), version, r)
            continue
        if key not in schema:
            _unknown(key, key_path, pattern, r)
            continue
        key_pattern = child(pattern, key)
        _deprecated(key_pattern, key_path, version, r)
        since = vocab.SINCE.get(key_pattern)
        if since and version < since:
            r.warn(key_path, _("Kunci ini baru ada sejak versi %(version)s; naikkan "
                               "publiccodeYmlVersion.", version=f"{since[0]}.{since[1]}"))
        _walk(sub, schema[key], key_path, key_pattern, version, r)


def _unknown(key: str, path: str, pattern: str, r: Report) -> None:
    if not pattern and key.lower() == "it":  # `It`, `iT`: the reference refuses them
        r.error(path, _("Tulis bagian khusus Italia sebagai `IT`."))
    elif not pattern and _COUNTRY_RE.match(key):
        r.warn(path, _("Bagian khusus negara ini tidak dikenal dan diabaikan."))
    else:
        r.warn(path, _("Kunci tidak dikenal dalam standar publiccode.yml dan diabaikan."))


def _deprecated(pattern: str, path: str, version: vocab.Version, r: Report) -> None:
    if pattern == "it" and version >= (0, 7):
        pattern = "IT"  # the whole country section is deprecated from 0.7, whatever its case
    found = vocab.DEPRECATED.get(pattern)
    if found and version >= found[0]:
        r.warn(path, _(found[1]))  # marked with N_ in vocab, translated here
