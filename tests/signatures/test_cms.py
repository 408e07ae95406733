"""sign_detached and parse_signature on the generated test PKI, checked both ways with `openssl cms`.

Round trips for RSA, ECDSA, GOST 2012-256 and GOST 2012-512; the DER details of SIGNATURES.md §2 (sorted SET OF,
SET tag, ESSCertIDv2 hashAlgorithm, algorithm OIDs); `openssl cms -verify -cades -crl_check_all` accepts every
signature made here, and signatures made by `openssl cms -sign` (with and without -cades, -nosmimecap, -keyid, two
signers) verify here; the test PKI's revoked, expired, not-yet-valid, no-signing and untrusted users each fail
their check; the three GOST byte-order mistakes fail both verifiers.
"""

from __future__ import annotations

import base64
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import cms as asn1_cms
from asn1crypto import core

from edms.signatures.crypto import keys, oids
from edms.signatures.crypto.backends import gost_engine
from edms.signatures.crypto.cms import MAX_SIGNATURE_SIZE, SignatureFormatError, parse_signature, sign_detached
from edms.signatures.crypto.errors import BadCertificate, UnsupportedAlgorithm
from edms.signatures.crypto.verify import TrustData, verify_detached
from scripts.make_test_pki import TestPki
from tests.signatures import gost_faults
from tests.signatures.openssl_tools import openssl, requires_engine, requires_openssl

ENGINE_CLI = shutil.which('openssl') is not None and gost_engine.available()
NOW = datetime.now(UTC).replace(microsecond=0)
SIGNED_AT = NOW - timedelta(minutes=5)
DATA = 'Проект постановления о порядке электронного документооборота.\n'.encode() * 200
ALGORITHMS = ['rsa', 'ec', 'gost256', 'gost512']
#: user -> (digest OID, CMS signature algorithm OID, openssl -md)
EXPECTED = {
    'rsa': (oids.SHA256, oids.RSA, 'sha256'),
    'ec': (oids.SHA256, oids.ECDSA_SHA256, 'sha256'),
    'gost256': (oids.STREEBOG256, oids.GOST2012_256, 'md_gost12_256'),
    'gost512': (oids.STREEBOG512, oids.GOST2012_512, 'md_gost12_512'),
}


def needs_engine(user: str) -> list[pytest.MarkDecorator]:
    return [requires_engine] if user.startswith('gost') else [requires_openssl]


def by_user(names: list[str]) -> list[object]:
    return [pytest.param(name, marks=needs_engine(name)) for name in names]


def key_of(pki: TestPki, user: str) -> keys.PrivateKey:
    return keys.load_private_key(pki.users[user].key_der.read_bytes())


def sign(pki: TestPki, user: str, data: bytes = DATA, at: datetime = SIGNED_AT) -> bytes:
    return sign_detached(data, key_of(pki, user), pki.user_der(user), pki.chain_ders(user), signing_time=at)


def trust(pki: TestPki, **extra: object) -> TrustData:
    values = {'anchors': [pki.ca_der('root'), pki.ca_der('gost_root')], 'intermediates': [], 'crls': pki.crl_ders(),
              'accredited': set(pki.accredited_fingerprints), 'now': NOW, **extra}  # fmt: skip
    return TrustData(**values)


def openssl_trust(pki: TestPki) -> TrustData:
    """Trust checked at the real present: openssl stamps its signatures with the time it signs, which in a long test
    session lies well after NOW (a signing time after the moment of checking makes a signature invalid)."""
    return trust(pki, now=datetime.now(UTC))


def ca_file(pki: TestPki, folder: Path, user: str) -> Path:
    """The user's root certificate and every CRL of its hierarchy, PEM, for `-CAfile` with `-crl_check_all`."""
    chain = [pki.users[user].issuer]
    while pki.cas[chain[-1]].issuer:
        chain.append(pki.cas[chain[-1]].issuer)
    parts = [pki.cas[chain[-1]].cert_pem.read_text()] + [pki.cas[name].crl_pem.read_text() for name in chain]
    path = folder / f'{user}-ca.pem'
    path.write_text(''.join(parts))
    return path


