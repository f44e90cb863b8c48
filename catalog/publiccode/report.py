"""The reader's verdict on a file as text lines in the reference validator's style.

`publiccode.yml:12: error: maintenance.contacts[0].email: <message>`: the line is where the key
is written, or its nearest written parent for a missing key; problems of the whole file carry
no key (and the YAML position, when known, is in the message).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from . import load
from .types import Issue

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@dataclass(frozen=True)
class Verdict:
    valid: bool
    lines: list[str]
    errors: int = 0
    warnings: int = 0


def verdict(name: str, text: str | bytes) -> Verdict:
    """Every error and warning of the file, errors first, each with its line."""
    loaded = load(text)
    lines_of = _locator(text) if (loaded.errors or loaded.warnings) else None
    out = []
    for kind, issues in (("error", loaded.errors), ("warning", loaded.warnings)):
        for issue in issues:
            out.append(_line(name, kind, issue, lines_of))
    return Verdict(loaded.ok, out, len(loaded.errors), len(loaded.warnings))


def _line(name: str, kind: str, issue: Issue, lines_of: Any) -> str:
    if not issue.path:
        return f"{name}: {kind}: {issue.message}"
    line = lines_of(issue.path) if lines_of else None
    where = f"{name}:{line}" if line else name
    return f"{where}: {kind}: {issue.path}: {issue.message}"


def _locator(text: str | bytes) -> Any:
    """A function from key path to 1-based line, or None when the text has no positions.

    Only called after the reader accepted the text as YAML (size, depth and alias limits), so
    the round-trip load here sees a document already known to be tame.
    """
    try:
        raw = text.decode("utf-8-sig") if isinstance(text, bytes) else text.lstrip("\ufeff")
        doc = YAML(typ="rt", pure=True).load(raw)
    except (YAMLError, UnicodeDecodeError, ValueError, TypeError):
        return None
    if not hasattr(doc, "lc"):
        return None

    def line_of(path: str) -> int | None:
        node, line = doc, None
        for key, index in _STEP.findall(path):
            step: Any = int(index) if index else key
            try:
                if isinstance(step, int):
                    line = node.lc.item(step)[0] + 1
                else:
                    line = node.lc.key(step)[0] + 1
                node = node[step]
            except (AttributeError, KeyError, IndexError, TypeError):
                break
        return line

    return line_of
