"""Configuration: the database URL goes through psycopg 3, which prepares repeated statements on the server."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from edms import create_app
from edms.core.db import db
from edms.settings import database_url
from tests.conftest import make_config
from tests.servers import RunningServer


@pytest.mark.parametrize(
    'given',
    [
        'postgresql://edms:secret@db.internal:5432/edms',
        'postgres://edms:secret@db.internal:5432/edms',
        'postgresql+psycopg2://edms:secret@db.internal:5432/edms',
        'postgresql+psycopg://edms:secret@db.internal:5432/edms',
    ],
)
def test_every_postgresql_spelling_uses_psycopg3(given: str) -> None:
    assert database_url(given) == 'postgresql+psycopg://edms:secret@db.internal:5432/edms'


def test_other_urls_are_left_alone() -> None:
    assert database_url('sqlite:////var/lib/edms/edms.sqlite3') == 'sqlite:////var/lib/edms/edms.sqlite3'
    assert database_url(None) is None


def test_a_psycopg2_url_connects_and_repeated_statements_are_prepared(
    pg_server: RunningServer | None, tmp_path: Path
) -> None:
    if pg_server is None:
        pytest.skip('PostgreSQL only: SQLite has no server-side prepared statements')
    old_spelling = pg_server.url.replace('+psycopg://', '+psycopg2://')
    app = create_app(make_config(old_spelling, tmp_path))
    with app.app_context():
        try:
            assert db.engine.dialect.driver == 'psycopg'
            with db.engine.connect() as connection:
                for _ in range(6):
                    assert connection.execute(text('SELECT count(*) FROM pg_class WHERE relname = :n'), {'n': 'x'})
                prepared = connection.execute(
                    text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%relname = $1%'")
                ).scalar()
            assert prepared == 1
        finally:
            db.engine.dispose()
