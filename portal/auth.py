"""Signing in and out."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from staffrec.store.passwords import check_password
from staffrec.store.users import UserError, get_user, password_hash_of

from . import login_manager
from .access import PortalUser, get_store

bp = Blueprint("auth", __name__, url_prefix="/auth")


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
    """Follow only local redirects after sign-in."""
    return target if target and target.startswith("/") and not target.startswith("//") else None


@bp.route("/login", methods=("GET", "POST"))
def login():
    """Show the sign-in form and sign the user in."""
    form = LoginForm()
    if form.validate_on_submit():
        store = get_store()
        with store.engine.connect() as conn:
            stored = password_hash_of(conn, form.name.data)
        if stored and check_password(stored, form.password.data):
            login_user(PortalUser(store.user(form.name.data)))
            return redirect(_safe_next(request.args.get("next")) or url_for("home.index"))
        flash("用户名或密码不正确。", "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=("POST",))
@login_required
def logout():
    """Sign out (a POST, so it carries the CSRF token)."""
    logout_user()
    return redirect(url_for("auth.login"))
