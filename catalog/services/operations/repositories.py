"""The repositories of a backup: one bundle per repository, mirrors first, then forks.

Why bundles and not a copy of each directory: see catalog/vcs/bundle.py. Per repository the
backup keeps its bundle (or, for a fork with no object of its own, only its refs), the branch
HEAD names, its git `config` (the settings mirrors and forks rely on, a fork's disk quota) and
a fork's protected-commits file. Hooks are not kept: the restore writes this install's.

Mirrors go first because each fork's bundle leaves out what the mirrors' bundles already hold
(their refs are the fork bundle's prerequisites); a fork synced after its mirror was bundled
carries the newer upstream objects in its own bundle.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from ... import vcs
from ...vcs import bundle as git_bundle
from .. import repo_paths
from .database import RepoRow
from .manifest import BackupError, inside

REPOS = "repos"


def _files(relpath: str) -> dict[str, str]:
    base = f"{REPOS}/{relpath}"
    return {"bundle": f"{base}.bundle", "config": f"{base}.config", "protected": f"{base}.protected-commits"}


def _alternate(path: Path) -> Path | None:
    """The objects directory a fork borrows from (its alternates' first line), resolved."""
    try:
        lines = (path / "objects" / "info" / "alternates").read_text().split()
    except FileNotFoundError:
        return None
    return (path / "objects" / lines[0]).resolve() if lines else None


def back_up(root: Path, rows: list[RepoRow]) -> tuple[list[dict[str, Any]], list[str]]:
    """Bundle each repository the dumped database names; returns the manifest's entries and
    the files written. A row whose repository is not on disk (a mirror not fetched yet) is
    recorded as such; fsck judges it after a restore as it would have before."""
    entries: list[dict[str, Any]] = []
    written: list[str] = []
    mirror_refs: dict[int, dict[str, str]] = {}
    mirror_paths: dict[int, str] = {}
    for row in sorted(rows, key=lambda r: (r.kind != "mirror", r.relpath)):
        path = repo_paths.absolute(row.relpath)
        entry: dict[str, Any] = {"kind": row.kind, "relpath": row.relpath, "app_id": row.app_id}
        entries.append(entry)
        if not (path / "HEAD").is_file():
            entry["present"] = False
            continue
        entry["present"] = True
        files = _files(row.relpath)
        (root / files["bundle"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path / "config", root / files["config"])
        entry["config"] = files["config"]
        written.append(files["config"])
        entry["head"] = git_bundle.symbolic_head(path)
        prerequisites: list[str] = []
        if row.kind == "fork":
            if (path / vcs.hooks.PROTECTED_FILE).exists():
                # Before the bundle: every commit listed is in the repository now, and
                # pre-receive keeps it reachable, so the bundle below holds it.
                shutil.copyfile(path / vcs.hooks.PROTECTED_FILE, root / files["protected"])
                entry["protected"] = files["protected"]
                written.append(files["protected"])
            entry["mirror"] = _fork_mirror(path, row, mirror_paths)
            if entry["mirror"] is not None:  # it borrows: leave out what the mirror's bundle holds
                prerequisites = sorted(set(mirror_refs.get(row.app_id, {}).values()))
        entry["refs"], entry["bundle"] = _bundle(path, root, files["bundle"], prerequisites)
        if entry["bundle"]:
            written.append(entry["bundle"])
        entry["prerequisites"] = len(prerequisites)
        if row.kind == "mirror":
            mirror_refs[row.app_id] = entry["refs"]
            mirror_paths[row.app_id] = row.relpath
    return entries, written


def _bundle(path: Path, root: Path, name: str, prerequisites: list[str]) -> tuple[dict[str, str], str | None]:
    """(refs, bundle file or None). The refs are one snapshot in both cases: read by `git bundle
    create` itself, or — when nothing is of the repository's own — read once and checked to be
    covered by the prerequisites. A push landing between the two checks makes us try again."""
    for _attempt in range(5):
        refs = git_bundle.list_refs(path)
        if git_bundle.covered(path, refs, prerequisites):
            return refs, None
        bundled = git_bundle.create_bundle(path, root / name, prerequisites=prerequisites)
        if bundled is not None:
            return bundled, name
    raise BackupError(f"{path.name}: refs kept changing while being bundled")


def _fork_mirror(path: Path, row: RepoRow, mirror_paths: dict[int, str]) -> str | None:
    """The relpath of the mirror the fork borrows from: its app's mirror, checked against the
    fork's alternates file (a mismatch is a backup error, not something to copy silently)."""
    expected = mirror_paths.get(row.app_id)
    borrowed = _alternate(path)
    if borrowed is None:
        return None
    if expected is None or borrowed != (repo_paths.absolute(expected) / "objects").resolve():
        raise BackupError(f"fork {row.relpath}: borrows objects from {borrowed}, not from its app's mirror")
    return expected


def check_bundles(root: Path, entries: list[dict[str, Any]], scratch: Path) -> list[str]:
    """Problems found by applying each mirror bundle to a scratch repository under `scratch`
    and verifying each fork bundle against it (the prerequisites must be there)."""
    problems: list[str] = []
    for entry in sorted(entries, key=lambda e: (e["kind"] != "mirror", e["relpath"])):
        if not entry.get("present"):
            continue
        repo = scratch / entry["relpath"]
        try:
            _build(root, entry, repo, scratch)
        except (BackupError, vcs.VcsError) as exc:
            problems.append(f"{entry.get('bundle') or entry['relpath']}: {_why(exc)}")
    return problems


def _why(exc: Exception) -> str:
    detail = getattr(exc, "detail", "")
    return f"{exc.args[0] if isinstance(exc, BackupError) else 'git refused it'}" + (
        f" ({detail.strip()[-500:]})" if detail else "")


def _build(root: Path, entry: dict[str, Any], repo: Path, repos_root: Path) -> None:
    """Make the repository of `entry` at `repo` (a path that must not exist yet), reading the
    mirror it borrows from under `repos_root`. Raises BackupError, VcsError."""
    with vcs.fsutil.staged(repo) as tmp:
        vcs.layout.init_bare(tmp)
        if entry.get("config"):
            shutil.copyfile(inside(root, entry["config"]), tmp / "config")
        if entry["kind"] == "fork" and entry.get("mirror"):
            mirror_objects = (repos_root / entry["mirror"] / "objects").resolve()
            if not mirror_objects.is_dir():
                raise BackupError(f"the mirror {entry['mirror']} it borrows from was not restored")
            # tmp and repo share a parent, so the relative path stays right after the rename.
            (tmp / "objects" / "info").mkdir(parents=True, exist_ok=True)
            (tmp / "objects" / "info" / "alternates").write_text(
                os.path.relpath(mirror_objects, tmp / "objects") + "\n")
        refs: dict[str, str] = entry.get("refs") or {}
        if entry.get("bundle"):
            bundle = inside(root, entry["bundle"])
            git_bundle.verify_bundle(tmp, bundle)
            git_bundle.fetch_bundle(tmp, bundle)
        else:
            missing = git_bundle.missing_objects(tmp, refs.values())
            if missing:
                raise BackupError(f"{len(missing)} commits of its refs are not in its mirror ({missing[0]})")
            git_bundle.write_refs(tmp, refs)
        now = git_bundle.list_refs(tmp)
        if now != refs:
            raise BackupError("refs after restore differ from the manifest")
        head = entry.get("head")
        if head and head in refs:
            vcs.layout.set_head(tmp, head.removeprefix("refs/heads/"))
        if entry.get("protected"):
            shutil.copyfile(inside(root, entry["protected"]), tmp / vcs.hooks.PROTECTED_FILE)


def restore(root: Path, entries: list[dict[str, Any]]) -> int:
    """Recreate every repository of the backup under REPOS_DIR: mirrors (with their commit-graph),
    then forks (alternates to the restored mirror, this install's receive hooks). Returns how
    many were restored. Raises BackupError, VcsError."""
    repos_root = repo_paths.repos_root()
    count = 0
    for entry in sorted(entries, key=lambda e: (e["kind"] != "mirror", e["relpath"])):
        if not entry.get("present"):
            continue
        repo = repo_paths.absolute(entry["relpath"])
        try:
            _build(root, entry, repo, repos_root)
        except (BackupError, vcs.VcsError) as exc:
            raise BackupError(f"{entry['kind']} {entry['relpath']}: {_why(exc)}") from None
        if entry["kind"] == "mirror":
            vcs.layout.write_commit_graph(repo)
        else:
            vcs.install_hooks(repo)
        count += 1
    return count