def openssl_verify(pki: TestPki, folder: Path, user: str, data: bytes, signature: bytes) -> int:
    (folder / 'doc.bin').write_bytes(data)
    (folder / 'doc.bin.sig').write_bytes(signature)
    result = openssl(
        'cms', '-verify', '-binary', '-inform', 'DER', '-content', folder / 'doc.bin', '-in', folder / 'doc.bin.sig',
        '-CAfile', ca_file(pki, folder, user), '-crl_check_all', '-cades', '-purpose', 'any', '-out', '/dev/null',
        conf=pki.openssl_conf if user.startswith('gost') else None,
    )  # fmt: skip
    return result.returncode


def openssl_sign(pki: TestPki, folder: Path, users: list[str], *options: str) -> bytes:
    (folder / 'doc.bin').write_bytes(DATA)
    args: list[str | Path] = ['cms', '-sign', '-binary', '-in', folder / 'doc.bin', '-outform', 'DER']
    for user in users:
        args += ['-signer', pki.users[user].cert_pem, '-inkey', pki.users[user].key_pem]
    args += ['-md', EXPECTED[users[0]][2], *options, '-out', folder / 'doc.bin.sig']
    result = openssl(*args, conf=pki.openssl_conf if users[0].startswith('gost') else None)
    assert result.returncode == 0, result.stderr.decode()
    return (folder / 'doc.bin.sig').read_bytes()


def signer_info(signature: bytes) -> asn1_cms.SignerInfo:
    return asn1_cms.ContentInfo.load(signature)['content']['signer_infos'][0]


@pytest.mark.parametrize('user', ALGORITHMS)
def test_round_trip_is_valid_with_every_check_passed(test_pki: TestPki, user: str):
    report = verify_detached(DATA, sign(test_pki, user), trust(test_pki))

    assert report.verdict == 'valid', report.to_dict()
    [signer] = report.signers
    assert {check.status for check in signer.checks} == {'passed'}
    assert signer.signing_time == SIGNED_AT
    assert signer.certificate.snils == test_pki.users[user].profile['snils']


@pytest.mark.parametrize('user', ALGORITHMS)
def test_signature_structure_follows_cades_bes(test_pki: TestPki, user: str):
    signature = sign(test_pki, user)
    info = signer_info(signature)
    digest_oid, signature_oid, _ = EXPECTED[user]

    assert info['digest_algorithm']['algorithm'].dotted == digest_oid
    assert info['signature_algorithm']['algorithm'].dotted == signature_oid
    raw_attrs = info['signed_attrs'].dump()
    assert raw_attrs[0] == 0xA0
    encodings = [attribute.dump() for attribute in info['signed_attrs']]
    assert encodings == sorted(encodings)
    types = {attribute['type'].dotted for attribute in info['signed_attrs']}
    assert types == {'1.2.840.113549.1.9.3', '1.2.840.113549.1.9.4', '1.2.840.113549.1.9.5',
                     '1.2.840.113549.1.9.16.2.47'}  # fmt: skip
    [ess] = [attribute for attribute in info['signed_attrs'] if attribute['type'].dotted.endswith('16.2.47')]
    # ESSCertIDv2 starts with certHash (OCTET STRING) when hashAlgorithm is the DEFAULT SHA-256, else with it
    assert _ess_first_tag(ess['values'].contents) == (0x04 if digest_oid == oids.SHA256 else 0x30)
    parsed = parse_signature(signature)
    assert parsed.encoding == 'der'
    assert parsed.content is None
    assert test_pki.user_der(user) in parsed.certificates
    assert parsed.signers[0].cert_ids[0].hash_oid == digest_oid


def _ess_first_tag(values_contents: bytes) -> int:
    """The tag of the first field of the first ESSCertIDv2 inside SET { SigningCertificateV2 }."""
    signing_certificate = core.Sequence.load(values_contents)  # SigningCertificateV2
    certs = core.Sequence.load(signing_certificate.contents)  # SEQUENCE OF ESSCertIDv2 -> first element
    ess_cert_id = core.Sequence.load(certs.contents)
    return ess_cert_id.contents[0]


@pytest.mark.parametrize('moment', [datetime(2025, 3, 1, 9, 30, tzinfo=UTC), datetime(2051, 1, 2, tzinfo=UTC)])
def test_signing_time_round_trips_as_utc_time_or_generalized_time(test_pki: TestPki, moment: datetime):
    signature = sign(test_pki, 'rsa', at=moment)
    [attribute] = [a for a in signer_info(signature)['signed_attrs'] if a['type'].dotted == '1.2.840.113549.1.9.5']

    assert attribute['values'][0].name == ('utc_time' if moment.year < 2050 else 'generalized_time')
    assert parse_signature(signature).signers[0].signing_time == moment


