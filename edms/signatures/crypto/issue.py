"""Issuing certificates and CRLs with asn1crypto, signed through the backends (RSA, ECDSA and GOST alike).

The system does not issue certificates to its users: this builds test-only hierarchies — the test PKI
(`scripts/make_test_pki.py`), the demo PKI of `make run` (through `issuing`) and special certificates in tests.
Names follow the 795 profile encoding: ОГРН, ОГРНИП, СНИЛС, ИНН, ИНН ЮЛ as NumericString, the country as
PrintableString, e-mail as IA5String, everything else UTF8String.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from asn1crypto import core, keys, x509
from asn1crypto import crl as asn1_crl

from edms.signatures.crypto import oids
from edms.signatures.crypto.backends import get_backend
from edms.signatures.crypto.certs import IssuerSignTool, IssuerSignToolSyntax
from edms.signatures.crypto.keys import PrivateKey

NUMERIC_ATTRIBUTES = frozenset({oids.OGRN, oids.OGRNIP, oids.SNILS, oids.INN, oids.INNLE})
EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2'
EKU_EMAIL_PROTECTION = '1.3.6.1.5.5.7.3.4'


class _Attribute(core.Sequence):
    _fields: ClassVar[list[tuple[Any, ...]]] = [('type', core.ObjectIdentifier), ('value', core.Any)]


def build_name(attributes: Sequence[tuple[str, str]]) -> x509.Name:
    """A Name with one attribute per RDN, in the given order (most significant first, e.g. C, ST, L, O, CN)."""
    rdns = []
    for oid, text in attributes:
        if oid in NUMERIC_ATTRIBUTES:
            value: core.Asn1Value = core.NumericString(text)
        elif oid == oids.COUNTRY:
            value = core.PrintableString(text)
        elif oid == oids.EMAIL:
            value = core.IA5String(text)
        else:
            value = core.UTF8String(text)
        # built as generic DER and re-read, so that each value keeps exactly the string type chosen here
        der = _Attribute({'type': oid, 'value': value}).dump()
        rdns.append(x509.RelativeDistinguishedName([x509.NameTypeAndValue.load(der)]))
    return x509.Name(name='', value=x509.RDNSequence(rdns))


#: profile key -> name attribute, in the order a qualified certificate's subject lists them
PROFILE_ATTRIBUTES = (
    ('country', oids.COUNTRY),
    ('region', oids.STATE),
    ('locality', oids.LOCALITY),
    ('street', oids.STREET),
    ('organization', oids.ORGANIZATION),
    ('unit', oids.ORGANIZATIONAL_UNIT),
    ('title', oids.TITLE),
    ('ogrn', oids.OGRN),
    ('ogrnip', oids.OGRNIP),
    ('inn_le', oids.INNLE),
    ('snils', oids.SNILS),
    ('inn', oids.INN),
    ('email', oids.EMAIL),
    ('surname', oids.SURNAME),
    ('given_name', oids.GIVEN_NAME),
    ('common_name', oids.COMMON_NAME),
)


def profile_name(profile: Mapping[str, str]) -> x509.Name:
    """A 795-profile subject from profile keys (`PROFILE_ATTRIBUTES`; absent ones skipped, unknown ones ignored).
    The common name defaults to 'surname given_name' for a person."""
    values = dict(profile)
    if 'common_name' not in values and 'surname' in values:
        values['common_name'] = f'{values["surname"]} {values.get("given_name", "")}'.strip()
    return build_name([(oid, values[key]) for key, oid in PROFILE_ATTRIBUTES if values.get(key)])


def key_identifier(spki_der: bytes) -> bytes:
    """RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's bytes."""
    info = keys.PublicKeyInfo.load(spki_der)
    return hashlib.sha1(info['public_key'].contents[1:]).digest()  # noqa: S324 - the identifier RFC 5280 defines


@dataclass(frozen=True)
class CertificateSpec:
    """What goes into a certificate besides its keys and issuer."""

    subject: x509.Name
    serial: int
    not_before: datetime
    not_after: datetime
    is_ca: bool = False
    path_length: int | None = None
    key_usage: frozenset[str] = frozenset({'digital_signature', 'non_repudiation'})
    extended_key_usage: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()
    subject_sign_tool: str | None = None
    issuer_sign_tool: IssuerSignTool | None = None
    crl_urls: tuple[str, ...] = ()
    extra_extensions: list[x509.Extension] = field(default_factory=list)


