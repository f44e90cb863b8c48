"""pre-receive hook: keep the default branch, tags and deployed commits safe from pushes, and a
fork within its disk quota.

Run by `catalog-hook pre-receive` (catalog/vcs/hookmain.py) inside git, in a fresh Python at
every push. It imports nothing outside catalog.vcs and the standard library, and on the common
path (no deployed commit to guard) only os, sys and the ref checks: no process, no pathlib,
no subprocess. git runs only when a push may drop a deployed commit."""
from __future__ import annotations

import os
import sys

from .errors import RevisionNotFound
from .hook_messages import _, size
from .hooks import RefUpdate, own_object_bytes, parse_updates, read_protected_commits, read_quota, tree_bytes
from .refs import is_valid_ref_name

# receive-pack puts new objects in a quarantine dir; our git calls must see them too.
_QUARANTINE_VARS = ("GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
                    "GIT_QUARANTINE_PATH")


def _git(repo: str, args: list[str], env: dict, **kwargs):
    from .runner import run_git  # subprocess, threads, dataclasses: only when git must run

    return run_git(args, git_dir=repo, env_extra=env, **kwargs)


def _is_ancestor(repo: str, ancestor: str, descendant: str, env: dict) -> bool:
    result = _git(repo, ["merge-base", "--is-ancestor", "--end-of-options", ancestor, descendant], env,
                  check=False)
    if result.returncode not in (0, 1):
        raise RevisionNotFound(detail=result.stderr.decode("utf-8", "replace")[:500])
    return result.returncode == 0


def _unreachable(repo: str, commits: list[str], tips: list[str], env: dict) -> set[str]:
    """Which of `commits` are not reachable from any of `tips`."""
    lines = [*commits, *(f"^{t}" for t in tips)]
    out = _git(repo, ["rev-list", "--stdin"], env, timeout=60,
               input="".join(f"{x}\n" for x in lines).encode()).text.split()
    return set(commits) & set(out)


def _protected_lost(repo: str, updates: list[RefUpdate], env: dict) -> list[str]:
    protected = read_protected_commits(repo)
    if not protected:
        return []
    check = _git(repo, ["cat-file", "--batch-check"], env,
                 input="".join(f"{p}^{{commit}}\n" for p in protected).encode()).text
    present = [p for p, line in zip(protected, check.splitlines(), strict=True)
               if line.split(" ")[1:2] == ["commit"]]
    if not present:
        return []
    refs: dict[str, str] = {}
    listing = _git(repo, ["for-each-ref", "--format=%(objectname) %(refname)"], env).text
    for line in listing.splitlines():
        sha, _sep, name = line.partition(" ")
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


def _default_branch(repo: str) -> str:
    """The ref HEAD names, read from the file (a git process per push costs ~7 ms of CPU); our
    repositories are bare and HEAD is always symbolic. Falls back to git for anything else."""
    try:
        with open(os.path.join(repo, "HEAD"), encoding="utf-8", errors="strict") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError):
        text = ""
    if text.startswith("ref: ") and text.endswith("\n") and text.count("\n") == 1:
        return text[5:-1]
    return _git(repo, ["symbolic-ref", "--quiet", "HEAD"], {}, check=False).text.strip()


def check_quota(repo: str | os.PathLike[str], env: dict) -> list[str]:
    """Refuse a push whose new objects would take the repository past `catalog.quotaBytes`
    (forks get one when created): the repository's own objects (packs and loose objects, not
    what it borrows from upstream through alternates) plus the push's quarantine. A push that
    brings no object (a deletion, a ref moved to a commit already stored) always passes."""
    quota = read_quota(repo)
    quarantine = env.get("GIT_QUARANTINE_PATH")
    if not quota or not quarantine:
        return []
    incoming = tree_bytes(quarantine)
    if not incoming:
        return []
    used = own_object_bytes(os.path.join(repo, "objects"))
    if used + incoming <= quota:
        return []
    return [_("Ditolak: push ini membuat repositori melebihi kuota disknya. Ukuran sekarang %(used)s, "
              "push ini %(incoming)s, batas %(limit)s. Tidak ada yang disimpan.\n"
              "Keluarkan berkas besar (unggahan, cadangan, dump basis data, hasil build) dari commit "
              "yang belum terkirim,\nmisalnya dengan `git rm --cached <berkas>` lalu `git commit --amend` "
              "(atau `git rebase -i` untuk commit yang lebih lama),\nsimpan berkas itu di luar "
              "repositori, lalu push lagi; atau minta admin katalog menaikkan kuota.",
              used=size(used), incoming=size(incoming), limit=size(quota))]


def check_updates(repo: str | os.PathLike[str], updates: list[RefUpdate], env: dict) -> list[str]:
    """Reasons (in the pusher's language) to refuse the push; empty means accept."""
    repo = os.fspath(repo)
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
        elif guarded and (u.deletes or (not u.creates and not _is_ancestor(repo, u.old, u.new, env))):
            risky = True  # may drop history: check deployed commits below
    if risky and not problems:
        for sha in _protected_lost(repo, updates, env):
            problems.append(_(
                "Ditolak: commit %(sha)s dipakai oleh instalasi yang tercatat dan akan "
                "hilang dari riwayat. Jangan menulis ulang riwayat (force push); "
                "tambahkan commit baru sebagai gantinya.", sha=sha[:12]))
    if not problems:
        problems += check_quota(repo, env)
    return problems


def main() -> int:
    repo = os.path.realpath(os.environ.get("GIT_DIR", "."))
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