def test_a_key_of_another_algorithm_or_a_broken_certificate_is_refused(test_pki: TestPki):
    with pytest.raises(UnsupportedAlgorithm):
        sign_detached(DATA, key_of(test_pki, 'ec'), test_pki.user_der('rsa'), [], signing_time=SIGNED_AT)
    with pytest.raises(BadCertificate):
        sign_detached(DATA, key_of(test_pki, 'rsa'), b'not a certificate', [], signing_time=SIGNED_AT)


@pytest.mark.parametrize('user', by_user(ALGORITHMS))
def test_openssl_accepts_every_signature_made_here_and_rejects_a_tampered_file(
    test_pki: TestPki, tmp_path: Path, user: str
):
    signature = sign(test_pki, user)

    assert openssl_verify(test_pki, tmp_path, user, DATA, signature) == 0
    assert openssl_verify(test_pki, tmp_path, user, DATA + b'.', signature) != 0


@pytest.mark.parametrize('user', by_user(['revoked', 'gost_revoked']))
def test_openssl_and_this_verifier_both_reject_a_revoked_signer(test_pki: TestPki, tmp_path: Path, user: str):
    signature = sign(test_pki, user)

    assert openssl_verify(test_pki, tmp_path, user, DATA, signature) != 0
    assert verify_detached(DATA, signature, trust(test_pki)).signers[0].check('revocation').status == 'failed'


@pytest.mark.parametrize('user', by_user(['rsa', 'ec', 'gost256', 'gost512']))
@pytest.mark.parametrize('options', [('-cades', '-nosmimecap'), ()], ids=['cades-nosmimecap', 'plain'])
def test_signatures_made_by_openssl_verify_here(test_pki: TestPki, tmp_path: Path, user: str, options: tuple):
    signature = openssl_sign(test_pki, tmp_path, [user], '-certfile', _chain_pem(test_pki, tmp_path, user), *options)

    report = verify_detached(DATA, signature, openssl_trust(test_pki))

    assert report.verdict == 'valid', report.to_dict()
    format_detail = report.signers[0].check('format').detail
    assert ('не CAdES-BES' in format_detail) == (options == ())


def _chain_pem(pki: TestPki, folder: Path, user: str) -> Path:
    path = folder / 'chain.pem'
    path.write_text(''.join(pki.cas[name].cert_pem.read_text() for name in _issuers(pki, user)))
    return path


def _issuers(pki: TestPki, user: str) -> list[str]:
    names = [pki.users[user].issuer]
    while pki.cas[names[-1]].issuer:
        names.append(pki.cas[names[-1]].issuer)
    return names


@requires_openssl
def test_openssl_key_id_signer_identifier_and_two_signers_verify_here(test_pki: TestPki, tmp_path: Path):
    chain = _chain_pem(test_pki, tmp_path, 'rsa')
    by_key_id = openssl_sign(test_pki, tmp_path, ['rsa'], '-keyid', '-cades', '-certfile', chain)
    two = openssl_sign(test_pki, tmp_path, ['rsa', 'ec'], '-cades', '-certfile', chain)

    assert signer_info(by_key_id)['sid'].name == 'subject_key_identifier'
    assert verify_detached(DATA, by_key_id, openssl_trust(test_pki)).verdict == 'valid'
    report = verify_detached(DATA, two, openssl_trust(test_pki))
    assert [signer.verdict for signer in report.signers] == ['valid', 'valid']
    assert {signer.certificate.owner for signer in report.signers} == {
        'Иванов Иван Иванович',
        'Петрова Мария Сергеевна',
    }


@requires_openssl
def test_a_pkcs7_signature_without_signed_attributes_proves_integrity_by_its_value(test_pki: TestPki, tmp_path: Path):
    signature = openssl_sign(test_pki, tmp_path, ['rsa'], '-noattr', '-certfile', _chain_pem(test_pki, tmp_path, 'rsa'))

    good = verify_detached(DATA, signature, trust(test_pki))
    tampered = verify_detached(DATA + b'!', signature, trust(test_pki))

    assert good.verdict == 'valid'
    signer = good.signers[0]
    assert 'Подписанных атрибутов нет' in signer.check('format').detail
    assert 'файл не изменён' in signer.check('integrity').detail
    assert 'взят момент проверки' in signer.check('validity_at_signing_time').detail
    assert signer.signing_time is None
    assert tampered.signers[0].check('integrity').status == 'failed'
    assert tampered.verdict == 'invalid'


