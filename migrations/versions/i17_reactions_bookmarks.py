"""i17 reactions and bookmarks: reaction (one row per person, post and kind) with the counts kept
on post; bookmark (a post or a thread, note, reminder); the email_reminders preference.
Search in the posts' languages (community/search/scripts.py, copied here as it is now):
PostgreSQL post_fts gets `config` (the post language's text-search configuration) and
`unspaced` and `grams` (bigrams of unspaced posts, GIN-indexed), its tsvector is made in
`config`, and pg_trgm indexes the unspaced posts' text; SQLite gets FTS5 tables post_fts_tri
(trigram) and post_fts_bi (bigrams) with the unspaced posts.

Revision ID: i17_reactions_bookmarks
Revises: i15_moderation_flows
Create Date: 2026-12-05 01:35:54.455194

"""
import re

import sqlalchemy as sa
from alembic import op

PG_CONFIGS = {
    "en": "english", "es": "spanish", "fr": "french", "pt": "portuguese", "tr": "turkish",
    "ar": "arabic", "hi": "hindi", "ta": "tamil", "id": "indonesian", "ms": "indonesian",
}
UNSPACED_LANGUAGES = ("zh", "ja", "ko", "th", "vi")
_UNSPACED = ("\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
             "\uf900-\ufaff\uac00-\ud7af\U00020000-\U0002fa1f")
UNSPACED_RE = re.compile(f"[{_UNSPACED}]")
RUNS_RE = re.compile(f"[{_UNSPACED}]+")


def _bigrams(text):
    seen = {}
    for run in RUNS_RE.findall(text or ""):
        if len(run) == 1:
            seen.setdefault(run)
        for i in range(len(run) - 1):
            seen.setdefault(run[i:i + 2])
    return " ".join(list(seen)[:5000])


def _search_upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE IF NOT EXISTS post_fts_tri USING fts5(title, body, tokenize = 'trigram')")
        op.execute("CREATE VIRTUAL TABLE IF NOT EXISTS post_fts_bi USING fts5(grams, "
                   "tokenize = 'unicode61 remove_diacritics 0')")
        rows = bind.execute(sa.text("SELECT post_fts.rowid, post.language, post_fts.title, post_fts.body "
                                    "FROM post_fts JOIN post ON post.id = post_fts.rowid")).all()
        values = [{"id": r[0], "title": r[2], "body": r[3]} for r in rows
                  if r[1] in UNSPACED_LANGUAGES or UNSPACED_RE.search(f"{r[2]} {r[3]}")]
        if values:
            bind.execute(sa.text("INSERT INTO post_fts_tri (rowid, title, body) VALUES (:id, :title, :body)"), values)
            bind.execute(sa.text("INSERT INTO post_fts_bi (rowid, grams) VALUES (:id, :grams)"),
                         [{"id": v["id"], "grams": _bigrams(f"{v['title']} {v['body']}")} for v in values])
        return
    op.execute("ALTER TABLE post_fts DROP COLUMN document")
    op.execute("ALTER TABLE post_fts ADD COLUMN config regconfig NOT NULL DEFAULT 'english', "
               "ADD COLUMN unspaced BOOLEAN NOT NULL DEFAULT false, ADD COLUMN grams TEXT NOT NULL DEFAULT ''")
    cases = " ".join(f"WHEN '{code}' THEN '{config}'::regconfig" for code, config in PG_CONFIGS.items())
    languages = ", ".join(f"'{code}'" for code in UNSPACED_LANGUAGES)
    pattern = f"[{_UNSPACED}]"
    bind.execute(sa.text(
        f"UPDATE post_fts SET config = CASE WHEN post.language IS NULL THEN 'english'::regconfig "
        f"ELSE CASE post.language {cases} ELSE 'simple'::regconfig END END, "
        f"unspaced = (COALESCE(post.language IN ({languages}), false) "
        "OR (post_fts.title || ' ' || post_fts.body) ~ :pattern) "
        "FROM post WHERE post.id = post_fts.post_id"), {"pattern": pattern})
    op.execute("ALTER TABLE post_fts ADD COLUMN document tsvector GENERATED ALWAYS AS ("
               "setweight(to_tsvector(config, title), 'A') || setweight(to_tsvector(config, body), 'B') || "
               "CASE WHEN config = 'english'::regconfig THEN ''::tsvector "
               "ELSE setweight(to_tsvector('simple'::regconfig, title || ' ' || body), 'D') END) STORED")
    op.execute("CREATE INDEX ix_post_fts_document ON post_fts USING GIN (document)")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE INDEX ix_post_fts_unspaced ON post_fts USING GIN ((title || ' ' || body) gin_trgm_ops) "
               "WHERE unspaced")
    rows = bind.execute(sa.text("SELECT post_id, title, body FROM post_fts WHERE unspaced")).all()
    if rows:
        bind.execute(sa.text("UPDATE post_fts SET grams = :grams WHERE post_id = :id"),
                     [{"id": r[0], "grams": _bigrams(f"{r[1]} {r[2]}")} for r in rows])
    op.execute("CREATE INDEX ix_post_fts_grams ON post_fts USING GIN (to_tsvector('simple'::regconfig, grams)) "
               "WHERE unspaced")


