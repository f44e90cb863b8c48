"""A unified diff split into lines a page can mark: added and removed lines get a colour, a
visible sign (+ or −) and words for screen readers, so that colour is never the only cue."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class DiffLine:
    kind: str  # added | removed | hunk | header | context
    sign: str  # what the reader sees before the text: "+", "−" (minus sign) or nothing
    text: str  # the line without git's own one-character prefix for added, removed and context


def diff_lines(text: str) -> Iterator[DiffLine]:
    """Lines of `text` (escaped by the template). File headers ("--- a/x", "+++ b/x") are not
    changes, though they start like them; they come before the first hunk."""
    in_hunk = False
    for line in text.splitlines():
        if line.startswith("diff --git"):
            in_hunk = False
            yield DiffLine("header", "", line)
        elif line.startswith("@@"):
            in_hunk = True
            yield DiffLine("hunk", "", line)
        elif not in_hunk or line.startswith("\\"):
            yield DiffLine("header", "", line)
        elif line.startswith("+"):
            yield DiffLine("added", "+", line[1:])
        elif line.startswith("-"):
            yield DiffLine("removed", "\u2212", line[1:])
        else:
            yield DiffLine("context", " ", line[1:] if line.startswith(" ") else line)
