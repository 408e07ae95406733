"""Citizen services: complaints (210-FZ art. 11.1).

Revision ID: 0015_complaints
Revises: 0014_interagency
Create Date: 2026-11-21 14:10:00
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0015_complaints'
down_revision = '0014_interagency'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
