"""Citizen services: complaints (210-FZ art. 11.1).

Revision ID: 0015_complaints
Revises: 0014_interagency
Create Date: 2026-11-21 14:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0015_complaints'
down_revision = '0014_interagency'
branch_labels = None
depends_on = None

TABLE = 'citizen_services_complaints'
KINDS = (
    'registration_term',
    'service_term',
    'extra_documents',
    'documents_refused',
    'service_refused',
    'extra_fee',
    'typos_not_corrected',
)
STATUSES = ('registered', 'upheld', 'rejected')
INDEXES = {
    'agency': ['organization_id', 'status', 'deadline', 'id'],
    'applicant': ['applicant_user_id', 'id'],
    'filed_via': ['filed_via_organization_id', 'id'],
}


def _enum(name, values):
    return sa.Enum(*values, name=name, native_enum=False, length=20)


def _fk(column, target):
    referred = target.split('.')[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f'fk_{TABLE}_{column}_{referred}'))


def upgrade():
    op.create_table(
        TABLE,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=32), nullable=True),
        sa.Column('application_id', sa.Integer(), nullable=True),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('kind', _enum('complaint_kind', KINDS), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('applicant_user_id', sa.Integer(), nullable=True),
        sa.Column('applicant_name', sa.String(length=1000), nullable=False),
        sa.Column('filed_by_id', sa.Integer(), nullable=False),
        sa.Column('filed_via_organization_id', sa.Integer(), nullable=True),
        sa.Column('card_id', sa.Integer(), nullable=True),
        sa.Column('registered_on', sa.Date(), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=False),
        sa.Column('deadline_explanation', sa.Text(), nullable=False),
        sa.Column('status', _enum('complaint_status', STATUSES), nullable=False),
        sa.Column('decision_text', sa.Text(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        _fk('application_id', 'citizen_services_applications.id'),
        _fk('organization_id', 'directory_organizations.id'),
        _fk('applicant_user_id', 'auth_users.id'),
        _fk('filed_by_id', 'auth_users.id'),
        _fk('filed_via_organization_id', 'directory_organizations.id'),
        _fk('card_id', 'registry_cards.id'),
        _fk('decided_by_id', 'auth_users.id'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{TABLE}')),
        sa.UniqueConstraint('number', name=op.f(f'uq_{TABLE}_number')),
        sa.UniqueConstraint('card_id', name=op.f(f'uq_{TABLE}_card_id')),
    )
    for name, columns in INDEXES.items():
        op.create_index(f'ix_{TABLE}_{name}', TABLE, columns)
    op.create_index(op.f(f'ix_{TABLE}_application_id'), TABLE, ['application_id'])


def downgrade():
    op.drop_index(op.f(f'ix_{TABLE}_application_id'), table_name=TABLE)
    for name in INDEXES:
        op.drop_index(f'ix_{TABLE}_{name}', table_name=TABLE)
    op.drop_table(TABLE)
