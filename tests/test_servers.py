"""The throwaway PostgreSQL and Redis servers of tests/servers.py start, answer and stop."""

import socket
import sys
from pathlib import Path

import psycopg
import pytest
import redis

from tests.servers import PostgresServer, RunningServer, ServerUnavailable, free_port, start_postgres, start_redis


def _started_postgres(base_dir: Path) -> PostgresServer:
    try:
        return start_postgres(base_dir)
    except ServerUnavailable as exc:
        pytest.skip(exc.reason)


def _started_redis(base_dir: Path, appendonly: bool = False) -> RunningServer:
    try:
        return start_redis(base_dir, appendonly=appendonly)
    except ServerUnavailable as exc:
        pytest.skip(exc.reason)


def _port_is_closed(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex(('127.0.0.1', port)) != 0


def test_free_port_is_bindable_on_loopback() -> None:
    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', port))
    assert 1024 <= port <= 65535


def test_postgres_starts_answers_and_stops(tmp_path: Path) -> None:
    server = _started_postgres(tmp_path)
    try:
        assert server.url == f'postgresql+psycopg://postgres@127.0.0.1:{server.port}/edms_test'
        assert server.admin_url == f'postgresql+psycopg://postgres@127.0.0.1:{server.port}/postgres'
        connection = psycopg.connect(host='127.0.0.1', port=server.port, user='postgres', dbname='edms_test')
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    'select version(), current_setting(%s), current_setting(%s)', ['fsync', 'server_encoding']
                )
                version, fsync, encoding = cursor.fetchone()
        finally:
            connection.close()
        assert version.startswith('PostgreSQL ')
        assert (fsync, encoding) == ('off', 'UTF8')
    finally:
        server.stop()
    assert not server.running
    assert _port_is_closed(server.port)
    server.stop()  # idempotent


def test_postgres_creates_and_drops_databases(tmp_path: Path) -> None:
    with _started_postgres(tmp_path) as server:
        url = server.create_database('edms_copy', template='edms_test')
        assert url.endswith(f':{server.port}/edms_copy')
        connection = psycopg.connect(host='127.0.0.1', port=server.port, user='postgres', dbname='edms_copy')
        connection.close()
        server.drop_database('edms_copy')
        server.drop_database('edms_copy')  # absent is fine
        connection = psycopg.connect(host='127.0.0.1', port=server.port, user='postgres', dbname='postgres')
        try:
            with connection.cursor() as cursor:
                cursor.execute('select count(*) from pg_database where datname = %s', ('edms_copy',))
                assert cursor.fetchone() == (0,)
        finally:
            connection.close()
    assert not server.running


@pytest.mark.parametrize('appendonly', [False, True])
def test_redis_starts_answers_and_stops(tmp_path: Path, appendonly: bool) -> None:
    server = _started_redis(tmp_path, appendonly=appendonly)
    try:
        assert server.url == f'redis://127.0.0.1:{server.port}/0'
        client = redis.Redis.from_url(server.url)
        try:
            assert client.ping() is True
            client.set('edms:test', 'значение')
            assert client.get('edms:test') == 'значение'.encode()
            assert client.config_get('appendonly') == {'appendonly': 'yes' if appendonly else 'no'}
        finally:
            client.close()
    finally:
        server.stop()
    assert not server.running
    assert _port_is_closed(server.port)


def test_missing_binaries_raise_server_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules[ServerUnavailable.__module__], 'PG_ROOT', tmp_path / 'no-postgresql')
    monkeypatch.setattr(sys.modules[ServerUnavailable.__module__], 'REDIS_FALLBACK', tmp_path / 'no-redis-server')
    monkeypatch.setenv('PATH', str(tmp_path))
    with pytest.raises(ServerUnavailable, match='PostgreSQL is not installed'):
        start_postgres(tmp_path)
    with pytest.raises(ServerUnavailable, match='redis-server is not installed'):
        start_redis(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_redis_on_a_port_another_process_took_first_starts_on_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parallel test processes can draw the same free port: the one that loses the bind must not take the winner's
    PING for its own server."""
    servers = sys.modules[ServerUnavailable.__module__]
    first = _started_redis(tmp_path / 'first')
    try:
        draws = iter([first.port])
        real_free_port = servers.free_port
        monkeypatch.setattr(servers, 'free_port', lambda: next(draws, None) or real_free_port())
        second = _started_redis(tmp_path / 'second')
        try:
            assert second.port != first.port
            own = redis.Redis.from_url(second.url)
            try:
                assert own.config_get('dir')['dir'] == str(second.directory)
            finally:
                own.close()
        finally:
            second.stop()
    finally:
        first.stop()
