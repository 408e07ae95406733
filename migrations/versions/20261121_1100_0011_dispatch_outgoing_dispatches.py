"""Exchange: dispatches of outgoing cards to МЭДО addressees with their timelines; the internal transport; the
resolution events not yet exported to the exchange.

Revision ID: 0011_dispatch
Revises: 0010_user_inn
Create Date: 2026-11-21 11:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0011_dispatch'
down_revision = '0010_user_inn'
branch_labels = None
depends_on = None

DISPATCH_STATUSES = "'queued', 'sent', 'delivered', 'not_accepted', 'registered', 'refused', 'failed'"


def _transport_check(values):
    with op.batch_alter_table('exchange_inbox') as batch_op:
        batch_op.drop_constraint(op.f('ck_exchange_inbox_transport'), type_='check')
        batch_op.create_check_constraint(op.f('ck_exchange_inbox_transport'), f'transport IN ({values})')


def upgrade():
    _transport_check("'http', 'directory', 'internal'")
    table = 'exchange_dispatches'
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('addressee_id', sa.Integer(), nullable=True),
        sa.Column('addressee_name', sa.String(length=511), nullable=False),
        sa.Column('destination_id', sa.Integer(), nullable=False),
        sa.Column('outbox_id', sa.Integer(), nullable=False),
        sa.Column('document_uid', sa.String(length=36), nullable=False),
        sa.Column('message_uid', sa.String(length=36), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('registered_number', sa.String(length=64), nullable=True),
        sa.Column('registered_date', sa.Date(), nullable=True),
        sa.Column('sent_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['card_id'], ['registry_cards.id'], name=op.f(f'fk_{table}_card_id_registry_cards')),
        sa.ForeignKeyConstraint(
            ['organization_id'], ['directory_organizations.id'], name=f'fk_{table}_organization_id'
        ),
        sa.ForeignKeyConstraint(
            ['addressee_id'], ['registry_card_addressees.id'], name=f'fk_{table}_addressee_id', ondelete='SET NULL'
        ),
        sa.ForeignKeyConstraint(['destination_id'], ['exchange_participants.id'], name=f'fk_{table}_destination_id'),
        sa.ForeignKeyConstraint(['outbox_id'], ['exchange_outbox.id'], name=f'fk_{table}_outbox_id'),
        sa.ForeignKeyConstraint(['sent_by_id'], ['auth_users.id'], name=op.f(f'fk_{table}_sent_by_id_auth_users')),
        sa.CheckConstraint(f'status IN ({DISPATCH_STATUSES})', name=op.f(f'ck_{table}_status')),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint('outbox_id', name=op.f(f'uq_{table}_outbox_id')),
        sa.UniqueConstraint('message_uid', name=op.f(f'uq_{table}_message_uid')),
    )
    op.create_index(op.f(f'ix_{table}_card_id'), table, ['card_id'], unique=False)
    op.create_index(f'ix_{table}_document', table, ['document_uid', 'destination_id'], unique=False)
    alive = sa.text("status NOT IN ('failed', 'refused', 'not_accepted')")
    op.create_index(
        f'uq_{table}_alive',
        table,
        ['card_id', 'destination_id'],
        unique=True,
        postgresql_where=alive,
        sqlite_where=alive,
    )
    _create_events()
    _unexported_events()


def _unexported_events():
    """Events that happened before the exchange consumed them are not news to anyone: marked exported at the
    upgrade, so the first sweep does not send late notices; the sweep finds the new ones by a partial index."""
    op.execute('UPDATE resolutions_events SET exported_at = CURRENT_TIMESTAMP WHERE exported_at IS NULL')
    where = sa.text('exported_at IS NULL')
    op.create_index(
        'ix_resolutions_events_unexported',
        'resolutions_events',
        ['id'],
        unique=False,
        postgresql_where=where,
        sqlite_where=where,
    )


def _create_events():
    table = 'exchange_dispatch_events'
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dispatch_id', sa.Integer(), nullable=False),
        sa.Column('step', sa.String(length=32), nullable=False),
        sa.Column('happened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('text', sa.String(length=4000), nullable=False),
        sa.Column('inbox_id', sa.Integer(), nullable=True),
        sa.Column('details', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ['dispatch_id'], ['exchange_dispatches.id'], name=f'fk_{table}_dispatch_id', ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(['inbox_id'], ['exchange_inbox.id'], name=f'fk_{table}_inbox_id'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
    )
    op.create_index(f'ix_{table}_dispatch', table, ['dispatch_id', 'id'], unique=False)
    where = sa.text('inbox_id IS NOT NULL')
    op.create_index(
        f'uq_{table}_inbox', table, ['dispatch_id', 'inbox_id'], unique=True, postgresql_where=where, sqlite_where=where
    )


def downgrade():
    op.drop_index('ix_resolutions_events_unexported', table_name='resolutions_events')
    op.drop_table('exchange_dispatch_events')
    op.drop_table('exchange_dispatches')
    # the older schema knows no internal transport: such packets came in as HTTP ones would
    op.execute("UPDATE exchange_inbox SET transport = 'http' WHERE transport = 'internal'")
    _transport_check("'http', 'directory'")
