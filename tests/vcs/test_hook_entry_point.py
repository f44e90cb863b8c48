"""`catalog-hook`: installed with the project, found beside the running Python, starts without Flask."""
from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

from catalog.vcs import hooks
from catalog.vcs.refs import ZERO_SHA
from tests.vcs.gitlib import git

HEAVY = ("flask", "werkzeug", "jinja2", "sqlalchemy", "flask_sqlalchemy", "flask_babel")


def test_entry_point_is_the_installed_console_script():
    """`make install` installs the project; its [project.scripts] entry is what the server runs."""
    declared = importlib.metadata.entry_points(group="console_scripts", name=hooks.ENTRY_POINT)
    assert [e.value for e in declared] == ["catalog.vcs.hookmain:main"]
    found = hooks.entry_point()
    assert found is not None and found.parent == Path(sys.executable).parent


def test_hook_imports_no_web_framework():
    code = "import sys, catalog.vcs.hookmain; print(' '.join(sorted(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            timeout=60, env={"PATH": "/usr/bin:/bin"}).stdout.split()
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]


def test_pre_receive_through_the_entry_point_refuses_and_answers_in_the_pushers_language(fork: Path):
    head = git("rev-parse", "refs/heads/main", git_dir=fork).strip()
    result = subprocess.run([str(hooks.entry_point()), "pre-receive"], input=f"{head} {ZERO_SHA} refs/heads/main\n",
                            capture_output=True, text=True, timeout=60, check=False,
                            env={"PATH": "/usr/bin:/bin", "GIT_DIR": str(fork), "CATALOG_LOCALE": "en"})
    assert result.returncode == 1
    assert "Refused: the default branch 'main' must not be deleted." in result.stderr


def test_unknown_subcommand_is_a_usage_error():
    result = subprocess.run([str(hooks.entry_point()), "post-update"], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 2 and "usage: catalog-hook" in result.stderr
