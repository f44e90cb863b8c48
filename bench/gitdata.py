"""Upstream repositories for the benchmarks, written with `git fast-import`, cached in bench/out.

The large upstream has ≥10,000 commits and a ≥150 MB pack: every commit changes a PHP file and
replaces a binary asset with random bytes, which neither zlib nor deltas can shrink.
"""
from __future__ import annotations

import os
import random
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

AUTHOR = "Tim Pengembang <tim@katalog.go.id>"
BASE_TIME = 1_577_836_800  # 2020-01-01
WORDS = ("data", "pegawai", "laporan", "anggaran", "surat", "izin", "warga", "modul", "validasi", "simpan",
         "hapus", "ubah", "cetak", "ekspor", "rekap", "filter", "halaman", "pengguna", "hak", "akses")


@dataclass(frozen=True)
class RepoSpec:
    name: str
    commits: int
    blob_bytes: int  # random bytes replaced per commit (0: text only)
    assets: int = 500
    modules: int = 200
    seed: int = 1

    @property
    def key(self) -> str:
        return f"{self.name}-c{self.commits}-b{self.blob_bytes}-a{self.assets}-m{self.modules}-s{self.seed}"


def git_env() -> dict[str, str]:
    home = tempfile.gettempdir()
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


def git(*args: str, cwd: Path | None = None, input: bytes | None = None) -> str:
    out = subprocess.run(["git", *args], cwd=cwd, input=input, env=git_env(), check=True,
                         capture_output=True)
    return out.stdout.decode()


def _php(rng: random.Random, module: int, version: int) -> bytes:
    lines = [f"<?php\n// Modul {module}, revisi {version}\nnamespace App\\Modul{module};\n"]
    for n in range(rng.randint(10, 30)):
        a, b = rng.choice(WORDS), rng.choice(WORDS)
        lines.append(f"function {a}_{b}_{n}($id) {{ return db()->{a}('{b}', $id, {rng.randint(1, 999)}); }}\n")
    return "".join(lines).encode()


def _blob(path: str, data: bytes) -> bytes:
    return f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n"


def _commit(ref: str, mark: int, when: int, message: str, parent: str | None, body: bytes) -> bytes:
    msg = message.encode()
    head = f"commit {ref}\nmark :{mark}\ncommitter {AUTHOR} {when} +0700\ndata {len(msg)}\n".encode() + msg + b"\n"
    if parent:
        head += f"from {parent}\n".encode()
    return head + body + b"\n"


def fast_import(repo: Path, chunks) -> None:
    proc = subprocess.Popen(["git", "--git-dir", str(repo), "fast-import", "--quiet", "--done"],
                            stdin=subprocess.PIPE, env=git_env())
    assert proc.stdin is not None
    for chunk in chunks:
        proc.stdin.write(chunk)
    proc.stdin.write(b"done\n")
    proc.stdin.close()
    if proc.wait() != 0:
        raise RuntimeError(f"git fast-import failed in {repo}")


def _history(spec: RepoSpec):
    rng = random.Random(spec.seed)
    files = [("README.md", f"# {spec.name}\n\nAplikasi bagi-pakai untuk pemerintah daerah.\n".encode()),
             ("publiccode.yml", f"publiccodeYmlVersion: '0.4'\nname: {spec.name}\n".encode())]
    files += [(f"src/modul_{m}.php", _php(rng, m, 0)) for m in range(spec.modules)]
    if spec.blob_bytes:
        files += [(f"assets/data_{a}.bin", rng.randbytes(spec.blob_bytes)) for a in range(spec.assets)]
    yield _commit("refs/heads/main", 1, BASE_TIME, "Rilis awal", None, b"".join(_blob(p, d) for p, d in files))
    tag_every = max(1, spec.commits // 40)
    for k in range(2, spec.commits + 1):
        body = _blob(f"src/modul_{k % spec.modules}.php", _php(rng, k % spec.modules, k))
        if spec.blob_bytes:
            body += _blob(f"assets/data_{k % spec.assets}.bin", rng.randbytes(spec.blob_bytes))
        yield _commit("refs/heads/main", k, BASE_TIME + k * 3600, f"Perbaikan modul {k % spec.modules} ({k})",
                      f":{k - 1}", body)
        if k % tag_every == 0:
            yield f"reset refs/tags/v1.{k // tag_every}.0\nfrom :{k}\n\n".encode()


def build_cached(spec: RepoSpec, cache_dir: Path) -> Path:
    """The bare repository for `spec`, built once and kept under `cache_dir`."""
    path = cache_dir / f"{spec.key}.git"
    if (path / "bench-complete").exists():
        return path
    shutil.rmtree(path, ignore_errors=True)
    tmp = cache_dir / f".{spec.key}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    git("init", "--quiet", "--bare", "--template=", "--initial-branch=main", str(tmp))
    fast_import(tmp, _history(spec))
    git("--git-dir", str(tmp), "commit-graph", "write", "--reachable")
    (tmp / "bench-complete").write_text("ok\n")
    tmp.rename(path)
    return path


def install_copy(src: Path, dest: Path, config: dict[str, str]) -> None:
    """Copy a cached repository into a data dir: packs hard-linked (immutable), the rest copied."""
    def copy(s: str, d: str) -> None:
        if "/objects/pack/" in s:
            os.link(s, d)
        else:
            shutil.copy2(s, d)

    shutil.copytree(src, dest, copy_function=copy)
    (dest / "bench-complete").unlink(missing_ok=True)
    with open(dest / "config", "a") as fh:
        for key, value in config.items():
            section, name = key.split(".")
            fh.write(f"[{section}]\n\t{name} = {value}\n")


def head(repo: Path, ref: str = "refs/heads/main") -> str:
    return git("--git-dir", str(repo), "rev-parse", ref).strip()


def add_commits(repo: Path, parent: str, count: int, *, seed: int, prefix: str,
                ref: str = "refs/heads/main") -> str:
    """Append `count` small text commits on top of `parent` to `ref`; returns the new head."""
    rng = random.Random(seed)

    def chunks():
        for n in range(count):
            body = _blob(f"src/{prefix}_{n % 3}.php", _php(rng, 900 + n, seed * 1000 + n))
            yield _commit(ref, n + 1, BASE_TIME + 40_000_000 + n * 3600, f"{prefix}: perubahan {n + 1}",
                          parent if n == 0 else f":{n}", body)

    fast_import(repo, chunks())
    return head(repo, ref)


def pack_bytes(repo: Path) -> int:
    return sum(f.stat().st_size for f in (repo / "objects").rglob("*") if f.is_file())


def dir_bytes(path: Path) -> int:
    """Disk blocks used (what `du` reports), counting hard links once per call."""
    seen, total = set(), 0
    for f in Path(path).rglob("*"):
        st = f.lstat()
        if (st.st_dev, st.st_ino) in seen:
            continue
        seen.add((st.st_dev, st.st_ino))
        total += st.st_blocks * 512
    return total
