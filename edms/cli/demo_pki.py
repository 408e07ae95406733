"""The demo PKI, generated when the demo data is loaded: a root CA and a qualified CA (RSA) put into the trust store
as accredited with their CRLs, qualified certificates of the 795 profile for the demo managers who sign, each bound
to its user with a PKCS#12 container protected by the demo password, and the qualified certificate of a citizen
without an account (the owner who consents to a temporary registration), whose key stays in memory while the demo
loads and signs only the demo's consent.

Test-only and never for production: every installation generates its own at load time (nothing is committed), the
CA keys are dropped once the certificates and CRLs are issued, and the users' keys live only in their containers
in the blob store, as any user's container does. The CRLs are issued once, valid as long as their CA.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from edms.auth.models import User
from edms.core.access import SYSTEM
from edms.core.clock import utcnow
from edms.signatures.crypto import issuing, keys
from edms.signatures.crypto.cms import sign_detached
from edms.signatures.crypto.pkcs12 import export_pkcs12
from edms.signatures.models import UserCertificate
from edms.signatures.operations import import_certificate, import_trusted, upload_crl

CA_ORGANIZATION = {
    'organization': 'АО «Демонстрационный удостоверяющий центр МСЭД»',
    'ogrn': '1077700778814',
    'inn_le': '7709778812',
}
PLACE = {'country': 'RU', 'region': 'Энская область', 'locality': 'г. Энск'}
STREET = 'ул. Центральная, д. 1'
CRL_BASE = 'http://pki.demo.invalid/crl'
NOTE = 'Демонстрационный УЦ: создан при загрузке демо-данных, только для проверки работы системы'
#: (common name, years of validity) of the root and of the qualified CA it certifies
ROOT = ('Демонстрационный головной УЦ МСЭД (тестовый)', 5)
QUALIFIED_CA = ('Демонстрационный аккредитованный УЦ МСЭД (тестовый)', 4)
USER_YEARS = 3


@dataclass(frozen=True)
class DemoSigner:
    """A demo manager with a qualified certificate: the organization's demo key, the login, the post, the
    person's СНИЛС and ИНН (the user record carries the same, so the certificate binds)."""

    organization: str
    login: str
    title: str
    snils: str
    inn: str


SIGNERS = (
    DemoSigner(
        'min',
        'manager',
        'Заместитель министра',
        issuing.snils_with_check('132435465'),
        issuing.person_inn_with_check('7701234560'),
    ),
    DemoSigner(
        'mig',
        'manager',
        'Начальник управления',
        issuing.snils_with_check('142536475'),
        issuing.person_inn_with_check('7702345671'),
    ),
)


@dataclass(frozen=True)
class DemoPerson:
    """A citizen with a qualified certificate of the demo CA (СНИЛС and ИНН, no organization) and no account."""

    surname: str
    given_name: str
    snils: str
    inn: str


#: The owner of the flat of the demo's temporary registration: signs her consent with her КЭП.
CONSENT_OWNER = DemoPerson(
    'Сидорова',
    'Анна Михайловна',
    issuing.snils_with_check('152637485'),
    issuing.person_inn_with_check('7703456782'),
)


@dataclass(frozen=True, eq=False)
class PersonKey:
    """A demo person's key with the certificate and chain: signs detached CAdES-BES signatures."""

    key: keys.PrivateKey = field(repr=False)
    certificate: bytes = field(repr=False)
    chain: tuple[bytes, ...] = field(repr=False)

    def sign(self, data: bytes) -> bytes:
        return sign_detached(data, self.key, self.certificate, list(self.chain), signing_time=utcnow())


@dataclass(frozen=True)
class DemoPki:
    """What the demo PKI gave: the signers' bound certificates by (organization key, login), the owner's key."""

    certificates: dict[tuple[str, str], UserCertificate]
    owner: PersonKey