@pytest.mark.parametrize(
    ('user', 'code', 'words'),
    [
        ('revoked', 'revocation', 'не позже момента подписания'),
        ('gost_revoked', 'revocation', 'не позже момента подписания'),
        ('expired', 'validity_at_signing_time', 'срок уже истёк'),
        ('not_yet_valid', 'validity_at_signing_time', 'срок ещё не начался'),
        ('no_signing', 'key_usage', 'не разрешает электронную подпись'),
        ('untrusted', 'chain', 'не входит в число доверенных'),
    ],
)
def test_each_bad_user_of_the_test_pki_fails_its_check(test_pki: TestPki, user: str, code: str, words: str):
    report = verify_detached(DATA, sign(test_pki, user), trust(test_pki))

    assert report.verdict == 'invalid'
    check = report.signers[0].check(code)
    assert check.status == 'failed'
    assert words in check.detail


@pytest.mark.parametrize('user', ['gost256', 'gost512'])
def test_gost_signature_algorithm_oid_variants_and_null_parameters_are_accepted(test_pki: TestPki, user: str):
    """1.2.643.7.1.1.3.2/.3 instead of the key OID, and NULL digest parameters (openssl writes them), verify too."""
    digest_oid, key_oid, _ = EXPECTED[user]
    content = asn1_cms.ContentInfo.load(sign(test_pki, user))
    info = content['content']['signer_infos'][0]
    info['signature_algorithm'] = {'algorithm': oids.SIGNATURE_ALGORITHMS[(key_oid, digest_oid)]}
    info['digest_algorithm'] = {'algorithm': digest_oid, 'parameters': core.Null()}
    variant = content.dump(force=True)

    assert signer_info(variant)['signature_algorithm']['algorithm'].dotted.startswith('1.2.643.7.1.1.3.')
    assert signer_info(variant)['digest_algorithm']['parameters'].dump() == b'\x05\x00'
    assert verify_detached(DATA, variant, trust(test_pki)).verdict == 'valid'


@pytest.mark.parametrize('fault', sorted(gost_faults.FAULTS))
def test_each_gost_byte_order_mistake_fails_the_signature_value(test_pki: TestPki, tmp_path: Path, fault: str):
    key = key_of(test_pki, 'gost256')
    content = asn1_cms.ContentInfo.load(sign(test_pki, 'gost256'))
    info = content['content']['signer_infos'][0]
    signed = parse_signature(content.dump()).signers[0].signed_attrs

    info['signature'] = gost_faults.FAULTS[fault](key, signed)
    wrong = content.dump(force=True)
    info['signature'] = gost_faults.correct(key, signed)
    control = content.dump(force=True)

    report = verify_detached(DATA, wrong, trust(test_pki))
    assert report.signers[0].check('signature_value').status == 'failed'
    assert report.verdict == 'invalid'
    assert verify_detached(DATA, control, trust(test_pki)).verdict == 'valid'
    if ENGINE_CLI:
        assert openssl_verify(test_pki, tmp_path, 'gost256', DATA, wrong) != 0
        assert openssl_verify(test_pki, tmp_path, 'gost256', DATA, control) == 0


def test_parse_accepts_der_pem_and_base64_and_refuses_the_rest(test_pki: TestPki):
    signature = sign(test_pki, 'rsa')
    body = base64.encodebytes(signature)

    assert parse_signature(signature).encoding == 'der'
    assert parse_signature(b'-----BEGIN CMS-----\n' + body + b'-----END CMS-----\n').encoding == 'pem'
    assert parse_signature(b'\xef\xbb\xbf' + body).encoding == 'base64'
    assert parse_signature(signature + b'\r\n').signers[0].signing_time == SIGNED_AT
    with pytest.raises(SignatureFormatError, match='посторонние данные'):
        parse_signature(signature + b'tail')
    with pytest.raises(SignatureFormatError, match='не является электронной подписью'):
        parse_signature('подпись'.encode())
    with pytest.raises(SignatureFormatError, match='слишком большой'):
        parse_signature(b'\x30' * (MAX_SIGNATURE_SIZE + 1))
    with pytest.raises(SignatureFormatError, match=r'структура ASN\.1 не читается'):
        parse_signature(signature[:-10])
