"""Citizen services: the files of a complaint, and the service of a complaint (filed without an application too).

Revision ID: 0019_complaint_files
Revises: 0018_codes
Create Date: 2026-11-21 23:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0019_complaint_files'
down_revision = '0018_codes'
branch_labels = None
depends_on = None

COMPLAINTS = 'citizen_services_complaints'
FILES = 'citizen_services_complaint_files'
#: Every complaint before this revision was filed from an application: its service is the application's.
BACKFILL = (
    f'UPDATE {COMPLAINTS} SET service_code = (SELECT service_code FROM citizen_services_applications '
    f'WHERE citizen_services_applications.id = {COMPLAINTS}.application_id)'
)


def upgrade():
    with op.batch_alter_table(COMPLAINTS) as batch:
        batch.add_column(sa.Column('service_code', sa.String(length=64), nullable=True))
    op.execute(BACKFILL)
    with op.batch_alter_table(COMPLAINTS) as batch:
        batch.alter_column('service_code', existing_type=sa.String(length=64), nullable=False)
    op.create_table(
        FILES,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('complaint_id', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('attachment_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['complaint_id'],
            [f'{COMPLAINTS}.id'],
            name=op.f(f'fk_{FILES}_complaint_id_{COMPLAINTS}'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['attachment_id'], ['registry_attachments.id'], name=op.f(f'fk_{FILES}_attachment_id_registry_attachments')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{FILES}')),
    )
    op.create_index(op.f(f'ix_{FILES}_complaint_id'), FILES, ['complaint_id'])


def downgrade():
    op.drop_index(op.f(f'ix_{FILES}_complaint_id'), table_name=FILES)
    op.drop_table(FILES)
    with op.batch_alter_table(COMPLAINTS) as batch:
        batch.drop_column('service_code')
