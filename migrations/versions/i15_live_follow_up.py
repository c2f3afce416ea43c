"""live sessions drop nothing (issue #15): follow-up discussions and questions not reached

live_session.follow_up_thread_id: the open thread under a session's archive, where late
questions are answered; live_question.follow_up_post_id: the post that carries a question
not answered live into it; live_question.held_by_words: held by the topic's watched words
(never published at the end without a host's decision). The new question state
"not_reached" needs no schema change (a string column).

Revision ID: i15_live_follow_up
Revises: i11_identities
Create Date: 2026-12-05 02:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'i15_live_follow_up'
down_revision = 'i11_identities'
branch_labels = None
depends_on = None


def upgrade():
    # No batch copy: on SQLite a copy of live_session would drop the original table, and with
    # foreign keys on that deletes its hosts and silences (ON DELETE CASCADE). SQLite adds a
    # nullable column with its REFERENCES clause in place (alembic's add_column would try to
    # add the constraint separately, which SQLite cannot).
    op.add_column('live_question', sa.Column('held_by_words', sa.Boolean(), server_default='0', nullable=False))
    bind = op.get_bind()
    for table, column, constraint, target in _KEYS:
        if bind.dialect.name == 'sqlite':
            if column in {c['name'] for c in sa.inspect(bind).get_columns(table)}:
                continue  # left by a downgrade (below): it is the same column
            op.execute(f'ALTER TABLE {table} ADD COLUMN {column} INTEGER '
                       f'CONSTRAINT {constraint} REFERENCES "{target}" (id)')
        else:
            op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(constraint, table, target, [column], ['id'])


_KEYS = (
    ('live_session', 'follow_up_thread_id', 'fk_live_session_follow_up_thread_id_thread', 'thread'),
    ('live_question', 'follow_up_post_id', 'fk_live_question_follow_up_post_id_post', 'post'),
)


def downgrade():
    # SQLite drops a column in place only when no constraint names it: there the two key
    # columns stay (nullable, unknown to older code); PostgreSQL drops them.
    op.drop_column('live_question', 'held_by_words')
    if op.get_bind().dialect.name == 'sqlite':
        return
    for table, column, constraint, _target in _KEYS:
        op.drop_constraint(constraint, table, type_='foreignkey')
        op.drop_column(table, column)
