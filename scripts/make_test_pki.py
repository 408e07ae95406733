"""Build the generated test PKI: `python scripts/make_test_pki.py OUTDIR`, or `build_test_pki(outdir)` from tests.

Two accredited hierarchies (an RSA root → RSA intermediate, a GOST 2012-256 root → GOST intermediate), plus a root
that is not accredited. Users carry the qualified profile of Приказ ФСБ № 795 (ОГРН, ИНН ЮЛ, СНИЛС, ИНН,
subjectSignTool, issuerSignTool, class policies) in RSA-2048, ECDSA P-256, GOST 2012-256 (CryptoPro-A) and
GOST 2012-512 (tc26-512-A); a revoked user in each hierarchy, an expired one, a not-yet-valid one and one whose key
usage is keyCertSign only. CRLs for each CA list the revoked. Keys as PKCS#8 (PEM and DER); PKCS#12 with password
`test123` for every user (GOST ones through `openssl pkcs12` with the GOST engine when it is installed, otherwise
none and `gost_pkcs12` is False). Every certificate is built in Python by `edms.signatures.crypto.issuing` and signed
through the signature backends.
Everything is generated at run time: no key of this PKI is committed anywhere.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import pem

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from edms.core import identifiers
from edms.signatures.crypto import issuing, keys
from edms.signatures.crypto.backends import gost_engine
from edms.signatures.crypto.certs import CertificateInfo
from edms.signatures.crypto.issuing import ISSUER_TOOL, SIGN_TOOL
from edms.signatures.crypto.pkcs12 import export_pkcs12

__all__ = ['ISSUER_TOOL', 'MINISTRY', 'PASSWORD', 'PEOPLE', 'SIGN_TOOL', 'TestPki', 'build_test_pki']

PASSWORD = 'test123'
CRL_BASE = 'http://pki.test.invalid/crl'
#: the demo ministry (edms/cli/demo.py): ОГРН and ИНН ЮЛ with their check digits
MINISTRY = {
    'name': 'Министерство цифрового развития Энской области',
    'ogrn': '1027700132195',
    'inn_le': '7707083893',
}
CA_ORGANIZATION = {'name': 'АО «Тестовый удостоверяющий центр»', 'ogrn': '1037700013020', 'inn_le': '7702070139'}


@dataclass(frozen=True)
class CaFiles:
    name: str
    algorithm: str
    accredited: bool
    cert_pem: Path
    cert_der: Path
    key_pem: Path
    crl_der: Path
    crl_pem: Path
    fingerprint: str
    issuer: str | None


@dataclass(frozen=True)
class UserFiles:
    name: str
    algorithm: str
    issuer: str
    status: str
    cert_pem: Path
    cert_der: Path
    key_pem: Path
    key_der: Path
    p12: Path | None
    serial: int
    profile: dict[str, str]


@dataclass(frozen=True)
class TestPki:
    """Paths and facts of one generated PKI; `metadata.json` in `outdir` holds the same."""

    __test__ = False  # not a pytest test class, despite the name

    outdir: Path
    password: str
    cas: dict[str, CaFiles]
    users: dict[str, UserFiles]
    gost_pkcs12: bool
    cer_only: Path
    openssl_conf: Path
    accredited_fingerprints: list[str] = field(default_factory=list)

    def ca_der(self, name: str) -> bytes:
        return self.cas[name].cert_der.read_bytes()

    def user_der(self, name: str) -> bytes:
        return self.users[name].cert_der.read_bytes()

    def chain_ders(self, user: str) -> list[bytes]:
        """The user's intermediate(s) and root, nearest first."""
        result, issuer = [], self.users[user].issuer
        while issuer:
            result.append(self.ca_der(issuer))
            issuer = self.cas[issuer].issuer
        return result

    def crl_ders(self) -> list[bytes]:
        return [ca.crl_der.read_bytes() for ca in self.cas.values()]


