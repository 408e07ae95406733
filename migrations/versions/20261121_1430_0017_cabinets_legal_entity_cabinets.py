"""Citizen services: legal entities' cabinets, their staff and per-action rights.

Revision ID: 0017_cabinets
Revises: 0016_stay
Create Date: 2026-11-21 14:30:00
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0017_cabinets'
down_revision = '0016_stay'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
