"""The generated test PKI: its structure and metadata, CRLs, and independent acceptance by `openssl verify`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from asn1crypto import crl as asn1_crl

from edms.core import identifiers
from edms.signatures.crypto.backends import gost_engine, openssl_lib
from edms.signatures.crypto.certs import CertificateInfo
from scripts import make_test_pki
from scripts.make_test_pki import TestPki, build_test_pki
from tests.signatures.openssl_tools import openssl, requires_engine, requires_openssl

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime.now(UTC)


def _hierarchy(test_pki: TestPki, user: str) -> tuple[str, str]:
    issuer = test_pki.users[user].issuer
    return ('gost_root', 'gost_ca') if issuer == 'gost_ca' else ('root', 'ca')


def test_structure_and_metadata(test_pki: TestPki) -> None:
    assert set(test_pki.cas) == {'root', 'ca', 'gost_root', 'gost_ca', 'other_root'}
    assert test_pki.cas['root'].accredited
    assert test_pki.cas['gost_root'].accredited
    assert not test_pki.cas['other_root'].accredited
    assert {test_pki.cas[name].fingerprint for name in ('root', 'gost_root')} <= set(test_pki.accredited_fingerprints)
    assert test_pki.cas['other_root'].fingerprint not in test_pki.accredited_fingerprints
    metadata = json.loads((test_pki.outdir / 'metadata.json').read_text())
    assert metadata['cas']['root']['accredited'] is True
    assert metadata['users']['gost256']['algorithm'] == 'gost2012_256'
    assert metadata['gost_pkcs12'] == test_pki.gost_pkcs12
    assert test_pki.chain_ders('gost256') == [test_pki.ca_der('gost_ca'), test_pki.ca_der('gost_root')]
    assert (
        CertificateInfo.from_der(test_pki.cer_only.read_bytes()).fingerprint
        == CertificateInfo.from_der(test_pki.user_der('rsa')).fingerprint
    )


def test_algorithms_and_gost_parameters(test_pki: TestPki) -> None:
    infos = {name: CertificateInfo.from_der(test_pki.user_der(name)) for name in test_pki.users}
    assert infos['rsa'].key_algorithm == 'rsa'
    assert infos['ec'].key_algorithm == 'ec'
    assert infos['gost256'].key_parameters == '1.2.643.2.2.35.1'  # CryptoPro-A
    assert infos['gost512'].key_algorithm == 'gost2012_512'
    assert CertificateInfo.from_der(test_pki.ca_der('root')).key_algorithm == 'rsa'


def test_validity_windows_match_the_statuses(test_pki: TestPki) -> None:
    for name, files in test_pki.users.items():
        info = CertificateInfo.from_der(files.cert_der.read_bytes())
        assert info.is_valid_at(NOW) == (files.status not in ('expired', 'not_yet_valid')), name
        assert info.allows_signing() == (files.status != 'no_signing'), name


def test_profiles_carry_valid_identifiers(test_pki: TestPki) -> None:
    for name, files in test_pki.users.items():
        profile = files.profile
        assert identifiers.check_ogrn(profile['ogrn']) is None, name
        assert identifiers.check_inn_legal(profile['inn_le']) is None, name
        assert identifiers.check_inn_person(profile['inn']) is None, name
        assert identifiers.check_snils(profile['snils']) is None, name
    assert len({files.profile['snils'] for files in test_pki.users.values()}) == len(test_pki.users)


def test_crls_list_the_revoked(test_pki: TestPki) -> None:
    for ca, revoked in (('ca', 'revoked'), ('gost_ca', 'gost_revoked')):
        crl = asn1_crl.CertificateList.load(test_pki.cas[ca].crl_der.read_bytes())
        serials = {entry['user_certificate'].native for entry in crl['tbs_cert_list']['revoked_certificates']}
        assert serials == {test_pki.users[revoked].serial}
        assert crl['tbs_cert_list']['issuer'].dump() == CertificateInfo.from_der(test_pki.ca_der(ca)).subject.raw
    root_crl = asn1_crl.CertificateList.load(test_pki.cas['root'].crl_der.read_bytes())
    assert not root_crl['tbs_cert_list']['revoked_certificates']


def test_key_files_and_containers(test_pki: TestPki) -> None:
    for name, files in test_pki.users.items():
        assert files.key_pem.read_text().startswith('-----BEGIN PRIVATE KEY-----'), name
        assert files.key_der.is_file()
        if not files.algorithm.startswith('gost'):
            assert files.p12 is not None, name
            assert files.p12.is_file(), name
        else:
            assert (files.p12 is not None) == test_pki.gost_pkcs12, name


@requires_openssl
@pytest.mark.parametrize('user', ['rsa', 'ec', 'gost256', 'gost512', 'no_signing'])
def test_openssl_verify_accepts_the_chains(user: str, test_pki: TestPki) -> None:
    if user.startswith('gost') and not gost_engine.available():
        pytest.skip('OpenSSL GOST engine is not installed: openssl cannot check GOST certificates')
    root, ca = _hierarchy(test_pki, user)
    result = openssl(
        'verify',
        '-CAfile',
        test_pki.cas[root].cert_pem,
        '-untrusted',
        test_pki.cas[ca].cert_pem,
        test_pki.users[user].cert_pem,
        conf=test_pki.openssl_conf,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert b': OK' in result.stdout


@requires_openssl
@pytest.mark.parametrize('user', ['rsa', 'revoked', 'gost256', 'gost_revoked'])
def test_openssl_checks_the_crls(user: str, test_pki: TestPki, tmp_path: Path) -> None:
    if user.startswith('gost') and not gost_engine.available():
        pytest.skip('OpenSSL GOST engine is not installed: openssl cannot check GOST CRLs')
    root, ca = _hierarchy(test_pki, user)
    bundle = tmp_path / 'trust.pem'
    bundle.write_text(
        test_pki.cas[root].cert_pem.read_text()
        + test_pki.cas[root].crl_pem.read_text()
        + test_pki.cas[ca].crl_pem.read_text()
    )
    result = openssl(
        'verify',
        '-crl_check_all',
        '-CAfile',
        bundle,
        '-untrusted',
        test_pki.cas[ca].cert_pem,
        test_pki.users[user].cert_pem,
        conf=test_pki.openssl_conf,
    )
    if 'revoked' in user:
        assert result.returncode != 0
        assert b'revoked' in result.stdout + result.stderr
    else:
        assert result.returncode == 0, result.stdout + result.stderr


@requires_openssl
@pytest.mark.parametrize(('user', 'reason'), [('expired', b'expired'), ('not_yet_valid', b'not yet valid')])
def test_openssl_refuses_out_of_period_certificates(user: str, reason: bytes, test_pki: TestPki) -> None:
    result = openssl(
        'verify',
        '-CAfile',
        test_pki.cas['root'].cert_pem,
        '-untrusted',
        test_pki.cas['ca'].cert_pem,
        test_pki.users[user].cert_pem,
    )
    assert result.returncode != 0
    assert reason in result.stdout + result.stderr


@requires_openssl
def test_openssl_refuses_the_wrong_root(test_pki: TestPki) -> None:
    result = openssl(
        'verify',
        '-CAfile',
        test_pki.cas['other_root'].cert_pem,
        '-untrusted',
        test_pki.cas['ca'].cert_pem,
        test_pki.users['rsa'].cert_pem,
    )
    assert result.returncode != 0


@requires_engine
def test_gost_chain_verifies_with_the_shared_conformance_config(test_pki: TestPki) -> None:
    config = ROOT.parent / 'shared' / 'conformance' / 'gost' / 'openssl-gost.cnf'
    if not config.is_file():
        pytest.skip(f'{config} is absent (the shared conformance data)')
    result = openssl(
        'verify',
        '-CAfile',
        test_pki.cas['gost_root'].cert_pem,
        '-untrusted',
        test_pki.cas['gost_ca'].cert_pem,
        test_pki.users['gost512'].cert_pem,
        conf=config,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_the_engine_gost_users_get_key_files_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(openssl_lib, 'ENGINE_PATH', str(tmp_path / 'no-gost.so'))
    pki = build_test_pki(tmp_path / 'pki')
    assert not pki.gost_pkcs12
    assert pki.users['gost256'].p12 is None
    assert pki.users['gost256'].key_der.is_file()
    assert pki.users['rsa'].p12 is not None
    assert json.loads((pki.outdir / 'metadata.json').read_text())['gost_pkcs12'] is False


def test_command_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / 'scripts' / 'make_test_pki.py'), str(tmp_path / 'out')],
        capture_output=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert b'test PKI in' in result.stdout
    assert (tmp_path / 'out' / 'metadata.json').is_file()
    usage = subprocess.run([sys.executable, make_test_pki.__file__], capture_output=True, timeout=60, check=False)
    assert usage.returncode == 2
    assert b'usage' in usage.stderr


def test_no_private_key_is_committed() -> None:
    """Tracked files hold no private key and no key container (the test PKI is generated, never stored)."""
    listed = subprocess.run(['git', 'ls-files', '-z'], cwd=ROOT, capture_output=True, timeout=60, check=False)
    if listed.returncode != 0:
        pytest.skip('not a git work tree')
    pattern = re.compile(rb'-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----\s*[A-Za-z0-9+/=]{40}')
    offenders = []
    for name in filter(None, listed.stdout.split(b'\0')):
        path = ROOT / name.decode()
        if path.suffix.lower() in ('.p12', '.pfx', '.key') or (
            path.is_file() and path.stat().st_size < 5_000_000 and pattern.search(path.read_bytes())
        ):
            offenders.append(str(path))
    assert offenders == []
