"""Accounts fixtures: a real SMTP server on loopback (aiosmtpd) whose received messages the
tests read, the app configured to send through it, and the link found in a message."""
from __future__ import annotations

import re
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

BASE_URL = "http://localhost"  # the test client's own address, so that links lead back to the app
LINK = re.compile(r"(https?://[^\s/]+/(?:account/invitation|password/reset)/[A-Za-z0-9_-]+)")


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
        with self._arrived:  # delivery ends before the sender's QUIT returns, but be safe
            self._arrived.wait_for(lambda: self.to(address), timeout=10)
        found = self.to(address)
        assert found, f"no message to {address}; got {[m['X-Envelope-To'] for m in self.messages]}"
        return found[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def inbox(app, smtp_server) -> Inbox:
    """An empty inbox, and the app sending to it with links on BASE_URL."""
    handler: Inbox = smtp_server.handler
    handler.messages.clear()
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{smtp_server.port}?from=katalog@uji.go.id"
    app.config["BASE_URL"] = BASE_URL
    return handler


def link_path(message: EmailMessage) -> str:
    """The one-time link in a message, as a path for the test client."""
    body = message.get_content()
    found = LINK.findall(body)
    assert len(found) == 1, body
    assert found[0].startswith(BASE_URL + "/")
    return found[0][len(BASE_URL):]
