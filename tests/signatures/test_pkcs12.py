"""PKCS#12 import: RSA/EC and GOST containers, and each refusal with its own class and message."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12 as crypto_pkcs12

from edms.core.errors import DomainError
from edms.signatures.crypto import errors, gost_pkcs12
from edms.signatures.crypto.backends import get_backend, openssl_lib
from edms.signatures.crypto.keys import generate_private_key, load_private_key, public_key_info, same_public_key
from edms.signatures.crypto.pkcs12 import (
    BrokenContainer,
    GostUnavailable,
    KeyMismatch,
    NoCertificate,
    NoPrivateKey,
    WrongPassword,
    export_pkcs12,
    load_pkcs12,
)
from scripts.make_test_pki import TestPki
from tests.signatures.openssl_tools import requires_engine

REFUSALS = [
    WrongPassword,
    BrokenContainer,
    NoPrivateKey,
    NoCertificate,
    KeyMismatch,
    GostUnavailable,
    errors.CertificateExpired,
    errors.CertificateNotYetValid,
    errors.SigningNotAllowed,
]
NOW = datetime.now(UTC)


def _serialize(
    key: object, cert: object, extra: list[object] | None, password: bytes, *, legacy: bool = False
) -> bytes:
    if legacy:
        encryption = (
            serialization.PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(2048)
            .key_cert_algorithm(crypto_pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
            .hmac_hash(hashes.SHA1())  # noqa: S303 - the legacy containers still in use
            .build(password)
        )
    else:
        encryption = serialization.BestAvailableEncryption(password)
    return crypto_pkcs12.serialize_key_and_certificates(b'test', key, cert, extra, encryption)


def test_each_refusal_is_its_own_domain_error_with_a_russian_message() -> None:
    codes = set()
    for cls in REFUSALS:
        error = cls()
        assert isinstance(error, DomainError)
        assert error.status == 422
        assert any('а' <= ch <= 'я' for ch in error.message.lower()), cls
        codes.add(cls.code)
    assert len(codes) == len(REFUSALS)


@pytest.mark.parametrize('user', ['rsa', 'ec'])
def test_rsa_and_ec_containers_open(user: str, test_pki: TestPki) -> None:
    files = test_pki.users[user]
    bundle = load_pkcs12(files.p12.read_bytes(), test_pki.password)
    assert bundle.certificate == files.cert_der.read_bytes()
    assert set(bundle.chain) == {test_pki.ca_der('ca'), test_pki.ca_der('root')}
    assert bundle.key.algorithm == files.algorithm
    assert public_key_info(bundle.key) == bundle.info.spki_der
    assert bundle.info.snils == files.profile['snils']
    signature = get_backend(bundle.key.key_oid).sign(bundle.key, bundle.key.default_digest_oid, b'doc')
    assert get_backend(bundle.key.key_oid).verify(
        bundle.info.spki_der, bundle.key.default_digest_oid, b'doc', signature
    )


@requires_engine
@pytest.mark.parametrize('user', ['gost256', 'gost512'])
def test_gost_containers_open_in_process(user: str, test_pki: TestPki) -> None:
    assert test_pki.gost_pkcs12
    files = test_pki.users[user]
    bundle = load_pkcs12(files.p12.read_bytes(), test_pki.password)
    assert bundle.certificate == files.cert_der.read_bytes()
    assert set(bundle.chain) == {test_pki.ca_der('gost_ca'), test_pki.ca_der('gost_root')}
    assert bundle.key.handle.d == load_private_key(files.key_der.read_bytes()).handle.d
    assert same_public_key(public_key_info(bundle.key), bundle.info.spki_der)


@requires_engine
def test_gost_container_through_the_openssl_command(test_pki: TestPki) -> None:
    files = test_pki.users['gost256']
    raw = gost_pkcs12.read_with_openssl_command(files.p12.read_bytes(), test_pki.password)
    assert load_private_key(raw.pkcs8).handle.d == load_private_key(files.key_der.read_bytes()).handle.d
    assert files.cert_der.read_bytes() in raw.others
    with pytest.raises(WrongPassword):
        gost_pkcs12.read_with_openssl_command(files.p12.read_bytes(), 'wrong')


@pytest.mark.parametrize('user', ['rsa', 'gost256'])
def test_wrong_password(user: str, test_pki: TestPki) -> None:
    files = test_pki.users[user]
    if files.p12 is None:
        pytest.skip('GOST PKCS#12 needs the OpenSSL GOST engine, which is not installed')
    for password in ('test124', '', 'TEST123'):
        with pytest.raises(WrongPassword, match='Неверный пароль'):
            load_pkcs12(files.p12.read_bytes(), password)


def test_gost_container_without_the_engine_is_gost_unavailable(
    test_pki: TestPki, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = test_pki.users['gost256']
    if files.p12 is None:
        pytest.skip('no GOST PKCS#12 was generated (the OpenSSL GOST engine is not installed)')
    monkeypatch.setattr(openssl_lib, 'load', lambda: None)
    monkeypatch.setattr(gost_pkcs12.shutil, 'which', lambda _name: None)
    with pytest.raises(GostUnavailable, match='ГОСТ'):
        load_pkcs12(files.p12.read_bytes(), test_pki.password)


def test_cyrillic_password_and_legacy_encryption(test_pki: TestPki) -> None:
    key = generate_private_key('rsa')
    files = test_pki.users['rsa']
    cert = x509.load_der_x509_certificate(files.cert_der.read_bytes())
    mismatched = _serialize(key.handle, None, [cert], 'Пароль№1'.encode(), legacy=True)
    with pytest.raises(KeyMismatch):
        load_pkcs12(mismatched, 'Пароль№1')
    with pytest.raises(WrongPassword):
        load_pkcs12(mismatched, 'Пароль№2')
    own = load_pkcs12(files.p12.read_bytes(), test_pki.password).key
    data = export_pkcs12(own, files.cert_der.read_bytes(), [], 'Пароль№1')
    assert load_pkcs12(data, 'Пароль№1').certificate == files.cert_der.read_bytes()
    legacy = _serialize(own.handle, cert, None, b'test123', legacy=True)
    assert load_pkcs12(legacy, 'test123').certificate == files.cert_der.read_bytes()


@pytest.mark.parametrize('form', ['der', 'pem'])
def test_a_certificate_alone_has_no_private_key(form: str, test_pki: TestPki) -> None:
    data = test_pki.cer_only.read_bytes() if form == 'der' else test_pki.users['rsa'].cert_pem.read_bytes()
    with pytest.raises(NoPrivateKey, match='только сертификат'):
        load_pkcs12(data, 'test123')


def test_a_container_with_certificates_only_has_no_private_key(test_pki: TestPki) -> None:
    cert = x509.load_der_x509_certificate(test_pki.user_der('rsa'))
    data = _serialize(None, None, [cert], b'test123')
    with pytest.raises(NoPrivateKey):
        load_pkcs12(data, 'test123')


def test_a_container_with_a_key_only_has_no_certificate() -> None:
    key = generate_private_key('ec')
    data = _serialize(key.handle, None, None, b'test123')
    with pytest.raises(NoCertificate):
        load_pkcs12(data, 'test123')


def test_corrupted_encrypted_content_is_refused(test_pki: TestPki) -> None:
    """Bytes changed inside the encrypted part break the MAC: refused (as a wrong password, the MAC cannot tell)."""
    data = bytearray(test_pki.users['rsa'].p12.read_bytes())
    data[len(data) // 2] ^= 0x5A
    with pytest.raises((BrokenContainer, WrongPassword)):
        load_pkcs12(bytes(data), test_pki.password)


def test_structural_damage_is_broken_not_a_wrong_password(test_pki: TestPki) -> None:
    data = test_pki.users['rsa'].p12.read_bytes()
    for damaged in (data[: len(data) // 2], b'\x00' * 10 + data, b'PK\x03\x04 not a pfx', b''):
        with pytest.raises(BrokenContainer, match='повреждён'):
            load_pkcs12(damaged, test_pki.password)


def test_a_huge_file_is_refused_without_parsing() -> None:
    with pytest.raises(BrokenContainer):
        load_pkcs12(b'0' * (5 * 1024 * 1024), 'test123')


def test_expired_and_unusable_certificates_open_but_cannot_sign(test_pki: TestPki) -> None:
    for user, error in (
        ('expired', errors.CertificateExpired),
        ('not_yet_valid', errors.CertificateNotYetValid),
        ('no_signing', errors.SigningNotAllowed),
    ):
        bundle = load_pkcs12(test_pki.users[user].p12.read_bytes(), test_pki.password)
        with pytest.raises(error):
            bundle.info.require_usable_for_signing(NOW)
    load_pkcs12(test_pki.users['rsa'].p12.read_bytes(), test_pki.password).info.require_usable_for_signing(
        NOW + timedelta(days=1)
    )


def test_the_password_appears_nowhere(test_pki: TestPki, caplog: pytest.LogCaptureFixture) -> None:
    secret = 'Секрет-пароль-42'
    caplog.set_level(logging.DEBUG)
    data = test_pki.users['rsa'].p12.read_bytes()
    with pytest.raises(WrongPassword) as caught:
        load_pkcs12(data, secret)
    bundle = load_pkcs12(data, test_pki.password)
    texts = [str(caught.value), repr(caught.value), caught.value.message, repr(bundle), caplog.text]
    texts += [str(caught.value.__cause__ or ''), str(caught.value.__context__ or '')]
    assert all(secret not in text and test_pki.password not in text for text in texts)
    assert not any(isinstance(value, str) and test_pki.password in value for value in vars(bundle).values())
