"""Pemberitahuan: the signed-in user's notifications, read and unread, and the count in the nav."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from ...extensions import db
from ...services.accounts import notifications
from .. import page_cache
from ..auth import safe_next
from .blueprint import bp, page_arg


@bp.record_once
def _template_globals(state) -> None:
    state.app.jinja_env.globals["unread_notifications"] = _unread


def _unread() -> int:
    """For the nav: one COUNT, only for a signed-in user; a badge never breaks a page (an error
    page may render while the session is unusable)."""
    if not current_user or not current_user.is_authenticated:
        return 0
    try:
        return notifications.unread_count(current_user)
    except SQLAlchemyError:
        db.session.rollback()
        return 0


@bp.get("/notifications")
@login_required
def notification_list():
    page_cache.keep_for_session()
    unread_only = request.args.get("filter") == "unread"
    page = notifications.list_for(current_user, unread_only=unread_only, page=page_arg())
    return render_template("notifications/list.html", page=page, unread_only=unread_only)


@bp.post("/notifications/read")
@login_required
def notification_read_all():
    notifications.mark_read(current_user)
    return redirect(url_for("ui.notification_list"))


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def notification_read(notification_id: int):
    """Mark one read; with `next` (its link, a path of ours) the browser goes there."""
    notifications.mark_one_read(current_user, notification_id)
    if request.form.get("next"):
        return redirect(safe_next(request.form["next"]))
    return redirect(url_for("ui.notification_list", filter=request.args.get("filter") or None))
