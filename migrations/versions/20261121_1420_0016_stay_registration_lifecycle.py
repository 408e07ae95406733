"""Citizen services: the life of an issued result (expiry reminders, extension, annulment).

Revision ID: 0016_stay
Revises: 0015_complaints
Create Date: 2026-11-21 14:20:00
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0016_stay'
down_revision = '0015_complaints'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
