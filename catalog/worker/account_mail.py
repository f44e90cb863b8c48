"""E-mails with one-time links: invitations and password resets, sent by the worker over
CATALOG_SMTP_URL in the recipient's language, with links on CATALOG_BASE_URL.

The link's secret is made here, just before sending, so it never waits in the job queue: the
queue holds only a user id or an e-mail address."""
from __future__ import annotations

import logging
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from ..jobs.queue import job
from ..services.accounts import passwords
from ..vocab.accounts import role_label
from .mail import _connect, smtp_settings

log = logging.getLogger(__name__)
PATHS = {"invite": "/account/invitation/", "reset": "/password/reset/"}


def link_url(kind: str, secret: str) -> str:
    """The page the e-mail opens, on the configured public address (never a request's Host)."""
    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    if not base:
        log.warning("CATALOG_BASE_URL is not set: the %s e-mail carries a relative link", kind)
    return f"{base}{PATHS[kind]}{secret}"


def _send(user, kind: str, secret: str) -> None:
    cfg = smtp_settings(current_app.config["SMTP_URL"])
    with force_locale(user.locale or "id"):
        if kind == "invite":
            subject = _("Undangan ke Katalog Bagi-Pakai")
        else:
            subject = _("Atur ulang kata sandi Katalog Bagi-Pakai")
        body = render_template(f"mail/{kind}.txt", user=user, link=link_url(kind, secret),
                               role=_(role_label(user.role)))
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = cfg.sender, user.email, subject
    msg.set_content(body)
    with _connect(cfg) as client:  # a failure raises: the queue retries with a new link
        client.send_message(msg)


def _smtp_configured(kind: str) -> bool:
    if current_app.config.get("SMTP_URL"):
        return True
    log.warning("CATALOG_SMTP_URL is not set: no %s e-mail sent", kind)
    return False


@job("account.invite_mail")
def mail_invitation(user_id: int) -> bool:
    """A new invitation link (ending earlier ones) for an account still waiting for its password."""
    if not _smtp_configured("invitation"):
        return False
    prepared = passwords.prepare_invitation(user_id)
    if prepared is None:
        return False
    _send(prepared[0], "invite", prepared[1])
    return True


@job("account.reset_mail")
def mail_reset(email: str) -> bool:
    """A reset link when an active account has this address; nothing (and no trace) otherwise."""
    if not _smtp_configured("password reset"):
        return False
    prepared = passwords.prepare_reset(email)
    if prepared is None:
        return False
    _send(prepared[0], "reset", prepared[1])
    return True
