"""Auth: one-time confirmation codes sent by SMS (an application confirmed by the applicant's phone).

Revision ID: 0018_codes
Revises: 0017_cabinets
Create Date: 2026-11-21 14:40:00
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0018_codes'
down_revision = '0017_cabinets'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
