"""Signing in and out."""

import logging
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from staffrec.store.passwords import check_password, hash_password
from staffrec.store.users import UserError, password_hash_of

from . import login_manager
from .access import PortalUser, get_store
from .revocation import SESSION_KEY, new_session_id, revoked_of
from .throttle import minutes, throttle_of

bp = Blueprint("auth", __name__, url_prefix="/auth")
DUMMY_HASH = hash_password("no user has this password")
log = logging.getLogger(__name__)


class LoginForm(FlaskForm):
    """User name and password."""

    name = StringField("用户名", validators=[DataRequired("请输入用户名。")])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。")])


@login_manager.user_loader
def load_user(name):
    """Reload the signed-in user from the store on each request; a signed-out session loads nobody."""
    sid = session.get(SESSION_KEY)
    if sid is not None and sid in revoked_of(current_app):
        return None
    try:
        return PortalUser(get_store().user(name))
    except UserError:
        return None


def _safe_next(target):
    """Follow only a plain local path after sign-in (no scheme, host, backslash or control character)."""
    if not target or not target.startswith("/") or any(ch == "\\" or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and not target.startswith("//") else None


@bp.route("/login", methods=("GET", "POST"))
def login():
    """Show the sign-in form and sign the user in."""
    form = LoginForm()
    if form.validate_on_submit():
        throttle = throttle_of(current_app)
        keys = ("name:" + form.name.data.strip(), "address:" + str(request.remote_addr))
        wait = throttle.wait_seconds(*keys)
        if wait:
            # Blocked: the password is not checked at all, so guessing gains nothing.
            log.warning("sign-in throttled for %r from %s", form.name.data, request.remote_addr)
            flash(f"尝试次数过多，请 {minutes(wait)} 分钟后再试。", "error")
            return render_template("auth/login.html", form=form)
        store = get_store()
        with store.engine.connect() as conn:
            stored = password_hash_of(conn, form.name.data)
        # Hash even for an unknown name, so the answer's timing does not tell which names exist.
        matches = check_password(stored or DUMMY_HASH, form.password.data) and stored is not None
        if matches:
            throttle.reset(keys[0])
            target = _safe_next(request.args.get("next"))
            # A fresh session at sign-in: nothing (CSRF secret included) survives from before.
            session.clear()
            session[SESSION_KEY] = new_session_id()
            login_user(PortalUser(store.user(form.name.data)))
            return redirect(target or url_for("home.index"))
        throttle.failed(*keys)
        log.info("failed sign-in for %r from %s", form.name.data, request.remote_addr)
        flash("用户名或密码不正确。", "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=("POST",))
@login_required
def logout():
    """Sign out (a POST, so it carries the CSRF token); a copy of the session cookie stops working too."""
    sid = session.get(SESSION_KEY)
    if sid is not None:
        revoked_of(current_app).add(sid)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))
