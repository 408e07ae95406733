"""SignatureFacts from a real verification: a CMS signature by a head's certificate (ОГРН, ИНН ЮЛ, СНИЛС, ИНН),
verified by edms.signatures, satisfies the legal-entity rules; the same signature after the certificate expired
does not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from asn1crypto import core
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID

from edms.citizen_services.rules.facts import SignatureFacts
from edms.citizen_services.validation import validate_application
from edms.signatures.crypto.certs import IssuerSignToolSyntax
from edms.signatures.crypto.cms import sign_detached
from edms.signatures.crypto.keys import wrap_cryptography_key
from edms.signatures.crypto.verify import TrustData, verify_detached
from tests.citizen_services.samples import (
    INN_LEGAL,
    INN_PERSON,
    OGRN,
    SNILS_DIGITS,
    TODAY,
    legal_entity_cabinet,
    moment,
)

KEYS = [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(2)]
VALID_FROM = datetime(2025, 1, 1, tzinfo=UTC)
HEAD_VALID_DAYS = 500
PROFILE = (('1.2.643.100.1', OGRN), ('1.2.643.100.4', INN_LEGAL), ('1.2.643.100.3', SNILS_DIGITS),
           ('1.2.643.3.131.1.1', INN_PERSON))  # fmt: skip
NO_USAGE = dict.fromkeys(
    ['digital_signature', 'content_commitment', 'key_encipherment', 'data_encipherment', 'key_agreement',
     'key_cert_sign', 'crl_sign', 'encipher_only', 'decipher_only'],
    False,
)  # fmt: skip
#: subjectSignTool and issuerSignTool: a qualified certificate names its signature tools (Приказ ФСБ № 795).
TOOLS = (
    x509.UnrecognizedExtension(x509.ObjectIdentifier('1.2.643.100.111'), core.UTF8String('СКЗИ «Тест»').dump()),
    x509.UnrecognizedExtension(
        x509.ObjectIdentifier('1.2.643.100.112'),
        IssuerSignToolSyntax(
            {'sign_tool': 'СКЗИ', 'ca_tool': 'УЦ', 'sign_tool_cert': '№ 1', 'ca_tool_cert': '№ 2'}
        ).dump(),
    ),
)


def certificate(
    subject: x509.Name, issuer: x509.Name, key: rsa.RSAPrivateKey, *, ca: bool, days: int
) -> x509.Certificate:
    usage = {'key_cert_sign': True, 'crl_sign': True} if ca else {'digital_signature': True, 'content_commitment': True}
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(VALID_FROM)
        .not_valid_after(VALID_FROM + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(**{**NO_USAGE, **usage}), critical=True)
    )
    for extension in () if ca else TOOLS:
        builder = builder.add_extension(extension, critical=False)
    return builder.sign(KEYS[0], hashes.SHA256())


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


ROOT_NAME = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'Тестовый аккредитованный УЦ')])
HEAD_NAME = x509.Name(
    [x509.NameAttribute(NameOID.COMMON_NAME, 'Иванов Иван Иванович')]
    + [x509.NameAttribute(x509.ObjectIdentifier(oid), value, _type=_ASN1Type.NumericString) for oid, value in PROFILE]
)
ROOT = certificate(ROOT_NAME, ROOT_NAME, KEYS[0], ca=True, days=3650)
HEAD = certificate(HEAD_NAME, ROOT_NAME, KEYS[1], ca=False, days=HEAD_VALID_DAYS)
DATA = b'<application/>'


def crl(now: datetime) -> bytes:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ROOT_NAME)
        .last_update(now - timedelta(hours=1))
        .next_update(now + timedelta(days=7))
    )
    return builder.sign(KEYS[0], hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def facts_at(signed: datetime, sent: datetime) -> SignatureFacts:
    """Sign at `signed`, verify at `sent` against a trust store that accredits the root, and take the facts."""
    signature = sign_detached(DATA, wrap_cryptography_key(KEYS[1]), der(HEAD), [], signing_time=signed)
    accredited = {ROOT.fingerprint(hashes.SHA256()).hex()}
    trust = TrustData(anchors=[der(ROOT)], intermediates=[], crls=[crl(sent)], accredited=accredited, now=sent)
    [signer] = verify_detached(DATA, signature, trust).signers
    return SignatureFacts.from_report('application', signer, sent_at=sent)


def test_facts_copy_the_verdict_and_the_certificate_profile() -> None:
    facts = facts_at(moment(TODAY), moment(TODAY, 10))
    assert (facts.verdict, facts.method, facts.qualified) == ('valid', 'qualified', True)
    assert (facts.ogrn, facts.inn_le, facts.snils, facts.inn) == (OGRN, INN_LEGAL, SNILS_DIGITS, INN_PERSON)
    assert (facts.not_before, facts.not_after) == (VALID_FROM, VALID_FROM + timedelta(days=HEAD_VALID_DAYS))
    assert facts.signing_time == moment(TODAY)


def test_application_signed_by_the_head_satisfies_the_rules() -> None:
    facts = facts_at(moment(TODAY), moment(TODAY, 10))
    assert validate_application('legal_entity_cabinet', legal_entity_cabinet(), today=TODAY, signatures=[facts]) == []


def test_signature_sent_after_the_certificate_expired_is_refused() -> None:
    expiry = VALID_FROM + timedelta(days=HEAD_VALID_DAYS)
    facts = facts_at(expiry - timedelta(days=1), expiry + timedelta(days=1))
    problems = validate_application('legal_entity_cabinet', legal_entity_cabinet(), today=TODAY, signatures=[facts])
    assert [problem.field for problem in problems] == ['signatures.application']
    assert 'сертификат не действовал в момент отправки' in problems[0].message