#: user -> (surname, given names, title, first 9 digits of СНИЛС, first 10 digits of ИНН)
PEOPLE = {
    'rsa': ('Иванов', 'Иван Иванович', 'Начальник отдела', '112233445', '7707123456'),
    'ec': ('Петрова', 'Мария Сергеевна', 'Консультант', '123456789', '7708234567'),
    'gost256': ('Сидоров', 'Алексей Николаевич', 'Заместитель министра', '134567891', '7709345678'),
    'gost512': ('Кузнецова', 'Ольга Владимировна', 'Министр', '145678912', '7710456789'),
    'revoked': ('Смирнов', 'Павел Андреевич', 'Главный специалист', '156789123', '7711567891'),
    'gost_revoked': ('Фёдоров', 'Дмитрий Игоревич', 'Советник', '167891234', '7712678912'),
    'expired': ('Волков', 'Сергей Петрович', 'Ведущий специалист', '178912345', '7713789123'),
    'not_yet_valid': ('Орлова', 'Анна Викторовна', 'Специалист', '189123456', '7714891234'),
    'no_signing': ('Морозов', 'Илья Олегович', 'Референт', '191234567', '7715912345'),
    'untrusted': ('Тестов', 'Тест Тестович', 'Сотрудник', '201234568', '7716123459'),
}
PLACE = {'country': 'RU', 'region': '77 г. Москва', 'locality': 'Москва'}
#: user -> (algorithm, issuing CA, status)
USERS = {
    'rsa': ('rsa', 'ca', 'valid'),
    'ec': ('ec', 'ca', 'valid'),
    'gost256': ('gost2012_256', 'gost_ca', 'valid'),
    'gost512': ('gost2012_512', 'gost_ca', 'valid'),
    'revoked': ('rsa', 'ca', 'revoked'),
    'gost_revoked': ('gost2012_256', 'gost_ca', 'revoked'),
    'expired': ('rsa', 'ca', 'expired'),
    'not_yet_valid': ('rsa', 'ca', 'not_yet_valid'),
    'no_signing': ('rsa', 'ca', 'no_signing'),
    'untrusted': ('rsa', 'other_root', 'valid'),
}
#: CA -> (algorithm, parent, accredited, common name)
CAS = {
    'root': ('rsa', None, True, 'Тестовый головной удостоверяющий центр (RSA)'),
    'ca': ('rsa', 'root', True, 'Тестовый аккредитованный УЦ (RSA)'),
    'gost_root': ('gost2012_256', None, True, 'Тестовый головной удостоверяющий центр (ГОСТ)'),
    'gost_ca': ('gost2012_256', 'gost_root', True, 'Тестовый аккредитованный УЦ (ГОСТ)'),
    'other_root': ('rsa', None, False, 'Тестовый неаккредитованный УЦ'),
}


def _check_organization(organization: dict[str, str]) -> None:
    """The organizations' ОГРН and ИНН ЮЛ must pass the real check-digit rules."""
    problem = identifiers.check_ogrn(organization['ogrn']) or identifiers.check_inn_legal(organization['inn_le'])
    if problem:
        raise ValueError(problem)


def _profile(user: str) -> dict[str, str]:
    _check_organization(MINISTRY)
    surname, given_name, title, snils9, inn10 = PEOPLE[user]
    profile = {
        'surname': surname,
        'given_name': given_name,
        'title': title,
        'organization': MINISTRY['name'],
        'ogrn': MINISTRY['ogrn'],
        'inn_le': MINISTRY['inn_le'],
        'snils': issuing.snils_with_check(snils9),
        'inn': issuing.person_inn_with_check(inn10),
        'email': f'{user.replace("_", ".")}@mincifra.test',
    }
    problem = identifiers.check_snils(profile['snils']) or identifiers.check_inn_person(profile['inn'])
    if problem:
        raise ValueError(problem)
    return profile


