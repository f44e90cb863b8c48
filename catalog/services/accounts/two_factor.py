"""Two-factor sign-in: TOTP enrolled with a QR code drawn here (no outside service), each code
accepted once, wrong codes limited per account, and one-time recovery codes kept as digests."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from ...extensions import db
from ...models import RecoveryCode, TwoFactor, User
from ...models.types import utcnow
from .. import audit
from ..errors import Conflict, PermissionDenied, ValidationFailed, require
from ..permissions import can_manage_tokens
from ..tx import write
from . import throttle, tokens

ISSUER_NAME = "Katalog Bagi-Pakai"
RECOVERY_CODES = 10
# Wrong codes per account (from any address) before the second step waits out the window: the
# password is already known to whoever is here, so the address is no guide.
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


class TooManyCodes(throttle.TooManyAttempts):
    pass


@dataclass(frozen=True)
class Enrolment:
    secret: str  # shown too, for authenticators without a camera
    uri: str
    qr_data_uri: str  # an SVG drawn by segno, as a data: URI (the page's CSP allows those for images)


def _fernet() -> Fernet:
    key = hashlib.sha256(b"two-factor-secret:" + current_app.config["SECRET_KEY"].encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _secret(row: TwoFactor) -> str:
    try:
        return _fernet().decrypt(row.secret.encode()).decode()
    except InvalidToken as exc:  # SECRET_KEY changed: the person re-enrols (README)
        raise ValidationFailed(_("Autentikator tidak dapat diperiksa; hubungi admin."), {}) from exc


def _row(user: User) -> TwoFactor | None:
    return db.session.get(TwoFactor, user.id)


def is_enabled(user: User) -> bool:
    row = _row(user)
    return row is not None and row.confirmed_at is not None


def is_required(user: User) -> bool:
    """Whether this account must have two-factor sign-in (admins and org admins in production)."""
    return user.role in current_app.config["TWO_FACTOR_ROLES"]


def _enrolment(user: User, secret: str) -> Enrolment:
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER_NAME)
    return Enrolment(secret=secret, uri=uri, qr_data_uri=segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def pending_enrolment(user: User) -> Enrolment | None:
    row = _row(user)
    if row is None or row.confirmed_at is not None:
        return None
    return _enrolment(user, _secret(row))


def start_enrolment(user: User, *, actor: User) -> Enrolment:
    """A new secret, not yet guarding sign-in until confirmed by a first code. Raises Conflict
    (already on), PermissionDenied."""
    require(actor.id == user.id)
    with write():
        row = _row(user)
        if row is not None and row.confirmed_at is not None:
            raise Conflict(_("Verifikasi dua langkah sudah aktif."))
        secret = pyotp.random_base32()
        if row is None:
            row = TwoFactor(user_id=user.id)
            db.session.add(row)
        row.secret = _fernet().encrypt(secret.encode()).decode()
        row.created_at, row.last_step, row.failures, row.window_start = utcnow(), 0, 0, None
    return _enrolment(user, secret)


def _clean(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())[:32]


def _hash(code: str) -> str:
    return hashlib.sha256(_clean(code).encode()).hexdigest()


def _new_recovery_codes(user_id: int) -> list[str]:
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = []
    for _i in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(alphabet) for _j in range(10))  # ~49 bits each
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user_id, code_hash=_hash(raw)))
    return codes


def _totp_step(secret: str, code: str) -> int | None:
    """The 30-second step whose code this is: the current one or either neighbour (clock drift)."""
    code = _clean(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(utcnow())
    return next((s for s in (now - 1, now, now + 1) if hmac.compare_digest(totp.generate_otp(s), code)), None)


def _refuse(user_id: int, message: str):
    """Count a wrong code in its own transaction (it must stay counted), then refuse."""
    with write():
        row = db.session.get(TwoFactor, user_id, with_for_update=True)  # parallel wrong codes all count
        now = utcnow()
        if row.window_start is None or now - row.window_start >= WINDOW:
            row.window_start, row.failures = now, 0
        row.failures += 1
    raise ValidationFailed(message, {"code": message})


def _check_window(row: TwoFactor) -> None:
    if row.window_start is not None and row.failures >= MAX_FAILURES and utcnow() - row.window_start < WINDOW:
        minutes = int((row.window_start + WINDOW - utcnow()).total_seconds() // 60) + 1
        raise TooManyCodes(ngettext("Terlalu banyak kode yang salah. Coba lagi dalam %(num)s menit.",
                                    "Terlalu banyak kode yang salah. Coba lagi dalam %(num)s menit.", minutes))


def _take_step(user_id: int, step: int) -> bool:
    """Accept the code of `step` once: one UPDATE, so two requests with one code cannot both pass."""
    return bool(db.session.execute(db.update(TwoFactor).where(TwoFactor.user_id == user_id, TwoFactor.last_step < step)
                                   .values(last_step=step, failures=0, window_start=None)).rowcount)


WRONG = "wrong"
REPLAYED = "replayed"


def confirm_enrolment(user: User, code: str, *, actor: User) -> list[str]:
    """Turn two-factor on with the first correct code; returns the recovery codes (shown once).
    Raises ValidationFailed, TooManyCodes, Conflict."""
    require(actor.id == user.id)
    row = _row(user)
    if row is None or row.confirmed_at is not None:
        raise Conflict(_("Tidak ada pendaftaran autentikator yang menunggu konfirmasi."))
    _check_window(row)
    step = _totp_step(_secret(row), code)
    if step is not None:
        with write():
            _take_step(user.id, step)
            db.session.get(TwoFactor, user.id).confirmed_at = utcnow()
            codes = _new_recovery_codes(user.id)
            audit.record(actor, "two_factor.enable", "user", user.id, {})
        return codes
    _refuse(user.id, _("Kode tidak cocok. Periksa jam di ponsel Anda, lalu masukkan kode yang sedang tampil."))


def _spend(user: User, secret: str, code: str) -> str:
    with write():
        step = _totp_step(secret, code)
        if step is not None:
            return "totp" if _take_step(user.id, step) else REPLAYED
        spent = db.session.execute(db.update(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code), RecoveryCode.used_at.is_(None))
            .values(used_at=utcnow())).rowcount
        if not spent:
            return WRONG
        audit.record(user, "two_factor.recovery_code_used", "user", user.id, {"left": recovery_codes_left(user)})
        return "recovery"


def verify_code(user: User, code: str) -> str:
    """Check the second factor of `user`: a current TOTP code or an unused recovery code (then
    spent). Returns "totp" or "recovery". Raises ValidationFailed, TooManyCodes."""
    row = _row(user)
    if row is None or row.confirmed_at is None:
        raise ValidationFailed(_("Verifikasi dua langkah belum aktif."), {})
    _check_window(row)
    outcome = _spend(user, _secret(row), code)
    if outcome == REPLAYED:
        _refuse(user.id, _("Kode ini sudah dipakai. Tunggu kode berikutnya di aplikasi autentikator."))
    if outcome == WRONG:
        _refuse(user.id, _("Kode tidak cocok."))
    return outcome


def recovery_codes_left(user: User) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).scalar_one()


def disable(user: User, code: str, *, actor: User) -> None:
    """Turn two-factor off with a current code. Raises PermissionDenied (required for the role),
    ValidationFailed, TooManyCodes."""
    require(actor.id == user.id)
    if is_required(user):
        raise PermissionDenied(_("Verifikasi dua langkah wajib untuk peran Anda dan tidak dapat dimatikan."))
    verify_code(user, code)
    with write():
        db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        db.session.execute(db.delete(TwoFactor).where(TwoFactor.user_id == user.id))
        audit.record(actor, "two_factor.disable", "user", user.id, {})


def reset(user: User, *, actor: User | None) -> None:
    """Remove two-factor from an account whose phone and recovery codes are both lost, so that it
    enrols again (at its next sign-in where two-factor is required). The command line only
    (`actor` None), after the person was identified outside the catalog."""
    if actor is not None:
        raise PermissionDenied(_("Verifikasi dua langkah hanya dapat direset oleh operator server."))
    with write():
        db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        db.session.execute(db.delete(TwoFactor).where(TwoFactor.user_id == user.id))
        audit.record(None, "two_factor.reset", "user", user.id, {})


def create_token(owner: User, *, code: str, label: str, actor: User, scopes, lifetime_days: int):
    """tokens.create_token, asking an account with two-factor for a current code first (a stolen
    session alone cannot mint a long-lived token). Raises ValidationFailed, TooManyCodes,
    PermissionDenied."""
    require(can_manage_tokens(actor, owner))
    if is_enabled(owner) and actor.id == owner.id:
        if not _clean(code):
            message = _("Masukkan kode dari aplikasi autentikator Anda.")
            raise ValidationFailed(message, {"code": message})
        verify_code(owner, code)
    return tokens.create_token(owner, label=label, actor=actor, scopes=scopes, lifetime_days=lifetime_days)


def account_for_second_step(user_id) -> User | None:
    """The active account waiting for its code (the id comes from the signed session)."""
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    return user if user is not None and user.active else None
