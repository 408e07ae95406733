"""Transactions on PostgreSQL: reads outside a transaction for GET requests, atomic blocks inside them, and the
check of pooled connections that sat idle."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from edms import create_app
from edms.core.db import db
from edms.core.tx import atomic, atomic_keeping, autocommit_reads
from edms.directory.models import Organization
from tests.conftest import make_config
from tests.factories import make_organization
from tests.servers import RunningServer


@pytest.fixture
def pg_ctx(app_ctx: Flask, pg_server: RunningServer | None) -> Flask:
    if pg_server is None:
        pytest.skip('PostgreSQL only: on SQLite autocommit_reads() changes nothing')
    return app_ctx


def transaction_id() -> int:
    """The id of the transaction the statement runs in (PostgreSQL assigns a new one to each implicit transaction)."""
    return int(db.session.execute(text('SELECT pg_current_xact_id()::text')).scalar_one())


def test_by_default_the_statements_of_a_request_share_one_transaction(pg_ctx: Flask) -> None:
    assert transaction_id() == transaction_id()


def test_after_autocommit_reads_each_statement_is_its_own_transaction(pg_ctx: Flask) -> None:
    autocommit_reads()
    assert transaction_id() != transaction_id()
    dbapi = db.session.connection().connection.dbapi_connection
    assert dbapi is not None
    assert dbapi.info.transaction_status == psycopg.pq.TransactionStatus.IDLE


def test_an_atomic_block_among_autocommit_reads_is_one_transaction_and_the_reads_resume(pg_ctx: Flask) -> None:
    autocommit_reads()
    with atomic():
        make_organization('Министерство внутри блока')
        assert transaction_id() == transaction_id()
    assert transaction_id() != transaction_id()
    assert db.session.scalar(select(func.count()).select_from(Organization)) == 1


def test_a_failed_atomic_block_among_autocommit_reads_writes_nothing(pg_ctx: Flask) -> None:
    autocommit_reads()

    def failing_block() -> None:
        with atomic():
            make_organization('Министерство, которого не будет')
            db.session.flush()
            raise RuntimeError('the block fails after its insert')

    with pytest.raises(RuntimeError):
        failing_block()
    assert db.session.scalar(select(func.count()).select_from(Organization)) == 0


@pytest.fixture
def one_connection_app(
    pg_server: RunningServer | None, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Flask]:
    """An app with a pool of one connection and the idle threshold the test names in its parameter."""
    if pg_server is None:
        pytest.skip('PostgreSQL only: the idle ping is installed for PostgreSQL pools')
    config = make_config(pg_server.url, tmp_path, DB_PING_IDLE_SECONDS=request.param)
    config['SQLALCHEMY_ENGINE_OPTIONS'] = {'pool_size': 1, 'max_overflow': 0}
    app = create_app(config)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def backend_pid() -> int:
    pid = int(db.session.execute(text('SELECT pg_backend_pid()')).scalar_one())
    db.session.remove()  # the connection goes back to the pool
    return pid


def terminate(pg_server: RunningServer, pid: int) -> None:
    """End a server process from outside the app's pool, as a restart or an idle timeout would."""
    with psycopg.connect(pg_server.url.replace('postgresql+psycopg://', 'postgresql://'), autocommit=True) as admin:
        admin.execute('SELECT pg_terminate_backend(%s, 5000)', (pid,))


@pytest.mark.parametrize('one_connection_app', [0], indirect=True)
def test_a_dead_connection_that_sat_idle_is_replaced_before_use(
    one_connection_app: Flask, pg_server: RunningServer
) -> None:
    pid = backend_pid()
    terminate(pg_server, pid)
    assert backend_pid() != pid


@pytest.mark.parametrize('one_connection_app', [3600], indirect=True)
def test_a_connection_used_a_moment_ago_is_not_pinged_and_a_failure_drops_it(
    one_connection_app: Flask, pg_server: RunningServer
) -> None:
    pid = backend_pid()
    terminate(pg_server, pid)
    with pytest.raises(OperationalError):
        backend_pid()
    db.session.remove()
    assert backend_pid() != pid


class _Kept(Exception):
    pass


def count_organizations() -> int:
    return db.session.execute(select(func.count()).select_from(Organization)).scalar_one()


def write_then_raise(error: Exception) -> None:
    make_organization('Счётчик попыток')
    raise error


def test_a_kept_refusal_commits_what_was_written_before_it_and_is_raised(app_ctx: Flask) -> None:
    with pytest.raises(_Kept), atomic_keeping(_Kept):
        write_then_raise(_Kept())
    db.session.rollback()
    assert count_organizations() == 1


def test_any_other_refusal_rolls_the_block_back(app_ctx: Flask) -> None:
    with pytest.raises(ValueError, match='другая'), atomic_keeping(_Kept):
        write_then_raise(ValueError('другая'))
    db.session.rollback()
    assert count_organizations() == 0
