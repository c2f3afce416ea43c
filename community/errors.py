"""Domain errors and how they are shown: HTML pages, JSON errors, socket acks.

Actions raise these; views, the API and socket handlers translate them.
"""
from __future__ import annotations

from flask import Flask, g, has_request_context, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    code = "error"
    status = 400
    default_message = _l("Something went wrong.")

    def __init__(self, message: str | None = None, *, field: str | None = None):
        # str(): a lazy default is resolved now, in the language of whoever is being answered.
        text = str(message or self.default_message)
        super().__init__(text)
        self.message = text
        self.field = field

    def as_dict(self) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.field:
            error["field"] = self.field
        return {"error": error}

    def as_ack(self) -> dict:
        return {"ok": False, **self.as_dict()}


class Unauthorized(DomainError):
    code, status, default_message = "unauthorized", 401, _l("Please sign in.")


class Forbidden(DomainError):
    code, status, default_message = "forbidden", 403, _l("You are not allowed to do that.")


class NotFound(DomainError):
    code, status, default_message = "not_found", 404, _l("Not found.")


class Invalid(DomainError):
    code, status, default_message = "invalid", 400, _l("That input is not valid.")


class Locked(DomainError):
    code, status, default_message = "locked", 423, _l("This thread is locked.")


class RateLimited(DomainError):
    """Over a limit: `retry_after` (seconds) goes into the error, and Retry-After on HTTP
    (also when a form page shows the error itself, with the text kept: see after_request)."""

    code, status, default_message = "rate_limited", 429, _l("Too many attempts. Please wait and try again.")

    def __init__(self, message: str | None = None, *, field: str | None = None,
                 retry_after: int | None = None):
        super().__init__(message, field=field)
        self.retry_after = retry_after
        if retry_after is not None and has_request_context():
            g.retry_after = retry_after

    def as_dict(self) -> dict:
        data = super().as_dict()
        if self.retry_after is not None:
            data["error"]["retry_after"] = self.retry_after
        return data


class Conflict(DomainError):
    code, status, default_message = "conflict", 409, _l("That was already done.")


class SessionEnded(Forbidden):
    """A question or chat message sent to a live session that has ended (the writer's text
    is kept by the page): 403 as before, and `follow_up_thread_id` says where the
    conversation goes on."""

    def __init__(self, message: str | None = None, *, follow_up_thread_id: int | None = None,
                 field: str | None = None):
        super().__init__(message, field=field)
        self.follow_up_thread_id = follow_up_thread_id

    def as_dict(self) -> dict:
        data = super().as_dict()
        data["error"]["follow_up_thread_id"] = self.follow_up_thread_id
        return data


class StaleWrite(Conflict):
    """Someone changed the same row in between (optimistic locking): nothing was applied."""

    default_message = _l("Someone else changed this at the same moment. Reload to see what they did.")


class TooComplex(Invalid):
    """A text whose formatting would cost too much to render (community/rendering.py)."""

    code, status, default_message = "too_complex", 422, _l(
        "Your text's formatting is too complex to display. Simplify it and send it again; your text is kept.")


class Busy(DomainError):
    """The server cannot take this now; the client may retry after `retry_after` seconds."""

    code, status, default_message = "busy", 503, _l("The server is busy. Try again in a moment; your text is kept.")

    def __init__(self, message: str | None = None, *, retry_after: int = 2):
        super().__init__(message)
        self.retry_after = retry_after
        if has_request_context():
            g.retry_after = retry_after

    def as_dict(self) -> dict:
        data = super().as_dict()
        data["error"]["retry_after"] = self.retry_after
        return data


HTTP_CODES = {400: "invalid", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "invalid",
              422: "invalid", 423: "locked", 429: "rate_limited", 503: "busy"}


# Werkzeug's own descriptions are English: these say the same in the reader's language.
HTTP_MESSAGES = {
    400: _l("The request could not be understood. Go back and try again."),
    401: _l("Please sign in."),
    403: _l("You are not allowed to do that."),
    404: _l("That page does not exist. Check the address, or go back and follow a link."),
    405: _l("This address does not accept that kind of request."),
    413: _l("What you sent is too large."),
    415: _l("What you sent is not in a format this address accepts."),
}


def too_large_message() -> str:
    """A body over MAX_CONTENT_LENGTH (community/request_limits.py)."""
    limit = request.max_content_length or 0
    return _("What you sent is too large: the limit is %(size)s KB. Nothing was saved; shorten it and "
             "send it again.", size=f"{limit // 1024:,}")


def _http_message(err: HTTPException, status: int) -> str:
    if isinstance(err, CSRFError):
        return _("The page's security token (CSRF) is missing or has expired. Reload the page and try again.")
    if status == 429:
        return _("Too many attempts. Please wait a minute and try again.")
    if status == 413:
        return too_large_message()
    if err.description == type(err).description and status in HTTP_MESSAGES:
        return str(HTTP_MESSAGES[status])  # werkzeug's default text: ours instead
    return err.description or err.name


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
    )


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(err: DomainError):
        if wants_json():
            response = jsonify(err.as_dict())
        else:
            response = app.make_response(render_template("error.html", status=err.status, message=err.message))
        response.status_code = err.status
        if getattr(err, "retry_after", None) is not None:
            response.headers["Retry-After"] = str(err.retry_after)
        return response

    @app.after_request
    def _retry_after(response):
        # A form page that shows a refusal itself (the text kept) answers like the API.
        if response.status_code in (429, 503) and "Retry-After" not in response.headers \
                and g.get("retry_after") is not None:
            response.headers["Retry-After"] = str(g.retry_after)
        return response

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        status = err.code or 500
        code = HTTP_CODES.get(status, "error")
        message = _http_message(err, status)
        if wants_json():
            return jsonify({"error": {"code": code, "message": message}}), status
        return render_template("error.html", status=status, message=message), status

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        if app.testing:
            raise err
        app.logger.exception("Unhandled error")
        message = _("Something went wrong on our side. Nothing you sent was lost: go back and try again.")
        if wants_json():
            return jsonify({"error": {"code": "server_error", "message": message}}), 500
        return render_template("error.html", status=500, message=message), 500
