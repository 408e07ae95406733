"""Resolutions, executors' assignments, reports, deadline extensions, control, domain events.

The cabinet folders and «Мои поручения» are served by the composite indexes on (author_id, status, executed_at),
(controller_id, status) and (executor_id, status, deadline); resolutions and assignments reference each other
(a sub-resolution's parent assignment), so that foreign key is added after both tables exist.

Revision ID: 0006_resolutions
Revises: 0005_notifications
Create Date: 2026-11-21 07:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0006_resolutions'
down_revision = '0005_notifications'
branch_labels = None
depends_on = None

OPEN_CONDITION = "status IN ('in_work', 'reported')"


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, length=20)


def _user_fk(table, column):
    return sa.ForeignKeyConstraint([column], ['auth_users.id'], name=op.f(f'fk_{table}_{column}_auth_users'))


def upgrade():
    _create_resolutions()
    _create_assignments()
    # In batch mode so that SQLite (the embedded default) can add the constraint by rebuilding the table.
    with op.batch_alter_table('resolutions_resolutions', schema=None) as batch_op:
        batch_op.create_foreign_key(
            'fk_resolutions_resolutions_parent_assignment_id',
            'resolutions_assignments',
            ['parent_assignment_id'],
            ['id'],
        )
    _create_reports()
    _create_extensions()
    _create_events()


def _create_resolutions():
    table = 'resolutions_resolutions'
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.Column('parent_assignment_id', sa.Integer(), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('prepared_by_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column(
            'status',
            _enum('resolution_status', 'draft', 'returned', 'approved', 'executed', 'cancelled'),
            nullable=False,
        ),
        sa.Column('return_comment', sa.String(length=2000), nullable=True),
        sa.Column('is_controlled', sa.Boolean(), nullable=False),
        sa.Column('controller_id', sa.Integer(), nullable=True),
        sa.Column('control_closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('control_closed_by_id', sa.Integer(), nullable=True),
        sa.Column('execution_mark', sa.Text(), nullable=True),
        sa.Column('case_file_id', sa.Integer(), nullable=True),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('executed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('cancel_reason', sa.String(length=2000), nullable=True),
        sa.Column('signature_method', sa.String(length=16), nullable=True),
        sa.Column('signed_by_id', sa.Integer(), nullable=True),
        sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('signature_digest', sa.String(length=64), nullable=True),
        sa.Column('signature_value', sa.LargeBinary(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['organization_id'], ['directory_organizations.id'], name='fk_resolutions_resolutions_organization_id'
        ),
        sa.ForeignKeyConstraint(['card_id'], ['registry_cards.id'], name=op.f(f'fk_{table}_card_id_registry_cards')),
        sa.ForeignKeyConstraint(
            ['case_file_id'], ['registry_case_files.id'], name=op.f(f'fk_{table}_case_file_id_registry_case_files')
        ),
        _user_fk(table, 'author_id'),
        _user_fk(table, 'prepared_by_id'),
        _user_fk(table, 'controller_id'),
        _user_fk(table, 'control_closed_by_id'),
        _user_fk(table, 'signed_by_id'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
    )
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{table}_card_id'), ['card_id'], unique=False)
        batch_op.create_index(batch_op.f(f'ix_{table}_parent_assignment_id'), ['parent_assignment_id'], unique=False)
        batch_op.create_index(f'ix_{table}_author', ['author_id', 'status', 'executed_at'], unique=False)
        batch_op.create_index(f'ix_{table}_controller', ['controller_id', 'status'], unique=False)
        batch_op.create_index(f'ix_{table}_prepared_by', ['prepared_by_id', 'status'], unique=False)


def _create_assignments():
    table = 'resolutions_assignments'
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('resolution_id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.Column('executor_id', sa.Integer(), nullable=False),
        sa.Column('is_responsible', sa.Boolean(), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=False),
        sa.Column('initial_deadline', sa.Date(), nullable=False),
        sa.Column('deadline_explanation', sa.String(length=2000), nullable=False),
        sa.Column(
            'status',
            _enum('assignment_status', 'draft', 'in_work', 'reported', 'executed', 'cancelled'),
            nullable=False,
        ),
        sa.Column('executed_at', sa.Date(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['resolution_id'],
            ['resolutions_resolutions.id'],
            name='fk_resolutions_assignments_resolution_id',
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['organization_id'], ['directory_organizations.id'], name='fk_resolutions_assignments_organization_id'
        ),
        sa.ForeignKeyConstraint(['card_id'], ['registry_cards.id'], name=op.f(f'fk_{table}_card_id_registry_cards')),
        _user_fk(table, 'executor_id'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
    )
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{table}_card_id'), ['card_id'], unique=False)
        batch_op.create_index(
            f'ix_{table}_open_by_executor',
            ['executor_id', 'deadline', 'id'],
            unique=False,
            postgresql_where=sa.text(OPEN_CONDITION),
            sqlite_where=sa.text(OPEN_CONDITION),
        )
        batch_op.create_index(f'ix_{table}_executor', ['executor_id', 'status', 'deadline'], unique=False)
        batch_op.create_index(f'ix_{table}_resolution', ['resolution_id', 'status', 'deadline'], unique=False)
        batch_op.create_index(f'ix_{table}_status_deadline', ['status', 'deadline'], unique=False)
        batch_op.create_index(f'ix_{table}_org_deadline', ['organization_id', 'deadline'], unique=False)
        batch_op.create_index(
            f'ix_{table}_in_work_deadline',
            ['deadline', 'resolution_id'],
            unique=False,
            postgresql_where=sa.text("status = 'in_work'"),
            sqlite_where=sa.text("status = 'in_work'"),
        )
        batch_op.create_index(
            f'ix_{table}_executor_executed', ['executor_id', 'executed_at', 'deadline', 'id'], unique=False
        )


def _create_reports():
    table = 'resolutions_reports'
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assignment_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('addressed_to', _enum('report_addressee', 'responsible', 'author', 'controller'), nullable=False),
        sa.Column('addressee_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('status', _enum('report_status', 'submitted', 'accepted', 'returned'), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decision_comment', sa.String(length=2000), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['assignment_id'],
            ['resolutions_assignments.id'],
            name=op.f(f'fk_{table}_assignment_id_resolutions_assignments'),
        ),
        _user_fk(table, 'author_id'),
        _user_fk(table, 'addressee_id'),
        _user_fk(table, 'decided_by_id'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
    )
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{table}_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(f'ix_{table}_addressee', ['addressee_id', 'status'], unique=False)

    files = 'resolutions_report_files'
    op.create_table(
        files,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['report_id'],
            ['resolutions_reports.id'],
            name=op.f(f'fk_{files}_report_id_resolutions_reports'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{files}')),
    )
    with op.batch_alter_table(files, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{files}_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f(f'ix_{files}_sha256'), ['sha256'], unique=False)


def _create_extensions():
    table = 'resolutions_extensions'
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assignment_id', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=2000), nullable=False),
        sa.Column('old_deadline', sa.Date(), nullable=False),
        sa.Column('requested_deadline', sa.Date(), nullable=False),
        sa.Column('status', _enum('extension_status', 'pending', 'granted', 'refused'), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('comment', sa.String(length=2000), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['assignment_id'],
            ['resolutions_assignments.id'],
            name=op.f(f'fk_{table}_assignment_id_resolutions_assignments'),
        ),
        _user_fk(table, 'requested_by_id'),
        _user_fk(table, 'decided_by_id'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
    )
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{table}_assignment_id'), ['assignment_id'], unique=False)


def _create_events():
    table = 'resolutions_events'
    kinds = (
        'resolution_drafted',
        'draft_returned',
        'resolution_approved',
        'executor_assigned',
        'report_prepared',
        'report_sent',
        'report_accepted',
        'report_returned',
        'extension_requested',
        'extension_decided',
        'execution_changed',
        'control_closed',
        'card_executed',
    )
    op.create_table(
        table,
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.Column('resolution_id', sa.Integer(), nullable=False),
        sa.Column('assignment_id', sa.Integer(), nullable=True),
        sa.Column('kind', _enum('resolution_event_kind', *kinds), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('exported_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['organization_id'],
            ['directory_organizations.id'],
            name=op.f(f'fk_{table}_organization_id_directory_organizations'),
        ),
        sa.ForeignKeyConstraint(['card_id'], ['registry_cards.id'], name=op.f(f'fk_{table}_card_id_registry_cards')),
        sa.ForeignKeyConstraint(
            ['resolution_id'],
            ['resolutions_resolutions.id'],
            name=op.f(f'fk_{table}_resolution_id_resolutions_resolutions'),
        ),
        sa.ForeignKeyConstraint(
            ['assignment_id'],
            ['resolutions_assignments.id'],
            name=op.f(f'fk_{table}_assignment_id_resolutions_assignments'),
        ),
        _user_fk(table, 'actor_id'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
    )
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{table}_resolution_id'), ['resolution_id'], unique=False)
        batch_op.create_index(f'ix_{table}_card', ['card_id', 'id'], unique=False)


def downgrade():
    op.drop_table('resolutions_events')
    op.drop_table('resolutions_extensions')
    op.drop_table('resolutions_report_files')
    op.drop_table('resolutions_reports')
    with op.batch_alter_table('resolutions_resolutions', schema=None) as batch_op:
        batch_op.drop_constraint('fk_resolutions_resolutions_parent_assignment_id', type_='foreignkey')
    op.drop_table('resolutions_assignments')
    op.drop_table('resolutions_resolutions')
