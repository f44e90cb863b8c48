"""Smart HTTP: a streaming WSGI wrapper around `git http-backend` (no buffering of packs)."""
from __future__ import annotations

import logging
import re
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any, Protocol

from . import hooks
from .env import GitOptions
from .errors import VcsError
from .stream import CHUNK, GitStream

log = logging.getLogger(__name__)
MiB = 1024 * 1024
MAX_HEADER_BYTES = 64 * 1024
SERVICES = {"info/refs": "GET", "git-upload-pack": "POST", "git-receive-pack": "POST"}
_SEGMENT_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_PROTOCOL_RE = re.compile(r"[A-Za-z0-9=:._-]{1,256}")
_USER_RE = re.compile(r"[^\x00-\x1f\x7f]{1,256}")
_DROP_HEADERS = {"status", "connection", "transfer-encoding", "keep-alive"}
_GZIP = ("gzip", "x-gzip")
_GZIP_WBITS = 16 + zlib.MAX_WBITS
SPOOL_IN_MEMORY = 1 * MiB  # an inflated body larger than this goes to a temporary file

Response = tuple[str, list[tuple[str, str]], Iterable[bytes]]
OnPush = Callable[[list[hooks.RefUpdate]], None]


def _plain(status: str, message: str) -> Response:
    body = (message + "\n").encode()
    return status, [("Content-Type", "text/plain; charset=utf-8"),
                    ("Content-Length", str(len(body)))], [body]


def _repo_dir(project_root: Path, relpath: str) -> Path | None:
    parts = relpath.strip("/").split("/")
    if not all(_SEGMENT_RE.fullmatch(p) and ".." not in p for p in parts):
        return None
    root = Path(project_root).resolve()
    repo = (root / "/".join(parts)).resolve()
    if root not in repo.parents or not (repo / "objects").is_dir():
        return None
    return repo


def _service(environ: Mapping[str, Any]) -> tuple[str, str | None] | None:
    """(rest of path, service name) for the three smart-protocol endpoints; None otherwise."""
    path = environ.get("PATH_INFO", "")
    rest = next((r for r in SERVICES if path.endswith("/" + r)), None)
    if rest is None:
        return None
    if rest != "info/refs":
        return rest, rest
    query = environ.get("QUERY_STRING", "")
    svc = query[len("service="):] if query.startswith("service=") else ""
    return (rest, svc) if svc in ("git-upload-pack", "git-receive-pack") else None


def _cgi_env(environ: Mapping[str, Any], *, root: Path, relpath: str, rest: str,
             service: str, remote_user: str | None, extra: Mapping[str, str]) -> dict[str, str]:
    env = dict(extra)  # ours below win over anything the caller passes
    env.update({
        "GATEWAY_INTERFACE": "CGI/1.1",
        "GIT_PROJECT_ROOT": str(root),
        "GIT_HTTP_EXPORT_ALL": "1",
        "PATH_INFO": f"/{relpath}/{rest}",
        "REQUEST_METHOD": environ.get("REQUEST_METHOD", "GET"),
        "QUERY_STRING": f"service={service}" if rest == "info/refs" else "",
        "CONTENT_TYPE": environ.get("CONTENT_TYPE", ""),
        "REMOTE_ADDR": str(environ.get("REMOTE_ADDR", "")),
        "SERVER_PROTOCOL": str(environ.get("SERVER_PROTOCOL", "HTTP/1.1")),
    })
    length = environ.get("CONTENT_LENGTH")
    if length and str(length).isdigit():
        env["CONTENT_LENGTH"] = str(length)
    if remote_user and _USER_RE.fullmatch(remote_user):
        env["REMOTE_USER"] = remote_user
    # no HTTP_CONTENT_ENCODING: a gzip body is inflated here, under a cap, before git sees it
    protocol = environ.get("HTTP_GIT_PROTOCOL", "")
    if _PROTOCOL_RE.fullmatch(protocol):
        env["GIT_PROTOCOL"] = env["HTTP_GIT_PROTOCOL"] = protocol
    return env


