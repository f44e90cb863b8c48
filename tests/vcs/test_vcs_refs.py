"""Revision and path validation keeps user text out of option and expression positions."""
from __future__ import annotations

import pytest

from catalog.vcs import RevisionNotFound, validate_rev
from catalog.vcs.refs import is_valid_ref_name, validate_branch, validate_tree_path


@pytest.mark.parametrize("rev", ["abcd", "a" * 40, "main", "v1.2.0", "fitur/laporan-2024",
                                 "refs/heads/main", "HEAD", "rilis_1"])
def test_valid_revisions_pass(rev):
    assert validate_rev(rev) == rev


@pytest.mark.parametrize("rev", ["", "-x", "--upload-pack=evil", "main..dev", "a:b", "main~1",
                                 "main^", "ma?n", "a*", "x[1]", "a\\b", "main@{1}", "@",
                                 "x.lock", "a/.b", "/main", "main/", "main.", "a//b",
                                 "a b", "a\nb", "a\x00b", "x" * 201])
def test_unsafe_revisions_refused(rev):
    with pytest.raises(RevisionNotFound):
        validate_rev(rev)


def test_branch_must_be_short_name():
    assert validate_branch("main") == "main"
    for bad in ("refs/heads/main", "HEAD", "-f"):
        with pytest.raises(RevisionNotFound):
            validate_branch(bad)


def test_tree_paths_normalised_and_dotdot_refused():
    assert validate_tree_path("/docs/a.md") == "docs/a.md"
    assert validate_tree_path("") == ""
    for bad in ("../etc/passwd", "a/../b", "a/./b", "a\nb"):
        with pytest.raises(RevisionNotFound):
            validate_tree_path(bad)


def test_ref_name_rules_match_git_check_ref_format():
    import subprocess
    names = ["main", "a..b", "a.lock", "a/.x", "a@{b", "ok/nested", "a b", "a:b", "-a", "a."]
    for name in names:
        git_ok = subprocess.run(["git", "check-ref-format", "--allow-onelevel", name],
                                capture_output=True).returncode == 0
        assert is_valid_ref_name(name) == (git_ok and not name.startswith("-")), name
