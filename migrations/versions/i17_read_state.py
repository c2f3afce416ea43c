"""i17 coming back: read state (thread_read, topic_read), the user's avatar colour, an index
for the home page's lists across topics and one for counting unread posts from the index alone

Revision ID: i17_read_state
Revises: i17_reactions_bookmarks
Create Date: 2026-12-06 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'i17_read_state'
down_revision = 'i17_reactions_bookmarks'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('thread_read',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('last_read_post_id', sa.Integer(), server_default='0', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['thread_id'], ['thread.id'], name=op.f('fk_thread_read_thread_id_thread'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_thread_read_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'thread_id', name=op.f('pk_thread_read'))
    )
    op.create_index('ix_thread_read_thread', 'thread_read', ['thread_id'], unique=False)
    op.create_table('topic_read',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('last_read_post_id', sa.Integer(), server_default='0', nullable=False),
    sa.Column('marked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['topic_id'], ['topic.id'], name=op.f('fk_topic_read_topic_id_topic'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_topic_read_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'topic_id', name=op.f('pk_topic_read'))
    )
    op.create_index('ix_thread_state_activity', 'thread', ['state', 'last_activity_at', 'id'], unique=False)
    op.create_index('ix_post_thread_state_id', 'post', ['thread_id', 'state', 'id', 'author_id'], unique=False)
    # Plain ALTER TABLE ADD COLUMN: a batch copy of "user" would rebuild the table every other
    # table points at.
    op.add_column('user', sa.Column('avatar_colour', sa.String(length=20), nullable=True))


def downgrade():
    op.drop_column('user', 'avatar_colour')
    op.drop_index('ix_post_thread_state_id', table_name='post')
    op.drop_index('ix_thread_state_activity', table_name='thread')
    op.drop_table('topic_read')
    op.drop_index('ix_thread_read_thread', table_name='thread_read')
    op.drop_table('thread_read')
