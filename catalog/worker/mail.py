"""E-mail for notifications: the worker sends what is pending through CATALOG_SMTP_URL."""
from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..jobs.queue import job, periodic
from ..services.accounts import notifications

log = logging.getLogger(__name__)
BATCHES_PER_RUN = 10
DEFAULT_SENDER = "Katalog Bagi-Pakai <noreply@katalog.invalid>"


@dataclass(frozen=True)
class SmtpSettings:
    """smtp://[user:pass@]host[:port][?from=...], smtp+starttls://..., or smtps://... (TLS)."""

    host: str
    port: int
    tls: bool
    starttls: bool
    username: str
    password: str
    sender: str


def smtp_settings(url: str) -> SmtpSettings:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps", "smtp+starttls") or not parts.hostname:
        raise ValueError("CATALOG_SMTP_URL harus berbentuk smtp://host:port, smtp+starttls://... atau smtps://...")
    query = parse_qs(parts.query)
    tls = parts.scheme == "smtps"
    return SmtpSettings(parts.hostname, parts.port or (465 if tls else 25), tls, parts.scheme == "smtp+starttls",
                        unquote(parts.username or ""), unquote(parts.password or ""),
                        query.get("from", [DEFAULT_SENDER])[0])


def _connect(cfg: SmtpSettings) -> smtplib.SMTP:
    if cfg.tls:
        client: smtplib.SMTP = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=30, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(cfg.host, cfg.port, timeout=30)
        if cfg.starttls:
            client.starttls(context=ssl.create_default_context())
    if cfg.username:
        client.login(cfg.username, cfg.password)
    return client


def _message(cfg: SmtpSettings, item, base_url: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = cfg.sender, item.to, item.subject
    link = (base_url.rstrip("/") + item.link) if base_url else item.link
    with force_locale(getattr(item, "locale", None) or "id"):
        footer = _("Katalog Bagi-Pakai. Atur pemberitahuan di halaman Pemberitahuan setelah masuk.")
    msg.set_content(f"{item.body}\n\n{link}\n\n-- \n{footer}\n")
    return msg


def _deliver(cfg: SmtpSettings, batch: list, base_url: str) -> tuple[list[int], list[int], list[int]]:
    """(sent, failed, retry): an unreachable server sends the whole batch back to pending."""
    sent: list[int] = []
    failed: list[int] = []
    try:
        client = _connect(cfg)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("SMTP server unreachable: %s", exc)
        return [], [], [item.id for item in batch]
    with client:
        for item in batch:
            try:
                client.send_message(_message(cfg, item, base_url))
                sent.append(item.id)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                log.warning("notification %s not mailed: %s", item.id, exc)
                failed.append(item.id)
    return sent, failed, []


@job("notify.email")
def send_pending_emails() -> int:
    """Mail pending notifications in batches; returns how many went out."""
    url = current_app.config.get("SMTP_URL")
    if not url:
        return 0
    cfg = smtp_settings(url)
    total = 0
    for _batch_no in range(BATCHES_PER_RUN):
        batch = notifications.claim_emails()
        if not batch:
            break
        sent, failed, retry = _deliver(cfg, batch, current_app.config.get("BASE_URL") or "")
        notifications.finish_emails(sent, failed, retry)
        total += len(sent)
        if retry:
            break
    return total


@periodic("notify.email_sweep", minute="*")
def sweep_emails() -> int:
    return send_pending_emails()
