"""Configuration classes, read from the environment.

Development is the default: SQLite in WAL mode under instance/, one eventlet
process. Production refuses to start without a real SECRET_KEY.
"""
from __future__ import annotations

import json
import os

BASE_DIR = os.path.abspath(os.path.dirname(__file__))
INSECURE_KEY = "dev-insecure-change-me"


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Sign-in, registration and password-reset limits (community/actions/accounts.py). Sign-in
# counts failed attempts only: per account (whichever address they come from) and per address
# (whichever accounts they try). Registration and reset requests count every request.
ACCOUNT_RATE_LIMITS = {
    "login_account": "10/minute;50/hour",
    "login_address": "20/minute;200/hour",
    "register_address": "20/hour;100/day",
    "register_email": "3/hour",
    "reset_address": "10/hour",
    "reset_email": "3/hour",
    "password_check": "10/minute;30/hour",
}


def _json_dict(name: str) -> dict:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {}
    value = json.loads(raw)
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise RuntimeError(f'{name} must be a JSON object of rule strings, e.g. {{"post": "10/minute"}}')
    return value


# Write paths' limits (community/ratelimit.py), in the `limits` notation ("8/minute;60/hour":
# every part holds). "name:tier" is the stricter (or looser) rule of a tier: "newcomer" (an
# account younger than RATE_LIMIT_NEWCOMER_DAYS), or a role: "supplier", "member", "admin".
# The same limit holds on every face (form, API, socket): the actions count. RATE_LIMITS in
# the environment (a JSON object) changes or adds rules.
DEFAULT_RATE_LIMITS: dict[str, str] = {
    "post": "8/minute;60/hour;300/day",          # replies and opening posts
    "post:newcomer": "3/minute;20/hour;60/day",
    "post:admin": "30/minute;600/hour",
    "thread": "3/minute;20/hour",                 # new threads (their opening post counts as a post too)
    "thread:newcomer": "1/minute;5/hour",
    "thread:admin": "20/minute",
    "edit": "15/minute;120/hour",                 # editing a post re-renders it
    "flag": "10/minute;60/hour",
    "flag:newcomer": "4/minute;20/hour",
    "live_question": "3/30seconds;30/hour",       # per person, across sessions
    "vote": "60/minute;600/hour",                 # live question votes (and taking them back)
    "chat": "5/10seconds;300/hour",               # live chat, besides the session's slow mode; hosts are not limited
    "reaction": "30/minute;500/hour",             # for the reactions issue: actions call hit("reaction", ...)
    "upload": "10/minute;60/hour",                # for the uploads issue: actions call hit("upload", ...)
    "read": "120/minute;3000/hour",               # "read up to here" as posts scroll into view
    "mention_email": "5/hour",                    # mention emails one person receives (the rest: in-app only)
    "socket_connect": "30/minute;600/hour",       # sockets one person opens (each page load opens one)
    # The @mention autocomplete (GET /api/v1/users): enough for typing names, too few to
    # page through the membership.
    "users_lookup": "20/minute;200/hour;500/day",
    # The composer's Markdown preview (POST /api/v1/preview): renders like a post, so bounded
    # like one, but a person previews more often than they post.
    "preview": "20/minute;300/hour",
    **ACCOUNT_RATE_LIMITS,
}


