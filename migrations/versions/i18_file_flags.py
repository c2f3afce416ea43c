"""flags on files (issue #18): a flag names one file of its post (flag.upload_id, nullable);
one flag per person on the post itself and one on each of its files

uq_flag_post_user (post, user) becomes uq_flag_post_user_upload (post, user, upload) and the
partial unique index uq_flag_post_user_whole (post, user) where upload_id IS NULL.

Revision ID: i18_file_flags
Revises: i17_opening_language
Create Date: 2026-12-05 07:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'i18_file_flags'
down_revision = 'i17_opening_language'
branch_labels = None
depends_on = None

WHOLE = "upload_id IS NULL"


def upgrade():
    with op.batch_alter_table('flag', schema=None) as batch_op:
        batch_op.add_column(sa.Column('upload_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_flag_upload_id_upload'), 'upload', ['upload_id'], ['id'])
        batch_op.drop_constraint('uq_flag_post_user', type_='unique')
        batch_op.create_unique_constraint('uq_flag_post_user_upload', ['post_id', 'user_id', 'upload_id'])
    op.create_index('uq_flag_post_user_whole', 'flag', ['post_id', 'user_id'], unique=True,
                    postgresql_where=sa.text(WHOLE), sqlite_where=sa.text(WHOLE))


def downgrade():
    op.drop_index('uq_flag_post_user_whole', table_name='flag')
    op.execute("DELETE FROM flag WHERE upload_id IS NOT NULL")  # the old key allows one flag per post
    with op.batch_alter_table('flag', schema=None) as batch_op:
        batch_op.drop_constraint('uq_flag_post_user_upload', type_='unique')
        batch_op.create_unique_constraint('uq_flag_post_user', ['post_id', 'user_id'])
        batch_op.drop_constraint(batch_op.f('fk_flag_upload_id_upload'), type_='foreignkey')
        batch_op.drop_column('upload_id')
