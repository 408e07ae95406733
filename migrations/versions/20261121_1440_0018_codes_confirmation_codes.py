"""Auth: one-time confirmation codes sent by SMS (an application confirmed by the applicant's phone).

Revision ID: 0018_codes
Revises: 0017_cabinets
Create Date: 2026-11-21 14:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0018_codes'
down_revision = '0017_cabinets'
branch_labels = None
depends_on = None

CODES = 'auth_confirmation_codes'


def upgrade():
    op.create_table(
        CODES,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=100), nullable=False),
        sa.Column('phone', sa.String(length=16), nullable=False),
        sa.Column('code_hash', sa.String(length=100), nullable=False),
        sa.Column('code_sealed', sa.String(length=100), nullable=True),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('delivered_via', sa.String(length=20), nullable=True),
        sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('delivery_error', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['auth_users.id'], name=op.f(f'fk_{CODES}_user_id_auth_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{CODES}')),
    )
    op.create_index(op.f(f'ix_{CODES}_user_id_purpose'), CODES, ['user_id', 'purpose'])


def downgrade():
    op.drop_index(op.f(f'ix_{CODES}_user_id_purpose'), table_name=CODES)
    op.drop_table(CODES)
