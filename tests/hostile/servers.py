"""Loopback-only servers for hostile-transfer tests: an HTTPS git server that can serve, stall or
redirect, and a TCP listener that counts connection attempts. Nothing here leaves 127.0.0.1."""
from __future__ import annotations

import os
import socket
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HOST_NAME = "git.uji.go.id"  # resolved to 127.0.0.1 by the test's fake DNS, never by real DNS


def make_certificate(directory: Path) -> tuple[Path, Path] | None:
    """A self-signed certificate for HOST_NAME; None when openssl is unavailable."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    try:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN={HOST_NAME}",
                        "-addext", f"subjectAltName=DNS:{HOST_NAME}"], check=True, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return cert, key


class GitHttpsServer:
    """Smart-HTTP git over TLS on 127.0.0.1 for repositories under `root`.

    The first path segment picks the behaviour:
    `/serve/<repo>` — plain `git http-backend`;
    `/stall/<repo>` — ref discovery answers, the pack request sends a few bytes and then nothing;
    `/redirect/<repo>` — 301 to `/followed/<repo>`, which serves (and is counted if ever reached).
    """

    def __init__(self, root: Path, cert: tuple[Path, Path]):
        self.root = root
        self.requests: list[str] = []
        self.release = threading.Event()
        self.stall_all = False  # make every pack request stall from now on (a refresh that hangs)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):
                server.handle(self)

            def do_POST(self):
                server.handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(cert[0]), str(cert[1]))
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, mode: str, repo: str) -> str:
        return f"https://{HOST_NAME}:{self.port}/{mode}/{repo}"

    def __enter__(self) -> GitHttpsServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def handle(self, req: BaseHTTPRequestHandler) -> None:
        self.requests.append(f"{req.command} {req.path}")
        mode, _, rest = req.path.lstrip("/").partition("/")
        length = int(req.headers.get("Content-Length") or 0)
        body = req.rfile.read(length) if length else b""
        if mode == "redirect":
            req.send_response(301)
            req.send_header("Location", f"https://{HOST_NAME}:{self.port}/followed/{rest}")
            req.send_header("Content-Length", "0")
            req.end_headers()
            return
        if (mode == "stall" or self.stall_all) and req.command == "POST":
            req.send_response(200)
            req.send_header("Content-Type", "application/x-git-upload-pack-result")
            req.send_header("Content-Length", "1000000")
            req.end_headers()
            req.wfile.write(b"0008NAK\n")
            req.wfile.flush()
            self.release.wait(120)  # a server that never finishes its answer
            return
        self.cgi(req, rest, body)

    def cgi(self, req: BaseHTTPRequestHandler, rest: str, body: bytes) -> None:
        path, _, query = rest.partition("?")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GIT_PROJECT_ROOT": str(self.root),
               "GIT_HTTP_EXPORT_ALL": "1", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
               "HOME": str(self.root), "REQUEST_METHOD": req.command, "PATH_INFO": "/" + path,
               "QUERY_STRING": query, "CONTENT_TYPE": req.headers.get("Content-Type", ""),
               "CONTENT_LENGTH": str(len(body)), "REMOTE_ADDR": "127.0.0.1"}
        if req.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = req.headers["Git-Protocol"]
        out = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, timeout=60).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        status, headers = 200, []
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                headers.append((name, value.strip()))
        req.send_response(status)
        for name, value in headers:
            req.send_header(name, value)
        req.send_header("Content-Length", str(len(payload)))
        req.end_headers()
        req.wfile.write(payload)


class ConnectionCounter:
    """A loopback TCP listener that only counts who connects (a fetch that should never happen)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.count = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.count += 1
            conn.close()

    def __enter__(self) -> ConnectionCounter:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=2)
        self.sock.close()