def _feed_body(stream: GitStream, body: IO[bytes] | None, length: int | None,
               limit: int | None = None) -> None:
    """Copy the request body into git's stdin as it arrives (a push may be large). Past
    `limit` bytes feeding stops: git reads a truncated request and fails."""
    pipe = stream.stdin
    try:
        remaining = length
        fed = 0
        while body is not None and (remaining is None or remaining > 0):
            chunk = body.read(CHUNK if remaining is None else min(CHUNK, remaining))
            if not chunk:
                break
            fed += len(chunk)
            if limit is not None and fed > limit:
                break
            pipe.write(chunk)
            pipe.flush()
            if remaining is not None:
                remaining -= len(chunk)
    except Exception:  # noqa: BLE001 - OSError, ValueError, a server's ClientDisconnected
        pass  # client vanished or git exited; close() below ends it
    finally:
        try:
            pipe.close()
        except OSError:
            pass


class _TooLarge(Exception):
    pass


class _BadGzip(Exception):
    pass


def _inflate(body: IO[bytes] | None, length: int | None, limit: int) -> tuple[IO[bytes], int]:
    """Inflate a gzip request body (one or more members) as it arrives, into a spooled file.

    Stops with _TooLarge once the inflated size (or the compressed one) passes `limit`, so a
    small body of repeated want lines cannot make anyone hold gigabytes; _BadGzip when it is
    not complete, valid gzip. Returns the file (at offset 0) and the inflated size.
    """
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    try:
        inflater = zlib.decompressobj(_GZIP_WBITS)
        remaining, read, size = length, 0, 0
        while body is not None and (remaining is None or remaining > 0):
            chunk = body.read(CHUNK if remaining is None else min(CHUNK, remaining))
            if not chunk:
                break
            read += len(chunk)
            if remaining is not None:
                remaining -= len(chunk)
            if read > limit + CHUNK:  # gzip of a legitimate body is (nearly) never larger
                raise _TooLarge
            pending = chunk
            while pending:
                if inflater.eof:  # another gzip member follows
                    inflater = zlib.decompressobj(_GZIP_WBITS)
                data = inflater.decompress(pending, CHUNK)
                pending = inflater.unused_data if inflater.eof else inflater.unconsumed_tail
                size += len(data)
                if size > limit:
                    raise _TooLarge
                out.write(data)
        if read == 0 or not inflater.eof or (remaining is not None and remaining > 0):
            raise _BadGzip
        out.seek(0)
        return out, size
    except zlib.error:
        out.close()
        raise _BadGzip from None
    except BaseException:
        out.close()
        raise


class ClientSlots(Protocol):
    """At most a limit of running `git http-backend` processes per client address; the catalog
    counts them in its database, across processes and nodes (services/repos/git_slots.py).
    `acquire` returns a release function safe to call more than once, or None at the limit."""

    def acquire(self, address: str) -> Callable[[], None] | None: ...


def _noop() -> None:
    pass


class _Receipt:
    """One push's receipt file: post-receive writes the updated refs into it; once git has
    ended, `on_push` gets them (only when the push updated something) and the file goes."""

    def __init__(self, on_push: OnPush) -> None:
        self.on_push = on_push
        self.path: Path | None = hooks.new_receipt()

    def settle(self) -> None:
        if self.path is None:
            return
        path, self.path = self.path, None
        try:
            updates = hooks.read_receipt(path)
        finally:
            path.unlink(missing_ok=True)
        if updates:
            try:
                self.on_push(updates)
            except Exception:  # the refs are in; fsck finds a push that was not recorded
                log.exception("recording a push failed")


