"""moderation flows (issue #15): appeals, why a post is in its state, notifications as data

- appeal: an author's request that the topic's moderators look again at a decision.
- post.state_cause: why a post is held, hidden or deleted, as a code; post.state_reason keeps
  only a person's own words (it held "Rejected: <reason>", "Hidden by a moderator: <reason>",
  "Hidden after 3 flags, awaiting a moderator." ...: those become cause + reason here).
- notification.verb and notification.data: what happened and what it is about, worded in the
  reader's language when shown. Existing rows are read back from their text: each is matched
  against the sentences notifications were made of, in every shipped language; the rows that
  match none (or were cut at 300 characters) keep their text as it is.
- notification_preference.email_moderation: email about moderators' decisions on one's posts.

Revision ID: i15_moderation_flows
Revises: i15_live_follow_up
Create Date: 2026-12-05 01:30:00

"""
from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = 'i15_moderation_flows'
down_revision = 'i15_live_follow_up'
branch_labels = None
depends_on = None

TRANSLATIONS = Path(__file__).resolve().parents[2] / "community" / "translations"


def upgrade():
    op.create_table(
        'appeal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=20), server_default='open', nullable=False),
        sa.Column('decision_id', sa.Integer(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('reviewer_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), server_default='', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_appeal_author_id_user')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_appeal_decided_by_id_user')),
        sa.ForeignKeyConstraint(['decision_id'], ['moderation_action.id'],
                                name=op.f('fk_appeal_decision_id_moderation_action')),
        sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_appeal_post_id_post')),
        sa.ForeignKeyConstraint(['reviewer_id'], ['user.id'], name=op.f('fk_appeal_reviewer_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_appeal')),
    )
    op.create_index(op.f('ix_appeal_author_id'), 'appeal', ['author_id'], unique=False)
    op.create_index('ix_appeal_post_state', 'appeal', ['post_id', 'state'], unique=False)
    op.create_index('ix_appeal_state_created', 'appeal', ['state', 'id'], unique=False)
    # Plain ADD COLUMN (no batch copy): SQLite adds columns in place, and a copy of post or
    # notification would trip over the rows pointing at them.
    op.add_column('post', sa.Column('state_cause', sa.String(length=20), nullable=True))
    op.add_column('notification', sa.Column('verb', sa.String(length=40), nullable=True))
    op.add_column('notification', sa.Column('data', sa.JSON(), nullable=True))
    op.add_column('notification_preference',
                  sa.Column('email_moderation', sa.Boolean(), server_default='1', nullable=False))

    bind = op.get_bind()
    post_causes(bind)
    notification_data(bind)


def downgrade():
    bind = op.get_bind()
    # The reasons go back to how they were written before causes existed.
    posts = sa.table('post', sa.column('id', sa.Integer), sa.column('state_cause', sa.String),
                     sa.column('state_reason', sa.String))
    prefixes = {'rejected': 'Rejected: ', 'moderator': 'Hidden by a moderator: '}
    for row in bind.execute(sa.select(posts.c.id, posts.c.state_cause, posts.c.state_reason)
                            .where(posts.c.state_cause.in_(['rejected', 'moderator', 'flags']))).all():
        if row.state_cause == 'flags':
            reason = 'Hidden after several flags, awaiting a moderator.'
        else:
            reason = (prefixes[row.state_cause] + (row.state_reason or ''))[:500]
        bind.execute(posts.update().where(posts.c.id == row.id).values(state_reason=reason))
    op.drop_column('notification_preference', 'email_moderation')
    op.drop_column('notification', 'data')
    op.drop_column('notification', 'verb')
    op.drop_column('post', 'state_cause')
    op.drop_index('ix_appeal_state_created', table_name='appeal')
    op.drop_index('ix_appeal_post_state', table_name='appeal')
    op.drop_index(op.f('ix_appeal_author_id'), table_name='appeal')
    op.drop_table('appeal')


# --- post.state_reason -> state_cause + the person's own words ---------------------------------------
def post_causes(bind) -> None:
    posts = sa.table('post', sa.column('id', sa.Integer), sa.column('state', sa.String),
                     sa.column('state_cause', sa.String), sa.column('state_reason', sa.String))
    actions = sa.table('moderation_action', sa.column('action', sa.String), sa.column('target_type', sa.String),
                       sa.column('target_id', sa.Integer))
    by_moderators = set(bind.execute(sa.select(actions.c.target_id).where(
        actions.c.target_type == 'post', actions.c.action == 'delete_post')).scalars())
    rows = bind.execute(sa.select(posts.c.id, posts.c.state, posts.c.state_reason)
                        .where(posts.c.state.in_(['held', 'hidden', 'deleted']))).all()
    for row in rows:
        cause, reason = cause_of(row.state, row.state_reason or '', row.id in by_moderators)
        bind.execute(posts.update().where(posts.c.id == row.id).values(state_cause=cause, state_reason=reason))


def cause_of(state: str, reason: str, deleted_by_moderator: bool) -> tuple[str | None, str]:
    if state == 'hidden':
        for prefix, cause in (('Rejected: ', 'rejected'), ('Hidden by a moderator: ', 'moderator')):
            if reason.startswith(prefix):
                return cause, reason[len(prefix):]
        if re.fullmatch(r'Hidden after \d+ flags, awaiting a moderator\.', reason):
            return 'flags', ''
        return 'moderator', reason
    if state == 'held':
        if reason == 'Held for review after an edit.':
            return 'watched_word', ''
        return None, reason
    if reason in ('Deleted by the author', 'Deleted by a moderator'):
        return ('author' if reason == 'Deleted by the author' else 'moderator'), ''
    return ('moderator' if deleted_by_moderator else 'author'), reason


# --- notification.text -> verb + data ----------------------------------------------------------------
# The sentences notifications were stored with (msgids, frozen here as they were): verb, msgid or
# (singular, plural).
LEGACY_SENTENCES = [
    ('reply', '%(name)s replied to your post in “%(title)s”'),
    ('answer', '%(name)s answered your question “%(title)s”'),
    ('mention', '%(name)s mentioned you in “%(title)s”'),
    ('accepted', 'Your answer to “%(title)s” was accepted'),
    ('post_approved', 'Your post in “%(title)s” was approved'),
    ('post_rejected', 'Your post in “%(title)s” was not approved: %(reason)s'),
    ('post_hidden', 'Your post in “%(title)s” was hidden by a moderator: %(reason)s'),
    ('flag_upheld', 'A moderator reviewed the post you flagged in “%(title)s”: it has been hidden. Thank you.'),
    ('flag_dismissed', 'A moderator reviewed the post you flagged in “%(title)s”: it stays visible. Thank you.'),
    ('silenced', ('You were silenced in %(topic)s for %(num)d minute: %(reason)s',
                  'You were silenced in %(topic)s for %(num)d minutes: %(reason)s')),
    ('silenced', ('You were silenced in %(topic)s for %(num)d minute',
                  'You were silenced in %(topic)s for %(num)d minutes')),
    ('live_scheduled', 'Live session scheduled in %(topic)s: “%(title)s”'),
    ('live_started', 'Live now in %(topic)s: “%(title)s”'),
    ('registration', '%(name)s (%(organisation)s) registered and is waiting for your approval.'),
]
ANONYMOUS = {'member': 'Anonymous member', 'supplier': 'Anonymous supplier'}
_PLACEHOLDER = re.compile(r'%\((\w+)\)([sd])')


def _catalogues() -> dict[str, object]:
    """locale -> babel Catalog of each shipped .po file (English needs none)."""
    from babel.messages.pofile import read_po

    found = {}
    for po in sorted(TRANSLATIONS.glob('*/LC_MESSAGES/messages.po')):
        with po.open('rb') as f:
            found[po.parents[1].name] = read_po(f)
    return found


def _translated(catalogue, msgid) -> list[str]:
    """The sentence's forms in one catalogue (English: the msgids themselves)."""
    if catalogue is None:
        return list(msgid) if isinstance(msgid, tuple) else [msgid]
    message = catalogue.get(msgid[0] if isinstance(msgid, tuple) else msgid)
    if message is None or not message.string or message.fuzzy:
        return []
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return [s for s in strings if s]


def _pattern(sentence: str) -> re.Pattern | None:
    parts, seen, at = [], set(), 0
    for match in _PLACEHOLDER.finditer(sentence):
        name, kind = match.groups()
        parts.append(re.escape(sentence[at:match.start()]))
        if name in seen:
            parts.append(f'(?P={name})')
        else:
            parts.append(rf'(?P<{name}>\d+)' if kind == 'd' else rf'(?P<{name}>.+?)')
            seen.add(name)
        at = match.end()
    parts.append(re.escape(sentence[at:]))
    try:
        return re.compile(''.join(parts), re.DOTALL)
    except re.error:
        return None


def legacy_patterns() -> dict[str, list[tuple[str, re.Pattern, dict]]]:
    """locale -> [(verb, pattern, anonymous labels in that locale)], English first."""
    catalogues = {'en': None, **_catalogues()}
    patterns = {}
    for locale, catalogue in catalogues.items():
        labels = {}
        for role, label in ANONYMOUS.items():
            labels[label] = role
            for form in _translated(catalogue, label):
                labels[form] = role
        rows = []
        for verb, msgid in LEGACY_SENTENCES:
            for form in _translated(catalogue, msgid):
                pattern = _pattern(form)
                if pattern is not None:
                    rows.append((verb, pattern, labels))
        patterns[locale] = rows
    return patterns


def data_of(text: str, url: str, thread_id, locale: str, patterns) -> tuple[str, dict] | None:
    """(verb, data) read back from a notification's text, or None when it matches no sentence."""
    order = [locale] + [other for other in patterns if other != locale] if locale in patterns else list(patterns)
    for lang in order:
        for verb, pattern, labels in patterns[lang]:
            match = pattern.fullmatch(text)
            if match is None:
                continue
            values = match.groupdict()
            data: dict = {}
            if 'name' in values:
                role = labels.get(values['name'])
                data['actors'] = [{'anonymous': role} if role else {'name': values['name']}]
            if 'title' in values:
                if verb.startswith('live_'):
                    session_id = re.fullmatch(r'/live/(\d+)', url or '')
                    data['session'] = {'id': int(session_id.group(1)) if session_id else None,
                                       'title': values['title']}
                else:
                    data['thread'] = {'id': thread_id, 'title': values['title']}
            if 'topic' in values:
                slug = re.fullmatch(r'/t/([^/?#]+)', url or '')
                data['topic'] = {'slug': slug.group(1) if slug else None, 'name': values['topic']}
            if 'reason' in values:
                data['reason'] = values['reason']
            if 'num' in values:
                data['minutes'] = int(values['num'])
            if 'organisation' in values:
                data['organisation'] = {'name': values['organisation']}
            return verb, data
    return None


def notification_data(bind) -> None:
    notes = sa.table('notification', sa.column('id', sa.Integer), sa.column('user_id', sa.Integer),
                     sa.column('text', sa.String), sa.column('url', sa.String), sa.column('thread_id', sa.Integer),
                     sa.column('verb', sa.String), sa.column('data', sa.JSON))
    users = sa.table('user', sa.column('id', sa.Integer), sa.column('locale', sa.String))
    rows = bind.execute(sa.select(notes.c.id, notes.c.text, notes.c.url, notes.c.thread_id, users.c.locale)
                        .select_from(notes.join(users, users.c.id == notes.c.user_id))
                        .where(notes.c.verb.is_(None))).all()
    if not rows:
        return
    patterns = legacy_patterns()
    for row in rows:
        found = data_of(row.text or '', row.url or '', row.thread_id, row.locale or 'en', patterns)
        if found is not None:
            bind.execute(notes.update().where(notes.c.id == row.id).values(verb=found[0], data=found[1]))
