"""CSV export of report tables, with the same cell text the screen shows."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

# A spreadsheet runs a cell that starts like a formula; text from users must never do that.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: Any) -> str:
    """How a report cell reads, on screen and in the CSV alike."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value  # a Phrase stays one, for the page to show it in the reader's language
    return str(value)


def _safe(value: Any) -> str:
    text = cell_text(value)
    if isinstance(value, str) and text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """UTF-8 text with a BOM (so spreadsheet programs read Indonesian names correctly)."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([str(h) for h in headers])
    for row in rows:
        writer.writerow([_safe(v) for v in row])
    return buf.getvalue()
