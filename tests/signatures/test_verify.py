"""verify_detached: the eight checks, the verdict rule and the report, on a small RSA PKI built here.

The PKI of this file (root → CA → signer, CRLs) is built with `cryptography` in memory so that each case can bend
exactly one thing: a loop, a wrong key usage, a revocation before or after the signing time, a stale CRL, a CRL
signed by a stranger. Round trips through the project's test PKI and openssl interop live in test_cms.py.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import cms as asn1_cms
from asn1crypto import core
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID

from edms.signatures.crypto.certs import IssuerSignToolSyntax
from edms.signatures.crypto.cms import sign_detached
from edms.signatures.crypto.keys import PrivateKey, wrap_cryptography_key
from edms.signatures.crypto.report import VerificationReport
from edms.signatures.crypto.verify import TrustData, verify_detached

START = datetime(2025, 1, 1, tzinfo=UTC)
SIGNED_AT = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
NOW = datetime(2025, 6, 2, tzinfo=UTC)
DATA = 'Письмо о согласовании проекта. '.encode() * 100
SIGNING = {'digital_signature': True, 'content_commitment': True}
CA_USAGE = {'key_cert_sign': True, 'crl_sign': True}
NO_USAGE = dict.fromkeys(
    ['digital_signature', 'content_commitment', 'key_encipherment', 'data_encipherment', 'key_agreement',
     'key_cert_sign', 'crl_sign', 'encipher_only', 'decipher_only'],
    False,
)  # fmt: skip
KEYS = [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(4)]


def _name(common_name: str, *profile: tuple[str, str]) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    for oid, value in profile:
        attributes.append(x509.NameAttribute(x509.ObjectIdentifier(oid), value, _type=_ASN1Type.NumericString))
    return x509.Name(attributes)


PERSON = (('1.2.643.100.3', '11223344595'), ('1.2.643.3.131.1.1', '770708389312'))
TOOLS = [
    x509.UnrecognizedExtension(x509.ObjectIdentifier('1.2.643.100.111'), core.UTF8String('СКЗИ «Тест»').dump()),
    x509.UnrecognizedExtension(
        x509.ObjectIdentifier('1.2.643.100.112'),
        IssuerSignToolSyntax(
            {'sign_tool': 'СКЗИ', 'ca_tool': 'УЦ', 'sign_tool_cert': '№ 1', 'ca_tool_cert': '№ 2'}
        ).dump(),
    ),
]


def issue(
    name: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: tuple[x509.Certificate | None, rsa.RSAPrivateKey],
    *,
    ca: bool = False,
    usage: dict[str, bool] | None = None,
    not_before: datetime = START,
    not_after: datetime = START + timedelta(days=730),
    extensions: tuple[x509.ExtensionType, ...] = (),
) -> x509.Certificate:
    issuer_cert, issuer_key = issuer
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_cert.subject if issuer_cert else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(**{**NO_USAGE, **(usage or (CA_USAGE if ca else SIGNING))}), critical=True)
    )
    for extension in extensions:
        builder = builder.add_extension(extension, critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def make_crl(issuer: x509.Certificate, key: rsa.RSAPrivateKey, *revoked: tuple, next_update: datetime | None = None):
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.subject)
        .last_update(NOW - timedelta(hours=1))
        .next_update(next_update or NOW + timedelta(days=7))
    )
    for serial, date, reason in revoked:
        entry = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(date)
        if reason is not None:
            entry = entry.add_extension(x509.CRLReason(reason), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


ROOT = issue(_name('Тестовый корневой УЦ'), KEYS[0], (None, KEYS[0]), ca=True)
CA = issue(_name('Тестовый УЦ'), KEYS[1], (ROOT, KEYS[0]), ca=True)
SIGNER = issue(_name('Иванов Иван Иванович', *PERSON), KEYS[2], (CA, KEYS[1]), extensions=tuple(TOOLS))
SIGNER_KEY = wrap_cryptography_key(KEYS[2])


def trust(*, anchors: list[bytes] | None = None, crls: list[bytes] | None = None, **extra: object) -> TrustData:
    if crls is None:
        crls = [make_crl(ROOT, KEYS[0]), make_crl(CA, KEYS[1])]
    values = {'anchors': [der(ROOT)] if anchors is None else anchors, 'intermediates': [], 'crls': crls,
              'accredited': {ROOT.fingerprint(hashes.SHA256()).hex()}, 'now': NOW, **extra}  # fmt: skip
    return TrustData(**values)


def sign(cert: x509.Certificate = SIGNER, key: PrivateKey = SIGNER_KEY, chain=(CA,), at: datetime = SIGNED_AT) -> bytes:
    return sign_detached(DATA, key, der(cert), [der(item) for item in chain], signing_time=at)


def statuses(report: VerificationReport) -> dict[str, str]:
    [signer] = report.signers
    return {check.code: check.status for check in signer.checks}


def assert_failed(report: VerificationReport, code: str, words: str) -> None:
    assert report.verdict == 'invalid'
    check = report.signers[0].check(code)
    assert check.status == 'failed', check
    assert words in check.detail


def test_a_good_signature_passes_all_eight_checks_and_is_valid():
    report = verify_detached(DATA, sign(), trust())

    assert report.verdict == 'valid'
    assert set(statuses(report).values()) == {'passed'}
    signer = report.signers[0]
    assert [check.code for check in signer.checks] == [
        'format', 'integrity', 'signature_value', 'chain', 'validity_at_signing_time', 'revocation', 'key_usage',
        'qualified',
    ]  # fmt: skip
    assert all(check.title and check.detail for check in signer.checks)
    assert signer.signing_time == SIGNED_AT
    assert signer.certificate.snils == '11223344595'
    assert 'Иванов Иван Иванович' in signer.signer
    assert 'не отозван' in signer.check('revocation').detail


def test_the_same_inputs_and_trust_data_always_give_an_equal_report_that_survives_storage():
    signature = sign()
    first, second = verify_detached(DATA, signature, trust()), verify_detached(DATA, signature, trust())

    assert first.to_dict() == second.to_dict()
    assert first.checked_at == NOW
    restored = VerificationReport.from_dict(first.to_dict())
    assert restored.to_dict() == first.to_dict()
    assert restored.signers[0].certificate.fingerprint == SIGNER.fingerprint(hashes.SHA256()).hex()


def test_trust_fingerprint_depends_on_the_trust_content_not_on_its_order():
    crls = [make_crl(ROOT, KEYS[0]), make_crl(CA, KEYS[1])]
    forward, backward = trust(crls=crls), trust(crls=list(reversed(crls)))

    assert forward.fingerprint == backward.fingerprint
    assert trust(crls=crls[:1]).fingerprint != forward.fingerprint


def test_tampered_file_fails_integrity():
    tampered = bytearray(DATA)
    tampered[10] ^= 0x20

    report = verify_detached(bytes(tampered), sign(), trust())

    assert_failed(report, 'integrity', 'файл изменён после подписания')
    assert report.signers[0].check('signature_value').status == 'passed'


def test_a_changed_signature_value_fails_the_signature_check():
    info = asn1_cms.ContentInfo.load(sign())
    signer_info = info['content']['signer_infos'][0]
    value = bytearray(signer_info['signature'].native)
    value[-1] ^= 0x01
    signer_info['signature'] = bytes(value)

    report = verify_detached(DATA, info.dump(force=True), trust())

    assert_failed(report, 'signature_value', 'не подтверждается открытым ключом')


def test_a_root_that_is_not_trusted_fails_the_chain():
    other_root = issue(_name('Чужой корневой УЦ'), KEYS[3], (None, KEYS[3]), ca=True)

    report = verify_detached(DATA, sign(chain=(CA, ROOT)), trust(anchors=[der(other_root)]))

    assert_failed(report, 'chain', 'не входит в число доверенных')
    assert report.signers[0].check('qualified').status == 'not_checked'


def test_a_missing_intermediate_fails_the_chain_and_trust_intermediates_complete_it():
    signature = sign(chain=())

    assert_failed(verify_detached(DATA, signature, trust()), 'chain', 'Не найден сертификат издателя')
    assert verify_detached(DATA, signature, trust(intermediates=[der(CA)])).verdict == 'valid'


def test_a_chain_that_loops_is_detected():
    name_x, name_y = _name('УЦ Икс'), _name('УЦ Игрек')
    first_y = issue(name_y, KEYS[1], (None, KEYS[1]), ca=True)
    cross_x = issue(name_x, KEYS[0], (first_y, KEYS[1]), ca=True)  # X issued by Y
    cross_y = issue(name_y, KEYS[1], (cross_x, KEYS[0]), ca=True)  # Y issued by X
    signer = issue(_name('Петров', *PERSON), KEYS[2], (cross_x, KEYS[0]))

    report = verify_detached(DATA, sign(signer, chain=(cross_x, cross_y)), trust())

    assert_failed(report, 'chain', 'зацикливается')


def test_an_overlong_chain_is_refused():
    chain, issuer = [], (ROOT, KEYS[0])
    for level in range(11):
        cert = issue(_name(f'УЦ уровня {level}'), KEYS[1], issuer, ca=True)
        chain.append(cert)
        issuer = (cert, KEYS[1])
    signer = issue(_name('Сидоров', *PERSON), KEYS[2], issuer)

    report = verify_detached(DATA, sign(signer, chain=tuple(chain)), trust())

    assert_failed(report, 'chain', 'длиннее')


def test_revoked_before_the_signing_time_fails_revocation():
    crl = make_crl(CA, KEYS[1], (SIGNER.serial_number, SIGNED_AT - timedelta(days=1), x509.ReasonFlags.superseded))

    report = verify_detached(DATA, sign(), trust(crls=[make_crl(ROOT, KEYS[0]), crl]))

    assert_failed(report, 'revocation', 'не позже момента подписания')


def test_revoked_after_the_signing_time_passes_but_not_after_a_key_compromise():
    later = SIGNED_AT + timedelta(hours=3)
    superseded = make_crl(CA, KEYS[1], (SIGNER.serial_number, later, x509.ReasonFlags.superseded))
    compromised = make_crl(CA, KEYS[1], (SIGNER.serial_number, later, x509.ReasonFlags.key_compromise))

    calm = verify_detached(DATA, sign(), trust(crls=[make_crl(ROOT, KEYS[0]), superseded]))
    alarm = verify_detached(DATA, sign(), trust(crls=[make_crl(ROOT, KEYS[0]), compromised]))

    assert calm.verdict == 'valid'
    assert 'уже после момента подписания' in calm.signers[0].check('revocation').detail
    assert alarm.verdict == 'indeterminate'
    assert alarm.signers[0].check('revocation').status == 'not_checked'
    assert 'компрометации' in alarm.signers[0].check('revocation').detail


def test_no_crl_leaves_revocation_not_checked_and_the_verdict_indeterminate():
    report = verify_detached(DATA, sign(), trust(crls=[]))

    assert report.verdict == 'indeterminate'
    assert statuses(report)['revocation'] == 'not_checked'
    assert {code for code, status in statuses(report).items() if status != 'passed'} == {'revocation'}


def test_a_stale_crl_or_one_signed_by_a_stranger_is_not_relied_upon():
    stale = make_crl(CA, KEYS[1], next_update=NOW - timedelta(minutes=1))
    forged = make_crl(CA, KEYS[3])

    stale_report = verify_detached(DATA, sign(), trust(crls=[make_crl(ROOT, KEYS[0]), stale]))
    forged_report = verify_detached(DATA, sign(), trust(crls=[make_crl(ROOT, KEYS[0]), forged]))

    assert stale_report.signers[0].check('revocation').status == 'not_checked'
    assert 'устаревший' in stale_report.signers[0].check('revocation').detail
    assert forged_report.signers[0].check('revocation').status == 'not_checked'
    assert 'не подтверждается ключом издателя' in forged_report.signers[0].check('revocation').detail


def test_expired_and_not_yet_valid_at_the_signing_time_fail_validity():
    expired = verify_detached(DATA, sign(at=START + timedelta(days=800)), trust(now=START + timedelta(days=801)))
    early = verify_detached(DATA, sign(at=START - timedelta(days=1)), trust())

    assert_failed(expired, 'validity_at_signing_time', 'срок уже истёк')
    assert_failed(early, 'validity_at_signing_time', 'срок ещё не начался')


def test_a_key_usage_without_signing_fails_key_usage():
    encipher_only = issue(_name('Шифровальщик', *PERSON), KEYS[2], (CA, KEYS[1]), usage={'key_encipherment': True})

    report = verify_detached(DATA, sign(encipher_only), trust())

    assert_failed(report, 'key_usage', 'не разрешает электронную подпись')


def test_a_ca_without_key_cert_sign_fails_key_usage():
    weak_ca = issue(_name('УЦ без права выпуска'), KEYS[1], (ROOT, KEYS[0]), ca=True, usage={'crl_sign': True})
    signer = issue(_name('Кузнецов', *PERSON), KEYS[2], (weak_ca, KEYS[1]), extensions=tuple(TOOLS))

    report = verify_detached(DATA, sign(signer, chain=(weak_ca,)), trust())

    assert_failed(report, 'key_usage', 'keyCertSign')


def test_a_ca_not_flagged_accredited_or_missing_profile_fields_fail_qualified():
    plain = issue(_name('Без профиля'), KEYS[2], (CA, KEYS[1]))

    unaccredited = verify_detached(DATA, sign(), trust(accredited={'00' * 32}))
    no_profile = verify_detached(DATA, sign(plain), trust())

    assert_failed(unaccredited, 'qualified', 'не отмечен как аккредитованный')
    assert_failed(no_profile, 'qualified', 'СНИЛС, subjectSignTool, issuerSignTool')
    assert verify_detached(DATA, sign(), trust(accredited=set())).signers[0].check('qualified').status == 'not_checked'


def test_a_signature_without_the_signer_certificate_fails_the_chain():
    info = asn1_cms.ContentInfo.load(sign())
    info['content']['certificates'] = asn1_cms.CertificateSet([])

    report = verify_detached(DATA, info.dump(force=True), trust())

    assert_failed(report, 'chain', 'не найден ни в подписи, ни в доверенных данных')
    assert report.signers[0].certificate is None


def test_several_signers_are_each_reported_and_one_bad_signer_makes_the_file_invalid():
    second_signer = issue(_name('Петров Пётр', *PERSON), KEYS[3], (CA, KEYS[1]), extensions=tuple(TOOLS))
    first = asn1_cms.ContentInfo.load(sign())
    second = asn1_cms.ContentInfo.load(sign(second_signer, wrap_cryptography_key(KEYS[3])))
    merged = first['content']
    merged['certificates'] = [*merged['certificates'], *second['content']['certificates']]
    merged['signer_infos'] = [merged['signer_infos'][0], second['content']['signer_infos'][0]]

    good = verify_detached(DATA, first.dump(force=True), trust())
    bad = verify_detached(DATA, first.dump(force=True), trust(crls=[
        make_crl(ROOT, KEYS[0]), make_crl(CA, KEYS[1], (second_signer.serial_number, START, None))]))  # fmt: skip

    assert [signer.verdict for signer in good.signers] == ['valid', 'valid']
    assert good.verdict == 'valid'
    verdicts = {signer.certificate.owner: signer.verdict for signer in bad.signers}
    assert verdicts == {'Иванов Иван Иванович': 'valid', 'Петров Пётр': 'invalid'}
    assert bad.verdict == 'invalid'


def test_a_signature_over_another_file_fails_integrity():
    report = verify_detached(b'another file', sign(), trust())

    assert_failed(report, 'integrity', 'подпись сделана для другого файла')


def _empty_signed_data() -> bytes:
    signed_data = asn1_cms.SignedData(
        {'version': 'v1', 'digest_algorithms': [], 'encap_content_info': {'content_type': 'data'}, 'signer_infos': []}
    )
    return asn1_cms.ContentInfo({'content_type': 'signed_data', 'content': signed_data}).dump()


@pytest.mark.parametrize(
    ('blob', 'words'),
    [
        (b'', 'пуст'),
        ('Это не подпись, а письмо.'.encode(), 'не является электронной подписью'),
        (bytes(range(256)) * 40, 'не является электронной подписью'),
        (b'\x30\x82\x10\x00' + b'\x00' * 64, 'структура ASN.1 не читается'),
        (der(SIGNER), 'структура ASN.1 не читается'),
        (SIGNER.public_bytes(serialization.Encoding.PEM), '«CERTIFICATE», а не подпись'),
        (_empty_signed_data(), 'нет ни одного подписанта'),
    ],
    ids=['empty', 'text', 'binary-garbage', 'truncated-der', 'a-certificate', 'pem-certificate', 'no-signers'],
)
def test_bad_signature_files_give_a_report_with_a_failed_format_check(blob: bytes, words: str):
    report = verify_detached(DATA, blob, trust())

    assert report.verdict == 'invalid'
    assert report.signers == []
    [check] = report.checks
    assert (check.code, check.status) == ('format', 'failed')
    assert words in check.detail
    assert report.failed_checks() == {'format'}


def test_fifty_megabytes_of_garbage_are_refused_at_once():
    garbage = b'\x30\x84' + b'\xa5' * (50 * 1024 * 1024)

    started = time.perf_counter()
    report = verify_detached(DATA, garbage, trust())

    assert time.perf_counter() - started < 1.0
    assert report.verdict == 'invalid'
    assert 'слишком большой' in report.checks[0].detail


def test_pem_and_base64_signatures_are_accepted_with_a_note():
    import base64

    signature = sign()
    pem = b'-----BEGIN PKCS7-----\n' + base64.encodebytes(signature) + b'-----END PKCS7-----\n'
    bare = base64.b64encode(signature)

    for blob, words in ((pem, 'формате PEM принята'), (bare, 'base64 принята')):
        report = verify_detached(DATA, blob, trust())
        assert report.verdict == 'valid'
        format_check = report.signers[0].check('format')
        assert format_check.status == 'passed'
        assert words in format_check.detail
