"""A copy of the run's seeded demo (seed/demo_copy.py, tests/demo_template.py) is a catalog of its
own: nothing in it names the template, its forks borrow from its own mirrors, and fsck and
audit-verify find it whole, as they find a freshly seeded one."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import pytest

from seed.demo_copy import copy_demo_data
from tests.demo_template import ROOT, demo_env

pytestmark = pytest.mark.slow  # the demo seed, once per run


def _flask(data: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=demo_env(data),
                          capture_output=True, text=True, timeout=300)


def test_a_copy_names_nothing_of_the_template_and_is_whole(demo_template: Path, tmp_path: Path):
    copy = copy_demo_data(demo_template, tmp_path / "salinan")
    with closing(sqlite3.connect(copy / "catalog.sqlite3")) as conn:
        urls = [u for row in conn.execute("SELECT repo_url, local_repo_url FROM app") for u in row if u]
    local = [u for u in urls if u.startswith("/")]
    assert local and all(u.startswith(f"{copy}/demo-sources/") and Path(u).is_dir() for u in local), local

    needle = str(demo_template).encode()
    files = [p for p in copy.rglob("*") if p.is_file()]
    assert [p for p in files if needle in p.read_bytes()] == []
    alternates = [p for p in files if p.parts[-3:] == ("objects", "info", "alternates")]
    assert alternates  # the demo's regional copies
    for path in alternates:
        borrowed = (path.parent.parent / path.read_text().strip()).resolve()
        assert borrowed.is_dir() and borrowed.is_relative_to(copy / "repos"), (path, borrowed)

    with ThreadPoolExecutor(2) as pool:  # both only read the copy
        verifying = pool.submit(_flask, copy, "catalog", "audit-verify")
        fsck = _flask(copy, "catalog", "fsck", "--min-age", "0")
        verified = verifying.result()
    assert fsck.returncode == 0 and "agree" in fsck.stdout, fsck.stdout + fsck.stderr
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_copying_twice_gives_two_catalogs_that_share_nothing(demo_template: Path, tmp_path: Path):
    first = copy_demo_data(demo_template, tmp_path / "satu")
    second = copy_demo_data(demo_template, tmp_path / "dua")
    with closing(sqlite3.connect(second / "catalog.sqlite3")) as conn:
        urls = [u for (u,) in conn.execute("SELECT repo_url FROM app") if u.startswith("/")]
    assert urls and not any(str(first) in u for u in urls)
    with pytest.raises(FileExistsError):  # never over an existing data dir
        copy_demo_data(demo_template, first)
