"""МЭДО exchange: participants directory, inbox and outbox of packets.

Revision ID: 0008_exchange
Revises: 0007_signatures
Create Date: 2026-11-21 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0008_exchange'
down_revision = '0007_signatures'
branch_labels = None
depends_on = None

PRIMARY = 'parent_id IS NULL AND duplicate_of_id IS NULL'


def _participant_fk(table, column):
    return sa.ForeignKeyConstraint([column], ['exchange_participants.id'], name=f'fk_{table}_{column}')


def _organization_fk(table, column):
    return sa.ForeignKeyConstraint([column], ['directory_organizations.id'], name=f'fk_{table}_{column}')


def upgrade():
    _create_participants()
    _create_inbox()
    _create_outbox()


def _create_participants():
    table = 'exchange_participants'
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('guid', sa.String(length=36), nullable=False),
        sa.Column('medo_address', sa.String(length=255), nullable=False),
        sa.Column('endpoint_url', sa.String(length=2000), nullable=True),
        sa.Column('is_local', sa.Boolean(), nullable=False),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        _organization_fk(table, 'organization_id'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint('organization_id', name=op.f(f'uq_{table}_organization_id')),
        sa.UniqueConstraint('guid', name=op.f(f'uq_{table}_guid')),
        sa.UniqueConstraint('medo_address', name=op.f(f'uq_{table}_medo_address')),
    )


def _create_inbox():
    table = 'exchange_inbox'
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('transport', sa.String(length=16), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('source_participant_id', sa.Integer(), nullable=True),
        sa.Column('received_by_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('reason_code', sa.String(length=32), nullable=True),
        sa.Column('reason', sa.String(length=4000), nullable=True),
        sa.Column('details', sa.JSON(), nullable=True),
        sa.Column('message_kind', sa.String(length=16), nullable=True),
        sa.Column('generation', sa.String(length=16), nullable=True),
        sa.Column('message_uid', sa.String(length=36), nullable=True),
        sa.Column('sender_uid', sa.String(length=36), nullable=True),
        sa.Column('sender_name', sa.String(length=511), nullable=True),
        sa.Column('document_uid', sa.String(length=36), nullable=True),
        sa.Column('document_local_id', sa.String(length=127), nullable=True),
        sa.Column('sender_number', sa.String(length=64), nullable=True),
        sa.Column('sender_date', sa.Date(), nullable=True),
        sa.Column('recipient_organization_id', sa.Integer(), nullable=True),
        sa.Column('recipient_participant_id', sa.Integer(), nullable=True),
        sa.Column('card_id', sa.Integer(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('receptions', sa.Integer(), nullable=False),
        sa.Column('receipts', sa.Integer(), nullable=False),
        sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['parent_id'], ['exchange_inbox.id'], name=f'fk_{table}_parent_id'),
        sa.ForeignKeyConstraint(['duplicate_of_id'], ['exchange_inbox.id'], name=f'fk_{table}_duplicate_of_id'),
        _participant_fk(table, 'source_participant_id'),
        _participant_fk(table, 'recipient_participant_id'),
        _organization_fk(table, 'recipient_organization_id'),
        sa.ForeignKeyConstraint(
            ['received_by_id'], ['auth_users.id'], name=op.f(f'fk_{table}_received_by_id_auth_users')
        ),
        sa.ForeignKeyConstraint(['card_id'], ['registry_cards.id'], name=op.f(f'fk_{table}_card_id_registry_cards')),
        sa.CheckConstraint("transport IN ('http', 'directory')", name=op.f(f'ck_{table}_transport')),
        sa.CheckConstraint(
            "status IN ('received', 'accepted', 'quarantined', 'refused')", name=op.f(f'ck_{table}_status')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
    )
    where = {'postgresql_where': sa.text(PRIMARY), 'sqlite_where': sa.text(PRIMARY)}
    op.create_index(f'uq_{table}_sha256', table, ['sha256'], unique=True, **where)
    op.create_index(f'uq_{table}_message', table, ['sender_uid', 'message_uid'], unique=True, **where)
    op.create_index(f'ix_{table}_recipient', table, ['recipient_organization_id', 'status', 'id'], unique=False)
    op.create_index(f'ix_{table}_status', table, ['status', 'received_at'], unique=False)
    op.create_index(op.f(f'ix_{table}_card_id'), table, ['card_id'], unique=False)


def _create_outbox():
    table = 'exchange_outbox'
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('event', sa.String(length=32), nullable=False),
        sa.Column('destination_id', sa.Integer(), nullable=False),
        sa.Column('sender_participant_id', sa.Integer(), nullable=True),
        sa.Column('organization_id', sa.Integer(), nullable=True),
        sa.Column('inbox_id', sa.Integer(), nullable=True),
        sa.Column('card_id', sa.Integer(), nullable=True),
        sa.Column('message_uid', sa.String(length=36), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        _participant_fk(table, 'destination_id'),
        _participant_fk(table, 'sender_participant_id'),
        _organization_fk(table, 'organization_id'),
        sa.ForeignKeyConstraint(['inbox_id'], ['exchange_inbox.id'], name=op.f(f'fk_{table}_inbox_id_exchange_inbox')),
        sa.ForeignKeyConstraint(['card_id'], ['registry_cards.id'], name=op.f(f'fk_{table}_card_id_registry_cards')),
        sa.CheckConstraint("kind IN ('receipt', 'notification', 'document')", name=op.f(f'ck_{table}_kind')),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f(f'ck_{table}_status')),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint('message_uid', name=op.f(f'uq_{table}_message_uid')),
    )
    op.create_index(f'ix_{table}_due', table, ['status', 'next_attempt_at'], unique=False)
    op.create_index(op.f(f'ix_{table}_destination_id'), table, ['destination_id'], unique=False)
    op.create_index(op.f(f'ix_{table}_inbox_id'), table, ['inbox_id'], unique=False)
    notification = sa.text("kind = 'notification'")
    op.create_index(
        f'uq_{table}_notice',
        table,
        ['inbox_id', 'event'],
        unique=True,
        postgresql_where=notification,
        sqlite_where=notification,
    )


def downgrade():
    op.drop_table('exchange_outbox')
    op.drop_table('exchange_inbox')
    op.drop_table('exchange_participants')
