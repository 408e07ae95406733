"""Citizen services: the signed notice of an annulled result (the agency's card file the applicant downloads).

Revision ID: 0020_annulment_notice
Revises: 0019_complaint_files
Create Date: 2026-11-22 01:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0020_annulment_notice'
down_revision = '0019_complaint_files'
branch_labels = None
depends_on = None

TABLE = 'citizen_services_applications'
COLUMN = 'annulment_notice_attachment_id'
FOREIGN_KEY = f'fk_{TABLE}_{COLUMN}_registry_attachments'


def upgrade():
    # Batch mode: SQLite (the embedded default) cannot add a foreign key to an existing table.
    with op.batch_alter_table(TABLE) as batch:
        batch.add_column(sa.Column(COLUMN, sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f(FOREIGN_KEY), 'registry_attachments', [COLUMN], ['id'])


def downgrade():
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_constraint(op.f(FOREIGN_KEY), type_='foreignkey')
        batch.drop_column(COLUMN)
