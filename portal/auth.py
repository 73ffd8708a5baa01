"""Signing in and out."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from staffrec.store.passwords import check_password, hash_password
from staffrec.store.users import UserError, get_user, password_hash_of

from . import login_manager
from .access import PortalUser, get_store

bp = Blueprint("auth", __name__, url_prefix="/auth")
DUMMY_HASH = hash_password("no user has this password")


class LoginForm(FlaskForm):
    """User name and password."""

    name = StringField("用户名", validators=[DataRequired("请输入用户名。")])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。")])


@login_manager.user_loader
def load_user(name):
    """Reload the signed-in user from the store on each request."""
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
        store = get_store()
        with store.engine.connect() as conn:
            stored = password_hash_of(conn, form.name.data)
        # Hash even for an unknown name, so the answer's timing does not tell which names exist.
        matches = check_password(stored or DUMMY_HASH, form.password.data) and stored is not None
        if matches:
            target = _safe_next(request.args.get("next"))
            # A fresh session at sign-in: nothing (CSRF secret included) survives from before.
            session.clear()
            login_user(PortalUser(store.user(form.name.data)))
            return redirect(target or url_for("home.index"))
        flash("用户名或密码不正确。", "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=("POST",))
@login_required
def logout():
    """Sign out (a POST, so it carries the CSRF token)."""
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))
