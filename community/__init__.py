"""Roundtable: create_app() binds the extensions, blueprints, socket handlers, errors and CLI."""
from __future__ import annotations

import os

from flask import Flask, g, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import BASE_DIR, Config, config_from_env, normalise_database_url

from .extensions import csrf, db, limiter, login_manager, migrate, socketio


def create_app(config_class: type[Config] | None = None) -> Flask:
    config_class = config_class or config_from_env()
    config_class.validate()
    app = Flask(
        __name__,
        template_folder=os.path.join(BASE_DIR, "templates"),
        static_folder=os.path.join(BASE_DIR, "static"),
        instance_path=os.path.join(BASE_DIR, "instance"),
    )
    app.config.from_object(config_class)
    os.makedirs(app.instance_path, exist_ok=True)
    _configure_database(app)
    from . import request_limits

    request_limits.init_app(app)  # first: body limits hold before CSRF or any view reads a form

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    limiter.init_app(app)
    from . import i18n

    i18n.init_app(app)

    # Socket handlers must be imported before init_app (see STACK.md: handler registration order).
    from . import realtime

    origins = app.config["SOCKETIO_ALLOWED_ORIGINS"] or None  # None: same origin only
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
        channel=app.config["SOCKETIO_CHANNEL"],
        cors_allowed_origins=origins,
        manage_session=True,
        ping_interval=20,
        ping_timeout=20,
        max_http_buffer_size=app.config["MAX_CONTENT_LENGTH"],  # the same limit as HTTP bodies
    )
    if app.config["SOCKETIO_MESSAGE_QUEUE"] and not app.testing:
        realtime.start_control_listener(app)
        realtime.start_connection_refresher(app)
    if app.config.get("PROXY_FIX"):
        # Wraps the Socket.IO middleware too, so sockets see the client's address as well.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    from .api import bp as api_bp
    from .views import register_views

    register_views(app)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # the API checks CSRF itself for cookie-authenticated calls

    from .errors import register_error_handlers

    register_error_handlers(app)

    from .cli import register_cli

    register_cli(app)
    _register_request_hooks(app)
    return app


def _configure_database(app: Flask) -> None:
    uri = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        options.setdefault("connect_args", {"timeout": 5})
        if app.config["SOCKETIO_ASYNC_MODE"] == "eventlet":
            # One connection: greenlets queue for it cooperatively instead of
            # blocking the hub in SQLite's busy handler (STACK.md, check 4).
            options.update(pool_size=1, max_overflow=0, pool_timeout=30)
    else:
        options.setdefault("pool_pre_ping", True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _register_request_hooks(app: Flask) -> None:
    from . import events
    from .models import User
    from .permissions import Guardian

    @login_manager.user_loader
    def load_user(session_id: str):
        user_id, _, version = (session_id or "").partition(":")
        if not (user_id.isascii() and user_id.isdigit() and len(user_id) < 11):
            return None
        user = db.session.get(User, int(user_id))
        if user is None or str(user.session_version) != version:
            return None
        return user

    @app.teardown_appcontext
    def _emit_leftovers(_exc):
        # Events of a commit made outside events.commit() still go out, after it.
        if _exc is None:
            events.emit_ready()

    @app.context_processor
    def _guardian():
        if "guardian" not in g:
            g.guardian = Guardian(current_user._get_current_object() if current_user else None)
        unread = 0
        if current_user and current_user.is_authenticated:  # no user outside a request (CLI, tests)
            from .actions.notifications import unread_count

            unread = unread_count(current_user)
        return {"guardian": g.guardian, "unread_notifications": unread}

    @app.after_request
    def _security_headers(response):
        if app.config.get("SEND_SECURITY_HEADERS"):
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                "font-src 'self'; connect-src 'self' ws: wss:; object-src 'none'; "
                "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
            )
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("X-Frame-Options", "DENY")
            response.headers.setdefault("Referrer-Policy", "same-origin")
            response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