def _search_downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS post_fts_tri")
        op.execute("DROP TABLE IF EXISTS post_fts_bi")
        return
    op.execute("DROP INDEX IF EXISTS ix_post_fts_unspaced")
    op.execute("DROP INDEX IF EXISTS ix_post_fts_grams")
    op.execute("ALTER TABLE post_fts DROP COLUMN document")
    op.execute("ALTER TABLE post_fts DROP COLUMN config, DROP COLUMN unspaced, DROP COLUMN grams")
    op.execute("ALTER TABLE post_fts ADD COLUMN document tsvector GENERATED ALWAYS AS ("
               "setweight(to_tsvector('english', title), 'A') || "
               "setweight(to_tsvector('english', body), 'B')) STORED")
    op.execute("CREATE INDEX ix_post_fts_document ON post_fts USING GIN (document)")


# revision identifiers, used by Alembic.
revision = 'i17_reactions_bookmarks'
down_revision = 'i15_moderation_flows'
branch_labels = None
depends_on = None


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('bookmark',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('thread_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), server_default='', nullable=False),
    sa.Column('remind_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(post_id IS NULL) <> (thread_id IS NULL)', name=op.f('ck_bookmark_one_target')),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_bookmark_post_id_post'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thread_id'], ['thread.id'], name=op.f('fk_bookmark_thread_id_thread'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_bookmark_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookmark')),
    sa.UniqueConstraint('user_id', 'post_id', name='uq_bookmark_user_post'),
    sa.UniqueConstraint('user_id', 'thread_id', name='uq_bookmark_user_thread')
    )
    with op.batch_alter_table('bookmark', schema=None) as batch_op:
        batch_op.create_index('ix_bookmark_due', ['reminded_at', 'remind_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookmark_user_id'), ['user_id'], unique=False)

    op.create_table('reaction',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unnamed', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['notification_id'], ['notification.id'], name=op.f('fk_reaction_notification_id_notification'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_reaction_post_id_post'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_reaction_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id', 'user_id', 'kind', name=op.f('pk_reaction'))
    )
    with op.batch_alter_table('reaction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reaction_notification_id'), ['notification_id'], unique=False)
        batch_op.create_index('ix_reaction_post_kind', ['post_id', 'kind', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reaction_user_id'), ['user_id'], unique=False)

    # Plain ALTER TABLE ADD COLUMN (instant with a constant default on PostgreSQL 11+): a batch
    # copy of "post" would rebuild the table other tables point at, and the largest one.
    op.add_column('notification_preference', sa.Column('email_reminders', sa.Boolean(), server_default='1', nullable=False))
    op.add_column('post', sa.Column('reactions_helpful', sa.Integer(), server_default='0', nullable=False))
    op.add_column('post', sa.Column('reactions_thanks', sa.Integer(), server_default='0', nullable=False))
    op.add_column('post', sa.Column('reactions_agree', sa.Integer(), server_default='0', nullable=False))
    # ### end Alembic commands ###
    _search_upgrade()


def downgrade():
    _search_downgrade()
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_column('post', 'reactions_agree')
    op.drop_column('post', 'reactions_thanks')
    op.drop_column('post', 'reactions_helpful')
    op.drop_column('notification_preference', 'email_reminders')

    with op.batch_alter_table('reaction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reaction_user_id'))
        batch_op.drop_index('ix_reaction_post_kind')
        batch_op.drop_index(batch_op.f('ix_reaction_notification_id'))

    op.drop_table('reaction')
    with op.batch_alter_table('bookmark', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bookmark_user_id'))
        batch_op.drop_index('ix_bookmark_due')

    op.drop_table('bookmark')
    # ### end Alembic commands ###
