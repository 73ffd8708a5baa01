"""The staffrec review portal: a thin Flask layer whose views call the library."""

import os
import secrets

from flask import Flask, render_template
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

from staffrec.store import Store
from staffrec.store.db import upgrade_schema
from staffrec.store.failures import BUSY, StoreUnavailableError, unavailable

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录。"

# Uploads are ZIP batches of a county's templates; the ZIP reader's own limits apply inside.
DEFAULT_MAX_UPLOAD = 300 * 1024 * 1024


def _defaults(app):
    """Configuration that instance/portal.cfg and STAFFREC_* environment variables may override."""
    app.config.from_mapping(
        SECRET_KEY=None,
        DATABASE_URL=None,
        FILES=None,
        MAX_CONTENT_LENGTH=DEFAULT_MAX_UPLOAD,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=True,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=True,
        WTF_CSRF_TIME_LIMIT=None,
        TRUSTED_PROXIES=0,
        LOGIN_MAX_FAILURES=5,
        LOGIN_WINDOW_SECONDS=15 * 60,
    )


def _secret_key(app):
    """Use the configured key, else one kept in the instance folder (created once, never logged)."""
    path = os.path.join(app.instance_path, "secret_key")
    if os.path.exists(path):
        with open(path, encoding="ascii") as handle:
            key = handle.read().strip()
        if key:
            return key
        os.unlink(path)  # an empty key file (a crash while writing it) would sign nothing
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def create_app(test_config=None):
    """Create the portal: config from defaults, instance/portal.cfg, STAFFREC_* env, then `test_config`."""
    app = Flask(__name__, instance_relative_config=True)
    _defaults(app)
    os.makedirs(app.instance_path, exist_ok=True)
    if test_config is None:
        app.config.from_pyfile("portal.cfg", silent=True)
        app.config.from_prefixed_env("STAFFREC")
    else:
        app.config.from_mapping(test_config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _secret_key(app)
    app.extensions["staffrec_store"] = Store(app.config["DATABASE_URL"], app.config["FILES"])
    _upgrade_schema(app)
    _remove_stale_temp(app)
    if app.config["TRUSTED_PROXIES"]:
        # Behind a reverse proxy the client's address (for the audit log) is in X-Forwarded-For.
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    csrf.init_app(app)
    login_manager.init_app(app)

    from . import audit, auth, datasets, downloads, export, history, home, printing, reports, review_actions, uploads

    for module in (auth, home, datasets, review_actions, uploads, downloads, history, printing, export, reports, audit):
        app.register_blueprint(module.bp)
    _error_pages(app)
    _security_headers(app)
    _remove_stale_uploads(app)
    return app


def _upgrade_schema(app):
    """Add the tables of this version to a store an older version initialised (nothing else changes)."""
    try:
        added = upgrade_schema(app.extensions["staffrec_store"].engine)
    except SQLAlchemyError as exc:  # the database is not reachable now: the pages will say so
        app.logger.warning("could not check the database tables: %s", getattr(exc, "orig", exc))
        return
    if added:
        app.logger.warning("added the database tables of this version: %s", ", ".join(added))


def _remove_stale_temp(app):
    """Remove the temp files of the file store that a killed process left (they hold staff data)."""
    try:
        removed = app.extensions["staffrec_store"].files.remove_stale_temp()
    except OSError as exc:
        app.logger.warning("could not sweep the file store's temp files: %s", exc)
        return
    if removed:
        app.logger.warning("removed %d temp files left in the file store by an interrupted write", removed)


def _remove_stale_uploads(app):
    """Remove the upload folders a killed portal process left (its uploads hold staff data); see portal.jobs."""
    from .jobs import registry_of

    try:
        registry_of(app).remove_stale()
    except OSError as exc:
        app.logger.warning("could not sweep the upload temp folder: %s", exc)


# Pages carry staff ID numbers: no caching, no framing (the review buttons), scripts from here only.
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
}


def _security_headers(app):
    """Add the security headers to every response, and no-store to every page."""

    @app.after_request
    def secure(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if response.mimetype == "text/html":
            response.headers["Cache-Control"] = "no-store"
        return response


def _error_pages(app):
    """Chinese error pages; a user never sees a traceback."""

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("error.html", title="页面不存在", message="您要找的页面不存在，或不在您的管辖范围内。"), 404

    @app.errorhandler(CSRFError)
    def csrf_failed(_error):
        return render_template("error.html", title="表单已失效", message="表单已过期或来源不明，请返回刷新页面后重试。"), 400

    @app.errorhandler(400)
    def bad_request(_error):
        return render_template("error.html", title="请求有误", message="请求的内容不完整或格式不对，请返回重试。"), 400

    @app.errorhandler(405)
    def wrong_method(_error):
        return render_template("error.html", title="操作方式不对", message="此页面不能这样打开，请从页面上的按钮操作。"), 405

    @app.errorhandler(413)
    def too_large(_error):
        limit = app.config["MAX_CONTENT_LENGTH"] / (1024 * 1024)
        return render_template("error.html", title="文件太大", message=f"上传的文件超过 {limit:.3g} MB，请分批上传。"), 413

    @app.errorhandler(500)
    def server_error(_error):
        return render_template("error.html", title="系统出错", message="系统处理时出错，已记录，请稍后重试或联系管理员。"), 500

    @app.errorhandler(StoreUnavailableError)
    @app.errorhandler(SQLAlchemyError)
    @app.errorhandler(OSError)
    def store_failed(error):
        """A busy database or a full disk answers 503 with what to do; anything else goes on to the 500."""
        failure = unavailable(error)
        if failure is None:
            raise error  # Flask logs it and answers with server_error (tests see the exception)
        app.logger.warning("store unavailable: %s", getattr(error, "orig", error))
        title = "系统繁忙" if failure.reason == BUSY else "磁盘空间不足"
        return render_template("error.html", title=title, message=str(failure)), 503, {"Retry-After": "30"}
