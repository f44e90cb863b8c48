"""Result types of the publiccode.yml reader: issues, parse results and load results."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Issue:
    """One problem against a key path such as `maintenance.contractors[0].until` ('' = file)."""

    path: str
    message: str


@dataclass(frozen=True)
class ParseResult:
    doc: dict[str, Any] | None
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.doc is not None and not self.errors


@dataclass(frozen=True)
class Loaded:
    """Catalog fields (app_fields.EDITABLE keys) and extras; both empty when there are errors."""

    fields: dict[str, Any]
    extras: dict[str, Any]
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class Report:
    """Collects errors and warnings while a document is checked, so every problem is returned."""

    def __init__(self) -> None:
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(Issue(path, message))

    def warn(self, path: str, message: str) -> None:
        self.warnings.append(Issue(path, message))


def child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def item(path: str, index: int) -> str:
    return f"{path}[{index}]"
