"""Citizen appeals (59-FZ): statutory deadlines and the one-time extension of the answer.

Revision ID: 0004_appeals
Revises: 0003_summary_tsv
Create Date: 2026-11-21 07:50:00
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0004_appeals'
down_revision = '0003_summary_tsv'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
