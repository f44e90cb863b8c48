"""Indonesian and English analyzers, plus the whole-name keys used for fuzzy name matching."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from whoosh.analysis import (
    Analyzer,
    StandardAnalyzer,
    StemmingAnalyzer,
    Token,
    Tokenizer,
)

from .lexicon import STEM_OVERRIDES, STOPWORDS

_stemmer: Any = None
_build_lock = threading.Lock()
_stem_lock = threading.Lock()
_PLAIN_WORD = re.compile(r"[a-z]{4,}")
# Sastrawi returns a word unchanged unless it starts or ends with an affix (infixes aside,
# which it over-applies: kinerja -> kerja); skipping the rest saves ~70% of its slow calls.
_AFFIXED = re.compile(r"^(?:di|ke|se|be|te|me|pe)|(?:i|an|kan|lah|kah|tah|pun|ku|mu|nya)$")
_WORD = re.compile(r"\w+(?:\.?\w+)*")
MIN_TOKEN, MAX_TOKEN = 2, 60
_CAMEL_SPLIT = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_NON_ALNUM = re.compile(r"[\W_]+")


def _sastrawi() -> Any:
    """Build Sastrawi once per process, on first use: loading its dictionary is slow."""
    global _stemmer
    if _stemmer is None:
        with _build_lock:
            if _stemmer is None:
                from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

                cached = StemmerFactory().create_stemmer()
                # Its own cache never evicts; ours below is bounded.
                _stemmer = getattr(cached, "delegatedStemmer", cached)
    return _stemmer


@lru_cache(maxsize=200_000)
def _sastrawi_stem(word: str) -> str:
    stemmer = _sastrawi()
    with _stem_lock:
        stemmed = stemmer.stem(word)
    return stemmed if stemmed and " " not in stemmed else word


def stem_id(word: str) -> str:
    """Stem one lowercased Indonesian token; non-words (codes, numbers) pass through."""
    override = STEM_OVERRIDES.get(word)
    if override is not None:
        return override
    if not _PLAIN_WORD.fullmatch(word) or not _AFFIXED.search(word):
        return word
    return _sastrawi_stem(word)


class IndonesianTokenizer(Tokenizer):
    """Tokenize, lowercase, drop stopwords and stem in one pass.

    One generator instead of Whoosh's tokenizer-plus-three-filters chain: analysis is a large
    share of a 27,000-app rebuild. Picklable, because the index stores its schema.
    """

    def __init__(self, stem: bool = True) -> None:
        self.stem = stem

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IndonesianTokenizer) and other.stem == self.stem

    def __hash__(self) -> int:
        return hash((type(self), self.stem))

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        stem = stem_id if self.stem else str
        pos = start_pos
        matches = _WORD.finditer(value) if tokenize else [re.match(r".*", value, re.S)]
        for match in matches:
            original = match.group() if match else ""
            word = original.lower()
            if not MIN_TOKEN <= len(word) <= MAX_TOKEN or word in STOPWORDS:
                continue
            token.text, token.boost, token.stopped = stem(word), 1.0, False
            if keeporiginal:
                token.original = original
            if positions:
                token.pos = pos
                pos += 1
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


def indonesian_analyzer(stem: bool = True) -> Analyzer:
    """Tokens, lowercase, Indonesian stopwords, then Sastrawi (``stem=False`` for baselines)."""
    return IndonesianTokenizer(stem=stem)


def english_analyzer(stem: bool = True) -> Analyzer:
    return StemmingAnalyzer() if stem else StandardAnalyzer()


def name_key(text: str) -> str:
    """Lowercase alphanumerics only, so 'SP4N-LAPOR!' and 'sp4n lapor' meet as 'sp4nlapor'."""
    return _NON_ALNUM.sub("", text.lower())


def name_keys(name: str, slug: str = "") -> set[str]:
    """Whole-name, hyphen-part and CamelCase-part keys: OpenSID -> opensid, open, sid."""
    keys = {name_key(name), name_key(slug)}
    for source in (name, slug):
        for part in _NON_ALNUM.split(source):
            keys.add(part.lower())
            keys.update(piece.lower() for piece in _CAMEL_SPLIT.findall(part))
    return {key for key in keys if len(key) >= 2}
