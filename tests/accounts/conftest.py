"""Accounts fixtures: a real SMTP server on loopback (aiosmtpd) whose received messages the tests
read, and the app sending through it with links on BASE_URL."""
from __future__ import annotations

import pytest

from tests.accounts.mailbox import Inbox, find_link, smtp_on_loopback, smtp_url

BASE_URL = "http://localhost"  # the test client's own address, so that links lead back to the app


@pytest.fixture(scope="session")
def smtp_server():
    with smtp_on_loopback() as controller:
        yield controller


@pytest.fixture
def inbox(app, smtp_server) -> Inbox:
    """An empty inbox, and the app sending to it with links on BASE_URL."""
    handler: Inbox = smtp_server.handler
    handler.messages.clear()
    app.config["SMTP_URL"] = smtp_url(smtp_server)
    app.config["BASE_URL"] = BASE_URL
    return handler


def link_path(message) -> str:
    """The one-time link in a message, as a path for the test client."""
    link = find_link(message)
    assert link.startswith(BASE_URL + "/")
    return link[len(BASE_URL):]
