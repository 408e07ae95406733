"""Stored tsvector of the summary on PostgreSQL, replacing the expression index.

Word searches then read the stems from the row instead of re-stemming every candidate card (BENCHMARKS.md, list).
SQLite keeps its FTS5 table. Both objects are database-only: the models do not declare them.

Revision ID: 0003_summary_tsv
Revises: 0002_calendar
Create Date: 2026-11-21 07:45:00
"""

from alembic import op

revision = '0003_summary_tsv'
down_revision = '0002_calendar'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('DROP INDEX IF EXISTS ix_registry_cards_summary_fts')
    op.execute(
        'ALTER TABLE registry_cards ADD COLUMN summary_tsv tsvector '
        "GENERATED ALWAYS AS (to_tsvector('russian', summary)) STORED"
    )
    op.execute('CREATE INDEX ix_registry_cards_summary_tsv ON registry_cards USING gin (summary_tsv)')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('DROP INDEX IF EXISTS ix_registry_cards_summary_tsv')
    op.execute('ALTER TABLE registry_cards DROP COLUMN IF EXISTS summary_tsv')
    op.execute(
        "CREATE INDEX ix_registry_cards_summary_fts ON registry_cards USING gin (to_tsvector('russian', summary))"
    )
