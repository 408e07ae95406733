"""Users' certificates and the trust store: binding rules (СНИЛС, ОГРН, ИНН ЮЛ), every PKCS#12 refusal surfaced,
certificates that cannot sign refused, the container kept and the password not, access, the trust store import
(non-CA refused, idempotent) and the trust data built from it."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12 as crypto_pkcs12
from sqlalchemy import event, func, select

from edms.audit.models import AuditEntry
from edms.core.access import SYSTEM
from edms.core.blobs import blob_store
from edms.core.clock import utcnow
from edms.core.db import db
from edms.core.errors import Forbidden
from edms.core.tx import atomic
from edms.signatures.crypto import errors as crypto_errors
from edms.signatures.crypto import keys
from edms.signatures.errors import BindingRefused, CertificateAlreadyBound, CertificateNotFound, NotCaCertificate
from edms.signatures.models import TrustedCertificate, UserCertificate
from edms.signatures.operations import (
    add_client_certificate,
    deactivate_trusted,
    disable_certificate,
    import_certificate,
    import_trusted,
    set_accredited,
)
from edms.signatures.trust import trust_data
from scripts.make_test_pki import MINISTRY, TestPki
from tests.factories import inn10, make_organization, make_user
from tests.signatures.store_setup import Ministry, make_ministry, p12

PASSWORD = 'test123'


@pytest.fixture
def ministry(app_ctx, test_pki: TestPki) -> Ministry:
    return make_ministry(test_pki)


def test_a_matching_container_is_bound_with_its_profile_and_kept_in_the_blob_store(ministry, test_pki):
    user, container = ministry.person('rsa'), p12(test_pki, 'rsa')
    with atomic():
        certificate = import_certificate(user, user, container, PASSWORD)
    stored = db.session.get(UserCertificate, certificate.id)
    profile = test_pki.users['rsa'].profile
    assert (stored.snils, stored.inn, stored.ogrn, stored.inn_le) == (
        profile['snils'],
        profile['inn'],
        MINISTRY['ogrn'],
        MINISTRY['inn_le'],
    )
    assert stored.owner == f'{profile["surname"]} {profile["given_name"]}'
    assert stored.certificate_der == test_pki.user_der('rsa')
    assert stored.key_algorithm == 'rsa'
    assert stored.has_key
    assert stored.is_active
    with blob_store().open_verified(stored.container_sha256) as file:
        assert file.read() == container
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == 'signatures.certificate.import')
    ).scalar_one()
    assert entry.data['fingerprint'] == stored.fingerprint
    assert entry.data['with_key'] is True
    assert PASSWORD not in str(entry.data)


def test_a_user_without_snils_is_refused_saying_so(ministry, test_pki):
    user = ministry.person('rsa')
    with atomic():
        user.snils = None
    with pytest.raises(BindingRefused, match='не указан СНИЛС'):
        import_certificate(user, user, p12(test_pki, 'rsa'), PASSWORD)


def test_a_user_without_snils_is_bound_by_the_persons_inn(ministry, test_pki):
    user = ministry.person('rsa')
    with atomic():
        user.snils, user.inn = None, test_pki.users['rsa'].profile['inn']
    with atomic():
        certificate = import_certificate(user, user, p12(test_pki, 'rsa'), PASSWORD)
    assert db.session.get(UserCertificate, certificate.id).user_id == user.id


def test_a_different_persons_inn_is_refused_naming_the_inn(ministry, test_pki):
    user = ministry.person('rsa')
    with atomic():
        user.snils, user.inn = None, test_pki.users['ec'].profile['inn']
    with pytest.raises(BindingRefused) as caught:
        import_certificate(user, user, p12(test_pki, 'rsa'), PASSWORD)
    assert caught.value.problems == [
        f'ИНН в сертификате ({test_pki.users["rsa"].profile["inn"]}) не совпадает с ИНН пользователя'
    ]


def test_another_persons_certificate_is_refused_naming_the_snils(ministry, test_pki):
    user = ministry.person('ec')  # Петрова, with the certificate of Иванов
    with pytest.raises(BindingRefused) as caught:
        import_certificate(user, user, p12(test_pki, 'rsa'), PASSWORD)
    assert caught.value.problems == [f'СНИЛС в сертификате ({_formatted(test_pki.users["rsa"].profile["snils"])}) '
                                     'не совпадает со СНИЛС пользователя']  # fmt: skip
    assert db.session.execute(select(func.count(UserCertificate.id))).scalar_one() == 0


def test_another_organizations_ogrn_and_inn_are_each_named(app_ctx, test_pki):
    with atomic():
        other = make_organization('Минфин')
        user = make_user(other, 'manager', snils=test_pki.users['rsa'].profile['snils'])
    with pytest.raises(BindingRefused) as caught:
        import_certificate(user, user, p12(test_pki, 'rsa'), PASSWORD)
    problems = caught.value.problems
    assert len(problems) == 2
    assert problems[0].startswith(f'ОГРН в сертификате ({MINISTRY["ogrn"]}) не совпадает с ОГРН организации')
    assert other.ogrn in problems[0]
    assert problems[1].startswith(f'ИНН ЮЛ в сертификате ({MINISTRY["inn_le"]}) не совпадает с ИНН организации')
    assert 'СНИЛС' not in caught.value.message


def test_only_the_inn_mismatch_is_named_when_the_ogrn_matches(app_ctx, test_pki):
    with atomic():
        organization = make_organization('Минцифры', ogrn=MINISTRY['ogrn'], inn=inn10('770708390'))
        user = make_user(organization, 'manager', snils=test_pki.users['rsa'].profile['snils'])
    with pytest.raises(BindingRefused) as caught:
        import_certificate(user, user, p12(test_pki, 'rsa'), PASSWORD)
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith('ИНН ЮЛ в сертификате')


@pytest.mark.parametrize(
    ('make_input', 'error'),
    [
        (lambda pki: (p12(pki, 'rsa'), 'wrong-password'), crypto_errors.WrongPassword),
        (lambda pki: (b'\x30\x82\x01\x00' + b'\x00' * 300, PASSWORD), crypto_errors.BrokenContainer),
        (lambda pki: (b'not a container at all', PASSWORD), crypto_errors.BrokenContainer),
        (lambda pki: (pki.cer_only.read_bytes(), PASSWORD), crypto_errors.NoPrivateKey),
        (lambda pki: (pki.users['rsa'].cert_pem.read_bytes(), PASSWORD), crypto_errors.NoPrivateKey),
        (lambda pki: (b'', PASSWORD), crypto_errors.BrokenContainer),
        (lambda pki: (_container(pki, 'ec', None), PASSWORD), crypto_errors.NoCertificate),
        (lambda pki: (_container(pki, 'ec', 'rsa'), PASSWORD), crypto_errors.KeyMismatch),
    ],
    ids=['wrong-password', 'broken', 'garbage', 'cer-only', 'pem-certificate', 'empty', 'key-only', 'other-key'],
)
def test_every_container_refusal_passes_through_with_its_message(ministry, test_pki, make_input, error):
    data, password = make_input(test_pki)
    user = ministry.person('rsa')
    with pytest.raises(error) as caught:
        import_certificate(user, user, data, password)
    assert caught.value.message == error.message
    assert caught.value.status == 422


@pytest.mark.parametrize(
    ('person', 'error', 'words'),
    [
        ('expired', crypto_errors.CertificateExpired, 'Срок действия сертификата истёк'),
        ('not_yet_valid', crypto_errors.CertificateNotYetValid, 'Срок действия сертификата начинается'),
        ('no_signing', crypto_errors.SigningNotAllowed, 'не разрешает электронную подпись'),
    ],
)
def test_certificates_that_cannot_sign_now_are_refused(ministry, test_pki, person, error, words):
    user = ministry.person(person)
    with pytest.raises(error, match=words):
        import_certificate(user, user, p12(test_pki, person), PASSWORD)
    with pytest.raises(error, match=words):
        add_client_certificate(user, user, test_pki.user_der(person))
    assert db.session.execute(select(func.count(UserCertificate.id))).scalar_one() == 0


def test_a_client_certificate_is_bound_without_a_key_and_the_container_can_follow(ministry, test_pki):
    user = ministry.person('ec')
    with atomic():
        certificate = add_client_certificate(user, user, test_pki.users['ec'].cert_pem.read_bytes())
    assert not certificate.has_key
    assert certificate.is_active
    with pytest.raises(CertificateAlreadyBound):
        add_client_certificate(user, user, test_pki.user_der('ec'))
    with atomic():
        same = import_certificate(user, user, p12(test_pki, 'ec'), PASSWORD)
    assert same.id == certificate.id
    assert same.has_key
    with pytest.raises(CertificateAlreadyBound):
        import_certificate(user, user, p12(test_pki, 'ec'), PASSWORD)


def test_a_chain_file_binds_its_one_end_entity_certificate(ministry, test_pki):
    user = ministry.person('rsa')
    bundle = test_pki.users['rsa'].cert_pem.read_bytes() + test_pki.cas['ca'].cert_pem.read_bytes()
    with atomic():
        certificate = add_client_certificate(user, user, bundle)
    assert certificate.certificate_der == test_pki.user_der('rsa')
    with pytest.raises(crypto_errors.BadCertificate, match='ровно один сертификат пользователя'):
        add_client_certificate(user, user, test_pki.cas['ca'].cert_pem.read_bytes())


def test_disabling_withdraws_the_certificate_and_removes_its_container(ministry, test_pki):
    user = ministry.person('rsa')
    with atomic():
        certificate = import_certificate(user, user, p12(test_pki, 'rsa'), PASSWORD)
    container = certificate.container_sha256
    with atomic():
        disable_certificate(ministry.admin, certificate)
    assert not certificate.is_active
    assert certificate.container_sha256 is None
    assert blob_store().verify(container) is None
    with atomic():
        renewed = import_certificate(user, user, p12(test_pki, 'rsa'), PASSWORD)
    assert renewed.id == certificate.id
    assert renewed.is_active
    assert renewed.has_key


def test_administrators_bind_for_their_users_others_are_refused_or_see_nothing(ministry, test_pki):
    owner = ministry.person('rsa')
    with pytest.raises(Forbidden):
        import_certificate(ministry.person('ec'), owner, p12(test_pki, 'rsa'), PASSWORD)
    with atomic():
        stranger = make_user(make_organization('Минфин'), 'administrator')
    with pytest.raises(CertificateNotFound):
        import_certificate(stranger, owner, p12(test_pki, 'rsa'), PASSWORD)
    with atomic():
        certificate = import_certificate(ministry.admin, owner, p12(test_pki, 'rsa'), PASSWORD)
    assert certificate.user_id == owner.id
    assert certificate.bound_by_id == ministry.admin.id


# --- the trust store ------------------------------------------------------------------------------------------------


def test_trust_import_reads_a_pem_bundle_flags_roots_and_is_idempotent(app_ctx, test_pki):
    bundle = b''.join(test_pki.cas[name].cert_pem.read_bytes() for name in ('root', 'ca'))
    with atomic():
        first = import_trusted(SYSTEM, bundle, accredited=True, note='Минцифры России')
    assert len(first.added) == 2
    roots = {item.name: item.is_root for item in first.added}
    assert sorted(roots.values()) == [False, True]
    entries = db.session.execute(select(func.count(AuditEntry.id))).scalar_one()
    with atomic():
        again = import_trusted(SYSTEM, bundle, accredited=True, note='Минцифры России')
    assert again.added == []
    assert again.updated == []
    assert len(again.unchanged) == 2
    assert db.session.execute(select(func.count(TrustedCertificate.id))).scalar_one() == 2
    assert db.session.execute(select(func.count(AuditEntry.id))).scalar_one() == entries


def test_trust_import_refuses_a_user_certificate_and_a_mixed_file_entirely(app_ctx, test_pki):
    with pytest.raises(NotCaCertificate, match='не является сертификатом удостоверяющего центра'):
        import_trusted(SYSTEM, test_pki.user_der('rsa'))
    mixed = test_pki.cas['root'].cert_pem.read_bytes() + test_pki.users['rsa'].cert_pem.read_bytes()
    with pytest.raises(NotCaCertificate, match='Файл не импортирован'):
        import_trusted(SYSTEM, mixed)
    assert db.session.execute(select(func.count(TrustedCertificate.id))).scalar_one() == 0


def test_trust_import_refuses_garbage_and_non_system_administrators(ministry, test_pki):
    with pytest.raises(crypto_errors.BadCertificate):
        import_trusted(SYSTEM, b'hello')
    with pytest.raises(Forbidden):
        import_trusted(ministry.admin, test_pki.ca_der('root'))


def test_trust_data_follows_the_store_flags_and_deactivation(app_ctx, test_pki):
    with atomic():
        root = import_trusted(SYSTEM, test_pki.ca_der('root'), accredited=True).added[0]
        ca = import_trusted(SYSTEM, test_pki.ca_der('ca')).added[0]
    data = trust_data()
    assert data.anchors == [test_pki.ca_der('root')]
    assert data.intermediates == [test_pki.ca_der('ca')]
    assert data.accredited == {root.fingerprint}
    before = data.fingerprint
    with atomic():
        set_accredited(SYSTEM, db.session.get(TrustedCertificate, ca.id), True)
    assert trust_data().accredited == {root.fingerprint, ca.fingerprint}
    with atomic():
        deactivate_trusted(SYSTEM, db.session.get(TrustedCertificate, root.id))
    after = trust_data()
    assert after.anchors == []
    assert after.fingerprint != before
    with atomic():
        import_trusted(SYSTEM, test_pki.ca_der('root'), accredited=True)
    assert trust_data().anchors == [test_pki.ca_der('root')]
    actions = set(db.session.execute(select(AuditEntry.action)).scalars())
    assert {'signatures.trust.add', 'signatures.trust.accredited', 'signatures.trust.deactivate'} <= actions
    assert 'signatures.trust.update' in actions


def test_trust_data_sees_a_commit_of_another_process_at_once_and_never_caches_an_uncommitted_change(app_ctx, test_pki):
    with atomic():
        root = import_trusted(SYSTEM, test_pki.ca_der('root')).added[0]
    assert trust_data().anchors == [test_pki.ca_der('root')]
    table = TrustedCertificate.__table__
    with db.engine.begin() as other:  # another process: no invalidation of this process's cache
        other.execute(table.update().where(table.c.id == root.id).values(is_active=False, updated_at=utcnow()))
    assert trust_data().anchors == []
    db.session.execute(table.update().where(table.c.id == root.id).values(is_active=True, updated_at=utcnow()))
    assert trust_data().anchors == []  # this transaction's own change is not committed: not trusted
    db.session.rollback()
    assert trust_data().anchors == []
    with db.engine.begin() as other:
        other.execute(table.update().where(table.c.id == root.id).values(is_active=True, updated_at=utcnow()))
    assert trust_data().anchors == [test_pki.ca_der('root')]


def test_trust_data_checks_its_stamp_with_one_statement(app_ctx, test_pki):
    with atomic():
        import_trusted(SYSTEM, test_pki.ca_der('root'))
    trust_data()
    statements: list[str] = []

    def count(_connection: object, _cursor: object, sql: str, *_: object) -> None:
        statements.append(sql)

    event.listen(db.engine, 'before_cursor_execute', count)
    try:
        with atomic():
            assert trust_data().anchors == [test_pki.ca_der('root')]
    finally:
        event.remove(db.engine, 'before_cursor_execute', count)
    assert len([sql for sql in statements if 'signatures_' in sql]) == 1


def _container(pki: TestPki, key_of: str, certificate_of: str | None) -> bytes:
    """A container with one user's key and, beside it, another user's certificate (or none)."""
    key = keys.load_private_key(pki.users[key_of].key_der.read_bytes())
    others = [x509.load_der_x509_certificate(pki.user_der(certificate_of))] if certificate_of else None
    encryption = serialization.BestAvailableEncryption(PASSWORD.encode())
    return crypto_pkcs12.serialize_key_and_certificates(b'test', key.handle, None, others, encryption)


def _formatted(snils: str) -> str:
    return f'{snils[:3]}-{snils[3:6]}-{snils[6:9]} {snils[9:]}'
