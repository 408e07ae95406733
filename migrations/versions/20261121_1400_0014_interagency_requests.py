"""Citizen services: interagency requests (210-FZ art. 7, 7.2) and their answers.

Revision ID: 0014_interagency
Revises: 0013_applications
Create Date: 2026-11-21 14:00:00
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0014_interagency'
down_revision = '0013_applications'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