class _Builder:
    """Holds the CAs and keys while one PKI is built; keys are written to files and dropped with the builder."""

    def __init__(self, outdir: Path) -> None:
        self.outdir = outdir
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.authorities: dict[str, issuing.Authority] = {}
        self.keys: dict[str, keys.PrivateKey] = {}
        self.serial = 0x1000
        self.revoked: dict[str, list[tuple[int, datetime]]] = {name: [] for name in CAS}

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    def make_ca(self, name: str) -> None:
        algorithm, parent, _, common_name = CAS[name]
        organization = {'organization': CA_ORGANIZATION['name'], 'ogrn': CA_ORGANIZATION['ogrn']}
        subject = {**PLACE, **organization, 'inn_le': CA_ORGANIZATION['inn_le'], 'common_name': common_name}
        years = 10 if parent is None else 5
        authority = issuing.make_authority(
            subject,
            serial=self.next_serial(),
            not_before=self.now - timedelta(days=730 if parent is None else 365),
            not_after=self.now + timedelta(days=365 * years),
            crl_url=f'{CRL_BASE}/{name}.crl',
            parent=None if parent is None else self.authorities[parent],
            algorithm=algorithm,
        )
        self.authorities[name] = authority
        self._write_certificate(name, authority.certificate)
        self._write_key(name, authority.key)

    def make_user(self, name: str) -> tuple[int, dict[str, str]]:
        algorithm, ca, status = USERS[name]
        key = keys.generate_private_key(algorithm)
        profile = _profile(name)
        serial = self.next_serial()
        der = issuing.issue_qualified(
            self.authorities[ca],
            {**PLACE, 'street': 'ул. Тверская, д. 7', **profile},
            keys.public_key_info(key),
            serial=serial,
            not_before=self.now + timedelta(days=_PERIODS[status][0]),
            not_after=self.now + timedelta(days=_PERIODS[status][1]),
            key_usage=frozenset({'key_cert_sign'}) if status == 'no_signing' else issuing.SIGNING_KEY_USAGE,
        )
        if status == 'revoked':
            self.revoked[ca].append((serial, self.now - timedelta(days=1)))
        self._write_certificate(name, der)
        self._write_key(name, key)
        self.keys[name] = key
        return serial, profile

    def make_crl(self, name: str) -> None:
        der = issuing.authority_crl(
            self.authorities[name],
            self.revoked[name],
            this_update=self.now - timedelta(hours=1),
            next_update=self.now + timedelta(days=30),
        )
        (self.outdir / f'{name}.crl').write_bytes(der)
        (self.outdir / f'{name}.crl.pem').write_text(_pem('X509 CRL', der))

    def _write_certificate(self, name: str, der: bytes) -> None:
        (self.outdir / f'{name}.cer').write_bytes(der)
        (self.outdir / f'{name}.pem').write_text(_pem('CERTIFICATE', der))

    def _write_key(self, name: str, key: keys.PrivateKey) -> None:
        der = keys.private_key_to_pkcs8(key)
        (self.outdir / f'{name}.key.der').write_bytes(der)
        (self.outdir / f'{name}.key.pem').write_text(_pem('PRIVATE KEY', der))


#: status -> (notBefore, notAfter) in days from now
_PERIODS = {
    'valid': (-30, 365),
    'revoked': (-30, 365),
    'no_signing': (-30, 365),
    'expired': (-400, -35),
    'not_yet_valid': (30, 400),
}


def _pem(kind: str, der: bytes) -> str:
    return pem.armor(kind, der).decode('ascii')


def _gost_pkcs12(outdir: Path, user: str, chain: list[str], config: Path) -> Path | None:
    """A GOST container (gost89 PBE, Streebog-256 MAC) made by `openssl pkcs12 -export` with the engine."""
    target = outdir / f'{user}.p12'
    chain_file = outdir / f'{user}.chain.pem'
    chain_file.write_text(''.join((outdir / f'{ca}.pem').read_text() for ca in chain))
    command = ['openssl', 'pkcs12', '-export', '-inkey', str(outdir / f'{user}.key.pem')]
    command += ['-in', str(outdir / f'{user}.pem'), '-certfile', str(chain_file), '-name', user]
    command += ['-keypbe', 'gost89', '-certpbe', 'gost89', '-macalg', 'md_gost12_256']
    command += ['-passout', 'env:EDMS_TEST_PKI_PASSWORD', '-out', str(target)]
    env = {**os.environ, 'OPENSSL_CONF': str(config), 'EDMS_TEST_PKI_PASSWORD': PASSWORD}
    result = subprocess.run(command, capture_output=True, env=env, timeout=60, check=False)
    return target if result.returncode == 0 and target.is_file() else None


def _chain_of(ca: str) -> list[str]:
    chain = [ca]
    while CAS[chain[-1]][1]:
        chain.append(CAS[chain[-1]][1])
    return chain


