"""SPDX licence expressions: the catalog's one parser, over the SPDX licence and exception lists.

`license-expression` ships both lists (offline), so `MIT WITH Bison-exception-2.2` is valid and a
licence after WITH, an exception used alone or an unknown id are refused. `LicenseRef-…` ids
(locally defined licences, SPDX annex D) are valid wherever a licence may stand: this module is
the one place that knows them.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# A locally defined licence, optionally from another SPDX document.
LICENSE_REF = re.compile(r"(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]{1,60}")
# The catalog's own ones, spelled this way whatever case they are typed in.
OWN_REFS = ("LicenseRef-Proprietary", "LicenseRef-Pemerintah")
_OWN = {ref.lower(): ref for ref in OWN_REFS}
_REF_ANY_CASE = re.compile(LICENSE_REF.pattern, re.I)
_TOKEN = re.compile(r"\(|\)|[A-Za-z0-9.:+-]+")
_OPERATORS = ("AND", "OR", "WITH")
_PLACEHOLDER = "MIT"  # stands for a LicenseRef while the library checks the expression's shape


@lru_cache(maxsize=1)
def _licensing() -> Any:
    from license_expression import get_spdx_licensing  # loads the lists once, on first use
    return get_spdx_licensing()


@lru_cache(maxsize=4096)
def _spelling(token: str) -> str | None:
    """The list's spelling of one id ('gpl-3.0+' → 'GPL-3.0-or-later'); unknown ids pass through
    and are refused by the strict validation of the whole expression."""
    try:
        return str(_licensing().parse(token).render())
    except Exception:  # noqa: BLE001 - the library raises bare errors on some malformed input
        return None


def _ref(token: str) -> str:
    """A LicenseRef with its prefixes spelled the SPDX way; the catalog's own ones in full."""
    if token.lower() in _OWN:
        return _OWN[token.lower()]
    head, _, name = token.rpartition(":")
    ref = "LicenseRef-" + name[len("LicenseRef-"):]
    return f"DocumentRef-{head[len('DocumentRef-'):]}:{ref}" if head else ref


@lru_cache(maxsize=1024)
def normalize_spdx(expression: Any) -> str | None:
    """The canonical spelling of an SPDX expression, or None when it is not a valid one.

    Ids take the lists' spelling (deprecated ones their successor: `GPL-3.0+` →
    `GPL-3.0-or-later`), operators upper case, the writer's grouping is kept.
    """
    if not isinstance(expression, str):
        return None
    tokens = _TOKEN.findall(expression)
    if not tokens or "".join(tokens) != re.sub(r"\s+", "", expression):
        return None
    out, probe = [], []
    for token in tokens:
        if token in ("(", ")") or token.upper() in _OPERATORS:
            out.append(token.upper())
            probe.append(token.upper())
        elif _REF_ANY_CASE.fullmatch(token):
            out.append(_ref(token))
            probe.append(_PLACEHOLDER)
        else:
            spelled = _spelling(token)
            if spelled is None:
                return None
            out.append(spelled)
            probe.append(token)
    try:
        info = _licensing().validate(" ".join(probe), strict=True)
    except Exception:  # noqa: BLE001 - as above
        return None
    if info.errors or not info.normalized_expression:
        return None
    return " ".join(out).replace("( ", "(").replace(" )", ")")
