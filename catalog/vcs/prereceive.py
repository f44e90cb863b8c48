"""pre-receive hook: keep the default branch, tags and deployed commits safe from pushes.

Run by `catalog-hook pre-receive` (catalog/vcs/hookmain.py) inside git; it imports nothing
outside catalog.vcs and the standard library, so a push waits for no web framework."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from .hook_messages import _
from .hooks import RefUpdate, parse_updates, read_protected_commits
from .refs import is_valid_ref_name
from .repos import is_ancestor
from .runner import run_git

# receive-pack puts new objects in a quarantine dir; our git calls must see them too.
_QUARANTINE_VARS = ("GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
                    "GIT_QUARANTINE_PATH")


def _unreachable(repo: Path, commits: list[str], tips: list[str], env: dict) -> set[str]:
    """Which of `commits` are not reachable from any of `tips`."""
    lines = [*commits, *(f"^{t}" for t in tips)]
    out = run_git(["rev-list", "--stdin"], git_dir=repo, env_extra=env, timeout=60,
                  input="".join(f"{x}\n" for x in lines).encode()).text.split()
    return set(commits) & set(out)


def _protected_lost(repo: Path, updates: list[RefUpdate], env: dict) -> list[str]:
    protected = read_protected_commits(repo)
    if not protected:
        return []
    check = run_git(["cat-file", "--batch-check"], git_dir=repo, env_extra=env,
                    input="".join(f"{p}^{{commit}}\n" for p in protected).encode()).text
    present = [p for p, line in zip(protected, check.splitlines(), strict=True)
               if line.split(" ")[1:2] == ["commit"]]
    if not present:
        return []
    refs: dict[str, str] = {}
    listing = run_git(["for-each-ref", "--format=%(objectname) %(refname)"], git_dir=repo,
                      env_extra=env).text
    for line in listing.splitlines():
        sha, _, name = line.partition(" ")
        refs[name] = sha
    old_tips = list(refs.values())
    for u in updates:
        if u.deletes:
            refs.pop(u.ref, None)
        else:
            refs[u.ref] = u.new
    before = _unreachable(repo, present, old_tips, env) if old_tips else set(present)
    lost = _unreachable(repo, present, list(refs.values()), env) - before
    return sorted(lost)


def _default_branch(repo: Path) -> str:
    """The ref HEAD names, read from the file (a git process per push costs ~7 ms of CPU); our
    repositories are bare and HEAD is always symbolic. Falls back to git for anything else."""
    try:
        text = (repo / "HEAD").read_text(encoding="utf-8", errors="strict")
    except (OSError, UnicodeDecodeError):
        text = ""
    if text.startswith("ref: ") and text.endswith("\n") and text.count("\n") == 1:
        return text[5:-1]
    return run_git(["symbolic-ref", "--quiet", "HEAD"], git_dir=repo, check=False).text.strip()


def check_updates(repo: Path, updates: list[RefUpdate], env: dict) -> list[str]:
    """Reasons (in the pusher's language) to refuse the push; empty means accept."""
    head = _default_branch(repo)
    guarded = bool(read_protected_commits(repo))  # without deployed commits, history may be rewritten
    problems: list[str] = []
    risky = False
    for u in updates:
        name = u.ref.split("/", 2)[-1]
        if not is_valid_ref_name(u.ref) or not u.ref.startswith(("refs/heads/", "refs/tags/")):
            problems.append(_("Ditolak %(ref)s: hanya cabang dan tag yang boleh dikirim.", ref=u.ref))
        elif u.deletes and u.ref == head:
            problems.append(_("Ditolak: cabang utama '%(name)s' tidak boleh dihapus.", name=name))
        elif u.ref.startswith("refs/tags/") and u.deletes:
            problems.append(_("Ditolak: tag '%(name)s' tidak boleh dihapus; rilis bersifat tetap.", name=name))
        elif u.ref.startswith("refs/tags/") and not u.creates:
            problems.append(_("Ditolak: tag '%(name)s' sudah ada dan tidak boleh diubah.", name=name))
        elif guarded and (u.deletes or (not u.creates and not is_ancestor(repo, u.old, u.new, env=env))):
            risky = True  # may drop history: check deployed commits below
    if risky and not problems:
        for sha in _protected_lost(repo, updates, env):
            problems.append(_(
                "Ditolak: commit %(sha)s dipakai oleh instalasi yang tercatat dan akan "
                "hilang dari riwayat. Jangan menulis ulang riwayat (force push); "
                "tambahkan commit baru sebagai gantinya.", sha=sha[:12]))
    return problems


def main() -> int:
    repo = Path(os.environ.get("GIT_DIR", ".")).resolve()
    env = {k: os.environ[k] for k in _QUARANTINE_VARS if k in os.environ}
    try:
        updates = parse_updates(sys.stdin.read(), strict=True)
        problems = check_updates(repo, updates, env)
    except Exception as exc:  # refuse rather than let an unchecked push through
        problems = [_("Ditolak: pemeriksaan push gagal (%(error)s). Coba lagi nanti.", error=type(exc).__name__)]
    for line in problems:
        print(line, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":  # hooks written before `catalog-hook` run this module until fsck --repair
    sys.exit(main())