# The file types Roundtable can recognise (community/files/kinds.py), all accepted by default.
FILE_TYPE_NAMES = ("jpeg", "png", "webp", "gif", "pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "csv", "txt")


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", "sqlite:///" + os.path.join(BASE_DIR, "instance", "roundtable.db")
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # "eventlet" in production (wsgi.py), "threading" in tests and the CLI.
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "threading")
    SOCKETIO_MESSAGE_QUEUE = os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None
    # The pub/sub channel shared by the workers of one deployment (Redis channels are global).
    SOCKETIO_CHANNEL = os.environ.get("SOCKETIO_CHANNEL", "roundtable")
    # Origins allowed to open a socket; empty means "this site's own origin only".
    SOCKETIO_ALLOWED_ORIGINS = _list("SOCKETIO_ALLOWED_ORIGINS")
    # eventlet.wsgi serves at most this many connections per process.
    MAX_CONNECTIONS = int(os.environ.get("MAX_CONNECTIONS", "10000"))
    # Sockets one person may hold open at once (every worker counted, through Redis in a
    # cluster), and sockets from one address (generous: offices and campuses share one).
    # 0: no limit. The next one is refused with a reason the page shows.
    SOCKETS_PER_USER = int(os.environ.get("SOCKETS_PER_USER", "20"))
    SOCKETS_PER_ADDRESS = int(os.environ.get("SOCKETS_PER_ADDRESS", "1000"))
    # The largest request body (and Socket.IO message) accepted, in bytes: larger ones are
    # answered 413 before their body is read. A 20,000-character post is at most ~240 KB
    # even with every character escaped (%XX in forms, \uXXXX in JSON). Endpoints that take
    # files declare their own limit (community/request_limits.py: allow_body).
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(512 * 1024)))
    # Behind nginx (deploy/cluster.py): trust one proxy's X-Forwarded-For/-Proto/-Host.
    # Off by default, so a client talking to a worker directly cannot choose its address.
    PROXY_FIX = _bool("PROXY_FIX")
    HOST = os.environ.get("HOST", "127.0.0.1")
    PORT = int(os.environ.get("PORT", "5000"))
    # Several workers on one HOST:PORT with SO_REUSEPORT, the kernel spreading connections
    # over them (wsgi.py; deploy/cluster.py --front reuseport). Nothing is sticky then.
    REUSE_PORT = _bool("REUSE_PORT")
    # The Engine.IO transports served ("polling,websocket" when empty). The shared-port
    # cluster serves "websocket" only: a long-polling session lives in one worker, and the
    # kernel would send its next request to any of them.
    SOCKETIO_TRANSPORTS = _list("SOCKETIO_TRANSPORTS")

    # How long missed room events are kept for reconnecting clients.
    EVENT_RETENTION_HOURS = int(os.environ.get("EVENT_RETENTION_HOURS", "48"))

    # Limits on what users send.
    POST_MAX_CHARS = 20_000
    # Rendering posts (community/rendering.py): worker processes per server process (0:
    # render in-process; the default under eventlet is 2), and the CPU seconds one post may
    # take there before it is refused as too complex (its text is kept).
    RENDER_WORKERS = int(os.environ.get("RENDER_WORKERS", "2" if SOCKETIO_ASYNC_MODE == "eventlet" else "0"))
    RENDER_TIMEOUT_SECONDS = float(os.environ.get("RENDER_TIMEOUT_SECONDS", "0.3"))
    # People notified of one post's @mentions (the rest stay plain names; the author is told).
    MENTIONS_NOTIFIED_PER_POST = int(os.environ.get("MENTIONS_NOTIFIED_PER_POST", "10"))
    TITLE_MAX_CHARS = 200
    THREADS_PER_PAGE = 30
    POSTS_PER_PAGE = 50
    # Read state (community/actions/reading.py): a thread never opened counts as "new" this
    # many days after it was started; the home page's lists show this many threads a page.
    READ_NEW_DAYS = int(os.environ.get("READ_NEW_DAYS", "14"))
    # Unread and new counts per topic are kept this many seconds per user and process (0: off);
    # any new post or thread, or the user's own reading, makes new ones at once. The home page's
    # threads per topic (actions.home.topic_stats) too, per set of readable topics.
    READ_COUNTS_CACHE_SECONDS = int(os.environ.get("READ_COUNTS_CACHE_SECONDS", "30"))
    HOME_LIST_SIZE = 20
    # Rendered posts kept per process for thread pages (community/views/main.py post_html); 0: off.
    POST_FRAGMENT_CACHE_SIZE = int(os.environ.get("POST_FRAGMENT_CACHE_SIZE", "5000"))
    FLAGS_TO_HIDE = int(os.environ.get("FLAGS_TO_HIDE", "3"))
    INVITATION_DAYS = 14

    # Passwords (community/passwords.py): the argon2id cost of a hash (~0.1 s and 64 MiB each),
    # how many hashes may run at once in one process, and the zxcvbn score (0-4) a new password needs.
    PASSWORD_HASH_TIME_COST = int(os.environ.get("PASSWORD_HASH_TIME_COST", "2"))
    PASSWORD_HASH_MEMORY_KIB = int(os.environ.get("PASSWORD_HASH_MEMORY_KIB", "65536"))
    PASSWORD_HASH_PARALLELISM = int(os.environ.get("PASSWORD_HASH_PARALLELISM", "1"))
    PASSWORD_HASH_CONCURRENCY = int(os.environ.get("PASSWORD_HASH_CONCURRENCY", "2"))
    # Under eventlet, hash in a real thread (eventlet.tpool) so the hub keeps serving; 0 only to
    # measure what it saves (bench/signin.py).
    PASSWORD_HASH_OFFLOAD = _bool("PASSWORD_HASH_OFFLOAD", True)
    PASSWORD_MIN_SCORE = int(os.environ.get("PASSWORD_MIN_SCORE", "3"))
    # How long a "forgot your password" link works.
    PASSWORD_RESET_MINUTES = int(os.environ.get("PASSWORD_RESET_MINUTES", "60"))

    # Sessions (community/actions/sessions.py): remember-me lasts REMEMBER_DAYS (and no session
    # lasts longer); a session without it ends after SESSION_IDLE_HOURS unused. last_seen is
    # written at most every SESSION_TOUCH_SECONDS, a token's last_used_at every TOKEN_TOUCH_SECONDS.
    REMEMBER_DAYS = int(os.environ.get("REMEMBER_DAYS", "30"))
    SESSION_IDLE_HOURS = int(os.environ.get("SESSION_IDLE_HOURS", "24"))
    SESSION_TOUCH_SECONDS = 300
    TOKEN_TOUCH_SECONDS = 60
    # How often each server process re-checks the sessions and tokens behind its open sockets.
    SOCKET_SWEEP_SECONDS = 60
    # A room whose events come faster than this gets them as one `batch` event per tick
    # (community/events.py, docs/socket-events.md); 0 sends every event on its own.
    EVENT_BATCH_SECONDS = float(os.environ.get("EVENT_BATCH_SECONDS", "0.05"))

    # Files (community/files/, docs/files.md). A file's type is decided from its content, never
    # from its name or the Content-Type it was sent with; FILE_TYPES lists the types accepted:
    # jpeg png webp gif (images: decoded and re-encoded without metadata), pdf, docx xlsx pptx
    # (Office Open XML) and odt ods odp (OpenDocument), both without macros, csv and txt (UTF-8).
    FILE_TYPES = _list("FILE_TYPES", ",".join(FILE_TYPE_NAMES))
    FILE_MAX_BYTES = int(os.environ.get("FILE_MAX_BYTES", str(10 * 1024 * 1024)))  # one file, as sent
    FILE_POST_MAX_COUNT = int(os.environ.get("FILE_POST_MAX_COUNT", "10"))  # files in one post
    FILE_POST_MAX_BYTES = int(os.environ.get("FILE_POST_MAX_BYTES", str(25 * 1024 * 1024)))  # their total
    # Files one person has uploaded that no post uses yet (more are refused until some are used
    # or pruned), and how long such files are kept (`flask files prune`).
    FILE_UNATTACHED_MAX_COUNT = int(os.environ.get("FILE_UNATTACHED_MAX_COUNT", "20"))
    FILE_UNATTACHED_HOURS = int(os.environ.get("FILE_UNATTACHED_HOURS", "24"))
    # Images: larger ones (width x height) are refused before they are decoded; the stored image
    # fits in IMAGE_MAX_SIDE pixels, its thumbnail in IMAGE_THUMBNAIL_SIDE.
    IMAGE_MAX_PIXELS = int(os.environ.get("IMAGE_MAX_PIXELS", str(40_000_000)))
    IMAGE_MAX_SIDE = int(os.environ.get("IMAGE_MAX_SIDE", "2560"))
    IMAGE_THUMBNAIL_SIDE = int(os.environ.get("IMAGE_THUMBNAIL_SIDE", "400"))
    # Office documents are ZIP archives: ones with more entries, or more bytes once unpacked, are
    # refused before anything in them is read (zip bombs).
    ZIP_MAX_ENTRIES = int(os.environ.get("ZIP_MAX_ENTRIES", "2000"))
    ZIP_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("ZIP_MAX_UNCOMPRESSED_BYTES", str(200 * 1024 * 1024)))
    # Checking and cleaning a file is CPU work: done in FILE_WORKERS worker processes per server
    # process (0: in-process, as tests and the CLI do), each file with a budget of
    # FILE_PROCESS_SECONDS of CPU time and each worker with FILE_WORKER_MEMORY_MB of memory.
    FILE_WORKERS = int(os.environ.get("FILE_WORKERS", "1" if SOCKETIO_ASYNC_MODE == "eventlet" else "0"))
    FILE_PROCESS_SECONDS = float(os.environ.get("FILE_PROCESS_SECONDS", "10"))
    FILE_WORKER_MEMORY_MB = int(os.environ.get("FILE_WORKER_MEMORY_MB", "1024"))
    # Where files are kept: "local" (FILE_STORAGE_PATH, default instance/uploads) or "s3" (any
    # S3-compatible service: S3_ENDPOINT_URL, S3_BUCKET, S3_REGION, the keys, and S3_PREFIX
    # before every key). Names in storage are the content's SHA-256, never the user's file name.
    FILE_STORAGE = os.environ.get("FILE_STORAGE", "local")
    FILE_STORAGE_PATH = os.environ.get("FILE_STORAGE_PATH", os.path.join(BASE_DIR, "instance", "uploads"))
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "https://s3.amazonaws.com")
    S3_BUCKET = os.environ.get("S3_BUCKET", "")
    S3_REGION = os.environ.get("S3_REGION", "us-east-1")
    S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID", "")
    S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY", "")
    S3_PREFIX = os.environ.get("S3_PREFIX", "")
    # How long a browser may keep a file it was served (privately: files are never in shared caches).
    FILE_CACHE_SECONDS = int(os.environ.get("FILE_CACHE_SECONDS", "3600"))

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    # Limits of community/ratelimit.py, by name (and "name:tier" for a stricter tier), in the
    # `limits` notation. The same limit holds on every path: pages, API and sockets.
    RATE_LIMITS: dict[str, str] = {**DEFAULT_RATE_LIMITS, **_json_dict("RATE_LIMITS")}
    RATE_LIMIT_NEWCOMER_DAYS = int(os.environ.get("RATE_LIMIT_NEWCOMER_DAYS", "7"))

    # Email (community/mail/). Without MAIL_SERVER, messages are printed to the console.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT")
                    or (465 if _bool("MAIL_USE_SSL") else 587 if _bool("MAIL_USE_TLS") else 25))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")  # STARTTLS after connecting
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")  # TLS from the first byte (SMTPS, usually port 465)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Roundtable <no-reply@roundtable.localhost>")
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND") or ("smtp" if os.environ.get("MAIL_SERVER") else "console")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "15"))
    # Retries: 1, 2, 4 ... minutes, capped, then "failed" (visible on /admin/mail).
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "10"))
    MAIL_RETRY_BASE_SECONDS = int(os.environ.get("MAIL_RETRY_BASE_SECONDS", "60"))
    MAIL_RETRY_MAX_SECONDS = int(os.environ.get("MAIL_RETRY_MAX_SECONDS", "14400"))
    # The in-process sender started by wsgi.py (off when cron runs `flask mail send-due`).
    MAIL_SENDER_ENABLED = _bool("MAIL_SENDER_ENABLED", True)
    MAIL_SEND_INTERVAL_SECONDS = float(os.environ.get("MAIL_SEND_INTERVAL_SECONDS", "5"))
    MAIL_DIGEST_INTERVAL_SECONDS = float(os.environ.get("MAIL_DIGEST_INTERVAL_SECONDS", "600"))
    MAIL_UNSUBSCRIBE_DAYS = int(os.environ.get("MAIL_UNSUBSCRIBE_DAYS", "60"))
    # Absolute links in emails (sent outside any request); default http://HOST:PORT.
    SITE_URL = os.environ.get("SITE_URL", "")

    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SEND_SECURITY_HEADERS = True
    # Strict-Transport-Security max-age (seconds); 0 sends none. On in production.
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "0"))

    @classmethod
    def validate(cls) -> None:
        """Raise if this configuration must not start."""


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SOCKETIO_ASYNC_MODE = "threading"
    RENDER_WORKERS = 0  # in-process; tests of the workers turn them on
    SOCKETIO_MESSAGE_QUEUE = None
    WTF_CSRF_ENABLED = False
    # Cheap hashes: tests sign in hundreds of times (the timing test sets the real cost).
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_KIB = 8
    PASSWORD_HASH_PARALLELISM = 1
    RATELIMIT_ENABLED = False
    READ_COUNTS_CACHE_SECONDS = 0  # tests change posts behind the counts' back (one test turns it on)
    MAIL_BACKEND = "console"
    MAIL_SERVER = ""
    SITE_URL = "http://roundtable.test"
    # Tests that store files point this at their own temporary folder.
    FILE_STORAGE_PATH = os.path.join(BASE_DIR, "instance", "test-uploads")
    FILE_WORKERS = 0  # in-process; tests of the workers turn them on
    EVENT_BATCH_SECONDS = 0  # each event on its own; the tests of `batch` turn it on


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 86400)))

    @classmethod
    def validate(cls) -> None:
        key = os.environ.get("SECRET_KEY", "")
        if not key or key == INSECURE_KEY or len(key) < 16:
            raise RuntimeError(
                "Refusing to start in production without a real SECRET_KEY "
                "(set SECRET_KEY to a random string of at least 16 characters)."
            )
        cls.SECRET_KEY = key  # the key checked is the key used
        if os.environ.get("FILE_STORAGE", "local") not in ("local", "s3"):
            raise RuntimeError('FILE_STORAGE must be "local" or "s3".')
        if os.environ.get("FILE_STORAGE") == "s3" and not os.environ.get("S3_BUCKET"):
            raise RuntimeError("FILE_STORAGE is s3 but S3_BUCKET is not set.")
        if os.environ.get("MAIL_SERVER") and not os.environ.get("SITE_URL"):
            raise RuntimeError(
                "MAIL_SERVER is set but SITE_URL is not: links in emails would point to "
                "http://HOST:PORT. Set SITE_URL to the site's public address (https://...)."
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def normalise_database_url(url: str) -> str:
    """postgresql:// (and Heroku-style postgres://) -> postgresql+psycopg2://.

    SQLAlchemy 2.1 maps a bare postgresql:// to psycopg 3, which is not installed and
    would block the eventlet hub (STACK.md, check 6); psycopg2 is the driver we ship.
    """
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    return url


def config_from_env() -> type[Config]:
    return CONFIGS[os.environ.get("ROUNDTABLE_ENV", "development")]
