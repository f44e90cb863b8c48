"""The sign-in blueprint and its steps: a first factor (the password in web/auth.py, or single
sign-on in web/sso.py), then, for an account with two-factor, a code (web/sign_in_code.py).
Between the steps the cookie holds only PENDING: nobody is signed in until finish_sign_in()."""
from __future__ import annotations

import secrets
import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..models import User
from ..services.accounts import sessions, single_sign_on, two_factor, users

bp = Blueprint("auth", __name__)
# When this session signed in (Unix seconds), kept in the signed session cookie: the sign-in ends
# SESSION_MAX_AGE seconds later however active it is (issue 13). A session without it (made
# before this rule, or restored from a remember-me cookie) counts as expired.
SIGNED_IN_AT = "signed_in_at"
SESSION_ID = "sid"  # one per sign-in: what "Keluar" on this device ends; its row is listed on the account page
SEEN_AT = "seen_at"  # when this session's "last seen" was last written (at most every SESSION_SEEN_INTERVAL)
PENDING = "sign_in_pending"  # {"uid", "method", "next", "at", "enrol"} between the first factor and the code
PENDING_MAX_AGE = 600  # seconds to type the code after the password
NOT_CHECKED = frozenset({"api", "git"})  # bearer tokens there, never the session cookie


def current_actor() -> User | None:
    """The signed-in user, or None for a visitor: what services take as `actor`."""
    return current_user if current_user.is_authenticated else None


def safe_next(target: str | None, default: str | None = None) -> str:
    """Only same-site paths: no scheme, no host, no '//' or backslash tricks; else `default` (home)."""
    default = default or url_for("ui.home")
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


LANDING = {"adopter": "ui.my_region", "publisher": "ui.my_apps", "admin": "ui.review_list",
           "auditor": "ui.report_dashboard", "org_admin": "ui.people_list"}


def landing_page(user) -> str:
    """Where a sign-in without a `next` leads: each role's own work, not the public home."""
    return url_for(LANDING.get(user.role, "ui.home"))


def login_page(*, email: str = "", next_url: str = "", status: int = 200):
    return render_template("auth/login.html", email=email, next=next_url,
                           password_login=single_sign_on.password_login_enabled(),
                           sso=single_sign_on.sso_enabled(), sso_label=current_app.config["OIDC_LABEL"]), status


def finish_sign_in(user: User, *, method: str, next_url: str | None):
    """The person is signed in from here on: a new session id, its listed row, the welcome."""
    session.pop(PENDING, None)
    login_user(user)
    now = int(time.time())
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now
    session[SESSION_ID] = secrets.token_urlsafe(24)  # "Keluar" ends this one only
    sessions.start_session(user, session[SESSION_ID], method=method, user_agent=request.user_agent.string,
                           address=request.remote_addr or "")
    users.record_sign_in(user)  # complete now: both factors, and the organization's rules, passed
    flash(_("Selamat datang, %(name)s.", name=user.name), "success")
    return redirect(safe_next(next_url, landing_page(user)))


def after_first_factor(user: User, *, method: str, next_url: str | None):
    """Signed in now, or first the code (or, where two-factor is required, its enrolment)."""
    if not two_factor.is_enabled(user) and not two_factor.is_required(user):
        return finish_sign_in(user, method=method, next_url=next_url)
    logout_user()  # whoever was signed in on this browser before is not any more
    session[PENDING] = {"uid": user.id, "method": method, "next": next_url or "", "at": int(time.time()),
                        "enrol": not two_factor.is_enabled(user)}
    return redirect(url_for("auth.login_enrol" if session[PENDING]["enrol"] else "auth.login_code"))


