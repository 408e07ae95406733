"""Working-day calendar: administrators' changes to the shipped calendar data.

Revision ID: 0002_calendar
Revises: 0001_initial
Create Date: 2026-11-21 07:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0002_calendar'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'core_calendar_days',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('is_working', sa.Boolean(), nullable=False),
        sa.Column('note', sa.String(length=255), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_core_calendar_days')),
    )


def downgrade():
    op.drop_table('core_calendar_days')
