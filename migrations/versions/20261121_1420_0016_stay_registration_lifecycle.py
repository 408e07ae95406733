"""Citizen services: the life of an issued result (validity period, expiry reminders, extension, annulment).

Revision ID: 0016_stay
Revises: 0015_complaints
Create Date: 2026-11-21 14:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0016_stay'
down_revision = '0015_complaints'
branch_labels = None
depends_on = None

TABLE = 'citizen_services_applications'
RESULT_STATES = ('valid', 'extended', 'annulled')
LINKS = ('extends_id', 'extended_by_id')


def _columns():
    return [
        sa.Column('valid_from', sa.Date(), nullable=True),
        sa.Column('valid_until', sa.Date(), nullable=True),
        sa.Column('result_state', sa.Enum(*RESULT_STATES, name='result_state', native_enum=False, length=20)),
        sa.Column('extends_id', sa.Integer(), nullable=True),
        sa.Column('extended_by_id', sa.Integer(), nullable=True),
        sa.Column('annulled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('annulled_on', sa.Date(), nullable=True),
        sa.Column('annulled_by_id', sa.Integer(), nullable=True),
        sa.Column('annulment_reason', sa.String(length=64), nullable=True),
        sa.Column('annulment_comment', sa.Text(), nullable=True),
        sa.Column('early_end_requested_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('early_end_comment', sa.Text(), nullable=True),
        sa.Column('reminders_sent', sa.JSON(), nullable=True),
    ]


def upgrade():
    # Batch mode: SQLite (the embedded default) cannot add a foreign key to an existing table, so the table is
    # rebuilt there; PostgreSQL gets plain ALTER TABLE statements.
    with op.batch_alter_table(TABLE) as batch:
        for column in _columns():
            batch.add_column(column)
        for column in LINKS:
            batch.create_foreign_key(op.f(f'fk_{TABLE}_{column}_{TABLE}'), TABLE, [column], ['id'])
        batch.create_foreign_key(
            op.f(f'fk_{TABLE}_annulled_by_id_auth_users'), 'auth_users', ['annulled_by_id'], ['id']
        )
        batch.create_index(op.f(f'ix_{TABLE}_valid_until'), ['valid_until'])
        batch.create_index(op.f(f'ix_{TABLE}_extends_id'), ['extends_id'])


def downgrade():
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_index(op.f(f'ix_{TABLE}_extends_id'))
        batch.drop_index(op.f(f'ix_{TABLE}_valid_until'))
        batch.drop_constraint(op.f(f'fk_{TABLE}_annulled_by_id_auth_users'), type_='foreignkey')
        for column in LINKS:
            batch.drop_constraint(op.f(f'fk_{TABLE}_{column}_{TABLE}'), type_='foreignkey')
        for column in reversed(_columns()):
            batch.drop_column(column.name)
