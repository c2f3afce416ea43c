"""Pages of a topic's resources library: the list (filters by language and kind, search), one
resource (its language versions, history, "cite in a question"), adding one, adding a version
or changing its details, and the moderators' hide / delete / restore.

Same actions and Guardian rules as the API (actions/resources.py, permissions/resources.py).
A file is sent with the form (the same upload action as everywhere, so the same checks).
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..actions.resources import add_resource, get_resource, moderate_resource, update_resource
from ..actions.threads import get_topic
from ..actions.uploads import upload_file
from ..auth import protect
from ..errors import DomainError
from ..extensions import db
from ..files.names import file_url
from ..language import POST_LANGUAGES
from ..library import current_versions, find_resources
from ..models import Resource
from ..models.resource import RESOURCE_KINDS
from ..request_limits import allow_body
from .helpers import actor, guardian

bp = Blueprint("resources", __name__)
protect(bp)
bp.add_app_template_global(file_url, "file_url")

KIND_LABELS = {"guidance": _l("Guidance"), "template": _l("Template"), "checklist": _l("Checklist"),
               "training": _l("Training"), "policy": _l("Policy")}


@bp.app_template_global("resource_kind_label")
def resource_kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def cited_resource(resource_id: int | None, g):
    """The resource a new question cites (?cite=<id>), when the reader may read it."""
    if resource_id is None:
        return None
    resource = db.session.get(Resource, resource_id)
    return resource if resource is not None and g.can_read_resource(resource) else None


def _form_limit(app) -> int:
    if request.mimetype != "multipart/form-data":
        return int(app.config["MAX_CONTENT_LENGTH"])
    return int(app.config["FILE_MAX_BYTES"]) + 256 * 1024


def _readable_topic(slug: str):
    topic = get_topic(slug)
    guardian().ensure_read_topic(topic)
    return topic


def _loaded(resource_id: int):
    resource = get_resource(resource_id)
    guardian().ensure_read_resource(resource)
    return resource


def _form_data() -> dict:
    """The form's fields as the action takes them; a sent file is stored first (upload action)."""
    form = {name: request.form.get(name, "") for name in
            ("title", "summary", "kind", "tags", "language", "link", "note", "version_title", "upload")}
    file = request.files.get("file")
    if file is not None and file.filename:
        form["upload"] = str(upload_file(actor(), file).id)
    return form


@bp.get("/t/<slug>/resources")
def library(slug: str) -> ResponseReturnValue:
    topic = _readable_topic(slug)
    g = guardian()
    language = request.args.get("language") if request.args.get("language") in POST_LANGUAGES else None
    kind = request.args.get("kind") if request.args.get("kind") in RESOURCE_KINDS else None
    q = (request.args.get("q") or "")[:200]
    found = find_resources(g, q, topic=topic, language=language, kind=kind, limit=100)
    return render_template("resources/list.html", topic=topic, resources=found, q=q, language=language, kind=kind,
                           kinds=KIND_LABELS, languages=POST_LANGUAGES, current_versions=current_versions,
                           can_add=g.can_curate_resources(topic))


@bp.route("/t/<slug>/resources/new", methods=["GET", "POST"])
@allow_body(_form_limit)
def new_resource(slug: str) -> ResponseReturnValue:
    topic = _readable_topic(slug)
    guardian().ensure_curate_resources(topic)
    form = {"kind": "guidance", "language": "en"}
    error, status = None, 200
    if request.method == "POST":
        form = {name: request.form.get(name, "") for name in request.form}
        try:
            form = _form_data()
            resource = add_resource(actor(), topic, {**form, "upload": form.get("upload") or None})
        except DomainError as err:
            error, status = err, err.status
        else:
            flash(_("The resource was added to the library."), "success")
            return redirect(url_for("resources.detail", resource_id=resource.id))
    return render_template("resources/form.html", topic=topic, resource=None, form=form, error=error,
                           kinds=KIND_LABELS, languages=POST_LANGUAGES), status


@bp.get("/resources/<int:resource_id>")
def detail(resource_id: int) -> ResponseReturnValue:
    resource = _loaded(resource_id)
    g = guardian()
    return render_template("resources/detail.html", resource=resource, topic=resource.topic,
                           versions=current_versions(resource), history=list(reversed(resource.versions)),
                           can_edit=g.can_edit_resource(resource), can_moderate=g.can_moderate_resource(resource),
                           can_ask=g.can_start_thread(resource.topic, "question"))


@bp.route("/resources/<int:resource_id>/edit", methods=["GET", "POST"])
@allow_body(_form_limit)
def edit(resource_id: int) -> ResponseReturnValue:
    resource = _loaded(resource_id)
    guardian().ensure_edit_resource(resource)
    form = {"title": resource.title, "summary": resource.summary, "kind": resource.kind,
            "tags": ", ".join(resource.tag_list), "language": ""}
    error, status = None, 200
    if request.method == "POST":
        try:
            form = _form_data()
            data = {k: v for k, v in form.items() if k in ("title", "summary", "kind", "tags") and v != ""}
            if form.get("upload") or form.get("link"):
                data.update({k: form.get(k) or None for k in ("language", "upload", "link", "note", "version_title")})
            update_resource(actor(), resource, data)
        except DomainError as err:
            error, status = err, err.status
        else:
            flash(_("The resource was saved."), "success")
            return redirect(url_for("resources.detail", resource_id=resource.id))
    return render_template("resources/form.html", topic=resource.topic, resource=resource, form=form, error=error,
                           kinds=KIND_LABELS, languages=POST_LANGUAGES), status


@bp.post("/resources/<int:resource_id>/moderation")
def moderate(resource_id: int) -> ResponseReturnValue:
    resource = _loaded(resource_id)
    action = request.form.get("action")
    moderate_resource(actor(), resource, action, request.form.get("reason", ""))
    flash({"hide": _("The resource is hidden."), "delete": _("The resource was deleted."),
           "restore": _("The resource is shown again.")}.get(action, ""), "success")
    if resource.state == "deleted":
        return redirect(url_for("resources.library", slug=resource.topic.slug))
    return redirect(url_for("resources.detail", resource_id=resource.id))
