"""Initial schema: directory, auth, audit, registry, and the summary search index of each backend.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-21 05:08:54.720438
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0001_initial'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit_entries',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('seq', sa.BigInteger(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('organization_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('object_type', sa.String(length=64), nullable=True),
        sa.Column('object_id', sa.String(length=64), nullable=True),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('prev_hash', sa.String(length=64), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries')),
        sa.UniqueConstraint('seq', name=op.f('uq_audit_entries_seq')),
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_audit_entries_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_organization_id'), ['organization_id'], unique=False)

    op.create_table(
        'audit_head',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('last_seq', sa.BigInteger(), nullable=False),
        sa.Column('last_hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head')),
    )
    op.create_table(
        'directory_organizations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=511), nullable=False),
        sa.Column('short_name', sa.String(length=255), nullable=False),
        sa.Column(
            'kind',
            sa.Enum(
                'ministry',
                'agency',
                'municipality',
                'institution',
                'mfc',
                'partner',
                name='organization_kind',
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column('ogrn', sa.String(length=13), nullable=False),
        sa.Column('inn', sa.String(length=10), nullable=False),
        sa.Column('kpp', sa.String(length=9), nullable=False),
        sa.Column('address', sa.String(length=1000), nullable=False),
        sa.Column('email', sa.String(length=255), nullable=False),
        sa.Column('medo_id', sa.String(length=64), nullable=True),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_organizations')),
        sa.UniqueConstraint('medo_id', name=op.f('uq_directory_organizations_medo_id')),
        sa.UniqueConstraint('ogrn', name=op.f('uq_directory_organizations_ogrn')),
        sa.UniqueConstraint('short_name', name=op.f('uq_directory_organizations_short_name')),
    )
    op.create_table(
        'directory_departments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=511), nullable=False),
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['organization_id'],
            ['directory_organizations.id'],
            name=op.f('fk_directory_departments_organization_id_directory_organizations'),
        ),
        sa.ForeignKeyConstraint(
            ['parent_id'],
            ['directory_departments.id'],
            name=op.f('fk_directory_departments_parent_id_directory_departments'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_departments')),
        sa.UniqueConstraint('organization_id', 'code', name=op.f('uq_directory_departments_organization_id_code')),
    )
    with op.batch_alter_table('directory_departments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_departments_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_directory_departments_parent_id'), ['parent_id'], unique=False)

    op.create_table(
        'directory_positions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['organization_id'],
            ['directory_organizations.id'],
            name=op.f('fk_directory_positions_organization_id_directory_organizations'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_positions')),
        sa.UniqueConstraint('organization_id', 'title', name=op.f('uq_directory_positions_organization_id_title')),
    )
    with op.batch_alter_table('directory_positions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_positions_organization_id'), ['organization_id'], unique=False)

    op.create_table(
        'registry_journals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column(
            'kind',
            sa.Enum(
                'incoming', 'outgoing', 'internal', 'citizen_appeal', name='card_kind', native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('template', sa.String(length=100), nullable=False),
        sa.Column('next_seq', sa.Integer(), nullable=False),
        sa.Column('is_default', sa.Boolean(), nullable=False),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['organization_id'],
            ['directory_organizations.id'],
            name=op.f('fk_registry_journals_organization_id_directory_organizations'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_journals')),
        sa.UniqueConstraint(
            'organization_id', 'kind', 'year', 'name', name=op.f('uq_registry_journals_organization_id_kind_year_name')
        ),
    )
    with op.batch_alter_table('registry_journals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_journals_organization_id'), ['organization_id'], unique=False)

    op.create_table(
        'auth_users',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('position_id', sa.Integer(), nullable=True),
        sa.Column('login', sa.String(length=64), nullable=False),
        sa.Column('last_name', sa.String(length=100), nullable=False),
        sa.Column('first_name', sa.String(length=100), nullable=False),
        sa.Column('middle_name', sa.String(length=100), nullable=False),
        sa.Column('email', sa.String(length=255), nullable=False),
        sa.Column('snils', sa.String(length=11), nullable=True),
        sa.Column('password_hash', sa.String(length=255), nullable=True),
        sa.Column('must_change_password', sa.Boolean(), nullable=False),
        sa.Column('can_access_restricted', sa.Boolean(), nullable=False),
        sa.Column('is_system_admin', sa.Boolean(), nullable=False),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('failed_logins', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['department_id'],
            ['directory_departments.id'],
            name=op.f('fk_auth_users_department_id_directory_departments'),
        ),
        sa.ForeignKeyConstraint(
            ['organization_id'],
            ['directory_organizations.id'],
            name=op.f('fk_auth_users_organization_id_directory_organizations'),
        ),
        sa.ForeignKeyConstraint(
            ['position_id'], ['directory_positions.id'], name=op.f('fk_auth_users_position_id_directory_positions')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_users')),
        sa.UniqueConstraint('organization_id', 'login', name=op.f('uq_auth_users_organization_id_login')),
    )
    with op.batch_alter_table('auth_users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auth_users_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_auth_users_organization_id'), ['organization_id'], unique=False)

    op.create_table(
        'registry_case_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('index', sa.String(length=32), nullable=False),
        sa.Column('title', sa.String(length=1000), nullable=False),
        sa.Column('retention_years', sa.Integer(), nullable=True),
        sa.Column('retention_article', sa.String(length=100), nullable=False),
        sa.Column('is_closed', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['department_id'],
            ['directory_departments.id'],
            name=op.f('fk_registry_case_files_department_id_directory_departments'),
        ),
        sa.ForeignKeyConstraint(
            ['organization_id'],
            ['directory_organizations.id'],
            name=op.f('fk_registry_case_files_organization_id_directory_organizations'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_case_files')),
        sa.UniqueConstraint(
            'organization_id', 'year', 'index', name=op.f('uq_registry_case_files_organization_id_year_index')
        ),
    )
    with op.batch_alter_table('registry_case_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_case_files_organization_id'), ['organization_id'], unique=False)

    op.create_table(
        'auth_api_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['created_by_id'], ['auth_users.id'], name=op.f('fk_auth_api_tokens_created_by_id_auth_users')
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['auth_users.id'], name=op.f('fk_auth_api_tokens_user_id_auth_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_api_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_auth_api_tokens_token_hash')),
    )
    with op.batch_alter_table('auth_api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auth_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table(
        'auth_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('ip_address', sa.String(length=64), nullable=False),
        sa.Column('user_agent', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['auth_users.id'], name=op.f('fk_auth_sessions_user_id_auth_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_auth_sessions_token_hash')),
    )
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auth_sessions_user_id'), ['user_id'], unique=False)

    op.create_table(
        'auth_user_roles',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column(
            'role',
            sa.Enum(
                'administrator',
                'clerk',
                'manager',
                'assistant',
                'executor',
                'controller',
                name='role',
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['auth_users.id'], name=op.f('fk_auth_user_roles_user_id_auth_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_auth_user_roles')),
    )
    op.create_table(
        'registry_cards',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column(
            'kind',
            sa.Enum(
                'incoming', 'outgoing', 'internal', 'citizen_appeal', name='card_kind', native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column(
            'status',
            sa.Enum(
                'draft',
                'registered',
                'in_work',
                'executed',
                'filed',
                'cancelled',
                name='card_status',
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column('journal_id', sa.Integer(), nullable=True),
        sa.Column('reg_seq', sa.Integer(), nullable=True),
        sa.Column('reg_number', sa.String(length=31), nullable=True),
        sa.Column('reg_date', sa.Date(), nullable=True),
        sa.Column('registered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('received_date', sa.Date(), nullable=True),
        sa.Column('document_kind', sa.String(length=100), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column(
            'correspondent_type',
            sa.Enum('organization', 'person', name='correspondent_type', native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column('correspondent_organization_id', sa.Integer(), nullable=True),
        sa.Column('correspondent_name', sa.String(length=511), nullable=False),
        sa.Column('sender_number', sa.String(length=64), nullable=True),
        sa.Column('sender_date', sa.Date(), nullable=True),
        sa.Column('signer', sa.String(length=255), nullable=False),
        sa.Column('pages', sa.Integer(), nullable=True),
        sa.Column('attachment_pages', sa.Integer(), nullable=True),
        sa.Column(
            'access_mark',
            sa.Enum('public', 'restricted', name='access_mark', native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column('case_file_id', sa.Integer(), nullable=True),
        sa.Column(
            'delivery_method',
            sa.Enum(
                'medo',
                'email',
                'post',
                'courier',
                'in_person',
                'fax',
                'portal',
                'mfc',
                'internal',
                name='delivery_method',
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column('cancel_reason', sa.String(length=1000), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['case_file_id'],
            ['registry_case_files.id'],
            name=op.f('fk_registry_cards_case_file_id_registry_case_files'),
        ),
        sa.ForeignKeyConstraint(
            ['correspondent_organization_id'],
            ['directory_organizations.id'],
            name=op.f('fk_registry_cards_correspondent_organization_id_directory_organizations'),
        ),
        sa.ForeignKeyConstraint(
            ['created_by_id'], ['auth_users.id'], name=op.f('fk_registry_cards_created_by_id_auth_users')
        ),
        sa.ForeignKeyConstraint(
            ['department_id'],
            ['directory_departments.id'],
            name=op.f('fk_registry_cards_department_id_directory_departments'),
        ),
        sa.ForeignKeyConstraint(
            ['journal_id'], ['registry_journals.id'], name=op.f('fk_registry_cards_journal_id_registry_journals')
        ),
        sa.ForeignKeyConstraint(
            ['organization_id'],
            ['directory_organizations.id'],
            name=op.f('fk_registry_cards_organization_id_directory_organizations'),
        ),
        sa.ForeignKeyConstraint(
            ['updated_by_id'], ['auth_users.id'], name=op.f('fk_registry_cards_updated_by_id_auth_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_cards')),
        sa.UniqueConstraint('journal_id', 'reg_seq', name=op.f('uq_registry_cards_journal_id_reg_seq')),
    )
    with op.batch_alter_table('registry_cards', schema=None) as batch_op:
        batch_op.create_index('ix_registry_cards_org_date', ['organization_id', 'reg_date', 'id'], unique=False)
        batch_op.create_index(
            'ix_registry_cards_org_kind_date', ['organization_id', 'kind', 'reg_date', 'id'], unique=False
        )
        batch_op.create_index('ix_registry_cards_org_number', ['organization_id', 'reg_number'], unique=False)
        batch_op.create_index(
            'ix_registry_cards_org_sender', ['organization_id', 'sender_number', 'sender_date'], unique=False
        )

    op.create_table(
        'registry_attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('description', sa.String(length=500), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['card_id'],
            ['registry_cards.id'],
            name=op.f('fk_registry_attachments_card_id_registry_cards'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['created_by_id'], ['auth_users.id'], name=op.f('fk_registry_attachments_created_by_id_auth_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_attachments')),
    )
    with op.batch_alter_table('registry_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_attachments_card_id'), ['card_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registry_attachments_sha256'), ['sha256'], unique=False)

    op.create_table(
        'registry_card_access_grants',
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['card_id'],
            ['registry_cards.id'],
            name=op.f('fk_registry_card_access_grants_card_id_registry_cards'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['user_id'],
            ['auth_users.id'],
            name=op.f('fk_registry_card_access_grants_user_id_auth_users'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('card_id', 'user_id', 'reason', name=op.f('pk_registry_card_access_grants')),
    )
    with op.batch_alter_table('registry_card_access_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_card_access_grants_user_id'), ['user_id'], unique=False)

    op.create_table(
        'registry_card_addressees',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=511), nullable=False),
        sa.ForeignKeyConstraint(
            ['card_id'],
            ['registry_cards.id'],
            name=op.f('fk_registry_card_addressees_card_id_registry_cards'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['organization_id'],
            ['directory_organizations.id'],
            name=op.f('fk_registry_card_addressees_organization_id_directory_organizations'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_card_addressees')),
    )
    with op.batch_alter_table('registry_card_addressees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_card_addressees_card_id'), ['card_id'], unique=False)

    op.create_table(
        'registry_card_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.Column('target_card_id', sa.Integer(), nullable=False),
        sa.Column(
            'kind',
            sa.Enum('reply_to', 'in_execution_of', 'related', name='link_kind', native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['card_id'],
            ['registry_cards.id'],
            name=op.f('fk_registry_card_links_card_id_registry_cards'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['target_card_id'],
            ['registry_cards.id'],
            name=op.f('fk_registry_card_links_target_card_id_registry_cards'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_card_links')),
        sa.UniqueConstraint(
            'card_id', 'target_card_id', 'kind', name=op.f('uq_registry_card_links_card_id_target_card_id_kind')
        ),
    )
    with op.batch_alter_table('registry_card_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_card_links_card_id'), ['card_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registry_card_links_target_card_id'), ['target_card_id'], unique=False)

    create_search_index()
    audit_head = sa.table(
        'audit_head',
        sa.column('id', sa.Integer),
        sa.column('last_seq', sa.BigInteger),
        sa.column('last_hash', sa.String),
    )
    op.bulk_insert(audit_head, [{'id': 1, 'last_seq': 0, 'last_hash': '0' * 64}])


def create_search_index():
    """PostgreSQL: GIN over the Russian tsvector of the summary. SQLite: an FTS5 table kept by triggers."""
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute(
            "CREATE INDEX ix_registry_cards_summary_fts ON registry_cards USING gin (to_tsvector('russian', summary))"
        )
    elif bind.dialect.name == 'sqlite':
        for statement in SQLITE_FTS:
            op.execute(statement)


SQLITE_FTS = (
    "CREATE VIRTUAL TABLE registry_cards_fts USING fts5(summary, content='registry_cards', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    'CREATE TRIGGER registry_cards_fts_ai AFTER INSERT ON registry_cards BEGIN '
    'INSERT INTO registry_cards_fts(rowid, summary) VALUES (new.id, new.summary); END',
    'CREATE TRIGGER registry_cards_fts_ad AFTER DELETE ON registry_cards BEGIN '
    "INSERT INTO registry_cards_fts(registry_cards_fts, rowid, summary) VALUES ('delete', old.id, old.summary); END",
    'CREATE TRIGGER registry_cards_fts_au AFTER UPDATE OF summary ON registry_cards BEGIN '
    "INSERT INTO registry_cards_fts(registry_cards_fts, rowid, summary) VALUES ('delete', old.id, old.summary); "
    'INSERT INTO registry_cards_fts(rowid, summary) VALUES (new.id, new.summary); END',
)


def drop_search_index():
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_registry_cards_summary_fts')
    elif bind.dialect.name == 'sqlite':
        for name in ('registry_cards_fts_ai', 'registry_cards_fts_ad', 'registry_cards_fts_au'):
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
        op.execute('DROP TABLE IF EXISTS registry_cards_fts')


def downgrade():
    drop_search_index()
    with op.batch_alter_table('registry_card_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_card_links_target_card_id'))
        batch_op.drop_index(batch_op.f('ix_registry_card_links_card_id'))

    op.drop_table('registry_card_links')
    with op.batch_alter_table('registry_card_addressees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_card_addressees_card_id'))

    op.drop_table('registry_card_addressees')
    with op.batch_alter_table('registry_card_access_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_card_access_grants_user_id'))

    op.drop_table('registry_card_access_grants')
    with op.batch_alter_table('registry_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_attachments_sha256'))
        batch_op.drop_index(batch_op.f('ix_registry_attachments_card_id'))

    op.drop_table('registry_attachments')
    with op.batch_alter_table('registry_cards', schema=None) as batch_op:
        batch_op.drop_index('ix_registry_cards_org_sender')
        batch_op.drop_index('ix_registry_cards_org_number')
        batch_op.drop_index('ix_registry_cards_org_kind_date')
        batch_op.drop_index('ix_registry_cards_org_date')

    op.drop_table('registry_cards')
    op.drop_table('auth_user_roles')
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auth_sessions_user_id'))

    op.drop_table('auth_sessions')
    with op.batch_alter_table('auth_api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auth_api_tokens_user_id'))

    op.drop_table('auth_api_tokens')
    with op.batch_alter_table('registry_case_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_case_files_organization_id'))

    op.drop_table('registry_case_files')
    with op.batch_alter_table('auth_users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auth_users_organization_id'))
        batch_op.drop_index(batch_op.f('ix_auth_users_department_id'))

    op.drop_table('auth_users')
    with op.batch_alter_table('registry_journals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_journals_organization_id'))

    op.drop_table('registry_journals')
    with op.batch_alter_table('directory_positions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_positions_organization_id'))

    op.drop_table('directory_positions')
    with op.batch_alter_table('directory_departments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_departments_parent_id'))
        batch_op.drop_index(batch_op.f('ix_directory_departments_organization_id'))

    op.drop_table('directory_departments')
    op.drop_table('directory_organizations')
    op.drop_table('audit_head')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_organization_id'))
        batch_op.drop_index('ix_audit_entries_object')
        batch_op.drop_index(batch_op.f('ix_audit_entries_created_at'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_action'))

    op.drop_table('audit_entries')