def signer_of(organization: str, login: str) -> DemoSigner | None:
    """The demo signer with this organization key and login, if any."""
    return next((s for s in SIGNERS if (s.organization, s.login) == (organization, login)), None)


def load_demo_pki(users: Mapping[tuple[str, str], User], password: str) -> DemoPki:
    """Issue the CAs and their CRLs into the trust store, bind a certificate to each signer in `users`
    ((organization key, login) -> user) and issue the consenting owner's certificate."""
    now = utcnow().replace(microsecond=0)
    root = _authority(ROOT, now, None)
    ca = _authority(QUALIFIED_CA, now, root)
    authorities = ((root, ROOT[1]), (ca, QUALIFIED_CA[1]))
    for authority, _ in authorities:
        import_trusted(SYSTEM, authority.certificate, accredited=True, note=NOTE)
    for authority, years in authorities:
        crl = issuing.authority_crl(authority, [], this_update=now - timedelta(hours=1), next_update=_after(now, years))
        upload_crl(SYSTEM, crl)
    chain = [ca.certificate, root.certificate]
    bound = {}
    for signer in SIGNERS:
        key = (signer.organization, signer.login)
        bound[key] = _bind(ca, chain, users[key], signer, now, password)
    return DemoPki(bound, _person_key(ca, chain, CONSENT_OWNER, now))


def _authority(spec: tuple[str, int], now: datetime, parent: issuing.Authority | None) -> issuing.Authority:
    common_name, years = spec
    name = 'root' if parent is None else 'ca'
    return issuing.make_authority(
        {**PLACE, **CA_ORGANIZATION, 'common_name': common_name},
        serial=_serial(),
        not_before=now - timedelta(days=1),
        not_after=_after(now, years),
        crl_url=f'{CRL_BASE}/{name}.crl',
        parent=parent,
    )


def _bind(
    ca: issuing.Authority, chain: list[bytes], user: User, signer: DemoSigner, now: datetime, password: str
) -> UserCertificate:
    """Issue the signer's certificate, wrap it with a new key in a container and bind it to the user."""
    organization = user.organization
    profile = {
        'organization': organization.name,
        'title': signer.title,
        'ogrn': organization.ogrn,
        'inn_le': organization.inn,
        'snils': signer.snils,
        'inn': signer.inn,
        'email': f'{signer.login}.{signer.organization}@example.gov.ru',
        'surname': user.last_name,
        'given_name': f'{user.first_name} {user.middle_name}'.strip(),
    }
    key, certificate = _issue(ca, profile, now)
    container = export_pkcs12(key, certificate, chain, password, name=f'{user.last_name} {user.first_name}')
    return import_certificate(SYSTEM, user, container, password)


def _issue(ca: issuing.Authority, subject: Mapping[str, Any], now: datetime) -> tuple[keys.PrivateKey, bytes]:
    """A new RSA key and its qualified certificate (DER) for `subject` at the stand's place and street, valid from
    yesterday for USER_YEARS."""
    key = keys.generate_private_key('rsa')
    profile = {**PLACE, 'street': STREET, **subject}
    certificate = issuing.issue_qualified(
        ca,
        profile,
        keys.public_key_info(key),
        serial=_serial(),
        not_before=now - timedelta(days=1),
        not_after=_after(now, USER_YEARS),
    )
    return key, certificate


def _person_key(ca: issuing.Authority, chain: list[bytes], person: DemoPerson, now: datetime) -> PersonKey:
    profile = {'snils': person.snils, 'inn': person.inn, 'surname': person.surname, 'given_name': person.given_name}
    key, certificate = _issue(ca, profile, now)
    return PersonKey(key, certificate, tuple(chain))


def _after(now: datetime, years: int) -> datetime:
    return now + timedelta(days=365 * years + years // 4)


def _serial() -> int:
    """A random positive serial number of at most 64 bits (RFC 5280 asks for unpredictable serials)."""
    return secrets.randbits(63) | 1 << 62
