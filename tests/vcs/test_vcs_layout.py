"""Repository config: set_config writes what `git config KEY VALUE` would, read back by git itself."""
from __future__ import annotations

from pathlib import Path

import pytest

from catalog.vcs.errors import VcsError
from catalog.vcs.layout import FORK_CONFIG, MIRROR_CONFIG, set_config
from tests.vcs.gitlib import git, init_bare


def get_all(repo: Path, key: str) -> list[str]:
    return git("config", "--get-all", key, git_dir=repo).splitlines()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return init_bare(tmp_path / "r.git")


def test_every_key_of_the_mirror_and_fork_settings_reads_back_once(repo: Path):
    set_config(repo, {**MIRROR_CONFIG, **FORK_CONFIG})
    for key, value in {**MIRROR_CONFIG, **FORK_CONFIG}.items():
        assert get_all(repo, key) == [value], key
    assert git("config", "--bool", "core.bare", git_dir=repo).strip() == "true"  # git's own keys kept
    assert not (repo / "config.lock").exists()


@pytest.mark.parametrize("value", ['say "halo"', "back\\slash", "a;b # not a comment", " padded ", "tab\there",
                                   "two\nlines", "", "ünïcode"])
def test_values_git_must_quote_read_back_unchanged(repo: Path, value: str):
    set_config(repo, {"catalog.note": value})
    out = git("config", "-z", "--get-all", "catalog.note", git_dir=repo)
    assert out.split("\0")[:-1] == [value]


def test_a_subsection_key_lands_in_its_quoted_section(repo: Path):
    set_config(repo, {'remote.a "b\\c.url': "https://example.go.id/x.git"})
    assert get_all(repo, 'remote.a "b\\c.url') == ["https://example.go.id/x.git"]
    assert git("config", "--get-regexp", "^remote\\.", git_dir=repo).startswith('remote.a "b\\c.url ')


def test_setting_again_changes_a_value_and_never_duplicates_a_key(repo: Path):
    set_config(repo, MIRROR_CONFIG)
    before = (repo / "config").read_text()
    set_config(repo, MIRROR_CONFIG)  # a refresh sets the same values: the file is left as it was
    assert (repo / "config").read_text() == before
    set_config(repo, {"gc.auto": "5", "gc.pruneExpire": "never"})
    assert get_all(repo, "gc.auto") == ["5"] and get_all(repo, "gc.pruneExpire") == ["never"]


def test_a_key_held_several_times_is_refused_as_git_config_refuses_it(repo: Path):
    git("config", "--add", "catalog.many", "1", git_dir=repo)
    git("config", "--add", "catalog.many", "2", git_dir=repo)
    with pytest.raises(VcsError):
        set_config(repo, {"catalog.many": "3"})
    assert get_all(repo, "catalog.many") == ["1", "2"]


@pytest.mark.parametrize("key", ["nodot", "gc.", ".auto", "gc.9lives", "gc.auto_x", "bad section.key",
                                 "remote.two\nlines.url"])
def test_a_key_git_would_refuse_is_refused_and_nothing_written(repo: Path, key: str):
    before = (repo / "config").read_bytes()
    with pytest.raises(ValueError):
        set_config(repo, {key: "1"})
    assert (repo / "config").read_bytes() == before


def test_a_nul_byte_in_a_value_is_refused_and_nothing_written(repo: Path):
    before = (repo / "config").read_bytes()
    with pytest.raises(ValueError):
        set_config(repo, {"catalog.note": "a\0b"})
    assert (repo / "config").read_bytes() == before and not (repo / "config.lock").exists()


def test_a_config_being_written_by_another_process_is_left_alone(repo: Path):
    (repo / "config.lock").write_text("[core]\n")  # what `git config` holds while it writes
    before = (repo / "config").read_bytes()
    with pytest.raises(VcsError):
        set_config(repo, {"catalog.note": "x"})
    assert (repo / "config").read_bytes() == before and (repo / "config.lock").exists()


def test_a_config_git_cannot_read_is_not_replaced(repo: Path):
    with open(repo / "config", "a") as fh:
        fh.write("[broken\n")
    before = (repo / "config").read_bytes()
    with pytest.raises(VcsError):
        set_config(repo, {"catalog.note": "x"})
    assert (repo / "config").read_bytes() == before and not (repo / "config.lock").exists()
