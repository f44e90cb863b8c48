"""The test's side of tests/scale/node_forker.py: start it once, and hold each node it forks
through the part of subprocess.Popen's interface the tests use (pid, poll, wait,
communicate, kill, returncode)."""
from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


class Forker:
    """One node_forker process; `start` asks it for a node process."""

    def __init__(self, root: Path, workdir: Path) -> None:
        self.root, self.workdir = root, workdir
        self.socket_path = str(workdir / "forker.sock")
        self._count = 0
        self.process = subprocess.Popen([sys.executable, "-m", "tests.scale.node_forker", self.socket_path],
                                        cwd=root, env={**os.environ, "PYTHONPATH": str(root)},
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError(f"node forker did not start: {self.process.communicate(timeout=30)[1][-4000:]}")

    def start(self, argv: list[str], env: dict[str, str], outdir: Path) -> ForkedNode:
        self._count += 1
        out, err = outdir / f".node-{self._count}.out", outdir / f".node-{self._count}.err"
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(self.socket_path)
        request = {"argv": argv, "env": env, "cwd": str(self.root), "stdout": str(out), "stderr": str(err)}
        conn.sendall(json.dumps(request).encode() + b"\n")
        return ForkedNode(conn, out, err)

    def stop(self) -> None:
        self.process.kill()
        self.process.communicate()


class ForkedNode:
    """A node process forked by the forker (not this process's child: its end is reported)."""

    def __init__(self, conn: socket.socket, out: Path, err: Path) -> None:
        self._conn, self._out, self._err = conn, out, err
        self._buffer = b""
        self.returncode: int | None = None
        self.pid = self._message(None)["pid"]

    def _message(self, timeout: float | None) -> dict | None:
        """The next line from the forker, or None if none came within `timeout`."""
        end = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = None if end is None else max(0.0, end - time.monotonic())
            if not select.select([self._conn], [], [], left)[0]:
                return None
            chunk = self._conn.recv(4096)
            if not chunk:
                raise RuntimeError("node forker went away")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def poll(self) -> int | None:
        if self.returncode is None:
            message = self._message(0)
            if message is not None:
                self.returncode = message["returncode"]
                self._conn.close()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            message = self._message(timeout)
            if message is None:
                raise subprocess.TimeoutExpired("node", timeout)
            self.returncode = message["returncode"]
            self._conn.close()
        return self.returncode

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        self.wait(timeout)
        return self._out.read_text(), self._err.read_text()

    def kill(self) -> None:
        if self.returncode is None:
            os.kill(self.pid, signal.SIGKILL)
