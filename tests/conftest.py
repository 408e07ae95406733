"""Fixtures: a real PostgreSQL and Redis started in temporary directories, the app migrated once, clean tables per test.

`EDMS_TEST_DATABASE=sqlite` runs the selected tests on the embedded SQLite default instead (the smoke subset).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import Connection, text

from edms import create_app
from edms.core.db import db
from tests.servers import RunningServer, ServerUnavailable, start_postgres, start_redis

USE_SQLITE = os.environ.get('EDMS_TEST_DATABASE') == 'sqlite'


@pytest.fixture(scope='session')
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer | None]:
    if USE_SQLITE:
        yield None
        return
    try:
        server = start_postgres(tmp_path_factory.mktemp('postgres'))
    except ServerUnavailable as error:
        pytest.skip(f'PostgreSQL недоступен: {error.reason}')
    yield server
    server.stop()


@pytest.fixture(scope='session')
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    try:
        server = start_redis(tmp_path_factory.mktemp('redis'), appendonly=True)
    except ServerUnavailable as error:
        pytest.skip(f'Redis недоступен: {error.reason}')
    yield server
    server.stop()


@pytest.fixture(scope='session')
def database_url(pg_server: RunningServer | None, tmp_path_factory: pytest.TempPathFactory) -> str:
    if pg_server is None:
        return f'sqlite:///{tmp_path_factory.mktemp("sqlite") / "edms.sqlite3"}'
    return pg_server.url


def make_config(database_url: str, blob_dir: Path, **extra: object) -> dict[str, object]:
    return {
        'TESTING': True,
        'SECRET_KEY': 'test-secret-key',
        'SQLALCHEMY_DATABASE_URI': database_url,
        'BLOB_DIR': str(blob_dir),
        'WTF_CSRF_ENABLED': False,
        'MAX_ATTACHMENT_SIZE': 2 * 1024 * 1024,
        # Confirmation codes in the in-app notifications when a test has no SMS gateway (edms.notifications.sms).
        'SMS_DEVELOPMENT_DELIVERY': True,
        # argon2id at its smallest cost: every test account is hashed and every login verified (0.15 s each with the
        # production parameters, about half of the suite's time); tests/auth/test_password_hashing.py covers those.
        'PASSWORD_HASHING': {'time_cost': 1, 'memory_cost': 8, 'parallelism': 1},
        'SQLALCHEMY_ENGINE_OPTIONS': {'pool_size': 25, 'max_overflow': 10, 'pool_timeout': 60}
        if database_url.startswith('postgresql')
        else {'connect_args': {'timeout': 30}},
        **extra,
    }


@pytest.fixture(scope='session')
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The application on the test database, migrated to head once per session."""
    from flask_migrate import upgrade

    application = create_app(make_config(database_url, tmp_path_factory.mktemp('blobs')))
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    """An app context for a test; every table is emptied afterwards."""
    with app.app_context():
        yield app
        db.session.rollback()
        db.session.remove()
        clean_tables()


def clean_tables() -> None:
    tables = [table.name for table in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == 'postgresql':
            _truncate_used(connection, tables)
        else:
            for name in tables:
                connection.execute(text(f'DELETE FROM {name}'))
            connection.execute(text("INSERT INTO registry_cards_fts(registry_cards_fts) VALUES ('rebuild')"))
        connection.execute(
            text('INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 0, :genesis)'), {'genesis': '0' * 64}
        )


def _truncate_used(connection: Connection, tables: list[str]) -> None:
    """Empty the tables that hold rows and restart the sequences that were used: a TRUNCATE makes new files for each
    table and index it names, so naming all of them cost 0.12 s per test where most tests touch a few. Unlike a
    TRUNCATE, the DELETE does not wait for other connections: whatever a test starts (live servers, threads) must have
    finished and committed by its teardown, as it must anyway."""
    probe = ' UNION ALL '.join(f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM {name})" for name in tables)
    used = list(connection.execute(text(probe)).scalars())
    if used:  # one statement: the foreign keys are checked at its end, when every row is gone (they form cycles)
        deletes = [f'd{number} AS (DELETE FROM {name})' for number, name in enumerate(used[1:])]
        connection.execute(
            text(f'WITH {", ".join(deletes)} DELETE FROM {used[0]}' if deletes else f'DELETE FROM {used[0]}')
        )
    # setval changes a sequence in place; ALTER SEQUENCE … RESTART (and TRUNCATE … RESTART IDENTITY) give it a new file.
    connection.execute(
        text(
            "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false) "
            'FROM pg_sequences WHERE last_value IS NOT NULL'
        )
    )


class FreshContextClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    Without it, requests would reuse the test's app context and share `flask.g` (and the database session) with
    each other and with the test, which hides bugs such as a CSRF secret cached in `g`.
    """

    def open(self, *args: object, **kwargs: object):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def redis_jobs(app: Flask, redis_server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Redis]:
    """Jobs go to the test Redis (emptied first) instead of running synchronously."""
    from edms.core.jobs import redis_connection

    monkeypatch.setitem(app.config, 'REDIS_URL', redis_server.url)
    monkeypatch.setitem(app.config, 'JOBS_SYNC', False)
    forget_redis(app)
    connection = redis_connection()
    connection.flushdb()
    yield connection
    forget_redis(app)


def forget_redis(app: Flask) -> None:
    """Drop the app's Redis client so that the next use connects to the Redis configured then. Closed, not only
    dropped: its pooled sockets would otherwise be reported as unclosed (a ResourceWarning, an error here) by
    whichever later test happens to run the garbage collector."""
    client = app.extensions.pop('edms_redis', None)
    if client is not None:
        client.connection_pool.disconnect()


@pytest.fixture
def client(app_ctx: Flask) -> FlaskClient:
    app_ctx.test_client_class = FreshContextClient
    return app_ctx.test_client()
