"""The qualified signature of records: `sign_record(method='qualified', certificate_id=…, password=…)` makes a CMS
over the canonical bytes with the stored container (checked here and by `openssl cms -verify`); a resolution issued
with `signature={'method': 'qualified', …}` carries it; the simple path is unchanged; refusals are named."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from edms.audit.models import AuditEntry
from edms.core.access import SYSTEM
from edms.core.db import db
from edms.core.errors import ValidationFailed
from edms.core.tx import atomic
from edms.resolutions.models import Resolution
from edms.resolutions.operations import issue_resolution
from edms.resolutions.signing import RECORD_TYPE, resolution_payload, verify_record_signature
from edms.signatures.crypto.errors import WrongPassword
from edms.signatures.errors import CertificateNotFound, NoContainer
from edms.signatures.operations import add_client_certificate, import_certificate
from edms.signatures.records import (
    SignerRequired,
    SigningUnavailable,
    record_digest,
    sign_record,
    signed_content,
    verify_record_value,
)
from scripts.make_test_pki import TestPki
from tests.factories import make_user, resolution_data
from tests.signatures.openssl_tools import requires_engine
from tests.signatures.store_setup import Ministry, install_trust, make_ministry, openssl_verifies, p12

PASSWORD = 'test123'
PAYLOAD = {'text': 'Подготовить ответ заявителю', 'deadline': '2026-12-01'}


@pytest.fixture
def ministry(app_ctx, test_pki: TestPki) -> Ministry:
    ministry = make_ministry(test_pki)
    install_trust(test_pki)
    return ministry


def bind(ministry: Ministry, pki: TestPki, person: str):
    user = ministry.person(person)
    with atomic():
        return import_certificate(user, user, p12(pki, person), PASSWORD)


@pytest.mark.parametrize('person', ['rsa', pytest.param('gost256', marks=requires_engine)])
def test_a_qualified_record_signature_is_cms_over_the_canonical_bytes(ministry, test_pki, tmp_path, person):
    certificate = bind(ministry, test_pki, person)
    user = ministry.person(person)
    credentials = {'certificate_id': certificate.id, 'password': PASSWORD}
    signed = sign_record(user, 'resolution', 7, PAYLOAD, method='qualified', **credentials)
    assert signed.method == 'qualified'
    assert signed.signer_id == user.id
    assert signed.digest == record_digest('resolution', 7, PAYLOAD)
    assert openssl_verifies(test_pki, tmp_path, person, signed_content('resolution', 7, PAYLOAD), signed.value)
    report = verify_record_value('resolution', 7, PAYLOAD, signed.value)
    assert report.verdict == 'valid'
    changed = verify_record_value('resolution', 7, {**PAYLOAD, 'text': 'Отказать'}, signed.value)
    assert changed.verdict == 'invalid'
    assert 'integrity' in changed.failed_checks()


def test_qualified_signing_refusals_are_named(ministry, test_pki):
    user = ministry.person('rsa')
    with pytest.raises(ValidationFailed) as caught:
        sign_record(user, 'resolution', 1, PAYLOAD, method='qualified', pin='1234')
    assert set(caught.value.fields) == {'certificate_id', 'password'}
    certificate = bind(ministry, test_pki, 'rsa')
    with pytest.raises(WrongPassword):
        sign_record(user, 'resolution', 1, PAYLOAD, method='qualified', certificate_id=certificate.id, password='x')
    with pytest.raises(CertificateNotFound):
        sign_record(
            ministry.person('ec'),
            'resolution',
            1,
            PAYLOAD,
            method='qualified',
            certificate_id=certificate.id,
            password=PASSWORD,
        )
    with pytest.raises(CertificateNotFound):
        sign_record(user, 'resolution', 1, PAYLOAD, method='qualified', certificate_id='abc', password=PASSWORD)
    with atomic():
        client_only = add_client_certificate(ministry.person('ec'), ministry.person('ec'), test_pki.user_der('ec'))
    with pytest.raises(NoContainer, match='только ключом, загруженным в систему'):
        sign_record(
            ministry.person('ec'),
            'resolution',
            1,
            PAYLOAD,
            method='qualified',
            certificate_id=client_only.id,
            password=PASSWORD,
        )
    with pytest.raises(SigningUnavailable):
        sign_record(user, 'resolution', 1, PAYLOAD, method='advanced')
    with pytest.raises(SignerRequired):
        sign_record(SYSTEM, 'resolution', 1, PAYLOAD, method='qualified', certificate_id=certificate.id, password='x')


def test_the_simple_signature_is_unchanged(ministry):
    signed = sign_record(ministry.person('rsa'), 'resolution', 3, PAYLOAD)
    assert signed.method == 'simple'
    assert signed.value is None
    assert signed.digest == record_digest('resolution', 3, PAYLOAD)


def test_a_resolution_issued_with_a_qualified_signature_carries_the_cms(ministry, test_pki):
    certificate = bind(ministry, test_pki, 'rsa')
    manager = ministry.person('rsa')
    with atomic():
        executor = make_user(ministry.organization, 'executor')
        signature = {'method': 'qualified', 'certificate_id': certificate.id, 'password': PASSWORD}
        resolution = issue_resolution(manager, ministry.card, resolution_data(executor), signature=signature)
    stored = db.session.get(Resolution, resolution.id)
    assert stored.signature_method == 'qualified'
    assert stored.signed_by_id == manager.id
    assert verify_record_signature(stored)
    report = verify_record_value(RECORD_TYPE, stored.id, resolution_payload(stored), stored.signature_value)
    assert report.verdict == 'valid'
    assert report.signers[0].certificate.fingerprint == certificate.fingerprint
    journal = ' '.join(str(entry.data) for entry in db.session.execute(select(AuditEntry)).scalars())
    assert PASSWORD not in journal
