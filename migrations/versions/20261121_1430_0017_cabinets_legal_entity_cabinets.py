"""Citizen services: legal entities' cabinets, their staff and per-action rights.

Revision ID: 0017_cabinets
Revises: 0016_stay
Create Date: 2026-11-21 14:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0017_cabinets'
down_revision = '0016_stay'
branch_labels = None
depends_on = None

CABINETS = 'citizen_services_legal_cabinets'
MEMBERS = 'citizen_services_legal_cabinet_members'
ROLES = ('administrator', 'accountant', 'lawyer', 'operator')


def _fk(table, column, target, **options):
    referred = target.split('.')[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f'fk_{table}_{column}_{referred}'), **options)


def upgrade():
    op.create_table(
        CABINETS,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ogrn', sa.String(length=13), nullable=False),
        sa.Column('inn', sa.String(length=10), nullable=False),
        sa.Column('kpp', sa.String(length=9), nullable=True),
        sa.Column('name', sa.String(length=1000), nullable=False),
        sa.Column('legal_form', sa.String(length=255), nullable=False),
        sa.Column('legal_address', sa.Text(), nullable=False),
        sa.Column('phone', sa.String(length=32), nullable=False),
        sa.Column('email', sa.String(length=255), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        _fk(CABINETS, 'application_id', 'citizen_services_applications.id'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{CABINETS}')),
        sa.UniqueConstraint('ogrn', name=op.f(f'uq_{CABINETS}_ogrn')),
    )
    op.create_index(op.f(f'ix_{CABINETS}_inn'), CABINETS, ['inn'])
    op.create_table(
        MEMBERS,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cabinet_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.Enum(*ROLES, name='legal_cabinet_role', native_enum=False, length=20), nullable=False),
        sa.Column('can_view', sa.Boolean(), nullable=False),
        sa.Column('can_edit', sa.Boolean(), nullable=False),
        sa.Column('can_delete', sa.Boolean(), nullable=False),
        sa.Column('can_send', sa.Boolean(), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
        _fk(MEMBERS, 'cabinet_id', f'{CABINETS}.id', ondelete='CASCADE'),
        _fk(MEMBERS, 'user_id', 'auth_users.id'),
        _fk(MEMBERS, 'added_by_id', 'auth_users.id'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{MEMBERS}')),
        sa.UniqueConstraint('cabinet_id', 'user_id', name=op.f(f'uq_{MEMBERS}_cabinet_id_user_id')),
    )
    op.create_index(op.f(f'ix_{MEMBERS}_cabinet_id'), MEMBERS, ['cabinet_id'])
    op.create_index(op.f(f'ix_{MEMBERS}_user_id'), MEMBERS, ['user_id'])


def downgrade():
    op.drop_index(op.f(f'ix_{MEMBERS}_user_id'), table_name=MEMBERS)
    op.drop_index(op.f(f'ix_{MEMBERS}_cabinet_id'), table_name=MEMBERS)
    op.drop_table(MEMBERS)
    op.drop_index(op.f(f'ix_{CABINETS}_inn'), table_name=CABINETS)
    op.drop_table(CABINETS)
