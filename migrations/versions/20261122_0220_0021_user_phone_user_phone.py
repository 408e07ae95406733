"""Auth: the user's confirmed mobile phone (the one-time codes that confirm an account's own actions go to it).

Revision ID: 0021_user_phone
Revises: 0020_annulment_notice
Create Date: 2026-11-22 02:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0021_user_phone'
down_revision = '0020_annulment_notice'
branch_labels = None
depends_on = None

TABLE = 'auth_users'


def upgrade():
    op.add_column(TABLE, sa.Column('phone', sa.String(length=16), nullable=True))
    op.add_column(TABLE, sa.Column('phone_confirmed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    # Batch mode: SQLite (the embedded default) drops a column by copying the table.
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_column('phone_confirmed_at')
        batch.drop_column('phone')
