"""CRLs: upload verified against a trusted issuer (a foreign or forged one refused, an older one refused, the same
one idempotent, a newer one replaces); the refresh job against a local HTTP server on loopback (a dead URL skipped,
a second run changes nothing); the periodic job entry and the `edms trust` commands."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pytest
from asn1crypto import x509 as asn1_x509
from sqlalchemy import func, select

from edms.audit.models import AuditEntry
from edms.core.access import SYSTEM
from edms.core.db import db
from edms.core.errors import Forbidden
from edms.core.schedule import get_periodic_job
from edms.core.tx import atomic
from edms.signatures.crypto import issue, keys
from edms.signatures.errors import CrlRefused
from edms.signatures.jobs import CrlFetchFailed, fetch_crl, refresh_crls
from edms.signatures.models import CertificateRevocationList
from edms.signatures.operations import import_trusted, upload_crl
from edms.signatures.trust import trust_data
from scripts.make_test_pki import TestPki
from tests.factories import make_organization, make_user

NOW = datetime.now(UTC).replace(microsecond=0)


def _ca_key(pki: TestPki, name: str) -> keys.PrivateKey:
    return keys.load_private_key(pki.cas[name].key_pem.read_bytes())


def _ca_name(pki: TestPki, name: str) -> asn1_x509.Name:
    return asn1_x509.Certificate.load(pki.ca_der(name)).subject


def _crl(pki: TestPki, name: str, *, this_update: datetime, number: int) -> bytes:
    key = _ca_key(pki, name)
    return issue.issue_crl(
        _ca_name(pki, name),
        key,
        keys.public_key_info(key),
        [(0x4242, this_update - timedelta(hours=1))],
        this_update=this_update,
        next_update=this_update + timedelta(days=7),
        number=number,
    )


def _intermediate(pki: TestPki, common_name: str, crl_url: str) -> bytes:
    """An intermediate CA under the test root whose CRL distribution point (the root's CRL) is `crl_url`."""
    root_key, key = _ca_key(pki, 'root'), keys.generate_private_key('rsa')
    spec = issue.CertificateSpec(
        subject=issue.profile_name({'country': 'RU', 'organization': 'Тест', 'common_name': common_name}),
        serial=int(NOW.timestamp()) + len(common_name),
        not_before=NOW - timedelta(days=1),
        not_after=NOW + timedelta(days=365),
        is_ca=True,
        path_length=0,
        key_usage=frozenset({'key_cert_sign', 'crl_sign'}),
        crl_urls=(crl_url,),
    )
    return issue.issue_certificate(
        spec, keys.public_key_info(key), _ca_name(pki, 'root'), root_key, keys.public_key_info(root_key)
    )


def test_a_crl_of_a_trusted_ca_is_stored_and_enters_the_trust_data(app_ctx, test_pki):
    with atomic():
        import_trusted(SYSTEM, test_pki.ca_der('root'), accredited=True)
        import_trusted(SYSTEM, test_pki.cas['ca'].cert_pem.read_bytes(), accredited=True)
        stored = upload_crl(SYSTEM, test_pki.cas['ca'].crl_pem.read_bytes())
    row = db.session.get(CertificateRevocationList, stored.id)
    assert row.der == test_pki.cas['ca'].crl_der.read_bytes()
    assert row.source == 'upload'
    assert row.revoked_count == 1  # the revoked RSA user
    assert row.issuer_name == 'Тестовый аккредитованный УЦ (RSA)'
    assert trust_data().crls == [row.der]
    assert db.session.execute(select(AuditEntry).where(AuditEntry.action == 'signatures.crl.add')).scalar_one()


def test_a_crl_of_a_ca_outside_the_store_or_signed_by_another_key_is_refused(app_ctx, test_pki):
    with atomic():
        import_trusted(SYSTEM, test_pki.ca_der('root'))
    with pytest.raises(CrlRefused, match='которого нет среди доверенных'):
        upload_crl(SYSTEM, test_pki.cas['other_root'].crl_der.read_bytes())
    forged = issue.issue_crl(
        _ca_name(test_pki, 'root'),
        _ca_key(test_pki, 'other_root'),
        keys.public_key_info(_ca_key(test_pki, 'other_root')),
        [],
        this_update=NOW,
        next_update=NOW + timedelta(days=1),
    )
    with pytest.raises(CrlRefused, match='не подтверждается ключом'):
        upload_crl(SYSTEM, forged)
    with pytest.raises(CrlRefused, match='не является списком отзыва'):
        upload_crl(SYSTEM, test_pki.ca_der('root'))
    assert db.session.execute(select(func.count(CertificateRevocationList.id))).scalar_one() == 0


def test_a_newer_crl_replaces_the_stored_one_an_older_one_is_refused_the_same_changes_nothing(app_ctx, test_pki):
    older, newer = (_crl(test_pki, 'root', this_update=NOW - timedelta(days=d), number=n) for d, n in ((2, 5), (1, 6)))
    with atomic():
        import_trusted(SYSTEM, test_pki.ca_der('root'))
        first = upload_crl(SYSTEM, older)
    with atomic():
        second = upload_crl(SYSTEM, newer)
    assert second.id == first.id
    assert second.der == newer
    with pytest.raises(CrlRefused, match='уже есть более новый список'):
        upload_crl(SYSTEM, older)
    entries = db.session.execute(select(func.count(AuditEntry.id))).scalar_one()
    with atomic():
        upload_crl(SYSTEM, newer)
    assert db.session.execute(select(func.count(AuditEntry.id))).scalar_one() == entries
    assert db.session.execute(select(func.count(CertificateRevocationList.id))).scalar_one() == 1


def test_only_system_administrators_upload_crls(app_ctx, test_pki):
    with atomic():
        admin = make_user(make_organization(), 'administrator')
    with pytest.raises(Forbidden):
        upload_crl(admin, test_pki.cas['root'].crl_der.read_bytes())


# --- the refresh job ------------------------------------------------------------------------------------------------


class _CrlHandler(http.server.BaseHTTPRequestHandler):
    files: ClassVar[dict[str, bytes]] = {}
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header('Content-Type', 'application/pkix-crl')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def crl_server() -> Iterator[tuple[str, type[_CrlHandler]]]:
    handler = type('Handler', (_CrlHandler,), {'files': {}, 'hits': []})
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f'http://127.0.0.1:{server.server_address[1]}', handler
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_the_job_fetches_the_distribution_points_of_trusted_cas_and_skips_a_dead_one(
    app_ctx, test_pki, crl_server, monkeypatch
):
    base, handler = crl_server
    handler.files['/root.crl'] = test_pki.cas['root'].crl_der.read_bytes()
    live, dead = f'{base}/root.crl', f'http://127.0.0.1:{_closed_port()}/root.crl'
    with atomic():
        import_trusted(SYSTEM, test_pki.ca_der('root'), accredited=True)
        import_trusted(SYSTEM, _intermediate(test_pki, 'УЦ с живой точкой', live))
        import_trusted(SYSTEM, _intermediate(test_pki, 'УЦ с мёртвой точкой', dead))
    monkeypatch.setitem(app_ctx.config, 'CRL_FETCH_TIMEOUT', 5)
    result = refresh_crls()
    assert result.updated == [live]
    assert list(result.failed) == [dead]
    row = db.session.execute(select(CertificateRevocationList)).scalar_one()
    assert row.source == live
    assert row.der == test_pki.cas['root'].crl_der.read_bytes()
    assert trust_data().crls == [row.der]
    again = refresh_crls()
    assert again.unchanged == [live]
    assert again.updated == []
    assert handler.hits == ['/root.crl', '/root.crl']
    assert db.session.execute(select(func.count(CertificateRevocationList.id))).scalar_one() == 1


def test_the_job_skips_foreign_crls_missing_files_and_oversized_answers(app_ctx, test_pki, crl_server):
    base, handler = crl_server
    handler.files['/other.crl'] = test_pki.cas['other_root'].crl_der.read_bytes()
    with atomic():
        import_trusted(SYSTEM, test_pki.ca_der('root'))
    result = refresh_crls([f'{base}/other.crl', f'{base}/missing.crl', 'ldap://ldap.example/cn=CRL'])
    assert set(result.failed) == {f'{base}/other.crl', f'{base}/missing.crl', 'ldap://ldap.example/cn=CRL'}
    assert 'среди доверенных' in result.failed[f'{base}/other.crl']
    assert result.updated == []
    with pytest.raises(CrlFetchFailed, match='больше допустимого'):
        fetch_crl(f'{base}/other.crl', timeout=5, max_size=100)
    with pytest.raises(CrlFetchFailed, match='не http/https'):
        fetch_crl('file:///etc/passwd', timeout=5, max_size=100)


def test_the_job_runs_daily_as_a_periodic_job():
    job = get_periodic_job('crl_refresh')
    assert job.func_path == 'edms.signatures.jobs.refresh_crls'
    assert not job.working_days_only


# --- the commands ---------------------------------------------------------------------------------------------------


def test_trust_commands_import_list_and_take_a_crl(app_ctx, test_pki, tmp_path: Path):
    runner = app_ctx.test_cli_runner()
    bundle = tmp_path / 'roots.pem'
    bundle.write_bytes(test_pki.cas['root'].cert_pem.read_bytes() + test_pki.cas['ca'].cert_pem.read_bytes())
    result = runner.invoke(args=['edms', 'trust', 'import', str(bundle), '--accredited', '--note', 'перечень'])
    assert result.exit_code == 0, result.output
    assert 'Добавлено: 2' in result.output
    again = runner.invoke(args=['edms', 'trust', 'import', str(bundle), '--accredited'])
    assert 'Добавлено: 0' in again.output
    assert 'без изменений: 2' in again.output
    refused = runner.invoke(args=['edms', 'trust', 'import', str(test_pki.users['rsa'].cert_der)])
    assert refused.exit_code == 1
    assert 'не является сертификатом удостоверяющего центра' in refused.output
    crl = runner.invoke(args=['edms', 'trust', 'crl', str(test_pki.cas['ca'].crl_pem)])
    assert crl.exit_code == 0, crl.output
    assert 'принят' in crl.output
    listing = runner.invoke(args=['edms', 'trust', 'list'])
    assert 'корневой, аккредитован' in listing.output
    assert 'Списков отзыва: 1.' in listing.output
    refresh = runner.invoke(args=['edms', 'trust', 'refresh-crls'])
    assert refresh.exit_code == 0
    assert 'ошибок: 1' in refresh.output
