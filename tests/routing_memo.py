"""Every test builds a fresh app, and werkzeug compiles a Python function (through `ast` and
`compile`) for each of the ~180 URL rules of every app: about 20 ms of the 23 ms `create_app`
costs, some 25 s of CPU per `make test-fast`. The functions depend only on the rule's text, its
defaults and whether unknown arguments are appended, so tests compile each one once per process
and reuse it; production builds its app once and is left alone."""
from __future__ import annotations

from werkzeug.routing.rules import Rule

_compile = Rule._compile_builder
_builders: dict[tuple, object] = {}


def _memoized_builder(self: Rule, append_unknown: bool = True):
    defaults = self.defaults or {}
    key = (self.rule, tuple(self._trace), append_unknown,
           tuple(sorted((name, type(self._converters.get(name)).__name__, repr(value))
                        for name, value in defaults.items())))
    builder = _builders.get(key)
    if builder is None:
        builder = _builders[key] = _compile(self, append_unknown)
    return builder


def install() -> None:
    Rule._compile_builder = _memoized_builder