class _Body:
    """Response body: the bytes read past the CGI headers, then git's stdout in chunks.

    Until git writes its first byte past the headers, the stream's deadline is the
    negotiation limit; from then on `full_deadline`. `close()` (the WSGI server calls it when
    the response ends or the client went away) kills git's process group and releases the
    client's slot."""

    def __init__(self, stream: GitStream, first: bytes, feeder: threading.Thread,
                 receipt: _Receipt | None, *, full_deadline: float | None = None,
                 release: Callable[[], None] = _noop, spool: IO[bytes] | None = None) -> None:
        self.stream, self.first, self.feeder, self.receipt = stream, first, feeder, receipt
        self.full_deadline, self.release, self.spool = full_deadline, release, spool
        self.chunks = stream.chunks()
        if first:
            self._negotiated()

    def _negotiated(self) -> None:
        if self.full_deadline is not None:
            self.stream.deadline, self.full_deadline = self.full_deadline, None

    def __iter__(self):
        if self.first:
            yield self.first
        try:
            for chunk in self.chunks:
                self._negotiated()
                yield chunk
        except VcsError as exc:
            log.warning("git http-backend failed: %s", exc.detail)
        # git has exited; the pusher's `git push` returns only after this, so the push is
        # recorded by the time it does.
        self._settle()
        self._free()

    def _settle(self) -> None:
        if self.receipt is not None:
            self.receipt.settle()

    def _free(self) -> None:
        self.release()
        if self.spool is not None:
            self.spool.close()

    def close(self) -> None:
        try:
            self.chunks.close()  # kills git's process group if it is still running
            self.feeder.join(timeout=2)
            self._settle()  # the client left early: git is gone now, a finished push still counts
        finally:
            self._free()


def _read_headers(stream: GitStream) -> tuple[str, list[tuple[str, str]], bytes] | None:
    buf = b""
    while b"\r\n\r\n" not in buf and b"\n\n" not in buf:
        chunk = stream.read()
        if not chunk or len(buf) > MAX_HEADER_BYTES:
            return None
        buf += chunk
    sep = b"\r\n\r\n" if b"\r\n\r\n" in buf else b"\n\n"
    head, _, rest = buf.partition(sep)
    status, headers = "200 OK", []
    for line in head.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        name, value = name.strip(), value.strip()
        if name.lower() == "status":
            status = value
        elif name and name.lower() not in _DROP_HEADERS:
            headers.append((name, value))
    return status, headers, rest


