"""Roundtable: create_app() binds the extensions, blueprints, socket handlers, errors and CLI."""
from __future__ import annotations

import os
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BASE_DIR, Config, config_from_env, normalise_database_url

from . import auth, broadcast, dates, events, i18n, realtime, request_limits
from .actions import names  # noqa: F401  (keeps the names' confusables keys in step)
from .actions.notifications import unread_count
from .api import bp as api_bp
from .cli import register_cli
from .errors import register_error_handlers
from .extensions import csrf, db, migrate, socketio
from .views import register_views


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
    # Flask-Login's remember cookie lasts as long as the session behind it (actions/sessions.py).
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(days=app.config["REMEMBER_DAYS"])
    os.makedirs(app.instance_path, exist_ok=True)
    _configure_database(app)
    request_limits.init_app(app)  # first: body limits hold before CSRF or any view reads a form

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True)
    auth.init_app(app)  # Flask-Login: the session cookie or an API token, for pages, API and sockets
    csrf.init_app(app)
    i18n.init_app(app)
    dates.init_app(app)

    # Socket handlers are registered (realtime, imported above) before init_app (STACK.md:
    # handler registration order).
    origins = app.config["SOCKETIO_ALLOWED_ORIGINS"] or None  # None: same origin only
    queue_options = {"message_queue": app.config["SOCKETIO_MESSAGE_QUEUE"], "channel": app.config["SOCKETIO_CHANNEL"]}
    if app.config["SOCKETIO_ASYNC_MODE"] == "eventlet":
        # Room events written once, straight to the websockets that can take them (broadcast.py).
        queue_options["client_manager"] = broadcast.client_manager(queue_options.pop("message_queue"),
                                                                   queue_options.pop("channel"))
    if app.config["SOCKETIO_TRANSPORTS"]:
        queue_options["transports"] = app.config["SOCKETIO_TRANSPORTS"]  # Engine.IO's option
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        **queue_options,
        cors_allowed_origins=origins,
        manage_session=True,
        ping_interval=20,
        ping_timeout=20,
        max_http_buffer_size=app.config["MAX_CONTENT_LENGTH"],  # the same limit as HTTP bodies
    )
    broadcast.install(socketio.server)
    if app.config["SOCKETIO_MESSAGE_QUEUE"] and not app.testing:
        realtime.start_control_listener(app)
        realtime.start_connection_refresher(app)
    if app.config.get("PROXY_FIX"):
        # Wraps the Socket.IO middleware too, so sockets see the client's address as well.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    register_views(app)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # the API checks CSRF itself for cookie-authenticated calls

    register_error_handlers(app)
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
    @app.before_request
    def _load_the_signed_in_user():
        # Resolve the session before anything else runs: its occasional last-seen write then
        # commits on its own, never in the middle of a view's unit of work.
        if request.endpoint != "static":
            current_user._get_current_object()

    @app.teardown_appcontext
    def _emit_leftovers(_exc):
        # Events of a commit made outside events.commit() still go out, after it.
        if _exc is None:
            events.emit_ready()

    @app.context_processor
    def _guardian():
        guardian = auth.current_guardian()
        # No user outside a request (CLI, tests), nor for a visitor.
        unread = unread_count(current_user) if current_user and current_user.is_authenticated else 0
        return {"guardian": guardian, "unread_notifications": unread}

    socket_sources = _socket_sources(app.config["SOCKETIO_ALLOWED_ORIGINS"])

    @app.after_request
    def _security_headers(response):
        if app.config.get("SEND_SECURITY_HEADERS"):
            # Sockets: this site ('self'; its ws/wss origin spelled out for browsers whose
            # 'self' does not cover websockets) and exactly the configured socket origins.
            own = ("wss://" if request.scheme == "https" else "ws://") + request.host
            connect = " ".join(dict.fromkeys(["'self'", own, *socket_sources]))
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                f"font-src 'self'; connect-src {connect}; object-src 'none'; "
                "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
            )
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("X-Frame-Options", "DENY")
            response.headers.setdefault("Referrer-Policy", "same-origin")
            response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
            if app.config.get("HSTS_SECONDS"):
                response.headers.setdefault("Strict-Transport-Security",
                                            f"max-age={int(app.config['HSTS_SECONDS'])}; includeSubDomains")
        # What a signed-in person sees (and every API answer) stays out of shared and
        # back-button caches: it may be private, and it is stale after signing out.
        # A view that chose private caching itself (files: community/views/files.py) keeps it.
        if (request.path.startswith("/api/") or (request.endpoint != "static" and current_user.is_authenticated)) \
                and not response.headers.get("Cache-Control", "").startswith("private"):
            response.headers["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        return response


def _socket_sources(origins: list[str]) -> list[str]:
    """CSP sources for the configured socket origins: each as given and as its websocket twin."""
    sources = []
    for origin in origins:
        parts = urlsplit(origin.strip())
        if parts.scheme not in ("http", "https", "ws", "wss") or not parts.netloc \
                or any(ch in parts.netloc for ch in " ;,'\"*"):
            continue  # "*" and anything malformed would widen the policy: left out
        secure = parts.scheme in ("https", "wss")
        sources += [("https://" if secure else "http://") + parts.netloc,
                    ("wss://" if secure else "ws://") + parts.netloc]
    return sources
