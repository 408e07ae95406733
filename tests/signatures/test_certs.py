"""Certificates: the 795 profile read back (also by openssl), validity and key usage checks, certificate files."""

from __future__ import annotations

import base64
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import x509

from edms.core.errors import DomainError
from edms.signatures.crypto import oids
from edms.signatures.crypto.certs import CertificateInfo, certificates_from_bytes
from edms.signatures.crypto.errors import (
    BadCertificate,
    CertificateExpired,
    CertificateNotYetValid,
    SigningNotAllowed,
)
from edms.signatures.crypto.issue import CertificateSpec, build_name, issue_certificate
from edms.signatures.crypto.keys import generate_private_key, public_key_info
from scripts.make_test_pki import ISSUER_TOOL, SIGN_TOOL, TestPki
from tests.signatures.openssl_tools import openssl, requires_engine, requires_openssl

SHARED = Path(__file__).resolve().parents[2].parent / 'shared'
REAL_PACKETS = SHARED / 'conformance' / 'medo' / 'real-packets'
NOW = datetime.now(UTC)


@pytest.mark.parametrize(
    ('user', 'algorithm', 'key_oid'),
    [
        ('rsa', 'rsa', oids.RSA),
        ('ec', 'ec', oids.EC),
        ('gost256', 'gost2012_256', oids.GOST2012_256),
        ('gost512', 'gost2012_512', oids.GOST2012_512),
    ],
)
def test_profile_fields_read_back(user: str, algorithm: str, key_oid: str, test_pki: TestPki) -> None:
    files = test_pki.users[user]
    info = CertificateInfo.from_der(files.cert_der.read_bytes())
    profile = files.profile
    assert info.key_algorithm == algorithm
    assert info.key_algorithm_oid == key_oid
    assert (info.ogrn, info.inn_le, info.snils, info.inn) == (
        profile['ogrn'],
        profile['inn_le'],
        profile['snils'],
        profile['inn'],
    )
    assert info.ogrnip is None
    assert info.owner == f'{profile["surname"]} {profile["given_name"]}'
    assert info.organization == profile['organization']
    assert info.subject_sign_tool == SIGN_TOOL
    assert info.issuer_sign_tool == ISSUER_TOOL
    assert info.tool_classes == ('КС1', 'КС2')
    assert info.key_usage == {'digital_signature', 'non_repudiation'}
    assert info.allows_signing()
    assert '1.3.6.1.5.5.7.3.4' in info.extended_key_usage
    assert not info.is_ca
    assert info.crl_urls == (f'http://pki.test.invalid/crl/{files.issuer}.crl',)
    assert info.serial_number == files.serial
    assert int(info.serial, 16) == files.serial
    assert info.authority_key_id == CertificateInfo.from_der(test_pki.ca_der(files.issuer)).subject_key_id
    assert ('СНИЛС', profile['snils']) in info.subject.display
    assert info.subject.display[0][0] == 'Владелец'


def test_numeric_attributes_are_numeric_strings(test_pki: TestPki) -> None:
    cert = x509.Certificate.load(test_pki.user_der('gost256'))
    tags = {attribute['type'].dotted: attribute['value'].dump()[0] for rdn in cert.subject.chosen for attribute in rdn}
    for oid in (oids.OGRN, oids.INNLE, oids.SNILS, oids.INN):
        assert tags[oid] == 0x12, oid  # NumericString
    assert tags[oids.COUNTRY] == 0x13  # PrintableString
    assert tags[oids.COMMON_NAME] == 0x0C  # UTF8String


@requires_openssl
def test_openssl_reads_the_same_profile(test_pki: TestPki) -> None:
    files = test_pki.users['rsa']
    result = openssl('x509', '-in', files.cert_pem, '-noout', '-subject', '-nameopt', 'utf8,sep_comma_plus', '-text')
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode()
    assert f'SNILS = {files.profile["snils"]}' in text or f'SNILS={files.profile["snils"]}' in text
    assert f'OGRN = {files.profile["ogrn"]}' in text or f'OGRN={files.profile["ogrn"]}' in text
    assert 'Signing Tool of Subject' in text
    assert 'Signing Tool of Issuer' in text
    assert 'Class of Signing Tool KC1' in text


@requires_engine
def test_openssl_reads_the_gost_certificate(test_pki: TestPki) -> None:
    result = openssl('x509', '-in', test_pki.users['gost512'].cert_pem, '-noout', '-text', conf=test_pki.openssl_conf)
    assert result.returncode == 0, result.stderr
    assert 'GOST R 34.10-2012 with 512 bit modulus' in result.stdout.decode()


def test_ca_certificates(test_pki: TestPki) -> None:
    root = CertificateInfo.from_der(test_pki.ca_der('gost_root'))
    ca = CertificateInfo.from_der(test_pki.ca_der('gost_ca'))
    assert root.is_ca
    assert ca.is_ca
    assert root.is_self_issued
    assert not ca.is_self_issued
    assert 'key_cert_sign' in ca.key_usage
    assert ca.issuer.raw == root.subject.raw
    assert ca.key_parameters == oids.CRYPTOPRO_A
    assert ca.signature_algorithm_oid == oids.GOST2012_256_SIGNATURE


