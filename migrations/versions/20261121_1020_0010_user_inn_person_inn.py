"""Users: the person's ИНН, for binding qualified certificates that carry no СНИЛС.

Revision ID: 0010_user_inn
Revises: 0009_registration_signatures
Create Date: 2026-11-21 10:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0010_user_inn'
down_revision = '0009_registration_signatures'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('auth_users') as batch_op:
        batch_op.add_column(sa.Column('inn', sa.String(length=12), nullable=True))


def downgrade():
    with op.batch_alter_table('auth_users') as batch_op:
        batch_op.drop_column('inn')
