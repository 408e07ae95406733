"""Signatures of registration data: a card's requisites signed over their canonical serialization.

Revision ID: 0009_registration_signatures
Revises: 0008_exchange
Create Date: 2026-11-21 10:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0009_registration_signatures'
down_revision = '0008_exchange'
branch_labels = None
depends_on = None

TABLE = 'signatures_registration_signatures'


def upgrade():
    op.create_table(
        TABLE,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=16), nullable=False),
        sa.Column('signer_id', sa.Integer(), nullable=False),
        sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('value', sa.LargeBinary(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['card_id'], ['registry_cards.id'], name=op.f(f'fk_{TABLE}_card_id_registry_cards'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(['signer_id'], ['auth_users.id'], name=op.f(f'fk_{TABLE}_signer_id_auth_users')),
        sa.CheckConstraint("method IN ('simple', 'qualified')", name=op.f(f'ck_{TABLE}_method')),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{TABLE}')),
        sa.UniqueConstraint('card_id', 'signer_id', name=f'uq_{TABLE}_signer'),
    )
    op.create_index(op.f(f'ix_{TABLE}_card_id'), TABLE, ['card_id'], unique=False)


def downgrade():
    op.drop_index(op.f(f'ix_{TABLE}_card_id'), table_name=TABLE)
    op.drop_table(TABLE)
