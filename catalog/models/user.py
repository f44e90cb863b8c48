"""Users, their role and their personal access tokens."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .organization import Organization
from .types import UTCDateTime, utcnow


class Role(str, enum.Enum):
    ADMIN = "admin"
    # Manages the accounts of one organization (issue 16): invites, changes roles, deactivates.
    ORG_ADMIN = "org_admin"
    PUBLISHER = "publisher"
    ADOPTER = "adopter"
    AUDITOR = "auditor"


class User(db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    # Empty until an invited person sets a password from the invitation link (no password works).
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped by "sign out everywhere" or a password change: every session cookie stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    # Digests of the sessions signed out one at a time ("Keluar" on one device), each until the
    # session would have expired anyway; read with the user row, so checking costs no query.
    ended_sessions: Mapped[list] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Every successful sign-in, whatever the way (users.record_sign_in): the people list filters on it.
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    organization: Mapped[Organization] = relationship(lazy="joined")

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def invitation_pending(self) -> bool:
        """Invited, and has neither set a password nor signed in another way yet."""
        return not self.password_hash and self.last_login_at is None

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


# What a personal access token may do (CONTRACT.md): `git` clone and push, `read` the API as
# its owner, `write` through the API. `write` includes `read`: every write answers with data.
TOKEN_SCOPES = ("git", "read", "write")
SCOPE_IMPLIES = {"write": frozenset({"read"})}


class AccessToken(db.Model):
    """A personal access token; only its SHA-256 is kept (the token itself is shown once).
    It carries scopes and always expires (issue 13)."""

    __tablename__ = "access_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    label: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # comma-separated names from TOKEN_SCOPES, in that order ("git,read,write")
    scopes: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def scope_list(self) -> list[str]:
        return [s for s in (self.scopes or "").split(",") if s]

    def allows(self, scope: str) -> bool:
        """Whether this token carries `scope`, directly or through one that includes it."""
        have = set(self.scope_list)
        return scope in have or any(scope in SCOPE_IMPLIES.get(s, ()) for s in have)

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at <= (now or utcnow())
