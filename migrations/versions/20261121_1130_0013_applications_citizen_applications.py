"""Citizen services: the providers of each service, applications with their status history and files.

Revision ID: 0013_applications
Revises: 0012_routing
Create Date: 2026-11-21 11:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0013_applications'
down_revision = '0012_routing'
branch_labels = None
depends_on = None

CHANNELS = ('portal', 'mobile', 'xml_upload', 'mfc', 'partner', 'paper')
APPLICANT_KINDS = ('person', 'legal_entity')
APPLICATIONS = 'citizen_services_applications'


def _enum(name, values):
    return sa.Enum(*values, name=name, native_enum=False, length=20)


def _fk(table, column, target, **options):
    referred = target.split('.')[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f'fk_{table}_{column}_{referred}'), **options)


def upgrade():
    _create_providers()
    _create_applications()
    _create_events()
    _create_files()


def _create_providers():
    table = 'citizen_services_providers'
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('service_code', sa.String(length=64), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        _fk(table, 'organization_id', 'directory_organizations.id'),
        _fk(table, 'created_by_id', 'auth_users.id'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint('service_code', 'organization_id', name=op.f(f'uq_{table}_service_code_organization_id')),
    )


def _create_applications():
    table = APPLICATIONS
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=32), nullable=True),
        sa.Column('service_code', sa.String(length=64), nullable=False),
        sa.Column('channel', _enum('application_channel', CHANNELS), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('applicant_user_id', sa.Integer(), nullable=True),
        sa.Column('applicant_kind', _enum('applicant_kind', APPLICANT_KINDS), nullable=False),
        sa.Column('applicant_name', sa.String(length=1000), nullable=False),
        sa.Column('applicant_snils', sa.String(length=11), nullable=True),
        sa.Column('applicant_inn', sa.String(length=12), nullable=True),
        sa.Column('filed_by_id', sa.Integer(), nullable=False),
        sa.Column('filed_via_organization_id', sa.Integer(), nullable=True),
        sa.Column('values', sa.JSON(), nullable=False),
        sa.Column('signatures', sa.JSON(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('card_id', sa.Integer(), nullable=True),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=False),
        sa.Column('deadline_explanation', sa.Text(), nullable=False),
        sa.Column('expected_date', sa.Date(), nullable=False),
        sa.Column('expected_explanation', sa.Text(), nullable=False),
        sa.Column('clarification_text', sa.Text(), nullable=True),
        sa.Column('clarification_requested_on', sa.Date(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('refusal_reasons', sa.JSON(), nullable=True),
        sa.Column('refusal_comment', sa.Text(), nullable=True),
        sa.Column('result_attachment_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        _fk(table, 'applicant_user_id', 'auth_users.id'),
        _fk(table, 'filed_by_id', 'auth_users.id'),
        _fk(table, 'filed_via_organization_id', 'directory_organizations.id'),
        _fk(table, 'organization_id', 'directory_organizations.id'),
        _fk(table, 'card_id', 'registry_cards.id'),
        _fk(table, 'result_attachment_id', 'registry_attachments.id'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint('number', name=op.f(f'uq_{table}_number')),
        sa.UniqueConstraint('card_id', name=op.f(f'uq_{table}_card_id')),
    )
    op.create_index(f'ix_{table}_applicant', table, ['applicant_user_id', 'submitted_at', 'id'])
    op.create_index(f'ix_{table}_agency', table, ['organization_id', 'submitted_at', 'id'])
    op.create_index(f'ix_{table}_agency_status', table, ['organization_id', 'status', 'submitted_at', 'id'])
    op.create_index(f'ix_{table}_filed_via', table, ['filed_via_organization_id', 'submitted_at', 'id'])
    op.create_index(op.f(f'ix_{table}_applicant_snils'), table, ['applicant_snils'])
    op.create_index(op.f(f'ix_{table}_applicant_inn'), table, ['applicant_inn'])


def _create_events():
    table = 'citizen_services_application_events'
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('from_status', sa.String(length=32), nullable=True),
        sa.Column('to_status', sa.String(length=32), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('comment', sa.Text(), nullable=False),
        _fk(table, 'application_id', f'{APPLICATIONS}.id', ondelete='CASCADE'),
        _fk(table, 'actor_id', 'auth_users.id'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
    )
    op.create_index(op.f(f'ix_{table}_application_id'), table, ['application_id'])


def _create_files():
    table = 'citizen_services_application_files'
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=64), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('attachment_id', sa.Integer(), nullable=True),
        sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        _fk(table, 'application_id', f'{APPLICATIONS}.id', ondelete='CASCADE'),
        _fk(table, 'attachment_id', 'registry_attachments.id'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
    )
    op.create_index(op.f(f'ix_{table}_application_id'), table, ['application_id'])


def downgrade():
    for table in ('citizen_services_application_files', 'citizen_services_application_events'):
        op.drop_index(op.f(f'ix_{table}_application_id'), table_name=table)
        op.drop_table(table)
    for name in ('applicant', 'agency', 'agency_status', 'filed_via'):
        op.drop_index(f'ix_{APPLICATIONS}_{name}', table_name=APPLICATIONS)
    op.drop_index(op.f(f'ix_{APPLICATIONS}_applicant_snils'), table_name=APPLICATIONS)
    op.drop_index(op.f(f'ix_{APPLICATIONS}_applicant_inn'), table_name=APPLICATIONS)
    op.drop_table(APPLICATIONS)
    op.drop_table('citizen_services_providers')
