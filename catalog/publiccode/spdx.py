"""SPDX licence expressions parsed against the SPDX licence and exception lists (offline).

`license-expression` ships both lists, so `MIT WITH Bison-exception-2.2` reads as valid and a
licence used after WITH, an exception used alone or an unknown id are refused. The catalog's
own `LicenseRef-…` ids (catalog.vocab.apps.normalize_spdx) stay valid wherever a licence may
stand.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ..vocab import apps as catalog_vocab

_REF = re.compile(r"(?<![\w.:+-])(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+"
                  r"(?![\w.:+-])")
_PLACEHOLDER = "MIT"  # a plain licence: a LicenseRef may stand where a licence stands


@lru_cache(maxsize=1)
def _licensing() -> Any:
    from license_expression import get_spdx_licensing  # loads the lists once, on first use
    return get_spdx_licensing()


@lru_cache(maxsize=512)
def normalize(expression: str) -> str | None:
    """The canonical spelling of an SPDX expression, or None when it is not a valid one."""
    if not isinstance(expression, str) or not expression.strip():
        return None
    simple = catalog_vocab.normalize_spdx(expression)
    if simple is not None and "WITH" not in simple.split():
        return simple
    refs = _REF.findall(expression)
    probe = _REF.sub(_PLACEHOLDER, expression) if refs else expression
    try:
        info = _licensing().validate(probe, strict=True)
    except Exception:  # noqa: BLE001 - the library raises bare errors on some malformed input
        return None
    if info.errors or not info.normalized_expression:
        return None
    if refs:  # keep the expression as written, spaced the SPDX way
        return " ".join(expression.split())
    return str(info.normalized_expression)