def test_validity_checks(test_pki: TestPki) -> None:
    valid = CertificateInfo.from_der(test_pki.user_der('rsa'))
    expired = CertificateInfo.from_der(test_pki.user_der('expired'))
    future = CertificateInfo.from_der(test_pki.user_der('not_yet_valid'))
    assert valid.is_valid_at(NOW)
    assert not expired.is_valid_at(NOW)
    assert not future.is_valid_at(NOW)
    assert expired.is_valid_at(expired.not_after - timedelta(days=1))
    valid.require_usable_for_signing(NOW)
    with pytest.raises(CertificateExpired, match='истёк'):
        expired.require_usable_for_signing(NOW)
    with pytest.raises(CertificateNotYetValid, match='начинается'):
        future.require_usable_for_signing(NOW)


def test_key_usage_without_signing_is_refused(test_pki: TestPki) -> None:
    info = CertificateInfo.from_der(test_pki.user_der('no_signing'))
    assert info.key_usage == {'key_cert_sign'}
    assert not info.allows_signing()
    with pytest.raises(SigningNotAllowed) as caught:
        info.require_usable_for_signing(NOW)
    assert isinstance(caught.value, DomainError)
    assert caught.value.status == 422
    assert 'digitalSignature' in caught.value.message


def test_certificate_without_key_usage_allows_signing() -> None:
    key = generate_private_key('ec')
    spki = public_key_info(key)
    name = build_name([(oids.COMMON_NAME, 'Без keyUsage')])
    spec = CertificateSpec(subject=name, serial=7, not_before=NOW, not_after=NOW + timedelta(days=1))
    der = issue_certificate(spec, spki, name, key, spki)
    cert = x509.Certificate.load(der)
    tbs = cert['tbs_certificate']
    tbs['extensions'] = [ext for ext in tbs['extensions'] if ext['extn_id'].native != 'key_usage']
    stripped = x509.Certificate(
        {**{k: cert[k] for k in ('signature_algorithm', 'signature_value')}, 'tbs_certificate': tbs}
    )
    info = CertificateInfo.from_der(stripped.dump())
    assert not info.key_usage_present
    assert info.allows_signing()


def test_inn_le_falls_back_to_the_old_twelve_digit_form() -> None:
    key = generate_private_key('ec')
    spki = public_key_info(key)
    name = build_name([(oids.INN, '007707083893'), (oids.COMMON_NAME, 'Старый сертификат')])
    spec = CertificateSpec(subject=name, serial=8, not_before=NOW, not_after=NOW + timedelta(days=1))
    info = CertificateInfo.from_der(issue_certificate(spec, spki, name, key, spki))
    assert info.inn == '007707083893'
    assert info.inn_le == '7707083893'


def test_certificate_files_in_every_form(test_pki: TestPki, tmp_path: Path) -> None:
    der = test_pki.user_der('rsa')
    pem = test_pki.users['rsa'].cert_pem.read_bytes()
    both = pem + test_pki.cas['ca'].cert_pem.read_bytes()
    assert certificates_from_bytes(der) == [der]
    assert certificates_from_bytes(pem) == [der]
    assert certificates_from_bytes(both) == [der, test_pki.ca_der('ca')]
    assert certificates_from_bytes(base64.b64encode(der)) == [der]
    assert CertificateInfo.from_der(pem).fingerprint == CertificateInfo.from_der(der).fingerprint


@requires_openssl
def test_pkcs7_certificate_bundle(test_pki: TestPki, tmp_path: Path) -> None:
    bundle = tmp_path / 'chain.p7b'
    result = openssl(
        'crl2pkcs7',
        '-nocrl',
        '-certfile',
        test_pki.cas['ca'].cert_pem,
        '-certfile',
        test_pki.cas['root'].cert_pem,
        '-outform',
        'DER',
        '-out',
        bundle,
    )
    assert result.returncode == 0, result.stderr
    assert set(certificates_from_bytes(bundle.read_bytes())) == {test_pki.ca_der('ca'), test_pki.ca_der('root')}


@pytest.mark.parametrize('data', [b'', b'hello', b'0\x82\x01\x00garbage', b'-----BEGIN CERTIFICATE-----\nAAAA\n'])
def test_not_a_certificate(data: bytes) -> None:
    with pytest.raises(BadCertificate):
        CertificateInfo.from_der(data)
    with pytest.raises(BadCertificate):
        certificates_from_bytes(data)


def test_real_certificates_of_the_medo_packets(tmp_path: Path) -> None:
    if not REAL_PACKETS.is_dir():
        pytest.skip(f'{REAL_PACKETS} is absent (the shared conformance data)')
    with zipfile.ZipFile(REAL_PACKETS / 'v2.7-minvostok-2022' / 'document.edc.zip') as archive:
        signature = archive.read('visa1.sig')
    infos = [CertificateInfo.from_der(der) for der in certificates_from_bytes(signature)]
    signer = next(info for info in infos if not info.is_ca)
    assert signer.owner == 'Волков Павел Михайлович'
    assert signer.key_algorithm == 'gost2012_256'
    assert signer.key_parameters == oids.CRYPTOPRO_XCH_A
    assert signer.snils == '06838917720'
    assert signer.tool_classes == ('КС1', 'КС2')
    assert signer.issuer_sign_tool is not None
    assert 'Юнисерт' in signer.issuer_sign_tool.ca_tool
    root = next(info for info in infos if info.is_self_issued)
    assert root.ogrn == '1047702026701'
    assert root.inn_le == '7710474375'
