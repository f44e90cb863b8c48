"""`catalog-hook`: the one entry point our receive hooks call (a console script of the project)."""
from __future__ import annotations

import sys
from collections.abc import Sequence

from .prereceive import main as pre_receive

USAGE = "usage: catalog-hook pre-receive  (run by git inside a push the catalog serves)"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["pre-receive"]:
        return pre_receive()
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
