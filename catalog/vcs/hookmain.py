"""`catalog-hook`: the one entry point our receive hooks call (a console script of the project).

Our pre-receive script starts it in one of two ways (catalog/vcs/hooks.py):

- as this file, `<python> -I -S <…>/catalog/vcs/hookmain.py pre-receive`, when the web process
  named its Python and this file (git config it passes to pushes). No `site`, so no venv
  site-packages and no editable-install finder (≈ 12 ms of CPU per push): the block at the end
  registers `catalog` and `catalog.vcs` as bare packages over their folders beside this file
  (their `__init__` modules import pathlib, typing and importlib, which the hook never needs)
  and imports this module again under its package name. `-I` keeps this folder off sys.path
  (it holds `http.py`, `env.py`, …, which would shadow the standard library);
- as the `catalog-hook` console script of the install, named by CATALOG_HOOK (the fallback).
"""
from __future__ import annotations

import sys

USAGE = "usage: catalog-hook pre-receive  (run by git inside a push the catalog serves)"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["pre-receive"]:
        from .prereceive import main as pre_receive

        return pre_receive()
    print(USAGE, file=sys.stderr)
    return 2


def _bootstrap() -> int:
    """Started as a file without site: import the package from the folders beside this file."""
    import os

    vcs_dir = os.path.dirname(os.path.abspath(__file__))
    for name, folder in (("catalog", os.path.dirname(vcs_dir)), ("catalog.vcs", vcs_dir)):
        if name not in sys.modules:
            package = type(sys)(name)
            package.__path__ = [folder]
            package.__package__ = name
            sys.modules[name] = package
    from catalog.vcs.hookmain import main as packaged_main  # this file, as a module of its package

    return packaged_main()


if __name__ == "__main__":
    sys.exit(_bootstrap() if not __package__ else main())
