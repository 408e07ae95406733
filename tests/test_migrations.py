"""Migrations: one head, upgrade an empty PostgreSQL to head, downgrade to base, upgrade again, models agree."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from edms import create_app
from edms.core.db import db
from tests.conftest import make_config


@pytest.fixture
def empty_database(pg_server, tmp_path):
    if pg_server is None:
        pytest.skip('the migration round trip is checked on PostgreSQL')
    url = pg_server.create_database('edms_migrations')
    yield url
    pg_server.drop_database('edms_migrations')


def test_there_is_a_single_head(app):
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions['migrate'].migrate.get_config())
        assert len(script.get_heads()) == 1


def test_upgrade_downgrade_upgrade_and_models_agree(empty_database, tmp_path):
    from edms.paths import ROOT

    app = create_app(make_config(empty_database, tmp_path / 'blobs'))
    with app.app_context():
        directory = str(ROOT / 'migrations')
        upgrade(directory)
        assert 'registry_cards' in inspect(db.engine).get_table_names()
        downgrade(directory, revision='base')
        assert inspect(db.engine).get_table_names() == ['alembic_version']
        upgrade(directory)
        engine = create_engine(empty_database)
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={'compare_type': True, 'include_object': _include_object}
            )
            differences = compare_metadata(context, db.metadata)
        engine.dispose()
        db.engine.dispose()
    assert differences == []


def _include_object(obj, name, type_, reflected, compare_to):
    return not (name and name.startswith(('registry_cards_fts', 'ix_registry_cards_summary_', 'summary_tsv')))
