"""pages (issue #16): the data generation a page's validator is taken from before rendering

data_generation: one row, moved on by every committed write (community/generation.py);
thread.created_at indexed: the validator asks for the newest thread that is no longer "new".

Revision ID: i16_data_generation
Revises: i17_search_scale
Create Date: 2026-12-05 04:35:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'i16_data_generation'
down_revision = 'i17_search_scale'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('data_generation',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('number', sa.BigInteger(), nullable=False),
    sa.Column('epoch', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_generation'))
    )
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_thread_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_thread_created_at'))
    op.drop_table('data_generation')
