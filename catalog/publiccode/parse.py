"""Read publiccode.yml text as YAML 1.2 safely: size, depth, node and alias limits."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import DuplicateKeyError, SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, CollectionStartEvent, DocumentStartEvent

from .types import Issue, ParseResult

MAX_BYTES = 256 * 1024
MAX_DEPTH = 20  # nested mappings/sequences; real files need about 5
MAX_NODES = 50_000
_CORE = "tag:yaml.org,2002:"
ALLOWED_TAGS = frozenset({None, "!"} | {_CORE + t for t in ("str", "int", "float", "bool",
                                                             "null", "map", "seq")})


class _Refused(Exception):
    """The document uses a YAML feature we do not accept; carries the message, already
    translated, without the final full stop (the position, if known, goes before it)."""

    def __init__(self, message: str, mark: Any = None) -> None:
        super().__init__(message)
        self.message = message + _where(mark) + "."


class _GuardedComposer(Composer):
    """Composer that refuses aliases (billion laughs), exotic tags and deep or huge trees.

    Checking while composing keeps one pass over the text and stops before the recursive
    composer and constructor ever see a hostile structure.
    """

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        self.warn_double_anchors = False
        self._depth = 0
        self._nodes = 0
        self.yaml_1_1 = False

    def compose_document(self) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, DocumentStartEvent) and event.version and event.version < (1, 2):
            self.yaml_1_1 = True
        return super().compose_document()

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent):
            raise _Refused(_("Alias YAML (*nama) tidak diizinkan; tulis nilainya secara "
                             "langsung"), event.start_mark)
        if getattr(event, "tag", None) not in ALLOWED_TAGS:
            tag = str(event.tag).replace(_CORE, "!!")
            raise _Refused(_("Tag YAML %(tag)s tidak diizinkan", tag=tag), event.start_mark)
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _Refused(_("Dokumen berisi terlalu banyak elemen: lebih dari %(max)s",
                             max=MAX_NODES))
        nested = isinstance(event, CollectionStartEvent)
        if nested:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _Refused(_("Struktur terlalu dalam: lebih dari %(max)s tingkat",
                                 max=MAX_DEPTH), event.start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            if nested:
                self._depth -= 1


class _TextDates(SafeConstructor):
    """Keeps dates as the text written: YAML 1.2's core schema has no timestamps, and the
    validator then reports a bad date such as 2024-02-30 against its key."""

    def construct_written_int(self, node: Any) -> Any:
        return WrittenInt(self.construct_yaml_int(node), node.value)

    def construct_written_float(self, node: Any) -> Any:
        return WrittenFloat(self.construct_yaml_float(node), node.value)


class WrittenInt(int):
    """A number that reads back as it was written where text was expected: an unquoted phone
    number keeps its leading 0 or +, a name of 36 digits stays 36 characters long."""

    def __new__(cls, value: int, source: str) -> WrittenInt:
        number = super().__new__(cls, value)
        number.source = source
        return number

    def __str__(self) -> str:
        return self.source


class WrittenFloat(float):
    """As WrittenInt, for a version written 1.10 (not 1.1)."""

    def __new__(cls, value: float, source: str) -> WrittenFloat:
        number = super().__new__(cls, value)
        number.source = source
        return number

    def __str__(self) -> str:
        return self.source


_TextDates.add_constructor("tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str)
_TextDates.add_constructor("tag:yaml.org,2002:int", _TextDates.construct_written_int)
_TextDates.add_constructor("tag:yaml.org,2002:float", _TextDates.construct_written_float)


def _where(mark: Any) -> str:
    if mark is None or getattr(mark, "line", None) is None:
        return ""
    return _(" (baris %(line)s, kolom %(column)s)", line=mark.line + 1, column=mark.column + 1)


def _yaml_error_message(exc: YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = str(getattr(exc, "problem", "") or "")
    if isinstance(exc, DuplicateKeyError):
        return _("Kunci yang sama ditulis dua kali dalam satu pemetaan") + _where(mark) + "."
    if "expected a single document" in str(exc):
        return _("Berkas hanya boleh berisi satu dokumen YAML (hapus pemisah '---' tambahan).")
    if "'\\t'" in problem:
        return _("Karakter tab tidak boleh dipakai untuk indentasi YAML") + _where(mark) + "."
    return _("Sintaks YAML tidak valid") + _where(mark) + "."


def _decode(text: str | bytes) -> tuple[str | None, Issue | None]:
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    if len(raw) > MAX_BYTES:
        return None, Issue("", _("Berkas terlalu besar (%(size)s KiB); batasnya %(max)s KiB.",
                                 size=len(raw) // 1024, max=MAX_BYTES // 1024))
    if isinstance(text, str):
        return text.lstrip("\ufeff"), None
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return None, Issue("", _("Berkas harus berenkode UTF-8."))


def parse(text: str | bytes) -> ParseResult:
    """Parse one YAML 1.2 document into plain dicts and lists; never raises on bad input."""
    decoded, problem = _decode(text)
    if problem is not None or decoded is None:
        return ParseResult(None, [problem] if problem else [], [])
    yaml = YAML(typ="safe", pure=True)
    yaml.Composer = _GuardedComposer
    yaml.Constructor = _TextDates
    warnings: list[Issue] = []
    try:
        doc = yaml.load(decoded)
    except _Refused as exc:
        return ParseResult(None, [Issue("", exc.message)], [])
    except (MarkedYAMLError, YAMLError) as exc:
        return ParseResult(None, [Issue("", _yaml_error_message(exc))], [])
    except (TypeError, ValueError, RecursionError):
        # e.g. a mapping used as a key, or an out-of-range date like 2024-02-30 unquoted.
        return ParseResult(None, [Issue("", _("Isi YAML tidak dapat dibaca sebagai data."))], [])
    if getattr(yaml.composer, "yaml_1_1", False):
        warnings.append(Issue("", _("YAML 1.1 sudah usang untuk publiccode.yml; gunakan "
                                    "YAML 1.2.")))
    if doc is None:
        return ParseResult(None, [Issue("", _("Berkas kosong."))], warnings)
    if not isinstance(doc, dict):
        return ParseResult(None, [Issue("", _("Isi berkas harus berupa pemetaan (kunci: nilai) "
                                              "di tingkat teratas."))], warnings)
    return ParseResult(doc, [], warnings)