def http_backend_response(environ: Mapping[str, Any], *, project_root: Path, repo_relpath: str,
                          remote_user: str | None, extra_env: Mapping[str, str] | None = None,
                          timeout: float = 3600, allow_push: bool = False,
                          max_push_bytes: int = 512 * MiB,
                          on_push: OnPush | None = None,
                          max_upload_pack_bytes: int = 8 * MiB,
                          negotiation_timeout: float = 120,
                          slots: ClientSlots | None = None, client: str = "") -> Response:
    """Serve one smart-HTTP request for the repository at project_root/repo_relpath.

    The caller has authenticated and authorised already (for discovery and pack requests
    alike). Pushing works only with allow_push=True; our pre-receive hook then runs, started
    through this install's `catalog-hook`. `extra_env` reaches the hooks (e.g. the pusher's
    language). After a push that updated refs, `on_push(updates)` runs once, when git has
    finished and before the response ends; never for a refused push.

    Hostile clients: a request body sent with `Content-Encoding: gzip` is inflated here under
    a cap (`max_upload_pack_bytes` for fetch negotiation, `max_push_bytes` for a push): past
    it 413, invalid gzip 400, and git only ever reads the inflated body. Upload-pack (clone,
    fetch) gets `negotiation_timeout` seconds until its first byte of output, then `timeout`;
    pushes get `timeout`. With `slots`, `client` (the address) may run only so many git
    processes at once here (429 with Retry-After past it).
    Returns (status, headers, body); the body must be closed (WSGI does) to free git.
    """
    found = _service(environ)
    if found is None:
        return _plain("404 Not Found", "Tidak ditemukan.")
    rest, service = found
    if environ.get("REQUEST_METHOD") != SERVICES[rest]:
        return _plain("405 Method Not Allowed", "Metode tidak diizinkan.")
    repo = _repo_dir(project_root, repo_relpath)
    if repo is None:
        return _plain("404 Not Found", "Repositori tidak ditemukan.")
    if service == "git-receive-pack" and not allow_push:
        return _plain("403 Forbidden", "Anda tidak berhak mengirim (push) ke repositori ini.")
    upload = service == "git-upload-pack"
    limit = max_upload_pack_bytes if upload else max_push_bytes
    declared = str(environ.get("CONTENT_LENGTH") or "")
    if rest != "info/refs" and upload and declared.isdigit() and int(declared) > limit:
        return _plain("413 Content Too Large", "Permintaan git terlalu besar.")
    entry = hooks.entry_point() if service == "git-receive-pack" else None
    if service == "git-receive-pack" and entry is None:
        log.error("no %s next to %s: install the project (make install)", hooks.ENTRY_POINT,
                  sys.executable)
        return _plain("503 Service Unavailable", "Push sedang tidak dapat dilayani. Hubungi admin.")
    opts = GitOptions(hooks_path=str(repo / "hooks") if allow_push else None, config=(
        f"http.receivepack={'true' if allow_push else 'false'}",
        "http.uploadpack=true",
        "http.getanyfile=false",
        "receive.fsckObjects=true",
        f"receive.maxInputSize={int(max_push_bytes)}",
        "receive.advertisePushOptions=false",
        "receive.autogc=false",
        "uploadpack.allowFilter=true",
        "transfer.hideRefs=refs/catalog-incoming",  # a mirror refresh still in quarantine
    ))
    env = _cgi_env(environ, root=Path(project_root).resolve(), relpath=repo_relpath.strip("/"),
                   rest=rest, service=service or "", remote_user=remote_user,
                   extra=extra_env or {})
    release = slots.acquire(client) if slots is not None else _noop
    if release is None:
        status, headers, body = _plain("429 Too Many Requests",
                                       "Terlalu banyak permintaan git sekaligus dari alamat ini. "
                                       "Coba lagi sebentar lagi.")
        return status, [*headers, ("Retry-After", "10")], body
    spool: IO[bytes] | None = None
    receipt = None
    try:
        length = int(env["CONTENT_LENGTH"]) if "CONTENT_LENGTH" in env else None
        body_in = environ.get("wsgi.input")
        if length is None and not environ.get("wsgi.input_terminated"):
            body_in = None  # no length and no end marker: reading could block forever
        if rest != "info/refs" and environ.get("HTTP_CONTENT_ENCODING", "") in _GZIP:
            try:
                spool, length = _inflate(body_in, length, limit)
            except _TooLarge:
                release()
                return _plain("413 Content Too Large", "Permintaan git terlalu besar.")
            except _BadGzip:
                release()
                return _plain("400 Bad Request", "Isi permintaan gzip tidak valid.")
            body_in = spool
            env["CONTENT_LENGTH"] = str(length)
        elif environ.get("HTTP_CONTENT_ENCODING", "") not in ("", "identity"):
            release()
            return _plain("415 Unsupported Media Type", "Content-Encoding tidak didukung.")
        if entry is not None and rest == "git-receive-pack":  # the pack request, not discovery
            env[hooks.HOOK_ENV] = str(entry)
            if on_push is not None:
                receipt = _Receipt(on_push)
                env[hooks.RECEIPT_ENV] = str(receipt.path)
        full_deadline = None
        if upload and negotiation_timeout < timeout:
            full_deadline = time.monotonic() + timeout
        stream = GitStream(["http-backend"], cwd=repo, opts=opts, env_extra=env,
                           timeout=negotiation_timeout if full_deadline else timeout,
                           stdin_pipe=True)
    except BaseException:
        if receipt is not None:
            receipt.settle()
        if spool is not None:
            spool.close()
        release()
        raise
    feeder = threading.Thread(target=_feed_body,
                              args=(stream, body_in, length, limit if upload else None),
                              daemon=True)
    feeder.start()
    try:
        parsed = _read_headers(stream)
    except BaseException:
        stream.close()
        if receipt is not None:
            receipt.settle()
        if spool is not None:
            spool.close()
        release()
        raise
    if parsed is None:
        stream.close()
        if receipt is not None:
            receipt.settle()
        if spool is not None:
            spool.close()
        release()
        log.warning("git http-backend gave no headers: %s", stream.stderr_text)
        return _plain("500 Internal Server Error", "Layanan git gagal.")
    status, headers, first = parsed
    return status, headers, _Body(stream, first, feeder, receipt, full_deadline=full_deadline,
                                  release=release, spool=spool)