def issue_certificate(
    spec: CertificateSpec,
    subject_spki: bytes,
    issuer_name: x509.Name,
    issuer_key: PrivateKey,
    issuer_spki: bytes,
    *,
    digest_oid: str | None = None,
) -> bytes:
    """The DER certificate for `spec` with the subject's public key, signed by `issuer_key` through its backend."""
    digest_oid = digest_oid or issuer_key.default_digest_oid
    algorithm = _signature_algorithm(issuer_key, digest_oid)
    tbs = x509.TbsCertificate(
        {
            'version': 'v3',
            'serial_number': spec.serial,
            'signature': algorithm,
            'issuer': issuer_name,
            'validity': {'not_before': _time(spec.not_before), 'not_after': _time(spec.not_after)},
            'subject': spec.subject,
            'subject_public_key_info': keys.PublicKeyInfo.load(subject_spki),
            'extensions': _extensions(spec, subject_spki, issuer_spki),
        }
    )
    signature = get_backend(issuer_key.key_oid).sign(issuer_key, digest_oid, tbs.dump())
    return x509.Certificate(
        {'tbs_certificate': tbs, 'signature_algorithm': algorithm, 'signature_value': signature}
    ).dump()


def issue_crl(
    issuer_name: x509.Name,
    issuer_key: PrivateKey,
    issuer_spki: bytes,
    revoked: Sequence[tuple[int, datetime]],
    *,
    this_update: datetime,
    next_update: datetime,
    number: int = 1,
    digest_oid: str | None = None,
) -> bytes:
    """A v2 CRL listing (serial, revocation date) pairs, with CRL number and authority key identifier."""
    digest_oid = digest_oid or issuer_key.default_digest_oid
    algorithm = _signature_algorithm(issuer_key, digest_oid)
    entries = [{'user_certificate': serial, 'revocation_date': _time(moment)} for serial, moment in sorted(revoked)]
    tbs = asn1_crl.TbsCertList(
        {
            'version': 'v2',
            'signature': algorithm,
            'issuer': issuer_name,
            'this_update': _time(this_update),
            'next_update': _time(next_update),
            'revoked_certificates': entries or None,
            'crl_extensions': [
                {'extn_id': 'crl_number', 'critical': False, 'extn_value': number},
                {
                    'extn_id': 'authority_key_identifier',
                    'critical': False,
                    'extn_value': {'key_identifier': key_identifier(issuer_spki)},
                },
            ],
        }
    )
    if not entries:
        del tbs['revoked_certificates']
    signature = get_backend(issuer_key.key_oid).sign(issuer_key, digest_oid, tbs.dump())
    return asn1_crl.CertificateList(
        {'tbs_cert_list': tbs, 'signature_algorithm': algorithm, 'signature': signature}
    ).dump()


def _signature_algorithm(key: PrivateKey, digest_oid: str) -> dict[str, object]:
    oid = oids.SIGNATURE_ALGORITHMS[(key.key_oid, digest_oid)]
    if key.algorithm == 'rsa':
        return {'algorithm': oid, 'parameters': core.Null()}
    return {'algorithm': oid}


def _time(moment: datetime) -> x509.Time:
    return x509.Time({'utc_time' if 1950 <= moment.year < 2050 else 'general_time': moment})


def _extensions(spec: CertificateSpec, subject_spki: bytes, issuer_spki: bytes) -> list[x509.Extension]:
    result = [
        _ext('basic_constraints', {'ca': spec.is_ca, 'path_len_constraint': spec.path_length}, critical=True),
        _ext('key_usage', set(spec.key_usage), critical=True),
        _ext('key_identifier', key_identifier(subject_spki)),
        _ext('authority_key_identifier', {'key_identifier': key_identifier(issuer_spki)}),
    ]
    if spec.extended_key_usage:
        result.append(_ext('extended_key_usage', list(spec.extended_key_usage)))
    if spec.policies:
        result.append(_ext('certificate_policies', [{'policy_identifier': oid} for oid in spec.policies]))
    if spec.crl_urls:
        points = [{'distribution_point': {'full_name': [_uri(url)]}} for url in spec.crl_urls]
        result.append(_ext('crl_distribution_points', points))
    if spec.subject_sign_tool is not None:
        result.append(_raw_ext(oids.SUBJECT_SIGN_TOOL, core.UTF8String(spec.subject_sign_tool).dump()))
    if spec.issuer_sign_tool is not None:
        tool = spec.issuer_sign_tool
        value = IssuerSignToolSyntax(
            {
                'sign_tool': tool.sign_tool,
                'ca_tool': tool.ca_tool,
                'sign_tool_cert': tool.sign_tool_cert,
                'ca_tool_cert': tool.ca_tool_cert,
            }
        )
        result.append(_raw_ext(oids.ISSUER_SIGN_TOOL, value.dump()))
    return result + list(spec.extra_extensions)


def _ext(name: str, value: object, *, critical: bool = False) -> x509.Extension:
    return x509.Extension({'extn_id': name, 'critical': critical, 'extn_value': value})


def _uri(url: str) -> x509.GeneralName:
    return x509.GeneralName(name='uniform_resource_identifier', value=url)


def _raw_ext(oid: str, der: bytes) -> x509.Extension:
    """An extension asn1crypto does not know, with its value given as DER."""
    return x509.Extension({'extn_id': oid, 'critical': False, 'extn_value': core.ParsableOctetString(der)})
