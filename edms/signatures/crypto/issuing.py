"""A small certification authority for test and demo PKIs: CAs, qualified end-entity certificates of the 795 profile,
CRLs, and the check numbers of the identifiers they carry.

Built on `issue` (certificates and CRLs signed through the backends, so RSA, ECDSA and GOST alike). Used by the
generated test PKI (`scripts/make_test_pki.py`) and the demo PKI loaded with the demo data (`edms/cli/demo_pki.py`).
Every certificate names test signature tools: nothing issued here is a qualified certificate in law, and the system
never issues certificates for real users.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from asn1crypto import x509

from edms.core import identifiers
from edms.signatures.crypto import issue, oids
from edms.signatures.crypto.certs import IssuerSignTool
from edms.signatures.crypto.keys import PrivateKey, generate_private_key, public_key_info

SIGN_TOOL = 'Тестовое СКЗИ «ЭДО-Тест» версии 1.0'
ISSUER_TOOL = IssuerSignTool(
    'Тестовое СКЗИ «ЭДО-Тест» версии 1.0',
    'Тестовый ПАК «Удостоверяющий центр»',
    'Заключение № 000/0/0/0-000 от 01.01.2026 (тестовое)',
    'Заключение № 000/0/0/0-001 от 01.01.2026 (тестовое)',
)
#: the classes of signature tools (certificate policies) every certificate issued here declares
TOOL_CLASSES = ('КС1', 'КС2')
CA_KEY_USAGE = frozenset({'key_cert_sign', 'crl_sign', 'digital_signature', 'non_repudiation'})
SIGNING_KEY_USAGE = frozenset({'digital_signature', 'non_repudiation'})
SIGNER_EXTENDED_KEY_USAGE = (issue.EKU_CLIENT_AUTH, issue.EKU_EMAIL_PROTECTION)


@dataclass(frozen=True, eq=False)
class Authority:
    """A CA that can issue: its name, key, certificate (DER), and the URL its CRL is published at (the distribution
    point written into every certificate it issues)."""

    name: x509.Name
    key: PrivateKey = field(repr=False)
    spki: bytes = field(repr=False)
    certificate: bytes = field(repr=False)
    crl_url: str


def make_authority(
    subject: Mapping[str, str],
    *,
    serial: int,
    not_before: datetime,
    not_after: datetime,
    crl_url: str,
    parent: Authority | None = None,
    algorithm: str = 'rsa',
) -> Authority:
    """A root CA (no `parent`: self-signed, no path length limit) or an intermediate issued by `parent` (path length
    0, its CRL at the parent's URL), with a new key of `algorithm`. `subject` holds 795-profile keys
    (`issue.PROFILE_ATTRIBUTES`): the CA organization's name, ОГРН, ИНН ЮЛ, place and common name."""
    key = generate_private_key(algorithm)
    spki = public_key_info(key)
    name = issue.profile_name(subject)
    spec = issue.CertificateSpec(
        subject=name,
        serial=serial,
        not_before=not_before,
        not_after=not_after,
        is_ca=True,
        path_length=None if parent is None else 0,
        key_usage=CA_KEY_USAGE,
        policies=_tool_policies(),
        subject_sign_tool=SIGN_TOOL,
        issuer_sign_tool=ISSUER_TOOL,
        crl_urls=() if parent is None else (parent.crl_url,),
    )
    if parent is None:
        der = issue.issue_certificate(spec, spki, name, key, spki)
    else:
        der = issue.issue_certificate(spec, spki, parent.name, parent.key, parent.spki)
    return Authority(name, key, spki, der, crl_url)


def issue_qualified(
    authority: Authority,
    profile: Mapping[str, str],
    subject_spki: bytes,
    *,
    serial: int,
    not_before: datetime,
    not_after: datetime,
    key_usage: frozenset[str] = SIGNING_KEY_USAGE,
) -> bytes:
    """A qualified end-entity certificate (DER) of the 795 profile for the public key `subject_spki`: the subject
    from `profile` (surname, given name, title, organization, ОГРН, ИНН ЮЛ, СНИЛС, ИНН, e-mail, place), the
    signing key usage, client-auth and e-mail EKUs, the tool classes, subjectSignTool and issuerSignTool, and the
    issuing CA's CRL distribution point."""
    spec = issue.CertificateSpec(
        subject=issue.profile_name(profile),
        serial=serial,
        not_before=not_before,
        not_after=not_after,
        key_usage=key_usage,
        extended_key_usage=SIGNER_EXTENDED_KEY_USAGE,
        policies=_tool_policies(),
        subject_sign_tool=SIGN_TOOL,
        issuer_sign_tool=ISSUER_TOOL,
        crl_urls=(authority.crl_url,),
    )
    return issue.issue_certificate(spec, subject_spki, authority.name, authority.key, authority.spki)


def authority_crl(
    authority: Authority, revoked: Sequence[tuple[int, datetime]], *, this_update: datetime, next_update: datetime
) -> bytes:
    """The CA's CRL (DER) listing the (serial, revocation date) pairs, possibly none."""
    return issue.issue_crl(
        authority.name, authority.key, authority.spki, revoked, this_update=this_update, next_update=next_update
    )


def snils_with_check(first_nine: str) -> str:
    """The 11-digit СНИЛС with its check number."""
    return f'{first_nine}{identifiers.snils_check_number(first_nine):02d}'


def person_inn_with_check(first_ten: str) -> str:
    """A 12-digit ИНН of a natural person with both check digits."""
    weights11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
    weights12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
    eleven = first_ten + str(sum(int(d) * w for d, w in zip(first_ten, weights11, strict=True)) % 11 % 10)
    return eleven + str(sum(int(d) * w for d, w in zip(eleven, weights12, strict=True)) % 11 % 10)


def _tool_policies() -> tuple[str, ...]:
    return tuple(oids.TOOL_CLASS_OIDS[label] for label in TOOL_CLASSES)
