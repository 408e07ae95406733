"""Qualified signatures: users' certificates, the trust store and CRLs, signatures of attachments, verifications.

Revision ID: 0007_signatures
Revises: 0006_resolutions
Create Date: 2026-11-21 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0007_signatures'
down_revision = '0006_resolutions'
branch_labels = None
depends_on = None


def _user_fk(table, column, ondelete=None):
    return sa.ForeignKeyConstraint(
        [column], ['auth_users.id'], name=op.f(f'fk_{table}_{column}_auth_users'), ondelete=ondelete
    )


def _organization_fk(table):
    # the conventional name would pass PostgreSQL's 63 characters: the model names it the same way
    return sa.ForeignKeyConstraint(
        ['organization_id'], ['directory_organizations.id'], name=f'fk_{table}_organization_id'
    )


def upgrade():
    _create_user_certificates()
    _create_trusted_certificates()
    _create_crls()
    _create_attachment_signatures()
    _create_verifications()


def _create_user_certificates():
    table = 'signatures_user_certificates'
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('certificate_der', sa.LargeBinary(), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('owner', sa.String(length=1000), nullable=False),
        sa.Column('subject', sa.Text(), nullable=False),
        sa.Column('issuer', sa.Text(), nullable=False),
        sa.Column('serial', sa.String(length=128), nullable=False),
        sa.Column('snils', sa.String(length=11), nullable=True),
        sa.Column('inn', sa.String(length=12), nullable=True),
        sa.Column('ogrn', sa.String(length=13), nullable=True),
        sa.Column('inn_le', sa.String(length=10), nullable=True),
        sa.Column('not_before', sa.DateTime(timezone=True), nullable=False),
        sa.Column('not_after', sa.DateTime(timezone=True), nullable=False),
        sa.Column('key_algorithm', sa.String(length=64), nullable=False),
        sa.Column('container_sha256', sa.String(length=64), nullable=True),
        sa.Column('bound_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('bound_by_id', sa.Integer(), nullable=True),
        sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('disabled_by_id', sa.Integer(), nullable=True),
        _user_fk(table, 'user_id', ondelete='CASCADE'),
        _user_fk(table, 'bound_by_id'),
        _user_fk(table, 'disabled_by_id'),
        _organization_fk(table),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint('user_id', 'fingerprint', name=op.f(f'uq_{table}_user_id_fingerprint')),
    )
    op.create_index(op.f(f'ix_{table}_fingerprint'), table, ['fingerprint'], unique=False)
    op.create_index(op.f(f'ix_{table}_organization_id'), table, ['organization_id'], unique=False)


def _create_trusted_certificates():
    table = 'signatures_trusted_certificates'
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('certificate_der', sa.LargeBinary(), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=1000), nullable=False),
        sa.Column('subject', sa.Text(), nullable=False),
        sa.Column('issuer', sa.Text(), nullable=False),
        sa.Column('serial', sa.String(length=128), nullable=False),
        sa.Column('not_before', sa.DateTime(timezone=True), nullable=False),
        sa.Column('not_after', sa.DateTime(timezone=True), nullable=False),
        sa.Column('is_root', sa.Boolean(), nullable=False),
        sa.Column('is_accredited', sa.Boolean(), nullable=False),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('note', sa.String(length=1000), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        _user_fk(table, 'added_by_id'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint('fingerprint', name=op.f(f'uq_{table}_fingerprint')),
    )


def _create_crls():
    table = 'signatures_crls'
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('issuer_fingerprint', sa.String(length=64), nullable=False),
        sa.Column('issuer_name', sa.String(length=1000), nullable=False),
        sa.Column('der', sa.LargeBinary(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('this_update', sa.DateTime(timezone=True), nullable=False),
        sa.Column('next_update', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_count', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=2000), nullable=False),
        sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint('issuer_fingerprint', name=op.f(f'uq_{table}_issuer_fingerprint')),
    )


def _create_attachment_signatures():
    table = 'signatures_attachment_signatures'
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('attachment_id', sa.Integer(), nullable=False),
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('file_sha256', sa.String(length=64), nullable=False),
        sa.Column('signature_sha256', sa.String(length=64), nullable=False),
        sa.Column('signature_size', sa.Integer(), nullable=False),
        sa.Column('signer_certificate_der', sa.LargeBinary(), nullable=False),
        sa.Column('signer_fingerprint', sa.String(length=64), nullable=False),
        sa.Column('signer_summary', sa.String(length=1000), nullable=False),
        sa.Column('signer_serial', sa.String(length=128), nullable=False),
        sa.Column('signing_time', sa.DateTime(timezone=True), nullable=True),
        sa.Column('method', sa.String(length=16), nullable=False),
        sa.Column('user_certificate_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('last_verdict', sa.String(length=16), nullable=False),
        sa.Column('last_verified_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['attachment_id'],
            ['registry_attachments.id'],
            name=f'fk_{table}_attachment_id',
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['card_id'], ['registry_cards.id'], name=op.f(f'fk_{table}_card_id_registry_cards'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['user_certificate_id'],
            ['signatures_user_certificates.id'],
            name=f'fk_{table}_user_certificate_id',
            ondelete='SET NULL',
        ),
        _organization_fk(table),
        _user_fk(table, 'created_by_id'),
        sa.CheckConstraint("method IN ('server', 'client')", name=op.f(f'ck_{table}_method')),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint('attachment_id', 'signer_fingerprint', name=f'uq_{table}_signer'),
    )
    op.create_index(op.f(f'ix_{table}_attachment_id'), table, ['attachment_id'], unique=False)


def _create_verifications():
    table = 'signatures_verifications'
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=True),
        sa.Column('attachment_signature_id', sa.Integer(), nullable=True),
        sa.Column('attachment_id', sa.Integer(), nullable=True),
        sa.Column('file_sha256', sa.String(length=64), nullable=False),
        sa.Column('signature_sha256', sa.String(length=64), nullable=False),
        sa.Column('file_name', sa.String(length=255), nullable=False),
        sa.Column('signature_name', sa.String(length=255), nullable=False),
        sa.Column('verdict', sa.String(length=16), nullable=False),
        sa.Column('report', sa.JSON(), nullable=False),
        sa.Column('trust_fingerprint', sa.String(length=64), nullable=False),
        sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('checked_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['attachment_signature_id'],
            ['signatures_attachment_signatures.id'],
            name=f'fk_{table}_attachment_signature_id',
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['attachment_id'],
            ['registry_attachments.id'],
            name=op.f(f'fk_{table}_attachment_id_registry_attachments'),
            ondelete='CASCADE',
        ),
        _organization_fk(table),
        _user_fk(table, 'checked_by_id'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
    )
    op.create_index(f'ix_{table}_signature', table, ['attachment_signature_id', 'checked_at'], unique=False)
    op.create_index(f'ix_{table}_organization', table, ['organization_id', 'checked_at'], unique=False)


def downgrade():
    op.drop_table('signatures_verifications')
    op.drop_table('signatures_attachment_signatures')
    op.drop_table('signatures_crls')
    op.drop_table('signatures_trusted_certificates')
    op.drop_table('signatures_user_certificates')
