"""Every test builds a fresh app, and werkzeug parses each of the ~180 URL rules of every app
into regular-expression parts and compiles a Python function (through `ast` and `compile`) to
build its URLs: about 20 ms of the 23 ms `create_app` costs, some 25 s of CPU per
`make test-fast`. Both depend only on the rule's text, its map's settings and converters, its
defaults and whether unknown arguments are appended, so tests do each once per process and reuse
it (each app still gets converters of its own map); production builds its app once and is left
alone."""
from __future__ import annotations

from werkzeug.routing.rules import Rule

_compile = Rule.compile
_compile_builder = Rule._compile_builder
_builders: dict[tuple, object] = {}
_parsed: dict[tuple, tuple] = {}


def _memoized_builder(self: Rule, append_unknown: bool = True):
    defaults = self.defaults or {}
    key = (self.rule, tuple(self._trace), append_unknown,
           tuple(sorted((name, type(self._converters.get(name)).__name__, repr(value))
                        for name, value in defaults.items())))
    builder = _builders.get(key)
    if builder is None:
        builder = _builders[key] = _compile_builder(self, append_unknown)
    return builder


def _memoized_compile(self: Rule) -> None:
    """Rule.compile, its parse reused: the parts (read-only), the trace, the argument names and
    how each converter was asked for, so that this map's own converters are made again."""
    domain = (self.host if self.map.host_matching else self.subdomain) or ""
    key = (domain, self.rule, self.merge_slashes, self.map.host_matching, tuple(self.map.converters.items()))
    parsed = _parsed.get(key)
    if parsed is None:
        asked: list[tuple] = []
        get_converter = self.get_converter

        def recording(variable, name, args, kwargs):
            asked.append((variable, name, args, dict(kwargs)))
            return get_converter(variable, name, args, kwargs)

        before = set(self.arguments)
        self.get_converter = recording
        try:
            _compile(self)
        finally:
            del self.get_converter
        _parsed[key] = (tuple(self._parts), tuple(self._trace), tuple(asked), frozenset(self.arguments - before))
        return
    parts, trace, asked, arguments = parsed
    self._parts = list(parts)
    self._trace = list(trace)
    self._converters = {variable: self.get_converter(variable, name, args, kwargs)
                        for variable, name, args, kwargs in asked}
    self.arguments.update(arguments)
    self._build = self._compile_builder(False).__get__(self, None)
    self._build_unknown = self._compile_builder(True).__get__(self, None)


def install() -> None:
    Rule._compile_builder = _memoized_builder
    Rule.compile = _memoized_compile
