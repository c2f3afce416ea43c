"""identities (issue #11): confusables keys of names, anonymous targets in the audit log

user.name_key and user.name_skeleton, organisation.name_key: the keys community/actions/names.py
compares ("looks like someone else's name"), filled in for existing rows;
moderation_action.target_anonymous (the target was anonymous: its author is never shown in
the log) and an index on (target_type, target_id), the reveals' look-up.

Revision ID: i11_identities
Revises: 24b8a74c2ce1
Create Date: 2026-12-04 22:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'i11_identities'
down_revision = '24b8a74c2ce1'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTERs, no batch copy: SQLite adds (and, from 3.35, drops) columns in place, and a
    # copy of `user` would trip over the foreign keys of every row that points at it.
    op.add_column('user', sa.Column('name_key', sa.String(length=800), nullable=True))
    op.add_column('user', sa.Column('name_skeleton', sa.String(length=800), nullable=True))
    op.create_index(op.f('ix_user_name_key'), 'user', ['name_key'], unique=False)
    op.create_index(op.f('ix_user_name_skeleton'), 'user', ['name_skeleton'], unique=False)
    op.add_column('organisation', sa.Column('name_key', sa.String(length=800), nullable=True))
    op.create_index(op.f('ix_organisation_name_key'), 'organisation', ['name_key'], unique=False)
    op.add_column('moderation_action',
                  sa.Column('target_anonymous', sa.Boolean(), server_default='0', nullable=False))
    op.create_index('ix_moderation_action_target', 'moderation_action', ['target_type', 'target_id'], unique=False)

    # Keys of the names already there (the same functions the application uses).
    from community.actions.names import key, visual_key

    bind = op.get_bind()
    users = sa.table('user', sa.column('id', sa.Integer), sa.column('name', sa.String),
                     sa.column('name_key', sa.String), sa.column('name_skeleton', sa.String))
    for row in bind.execute(sa.select(users.c.id, users.c.name)).all():
        bind.execute(users.update().where(users.c.id == row.id)
                     .values(name_key=key(row.name), name_skeleton=visual_key(row.name)))
    orgs = sa.table('organisation', sa.column('id', sa.Integer), sa.column('name', sa.String),
                    sa.column('name_key', sa.String))
    for row in bind.execute(sa.select(orgs.c.id, orgs.c.name)).all():
        bind.execute(orgs.update().where(orgs.c.id == row.id).values(name_key=key(row.name)))
    # Audit rows about anonymous posts and threads: their authors leave the log's view.
    actions = sa.table('moderation_action', sa.column('target_type', sa.String), sa.column('target_id', sa.Integer),
                       sa.column('target_anonymous', sa.Boolean))
    for table, kind in (('post', 'post'), ('thread', 'thread'), ('live_question', 'live_question')):
        target = sa.table(table, sa.column('id', sa.Integer), sa.column('anonymous', sa.Boolean))
        anonymous_ids = sa.select(target.c.id).where(target.c.anonymous.is_(True))
        bind.execute(actions.update().where(actions.c.target_type == kind, actions.c.target_id.in_(anonymous_ids))
                     .values(target_anonymous=True))


def downgrade():
    op.drop_index('ix_moderation_action_target', table_name='moderation_action')
    op.drop_column('moderation_action', 'target_anonymous')
    op.drop_index(op.f('ix_organisation_name_key'), table_name='organisation')
    op.drop_column('organisation', 'name_key')
    op.drop_index(op.f('ix_user_name_skeleton'), table_name='user')
    op.drop_index(op.f('ix_user_name_key'), table_name='user')
    op.drop_column('user', 'name_skeleton')
    op.drop_column('user', 'name_key')
