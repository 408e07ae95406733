"""Routing rules per organization and the rule that routed each card.

Revision ID: 0012_routing
Revises: 0011_dispatch
Create Date: 2026-11-21 11:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0012_routing'
down_revision = '0011_dispatch'
branch_labels = None
depends_on = None

CARD_KINDS = ('incoming', 'outgoing', 'internal', 'citizen_appeal')
DELIVERY_METHODS = ('medo', 'email', 'post', 'courier', 'in_person', 'fax', 'portal', 'mfc', 'internal')


def _enum(name, values):
    return sa.Enum(*values, name=name, native_enum=False, length=20)


def _fk(table, column, target):
    referred = target.split('.')[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f'fk_{table}_{column}_{referred}'))


def upgrade():
    _create_rules()
    _create_decisions()


def _create_rules():
    table = 'routing_rules'
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('card_kind', _enum('card_kind', CARD_KINDS), nullable=True),
        sa.Column('document_kind', sa.String(length=100), nullable=True),
        sa.Column('correspondent_organization_id', sa.Integer(), nullable=True),
        sa.Column('correspondent_text', sa.String(length=255), nullable=True),
        sa.Column('service_code', sa.String(length=64), nullable=True),
        sa.Column('delivery_method', _enum('delivery_method', DELIVERY_METHODS), nullable=True),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('executor_id', sa.Integer(), nullable=True),
        sa.Column('comment', sa.String(length=1000), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        _fk(table, 'organization_id', 'directory_organizations.id'),
        _fk(table, 'correspondent_organization_id', 'directory_organizations.id'),
        _fk(table, 'department_id', 'directory_departments.id'),
        _fk(table, 'executor_id', 'auth_users.id'),
        _fk(table, 'created_by_id', 'auth_users.id'),
        _fk(table, 'updated_by_id', 'auth_users.id'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
    )
    op.create_index('ix_routing_rules_org_position', table, ['organization_id', 'position'], unique=False)


def _create_decisions():
    table = 'routing_decisions'
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.Column('rule_id', sa.Integer(), nullable=True),
        sa.Column('rule_name', sa.String(length=255), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('executor_id', sa.Integer(), nullable=True),
        sa.Column('explanation', sa.Text(), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['card_id'], ['registry_cards.id'], name=op.f(f'fk_{table}_card_id_registry_cards'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['rule_id'], ['routing_rules.id'], name=op.f(f'fk_{table}_rule_id_routing_rules'), ondelete='SET NULL'
        ),
        _fk(table, 'department_id', 'directory_departments.id'),
        _fk(table, 'executor_id', 'auth_users.id'),
        _fk(table, 'decided_by_id', 'auth_users.id'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint('card_id', name=op.f(f'uq_{table}_card_id')),
    )
    op.create_index(op.f(f'ix_{table}_rule_id'), table, ['rule_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_routing_decisions_rule_id'), table_name='routing_decisions')
    op.drop_table('routing_decisions')
    op.drop_index('ix_routing_rules_org_position', table_name='routing_rules')
    op.drop_table('routing_rules')
