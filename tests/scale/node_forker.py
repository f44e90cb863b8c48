"""Start node processes by forking one that has already imported the catalog.

A node (tests/scale/node_main.py) spent most of its start importing Flask, SQLAlchemy, Huey and
the catalog (~1.3 s of CPU each, ~30 nodes per run). This process pays that once per test
worker: `python -m tests.scale.node_forker SOCKET` imports, then for each request on the Unix
socket forks a child that takes the request's environment, working dir and output files and
runs node_main as its own process would. Every node is still a separate OS process with its own
pid, Flask app, connections and data dir: nothing is opened here before the fork.

Protocol: one JSON line in ({"argv", "env", "cwd", "stdout", "stderr"}), one line back with
{"pid"} at once and, when the child ends, one with {"returncode"} (minus the signal, as Popen).
"""
from __future__ import annotations

import json
import os
import selectors
import socket
import sys
import traceback


def _preload() -> None:
    """What every node imports anyway; no app, connection or thread is made here."""
    import catalog  # noqa: F401
    import catalog.jobs.queue  # noqa: F401
    import catalog.services.fsck  # noqa: F401
    import catalog.services.repos.forks  # noqa: F401
    import catalog.services.repos.git_slots  # noqa: F401
    import catalog.services.repos.mirrors  # noqa: F401
    import catalog.services.repos.repo_locks  # noqa: F401
    import tests.conftest  # noqa: F401
    import tests.scale.node_main  # noqa: F401


def _child(request: dict) -> None:
    """In the forked child: become the node process the request describes, then exit."""
    code = 1
    try:
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(target, fd)
            os.close(target)
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # the socket, the other nodes' pids: as close_fds
        from tests.scale import node_main

        sys.argv = ["node_main", *request["argv"]]
        code = node_main.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - reported on stderr, as an uncaught error would be
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve(path: str) -> None:
    _preload()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)
    print("ready", flush=True)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, None)
    while True:
        for key, _events in selector.select():
            if key.data is None:
                conn, _addr = listener.accept()
                with conn.makefile("r") as lines:
                    request = json.loads(lines.readline())
                pid = os.fork()
                if pid == 0:
                    _child(request)
                conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
                pidfd = os.pidfd_open(pid)
                selector.register(pidfd, selectors.EVENT_READ, (pid, conn))
            else:
                pid, conn = key.data
                selector.unregister(key.fd)
                os.close(key.fd)
                _pid, status = os.waitpid(pid, 0)
                code = os.waitstatus_to_exitcode(status)
                try:
                    conn.sendall(json.dumps({"returncode": code}).encode() + b"\n")
                except OSError:
                    pass  # the test side gave up on this node
                conn.close()


if __name__ == "__main__":
    serve(sys.argv[1])
