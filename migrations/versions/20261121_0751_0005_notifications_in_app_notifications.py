"""In-app notifications and their e-mail delivery.

Revision ID: 0005_notifications
Revises: 0004_appeals
Create Date: 2026-11-21 07:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0005_notifications'
down_revision = '0004_appeals'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'notifications_notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=64), nullable=False),
        sa.Column('text', sa.String(length=1000), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.Column('source', sa.String(length=255), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('emailed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('email_error', sa.String(length=1000), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['organization_id'],
            ['directory_organizations.id'],
            name=op.f('fk_notifications_notifications_organization_id_directory_organizations'),
        ),
        sa.ForeignKeyConstraint(
            ['user_id'],
            ['auth_users.id'],
            name=op.f('fk_notifications_notifications_user_id_auth_users'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications_notifications')),
        sa.UniqueConstraint('user_id', 'source', name=op.f('uq_notifications_notifications_user_id_source')),
    )
    # The unread count of the navbar badge: only the unread rows are indexed.
    op.create_index(
        'ix_notifications_notifications_user_id_unread',
        'notifications_notifications',
        ['user_id'],
        unique=False,
        postgresql_where=sa.text('read_at IS NULL'),
        sqlite_where=sa.text('read_at IS NULL'),
    )


def downgrade():
    op.drop_index('ix_notifications_notifications_user_id_unread', table_name='notifications_notifications')
    op.drop_table('notifications_notifications')
