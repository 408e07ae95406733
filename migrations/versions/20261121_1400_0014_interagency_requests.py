"""Citizen services: interagency requests (210-FZ art. 7, 7.2) and their answers.

Revision ID: 0014_interagency
Revises: 0013_applications
Create Date: 2026-11-21 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0014_interagency'
down_revision = '0013_applications'
branch_labels = None
depends_on = None

PROVIDERS = 'citizen_services_interagency_providers'
REQUESTS = 'citizen_services_interagency_requests'
EGRUL = 'citizen_services_egrul_entries'
STATUSES = ('sent', 'answered', 'rejected')


def _fk(table, column, target, **options):
    referred = target.split('.')[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f'fk_{table}_{column}_{referred}'), **options)


def upgrade():
    _create_providers()
    _create_requests()
    _create_egrul()


def _create_providers():
    table = PROVIDERS
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('data_kind', sa.String(length=32), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        _fk(table, 'organization_id', 'directory_organizations.id'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint('data_kind', 'organization_id', name=op.f(f'uq_{table}_data_kind_organization_id')),
    )


def _create_requests():
    table = REQUESTS
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('requesting_organization_id', sa.Integer(), nullable=False),
        sa.Column('responding_organization_id', sa.Integer(), nullable=False),
        sa.Column('service_code', sa.String(length=64), nullable=False),
        sa.Column('legal_basis', sa.Text(), nullable=False),
        sa.Column('data_kind', sa.String(length=32), nullable=False),
        sa.Column('requested_data', sa.Text(), nullable=False),
        sa.Column('subject', sa.JSON(), nullable=False),
        sa.Column('official_id', sa.Integer(), nullable=True),
        sa.Column('official_name', sa.String(length=500), nullable=False),
        sa.Column('official_position', sa.String(length=500), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_on', sa.Date(), nullable=False),
        sa.Column('message_id', sa.String(length=36), nullable=False),
        sa.Column(
            'status',
            sa.Enum(*STATUSES, name='interagency_request_status', native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.Column('due_explanation', sa.Text(), nullable=False),
        sa.Column('request_xml', sa.Text(), nullable=False),
        sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reply_message_id', sa.String(length=36), nullable=True),
        sa.Column('response_xml', sa.Text(), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('answered_by_name', sa.String(length=500), nullable=True),
        sa.Column('answer_text', sa.Text(), nullable=True),
        sa.Column('answer_data', sa.JSON(), nullable=True),
        sa.Column('mismatches', sa.JSON(), nullable=True),
        sa.Column('rejection_code', sa.String(length=50), nullable=True),
        sa.Column('rejection_reason', sa.Text(), nullable=True),
        sa.Column('answer_attachment_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        _fk(table, 'application_id', 'citizen_services_applications.id'),
        _fk(table, 'requesting_organization_id', 'directory_organizations.id'),
        _fk(table, 'responding_organization_id', 'directory_organizations.id'),
        _fk(table, 'official_id', 'auth_users.id'),
        _fk(table, 'answered_by_id', 'auth_users.id'),
        _fk(table, 'answer_attachment_id', 'registry_attachments.id'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint('message_id', name=op.f(f'uq_{table}_message_id')),
        sa.UniqueConstraint('reply_message_id', name=op.f(f'uq_{table}_reply_message_id')),
    )
    op.create_index(op.f(f'ix_{table}_application_id'), table, ['application_id'])
    op.create_index(f'ix_{table}_requester', table, ['requesting_organization_id', 'sent_at', 'id'])
    op.create_index(f'ix_{table}_responder', table, ['responding_organization_id', 'sent_at', 'id'])
    op.create_index(f'ix_{table}_open', table, ['status', 'due_date'])


def _create_egrul():
    table = EGRUL
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('ogrn', sa.String(length=13), nullable=False),
        sa.Column('inn', sa.String(length=10), nullable=False),
        sa.Column('name', sa.String(length=1000), nullable=False),
        sa.Column('record', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        _fk(table, 'organization_id', 'directory_organizations.id'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint('organization_id', 'ogrn', name=op.f(f'uq_{table}_organization_id_ogrn')),
    )


def downgrade():
    op.drop_table(EGRUL)
    for name in ('open', 'responder', 'requester'):
        op.drop_index(f'ix_{REQUESTS}_{name}', table_name=REQUESTS)
    op.drop_index(op.f(f'ix_{REQUESTS}_application_id'), table_name=REQUESTS)
    op.drop_table(REQUESTS)
    op.drop_table(PROVIDERS)