def build_test_pki(outdir: Path | str) -> TestPki:
    """Generate the whole PKI into `outdir` (created if needed) and return where everything is."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    _check_organization(CA_ORGANIZATION)
    builder = _Builder(outdir)
    for name in CAS:
        builder.make_ca(name)
    facts = {name: builder.make_user(name) for name in USERS}
    for name in CAS:
        builder.make_crl(name)
    config = outdir / 'openssl-gost.cnf'
    config.write_text(gost_engine.OPENSSL_CONFIG.format(engine_path=gost_engine.openssl_lib.ENGINE_PATH))
    p12 = _write_containers(builder, config)
    cer_only = outdir / 'certificate-only.cer'
    shutil.copyfile(outdir / 'rsa.cer', cer_only)
    cas = {name: _ca_files(outdir, name) for name in CAS}
    pki = TestPki(
        outdir=outdir,
        password=PASSWORD,
        cas=cas,
        users={name: _user_files(outdir, name, facts[name], p12[name]) for name in USERS},
        gost_pkcs12=all(p12[name] is not None for name, spec in USERS.items() if spec[0].startswith('gost')),
        cer_only=cer_only,
        openssl_conf=config,
        accredited_fingerprints=[ca.fingerprint for ca in cas.values() if ca.accredited],
    )
    (outdir / 'metadata.json').write_text(json.dumps(asdict(pki), ensure_ascii=False, indent=2, default=str))
    return pki


def _write_containers(builder: _Builder, config: Path) -> dict[str, Path | None]:
    """PKCS#12 for every user: RSA/EC through cryptography, GOST through openssl with the engine (or none)."""
    outdir = builder.outdir
    engine_cli = shutil.which('openssl') is not None and Path(gost_engine.openssl_lib.ENGINE_PATH).is_file()
    result: dict[str, Path | None] = {}
    for name, (algorithm, ca, _) in USERS.items():
        chain = _chain_of(ca)
        if algorithm.startswith('gost'):
            result[name] = _gost_pkcs12(outdir, name, chain, config) if engine_cli else None
            continue
        chain_ders = [_der(outdir, ca_name) for ca_name in chain]
        target = result[name] = outdir / f'{name}.p12'
        target.write_bytes(export_pkcs12(builder.keys[name], _der(outdir, name), chain_ders, PASSWORD, name=name))
    return result


def _der(outdir: Path, name: str) -> bytes:
    """The DER certificate written for a CA or user."""
    return (outdir / f'{name}.cer').read_bytes()


def _ca_files(outdir: Path, name: str) -> CaFiles:
    algorithm, parent, accredited, _ = CAS[name]
    return CaFiles(
        name=name,
        algorithm=algorithm,
        accredited=accredited,
        cert_pem=outdir / f'{name}.pem',
        cert_der=outdir / f'{name}.cer',
        key_pem=outdir / f'{name}.key.pem',
        crl_der=outdir / f'{name}.crl',
        crl_pem=outdir / f'{name}.crl.pem',
        fingerprint=CertificateInfo.from_der(_der(outdir, name)).fingerprint,
        issuer=parent,
    )


def _user_files(outdir: Path, name: str, facts: tuple[int, dict[str, str]], p12: Path | None) -> UserFiles:
    algorithm, ca, status = USERS[name]
    return UserFiles(
        name=name,
        algorithm=algorithm,
        issuer=ca,
        status=status,
        cert_pem=outdir / f'{name}.pem',
        cert_der=outdir / f'{name}.cer',
        key_pem=outdir / f'{name}.key.pem',
        key_der=outdir / f'{name}.key.der',
        p12=p12,
        serial=facts[0],
        profile=facts[1],
    )


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print('usage: python scripts/make_test_pki.py OUTDIR', file=sys.stderr)
        return 2
    pki = build_test_pki(argv[1])
    print(f'test PKI in {pki.outdir}: {len(pki.cas)} CAs, {len(pki.users)} users; password {pki.password!r}')
    print('GOST PKCS#12:', 'yes' if pki.gost_pkcs12 else 'no (OpenSSL GOST engine not installed: PEM/PKCS#8 only)')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
