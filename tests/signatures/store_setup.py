"""Data for the storage and operations tests of signatures: the ministry of the test PKI (its ОГРН and ИНН ЮЛ) with
one user per PKI person (their СНИЛС), a card with a file, the trust store filled from the test PKI, and an
`openssl cms -verify` helper."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from edms.auth.models import User
from edms.core.access import SYSTEM
from edms.core.tx import atomic
from edms.directory.models import Organization
from edms.registry.models import Attachment, Card
from edms.registry.operations import add_attachment
from edms.signatures.operations import import_trusted, upload_crl
from scripts.make_test_pki import MINISTRY, TestPki
from tests.factories import make_card, make_organization, make_user
from tests.signatures.openssl_tools import openssl

DOCUMENT = b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n' + 'Приказ № 1'.encode() * 50
#: CAs of the test PKI placed in the trust store (the "other" root stays outside).
TRUSTED = ('root', 'ca', 'gost_root', 'gost_ca')


@dataclass
class Ministry:
    organization: Organization
    admin: User
    clerk: User
    card: Card
    attachment: Attachment
    pki: TestPki
    people: dict[str, User] = field(default_factory=dict)

    def person(self, name: str) -> User:
        """The manager holding the СНИЛС of the PKI user `name` (made on first use: password hashing is slow)."""
        if name not in self.people:
            with atomic():
                snils = self.pki.users[name].profile['snils']
                self.people[name] = make_user(self.organization, 'manager', snils=snils)
        return self.people[name]


def make_ministry(pki: TestPki) -> Ministry:
    """The organization whose ОГРН and ИНН ЮЛ the test PKI's users carry; its people come with `person(name)`."""
    with atomic():
        organization = make_organization('Минцифры', ogrn=MINISTRY['ogrn'], inn=MINISTRY['inn_le'])
        clerk = make_user(organization, 'clerk')
        card = make_card(clerk)
        attachment = add_attachment(clerk, card, io.BytesIO(DOCUMENT), 'приказ.pdf')
        ministry = Ministry(organization, make_user(organization, 'administrator'), clerk, card, attachment, pki)
    return ministry


def add_file(ministry: Ministry, data: bytes, name: str = 'письмо.pdf') -> Attachment:
    with atomic():
        return add_attachment(ministry.clerk, ministry.card, io.BytesIO(data), name)


def install_trust(pki: TestPki, *, crls: bool = True) -> None:
    """The accredited test hierarchies (roots and intermediates) and, by default, their CRLs."""
    with atomic():
        for name in TRUSTED:
            import_trusted(SYSTEM, pki.ca_der(name), accredited=pki.cas[name].accredited, note='тестовый УЦ')
        if crls:
            for name in TRUSTED:
                upload_crl(SYSTEM, pki.cas[name].crl_der.read_bytes())


def p12(pki: TestPki, user: str) -> bytes:
    path = pki.users[user].p12
    assert path is not None, f'no PKCS#12 for {user}'
    return path.read_bytes()


def openssl_verifies(pki: TestPki, folder: Path, user: str, data: bytes, signature: bytes) -> bool:
    """`openssl cms -verify -cades -crl_check_all` against the user's root and the CRLs of the hierarchy."""
    chain = [pki.users[user].issuer]
    while pki.cas[chain[-1]].issuer:
        chain.append(pki.cas[chain[-1]].issuer)
    bundle = folder / f'{user}-trust.pem'
    bundle.write_text(pki.cas[chain[-1]].cert_pem.read_text() + ''.join(pki.cas[n].crl_pem.read_text() for n in chain))
    (folder / 'doc.bin').write_bytes(data)
    (folder / 'doc.bin.sig').write_bytes(signature)
    result = openssl(
        'cms', '-verify', '-binary', '-inform', 'DER', '-content', folder / 'doc.bin', '-in', folder / 'doc.bin.sig',
        '-CAfile', bundle, '-crl_check_all', '-cades', '-purpose', 'any', '-out', '/dev/null',
        conf=pki.openssl_conf if user.startswith('gost') else None,
    )  # fmt: skip
    return result.returncode == 0
