"""Text made of an Indonesian template and its parts, kept where only text fits (report tables
cached for every language, their CSV, the API) yet shown in the reader's language on a page.

A `Phrase` IS its Indonesian text (a str), so a CSV, a JSON answer or a comparison sees nothing
new; the web layer's `translate` reads `msgid` and `params` and renders it in the reader's
language. Parameters that are themselves phrases (labels such as "penerbit") are translated too;
plain strings (names, dates) are kept as they are.
"""
from __future__ import annotations

from typing import Any


class Phrase(str):
    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Phrase:
        self = super().__new__(cls, msgid % params if params else msgid)
        self.msgid, self.params = msgid, params
        return self

    def render(self, gettext) -> str:
        """This text through `gettext` (the reader's catalog), parts included."""
        parts = {k: v.render(gettext) if isinstance(v, Phrase) else v for k, v in self.params.items()}
        text = gettext(self.msgid)
        return text % parts if parts else text

    @classmethod
    def joined(cls, separator: str, phrases: list[Phrase]) -> Phrase:
        """Phrases side by side ("Terpantau + Dikonfirmasi"), each translated on its own."""
        keys = [f"p{i}" for i in range(len(phrases))]
        return cls(separator.join(f"%({k})s" for k in keys), **dict(zip(keys, phrases, strict=True)))
