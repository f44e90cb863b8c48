"""The isolated environment and forced configuration every git command runs with."""
from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"
# Certificate locations are the only outside settings we let through: installs behind a
# private CA need them, and they cannot redirect git anywhere.
_PASSTHROUGH = ("SSL_CERT_FILE", "SSL_CERT_DIR", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH", "TZ")


@dataclass(frozen=True)
class Identity:
    """Author/committer of commits the catalog itself creates (sync merges)."""

    name: str
    email: str


CATALOG_IDENTITY = Identity("Katalog Bagi-Pakai", "noreply@katalog.invalid")


@dataclass(frozen=True)
class GitOptions:
    """Per-call switches that loosen the defaults; everything else is fixed."""

    allow_file: bool = False      # local paths / file:// / bundles: internal operations only
    allow_http: bool = False      # plain http: loopback remotes when local repos are allowed
    hooks_path: str | None = None  # our receive hooks; /dev/null otherwise
    resolve: tuple[str, ...] = ()  # pinned "host:port:ip" entries for curl
    config: tuple[str, ...] = ()   # extra "key=value" entries for this call


DEFAULT_OPTIONS = GitOptions()


@functools.lru_cache(maxsize=1)
def _make_home() -> str:
    return tempfile.mkdtemp(prefix="catalog-git-home-")


def empty_home() -> str:
    """An empty directory used as HOME so no ~/.gitconfig or credentials are ever read."""
    home = _make_home()
    if not os.path.isdir(home):  # a tmp cleaner removed it
        _make_home.cache_clear()
        home = _make_home()
    return home


def protocols(opts: GitOptions) -> list[str]:
    allowed = ["https"]
    if opts.allow_http:
        allowed.append("http")
    if opts.allow_file:
        allowed.append("file")
    return allowed


def config_args(opts: GitOptions) -> list[str]:
    """`-c` pairs placed before the subcommand; they reach child gits via GIT_CONFIG_PARAMETERS."""
    pairs = [
        "protocol.allow=never",
        *(f"protocol.{p}.allow=always" for p in protocols(opts)),
        "transfer.fsckObjects=true",
        # Old real-world histories often carry these harmless defects; refuse everything else.
        "fetch.fsck.zeroPaddedFilemode=ignore",
        "fetch.fsck.badTimezone=ignore",
        "transfer.credentialsInUrl=die",
        f"core.hooksPath={opts.hooks_path or os.devnull}",
        "core.symlinks=false",
        "core.protectNTFS=true",
        "core.protectHFS=true",
        "core.fsmonitor=false",
        "core.sshCommand=false",
        "core.askPass=",
        "credential.helper=",
        "submodule.recurse=false",
        "fetch.recurseSubmodules=false",
        "http.followRedirects=false",
        "http.lowSpeedLimit=1024",
        "http.lowSpeedTime=60",
        # Every repo path is chosen by us (never discovered), so the ownership check only
        # gets in the way when web and worker run as different users on shared storage.
        "safe.directory=*",
        "color.ui=false",
        "log.showSignature=false",
        "maintenance.auto=false",
        "gc.auto=0",
        *(f"http.curloptResolve={entry}" for entry in opts.resolve),
        *opts.config,
    ]
    if opts.hooks_path:  # a push: name our Python and hookmain.py to the pre-receive script
        from .hooks import launch_config

        pairs += launch_config()
    args: list[str] = []
    for pair in pairs:
        args += ["-c", pair]
    return args


def git_env(opts: GitOptions, *, identity: Identity | None = None,
            extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment built from scratch, never inherited from os.environ."""
    who = identity or CATALOG_IDENTITY
    env = {
        "PATH": os.environ.get("PATH") or DEFAULT_PATH,
        "HOME": empty_home(),
        "LC_ALL": "C",  # progress lines are parsed in English
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_SYSTEM": os.devnull,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_ATTR_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "/bin/true",
        "SSH_ASKPASS": "/bin/true",
        "GIT_PROTOCOL_FROM_USER": "0",
        "GIT_ALLOW_PROTOCOL": ":".join(protocols(opts)),
        "GIT_LITERAL_PATHSPECS": "1",
        "GIT_NO_REPLACE_OBJECTS": "1",
        "GIT_NO_LAZY_FETCH": "1",
        "GIT_PAGER": "cat",
        "PAGER": "cat",
        "GIT_EDITOR": "/bin/false",
        "GIT_AUTHOR_NAME": who.name,
        "GIT_AUTHOR_EMAIL": who.email,
        "GIT_COMMITTER_NAME": who.name,
        "GIT_COMMITTER_EMAIL": who.email,
    }
    for key in _PASSTHROUGH:
        if key in os.environ:
            env[key] = os.environ[key]
    if extra:
        env.update(extra)
    return env


def build_argv(args: Sequence[str], *, git_dir: Path | str | None,
               opts: GitOptions) -> list[str]:
    """`git -c ... [--git-dir=ABS] <args>`; an absolute git_dir can never read as an option."""
    argv = ["git", *config_args(opts)]
    if git_dir is not None:
        argv.append(f"--git-dir={os.path.abspath(git_dir)}")
    argv.extend(str(a) for a in args)
    return argv
