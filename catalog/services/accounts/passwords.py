"""Passwords: set from an invitation, reset from a "Lupa kata sandi" link, changed on the account page."""
from __future__ import annotations

from flask_babel import gettext as _

from ...extensions import db
from ...jobs.queue import enqueue
from ...models import AccountLink, LinkKind, User
from ...models.types import utcnow
from .. import audit
from ..errors import NotFound, ValidationFailed
from ..tx import write
from . import links, password_policy, reset_throttle, throttle, users

INVITE, RESET = LinkKind.INVITE.value, LinkKind.RESET.value


def _new_password_errors(user: User, password: str, confirm: str) -> dict[str, str]:
    if problem := password_policy.problem(password or "", personal=(user.email, user.name)):
        return {"password": problem}
    if password != confirm:
        return {"password_confirm": _("Ulangi kata sandi yang sama persis.")}
    return {}


def _set_password(user: User, password: str, *, action: str, actor: User | None, data: dict) -> User:
    """In the caller's write: the new hash; every open link ends; every session ends."""
    row = db.session.get(User, user.id)
    row.password_hash = users.hash_password(password)
    data = {**data, "links_ended": links.end_open_links(row.id)}
    users.end_sessions(row)  # joins the caller's transaction
    audit.record(actor, action, "user", row.id, data)
    return row


def _link(secret: str, kind: str) -> AccountLink:
    link = links.find_usable(secret, kind)
    if link is None:
        raise NotFound(_("Tautan ini tidak berlaku lagi: sudah dipakai, sudah kedaluwarsa, atau sudah diganti "
                         "tautan yang lebih baru.") if kind == RESET else
                       _("Undangan ini tidak berlaku lagi: sudah dipakai, sudah kedaluwarsa (72 jam), atau sudah "
                         "diganti undangan yang lebih baru. Minta pengelola akun organisasi Anda mengirim ulang."))
    return link


def invitation(secret: str) -> AccountLink:
    """The usable invitation behind this secret. Raises NotFound."""
    return _link(secret, INVITE)


def reset_link(secret: str) -> AccountLink:
    """The usable reset link behind this secret. Raises NotFound."""
    return _link(secret, RESET)


def _use_link(secret: str, kind: str, password: str, confirm: str, action: str) -> User:
    with write():
        link = _link(secret, kind)
        if errors := _new_password_errors(link.user, password, confirm):
            raise ValidationFailed(_("Kata sandi belum dapat dipakai."), errors)
        link.used_at = utcnow()
        return _set_password(link.user, password, action=action, actor=link.user, data={"link": link.id})


def accept_invitation(secret: str, password: str, confirm: str) -> User:
    """Set the first password of an invited account. Raises NotFound, ValidationFailed."""
    return _use_link(secret, INVITE, password, confirm, "user.invitation_accept")


def complete_reset(secret: str, password: str, confirm: str) -> User:
    """Set a new password from a reset link; signs the person out everywhere. Raises NotFound,
    ValidationFailed."""
    return _use_link(secret, RESET, password, confirm, "user.password_reset")


def change_password(user: User, *, current: str, new: str, confirm: str, address: str) -> User:
    """The person's own change: the current password first (throttled like sign-in), then the
    new one. Ends every session (the page signs this one in again) and every open link.
    Raises TooManyAttempts, ValidationFailed."""
    throttle.check(user.email, address)
    if not users.verify_password(user, current):
        throttle.record_failure(user.email, address)
        raise ValidationFailed(_("Kata sandi belum diubah."), {"current_password": _("Kata sandi saat ini salah.")})
    if errors := _new_password_errors(user, new, confirm):
        raise ValidationFailed(_("Kata sandi belum diubah."), errors)
    if users.verify_password(user, new):
        raise ValidationFailed(_("Kata sandi belum diubah."),
                               {"password": _("Kata sandi baru sama dengan yang lama.")})
    throttle.record_success(user.email, address)
    with write():
        return _set_password(user, new, action="user.password_change", actor=user, data={})


def request_reset(email: str, *, address: str) -> None:
    """"Lupa kata sandi": counts the request (raises TooManyAttempts past the limits), then
    queues the mail job whether or not the address has an account: the job, not the request,
    looks the address up, so the answer and its timing are the same either way."""
    email = (email or "").strip().lower()[:254]
    reset_throttle.count_request(email, address)
    if users.EMAIL_RE.match(email):
        enqueue("account.reset_mail", email=email)


def prepare_reset(email: str) -> tuple[User, str] | None:
    """For the mail job: an active account with this e-mail and a new reset link's secret, or None."""
    user = users.get_by_email(email)
    if user is None or not user.active:
        return None
    _link_row, secret = links.issue(user, RESET)
    return user, secret


def prepare_invitation(user_id: int) -> tuple[User, str] | None:
    """For the mail job: the invited account, still waiting and active, and a new invitation's
    secret (earlier invitations end); None when the invitation is no longer needed."""
    user = db.session.get(User, user_id)
    if user is None or not user.active or not user.invitation_pending:
        return None
    _link_row, secret = links.issue(user, INVITE)
    return user, secret
