"""Small real git repositories for the demo apps, so the demo works offline."""
from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from catalog.vcs.runner import run_git

AUTHOR = "Tim Pengembang <tim@katalog.go.id>"
BASE_TIME = int(datetime(2024, 1, 8, 9, 0, tzinfo=UTC).timestamp())


def _publiccode(spec: dict) -> str:
    features = "\n".join(f"        - {f}" for f in spec.get("features", []))
    return (
        "publiccodeYmlVersion: '0.4'\n"
        f"name: {spec['name']}\n"
        f"url: https://git.example.go.id/{spec['slug']}.git\n"
        f"softwareVersion: {spec['releases'][-1].lstrip('v')}\n"
        "platforms:\n" + "".join(f"  - {p}\n" for p in spec.get("platforms", ["web"])) +
        f"categories:\n  - {spec['category']}\n"
        f"developmentStatus: {spec['development_status']}\n"
        "softwareType: standalone/web\n"
        "description:\n  id:\n"
        f"    shortDescription: {spec['short_description_id']!r}\n"
        f"    features:\n{features}\n"
        f"legal:\n  license: {spec['license']}\n"
        f"maintenance:\n  type: {spec.get('maintenance_type', 'internal')}\n"
        "localisation:\n  localisationReady: true\n  availableLanguages:\n    - id\n"
    )


def _files_for(spec: dict, step: int) -> dict[str, str]:
    readme = (f"# {spec['name']}\n\n{spec['short_description_id']}\n\n## Instalasi\n\n"
              "1. Siapkan server dengan PHP 8.1 dan MariaDB 10.6.\n2. Salin berkas `.env.contoh` menjadi `.env`.\n"
              f"3. Jalankan migrasi basis data.\n\nRilis: {', '.join(spec['releases'][:step + 1])}\n")
    files = {"README.md": readme, "publiccode.yml": _publiccode(spec),
             ".env.contoh": "DB_HOST=127.0.0.1\nDB_NAME=app\n",
             "src/index.php": f"<?php\n// {spec['name']}\nrequire __DIR__ . '/bootstrap.php';\n"}
    for n, feature in enumerate(spec.get("features", [])[: step + 2]):
        files[f"src/modul_{n + 1}.php"] = f"<?php\n// Modul: {feature}\nfunction modul_{n + 1}() {{ return true; }}\n"
    return files


def _release_time(spec: dict, step: int, sub: int) -> int:
    """Seconds since the epoch of a release's commits: the work commit (sub 0) two weeks before the
    release commit (sub 1), on the dates of spec["released_on"] when it has them."""
    dates = spec.get("released_on")
    if not dates:
        return BASE_TIME + (step * 2 + sub) * 86400 * 30
    day = datetime.combine(date.fromisoformat(dates[step]), datetime.min.time(), tzinfo=UTC)
    return int((day + timedelta(hours=3) - timedelta(days=14 * (1 - sub))).timestamp())


def _fast_import_stream(spec: dict) -> bytes:
    out, mark = [], 0
    for step, tag in enumerate(spec["releases"]):
        for sub in range(2):
            mark += 1
            when = _release_time(spec, step, sub)
            message = f"Rilis {tag}" if sub else f"Tambah modul untuk {tag}"
            body = ["commit refs/heads/main", f"mark :{mark}", f"committer {AUTHOR} {when} +0700",
                    f"data {len(message.encode())}", message]
            if mark > 1:
                body.append(f"from :{mark - 1}")
            body.append("deleteall")
            for path, content in _files_for(spec, step).items():
                data = content.encode()
                body += [f"M 100644 inline {path}", f"data {len(data)}", content]
            out.append("\n".join(body) + "\n")
        out.append(f"reset refs/tags/{tag}\nfrom :{mark}\n")
    return "\n".join(out).encode()


def _init_bare(path: Path) -> None:
    """The layout `git init --bare --initial-branch=main` makes that git needs (HEAD, config,
    objects/, refs/; see gitrepository-layout), written directly: one process less per repository."""
    for sub in ("objects/info", "objects/pack", "refs/heads", "refs/tags", "info"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    (path / "HEAD").write_text("ref: refs/heads/main\n")
    (path / "config").write_text("[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n")


def create_demo_repo(path: Path, spec: dict) -> Path:
    """A bare repo with a few commits and one tag per release; rebuilt if half-made."""
    done = path / "catalog-demo-complete"
    if done.exists():
        return path
    shutil.rmtree(path, ignore_errors=True)
    _init_bare(path)
    run_git(["fast-import", "--quiet"], git_dir=path, input=_fast_import_stream(spec))
    done.write_text("ok\n")
    return path


def add_release(repo: Path, spec: dict, tag: str, released: datetime) -> None:
    """A later upstream release: the work commit a week before, the release commit and its tag
    on `released`; README and publiccode.yml name the new version, as a real release would."""
    later = {**spec, "releases": [*spec["releases"], tag]}
    step = len(later["releases"]) - 1
    out = []
    for sub, message in enumerate((f"Tambah modul untuk {tag}", f"Rilis {tag}")):
        when = int((released - timedelta(days=7 * (1 - sub))).timestamp())
        body = ["commit refs/heads/main", f"committer {AUTHOR} {when} +0700",
                f"data {len(message.encode())}", message]
        if sub == 0:
            body.append("from refs/heads/main^0")  # fast-import's way to continue an existing branch
        body.append("deleteall")
        for path, content in _files_for(later, step).items():
            body += [f"M 100644 inline {path}", f"data {len(content.encode())}", content]
        out.append("\n".join(body) + "\n")
    out.append(f"reset refs/tags/{tag}\nfrom refs/heads/main\n")
    run_git(["fast-import", "--quiet"], git_dir=repo, input="\n".join(out).encode())


def add_commits(repo: Path, branch: str, changes: list[tuple[str, str, str]], *, author: str,
                when: datetime | None = None) -> None:
    """Commit (path, content, message) changes on top of `branch`, one commit each, no worktree;
    a day apart from `when` (the demo's story) or from 3 March 2025."""
    when = int((when or datetime(2025, 3, 3, 9, 0, tzinfo=UTC)).timestamp())
    out = []
    for n, (path, content, message) in enumerate(changes):
        data, msg = content.encode(), message.encode()
        lines = [f"commit refs/heads/{branch}",
                 f"committer {author} <noreply@katalog.invalid> {when + n * 86400} +0700",
                 f"data {len(msg)}", message]
        if n == 0:
            lines.append(f"from refs/heads/{branch}^0")  # continue the existing branch
        lines += [f"M 100644 inline {path}", f"data {len(data)}", content]
        out.append("\n".join(lines) + "\n")
    run_git(["fast-import", "--quiet"], git_dir=repo, input="\n".join(out).encode())
