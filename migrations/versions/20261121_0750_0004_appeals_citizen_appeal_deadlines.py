"""Citizen appeals (59-FZ): statutory deadlines and the one-time extension of the answer.

The deadlines are computed from the card's dates by the working-day calendar; only the extension (ст. 12 ч. 2: once,
by up to 30 days, with notice to the applicant) is stored, in five nullable columns of registry_cards. On SQLite the
user column carries no foreign key: SQLite cannot add the constraint to an existing table without rebuilding it
(which would drop the FTS triggers), nor drop a column that has one.

Revision ID: 0004_appeals
Revises: 0003_summary_tsv
Create Date: 2026-11-21 07:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0004_appeals'
down_revision = '0003_summary_tsv'
branch_labels = None
depends_on = None

COLUMNS = (
    ('appeal_extension_days', sa.Integer()),
    ('appeal_extension_reason', sa.String(length=1000)),
    ('appeal_extension_notice', sa.String(length=1000)),
    ('appeal_extended_at', sa.DateTime(timezone=True)),
    ('appeal_extended_by_id', sa.Integer()),
)
FK_NAME = 'fk_registry_cards_appeal_extended_by_id_auth_users'


def upgrade():
    for name, type_ in COLUMNS:
        op.add_column('registry_cards', sa.Column(name, type_, nullable=True))
    if op.get_bind().dialect.name != 'sqlite':
        op.create_foreign_key(FK_NAME, 'registry_cards', 'auth_users', ['appeal_extended_by_id'], ['id'])


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(FK_NAME, 'registry_cards', type_='foreignkey')
    for name, _ in reversed(COLUMNS):
        op.drop_column('registry_cards', name)
