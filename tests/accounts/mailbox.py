"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, and the one-time link
found in a message: shared by tests/accounts/ and the browser journey."""
from __future__ import annotations

import re
import socket
import threading
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

LINK = re.compile(r"(https?://[^\s/]+(?:/[^\s/]+)*?/(?:account/invitation|password/reset)/[A-Za-z0-9_-]+)")


class Inbox:
    """aiosmtpd handler: keeps every message it receives, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["X-Envelope-To"] == address]

    def last_to(self, address: str) -> EmailMessage:
        with self._arrived:  # the job sends before the request returns; the wait is a safety net
            self._arrived.wait_for(lambda: self.to(address), timeout=10)
        found = self.to(address)
        assert found, f"no message to {address}; got {[m['X-Envelope-To'] for m in self.messages]}"
        return found[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def smtp_on_loopback():
    """A started aiosmtpd server on 127.0.0.1; `.handler` is its Inbox, `.port` its port."""
    controller = Controller(Inbox(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def smtp_url(controller) -> str:
    return f"smtp://127.0.0.1:{controller.port}?from=katalog@uji.go.id"


def find_link(message: EmailMessage) -> str:
    """The one absolute one-time link in a message."""
    body = message.get_content()
    found = LINK.findall(body)
    assert len(found) == 1, body
    return found[0]
