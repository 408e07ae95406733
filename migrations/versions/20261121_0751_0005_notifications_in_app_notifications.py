"""In-app notifications and their e-mail delivery.

Revision ID: 0005_notifications
Revises: 0004_appeals
Create Date: 2026-11-21 07:50:00
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0005_notifications'
down_revision = '0004_appeals'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
