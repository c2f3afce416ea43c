"""flask commands: seed-demo, users, topics, events, search, mail."""
from __future__ import annotations

import os

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from . import demo, events, ratelimit, search
from .actions import digests, moderation, sessions, tokens
from .actions.accounts import create_user
from .actions.bookmarks import run_reminders
from .errors import DomainError
from .events import unit_of_work
from .extensions import db
from .mail import Outgoing, SendReport, build_message, send_due, site_url, transport_for
from .models import Topic, User, utcnow


def register_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--reset", is_flag=True, help="Empty the database first (everything in it), then seed the demo.")
    @click.option("--yes", is_flag=True, help="With --reset: do not ask.")
    def seed_demo(reset, yes):
        """Idempotent demo data; prints the demo logins (and the demo's story when it was created now)."""
        if reset:
            if os.environ.get("ROUNDTABLE_ENV") == "production":
                raise click.ClickException("Refusing to reset a production database (ROUNDTABLE_ENV=production).")
            where = db.engine.url.render_as_string(hide_password=True)
            if not yes:
                click.confirm(f"Delete everything in {where} and seed the demo afresh?", abort=True)
            demo.reset()
        with ratelimit.exempt():  # the operator's own tool: its registrations count against nobody
            seeded = demo.seed()
        if seeded.created:
            click.echo(f"Demo data created. Demo logins (password for all: {demo.PASSWORD}):")
        else:
            click.echo("The demo data was already there, as people left it (`make demo-reset` or "
                       "`flask seed-demo --reset` restores it).")
            click.echo(f"Demo logins (password for all: {demo.PASSWORD}):")
        for role, email, note in seeded.logins:
            click.echo(f"  {role:<10} {email:<34} {note}")

    users = click.Group("users", help="Manage users.")
    app.cli.add_command(users)

    @users.command("create")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.option("--password", required=True)
    @click.option("--role", type=click.Choice(["supplier", "member", "admin"]), required=True)
    @click.option("--org", "organisation", required=True)
    @click.option("--org-kind", type=click.Choice(["supplier", "member"]), default=None)
    def users_create(email, name, password, role, organisation, org_kind):
        """Create an active user (and the organisation if missing)."""
        try:
            with ratelimit.exempt():
                user = create_user(email=email, name=name, password=password, role=role,
                                   organisation=organisation, org_kind=org_kind)
        except DomainError as err:
            raise click.ClickException(err.message) from err
        click.echo(f"Created {user.role} {user.email} (id {user.id}) in {user.organisation.name}.")

    @users.command("token")
    @click.option("--email", required=True)
    @click.option("--name", default="cli", show_default=True, help="What the token is for (shown in the settings).")
    @click.option("--expires-days", type=click.IntRange(1, 3650), default=None,
                  help="Days until the token stops working (default: never).")
    def users_token(email, name, expires_days):
        """Print a new personal API token for that user (on the last line)."""
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise click.ClickException(f"No user with email {email}.")
        try:
            token, secret = tokens.issue(user, name, expires_days)
        except DomainError as err:
            raise click.ClickException(err.message) from err
        expiry = f"expires {token.expires_at.isoformat(timespec='minutes')}" if token.expires_at else "never expires"
        click.echo(f"Token {token.id} “{token.name}” for {user.email}, {expiry}. It is shown only now:")
        click.echo(secret)

    topics = click.Group("topics", help="Manage topics.")
    app.cli.add_command(topics)

    @topics.command("moderator")
    @click.option("--topic", "slug", required=True)
    @click.option("--email", required=True)
    def topics_moderator(slug, email):
        """Assign a topic moderator."""
        topic = db.session.scalar(select(Topic).where(Topic.slug == slug))
        if topic is None:
            raise click.ClickException(f"No topic {slug}.")
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise click.ClickException(f"No user with email {email}.")
        moderation.assign_moderator(None, topic, user)
        click.echo(f"{user.name} now moderates {topic.name}.")

    @app.cli.command("prune-sessions")
    def prune_sessions():
        """Delete the sign-in sessions that have expired (each sign-in also clears its user's)."""
        click.echo(f"Deleted {sessions.prune()} expired sessions.")

    @app.cli.command("prune-events")
    def prune_events():
        """Delete room events older than EVENT_RETENTION_HOURS."""
        click.echo(f"Deleted {events.prune()} old events.")

    @app.cli.command("search-reindex")
    def search_reindex():
        """Rebuild the full-text search index from the posts (after a restore or an upgrade)."""
        with unit_of_work():
            count = search.rebuild_index()
        click.echo(f"Indexed {count} posts.")

    # commands in an app context
    mail = AppGroup("mail", help="Email: send what is due, queue digests and reminders (for cron).")
    app.cli.add_command(mail)

    @mail.command("send-due")
    @click.option("--limit", default=200, show_default=True, help="At most this many emails per batch.")
    def mail_send_due(limit):
        """Send the queued emails that are due (retries included), until none is left."""
        total = SendReport()
        while True:  # batches, so one run empties the queue without holding everything in memory
            report = send_due(limit=limit)
            for name in ("claimed", "sent", "retrying", "failed", "cancelled"):
                setattr(total, name, getattr(total, name) + getattr(report, name))
            if report.claimed < limit:
                break
        click.echo(f"Email: {total}.")

    @mail.command("digests")
    @click.option("--send/--no-send", default=True, show_default=True, help="Also send what is due afterwards.")
    def mail_digests(send):
        """Queue the daily and weekly digests that are due."""
        click.echo(f"Queued {digests.run_digests()} digest(s).")
        if send:
            click.echo(f"Email: {send_due(limit=500)}.")

    @mail.command("reminders")
    @click.option("--send/--no-send", default=True, show_default=True, help="Also send what is due afterwards.")
    def mail_reminders(send):
        """Send the bookmark reminders that are due (as notifications, and emails per preferences)."""
        click.echo(f"Sent {run_reminders()} reminder(s).")
        if send:
            click.echo(f"Email: {send_due(limit=500)}.")

    @mail.command("test")
    @click.option("--to", "to", required=True, help="Send one test message to this address, now.")
    def mail_test(to):
        """Check the mail settings: send one message right away (not through the outbox)."""
        out = Outgoing(0, to, "", "Roundtable test email", "This is a test email from Roundtable.\n",
                       "<p>This is a test email from Roundtable.</p>", "", f"<test-{utcnow().timestamp()}@roundtable>")
        result = transport_for(app.config).send([(0, build_message(out, app.config["MAIL_FROM"], utcnow()))])[0]
        if result is not None:
            raise click.ClickException(f"Not sent: {type(result).__name__}: {result}")
        click.echo(f"Sent a test email to {to} (backend {app.config['MAIL_BACKEND']}, site {site_url()}).")
