"""Citizen services: the qualified signatures that confirmed legal cabinets' staff changes (the text signed and the
detached CMS, kept as evidence).

Revision ID: 0022_staff_signatures
Revises: 0021_user_phone
Create Date: 2026-11-22 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0022_staff_signatures'
down_revision = '0021_user_phone'
branch_labels = None
depends_on = None

TABLE = 'citizen_services_staff_change_signatures'
CABINETS = 'citizen_services_legal_cabinets'


def upgrade():
    op.create_table(
        TABLE,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cabinet_id', sa.Integer(), nullable=False),
        sa.Column('signed_by_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('change_digest', sa.String(length=64), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('signature_sha256', sa.String(length=64), nullable=False),
        sa.Column('certificate_serial', sa.String(length=128), nullable=False),
        sa.Column('certificate_owner', sa.String(length=1000), nullable=False),
        sa.Column('signing_time', sa.DateTime(timezone=True), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['cabinet_id'], [f'{CABINETS}.id'], name=op.f(f'fk_{TABLE}_cabinet_id_{CABINETS}'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(['signed_by_id'], ['auth_users.id'], name=op.f(f'fk_{TABLE}_signed_by_id_auth_users')),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{TABLE}')),
    )
    op.create_index(op.f(f'ix_{TABLE}_cabinet_id'), TABLE, ['cabinet_id'])


def downgrade():
    op.drop_index(op.f(f'ix_{TABLE}_cabinet_id'), table_name=TABLE)
    op.drop_table(TABLE)
